/** Version numbers and commit SHAs as refs and settings write them: one parser for every rule. */

export type Version = [major: number, minor: number, patch: number];

const VERSION = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?$/;
const FULL_SHA = /^[0-9a-f]{40}$/i;

/** `v4`, `4.2`, `v4.2.1` → [4, 0, 0], [4, 2, 0], [4, 2, 1]; undefined for anything else (branches, `v1-node16`). */
export function parseVersion(text: unknown): Version | undefined {
  if (typeof text !== "string" && typeof text !== "number") return undefined;
  const m = VERSION.exec(String(text).trim());
  return m ? [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)] : undefined;
}

/** The major version of a tag such as `v4.2.1`, if it is one. */
export function majorOf(text: string | undefined): number | undefined {
  return parseVersion(text)?.[0];
}

export function compareVersions(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/** Whether `a` is `b` or newer. */
export function atLeast(a: Version, b: Version): boolean {
  return compareVersions(a, b) >= 0;
}

/** A full 40-character hexadecimal commit SHA (the only ref form that pins a commit). */
export function isFullSha(ref: string): boolean {
  return FULL_SHA.test(ref.trim());
}

/** A SHA shortened for messages; other refs unchanged. */
export function shortRef(ref: string, length = 12): string {
  return isFullSha(ref) ? ref.slice(0, length) : ref;
}
