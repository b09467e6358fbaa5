/** The call graph: jobs with their expanded step timelines, matrices and credential state. */
import type { ActionModel, Entry, Job, Range, SourceFile, Step, Workflow } from "../model/types.js";
import type { ConfigureVersion } from "../knowledge/configure-aws-credentials.js";
import type { RoleConflict } from "./role-conflicts.js";
import type { TrustFacts } from "../iac/types.js";

/** A `uses: ./…` call site that led into a composite action. */
export interface CallSite {
  file: SourceFile;
  step: Step;
  /** Identifies one invocation of a composite (unique within a job timeline). */
  invocation: number;
  /** Timeline index of the calling step. */
  timelineIndex: number;
}

/** One step in a job's execution order, after composite expansion. */
export interface TimelineStep {
  /** Position in the job's timeline. */
  index: number;
  file: SourceFile;
  step: Step;
  /** Call sites from the job's own step down to the composite holding this step (empty at top level). */
  chain: CallSite[];
  /** `with:` after composite input substitution (key → value text). */
  with: Map<string, string>;
  /** `env:` of the step after substitution, plus explicit `env:` on enclosing call sites (key → value text). */
  env: Map<string, string>;
  /** `if:` after substitution. */
  if?: string;
  /** `run:` after substitution. */
  run?: string;
  /**
   * True when the step statically cannot run: its `if:` (or an enclosing composite call's) is false
   * for the inputs its call site or reusable-workflow caller passes.
   */
  skipped: boolean;
}

/** Where one composite invocation sits in a job timeline. */
export interface InvocationSpan {
  site: CallSite;
  /** Timeline index of the `uses: ./…` call step. */
  callIndex: number;
  /** Timeline index of the last step inside the invocation (at any depth). */
  end: number;
}

export interface MatrixInfo {
  /** Number of jobs the matrix yields, or "unknown" when an expression decides. */
  count: number | "unknown";
  /** Product of axes before include/exclude (for messages); undefined when unknown. */
  product?: number;
  /** Axis sizes for messages like "3×3". */
  axisSizes: number[];
  maxParallel?: number;
  /** min(count, max-parallel); "unknown" when the count is unknown and no max-parallel bounds it. */
  concurrency: number | "unknown";
  /** True when the count exceeds GitHub's limit of 256 jobs per matrix. */
  overLimit: boolean;
}

/** Where a literal value was written. */
export interface ValueOrigin {
  file: SourceFile;
  /** The literal scalar, or (for an input default) the input's name in the action.yml. */
  range: Range;
  /** The `with:`/`env:` entry holding the literal, when there is one. */
  entry?: Entry;
  /**
   * "step": the step's own entry; "call": a `uses: ./…` step's `with:`; "workflow-call": a job's
   * `with:` calling a reusable workflow; "default": an input default; "env": an `env:` entry.
   */
  kind: "step" | "call" | "workflow-call" | "default" | "env";
}

/** One `with:` input of a configure-aws-credentials call. */
export interface ConfigureInput {
  /** The key as written (input names are case-insensitive). */
  key: string;
  /** The entry in the file holding the configure step. */
  entry: Entry;
  /** Text after composite/reusable-workflow input substitution (may still hold `${{ }}`). */
  text: string;
  /**
   * What `core.getInput` returns: the runner's YAML typing applied (`True` → "true", `1e3` →
   * "1000"), then trimmed. Undefined when an expression remains or the value is not a scalar.
   */
  value?: string;
  /** Where the literal was written, when one place wrote it whole. */
  origin?: ValueOrigin;
}

/** A configure-aws-credentials call: its version, its inputs as the action reads them, and how it authenticates. */
export interface ConfigureCall {
  /** Timeline index of the step; -1 for a step of an action no linted job reaches. */
  timelineIndex: number;
  step: TimelineStep;
  version: ConfigureVersion;
  /** `with:` inputs by lower-cased name (the last entry of a name wins, as the runner does). */
  inputs: ReadonlyMap<string, ConfigureInput>;
  role?: string;
  region?: string;
  /** Exchanges GitHub's OIDC token: `role-to-assume` without keys, token file, role chaining or `force-skip-oidc: true` (v5+). */
  oidc: boolean;
  /** Signs in with `aws-access-key-id` (long-lived or temporary keys). */
  staticKeys: boolean;
  roleChaining: boolean;
  /** Uses `web-identity-token-file` instead of GitHub's token. */
  tokenFile: boolean;
}

export interface JobNode {
  workflow: Workflow;
  job: Job;
  /** Steps in execution order, composites expanded. Empty for reusable-workflow callers. */
  timeline: TimelineStep[];
  matrix: MatrixInfo;
  /** Every composite invocation of the timeline, keyed by its invocation number. */
  invocations: Map<number, InvocationSpan>;
  /** Composite invocations by the timeline index of their call step. */
  callSteps: Map<number, InvocationSpan>;
  /** Configure calls that may run (statically skipped ones left out), in timeline order. */
  configureCalls: ConfigureCall[];
  /** Configure calls of steps that statically cannot run. */
  skippedConfigureCalls: ConfigureCall[];
  /**
   * For each timeline index, the configure call in effect before that step runs (last one wins;
   * calls inside a composite stay in effect after it returns; skipped calls do not count).
   */
  activeCredentials: Array<ConfigureCall | undefined>;
  /**
   * Composites that assume a second role while the first one was exported when they started: the
   * steps that still run as the earlier role on runners older than v2.295.0 (`graph/role-conflicts.ts`).
   */
  roleConflicts: RoleConflict[];
  /** The job's `if:` is false for the inputs its reusable-workflow caller passes. */
  skipped: boolean;
  /** For a job calling a local reusable workflow: that workflow's job nodes. */
  called?: { workflow: Workflow; jobs: JobNode[] };
  /** The caller chain, for jobs reached through a reusable-workflow call. */
  caller?: JobNode;
}

/** A problem found while building the graph (missing target, cycle, ...). */
export interface GraphIssue {
  kind: "missing" | "cycle" | "outside" | "depth" | "not-composite" | "parse";
  file: SourceFile;
  range: Range;
  message: string;
}

export interface ProjectGraph {
  files: SourceFile[];
  workflows: Workflow[];
  actions: Map<string, ActionModel>;
  /** Top-level job nodes of every linted workflow. */
  jobs: JobNode[];
  /** Job nodes by workflow display path. */
  jobsByWorkflow: Map<string, JobNode[]>;
  issues: GraphIssue[];
  /** YAML syntax and schema diagnostics of every parsed file. */
  diagnostics: FileDiagnostic[];
  /** IAM roles from the repository's infrastructure code (src/iac); absent when none was looked for. */
  trust?: TrustFacts;
  /**
   * Steps and jobs gained through composite actions and reusable workflows: in all (`spent`), per
   * top-level workflow (`byFile`), and whether the run-wide budget ran out (`exhausted`), which makes
   * each workflow's analysis depend on the workflows before it.
   */
  expansion?: { spent: number; exhausted: boolean; byFile: Map<SourceFile, number> };
}

export interface FileDiagnostic {
  file: SourceFile;
  ruleId: "yaml-syntax" | "workflow-schema" | "file-access";
  message: string;
  range: Range;
  /** Level when it differs from the rule's default level. */
  level?: "error" | "warning";
}
