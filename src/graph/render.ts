/**
 * `credflow graph`: the call graph with each job's credential timeline, as Mermaid, DOT or JSON.
 *
 * render-view.ts reads the facts from the graph (also the JSON format), render-draw.ts decides what
 * to draw at which detail, render-write.ts writes DOT or Mermaid. This file chooses the workflows
 * (`--workflow`, `--job`), the detail, one file per workflow (`--split`), and keeps Mermaid output
 * within Mermaid's default limits or says why it is not.
 */
import * as path from "node:path";
import type { ProjectGraph } from "./types.js";
import { UsageError } from "../discover/discover.js";
import { filesOf, graphView, type GraphView } from "./render-view.js";
import { drawGraph, estimateSide, type Drawing } from "./render-draw.js";
import { MERMAID_LIMITS, mermaidOverLimits, writeDot, writeMermaid, type Written } from "./render-write.js";

export type GraphFormat = "mermaid" | "dot" | "json";

export { graphView } from "./render-view.js";
export type { GraphView } from "./render-view.js";

export interface GraphRequest {
  format: GraphFormat;
  /** `--workflow FILE`: a path as given on the command line (relative to `cwd`), a repository path or a file name. */
  workflow?: string;
  /** `--job ID` within that workflow. */
  job?: string;
  cwd?: string;
}

export interface RenderedGraph {
  text: string;
  /** One line each for standard error (Mermaid limits). */
  notes: string[];
}

export interface SplitGraph {
  /** One file per workflow: a file name (no folder) and its text. */
  files: Array<{ name: string; workflow: string; text: string }>;
  notes: string[];
}

const LIMITS_TEXT = `Mermaid's default limits (maxTextSize ${MERMAID_LIMITS.maxTextSize.toLocaleString("en-US")} characters, maxEdges ${MERMAID_LIMITS.maxEdges})`;

/** The view limited to `--workflow` and `--job`; usage errors name what exists. */
export function selectView(graph: ProjectGraph, req: GraphRequest): { view: GraphView; focused: boolean } {
  const view = graphView(graph);
  if (req.job !== undefined && req.workflow === undefined) throw new UsageError("--job needs --workflow FILE");
  if (req.workflow === undefined) return { view, focused: false };
  const wanted = req.workflow;
  const abs = path.resolve(req.cwd ?? process.cwd(), wanted);
  const norm = wanted.replace(/\\/g, "/").replace(/^(\.\/)+/, "");
  const drawn = graph.workflows.filter((w) => graph.jobsByWorkflow.has(w.file.path));
  let matches = drawn.filter((w) => w.file.absPath === abs || w.file.path === norm || w.file.repoPath === norm);
  if (!matches.length) matches = drawn.filter((w) => path.posix.basename(w.file.repoPath) === norm);
  if (matches.length === 0) {
    const names = drawn.map((w) => w.file.path);
    const list = names.length ? `; workflows: ${names.slice(0, 8).join(", ")}${names.length > 8 ? `, and ${names.length - 8} more` : ""}` : "; no workflow was linted";
    throw new UsageError(`--workflow ${wanted}: no linted workflow has that path${list}`);
  }
  if (matches.length > 1) throw new UsageError(`--workflow ${wanted}: ${matches.length} workflows have that name (${matches.map((w) => w.file.path).join(", ")}); give its path`);
  const wf = view.workflows.find((w) => w.path === matches[0]!.file.path)!;
  let jobs = wf.jobs;
  if (req.job !== undefined) {
    jobs = wf.jobs.filter((j) => j.id === req.job);
    if (!jobs.length) throw new UsageError(`--job ${req.job}: ${wf.path} has no such job; jobs: ${wf.jobs.map((j) => j.id).join(", ") || "none"}`);
  }
  const focused = { ...wf, jobs };
  const files = filesOf(focused);
  return { view: { ...view, workflows: [focused], issues: view.issues.filter((i) => files.has(i.path)) }, focused: true };
}

function write(drawing: Drawing, format: "mermaid" | "dot"): Written {
  return format === "dot" ? writeDot(drawing) : writeMermaid(drawing);
}

/** A picture of several workflows with their steps larger than this (pixels a side, estimated) is drawn with one node per job. */
export const MAX_SIDE_PX = 4000;

/**
 * One picture (or JSON document) of the selected workflows. One workflow shows every step with its
 * composite actions expanded; several show one node per job with its own steps as rows, or, when
 * that picture would be larger than about 4,000 pixels a side or (Mermaid) pass Mermaid's default
 * limits, one node per job without steps, and a note says so and how to see the steps.
 */
