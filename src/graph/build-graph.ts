/**
 * Builds the call graph: workflow → jobs → steps, with local composite actions expanded into the
 * calling job (inputs substituted through every level) and local reusable workflows linked.
 */
import * as path from "node:path";
import type { ActionModel, EntryMap, Job, Range, SourceFile, Step, Workflow } from "../model/types.js";
import { buildAction, buildWorkflow } from "../parse/build-model.js";
import type { FileLoader, LoadResult } from "../discover/loader.js";
import { insideSubmodule, parseGitmodules } from "../discover/submodules.js";
import { isInside } from "../fs/paths.js";
import type { CallSite, GraphIssue, JobNode, ProjectGraph, TimelineStep } from "./types.js";
import { substitute, type InputValues } from "./substitute.js";
import { computeMatrix } from "./matrix.js";
import { analyseTimeline } from "./timeline.js";
import type { ParsedFile } from "../parse/parse-file.js";
import { selfReferencePath, type RepositoryName } from "./self-reference.js";

/** GitHub allows composite actions nested 10 deep; past that the run fails, and so do we. */
export const MAX_COMPOSITE_DEPTH = 10;
/** Reusable workflows may nest 10 levels (4 before 2025). */
export const MAX_WORKFLOW_DEPTH = 10;
/** A job whose expansion passes this many steps is cut short (composites called many times, nested). */
export const MAX_TIMELINE_STEPS = 5000;
/**
 * Steps and jobs that one top-level workflow may gain through composite actions and reusable
 * workflows, all its jobs together. The per-job and per-depth limits alone still let a small file
 * multiply (2,000 jobs × 5,000 composite steps; 8 jobs calling 8 jobs, nine workflows deep). The
 * busiest workflow of the real-world corpus gains 621.
 */
export const MAX_EXPANSION = 20_000;
/** The same for all workflows of one run together: a hundred copies of a small bomb stay bounded. */
export const MAX_TOTAL_EXPANSION = 200_000;

export interface GraphInput {
  loader: FileLoader;
  /** Parsed top-level files (workflows and lone actions). */
  files: ParsedFile[];
  /** The repository being linted: its `owner/name/path@ref` references are followed as local files. */
  repository?: RepositoryName;
  /**
   * Told of every file the graph looks at (read, found or not, or only looked for), with the
   * top-level workflow whose expansion looked: the lint cache keys a workflow's findings by exactly
   * these files.
   */
  onAccess?: (owner: SourceFile, access: FileAccess) => void;
  /** Expansion earlier repositories of the run already spent: the run-wide budget is shared. */
  expansionSpent?: number;
}

/** One look at the file system while building the graph. */
export type FileAccess =
  | { kind: "load"; absPath: string; fileKind: "workflow" | "action"; root: string | undefined; result: LoadResult }
  /** Whether something is there (a container action's Dockerfile). */
  | { kind: "exists"; absPath: string; root: string | undefined; found: boolean }
  /** A small auxiliary text (`.gitmodules`). */
  | { kind: "text"; absPath: string; root: string | undefined; text: string | undefined };

export function buildGraph(input: GraphInput): ProjectGraph {
  const builder = new GraphBuilder(input.loader, input.repository, input.onAccess, input.expansionSpent ?? 0);
  const workflows: Workflow[] = [];
  const jobs: JobNode[] = [];
  const jobsByWorkflow = new Map<string, JobNode[]>();
  const byFile = new Map<SourceFile, number>();
  for (const parsed of input.files) {
    if (!parsed.usable) continue;
    if (parsed.file.kind === "action") {
      // A lone action loads nothing; no workflow's closure is being gathered.
      builder.owner = undefined;
      builder.action(parsed);
      continue;
    }
    const before = builder.totalSpent;
    builder.owner = parsed.file;
    const wf = builder.workflow(parsed);
    workflows.push(wf);
    builder.resetExpansion();
    const nodes = wf.jobs.map((job) => builder.jobNode(wf, job, undefined, undefined, [parsed.file.absPath ?? parsed.file.path]));
    jobs.push(...nodes);
    jobsByWorkflow.set(wf.file.path, nodes);
    byFile.set(parsed.file, builder.totalSpent - before);
  }
  builder.owner = undefined;
  const files = input.loader.parsed.map((p) => p.file);
  const expansion = { spent: builder.totalSpent - (input.expansionSpent ?? 0), exhausted: builder.totalExhausted, byFile };
  return { files, workflows, actions: builder.actions, jobs, jobsByWorkflow, issues: builder.issues, diagnostics: [], expansion };
}

