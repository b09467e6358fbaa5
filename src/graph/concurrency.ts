/**
 * Which jobs of a workflow can run at the same time, and the heaviest set of jobs that can.
 *
 * Two jobs of one workflow run can overlap exactly when no `needs` path joins them (in either
 * direction). "Pairwise concurrent" sets are the antichains of the `needs` order, so the largest
 * number of things happening at once is a maximum-weight antichain.
 */

import type { Workflow } from "../model/types.js";
import type { JobNode } from "./types.js";

export interface NeedsJob {
  id: string;
  needs: readonly string[];
}

/** Reachability bits allowed per direction (2^30 bits = 128 MB, a 32,768-job chain) before {@link NeedsOrder} answers per query instead. */
export const REACHABILITY_BITS = 2 ** 30;

/**
 * The `needs` order of one workflow: reachability over `job.needs`, computed once.
 *
 * Jobs are grouped into strongly connected components (a `needs` cycle, which GitHub rejects, makes
 * its jobs wait for each other) by an iterative Tarjan walk, then every component gets a bitset of the
 * tracked jobs it waits for and of those waiting for it: O(edges × tracked / 32) time, no recursion, so
 * a 20,000-job chain takes milliseconds. Only "tracked" jobs (all by default) get a bit; when even
 * that exceeds {@link REACHABILITY_BITS}, questions are answered by a walk per query.
 */
export class NeedsOrder {
  /** Job id → row (its position among the distinct ids). */
  private readonly row = new Map<string, number>();
  /** Row → tracked column, or -1. */
  private readonly col: Int32Array;
  /** Row → strongly connected component. */
  private readonly comp: Int32Array;
  /** Row → the rows it needs (ids that name no job left out). */
  private readonly edges: number[][];
  /** 32-bit words per bitset. */
  readonly words: number;
  /** Tracked jobs, in the order of `jobs`. */
  readonly tracked: string[] = [];
  /** Component → bits of the tracked jobs it waits for / that wait for it (with itself when it is a cycle). */
  private readonly anc: Uint32Array | undefined;
  private readonly desc: Uint32Array | undefined;

  constructor(jobs: readonly NeedsJob[], track: (id: string) => boolean = () => true) {
    const needs: Array<readonly string[]> = [];
    for (const j of jobs) {
      // A repeated id keeps its last `needs` (as a map would).
      const r = this.row.get(j.id);
      if (r === undefined) {
        this.row.set(j.id, needs.length);
        needs.push(j.needs);
      } else needs[r] = j.needs;
    }
    const n = needs.length;
    this.col = new Int32Array(n).fill(-1);
    for (const [id, r] of this.row) {
      if (!track(id)) continue;
      this.col[r] = this.tracked.length;
      this.tracked.push(id);
    }
    this.edges = needs.map((ids) => {
      const out: number[] = [];
      for (const id of ids) {
        const t = this.row.get(id);
        if (t !== undefined) out.push(t);
      }
      return out;
    });
    const { comp, order } = components(this.edges);
    this.comp = comp;
    this.words = Math.ceil(this.tracked.length / 32);
    const m = order.length;
    if (m * this.words * 32 > REACHABILITY_BITS) return;

    const w = this.words;
    const anc = new Uint32Array(m * w);
    const desc = new Uint32Array(m * w);
    const own = new Uint32Array(m * w);
    const cyclic = new Uint8Array(m);
    for (let r = 0; r < n; r++) {
      const c = comp[r]!;
      if (this.col[r]! >= 0) own[c * w + (this.col[r]! >>> 5)]! |= 1 << (this.col[r]! & 31);
      for (const t of this.edges[r]!) if (comp[t] === c) cyclic[c] = 1;
    }
    // `order` lists components after every component they need: pull ancestors in that order.
    for (const c of order) {
      for (const r of order.members(c)) {
        for (const t of this.edges[r]!) {
          const d = comp[t]!;
          if (d === c) continue;
          for (let k = 0; k < w; k++) anc[c * w + k]! |= anc[d * w + k]! | own[d * w + k]!;
        }
      }
      if (cyclic[c]) for (let k = 0; k < w; k++) anc[c * w + k]! |= own[c * w + k]!;
    }
    // And push descendants the other way round.
    for (let i = m - 1; i >= 0; i--) {
      const c = order[i]!;
      if (cyclic[c]) for (let k = 0; k < w; k++) desc[c * w + k]! |= own[c * w + k]!;
      for (const r of order.members(c)) {
        for (const t of this.edges[r]!) {
          const d = comp[t]!;
          if (d === c) continue;
          for (let k = 0; k < w; k++) desc[d * w + k]! |= desc[c * w + k]! | own[c * w + k]!;
        }
      }
    }
    this.anc = anc;
    this.desc = desc;
  }

