/**
 * oidc-fanout-no-retry: many jobs of one workflow run exchange OIDC tokens at the same moment and
 * the identity provider intermittently answers "Couldn't retrieve verification key from your identity
 * provider". configure-aws-credentials retries that from v1.6.1 on, unless the workflow turned the
 * retry off. This rule counts the exchanges that can start together and flags calls without retry.
 */
import { allJobNodes } from "../graph/build-graph.js";
import type { ConfigureCall, JobNode, TimelineStep } from "../graph/types.js";
import type { Entry, SourceFile, Workflow } from "../model/types.js";
import { inputIntroducedIn, newestTag, versionAtLeast, type ConfigureVersion } from "../knowledge/configure-aws-credentials.js";
import type { Fix, RelatedLocation, Report, Rule, RuleContext, TextEdit } from "./types.js";
import { EXACT_LIMIT, heaviestConcurrentSet, NeedsOrder } from "./support/concurrency.js";
import { onlyWorkflowCall } from "./support/permissions.js";
import { isInFlowCollection, lineEndOf, lineStartOf, nextLineStartOf, trailingCommentAfter } from "./support/edit.js";

export const RULE_ID = "oidc-fanout-no-retry";
export const IDP_ERROR = "Couldn't retrieve verification key from your identity provider";
/** First release with automatic retry around the token exchange. */
const RETRY_SINCE = "v1.6.1";
/** A matrix whose size only the run knows counts as this many jobs. */
const UNKNOWN_MATRIX = 2;
const MAX_RELATED_JOBS = 10;
const MAX_LISTED_JOBS = 12;

/** One job (anywhere below a top-level workflow) that exchanges OIDC tokens. */
interface Participant {
  node: JobNode;
  /** From the top-level job of the linted workflow down to `node` (callers of reusable workflows first). */
  path: JobNode[];
  /** Copies of the job that can run at once: its matrix concurrency times its callers'. */
  weight: number;
  /** A matrix of unknown size took part (counted as {@link UNKNOWN_MATRIX}). */
  unknown: boolean;
}

interface RetryOff {
  /** Why this call does not retry, for the message. */
  reason: string;
  options: string[];
  fix?: Fix;
  fixNote?: string;
}

interface Candidate {
  report: Report;
  total: number;
  /** Composite call sites and reusable-workflow callers through which the step is reached. */
  sites: RelatedLocation[];
  /** The jobs counted as running at the same time (of the reported, worst-case instance). */
  peers: RelatedLocation[];
}

export const oidcFanoutNoRetry: Rule = {
  id: RULE_ID,
  title: "Parallel OIDC token exchanges without retry",
  description:
    "Reports configure-aws-credentials OIDC calls that do not retry (a version before v1.6.1, `disable-retry: true`, `retry-max-attempts: 1`) in workflows where several jobs can exchange OIDC tokens at the same time.",
  defaultLevel: "warning",
  tags: ["reliability", "aws", "oidc"],
  precision: "high",
  fixable: "both",
  options: {
    threshold: {
      description: "Number of OIDC token exchanges that can run at the same time from which calls without retry are reported.",
      // One exchange alone is no fan-out: the configuration has always required 2 or more.
      schema: { type: "integer", minimum: 2 },
      default: 2,
    },
  },
  check(ctx) {
    const threshold = thresholdOf(ctx);
    const called = new Set<string>();
    for (const n of allJobNodes(ctx.graph)) if (n.called) called.add(n.called.workflow.file.path);

    const candidates = new Map<string, Candidate>();
    for (const wf of ctx.graph.workflows) {
      // A reusable workflow called from this repository is counted under its callers, with their inputs.
      if (onlyWorkflowCall(wf) && called.has(wf.file.path)) continue;
      const tops = ctx.graph.jobsByWorkflow.get(wf.file.path) ?? [];
      const parts = participants(tops);
      if (parts.length === 0) continue;
      const fanout = new Fanout(parts);

      for (const p of parts) {
        const offCalls = p.node.configureCalls
          .filter((c) => c.oidc)
          .map((c) => ({ call: c, off: retryOff(ctx, p.node, c) }))
          .filter((x): x is { call: ConfigureCall; off: RetryOff } => !!x.off);
        if (offCalls.length === 0) continue;
        const sum = fanout.others(p);
        // The heaviest set never weighs more than every concurrent job together.
        if (p.weight + sum.weight < threshold) continue;
        const set = fanout.heaviest(p, sum);
        const total = p.weight + set.weight;
        if (total < threshold) continue;
        for (const { call, off } of offCalls) {
          const ts = p.node.timeline[call.timelineIndex]!;
          const uses = ts.step.uses!;
          const key = `${ts.file.path}\0${uses.node.range.start.offset}`;
          const report: Report = {
            message: message(p, ts, off, set, total),
            location: { path: ts.file.path, range: uses.node.range },
          };
          if (off.fix) report.fix = off.fix;
          else if (off.fixNote) report.fixNote = off.fixNote;
          const here: Candidate = { report, total, sites: callSites(p, ts), peers: peers(set.members) };
          const prev = candidates.get(key);
          if (!prev) candidates.set(key, here);
          else {
            // One configure step reached from several jobs: report the worst case, point at every caller.
            const keep = total > prev.total ? here : prev;
            keep.sites = mergeRelated(prev.sites, here.sites);
            candidates.set(key, keep);
          }
        }
      }
    }
    for (const c of candidates.values()) ctx.report({ ...c.report, related: [...c.sites, ...c.peers] });
  },
};

