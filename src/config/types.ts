/** The configuration file, as loaded and validated (`.credflow.yml` or `--config FILE`). */
import type { Level, Location, Visibility } from "../rules/types.js";

/** Settings of one rule from `rules.<id>`. */
export interface RuleConfig {
  /** Level override; `off` disables the rule. Undefined: the rule's default level. */
  level?: Level | "off";
  /**
   * The rule's options as written (kebab-case keys, e.g. `policy`, `min-runner-version`), a top-level
   * shorthand (`unpinned-ref-policy`) included when the rule does not set the option itself.
   */
  options: Record<string, unknown>;
}

/** One `ignore-findings` entry. */
export interface IgnoredFinding {
  /** Rule id; any rule when undefined. */
  rule?: string;
  /** Path relative to the repository root, `/` separators; may be a glob. */
  path: string;
  /** Line of the finding's start; any line when undefined. */
  line?: number;
  /** Where the entry is written in the configuration file (for reporting an entry that hides nothing). */
  location?: Location;
}

export interface CredflowConfig {
  /** Keyed by rule id; only rules mentioned in the file. */
  rules: Record<string, RuleConfig>;
  visibility?: Visibility;
  /** `default-token-permissions`: the repository's default GITHUB_TOKEN permissions. */
  defaultTokenPermissions?: "permissive" | "restricted";
  /** `repository`: owner/name of the repository being linted. */
  repository?: string;
  /** `default-branch`: the repository's default branch. */
  defaultBranch?: string;
  /** `subject-format`, `owner-id`, `repository-id`: how the repository is spelt in OIDC subjects. */
  subjectFormat?: "names" | "immutable-ids";
  ownerId?: string;
  repositoryId?: string;
  /** `subject-claim-keys`: the customised OIDC subject template (`include_claim_keys`). */
  subjectClaimKeys?: string[];
  /** `trust-policies`: role ARN or name → JSON policy file (relative to the repository root). */
  trustPolicies?: Record<string, string>;
  /** Globs of repository-relative paths to skip. */
  ignore: string[];
  ignoreFindings: IgnoredFinding[];
}

export interface LoadedConfig {
  /** Display path (relative to the current directory, `/` separators) of the file used; undefined if none. */
  path?: string;
  config: CredflowConfig;
}

/** An empty configuration: every default applies. */
export function emptyConfig(): CredflowConfig {
  return { rules: {}, ignore: [], ignoreFindings: [] };
}
