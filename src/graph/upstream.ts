/**
 * `workflow_run` trust: the events outsiders can start the workflows a `workflow_run` trigger names
 * with. The one place that matches those names to workflows, used by the guards (over the graph's
 * workflows) and by the run and the cache (over summaries of workflows they no longer hold), so
 * that all three agree on which workflows a `workflow_run` workflow's findings depend on.
 */
import type { Workflow } from "../model/types.js";
import { FORK_LIMITED_EVENTS, OUTSIDER_EVENTS } from "./events.js";

/** What `workflow_run` trust reads of a workflow. */
export interface RunSource {
  /** `name:`, when the workflow has one. */
  name: string | undefined;
  repoPath: string;
  triggers: readonly string[];
  /** `on.workflow_run.workflows`. */
  workflowRunWorkflows: readonly string[] | undefined;
}

export function runSourceOf(w: Workflow): RunSource {
  return { name: w.name?.value, repoPath: w.file.repoPath, triggers: w.triggers, workflowRunWorkflows: w.workflowRunWorkflows };
}

/** Whether a `workflow_run` trigger's `name` names this workflow (by its `name:`, else or also its path). */
export function namedBy(w: RunSource, name: string): boolean {
  return (w.name ?? w.repoPath) === name || w.repoPath === name;
}

/** Every event an outsider can cause: what a trigger naming no known workflow inherits. */
const ANY = ["pull_request", "pull_request_target", "issue_comment", "issues", "pull_request_review", "pull_request_review_comment", "discussion", "discussion_comment"];

/**
 * The events outsiders can start the workflows `workflow`'s `workflow_run` trigger names with
 * (their own `workflow_run` triggers followed). A name that matches none of `all`, or a trigger
 * without names, counts as any outsider event and is added to `unknown`. `matched` collects the
 * workflows whose triggers were read.
 */
export function upstreamEvents<W>(
  workflow: W,
  all: readonly W[],
  view: (w: W) => RunSource,
  opts: { visiting?: Set<W>; unknown?: string[]; matched?: Set<W> } = {},
): string[] {
  const visiting = opts.visiting ?? new Set<W>();
  const unknown = opts.unknown ?? [];
  const names = view(workflow).workflowRunWorkflows;
  if (!names?.length) {
    unknown.push("(any workflow)");
    return ANY;
  }
  if (visiting.has(workflow)) return [];
  visiting.add(workflow);
  const out = new Set<string>();
  for (const name of names) {
    const upstream = all.filter((w) => namedBy(view(w), name));
    if (!upstream.length) {
      unknown.push(name);
      for (const e of ANY) out.add(e);
      continue;
    }
    for (const w of upstream) {
      opts.matched?.add(w);
      for (const t of view(w).triggers) {
        if (t === "workflow_run") for (const e of upstreamEvents(w, all, view, { visiting, unknown, ...(opts.matched ? { matched: opts.matched } : {}) })) out.add(e);
        else if (OUTSIDER_EVENTS[t] || (FORK_LIMITED_EVENTS as readonly string[]).includes(t)) out.add(t);
      }
    }
  }
  visiting.delete(workflow);
  return [...out];
}