/** Option `threshold`: the engine fills in the default and has checked the value against its schema. */
function thresholdOf(ctx: RuleContext): number {
  return ctx.options.threshold as number;
}

// ---------- counting ----------

/** Copies of a job that run at once: its matrix concurrency ("unknown" counts as 2, capped by max-parallel). */
function factor(node: JobNode): { n: number; unknown: boolean } {
  const m = node.matrix;
  if (m.count === "unknown") return { n: Math.min(UNKNOWN_MATRIX, m.maxParallel ?? UNKNOWN_MATRIX), unknown: true };
  return { n: typeof m.concurrency === "number" ? m.concurrency : m.count, unknown: false };
}

/** OIDC jobs below the top-level jobs, reusable-workflow jobs included under their caller. */
function participants(tops: readonly JobNode[]): Participant[] {
  const out: Participant[] = [];
  const walk = (node: JobNode, path: JobNode[], weight: number, unknown: boolean): void => {
    const f = factor(node);
    const here = [...path, node];
    const w = weight * f.n;
    const u = unknown || f.unknown;
    if (w === 0) return;
    if (node.configureCalls.some((c) => c.oidc)) out.push({ node, path: here, weight: w, unknown: u });
    for (const child of node.called?.jobs ?? []) walk(child, here, w, u);
  };
  for (const t of tops) walk(t, [], 1, false);
  return out;
}

/** The jobs counted as running together with one participant. */
interface ConcurrentSet {
  /** Sum of the members' weights; an upper bound when `exact` is false. */
  weight: number;
  /** Heaviest first, then in workflow order; may stop after the first {@link MAX_LISTED_JOBS}. */
  members: Participant[];
  /** How many members there are in all. */
  count: number;
  /** A member's matrix has an unknown size. */
  unknown: boolean;
  exact: boolean;
}

/** Sum over every participant that can run together with one (the safe upper bound). */
interface OthersSum {
  weight: number;
  count: number;
  unknown: boolean;
  /** Those participants are pairwise concurrent, so the sum is the heaviest set itself. */
  exact: boolean;
}

/** One run of a workflow: the linted workflow itself, or a reusable workflow as one caller job starts it. */
interface Stage {
  order: NeedsOrder;
  /** Tracked column → indices (in `parts`) of the participants at or below that job. */
  below: number[][];
  /** Tracked column → sum of those participants' weights. */
  weight: Float64Array;
  /** Bits of the columns with a matrix of unknown size at or below. */
  unknownBits: Uint32Array;
  /** Bits of every column (the last word is partial). */
  all: Uint32Array;
  totalWeight: number;
  totalCount: number;
  /** Each column has one participant, all of one weight: sums are popcounts. */
  uniform: boolean;
  /** No participant of this stage waits for another one of it. */
  antichain: boolean;
  /** Every stage started from this one's jobs (transitively) is an antichain. */
  subExact: boolean;
  parent: Stage | undefined;
  memo: Map<number, OthersSum>;
}