export function renderGraph(graph: ProjectGraph, req: GraphRequest): RenderedGraph {
  const { view, focused } = selectView(graph, req);
  if (req.format === "json") return { text: `${JSON.stringify(view, null, 2)}\n`, notes: [] };
  const focusedJob = req.job !== undefined;
  if (focused || view.workflows.length <= 1) {
    const w = write(drawGraph(view, "steps", { focusedJob }), req.format);
    const over = req.format === "mermaid" ? mermaidOverLimits(w) : undefined;
    if (!over) return { text: w.text, notes: [] };
    const hint = focusedJob ? "--format dot has no such limit" : "--job ID draws one job; --format dot has no such limit";
    return { text: w.text, notes: [`the Mermaid picture of ${view.workflows[0]?.path ?? "the workflow"} is ${over}, past ${LIMITS_TEXT}: ${hint}`] };
  }
  const n = view.workflows.length;
  const { drawing: jobs, side } = compact(drawGraph(view, "jobs"));
  if (side <= MAX_SIDE_PX) {
    const w = write(jobs, req.format);
    const over = req.format === "mermaid" ? mermaidOverLimits(w) : undefined;
    if (!over) return { text: w.text, notes: [] };
    return summary(view, req.format, `the Mermaid picture of ${n} workflows with their steps would be ${over}, past ${LIMITS_TEXT}`);
  }
  return summary(view, req.format, `the picture of ${n} workflows with their steps would be about ${side.toLocaleString("en-US")} pixels a side`);
}

/** The drawing in the direction (jobs left to right, or top to bottom) that gives the smaller picture, and its estimated side. */
function compact(d: Drawing): { drawing: Drawing; side: number } {
  const lr = { ...d, direction: "LR" as const };
  const tb = { ...d, direction: "TB" as const };
  const a = estimateSide(lr);
  const b = estimateSide(tb);
  return a <= b ? { drawing: lr, side: a } : { drawing: tb, side: b };
}

/** The picture of several workflows with one node per job and no steps, and the note that says why. */
function summary(view: GraphView, format: "mermaid" | "dot", why: string): RenderedGraph {
  const w = write(compact(drawGraph(view, "summary")).drawing, format);
  const over = format === "mermaid" ? mermaidOverLimits(w) : undefined;
  if (!over) return { text: w.text, notes: [`${why}; drawn with one node per job and no steps: --split DIR writes one file per workflow with every step, --workflow FILE draws one`] };
  return {
    text: w.text,
    notes: [`the Mermaid picture of ${view.workflows.length} workflows is ${over} even with one node per job, past ${LIMITS_TEXT}: --split DIR writes one file per workflow, --workflow FILE draws one, --format dot has no such limit`],
  };
}

const EXTENSION: Record<GraphFormat, string> = { mermaid: "mmd", dot: "dot", json: "json" };

/** A file name for each workflow: its own name, or its path when two workflows share a name. */
function fileNames(paths: string[], ext: string): string[] {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, "_").replace(/^[._]+/, "") || "workflow";
  const base = paths.map((p) => safe(path.posix.basename(p).replace(/\.ya?ml$/i, "")));
  const count = new Map<string, number>();
  for (const b of base) count.set(b.toLowerCase(), (count.get(b.toLowerCase()) ?? 0) + 1);
  const names = paths.map((p, i) => (count.get(base[i]!.toLowerCase())! > 1 ? safe(p.replace(/\.ya?ml$/i, "").replace(/\//g, "__")) : base[i]!));
  // Paths that still collide after that (case, replaced characters) get a number.
  const used = new Set<string>();
  return names.map((n) => {
    let name = n;
    for (let k = 2; used.has(name.toLowerCase()); k++) name = `${n}-${k}`;
    used.add(name.toLowerCase());
    return `${name}.${ext}`;
  });
}

/** `--split DIR`: one file per selected workflow, each drawn as with `--workflow` (every step). */
export function renderSplit(graph: ProjectGraph, req: GraphRequest): SplitGraph {
  const { view } = selectView(graph, req);
  const names = fileNames(view.workflows.map((w) => w.path), EXTENSION[req.format]);
  const over: string[] = [];
  const files = view.workflows.map((wf, i) => {
    const files = filesOf(wf);
    const one: GraphView = { ...view, workflows: [wf], issues: view.issues.filter((x) => files.has(x.path)) };
    if (req.format === "json") return { name: names[i]!, workflow: wf.path, text: `${JSON.stringify(one, null, 2)}\n` };
    const w = write(drawGraph(one, "steps", { focusedJob: req.job !== undefined }), req.format);
    if (req.format === "mermaid") {
      const why = mermaidOverLimits(w);
      if (why) over.push(`${names[i]} (${why})`);
    }
    return { name: names[i]!, workflow: wf.path, text: w.text };
  });
  const notes = over.length
    ? [`${over.length} of ${files.length} Mermaid files pass ${LIMITS_TEXT}: ${over.slice(0, 5).join(", ")}${over.length > 5 ? `, and ${over.length - 5} more` : ""}; --workflow FILE --job ID draws one job, --format dot has no such limit`]
    : [];
  return { files, notes };
}
