/**
 * A job timeline without the composite steps that statically cannot run: an `if:` decided false by
 * the inputs a call site passed (the shared-login pattern: one composite, one configure step per
 * environment, each guarded by `if: inputs.env == '…'`). Computed once per job and shared by the
 * rules that reason about which credentials a step sees.
 */
import { Evaluator, Lexer, Parser, data } from "@actions/expressions";
import { TokenType } from "@actions/expressions/lexer";
import { falsy } from "@actions/expressions/result";
import type { CallSite, ConfigureCall, JobNode, ProjectGraph, TimelineStep } from "./types.js";

/** Where one composite invocation sits in a job timeline. */
export interface InvocationSpan {
  site: CallSite;
  /** Timeline index of the `uses: ./…` call step. */
  callIndex: number;
  /** Timeline index of the last step inside the invocation (at any depth). */
  end: number;
}

/** Every composite invocation of a timeline, keyed by its invocation number. */
export function invocationSpans(timeline: TimelineStep[]): Map<number, InvocationSpan> {
  const spans = new Map<number, InvocationSpan>();
  for (const ts of timeline) {
    for (const site of ts.chain) {
      const span = spans.get(site.invocation);
      if (span) {
        span.end = ts.index;
        continue;
      }
      // The engine pushes the call step and then the composite's steps right after it, so the
      // first step seen with a new invocation follows its call step; search back only as a guard.
      let callIndex = ts.index - 1;
      while (callIndex >= 0 && timeline[callIndex]!.step !== site.step) callIndex--;
      spans.set(site.invocation, { site, callIndex, end: ts.index });
    }
  }
  return spans;
}

// Functions whose result depends only on their arguments; status functions and hashFiles do not.
const PURE_FUNCTIONS = new Set(["contains", "startswith", "endswith", "format", "join", "tojson", "fromjson"]);

/**
 * False only when a composite step's `if:` is decided false by the invocation's input values alone
 * (`inputs.environment == 'prod'` with `environment: dev`); true when it runs or cannot be told.
 * The engine substitutes only `${{ inputs.x }}` forms, so the bare `if: inputs.x == 'y'` form, the
 * usual way shared login composites pick one configure step, is evaluated here.
 */
export function mayRun(condition: string | undefined, inputs: Map<string, string> | undefined): boolean {
  if (!condition || !inputs) return true;
  let text = condition.trim();
  const wrapped = /^\$\{\{([\s\S]*)\}\}$/.exec(text);
  if (wrapped) text = wrapped[1]!;
  if (text.includes("${{") || text.includes("}}")) return true;
  try {
    const { tokens } = new Lexer(text).lex();
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i]!;
      if (t.type !== TokenType.IDENTIFIER || tokens[i - 1]?.type === TokenType.DOT) continue;
      const name = t.lexeme.toLowerCase();
      if (tokens[i + 1]?.type === TokenType.LEFT_PAREN) {
        if (!PURE_FUNCTIONS.has(name)) return true;
        continue;
      }
      // Any context but `inputs` (env, steps, github, ...) is only known at run time.
      if (name !== "inputs") return true;
      const next = tokens[i + 1];
      const key = next?.type === TokenType.DOT ? tokens[i + 2] : next?.type === TokenType.LEFT_BRACKET ? tokens[i + 2] : undefined;
      const keyName = key?.type === TokenType.IDENTIFIER || key?.type === TokenType.STRING ? String(key.value ?? key.lexeme) : undefined;
      if (!keyName || !inputs.has(keyName.toLowerCase())) return true;
    }
    const expr = new Parser(tokens, ["inputs"], []).parse();
    const values = new data.Dictionary();
    for (const [k, v] of inputs) values.add(k, new data.StringData(v));
    return !falsy(new Evaluator(expr, new data.Dictionary({ key: "inputs", value: values })).evaluate());
  } catch {
    return true;
  }
}

/** A job timeline without the steps that statically cannot run, and its credential state. */
export interface EffectiveTimeline {
  spans: Map<number, InvocationSpan>;
  /** Timeline indexes of expanded composite call steps. */
  callSteps: Map<number, InvocationSpan>;
  /** Timeline indexes of steps whose `if:` (or an enclosing call's) is false for the inputs passed. */
  skipped: Set<number>;
  calls: ConfigureCall[];
  /** The configure call in effect before each timeline step, ignoring skipped calls. */
  active: Array<ConfigureCall | undefined>;
}

function computeEffectiveTimeline(node: JobNode, graph: ProjectGraph): EffectiveTimeline {
  const tl = node.timeline;
  const spans = invocationSpans(tl);
  const callSteps = new Map([...spans.values()].map((s) => [s.callIndex, s]));
  const inputsByInvocation = new Map<number, Map<string, string> | undefined>();
  const inputsOf = (span: InvocationSpan, file: TimelineStep["file"]): Map<string, string> | undefined => {
    if (inputsByInvocation.has(span.site.invocation)) return inputsByInvocation.get(span.site.invocation);
    const action = graph.actions.get(file.absPath ?? file.path);
    let values: Map<string, string> | undefined;
    if (action && span.callIndex >= 0) {
      values = new Map();
      for (const [name, input] of action.inputs) if (input.default !== undefined) values.set(name.toLowerCase(), input.default);
      for (const [k, v] of tl[span.callIndex]!.with) values.set(k.toLowerCase(), v);
      // Values that still hold an expression (`${{ matrix.env }}`) are known only at run time.
      for (const [k, v] of values) if (v.includes("${{")) values.delete(k);
    }
    inputsByInvocation.set(span.site.invocation, values);
    return values;
  };
  const skipped = new Set<number>();
  for (const ts of tl) {
    if (skipped.has(ts.index)) continue;
    const site = ts.chain[ts.chain.length - 1];
    const span = site && spans.get(site.invocation);
    if (!span || mayRun(ts.step.if?.value, inputsOf(span, ts.file))) continue;
    skipped.add(ts.index);
    const own = callSteps.get(ts.index);
    if (own) for (let j = own.callIndex + 1; j <= own.end; j++) skipped.add(j);
  }
  const calls = node.configureCalls.filter((c) => !skipped.has(c.timelineIndex));
  const byIndex = new Map(calls.map((c) => [c.timelineIndex, c]));
  const active: Array<ConfigureCall | undefined> = [];
  let current: ConfigureCall | undefined;
  for (const ts of tl) {
    active.push(current);
    current = byIndex.get(ts.index) ?? current;
  }
  return { spans, callSteps, skipped, calls, active };
}

const cache = new WeakMap<JobNode, EffectiveTimeline>();

export function effectiveTimeline(node: JobNode, graph: ProjectGraph): EffectiveTimeline {
  let eff = cache.get(node);
  if (!eff) {
    eff = computeEffectiveTimeline(node, graph);
    cache.set(node, eff);
  }
  return eff;
}