/** Work (bitset words) allowed for proving sums exact, per workflow. */
const EXACTNESS_BUDGET = 1 << 24;

/**
 * Which OIDC jobs can run together, computed once per stage rather than per pair. Two participants run
 * together when, below the deepest job both paths share (a common caller), they continue through two
 * sibling jobs of one workflow that no `needs` path joins. Jobs of one called workflow are compared
 * within one call; copies of the call that a caller's matrix starts are counted through the weight, not
 * as extra overlaps between `needs`-ordered jobs.
 *
 * For each participant the sum over every participant that can run with it is found from the stages'
 * reachability bitsets (a popcount when the weights are equal). When at most {@link EXACT_LIMIT} jobs
 * are counted, the heaviest pairwise-concurrent set among them is searched exactly; above that the sum
 * is reported, exact when the counted jobs are pairwise concurrent (no `needs` between them) and
 * otherwise flagged as an upper bound.
 */
class Fanout {
  private readonly stages = new Map<JobNode | null, Stage>();
  private readonly byWeight: number[];
  private budget = EXACTNESS_BUDGET;

  constructor(private readonly parts: readonly Participant[]) {
    // Stages in the order their first participant reaches them: a caller's stage before its callee's.
    const members = new Map<JobNode | null, Map<string, number[]>>();
    const info = new Map<JobNode | null, { workflow: Workflow; parent: JobNode | null }>();
    const created: Array<JobNode | null> = [];
    parts.forEach((p, i) => {
      for (let l = 0; l < p.path.length; l++) {
        const key = l === 0 ? null : p.path[l - 1]!;
        let m = members.get(key);
        if (!m) {
          members.set(key, (m = new Map()));
          info.set(key, { workflow: p.path[l]!.workflow, parent: l <= 1 ? null : p.path[l - 2]! });
          created.push(key);
        }
        const id = p.path[l]!.job.id;
        let list = m.get(id);
        if (!list) m.set(id, (list = []));
        list.push(i);
      }
    });
    for (const key of created) {
      const { workflow, parent } = info.get(key)!;
      this.stages.set(key, this.stage(workflow.jobs, members.get(key)!, key ? this.stages.get(parent) : undefined));
    }
    // Exactness below each stage, children (created later) first.
    for (let i = created.length - 1; i >= 0; i--) {
      const s = this.stages.get(created[i]!)!;
      if (s.parent && !(s.antichain && s.subExact)) s.parent.subExact = false;
    }
    this.byWeight = parts.map((_, i) => i).sort((a, b) => parts[b]!.weight - parts[a]!.weight || a - b);
  }

  private stage(jobs: readonly { id: string; needs: readonly string[] }[], members: Map<string, number[]>, parent: Stage | undefined): Stage {
    const order = new NeedsOrder(jobs, (id) => members.has(id));
    const cols = order.tracked.length;
    const below: number[][] = [];
    const weight = new Float64Array(cols);
    const unknownBits = new Uint32Array(order.words);
    const all = new Uint32Array(order.words);
    let totalWeight = 0;
    let totalCount = 0;
    let uniform = true;
    order.tracked.forEach((id, c) => {
      const list = members.get(id)!;
      below.push(list);
      for (const i of list) {
        const p = this.parts[i]!;
        weight[c] += p.weight;
        if (p.unknown) unknownBits[c >>> 5]! |= 1 << (c & 31);
      }
      all[c >>> 5]! |= 1 << (c & 31);
      totalWeight += weight[c]!;
      totalCount += list.length;
      if (list.length !== 1 || weight[c] !== weight[0]) uniform = false;
    });
    // Jobs named in paths are always in the workflow; a missing one would only lose its bit.
    let antichain = true;
    for (const id of order.tracked) {
      const r = order.reach(id);
      if (!r || r.ancestors.some((w) => w !== 0)) {
        antichain = false;
        break;
      }
    }
    return { order, below, weight, unknownBits, all, totalWeight, totalCount, uniform, antichain, subExact: true, parent, memo: new Map() };
  }

  private stageAt(p: Participant, level: number): Stage {
    return this.stages.get(level === 0 ? null : p.path[level - 1]!)!;
  }

