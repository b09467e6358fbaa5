/**
 * Which jobs of a workflow can run at the same time, and the heaviest set of jobs that can.
 *
 * Two jobs of one workflow run can overlap exactly when no `needs` path joins them (in either
 * direction). "Pairwise concurrent" sets are the antichains of the `needs` order, so the largest
 * number of things happening at once is a maximum-weight antichain.
 */

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