/** Every job node: top-level ones and those reached through reusable-workflow calls. */
export function allJobNodes(graph: ProjectGraph): JobNode[] {
  const out: JobNode[] = [];
  const walk = (n: JobNode): void => {
    out.push(n);
    n.called?.jobs.forEach(walk);
  };
  graph.jobs.forEach(walk);
  return out;
}

class GraphBuilder {
  readonly actions = new Map<string, ActionModel>();
  readonly issues: GraphIssue[] = [];
  private readonly issueKeys = new Set<string>();
  private readonly workflowModels = new Map<SourceFile, Workflow>();
  /** Expansion spent by the current top-level workflow, and where to report running out. */
  private expansion = { used: 0, reported: false, job: undefined as { file: SourceFile; job: Job } | undefined };
  /** The top-level workflow being expanded (whose closure a loaded file joins). */
  owner: SourceFile | undefined;
  /** Set when the run-wide budget ran out: then one workflow's findings depend on the others'. */
  totalExhausted = false;

  constructor(
    private readonly loader: FileLoader,
    private readonly repository: RepositoryName | undefined,
    private readonly onAccess: GraphInput["onAccess"],
    private totalExpansion: number,
  ) {}

  get totalSpent(): number {
    return this.totalExpansion;
  }

  // Every look at the file system goes through these three, which tell `onAccess` (the loader
  // answers repeated looks from memory; the workflow that looked again depends on them all the same).
  private load(absPath: string, fileKind: "workflow" | "action", root: string | undefined): LoadResult {
    const result = this.loader.load(absPath, fileKind, root);
    if (this.onAccess && this.owner) this.onAccess(this.owner, { kind: "load", absPath, fileKind, root, result });
    return result;
  }

  private exists(absPath: string, root: string | undefined): boolean {
    const found = this.loader.exists(absPath, root);
    if (this.onAccess && this.owner) this.onAccess(this.owner, { kind: "exists", absPath, root, found });
    return found;
  }

  private readText(absPath: string, root: string | undefined): string | undefined {
    const text = this.loader.readText(absPath, root);
    if (this.onAccess && this.owner) this.onAccess(this.owner, { kind: "text", absPath, root, text });
    return text;
  }

  workflow(parsed: ParsedFile): Workflow {
    let wf = this.workflowModels.get(parsed.file);
    if (!wf) {
      wf = parsed.model && "jobs" in parsed.model ? parsed.model : buildWorkflow(parsed.file);
      this.workflowModels.set(parsed.file, wf);
    }
    return wf;
  }

  action(parsed: ParsedFile): ActionModel {
    const key = parsed.file.absPath ?? parsed.file.path;
    let model = this.actions.get(key);
    if (!model) {
      model = parsed.model && "inputs" in parsed.model ? parsed.model : buildAction(parsed.file);
      this.actions.set(key, model);
    }
    return model;
  }

  resetExpansion(): void {
    this.expansion = { used: 0, reported: false, job: undefined };
  }

  /** Takes `units` from the workflow's and the run's expansion budgets; false (reported once per workflow) when spent. */
  private spend(units: number): boolean {
    const budget = this.expansion;
    const inWorkflow = budget.used + units <= MAX_EXPANSION;
    if (inWorkflow && this.totalExpansion + units <= MAX_TOTAL_EXPANSION) {
      budget.used += units;
      this.totalExpansion += units;
      return true;
    }
    if (inWorkflow) this.totalExhausted = true;
    if (!budget.reported && budget.job) {
      budget.reported = true;
      const { file, job } = budget.job;
      this.issue({
        kind: "depth",
        file,
        range: job.idRange,
        message: inWorkflow
          ? `the workflows of this run expand to more than ${MAX_TOTAL_EXPANSION} steps and jobs through composite actions and reusable workflows; job \`${job.id}\` and the jobs after it are analysed only in part`
          : `this workflow's jobs expand to more than ${MAX_EXPANSION} steps and jobs through composite actions and reusable workflows; job \`${job.id}\` and the jobs after it are analysed only in part`,
      });
    }
    return false;
  }