  /** Bits of the stage's participants' jobs that can run with job `id`, or undefined without bitsets. */
  private concurrentBits(s: Stage, id: string): Uint32Array | undefined {
    const r = s.order.reach(id);
    if (!r) return undefined;
    const out = new Uint32Array(s.order.words);
    for (let k = 0; k < out.length; k++) out[k] = ~(r.ancestors[k]! | r.descendants[k]!) & s.all[k]!;
    const c = s.order.columnOf(id);
    if (c >= 0) out[c >>> 5]! &= ~(1 << (c & 31));
    return out;
  }

  /** Sum over the participants of one stage that can run with job `id` of it. */
  private levelSum(s: Stage, id: string): OthersSum {
    const c = s.order.columnOf(id);
    const memo = s.memo.get(c);
    if (memo) return memo;
    const conc = this.concurrentBits(s, id);
    let out: OthersSum;
    if (!conc) {
      // Too large for bitsets: every other participant of the stage, an upper bound.
      const own = c >= 0 ? s.weight[c]! : 0;
      out = { weight: s.totalWeight - own, count: s.totalCount - (c >= 0 ? s.below[c]!.length : 0), unknown: s.unknownBits.some((w) => w !== 0), exact: false };
    } else {
      let bits = 0;
      let unknown = false;
      for (let k = 0; k < conc.length; k++) {
        bits += popcount(conc[k]!);
        if (conc[k]! & s.unknownBits[k]!) unknown = true;
      }
      let weight = 0;
      let count = 0;
      if (s.uniform) {
        weight = bits * (s.weight[0] ?? 0);
        count = bits;
      } else forEachBit(conc, (b) => {
        weight += s.weight[b]!;
        count += s.below[b]!.length;
      });
      out = { weight, count, unknown, exact: s.subExact && (s.antichain || bits === 0 || this.pairwiseConcurrent(s, conc, bits)) };
    }
    s.memo.set(c, out);
    return out;
  }

  /** No job of `conc` waits for another one of it (within the exactness budget). */
  private pairwiseConcurrent(s: Stage, conc: Uint32Array, bits: number): boolean {
    if (bits * conc.length > this.budget) return false;
    this.budget -= bits * conc.length;
    let ok = true;
    forEachBit(conc, (b) => {
      if (!ok) return;
      const anc = s.order.reach(s.order.tracked[b]!)!.ancestors;
      for (let k = 0; k < conc.length; k++) if (anc[k]! & conc[k]!) ok = false;
    });
    return ok;
  }

  /** Sum over every participant that can run together with `p`. */
  others(p: Participant): OthersSum {
    const out: OthersSum = { weight: 0, count: 0, unknown: false, exact: true };
    for (let l = 0; l < p.path.length; l++) {
      const part = this.levelSum(this.stageAt(p, l), p.path[l]!.job.id);
      out.weight += part.weight;
      out.count += part.count;
      out.unknown ||= part.unknown;
      out.exact &&= part.exact;
    }
    return out;
  }

  /** Whether two participants can run at the same moment (counted together, when the stage has no bitsets). */
  together(a: Participant, b: Participant): boolean {
    let i = 0;
    while (i < a.path.length && i < b.path.length && a.path[i] === b.path[i]) i++;
    if (i >= a.path.length || i >= b.path.length) return false;
    const s = this.stageAt(a, i);
    const x = a.path[i]!.job.id;
    const y = b.path[i]!.job.id;
    if (!s.order.reach(x)) return x !== y;
    return s.order.concurrent(x, y);
  }

  /** Every participant counted with `p`, in workflow order. */
  private counted(p: Participant): Participant[] {
    const found: number[] = [];
    for (let l = 0; l < p.path.length; l++) {
      const s = this.stageAt(p, l);
      const conc = this.concurrentBits(s, p.path[l]!.job.id);
      if (!conc) return this.parts.filter((q) => q !== p && this.together(p, q));
      forEachBit(conc, (b) => found.push(...s.below[b]!));
    }
    return found.sort((a, b) => a - b).map((i) => this.parts[i]!);
  }

