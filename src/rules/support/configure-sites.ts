/**
 * Every configure-aws-credentials call a rule should look at, with its `with:` inputs as the action
 * receives them, and where each value was written (through composite inputs and reusable-workflow
 * inputs), so findings point at the text a user must change.
 *
 * Typical use:
 *   for (const site of configureSites(ctx.graph)) {
 *     const role = siteInput(site, "role-to-assume");
 *     if (role?.value !== undefined && bad(role.value)) push(valueLocation(site, role));
 *   }
 */
import { idTokenFor } from "./permissions.js";
import { allJobNodes } from "../../graph/build-graph.js";
import { configureCall, isConfigureRef } from "../../graph/credentials.js";
import type { ConfigureCall, JobNode, ProjectGraph, TimelineStep } from "../../graph/types.js";
import type { ConfigureVersion } from "../../knowledge/configure-aws-credentials.js";
import type { Entry, EntryMap, Range, ScalarNode, SourceFile } from "../../model/types.js";
import type { Finding, Location, RelatedLocation } from "../types.js";

/** One configure-aws-credentials step as it runs in one job (a composite reached twice gives two sites). */
export interface ConfigureSite {
  /**
   * The job whose timeline holds the call. Undefined for a configure step inside an action.yml that
   * no linted workflow reaches (an action linted on its own): its `${{ inputs.* }}` stay
   * unresolved, and its `ts` is synthetic (index -1, no chain).
   */
  node?: JobNode;
  ts: TimelineStep;
  call: ConfigureCall;
  version: ConfigureVersion;
  /** The graph the site came from (composite models, for input defaults). */
  graph: ProjectGraph;
}

/** Where a literal value was written. */
export interface ValueOrigin {
  file: SourceFile;
  /** The literal scalar, or (for an input default) the input's name in the action.yml. */
  range: Range;
  /** The scalar when the literal is a `with:` value (undefined for defaults: no style is known). */
  scalar?: ScalarNode;
  /** The `with:` entry holding the literal, when there is one. */
  entry?: Entry;
  /** "step": the configure step's own `with:`; "call": a `uses: ./…` step's `with:`; "workflow-call": a job's `with:` calling a reusable workflow; "default": an input default. */
  kind: "step" | "call" | "workflow-call" | "default";
}

/** One `with:` input of a configure call. */
export interface SiteInput {
  /** The key as written (input names are case-insensitive; see `siteInput`). */
  key: string;
  /** The entry in the file holding the configure step (`site.ts.file`). */
  entry: Entry;
  /** Text after composite/reusable-workflow input substitution (may still hold `${{ }}`). */
  text: string;
  /**
   * What `core.getInput` returns: the runner's YAML typing applied (`True` → "true", `1e3` →
   * "1000"), then trimmed. Undefined when an expression remains after substitution, or when the
   * value is not a scalar: rules must not guess those.
   */
  value?: string;
  /** Where the literal was written, when one place wrote it whole. */
  origin?: ValueOrigin;
}

// ---------- iteration ----------

/** Every configure call in every job timeline, plus configure steps of action files no job reaches. */
export function configureSites(graph: ProjectGraph): ConfigureSite[] {
  const out: ConfigureSite[] = [];
  const reached = new Set<string>();
  for (const node of allJobNodes(graph)) {
    for (const call of node.configureCalls) {
      const ts = node.timeline[call.timelineIndex];
      if (!ts) continue;
      reached.add(stepKey(ts.file, ts.step.range));
      out.push({ node, ts, call, version: call.version, graph });
    }
  }
  for (const action of graph.actions.values()) {
    for (const step of action.steps) {
      if (!isConfigureRef(step.uses?.ref) || reached.has(stepKey(action.file, step.range))) continue;
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
      };
      const call = configureCall(ts);
      if (call) out.push({ ts, call, version: call.version, graph });
    }
  }
  return out;
}

function stepKey(file: SourceFile, range: Range): string {
  return `${file.path}\0${range.start.offset}`;
}

// ---------- inputs ----------

/**
 * The `with:` input `name` of the call, matched case-insensitively: the runner validates and
 * passes inputs ignoring case (`INPUT_ROLE-TO-ASSUME` either way). Last entry wins on duplicates.
 */