  /** `quiet`: the reference names this repository at another ref, whose files may differ; nothing is reported. */
  private issue(issue: GraphIssue, quiet = false): void {
    if (quiet) return;
    const key = `${issue.kind}:${issue.file.path}:${issue.range.start.offset}`;
    if (this.issueKeys.has(key)) return;
    this.issueKeys.add(key);
    this.issues.push(issue);
  }

  jobNode(workflow: Workflow, job: Job, inputs: InputValues | undefined, caller: JobNode | undefined, workflowStack: string[]): JobNode {
    const timeline: TimelineStep[] = [];
    const counter: ExpandState = { invocation: 0, called: caller !== undefined, checkouts: [] };
    if (!caller) this.expansion.job = { file: workflow.file, job };
    this.expand(workflow.file, job.steps, [], inputs, new Map(), new Set(), timeline, counter);
    const node: JobNode = {
      workflow,
      job,
      timeline,
      matrix: computeMatrix(job.strategy),
      invocations: new Map(),
      callSteps: new Map(),
      configureCalls: [],
      skippedConfigureCalls: [],
      activeCredentials: [],
      roleConflicts: [],
      skipped: false,
      caller,
    };
    analyseTimeline(this, node, caller ? inputs : undefined);
    const self = selfReferencePath(job.uses?.ref, this.repository);
    if ((job.uses?.ref.kind === "local" || self !== undefined) && !node.skipped) this.linkReusable(node, job, inputs, workflowStack, self);
    return node;
  }

  /** `self`: the `./path` of a reference to this repository by its remote name (followed quietly). */
  private linkReusable(node: JobNode, job: Job, inputs: InputValues | undefined, workflowStack: string[], self?: string): void {
    const file = node.workflow.file;
    const uses = job.uses!;
    const quiet = self !== undefined;
    const target = this.resolveLocal(file, uses.node.range, uses.ref.kind === "local" ? uses.ref.path : (self ?? ""), quiet);
    if (!target) return;
    if (!/\.ya?ml$/i.test(target)) {
      this.issue({ kind: "missing", file, range: uses.node.range, message: `\`${uses.node.value}\` is not a workflow file (.yml or .yaml)` }, quiet);
      return;
    }
    if (workflowStack.includes(target)) {
      this.issue({ kind: "cycle", file, range: uses.node.range, message: `reusable workflow cycle: ${[...workflowStack, target].map((p) => this.loader.display(p)).join(" → ")}` }, quiet);
      return;
    }
    if (workflowStack.length > MAX_WORKFLOW_DEPTH) {
      this.issue({ kind: "depth", file, range: uses.node.range, message: `reusable workflows nested more than ${MAX_WORKFLOW_DEPTH} levels deep; not followed further` }, quiet);
      return;
    }
    const loaded = this.load(target, "workflow", file.root);
    if (!loaded.ok) {
      this.issue({ kind: loaded.missing ? "missing" : "outside", file, range: uses.node.range, message: `cannot follow \`${uses.node.value}\`: ${loaded.message}` }, quiet);
      return;
    }
    if (!loaded.parsed.usable) return;
    const called = this.workflow(loaded.parsed);
    const values: InputValues = new Map();
    for (const [name, def] of called.callInputs) values.set(name.toLowerCase(), def.default ?? "");
    for (const e of job.with.entries) values.set(e.key.toLowerCase(), substitute(e.value?.value ?? "", inputs));
    if (!this.spend(called.jobs.length)) return;
    node.called = {
      workflow: called,
      jobs: called.jobs.map((j) => this.jobNode(called, j, values, node, [...workflowStack, target])),
    };
  }

