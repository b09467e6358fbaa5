/**
 * Which call sites reach a file: the `uses: ./…` steps that call a composite action file, and the
 * jobs that call a reusable workflow. Findings located in such a file show how a run gets there.
 */
import { allJobNodes } from "./build-graph.js";
import type { Range, SourceFile } from "../model/types.js";
import type { ProjectGraph } from "./types.js";

export interface Caller {
  file: SourceFile;
  range: Range;
  /** "composite": a step's `uses: ./…`; "workflow": a job's `uses:` of a reusable workflow. */
  kind: "composite" | "workflow";
  /** The job that makes the call. */
  job: string;
}

const cache = new WeakMap<ProjectGraph, Map<string, Caller[]>>();

/** The direct callers of each composite action and reusable workflow file, by display path, in graph order. */
export function callersByFile(graph: ProjectGraph): ReadonlyMap<string, Caller[]> {
  let index = cache.get(graph);
  if (index) return index;
  index = new Map();
  const seen = new Set<string>();
  const add = (target: string, c: Caller) => {
    const k = `${target}\0${c.file.path}\0${c.range.start.offset}`;
    if (seen.has(k)) return;
    seen.add(k);
    let list = index!.get(target);
    if (!list) index!.set(target, (list = []));
    list.push(c);
  };
  for (const node of allJobNodes(graph)) {
    for (const ts of node.timeline) {
      const site = ts.chain[ts.chain.length - 1];
      if (site?.step.uses) add(ts.file.path, { file: site.file, range: site.step.uses.node.range, kind: "composite", job: node.job.id });
    }
    const c = node.caller;
    if (c?.job.uses) add(node.workflow.file.path, { file: c.workflow.file, range: c.job.uses.keyRange, kind: "workflow", job: c.job.id });
  }
  cache.set(graph, index);
  return index;
}