export function siteInput(site: ConfigureSite, name: string): SiteInput | undefined {
  const want = name.toLowerCase();
  let found: Entry | undefined;
  for (const e of site.ts.step.with.entries) if (e.key.toLowerCase() === want) found = e;
  return found ? inputOf(site, found) : undefined;
}

/** All `with:` inputs of the call, in source order. */
export function siteInputs(site: ConfigureSite): SiteInput[] {
  return site.ts.step.with.entries.map((e) => inputOf(site, e));
}

function inputOf(site: ConfigureSite, entry: Entry): SiteInput {
  const text = site.ts.with.get(entry.key) ?? entry.value?.value ?? "";
  const input: SiteInput = { key: entry.key, entry, text };
  if (!entry.value) return input; // a mapping or sequence: GitHub rejects it; not ours to judge
  const origin = traceOrigin(site, entry);
  if (origin) {
    input.origin = origin;
    const literal = origin.scalar ? runnerString(origin.scalar) : text;
    if (!literal.includes("${{")) input.value = literal.trim();
  } else if (!text.includes("${{")) {
    input.value = text.trim();
  }
  return input;
}

const WHOLE_INPUT_EXPR = /^\s*\$\{\{\s*inputs(?:\.([A-Za-z_][\w-]*)|\[\s*'([^']+)'\s*\])\s*\}\}\s*$/;

function inputReference(scalar: ScalarNode | undefined): string | undefined {
  if (!scalar?.isExpression) return undefined;
  const m = WHOLE_INPUT_EXPR.exec(scalar.value);
  return m ? (m[1] ?? m[2])!.toLowerCase() : undefined;
}

function findEntry(map: EntryMap, name: string): Entry | undefined {
  let found: Entry | undefined;
  for (const e of map.entries) if (e.key.toLowerCase() === name) found = e;
  return found;
}

/**
 * Follows a value written as exactly `${{ inputs.x }}` up through the composite call sites and
 * reusable-workflow callers to the literal that fed it. Mirrors the graph builder's substitution:
 * a composite's inputs come from its call site's `with:` (else the input's default); a reusable
 * workflow's from the calling job's `with:`.
 */
function traceOrigin(site: ConfigureSite, entry: Entry): ValueOrigin | undefined {
  let scalar = entry.value;
  if (scalar && !scalar.isExpression) return { file: site.ts.file, range: scalar.range, scalar, entry, kind: "step" };
  let name = inputReference(scalar);
  const chain = site.ts.chain;
  let level = chain.length;
  let node = site.node;
  // Bounded: each pass moves one call site up.
  for (let guard = 0; name !== undefined && guard < 64; guard++) {
    if (level > 0) {
      const call = chain[level - 1]!;
      const e = findEntry(call.step.with, name);
      if (!e) {
        const holder = level === chain.length ? site.ts.file : chain[level]!.file;
        return defaultOrigin(site, holder, name);
      }
      scalar = e.value;
      if (scalar && !scalar.isExpression) return { file: call.file, range: scalar.range, scalar, entry: e, kind: "call" };
      name = inputReference(scalar);
      level--;
      continue;
    }
    const caller = node?.caller;
    if (!caller) return undefined; // workflow_dispatch inputs or an unreached reusable workflow
    const e = findEntry(caller.job.with, name);
    if (!e) return undefined; // the reusable workflow's own default: the model keeps no range for it
    scalar = e.value;
    if (scalar && !scalar.isExpression) return { file: caller.workflow.file, range: scalar.range, scalar, entry: e, kind: "workflow-call" };
    name = inputReference(scalar);
    node = caller;
  }
  return undefined;
}

function defaultOrigin(site: ConfigureSite, holder: SourceFile, name: string): ValueOrigin | undefined {
  for (const action of site.graph.actions.values()) {
    if (action.file !== holder) continue;
    for (const input of action.inputs.values()) {
      if (input.name.toLowerCase() !== name) continue;
      if (input.default === undefined || input.default.includes("${{")) return undefined;
      return { file: holder, range: input.range, kind: "default" };
    }
  }
  return undefined;
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

// ---------- locations ----------

/** Where a finding about an input's key belongs: the key in the file holding the step. */
export function keyLocation(site: ConfigureSite, input: SiteInput): Location {
  return { path: site.ts.file.path, range: input.entry.keyRange };
}

/**
 * Where a finding about an input's value belongs: the literal the user wrote. When that literal was
 * passed in through `${{ inputs.x }}`, the finding sits on the call site's `with:` entry and the
 * configure step's own entry becomes a related location (and the other way round when the origin
 * cannot be told, e.g. `arn:aws:iam::${{ inputs.account }}:role/x`).
 */
export function valueLocation(site: ConfigureSite, input: SiteInput): { location: Location; related: RelatedLocation[] } {
  const inner: Location = { path: site.ts.file.path, range: input.entry.value?.range ?? input.entry.range };
  const origin = input.origin;
  if (origin?.kind === "step") return { location: inner, related: [] };
  const innerText = input.entry.value?.value.trim() ?? "";
  if (origin) {
    const what = origin.kind === "default" ? "the default of this input" : "this value";
    return {
      location: { path: origin.file.path, range: origin.range },
      related: [{ ...inner, message: `${what} reaches \`${input.key}\` of configure-aws-credentials here as \`${innerText}\`` }],
    };
  }
  const related: RelatedLocation[] = [];
  const top = site.ts.chain[0];
  if (top?.step.uses) {
    related.push({ path: top.file.path, range: top.step.uses.node.range, message: `the job reaches this step through \`${top.step.uses.node.value}\`` });
  } else if (site.node?.caller?.job.uses) {
    const c = site.node.caller;
    related.push({ path: c.workflow.file.path, range: c.job.uses!.node.range, message: `inputs come from job \`${c.job.id}\` calling this workflow` });
  }
  return { location: inner, related };
}

/** True when the value came through a composite or reusable-workflow input (the step's own text is an expression). */
export function isSubstituted(input: SiteInput): boolean {
  return input.origin?.kind !== "step";
}

// ---------- facts about the call ----------

/**
 * Whether the call authenticates with a web identity (GitHub's OIDC token, or
 * `web-identity-token-file`): `role-to-assume` set and no access key id and no `role-chaining`.
 * Mirrors the action's own test (src/index.ts `useGitHubOIDCProvider`), reading inputs
 * case-insensitively and after substitution, and leaves the id-token permission to the caller.
 */
export function usesWebIdentity(site: ConfigureSite): { oidc: boolean; tokenFile: boolean } {
  const has = (n: string) => (siteInput(site, n)?.text.trim() ?? "") !== "";
  const chaining = (siteInput(site, "role-chaining")?.value ?? "").toLowerCase() === "true";
  const base = has("role-to-assume") && !has("aws-access-key-id") && !chaining;
  const tokenFile = base && has("web-identity-token-file");
  return { oidc: base && !tokenFile, tokenFile };
}

/**
 * Whether the job's token may request an OIDC id-token: "write", "none", or "unknown" (an
 * expression, or a reusable workflow linted without a caller). A job-level block replaces the
 * workflow-level one; with neither the repository default applies, which never includes
 * `id-token`; a called reusable workflow gets at most what its caller job grants.
 */
export function idTokenPermission(node: JobNode | undefined): "write" | "none" | "unknown" {
  if (!node) return "unknown";
  // One definition of the effective grant, shared with missing-id-token-permission.
  const verdict = idTokenFor(node);
  return verdict.state === "granted" ? "write" : verdict.state === "missing" ? "none" : "unknown";
}

/** "v2.2.0 (`@v2`)", "v4.3.1 (`@7474bc4690e2`)", or "`@ref`" when the code is not a release. */
export function describeVersion(v: ConfigureVersion): string {
  const ref = /^[0-9a-f]{40}$/i.test(v.ref) ? v.ref.slice(0, 12) : v.ref;
  if (!v.tag) return `\`@${ref}\``;
  return v.tag === ref ? v.tag : `${v.tag} (\`@${ref}\`)`;
}

// ---------- findings ----------

/** Drops findings repeated for one location and message (a composite reached several times). */
export function dedupeFindings(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.location.path}\0${f.location.range.start.offset}\0${f.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