  /** The heaviest set of participants that run together with `p`, given the sum over all of them. */
  heaviest(p: Participant, sum: OthersSum): ConcurrentSet {
    if (sum.count <= EXACT_LIMIT) {
      const others = this.counted(p);
      const set = heaviestConcurrentSet(others, (q) => q.weight, (a, b) => this.together(a, b));
      return { weight: set.weight, members: set.members, count: set.members.length, unknown: set.members.some((m) => m.unknown), exact: set.exact };
    }
    // Listed: the heaviest of the counted jobs, in workflow order among equals.
    const members: Participant[] = [];
    for (const i of this.byWeight) {
      if (members.length >= MAX_LISTED_JOBS) break;
      const q = this.parts[i]!;
      if (q !== p && this.together(p, q)) members.push(q);
    }
    return { weight: sum.weight, members, count: sum.count, unknown: sum.unknown, exact: sum.exact };
  }
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
}

function forEachBit(bits: Uint32Array, f: (bit: number) => void): void {
  for (let k = 0; k < bits.length; k++) {
    let w = bits[k]!;
    while (w !== 0) {
      const low = w & -w;
      f(k * 32 + 31 - Math.clz32(low));
      w ^= low;
    }
  }
}

// ---------- retry ----------

function declares(v: ConfigureVersion, input: string): boolean {
  if (v.inputs) return v.inputs.has(input);
  const since = inputIntroducedIn(input);
  return !!since && versionAtLeast(v, since) === true;
}

interface InputValue {
  value: string;
  /** The literal `with:` entry of the step, when the value is written there (not substituted). */
  entry?: Entry;
  /** Where the value comes from when not the step's own literal text. */
  origin?: string;
  /** The value is an environment variable standing in for the input (v4.2.0+). */
  env?: boolean;
}

/**
 * An input as the action sees it: the `with:` value; from v4.2.0 an environment variable named after
 * the input stands in when `with:` omits it (and in v4.2.0 alone it even wins over `with:`).
 */
function inputOf(node: JobNode, ts: TimelineStep, v: ConfigureVersion, name: string): InputValue | undefined {
  let fromWith: InputValue | undefined;
  for (const [k, value] of ts.with) {
    if (k.toLowerCase() !== name || value.trim() === "") continue;
    const entry = ts.step.with.entries.find((e) => e.key.toLowerCase() === name);
    const literal = entry?.value && !entry.value.isExpression && entry.value.value === value ? entry : undefined;
    fromWith = literal ? { value, entry: literal } : { value, origin: `from \`${entry?.value?.value ?? value}\`` };
  }
  let fromEnv: InputValue | undefined;
  if (versionAtLeast(v, "v4.2.0") === true) {
    const envName = name.toUpperCase().replace(/-/g, "_");
    const sources: Array<[string, string | undefined]> = [
      ["step env", ts.env.get(envName)],
      [`job env of \`${node.job.id}\``, node.job.env.entries.find((e) => e.key === envName)?.value?.value],
      ["workflow env", node.workflow.env.entries.find((e) => e.key === envName)?.value?.value],
    ];
    const hit = sources.find(([, val]) => val !== undefined && val.trim() !== "");
    if (hit) fromEnv = { value: hit[1]!, origin: `from \`${envName}\` in the ${hit[0]}`, env: true };
  }
  if (v.tag === "v4.2.0") return fromEnv ?? fromWith;
  return fromWith ?? fromEnv;
}

type Truth = "true" | "false" | "unknown";

function boolOf(iv: InputValue | undefined): Truth {
  if (!iv) return "false";
  if (iv.value.includes("${{")) return "unknown";
  return iv.value.trim().toLowerCase() === "true" ? "true" : "false";
}

/** The attempts `retry-max-attempts` yields: `parseInt(x) || 12`, raised to 1 when below 1. */
function attemptsOf(iv: InputValue | undefined): number | "unknown" {
  if (!iv) return 12;
  if (iv.value.includes("${{")) return "unknown";
  const n = Number.parseInt(iv.value.trim());
  if (!n) return 12;
  return n < 1 ? 1 : n;
}

function refText(v: ConfigureVersion): string {
  return /^[0-9a-f]{40}$/i.test(v.ref) ? `\`@${v.ref.slice(0, 7)}…\`` : `\`@${v.ref}\``;
}

