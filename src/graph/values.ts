/**
 * Where values come from: the effective `env:` at a step (workflow → job → composite call sites →
 * the step), and a `with:`/`env:` value followed through `${{ inputs.x }}` and `${{ env.X }}` up to
 * the literal a user wrote. Computed here once, so rules point at the text a user must change.
 */
import type { ActionInput, Entry, EntryMap, Range, ScalarNode, SourceFile } from "../model/types.js";
import { findWord } from "../parse/locate.js";
import type { JobNode, ProjectGraph, TimelineStep, ValueOrigin } from "./types.js";

/** The part of the graph value tracing needs (available while the graph is being built). */
export type GraphActions = Pick<ProjectGraph, "actions">;

/** One variable of the effective environment at a step, with the entry that sets it. */
export interface EnvValue {
  name: string;
  /** The value's text after composite input substitution (may hold `${{ }}`). */
  text: string;
  file: SourceFile;
  entry: Entry;
  /** Which `env:` set it: the workflow's, the job's, a composite call site's, or the step's own. */
  scope: "workflow" | "job" | "call" | "step";
}

const envCache = new WeakMap<TimelineStep, Map<string, EnvValue>>();

/**
 * The explicit environment a step runs with, before anything steps export at run time: the step's
 * own `env:` over its composite call sites' (innermost first) over the job's over the workflow's.
 * Reusable workflows do not inherit their caller's `env:`.
 */
export function envAt(node: JobNode, ts: TimelineStep): ReadonlyMap<string, EnvValue> {
  let env = envCache.get(ts);
  if (env) return env;
  env = new Map();
  const add = (file: SourceFile, map: EntryMap, scope: EnvValue["scope"], substituted?: ReadonlyMap<string, string>) => {
    for (const e of map.entries) env!.set(e.key, { name: e.key, text: substituted?.get(e.key) ?? e.value?.value ?? "", file, entry: e, scope });
  };
  add(node.workflow.file, node.workflow.env, "workflow");
  add(node.workflow.file, node.job.env, "job");
  for (const site of ts.chain) add(site.file, site.step.env, "call", node.timeline[site.timelineIndex]?.env);
  add(ts.file, ts.step.env, "step", ts.env);
  envCache.set(ts, env);
  return env;
}

/** The environment the job's own `env:` and its workflow's give every step (before step and call-site env). */
export function jobEnv(node: JobNode): ReadonlyMap<string, EnvValue> {
  let env = jobEnvCache.get(node);
  if (env) return env;
  env = new Map();
  for (const e of node.workflow.env.entries) env.set(e.key, { name: e.key, text: e.value?.value ?? "", file: node.workflow.file, entry: e, scope: "workflow" });
  for (const e of node.job.env.entries) env.set(e.key, { name: e.key, text: e.value?.value ?? "", file: node.workflow.file, entry: e, scope: "job" });
  jobEnvCache.set(node, env);
  return env;
}

const jobEnvCache = new WeakMap<JobNode, Map<string, EnvValue>>();

/** The value of one variable at a step, if some `env:` sets it. */
export function envValue(node: JobNode, ts: TimelineStep, name: string): EnvValue | undefined {
  return envAt(node, ts).get(name);
}

/** One place a value passes on its way to a step. */
export interface ValueHop {
  file: SourceFile;
  /** The entry holding the value here (absent for an input default, which has only `input`). */
  entry?: Entry;
  /** The composite or reusable-workflow input whose default supplies the value. */
  input?: ActionInput;
  kind: ValueOrigin["kind"];
  /** The input or variable name the value passes through to get here (for messages). */
  through?: { kind: "composite-input" | "workflow-input" | "env"; name: string; holder: string };
}