  /** The tracked column of a job, or -1. */
  columnOf(id: string): number {
    const r = this.row.get(id);
    return r === undefined ? -1 : this.col[r]!;
  }

  /**
   * Bits (over tracked columns) of the jobs `id` waits for and of the jobs waiting for it, or undefined
   * for an unknown job or when the order is too large for bitsets.
   */
  reach(id: string): { ancestors: Uint32Array; descendants: Uint32Array } | undefined {
    const r = this.row.get(id);
    if (r === undefined || !this.anc || !this.desc) return undefined;
    const c = this.comp[r]!;
    const w = this.words;
    return { ancestors: this.anc.subarray(c * w, c * w + w), descendants: this.desc.subarray(c * w, c * w + w) };
  }

  /** Tracked jobs `id` waits for (transitively). */
  ancestorsOf(id: string): ReadonlySet<string> {
    const out = new Set<string>();
    const r = this.row.get(id);
    if (r === undefined) return out;
    for (const t of this.walk(r)) if (this.col[t]! >= 0) out.add(this.tracked[this.col[t]!]!);
    return out;
  }

  /** True when a `needs` path leads from one job to the other. */
  ordered(a: string, b: string): boolean {
    const ra = this.row.get(a);
    const rb = this.row.get(b);
    if (ra === undefined || rb === undefined) return false;
    const cb = this.col[rb]!;
    const ca = this.col[ra]!;
    if (this.anc && this.desc && (cb >= 0 || ca >= 0)) {
      const [r, c] = cb >= 0 ? [ra, cb] : [rb, ca];
      const at = this.comp[r]! * this.words + (c >>> 5);
      const bit = 1 << (c & 31);
      return ((this.anc[at]! | this.desc[at]!) & bit) !== 0;
    }
    return this.walk(ra).has(rb) || this.walk(rb).has(ra);
  }

  /** True when two different jobs can be running at the same moment. */
  concurrent(a: string, b: string): boolean {
    return a !== b && !this.ordered(a, b);
  }

  /** Rows reachable from `r` through `needs` (itself only through a cycle); iterative. */
  private walk(r: number): Set<number> {
    const seen = new Set<number>();
    const stack = [...this.edges[r]!];
    while (stack.length > 0) {
      const t = stack.pop()!;
      if (seen.has(t)) continue;
      seen.add(t);
      for (const u of this.edges[t]!) stack.push(u);
    }
    return seen;
  }
}

interface ComponentOrder extends Array<number> {
  /** Rows of a component. */
  members(c: number): readonly number[];
}

/**
 * Strongly connected components of `edges` (Tarjan, with an explicit stack). Components are numbered
 * and listed in the order Tarjan completes them: every component after all components it reaches.
 */
