/**
 * What a rule is, what it may say, and what the engine makes of it.
 *
 * A rule reads the graph and calls `ctx.report(...)`; it never reads files, prints, decides exit
 * codes, sets its own id, dedupes or applies suppressions. The engine owns a finding's life: levels,
 * dedupe, "reached through" locations, ignores and suppressions, then the consumers (reporters, fixes).
 */
import type { Range } from "../model/types.js";
import type { JobNode, ProjectGraph, TimelineStep } from "../graph/types.js";
import type { PinResolver } from "../knowledge/pins.js";

export type Level = "error" | "warning" | "note";

export const LEVEL_RANK: Record<Level, number> = { note: 1, warning: 2, error: 3 };

export interface Location {
  /** Display path (relative to the current directory, `/` separators). */
  path: string;
  range: Range;
}

export interface RelatedLocation extends Location {
  message: string;
}

export type { Fix, TextEdit } from "../edit/types.js";
import type { Fix } from "../edit/types.js";

/** Why a finding has no fix although its rule fixes others (shown as "no fix: …"). */
export interface NoFix {
  note: string;
}

/** A finding as consumers see it, after the engine applied levels, dedupe and suppressions. */
export interface Finding {
  ruleId: string;
  level: Level;
  /** The whole explanation: headline, why and what to do (what `--format concise` prints). */
  message: string;
  location: Location;
  related: RelatedLocation[];
  /** Short statement of what is wrong (about 100 characters at most); `message` when the rule gives none. */
  headline?: string;
  /** One sentence: why it breaks or leaks. */
  why?: string;
  /** One sentence: what to do. */
  hint?: string;
  /** Text under the primary location's excerpt ("starts while role `build` is exported"). */
  label?: string;
  fix?: Fix;
  /** Set when a fix could have been offered but was not (e.g. a ref missing from the pin table). */
  fixNote?: string;
}

/** Where a finding's location is reached from: the job (and the expanded step) that runs it. */
export interface Via {
  node: JobNode;
  step?: TimelineStep;
}

/** What a rule reports. The engine fills in the rule id and the configured level. */
export interface Report {
  message: string;
  location: Location;
  /** Per-finding level; the rule's default level when absent. A configured level replaces both. */
  level?: Level;
  related?: RelatedLocation[];
  headline?: string;
  why?: string;
  hint?: string;
  label?: string;
  /**
   * A fix, or a function that computes it. Functions are called only when a consumer asks for fixes
   * (SARIF, `--fix`, `--diff`, JSON), so plain lint runs do not pay for edits nobody applies.
   */
  fix?: Fix | NoFix | (() => Fix | NoFix | undefined);
  /** Why no fix is offered, when `fix` is not given. */
  fixNote?: string;
  /**
   * The job and step that reach the location. For a location inside a composite action or a called
   * reusable workflow, the engine adds the call sites and callers as related locations; one problem
   * reached through several jobs is reported once with every path that reaches it.
   */
  via?: Via;
  /**
   * What makes two reports at one location the same problem (default: the message). Give it when
   * the message names the job or path that reached the location.
   */
  key?: string;
}

export type Visibility = "public" | "private" | "internal" | "unknown";
/** The repository's (or organisation's) default GITHUB_TOKEN permissions; unknown when not configured. */
export type DefaultTokenPermissions = "permissive" | "restricted" | "unknown";
export type { RepositoryIdentity } from "../discover/repository.js";
import type { RepositoryIdentity } from "../discover/repository.js";
export type PinPolicy = "sha" | "sha-all" | "tag" | "off";

/** Facts about the run and the repository that every rule may read; rule options live in `ctx.options`. */
export interface Settings {
  visibility: Visibility;
  /** Default GITHUB_TOKEN permissions of the repository; rules say what happens in each mode when unknown. */
  defaultTokenPermissions?: DefaultTokenPermissions;
  /** The repository being linted, when known (`owner/name`). */
  repository?: RepositoryIdentity;
  /** The default branch (schedule and most non-push events run there), when known. */
  defaultBranch?: { name: string; source: "config" | "origin remote" };
  /**
   * How GitHub spells the repository in OIDC `sub` claims: `names` (`repo:owner/name:…`) or
   * `immutable-ids` (`repo:owner@ID/name@ID:…`, with the ids when configured). Undefined: not
   * configured (credflow assumes `names` unless a trust policy is written for ids).
   */
  subjectFormat?: { format: "names" | "immutable-ids"; ownerId?: string; repositoryId?: string };
  /** The customised OIDC subject template (`include_claim_keys`); undefined: the default `[repo, context]`. */
  subjectClaimKeys?: string[];
  /** `trust-policies:`: role ARN or name → JSON file relative to the repository root. */
  trustPolicies?: Readonly<Record<string, string>>;
}

export interface RuleContext {
  graph: ProjectGraph;
  settings: Settings;
  pins: PinResolver;
  /**
   * This rule's options (`meta.options`), filled by the engine: each option's default, then the
   * configuration (`rules.<id>.<option>` or its top-level shorthand), then command-line flags; every
   * value has been checked against the option's schema. An option without a default may be absent.
   */
  options: Record<string, unknown>;
  report(report: Report): void;
}

/** Which fixes a rule may offer: only safe ones, only unsafe ones, or both kinds. */
export type Fixability = "safe" | "unsafe" | "both";

/** One option of a rule (`rules.<id>.<name>` in `.credflow.yml`). */
export interface RuleOption {
  description: string;
  /** JSON Schema of the value (draft-07 keywords), used for the configuration schema. */
  schema: Record<string, unknown>;
  default?: unknown;
}

export interface RuleMeta {
  id: string;
  title: string;
  /** One sentence: what the rule finds. */
  description: string;
  defaultLevel: Level;
  tags: string[];
  /** "0.0"–"10.0" for security rules; makes SARIF results security alerts. */
  securitySeverity?: string;
  precision: "very-high" | "high" | "medium" | "low";
  /** The fixes the rule may attach; false when it never fixes (the engine rejects fixes then). */
  fixable: false | Fixability;
  options?: Record<string, RuleOption>;
}

export interface Rule extends RuleMeta {
  check(ctx: RuleContext): void;
}
