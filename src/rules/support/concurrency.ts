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

/** The `needs` order of one workflow: reachability over `job.needs`, computed once. */
export class NeedsOrder {
  /** Job id → every job it waits for, directly or through other jobs. */
  private readonly ancestors = new Map<string, Set<string>>();

  constructor(jobs: readonly NeedsJob[]) {
    const direct = new Map<string, readonly string[]>();
    for (const j of jobs) direct.set(j.id, j.needs);
    for (const j of jobs) {
      // Iterative walk: a `needs` cycle (GitHub rejects those) must not recurse forever.
      const seen = new Set<string>();
      const stack = [...j.needs];
      while (stack.length > 0) {
        const id = stack.pop()!;
        if (seen.has(id) || !direct.has(id)) continue;
        seen.add(id);
        stack.push(...direct.get(id)!);
      }
      this.ancestors.set(j.id, seen);
    }
  }

  /** Jobs `id` waits for (transitively). */
  ancestorsOf(id: string): ReadonlySet<string> {
    return this.ancestors.get(id) ?? new Set();
  }

  /** True when a `needs` path leads from one job to the other. */
  ordered(a: string, b: string): boolean {
    return this.ancestorsOf(a).has(b) || this.ancestorsOf(b).has(a);
  }

  /** True when two different jobs can be running at the same moment. */
  concurrent(a: string, b: string): boolean {
    return a !== b && !this.ordered(a, b);
  }
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