function components(edges: readonly (readonly number[])[]): { comp: Int32Array; order: ComponentOrder } {
  const n = edges.length;
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const comp = new Int32Array(n).fill(-1);
  const stack: number[] = [];
  const groups: number[][] = [];
  const callRow: number[] = [];
  const callEdge: number[] = [];
  let next = 0;
  for (let s = 0; s < n; s++) {
    if (index[s]! >= 0) continue;
    callRow.push(s);
    callEdge.push(0);
    index[s] = low[s] = next++;
    stack.push(s);
    onStack[s] = 1;
    while (callRow.length > 0) {
      const top = callRow.length - 1;
      const v = callRow[top]!;
      const out = edges[v]!;
      const e = callEdge[top]!;
      if (e < out.length) {
        callEdge[top] = e + 1;
        const u = out[e]!;
        if (index[u]! < 0) {
          index[u] = low[u] = next++;
          stack.push(u);
          onStack[u] = 1;
          callRow.push(u);
          callEdge.push(0);
        } else if (onStack[u]) low[v] = Math.min(low[v]!, index[u]!);
        continue;
      }
      callRow.pop();
      callEdge.pop();
      if (callRow.length > 0) {
        const parent = callRow[callRow.length - 1]!;
        low[parent] = Math.min(low[parent]!, low[v]!);
      }
      if (low[v] === index[v]) {
        const group: number[] = [];
        let u: number;
        do {
          u = stack.pop()!;
          onStack[u] = 0;
          comp[u] = groups.length;
          group.push(u);
        } while (u !== v);
        groups.push(group);
      }
    }
  }
  const order = groups.map((_, i) => i) as ComponentOrder;
  order.members = (c) => groups[c]!;
  return { comp, order };
}

export interface HeaviestSet<T> {
  /** Sum of the members' weights; an upper bound when `exact` is false. */
  weight: number;
  members: T[];
  /** False when the search gave up and `weight` is the sum over every candidate. */
  exact: boolean;
}

export interface HeaviestSetOptions {
  /** Up to this many candidates the search always runs to the end. */
  exactLimit?: number;
  /** Search nodes allowed beyond `exactLimit` candidates before settling for the upper bound. */
  budget?: number;
}

/** Candidates up to which the search is always exact (2^20 subsets at worst, far fewer with pruning). */
export const EXACT_LIMIT = 20;
export const SEARCH_BUDGET = 200_000;

class OutOfBudget extends Error {}

/**
 * The heaviest set of pairwise concurrent candidates (a maximum-weight clique of the "concurrent"
 * graph, i.e. a maximum-weight antichain of the `needs` order), by branch and bound.
 *
 * The exact problem is polynomial on a partial order (weighted Dilworth, via flows), but workflows
 * have few jobs that exchange OIDC tokens; branch and bound is simpler and exact up to
 * {@link EXACT_LIMIT} candidates. Past that it gets {@link SEARCH_BUDGET} nodes; when they run out, the
 * result is the sum over all candidates (never less than the truth) with `exact: false`.
 */
export function heaviestConcurrentSet<T>(
  candidates: readonly T[],
  weight: (t: T) => number,
  concurrent: (a: T, b: T) => boolean,
  options: HeaviestSetOptions = {},
): HeaviestSet<T> {
  const items = candidates.filter((c) => weight(c) > 0).sort((a, b) => weight(b) - weight(a));
  const n = items.length;
  const w = items.map(weight);
  const adj = items.map((a) => items.map((b) => a !== b && concurrent(a, b)));
  const limited = n > (options.exactLimit ?? EXACT_LIMIT);
  const budget = options.budget ?? SEARCH_BUDGET;
  let visited = 0;
  let best: number[] = [];
  let bestWeight = 0;

  // `open` holds indices (heaviest first) concurrent with everything in `chosen`.
  const search = (chosen: number[], chosenWeight: number, open: number[]): void => {
    if (limited && ++visited > budget) throw new OutOfBudget();
    if (chosenWeight > bestWeight) {
      bestWeight = chosenWeight;
      best = [...chosen];
    }
    let remaining = open.reduce((s, i) => s + w[i]!, 0);
    for (let k = 0; k < open.length; k++) {
      // Even taking every open candidate cannot beat the best set found so far.
      if (chosenWeight + remaining <= bestWeight) return;
      const v = open[k]!;
      const next = open.slice(k + 1).filter((u) => adj[v]![u]);
      search([...chosen, v], chosenWeight + w[v]!, next);
      remaining -= w[v]!;
    }
  };

  try {
    search([], 0, items.map((_, i) => i));
  } catch (e) {
    if (!(e instanceof OutOfBudget)) throw e;
    return { weight: w.reduce((s, x) => s + x, 0), members: [...items], exact: false };
  }
  return { weight: bestWeight, members: best.map((i) => items[i]!), exact: true };
}

