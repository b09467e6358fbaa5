/**
 * IAM roles read from infrastructure code in the repository (Terraform, CloudFormation/SAM, CDK
 * output, plain JSON), reduced to what the OIDC trust rules need: the role's name, and the
 * statements of its trust policy with every condition value and where it is written.
 *
 * Values are evaluated as far as the repository decides them. A part that only a deployment knows
 * (a variable without a value, a stack parameter from outside, an SSM parameter, a function credflow
 * does not evaluate) stays an explicit unknown with the reason, never a guess. A value that relies on
 * a default a deployment may override (a CloudFormation parameter's `Default`, a Terraform root
 * variable's `default`) lists that default in `assumptions`, so rules can name the condition.
 */
import type { Range, SourceFile } from "../model/types.js";

export interface Located {
  file: SourceFile;
  range: Range;
}

/**
 * A piece of text: literal (with the file offset of each UTF-16 unit where it is known: a value
 * spliced in from another file has none), or unknown.
 */
export type Segment = { text: string; offsets?: Array<number | undefined> } | { unknown: string };

/** A string as far as the repository decides it. */
export interface PolicyString {
  segments: Segment[];
  /** Where it is written (the literal, or the expression that produced it). */
  at: Located;
  /** Defaults it relies on, worded for messages ("parameter `GitHubOrg` keeps its default `acme`"). */
  assumptions: string[];
}

/** A value of a policy document. Numbers and booleans are strings, as IAM reads them. */
export type PValue =
  | { t: "str"; s: PolicyString }
  | { t: "list"; items: PValue[]; at: Located; assumptions?: string[] }
  | { t: "obj"; entries: PEntry[]; at: Located }
  | { t: "unknown"; why: string; at: Located };

export interface PEntry {
  key: PolicyString;
  /** The key's text span that a fix may replace (a literal key only; quotes excluded). */
  keyEdit?: { file: SourceFile; start: number; end: number };
  value: PValue;
  /**
   * A Terraform `condition` block of a policy document: its operator stands alone (Terraform merges
   * blocks with one `test`), so renaming it never collides with another operator.
   */
  separate?: boolean;
}

/** One condition of a statement: `operator` → `key` → values. */
export interface TrustCondition {
  /** As written: `StringLike`, `ForAnyValue:StringLike`, `StringEqualsIfExists`, … */
  operator: string;
  operatorAt: Located;
  /** The operator's text span, when a fix may replace it. */
  operatorEdit?: { file: SourceFile; start: number; end: number };
  /** The other operators of the same `Condition` mapping (a rename must not collide with one). */
  siblingOperators: string[];
  /** The condition key as written (`token.actions.githubusercontent.com:sub`); undefined when not known. */
  key?: string;
  keyAt: Located;
  /** The values (ORed), or why they are not known. */
  values: PolicyString[] | { unknown: string; at: Located };
}

export type ProviderRef =
  | { kind: "github"; partition: "aws" | "aws-cn" | "aws-us-gov" | "unknown"; at?: Located }
  | { kind: "other"; text: string }
  | { kind: "unknown"; why: string };

export interface TrustStatement {
  at: Located;
  effect: "Allow" | "Deny" | "unknown";
  /** The federated principal: GitHub's OIDC provider, another principal, or not known. */
  provider: ProviderRef;
  /** Whether `Action` allows `sts:AssumeRoleWithWebIdentity`. */
  webIdentity: boolean | "unknown";
  conditions: TrustCondition[];
  /** False when part of the conditions could not be read (a `merge()`, a `dynamic` block): there may be more. */
  conditionsComplete: boolean;
  /** The `Condition` block, when there is one. */
  conditionAt?: Located;
  /** `NotPrincipal` / `NotAction` or a principal form credflow does not read. */
  opaque?: string;
}

export type RoleName =
  | { kind: "name"; value: string; assumptions: string[] }
  | { kind: "prefix"; value: string }
  /** CloudFormation generates `<stack>-<logical id>-<suffix>` when `RoleName` is absent. */
  | { kind: "generated"; logicalId: string }
  | { kind: "unknown"; why: string };

export type TrustSource = "terraform" | "cloudformation" | "cdk" | "json";

export interface TrustRole {
  source: TrustSource;
  /** `aws_iam_role.deploy` (with its module path), a CloudFormation logical id, or the configured key. */
  id: string;
  /** Where the role is defined. */
  at: Located;
  name: RoleName;
  /** `trust-policies:` key (a role ARN or name) for a policy linked through the configuration. */
  configured?: string;
  /** Where the trust policy document is written. */
  policyAt?: Located;
  policy: { statements: TrustStatement[] } | { unknown: string };
  /** For a Terraform module instance: `module.a.module.b` in the root folder that instantiates it. */
  instance?: string;
}

/** What the repository's infrastructure code says about IAM roles. */
export interface TrustFacts {
  roles: TrustRole[];
  /** Infrastructure files read (they join the graph's files: suppressions, excerpts, fixes). */
  files: SourceFile[];
  /** Files that could not be parsed whole, with where the first error is. */
  problems: Array<{ file: SourceFile; message: string; range: Range }>;
  /**
   * Candidate templates read and skipped because their text cannot hold a role GitHub's OIDC
   * provider may assume (mayHoldTrustTemplate), by absolute path; and whether every candidate was
   * read (the reading budget was not reached). The lint cache keeps only "still skipped" for these.
   */
  skippedTemplates: string[];
  allTemplatesRead: boolean;
}

// ---------- small helpers ----------

/** The whole text, or undefined when a part is unknown. */
export function knownText(s: PolicyString): string | undefined {
  let out = "";
  for (const seg of s.segments) {
    if ("unknown" in seg) return undefined;
    out += seg.text;
  }
  return out;
}

/** The text with unknown parts shown as `…` (for messages). */
export function shownText(s: PolicyString): string {
  return s.segments.map((seg) => ("unknown" in seg ? "…" : seg.text)).join("");
}

/** Why a string is not known (the first unknown part), or undefined. */
export function unknownWhy(s: PolicyString): string | undefined {
  for (const seg of s.segments) if ("unknown" in seg) return seg.unknown;
  return undefined;
}

export function literal(text: string, at: Located, offsets?: Array<number | undefined>, assumptions: string[] = []): PolicyString {
  return { segments: [offsets ? { text, offsets } : { text }], at, assumptions };
}

export function unknownString(why: string, at: Located): PolicyString {
  return { segments: [{ unknown: why }], at, assumptions: [] };
}

/** Joins strings (the `at` of the first, every assumption), merging adjacent literal segments. */
export function concatStrings(parts: PolicyString[], at: Located): PolicyString {
  const segments: Segment[] = [];
  const assumptions: string[] = [];
  for (const p of parts) {
    for (const seg of p.segments) pushSegment(segments, seg);
    for (const a of p.assumptions) if (!assumptions.includes(a)) assumptions.push(a);
  }
  return { segments, at, assumptions };
}

export function pushSegment(segments: Segment[], seg: Segment): void {
  const last = segments[segments.length - 1];
  if (last && !("unknown" in last) && !("unknown" in seg)) {
    const own = (x: { text: string; offsets?: Array<number | undefined> }) => x.offsets ?? new Array<number | undefined>(x.text.length).fill(undefined);
    const offsets = last.offsets || seg.offsets ? [...own(last), ...own(seg)] : undefined;
    segments[segments.length - 1] = offsets ? { text: last.text + seg.text, offsets } : { text: last.text + seg.text };
    return;
  }
  if (!("unknown" in seg) && seg.text === "") return;
  segments.push(seg);
}