function retryOff(ctx: RuleContext, node: JobNode, call: ConfigureCall): RetryOff | undefined {
  const v = call.version;
  const atLeast = versionAtLeast(v, RETRY_SINCE);
  // Unknown code: no guessing.
  if (atLeast === undefined) return undefined;
  const ts = node.timeline[call.timelineIndex]!;
  const file = ts.file;
  const maxParallel = "or limit how many of these jobs start together (`strategy.max-parallel`, or `needs:` between them)";
  if (atLeast === false) {
    const major = v.semver![0];
    const newest = newestTag(major);
    const off: RetryOff = {
      reason: `${refText(v)} runs ${v.tag} code, which has no retry (automatic retry arrived in ${RETRY_SINCE})`,
      options: [`upgrade to ${newest?.tag ?? "a release"} (the newest v${major}) or any release from ${RETRY_SINCE} on`, maxParallel],
    };
    const fix = file && newest ? upgradeFix(file, ts, v, newest) : undefined;
    if (fix) off.fix = fix;
    else off.fixNote = "no newer release of this major in the table, or the ref could not be located in the `uses:` value";
    return off;
  }

  const scw = "special-characters-workaround";
  if (declares(v, scw)) {
    const special = boolOf(inputOf(node, ts, v, scw));
    // The workaround forces retry on (12 attempts); an expression may or may not set it.
    if (special !== "false") return undefined;
  }
  const reasons: string[] = [];
  const options: string[] = [];
  const culprits: InputValue[] = [];
  if (declares(v, "disable-retry")) {
    const iv = inputOf(node, ts, v, "disable-retry");
    if (boolOf(iv) === "true") {
      reasons.push(`\`disable-retry: ${iv!.value.trim()}\`${iv!.origin ? ` (${iv!.origin})` : ""} turns retry off`);
      options.push("drop `disable-retry: true`");
      culprits.push(iv!);
    }
  }
  if (declares(v, "retry-max-attempts")) {
    const iv = inputOf(node, ts, v, "retry-max-attempts");
    const n = attemptsOf(iv);
    if (n === 1) {
      const raw = iv!.value.trim();
      const what = Number.parseInt(raw) === 1 ? "allows a single attempt" : "is raised to 1: a single attempt";
      reasons.push(`\`retry-max-attempts: ${raw}\`${iv!.origin ? ` (${iv!.origin})` : ""} ${what}`);
      options.push("raise `retry-max-attempts` to 2 or more (or drop it: the default is 12)");
      culprits.push(iv!);
    }
  }
  if (reasons.length === 0) return undefined;
  options.push(maxParallel);
  const off: RetryOff = { reason: reasons.join(" and "), options };
  const notLiteral = culprits.find((c) => !c.entry);
  if (notLiteral) {
    off.fixNote = notLiteral.env
      ? `the value comes ${notLiteral.origin}; change it there`
      : `the value comes ${notLiteral.origin}; change what the composite call or the reusable-workflow caller passes`;
  }
  else if (file) {
    const edits = removeEntries(file, ts, culprits.map((c) => c.entry!));
    if (edits) {
      off.fix = {
        description: `remove ${culprits.map((c) => `\`${c.entry!.key}\``).join(" and ")} so the action retries the token exchange (12 attempts)`,
        safe: true,
        edits,
      };
    } else off.fixNote = "the entries could not be removed without touching other text";
  }
  return off;
}

// ---------- fixes ----------

/** Deletes `with:` entries: whole lines in a block mapping, entry plus one comma in a flow mapping. */
function removeEntries(file: SourceFile, ts: TimelineStep, remove: readonly Entry[]): TextEdit[] | undefined {
  const text = file.text;
  const map = ts.step.with;
  const all = map.entries;
  if (!map.range) return undefined;
  const flow = text[map.range.start.offset] === "{";
  const drop = new Set(remove);
  if (all.every((e) => drop.has(e))) return undefined;
  const edits: TextEdit[] = [];
  if (!flow) {
    for (const e of remove) {
      const start = lineStartOf(text, e.keyRange.start.offset);
      if (text.slice(start, e.keyRange.start.offset).trim() !== "") return undefined;
      if (lineStartOf(text, e.range.end.offset) !== start) return undefined;
      const rest = text.slice(e.range.end.offset, nextLineStartOf(text, e.range.end.offset));
      if (!/^[ \t]*(#.*)?\r?\n?$/.test(rest)) return undefined;
      edits.push({ path: file.path, start, end: nextLineStartOf(text, e.range.end.offset), text: "" });
    }
    return edits;
  }
  // Flow mapping: remove each run of adjacent dropped entries with the comma on one side.
  const between = (a: number, b: number): boolean => /^\s*,\s*$/.test(text.slice(a, b));
  for (let i = 0; i < all.length; i++) {
    if (!drop.has(all[i]!)) continue;
    let j = i;
    while (j + 1 < all.length && drop.has(all[j + 1]!)) j++;
    for (let k = i; k < j; k++) if (!between(all[k]!.range.end.offset, all[k + 1]!.range.start.offset)) return undefined;
    if (i > 0) {
      const prev = all[i - 1]!;
      if (!between(prev.range.end.offset, all[i]!.range.start.offset)) return undefined;
      edits.push({ path: file.path, start: prev.range.end.offset, end: all[j]!.range.end.offset, text: "" });
    } else {
      const next = all[j + 1]!;
      if (!between(all[j]!.range.end.offset, next.range.start.offset)) return undefined;
      edits.push({ path: file.path, start: all[i]!.range.start.offset, end: next.range.start.offset, text: "" });
    }
    i = j;
  }
  return edits;
}

/**
 * Moves a pre-v1.6.1 ref to the newest release of its major: a tag becomes that tag; a commit SHA
 * becomes that release's commit, with its `# vX.Y.Z` comment updated or added (never inside a flow
 * mapping).
 */
function upgradeFix(file: SourceFile, ts: TimelineStep, v: ConfigureVersion, newest: { tag: string; commit: string }): Fix | undefined {
  const uses = ts.step.uses!;
  const text = file.text;
  const start = uses.node.range.start.offset;
  const end = uses.node.range.end.offset;
  const raw = text.slice(start, end);
  const at = raw.lastIndexOf(`@${v.ref}`);
  if (at < 0) return undefined;
  const refStart = start + at + 1;
  const refEnd = refStart + v.ref.length;
  const isSha = /^[0-9a-f]{40}$/i.test(v.ref);
  const edits: TextEdit[] = [{ path: file.path, start: refStart, end: refEnd, text: isSha ? newest.commit : newest.tag }];
  // A `#` comment inside a flow mapping would end the line in the middle of it.
  if (isSha && !isInFlowCollection(file, start)) {
    const rest = text.slice(end, lineEndOf(text, end));
    const comment = trailingCommentAfter(text, end);
    if (rest.trim() === "") edits.push({ path: file.path, start: end, end, text: ` # ${newest.tag}` });
    else if (comment && /\bv?\d+\.\d+(\.\d+)?\b/.test(comment.body)) {
      edits.push({ path: file.path, start: comment.start, end: comment.end, text: `# ${newest.tag}` });
    }
  }
  return {
    description: `upgrade ${refText(v)} to ${newest.tag}, the newest release of v${v.semver![0]} (retries since ${RETRY_SINCE}); newer code runs`,
    safe: false,
    edits,
  };
}

// ---------- message ----------

function code(s: string): string {
  return `\`${s.replace(/`/g, "'")}\``;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** "3×3 matrix = 9 jobs", "1 job", "a matrix of unknown size (counted as 2)"... */