// ---------- jobs that run at the same time, across reusable-workflow calls ----------

/** A matrix whose size only the run knows counts as this many jobs. */
export const UNKNOWN_MATRIX = 2;

/** One job (anywhere below a top-level workflow) that takes part in a count. */
export interface Participant {
  node: JobNode;
  /** From the top-level job of the linted workflow down to `node` (callers of reusable workflows first). */
  path: JobNode[];
  /** Copies of the job that can run at once: its matrix concurrency times its callers'. */
  weight: number;
  /** A matrix of unknown size took part (counted as {@link UNKNOWN_MATRIX}). */
  unknown: boolean;
}



/** Copies of a job that run at once: its matrix concurrency ("unknown" counts as 2, capped by max-parallel). */
export function factor(node: JobNode): { n: number; unknown: boolean } {
  const m = node.matrix;
  if (m.count === "unknown") return { n: Math.min(UNKNOWN_MATRIX, m.maxParallel ?? UNKNOWN_MATRIX), unknown: true };
  return { n: typeof m.concurrency === "number" ? m.concurrency : m.count, unknown: false };
}

/** Jobs below the top-level jobs that `takesPart` selects, reusable-workflow jobs included under their caller. */
export function participants(tops: readonly JobNode[], takesPart: (node: JobNode) => boolean): Participant[] {
  const out: Participant[] = [];
  const walk = (node: JobNode, path: JobNode[], weight: number, unknown: boolean): void => {
    const f = factor(node);
    const here = [...path, node];
    const w = weight * f.n;
    const u = unknown || f.unknown;
    if (w === 0) return;
    if (takesPart(node)) out.push({ node, path: here, weight: w, unknown: u });
    for (const child of node.called?.jobs ?? []) walk(child, here, w, u);
  };
  for (const t of tops) walk(t, [], 1, false);
  return out;
}

/** The jobs counted as running together with one participant. */
export interface ConcurrentSet {
  /** Sum of the members' weights; an upper bound when `exact` is false. */
  weight: number;
  /** Heaviest first, then in workflow order; may stop after the first few listed. */
  members: Participant[];
  /** How many members there are in all. */
  count: number;
  /** A member's matrix has an unknown size. */
  unknown: boolean;
  exact: boolean;
}

/** Sum over every participant that can run together with one (the safe upper bound). */
export interface OthersSum {
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
export class ConcurrentJobs {
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

  /**
   * The heaviest set of participants that run together with `p`, given the sum over all of them;
   * above the exact-search limit, the `listed` heaviest members (the sum stays the whole sum).
   */
  heaviest(p: Participant, sum: OthersSum, listed: number): ConcurrentSet {
    if (sum.count <= EXACT_LIMIT) {
      const others = this.counted(p);
      const set = heaviestConcurrentSet(others, (q) => q.weight, (a, b) => this.together(a, b));
      return { weight: set.weight, members: set.members, count: set.members.length, unknown: set.members.some((m) => m.unknown), exact: set.exact };
    }
    // Listed: the heaviest of the counted jobs, in workflow order among equals.
    const members: Participant[] = [];
    for (const i of this.byWeight) {
      if (members.length >= listed) break;
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

