/**
 * Every `uses:` written in the project, once per place in the source: steps of workflows, steps of
 * composite actions, and job-level reusable-workflow calls. Rules that judge the reference itself
 * (not what runs in a job) iterate these instead of job timelines, where one composite step
 * appears once per invocation.
 */
import { allJobNodes } from "../../graph/build-graph.js";
import type { ProjectGraph } from "../../graph/types.js";
import type { ActionModel, Job, SourceFile, Step, Uses, UsesRef, Workflow } from "../../model/types.js";
import { replaceScalarWithComment, type CommentedReplacement } from "../../edit/yaml-edit.js";

export type RemoteRef = Extract<UsesRef, { kind: "remote" }>;

export interface UsesSite {
  file: SourceFile;
  uses: Uses;
  /** "step": a step's `uses:` (workflow or composite action); "job": a job calling a reusable workflow. */
  kind: "step" | "job";
  /** The workflow holding the step or job (undefined for composite actions). */
  workflow?: Workflow;
  job?: Job;
  /** The composite action holding the step. */
  action?: ActionModel;
  step?: Step;
}

/** Sites per graph: two rules walk them, and rules do not change the graph. */
const SITES = new WeakMap<ProjectGraph, readonly UsesSite[]>();

/**
 * Every `uses:` site, each (file, offset) once. Includes workflows reached only as local reusable
 * workflows (when a single caller file is linted they are not in `graph.workflows`).
 */
export function usesSites(graph: ProjectGraph): readonly UsesSite[] {
  let sites = SITES.get(graph);
  if (!sites) SITES.set(graph, (sites = findSites(graph)));
  return sites;
}

function findSites(graph: ProjectGraph): UsesSite[] {
  const workflows = new Map<string, Workflow>();
  for (const wf of graph.workflows) workflows.set(wf.file.path, wf);
  for (const node of allJobNodes(graph)) {
    if (!workflows.has(node.workflow.file.path)) workflows.set(node.workflow.file.path, node.workflow);
    const called = node.called?.workflow;
    if (called && !workflows.has(called.file.path)) workflows.set(called.file.path, called);
  }

  const out: UsesSite[] = [];
  const seen = new Set<string>();
  const add = (site: UsesSite): void => {
    // Aliases (`uses: *x`) share one node: report and fix it once.
    const key = `${site.file.path}\0${site.uses.node.range.start.offset}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(site);
  };
  for (const wf of workflows.values()) {
    for (const job of wf.jobs) {
      if (job.uses) add({ file: wf.file, uses: job.uses, kind: "job", workflow: wf, job });
      for (const step of job.steps) if (step.uses) add({ file: wf.file, uses: step.uses, kind: "step", workflow: wf, job, step });
    }
  }
  for (const action of graph.actions.values()) {
    for (const step of action.steps) if (step.uses) add({ file: action.file, uses: step.uses, kind: "step", action, step });
  }
  return out;
}

/** "owner/repo" of a remote ref (what pin tables are keyed by). */
export function repoOf(ref: RemoteRef): string {
  return `${ref.owner}/${ref.repo}`;
}

/** "owner/repo[/subpath]" exactly as written, without the `@ref`. */
export function nameOf(ref: RemoteRef): string {
  return ref.subpath ? `${ref.owner}/${ref.repo}/${ref.subpath}` : `${ref.owner}/${ref.repo}`;
}

export type RefRewrite = CommentedReplacement;

/**
 * Rewrites a remote `uses:` to `name@newRef`, keeping the value's quotes, and sets the trailing
 * comment to `# comment` when one is given (see replaceScalarWithComment for how an existing comment
 * is kept or updated). Undefined when the value cannot be rewritten in place.
 */
export function rewriteUsesRef(
  site: UsesSite,
  ref: RemoteRef,
  newRef: string,
  comment?: string,
  isRefWord?: (word: string) => boolean,
): RefRewrite | undefined {
  // A block mapping cannot sit inside a flow collection, so a step written as a block map is not in one.
  const inFlow = site.step ? site.step.flow : undefined;
  return replaceScalarWithComment(site.file, site.uses.node, `${nameOf(ref)}@${newRef}`, { comment, isRefWord, inFlow });
}
