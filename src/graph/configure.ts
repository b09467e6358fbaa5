/**
 * configure-aws-credentials calls as the action sees them: the resolved version, every `with:` input
 * after composite and reusable-workflow substitution with the runner's YAML typing, where each literal
 * was written, and how the call authenticates. Built once per call by the graph; rules only read it.
 */
import type { Entry, EntryMap, ScalarNode, UsesRef } from "../model/types.js";
import { isConfigureAction, resolveConfigureVersion, versionAtLeast, type ConfigureVersion } from "../knowledge/configure-aws-credentials.js";
import type { ConfigureCall, ConfigureInput, JobNode, ProjectGraph, TimelineStep } from "./types.js";
import { envValue, literalOrigin, traceValue, type EnvValue, type GraphActions } from "./values.js";

export function isConfigureRef(ref: UsesRef | undefined): ref is Extract<UsesRef, { kind: "remote" }> {
  return ref?.kind === "remote" && isConfigureAction(ref.owner, ref.repo, ref.subpath);
}

/** The call a timeline step makes, or undefined when the step is not configure-aws-credentials. */
export function configureCallOf(graph: GraphActions, node: JobNode | undefined, ts: TimelineStep): ConfigureCall | undefined {
  const ref = ts.step.uses?.ref;
  if (!isConfigureRef(ref)) return undefined;
  const inputs = new Map<string, ConfigureInput>();
  // The runner matches input names case-insensitively; the last entry of a name wins.
  for (const e of ts.step.with.entries) inputs.set(e.key.toLowerCase(), readInput(graph, node, ts, e));
  const text = (name: string) => inputs.get(name)?.text.trim() ?? "";
  const role = text("role-to-assume") || undefined;
  const keyId = text("aws-access-key-id") !== "";
  const tokenFile = text("web-identity-token-file") !== "";
  const roleChaining = text("role-chaining").toLowerCase() === "true";
  const version = resolveConfigureVersion(ref.ref);
  // v5.0.0+: `force-skip-oidc: true` makes the action use the credential chain even with a token.
  const skipOidc = text("force-skip-oidc").toLowerCase() === "true" && versionAtLeast(version, "v5.0.0") !== false;
  return {
    timelineIndex: ts.index,
    step: ts,
    version,
    inputs,
    role,
    region: text("aws-region") || undefined,
    oidc: !!role && !keyId && !tokenFile && !roleChaining && !skipOidc,
    staticKeys: keyId,
    roleChaining,
    tokenFile: !!role && !keyId && !roleChaining && tokenFile,
  };
}

function readInput(graph: GraphActions, node: JobNode | undefined, ts: TimelineStep, entry: Entry): ConfigureInput {
  const text = ts.with.get(entry.key) ?? entry.value?.value ?? "";
  const input: ConfigureInput = { key: entry.key, entry, text };
  if (!entry.value) return input; // a mapping or sequence: GitHub rejects it; not ours to judge
  const origin = literalOrigin(traceValue(graph, node, ts, entry));
  if (origin) {
    input.origin = origin;
    const literal = origin.entry?.value ? runnerString(origin.entry.value) : text;
    if (!literal.includes("${{")) input.value = literal.trim();
  } else if (!text.includes("${{")) {
    input.value = text.trim();
  }
  return input;
}

/** An input as the action reads it: from `with:`, or (v4.2.0+) from the environment variable named after it. */
export interface EffectiveInput {
  text: string;
  /** The `with:` input, when the value comes from there. */
  input?: ConfigureInput;
  /** The variable, when the value comes from the environment. */
  env?: EnvValue;
}

/**
 * From v4.2.0 an environment variable named after an input (`DISABLE_RETRY` for `disable-retry`)
 * stands in when `with:` omits it, and in v4.2.0 alone it even wins over `with:`.
 */
export function effectiveInput(node: JobNode | undefined, call: ConfigureCall, name: string): EffectiveInput | undefined {
  const input = call.inputs.get(name);
  const fromWith = input && input.text.trim() !== "" ? { text: input.text, input } : undefined;
  let fromEnv: EffectiveInput | undefined;
  if (node && versionAtLeast(call.version, "v4.2.0") === true) {
    const env = envValue(node, call.step, name.toUpperCase().replace(/-/g, "_"));
    if (env && env.text.trim() !== "") fromEnv = { text: env.text, env };
  }
  if (call.version.tag === "v4.2.0") return fromEnv ?? fromWith;
  return fromWith ?? fromEnv;
}

// ---------- calls of actions no job reaches ----------

const standalone = new WeakMap<ProjectGraph, ConfigureCall[]>();

/**
 * Configure calls in action files that no linted job reaches (an action linted on its own): their
 * `${{ inputs.* }}` stay unresolved, and their step is synthetic (index -1, no chain).
 */
export function unreachedConfigureCalls(graph: ProjectGraph, reached: ReadonlySet<string>): ConfigureCall[] {
  let out = standalone.get(graph);
  if (out) return out;
  out = [];
  for (const action of graph.actions.values()) {
    for (const step of action.steps) {
      if (!isConfigureRef(step.uses?.ref) || reached.has(`${action.file.path}\0${step.range.start.offset}`)) continue;
      const raw = (m: EntryMap) => new Map(m.entries.map((e) => [e.key, e.value?.value ?? ""] as const));
      const ts: TimelineStep = {
        index: -1,
        file: action.file,
        step,
        chain: [],
        with: raw(step.with),
        env: raw(step.env),
        if: step.if?.value,
        run: step.run?.value,
        skipped: false,
      };
      const call = configureCallOf(graph, undefined, ts);
      if (call) out.push(call);
    }
  }
  standalone.set(graph, out);
  return out;
}

// ---------- runner typing ----------

const NULLS = new Set(["", "null", "Null", "NULL", "~"]);
const TRUES = new Set(["true", "True", "TRUE"]);
const FALSES = new Set(["false", "False", "FALSE"]);
const FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;

/**
 * The string an action receives for a scalar: GitHub reads plain scalars with the YAML 1.2 core
 * schema (null, booleans, ints incl. 0x/0o, floats) and passes their canonical text, so `True`
 * arrives as "true", `1.0` as "1", `0x384` as "900". Quoted and block scalars arrive verbatim.
 */
export function runnerString(scalar: ScalarNode): string {
  const text = scalar.value;
  if (scalar.style !== undefined && scalar.style !== "PLAIN") return text;
  if (NULLS.has(text)) return "";
  if (TRUES.has(text)) return "true";
  if (FALSES.has(text)) return "false";
  if (/^0x[0-9a-fA-F]+$/.test(text)) return String(parseInt(text.slice(2), 16));
  if (/^0o[0-7]+$/.test(text)) return String(parseInt(text.slice(2), 8));
  if (FLOAT.test(text)) {
    const n = Number(text);
    if (Number.isFinite(n)) return String(n);
  }
  return text;
}

export type { ConfigureVersion };