  private readonly submoduleCache = new Map<string | undefined, string[]>();

  private submodules(root: string): string[] {
    // Read through `readText` every time (the loader keeps the text): each asking workflow depends on it.
    const text = this.readText(path.join(root, ".gitmodules"), root);
    let paths = this.submoduleCache.get(text);
    if (!paths) {
      paths = text === undefined ? [] : parseGitmodules(text);
      this.submoduleCache.set(text, paths);
    }
    return paths;
  }

  /** Resolves `./path` against the repository root; reports paths that leave it. */
  private resolveLocal(file: SourceFile, range: Range, rel: string, quiet = false): string | undefined {
    const root = file.root;
    if (!root) {
      this.issue({ kind: "missing", file, range, message: `cannot resolve \`${rel}\`: no repository root for standard input` }, quiet);
      return undefined;
    }
    const target = path.resolve(root, rel);
    if (!isInside(root, target)) {
      this.issue({ kind: "outside", file, range, message: `\`${rel}\` points outside the repository; not followed` }, quiet);
      return undefined;
    }
    return target;
  }

  private expand(
    file: SourceFile,
    steps: Step[],
    chain: CallSite[],
    inputs: InputValues | undefined,
    outerEnv: Map<string, string>,
    actionStack: Set<string>,
    timeline: TimelineStep[],
    counter: ExpandState,
  ): void {
    for (const step of steps) {
      if (timeline.length >= MAX_TIMELINE_STEPS) {
        this.issue({ kind: "depth", file, range: step.range, message: `job expands to more than ${MAX_TIMELINE_STEPS} steps through composite actions; the rest is not analysed` });
        return;
      }
      // The workflow's own steps are bounded by its size; steps reached through calls are not.
      if ((chain.length > 0 || counter.called) && !this.spend(1)) return;
      const env = new Map(outerEnv);
      for (const [k, v] of resolvedEntries(step.env, inputs)) env.set(k, v);
      timeline.push({
        index: timeline.length,
        file,
        step,
        chain,
        with: resolvedEntries(step.with, inputs),
        env,
        if: step.if ? substitute(step.if.value, inputs) : undefined,
        run: step.run ? substitute(step.run.value, inputs) : undefined,
        skipped: false,
      });
      const ref = step.uses?.ref;
      if (ref?.kind === "remote" && ref.owner.toLowerCase() === "actions" && ref.repo.toLowerCase() === "checkout" && !ref.subpath) {
        recordCheckout(counter.checkouts, timeline[timeline.length - 1]!.with);
      }
      const self = selfReferencePath(ref, this.repository);
      if (ref?.kind !== "local" && self === undefined) continue;
      // A remote reference to this repository is fetched at its ref, whatever the job checked out.
      const target = ref?.kind === "local" ? throughCheckouts(ref.path, counter.checkouts) : self;
      // A path inside another repository's checkout: its content is not here to read.
      if (target === undefined) continue;
      const composite = this.compositeFor(file, step, actionStack, chain.length, target, self !== undefined);
      if (!composite) continue;
      const key = composite.file.absPath ?? composite.file.path;
      const childInputs: InputValues = new Map();
      const withValues = timeline[timeline.length - 1]!.with;
      for (const [name, def] of composite.inputs) childInputs.set(name.toLowerCase(), def.default ?? "");
      for (const [k, v] of withValues) childInputs.set(k.toLowerCase(), v);
      const site: CallSite = { file, step, invocation: ++counter.invocation, timelineIndex: timeline.length - 1 };
      // Explicit env on the calling step overrides variables for every step inside the composite.
      const childEnv = new Map(outerEnv);
      for (const [k, v] of resolvedEntries(step.env, inputs)) childEnv.set(k, v);
      actionStack.add(key);
      this.expand(composite.file, composite.steps, [...chain, site], childInputs, childEnv, actionStack, timeline, counter);
      actionStack.delete(key);
    }
  }

