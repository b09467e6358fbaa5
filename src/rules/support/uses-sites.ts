/**
 * Every `uses:` written in the project, once per place in the source: steps of workflows, steps of
 * composite actions, and job-level reusable-workflow calls. Rules that judge the reference itself
 * (not what runs in a job) iterate these instead of job timelines, where one composite step
 * appears once per invocation.
 */
import { allJobNodes } from "../../graph/build-graph.js";
import type { ProjectGraph } from "../../graph/types.js";
import type { ActionModel, Job, SourceFile, Step, Uses, UsesRef, Workflow } from "../../model/types.js";
import type { TextEdit } from "../types.js";
import { isInFlowCollection, isMultiline, scalarTextLike, trailingCommentAfter } from "./edit.js";

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

/**
 * Every `uses:` site, each (file, offset) once. Includes workflows reached only as local reusable
 * workflows (when a single caller file is linted they are not in `graph.workflows`).
 */
export function usesSites(graph: ProjectGraph): UsesSite[] {
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

/** Whether the `uses:` value of a site sits inside a flow collection (`- { uses: … }`). */
export function usesInFlow(site: UsesSite): boolean {
  // A block mapping cannot sit inside a flow collection, so a step written as a block map is not in one.
  if (site.step) return site.step.flow;
  return isInFlowCollection(site.file, site.uses.node.range.start.offset);
}

export interface RefRewrite {
  edit: TextEdit;
  /** True when a `# comment` was wanted but not written because the value is in a flow collection. */
  commentDropped: boolean;
  /** True when the line's comment is a tool directive, left exactly as it was (no ref comment added). */
  directiveKept?: boolean;
}

/**
 * Comments that tools read from their first word (`# credflow: ignore[…]`, `# renovate: …`,
 * `# noqa`, `# yamllint disable-line`): text put in front would break them.
 */
const DIRECTIVE_COMMENT = /^(?:[\w.-]+:|(?:noqa|nosec|nolint|yamllint|pragma|eslint-disable[\w-]*)(?![\w-]))/i;

/**
 * Rewrites a remote `uses:` to `name@newRef`, keeping the value's quotes, and sets the trailing
 * comment to `# comment` when one is given:
 * - no comment on the line: ` # comment` is appended after the value;
 * - a comment whose first word is a version or a commit (`v4`, `v4.1.0`, `1a2b3c4`), or a word
 *   `isRefWord` accepts (e.g. a branch or tag name of the action): that word is replaced, the rest
 *   of the comment is kept;
 * - a tool directive (`# credflow: ignore[…]`, `# renovate: …`, `# noqa`): left as it is, and no
 *   ref comment is written (reported as `directiveKept`);
 * - any other comment: `comment` is put in front of its text, so the line keeps one comment.
 * Inside flow collections no comment is written (it would cut the collection). Undefined when the
 * value cannot be rewritten in place (block or multi-line scalars).
 */
export function rewriteUsesRef(
  site: UsesSite,
  ref: RemoteRef,
  newRef: string,
  comment?: string,
  isRefWord?: (word: string) => boolean,
): RefRewrite | undefined {
  const { file } = site;
  const node = site.uses.node;
  if (isMultiline(file, node)) return undefined;
  const inFlow = usesInFlow(site);
  const value = scalarTextLike(node, `${nameOf(ref)}@${newRef}`, inFlow);
  if (value === undefined) return undefined;
  const start = node.range.start.offset;
  const end = node.range.end.offset;
  if (comment === undefined || inFlow) {
    return { edit: { path: file.path, start, end, text: value }, commentDropped: comment !== undefined };
  }
  const existing = trailingCommentAfter(file.text, end);
  if (!existing) return { edit: { path: file.path, start, end, text: `${value} # ${comment}` }, commentDropped: false };
  const gap = file.text.slice(end, existing.start);
  const first = existing.body.split(/\s/, 1)[0] ?? "";
  const refLike =
    first === comment ||
    /^v?\d+(\.\d+)*([-+][0-9A-Za-z.-]+)?$/.test(first) ||
    /^[0-9a-f]{7,40}$/i.test(first) ||
    (first !== "" && isRefWord?.(first) === true);
  if (!refLike && DIRECTIVE_COMMENT.test(existing.body)) {
    return { edit: { path: file.path, start, end, text: value }, commentDropped: false, directiveKept: true };
  }
  const body = existing.body === "" ? comment : refLike ? comment + existing.body.slice(first.length) : `${comment} ${existing.body}`;
  return { edit: { path: file.path, start, end: existing.end, text: `${value}${gap}# ${body}` }, commentDropped: false };
}
