/** The call graph: jobs with their expanded step timelines, matrices and credential state. */
import type { ActionModel, Job, Range, SourceFile, Step, Workflow } from "../model/types.js";
import type { ConfigureVersion } from "../knowledge/configure-aws-credentials.js";

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

/** A configure-aws-credentials call in a timeline. */
export interface ConfigureCall {
  timelineIndex: number;
  version: ConfigureVersion;
  role?: string;
  region?: string;
  oidc: boolean;
  staticKeys: boolean;
  roleChaining: boolean;
}

export interface JobNode {
  workflow: Workflow;
  job: Job;
  /** Steps in execution order, composites expanded. Empty for reusable-workflow callers. */
  timeline: TimelineStep[];
  matrix: MatrixInfo;
  configureCalls: ConfigureCall[];
  /** For each timeline index, the configure call in effect before that step runs (last one wins). */
  activeCredentials: Array<ConfigureCall | undefined>;
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
}

export interface FileDiagnostic {
  file: SourceFile;
  ruleId: "yaml-syntax" | "workflow-schema" | "file-access";
  message: string;
  range: Range;
  /** Level when it differs from the rule's default level. */
  level?: "error" | "warning";
}