  /** `quiet`: a reference to this repository by its remote name; problems there are not reported. */
  private compositeFor(file: SourceFile, step: Step, stack: Set<string>, depth: number, rel: string, quiet = false): ActionModel | undefined {
    const uses = step.uses!;
    const dir = this.resolveLocal(file, uses.node.range, rel, quiet);
    if (!dir) return undefined;
    if (/\.ya?ml$/i.test(dir) && dir.includes(`${path.sep}.github${path.sep}workflows${path.sep}`)) {
      this.issue({ kind: "not-composite", file, range: uses.node.range, message: `\`${rel}\` is a workflow; call reusable workflows with a job-level \`uses:\`, not a step` }, quiet);
      return undefined;
    }
    let found: ParsedFile | undefined;
    let lastError: string | undefined;
    for (const name of ["action.yml", "action.yaml"]) {
      const abs = path.join(dir, name);
      const res = this.load(abs, "action", file.root);
      if (res.ok) {
        found = res.parsed;
        break;
      }
      if (!res.missing) lastError = res.message;
    }
    if (!found) {
      // The runner takes a folder with only a Dockerfile as a container action.
      if (!lastError && ["Dockerfile", "dockerfile"].some((name) => this.exists(path.join(dir, name), file.root))) return undefined;
      // A submodule's files are not in this working tree unless it was initialised; the runner has
      // them when the job checks submodules out.
      if (!lastError && file.root && insideSubmodule(path.relative(file.root, dir).split(path.sep).join("/"), this.submodules(file.root))) return undefined;
      this.issue(
        {
          kind: lastError ? "outside" : "missing",
          file,
          range: uses.node.range,
          message: lastError ?? `\`${rel}\` has no action.yml or action.yaml`,
        },
        quiet,
      );
      return undefined;
    }
    const key = found.file.absPath ?? found.file.path;
    if (stack.has(key)) {
      this.issue({ kind: "cycle", file, range: uses.node.range, message: `composite action cycle: \`${rel}\` is already being expanded in this chain` }, quiet);
      return undefined;
    }
    if (depth >= MAX_COMPOSITE_DEPTH) {
      this.issue({ kind: "depth", file, range: uses.node.range, message: `composite actions nested more than ${MAX_COMPOSITE_DEPTH} levels deep (GitHub's limit); not followed further` }, quiet);
      return undefined;
    }
    if (!found.usable) return undefined;
    const model = this.action(found);
    if (model.using !== "composite") return undefined;
    return model;
  }
}

interface ExpandState {
  invocation: number;
  called: boolean;
  /** Earlier `actions/checkout` steps of the job that put a repository into a sub-folder. */
  checkouts: Array<{ prefix: string; sameRepo: boolean }>;
}

function normalizeRel(p: string): string {
  return p.replace(/^(\.\/)+/, "").replace(/\/+$/, "");
}

function recordCheckout(checkouts: ExpandState["checkouts"], withValues: Map<string, string>): void {
  const dir = normalizeRel(withValues.get("path") ?? "");
  if (!dir || dir === ".") return;
  const repo = (withValues.get("repository") ?? "").trim();
  const sameRepo = repo === "" || /^\$\{\{\s*github\.repository\s*\}\}$/.test(repo);
  checkouts.push({ prefix: dir, sameRepo });
}

/**
 * Maps `./<checkout path>/rest` to `./rest` when that folder holds another checkout of this
 * repository; undefined when it holds a different repository (nothing to follow offline).
 */
function throughCheckouts(rel: string, checkouts: ExpandState["checkouts"]): string | undefined {
  const norm = normalizeRel(rel);
  for (let i = checkouts.length - 1; i >= 0; i--) {
    const c = checkouts[i]!;
    if (norm === c.prefix || norm.startsWith(`${c.prefix}/`)) {
      return c.sameRepo ? `./${norm.slice(c.prefix.length + 1)}` : undefined;
    }
  }
  return rel;
}

function resolvedEntries(map: EntryMap, inputs: InputValues | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of map.entries) out.set(e.key, substitute(e.value?.value ?? "", inputs));
  return out;
}