function matrixText(node: JobNode): string {
  const m = node.matrix;
  if (!node.job.strategy?.matrix) return "1 job";
  if (m.count === "unknown") {
    const counted = Math.min(UNKNOWN_MATRIX, m.maxParallel ?? UNKNOWN_MATRIX);
    return `a matrix of unknown size${m.maxParallel !== undefined ? ` with max-parallel ${m.maxParallel}` : ""} (counted as ${counted})`;
  }
  const sizes = m.axisSizes;
  let s: string;
  if (sizes.length >= 2 || (sizes.length === 1 && m.product !== m.count)) {
    s = `${sizes.join("×")} matrix = ${plural(m.count, "job")}${m.product !== m.count ? " after include/exclude" : ""}`;
  } else s = `a matrix of ${plural(m.count, "job")}`;
  if (m.maxParallel !== undefined && m.maxParallel < m.count) s += `, at most ${m.maxParallel} at once (max-parallel)`;
  return s;
}

function ownTerm(p: Participant): string {
  let s = matrixText(p.node);
  let scaled = false;
  for (let i = p.path.length - 2; i >= 0; i--) {
    const caller = p.path[i]!;
    const f = factor(caller);
    if (f.n === 1) continue;
    s += ` × ${f.n} (${f.unknown ? "unknown-size matrix, counted as 2, of" : "matrix of"} calling job ${code(caller.job.id)})`;
    scaled = true;
  }
  if (scaled) s += ` = ${plural(p.weight, "job")}`;
  return s;
}

