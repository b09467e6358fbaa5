/** Facts about aws-actions/configure-aws-credentials: versions, inputs, runtimes per ref. */

/** What a `uses:` ref of configure-aws-credentials resolves to. */
export interface ConfigureVersion {
  /** How the ref was recognised. "unknown": rules must not guess. */
  kind: "tag" | "major" | "sha" | "branch" | "frozen-tag" | "unknown";
  ref: string;
  /** The release tag whose code runs, e.g. "v4.3.1" (for `master`: "v2.0.0"; for `main`: newest). */
  tag?: string;
  /** [major, minor, patch] of `tag`. */
  semver?: [number, number, number];
  /** `runs.using` of that code: node12, node16, node20, node24. */
  runtime?: string;
  /** Peeled commit SHA the ref points at, when known. */
  commit?: string;
  /** Inputs the resolved code declares. */
  inputs?: ReadonlySet<string>;
}

// Implementation filled in by the knowledge module (see below).
export declare function resolveConfigureVersion(ref: string): ConfigureVersion;
