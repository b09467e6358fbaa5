/**
 * The parsed model: plain typed data with exact source ranges.
 * Every stage to the right (graph, rules, report, fix) reads only these types.
 */
import type { Document, LineCounter } from "yaml";

/** A point in a file: 1-based line and column (UTF-16 code units), and the 0-based string offset. */
export interface Position {
  line: number;
  column: number;
  offset: number;
}

/** A half-open span: `end` is the position just after the last character. */
export interface Range {
  start: Position;
  end: Position;
}

export type FileKind = "workflow" | "action";

/** One file read from disk (or stdin), parsed once and shared by model, rules and fixer. */
export interface SourceFile {
  /** Path as shown to users: relative to the current directory, `/` separators. */
  path: string;
  /** Absolute path on disk (undefined for stdin). */
  absPath?: string;
  /** Repository root this file was linted in (absolute), if known. */
  root?: string;
  /** Path relative to `root`, `/` separators (equals `path` when there is no root). */
  repoPath: string;
  /** `iac`: infrastructure code read for IAM trust policies (Terraform, CloudFormation, JSON). */
  kind: FileKind | "iac";
  /** Decoded text, including a leading BOM if the file had one. Offsets index into this string. */
  text: string;
  /** The original bytes: fixes check them before writing. */
  bytes?: Uint8Array;
  doc?: Document;
  lineCounter?: LineCounter;
}

/** A scalar value with its location. `value` is the YAML-decoded string form. */
export interface ScalarNode {
  value: string;
  range: Range;
  /** True when the value contains a `${{ }}` expression. */
  isExpression: boolean;
  /** Raw YAML type of the scalar: QUOTE_SINGLE, QUOTE_DOUBLE, PLAIN, BLOCK_LITERAL, ... */
  style?: string;
}

/** A `key: value` entry of a mapping. `value` is undefined when it is not a scalar. */
export interface Entry {
  key: string;
  keyRange: Range;
  value?: ScalarNode;
  /** Range of the whole value node (scalar or collection). */
  valueRange?: Range;
  /** Range of the whole pair, from key start to value end. */
  range: Range;
}

/** An ordered map of scalar-valued entries (`with:`, `env:`, `secrets:`). */
export interface EntryMap {
  /** Range of the mapping's key (e.g. the `with` word), for locating findings. */
  keyRange?: Range;
  /** Range of the mapping value. */
  range?: Range;
  /** True when the value is an expression rather than a mapping (`env: ${{ fromJSON(...) }}`). */
  dynamic: boolean;
  /** True for a flow mapping `{ ... }`, which edits must respect. */
  flow?: boolean;
  entries: Entry[];
}

export type UsesRef =
  | { kind: "local"; path: string; raw: string }
  | { kind: "remote"; owner: string; repo: string; subpath?: string; ref: string; raw: string; isWorkflow: boolean }
  | { kind: "docker"; image: string; tag?: string; digest?: string; raw: string }
  | { kind: "invalid"; raw: string; reason: string };

export interface Uses {
  ref: UsesRef;
  node: ScalarNode;
  keyRange: Range;
}

export type PermissionLevel = "read" | "write" | "none";

export interface Permissions {
  /** Range of the `permissions` key. */
  keyRange: Range;
  range: Range;
  /** `map` for an explicit mapping; `read-all`/`write-all`; `expression` when unknown. */
  kind: "map" | "read-all" | "write-all" | "expression" | "invalid";
  scopes: Record<string, PermissionLevel | string>;
  entries: Entry[];
  /** True for a flow mapping `{ ... }`, which edits must respect. */
  flow: boolean;
}

export interface Step {
  /** 0-based position in its `steps:` list. */
  index: number;
  range: Range;
  id?: ScalarNode;
  name?: ScalarNode;
  uses?: Uses;
  with: EntryMap;
  env: EntryMap;
  if?: ScalarNode;
  run?: ScalarNode;
  shell?: ScalarNode;
  /** `working-directory:` of a `run:` step. */
  workingDirectory?: ScalarNode;
  /** `continue-on-error:` (a literal or an expression). */
  continueOnError?: ScalarNode;
  /** True when the step is written as a flow mapping `{ uses: ..., with: ... }`. */
  flow: boolean;
}

export interface MatrixAxis {
  name: string;
  /** Number of values, or undefined when the axis is an expression. */
  size?: number;
  /** Literal values (scalars as strings, anything else as JSON) when known. */
  values?: string[];
}

export interface MatrixModel {
  keyRange: Range;
  range: Range;
  /** Whole matrix is an expression (`matrix: ${{ fromJSON(...) }}`). */
  dynamic: boolean;
  axes: MatrixAxis[];
  include: Array<Record<string, string>> | "dynamic";
  exclude: Array<Record<string, string>> | "dynamic";
}

export interface Strategy {
  keyRange: Range;
  matrix?: MatrixModel;
  maxParallel?: ScalarNode;
  failFast?: ScalarNode;
}

export interface Job {
  id: string;
  idRange: Range;
  range: Range;
  name?: ScalarNode;
  /** `runs-on` labels; undefined when absent, `dynamic` when an expression decides. */
  runsOn?: { labels: string[]; dynamic: boolean; group?: string; range: Range };
  /**
   * `container:` (a string or a mapping's `image:`): the job's steps run in that container, whose home
   * directory starts empty. `image` is undefined when the key holds no scalar image.
   */
  container?: { image?: ScalarNode; range: Range };
  permissions?: Permissions;
  env: EntryMap;
  needs: string[];
  if?: ScalarNode;
  strategy?: Strategy;
  environment?: ScalarNode;
  /** `outputs:` (name → value text), read by the jobs that need this one. */
  outputs?: EntryMap;
  /** `continue-on-error:` (a literal or an expression). */
  continueOnError?: ScalarNode;
  steps: Step[];
  /** Range of the `steps` key (for locating findings). */
  stepsKeyRange?: Range;
  /** Reusable-workflow call. */
  uses?: Uses;
  with: EntryMap;
  secrets: EntryMap | "inherit";
}

export interface Workflow {
  file: SourceFile;
  name?: ScalarNode;
  /** Trigger event names (`on:` as a string, list or map). */
  triggers: string[];
  triggersRange?: Range;
  permissions?: Permissions;
  env: EntryMap;
  jobs: Job[];
  /**
   * `on.push` ref filters, as written (undefined lists are absent keys). Only `push` filters decide
   * which refs a run can have; the OIDC subject of a job follows from them.
   */
  pushFilters?: { branches?: string[]; branchesIgnore?: string[]; tags?: string[]; tagsIgnore?: string[] };
  /** `on.<event>.types` of the events that list them (event → activity types as written). */
  triggerTypes?: Map<string, string[]>;
  /** `on.workflow_run.workflows`: the workflows whose runs trigger this one (undefined when absent). */
  workflowRunWorkflows?: string[];
  /** `on.workflow_call.inputs` names with defaults and types, for reusable workflows. */
  callInputs: Map<string, ActionInput>;
}

export interface ActionInput {
  name: string;
  default?: string;
  required: boolean;
  /** `type:` of a reusable workflow's input (boolean, number, string); actions' inputs are strings. */
  type?: string;
  /** Range of the `default:` value, when there is one. */
  defaultRange?: Range;
  range: Range;
}

export interface ActionModel {
  file: SourceFile;
  name?: ScalarNode;
  /** `runs.using`: composite, node20, docker, ... */
  using?: string;
  inputs: Map<string, ActionInput>;
  outputs: string[];
  steps: Step[];
}