/** A job's id, prefixed by its callers' for jobs of called workflows (two callers may reach one `deploy`). */
function label(p: Participant): string {
  return p.path.map((n) => code(n.job.id)).join("→");
}

function where(p: Participant, ts: TimelineStep): string {
  const parts: string[] = [];
  if (ts.chain.length > 0) parts.push(`inside composite ${code(ts.chain[0]!.step.uses?.node.value ?? "")}`);
  if (p.path.length > 1) {
    const caller = p.path[p.path.length - 2]!;
    parts.push(`reusable workflow ${code(p.node.workflow.file.repoPath)} called by job ${code(caller.job.id)}`);
  }
  return parts.length ? ` (${parts.join(", ")})` : "";
}

function message(p: Participant, ts: TimelineStep, off: RetryOff, set: ConcurrentSet, total: number): string {
  const othersSum = total - p.weight;
  const arithmetic = othersSum > 0 ? `${ownTerm(p)}, plus ${plural(othersSum, "parallel job")}` : ownTerm(p);
  const notes: string[] = [];
  if (!set.exact) notes.push("an upper bound: too many OIDC jobs to compute the exact maximum");
  if (p.unknown || set.unknown) notes.push("each matrix of unknown size counted as 2");
  const count = 1 + set.count;
  const listing =
    [p, ...set.members].slice(0, MAX_LISTED_JOBS).map((m) => `${label(m)} ${m.weight}`).join(", ") +
    (count > MAX_LISTED_JOBS ? `, and ${count - MAX_LISTED_JOBS} more` : "");
  return (
    `OIDC token exchange without retry in job ${code(p.node.job.id)}${where(p, ts)}: ${off.reason}; ` +
    `${arithmetic}: up to ${total} simultaneous token exchanges (${[...notes, `per job: ${listing}`].join("; ")}). ` +
    `Under that load the identity provider intermittently fails with "${IDP_ERROR}", and nothing retries. ` +
    `Options: ${off.options.join("; ")}.`
  );
}

function callSites(p: Participant, ts: TimelineStep): RelatedLocation[] {
  const out: RelatedLocation[] = [];
  if (ts.chain.length > 0) {
    const site = ts.chain[0]!;
    if (site.step.uses) out.push({ path: site.file.path, range: site.step.uses.node.range, message: `composite call in job \`${p.node.job.id}\`` });
  }
  for (let i = p.path.length - 2; i >= 0; i--) {
    const caller = p.path[i]!;
    out.push({
      path: caller.workflow.file.path,
      range: caller.job.uses?.keyRange ?? caller.job.idRange,
      message: `job \`${caller.job.id}\` calls the reusable workflow holding job \`${p.node.job.id}\``,
    });
  }
  return out;
}

function peers(members: readonly Participant[]): RelatedLocation[] {
  const out: RelatedLocation[] = [];
  for (const m of members.slice(0, MAX_RELATED_JOBS)) {
    out.push({
      path: m.node.workflow.file.path,
      range: m.node.job.idRange,
      message: `job ${label(m)} can exchange OIDC tokens at the same time (${plural(m.weight, "job")})`,
    });
  }
  return out;
}

function mergeRelated(a: RelatedLocation[], b: RelatedLocation[]): RelatedLocation[] {
  const out = [...a];
  const seen = new Set(a.map((r) => `${r.path}\0${r.range.start.offset}`));
  for (const r of b) {
    const k = `${r.path}\0${r.range.start.offset}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(r);
  }
  return out;
}