const INPUT_REF = /^\s*\$\{\{\s*inputs(?:\.([A-Za-z_][\w-]*)|\[\s*'([^']+)'\s*\])\s*\}\}\s*$/;
const ENV_REF = /^\s*\$\{\{\s*env\s*\.\s*([A-Za-z_]\w*)\s*\}\}\s*$/;

function lastEntry(map: EntryMap, lowerName: string): Entry | undefined {
  let found: Entry | undefined;
  for (const e of map.entries) if (e.key.toLowerCase() === lowerName) found = e;
  return found;
}

/**
 * The places a step's `with:` or `env:` value passes through, from the step back to where it is
 * written: a value that is exactly `${{ inputs.x }}` continues at the call site's `with: x` (or the
 * input's default), or at the reusable-workflow caller's `with: x`; exactly `${{ env.X }}` (in the
 * step itself) continues at the `env:` entry that sets X when `opts.env` (a step may export another
 * value through `GITHUB_ENV` before, so only rules that judge the text itself follow it). The last hop
 * holds the literal, or the expression that could not be followed. Bounded by the chain's depth.
 */
export function traceValue(graph: GraphActions, node: JobNode | undefined, ts: TimelineStep, start: Entry, opts: { env?: boolean } = {}): ValueHop[] {
  const hops: ValueHop[] = [{ file: ts.file, entry: start, kind: "step" }];
  let current: Entry = start;
  let level = ts.chain.length;
  let caller = node?.caller;
  let inStep = true;
  for (let guard = 0; guard < 64; guard++) {
    const raw = current.value?.isExpression ? current.value.value : undefined;
    if (raw === undefined) break;
    const input = INPUT_REF.exec(raw);
    if (input) {
      const name = (input[1] ?? input[2])!;
      const lower = name.toLowerCase();
      if (level > 0) {
        const site = ts.chain[level - 1]!;
        const holder = site.step.uses?.node.value ?? "a composite action";
        const through = { kind: "composite-input" as const, name, holder };
        const passed = lastEntry(site.step.with, lower);
        if (!passed) {
          const inFile = level === ts.chain.length ? ts.file : ts.chain[level]!.file;
          const def = actionInput(graph, inFile, lower);
          if (def && def.default !== undefined) hops.push({ file: inFile, input: def, kind: "default", through });
          break;
        }
        hops.push({ file: site.file, entry: passed, kind: "call", through });
        current = passed;
        level--;
        inStep = false;
        continue;
      }
      if (caller) {
        const holder = caller.job.uses?.node.value ?? "a reusable workflow";
        const through = { kind: "workflow-input" as const, name, holder };
        const passed = lastEntry(caller.job.with, lower);
        if (!passed) {
          const wf = node?.workflow;
          const def = wf ? [...wf.callInputs.values()].find((i) => i.name.toLowerCase() === lower) : undefined;
          if (wf && def && def.default !== undefined) hops.push({ file: wf.file, input: def, kind: "default", through });
          break;
        }
        hops.push({ file: caller.workflow.file, entry: passed, kind: "workflow-call", through });
        current = passed;
        caller = caller.caller;
        inStep = false;
        continue;
      }
      break;
    }
    const env = ENV_REF.exec(raw);
    if (env && opts.env && inStep && node) {
      const found = envValue(node, ts, env[1]!);
      if (!found || found.entry === current) break;
      hops.push({ file: found.file, entry: found.entry, kind: "env", through: { kind: "env", name: env[1]!, holder: found.scope } });
      current = found.entry;
      inStep = false;
      continue;
    }
    break;
  }
  return hops;
}

function actionInput(graph: GraphActions, file: SourceFile, lowerName: string): ActionInput | undefined {
  const action = graph.actions.get(file.absPath ?? file.path);
  if (!action) return undefined;
  for (const input of action.inputs.values()) if (input.name.toLowerCase() === lowerName) return input;
  return undefined;
}

/** Where the literal at the end of a trace is written, when one place wrote it whole. */
export function literalOrigin(hops: readonly ValueHop[]): ValueOrigin | undefined {
  const last = hops[hops.length - 1]!;
  if (last.input) {
    if (last.input.default === undefined || last.input.default.includes("${{")) return undefined;
    return { file: last.file, range: last.input.range, kind: "default" };
  }
  const scalar: ScalarNode | undefined = last.entry?.value;
  if (!scalar || scalar.isExpression) return undefined;
  return { file: last.file, range: scalar.range, entry: last.entry, kind: last.kind };
}

/**
 * Where a piece of a step's `with:` value is written: in the step's own entry, else in a value that
 * may have been substituted into it (a composite call site's `with:`, a composite input's default, a
 * reusable-workflow caller's `with:`). Undefined when the piece is written nowhere literally.
 */
export function locateInValue(graph: GraphActions, node: JobNode, ts: TimelineStep, key: string, piece: string): { file: SourceFile; range: Range } | undefined {
  const own = ts.step.with.entries.find((e) => e.key === key);
  const tries: Array<{ file: SourceFile; range?: Range }> = [{ file: ts.file, range: own?.valueRange }];
  for (const site of [...ts.chain].reverse()) {
    for (const e of site.step.with.entries) tries.push({ file: site.file, range: e.valueRange });
  }
  for (const file of [ts.file, ...ts.chain.map((c) => c.file)]) {
    const action = graph.actions.get(file.absPath ?? file.path);
    for (const input of action?.inputs.values() ?? []) tries.push({ file, range: input.defaultRange });
  }
  for (let c = node.caller; c; c = c.caller) {
    for (const e of c.job.with.entries) tries.push({ file: c.workflow.file, range: e.valueRange });
  }
  for (const t of tries) {
    if (!t.range) continue;
    const hit = findWord(t.file, t.range, piece);
    if (hit) return { file: t.file, range: hit };
  }
  return undefined;
}
