/**
 * The facts of one job's expanded timeline that several rules need, computed once when the job node
 * is built: where each composite invocation starts and ends, which steps statically cannot run (an
 * `if:` decided false by the inputs passed), the configure-aws-credentials calls, and which call's
 * credentials are in effect before each step. The action exports AWS_* to the job environment, so the
 * last call before a step wins, and calls inside a composite stay in effect after it returns. On
 * runners older than v2.295.0 some steps inside a composite still see an earlier role
 * (`role-conflicts.ts`).
 */
import type { ConfigureCall, InvocationSpan, JobNode, TimelineStep } from "./types.js";
import { decide, knownInputs, type KnownValue } from "./conditions.js";
import { configureCallOf } from "./configure.js";
import type { GraphActions } from "./values.js";
import { findRoleConflicts } from "./role-conflicts.js";

/** Every composite invocation of a timeline, keyed by its invocation number. */
export function invocationSpans(timeline: readonly TimelineStep[]): Map<number, InvocationSpan> {
  const spans = new Map<number, InvocationSpan>();
  for (const ts of timeline) {
    for (const site of ts.chain) {
      const span = spans.get(site.invocation);
      if (span) {
        span.end = ts.index;
        continue;
      }
      spans.set(site.invocation, { site, callIndex: site.timelineIndex, end: ts.index });
    }
  }
  return spans;
}

/**
 * Fills the node's timeline facts. `reusableInputs` are the input values the caller passes to a
 * called workflow (undefined for a workflow's own jobs).
 */
export function analyseTimeline(graph: GraphActions, node: JobNode, reusableInputs: ReadonlyMap<string, string> | undefined): void {
  const tl = node.timeline;
  const spans = invocationSpans(tl);
  node.invocations = spans;
  node.callSteps = new Map([...spans.values()].map((s) => [s.callIndex, s]));

  const workflowInputs = reusableInputs ? typedWorkflowInputs(node, reusableInputs) : undefined;
  node.skipped = workflowInputs !== undefined && decide(node.job.if?.value, { inputs: workflowInputs }) === "false";

  const byInvocation = new Map<number, Map<string, KnownValue> | undefined>();
  const compositeInputs = (span: InvocationSpan, ts: TimelineStep): Map<string, KnownValue> | undefined => {
    if (byInvocation.has(span.site.invocation)) return byInvocation.get(span.site.invocation);
    const action = graph.actions.get(ts.file.absPath ?? ts.file.path);
    let values: Map<string, KnownValue> | undefined;
    if (action) {
      const raw = new Map<string, string>();
      for (const [name, input] of action.inputs) if (input.default !== undefined) raw.set(name.toLowerCase(), input.default);
      for (const [k, v] of tl[span.callIndex]!.with) raw.set(k.toLowerCase(), v);
      values = knownInputs(raw);
    }
    byInvocation.set(span.site.invocation, values);
    return values;
  };

  for (const ts of tl) {
    if (ts.skipped) continue;
    const site = ts.chain[ts.chain.length - 1];
    const span = site && spans.get(site.invocation);
    // A composite's steps read the call's inputs; a called workflow's own steps read the caller's.
    const inputs = span ? compositeInputs(span, ts) : workflowInputs;
    if (!node.skipped && (!inputs || decide(ts.step.if?.value, { inputs }) !== "false")) continue;
    ts.skipped = true;
    const own = node.callSteps.get(ts.index);
    if (own) for (let j = own.callIndex + 1; j <= own.end; j++) tl[j]!.skipped = true;
  }

  const calls: ConfigureCall[] = [];
  const skippedCalls: ConfigureCall[] = [];
  const active: Array<ConfigureCall | undefined> = [];
  let current: ConfigureCall | undefined;
  for (const ts of tl) {
    active.push(current);
    const call = configureCallOf(graph, node, ts);
    if (!call) continue;
    if (ts.skipped) skippedCalls.push(call);
    else {
      calls.push(call);
      current = call;
    }
  }
  node.configureCalls = calls;
  node.skippedConfigureCalls = skippedCalls;
  node.activeCredentials = active;
  node.roleConflicts = findRoleConflicts(node);
}

/** The caller's values for a called workflow's inputs, typed as the workflow declares them. */
function typedWorkflowInputs(node: JobNode, values: ReadonlyMap<string, string>): Map<string, KnownValue> {
  const types = new Map<string, string | undefined>();
  for (const [name, def] of node.workflow.callInputs) types.set(name.toLowerCase(), def.type);
  return knownInputs(values, types);
}
