/** Edit distance and "did you mean" suggestions for names (inputs, keys, refs). */

/**
 * Optimal-string-alignment distance (Damerau-Levenshtein restricted to adjacent transpositions):
 * insertions, deletions, substitutions and swaps of two neighbours each cost 1. Stops early and
 * returns `limit + 1` once every alignment exceeds `limit`, so scanning long lists stays cheap.
 */
export function editDistance(a: string, b: string, limit = Infinity): number {
  if (a === b) return 0;
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  const n = a.length;
  const m = b.length;
  if (n === 0) return m;
  if (m === 0) return n;
  // Three rolling rows: the transposition case looks two rows back.
  let prev2 = new Array<number>(m + 1).fill(0);
  let prev = Array.from({ length: m + 1 }, (_, j) => j);
  let cur = new Array<number>(m + 1).fill(0);
  for (let i = 1; i <= n; i++) {
    cur[0] = i;
    let rowMin = cur[0];
    for (let j = 1; j <= m; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2]! + 1);
      cur[j] = d;
      if (d < rowMin) rowMin = d;
    }
    if (rowMin > limit) return limit + 1;
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[m]!;
}

export interface Suggestion {
  /** The best candidate. */
  name: string;
  distance: number;
  /**
   * "typo": the only candidate within `maxDistance` edits (a rename is unambiguous).
   * "likely": the best candidate by a clear margin, or the only one containing the name as a
   * `-`-separated part; worth suggesting, not worth renaming automatically.
   */
  confidence: "typo" | "likely";
}

export interface SuggestOptions {
  /** Most edits for a typo; default 2. */
  maxDistance?: number;
  /** Compare case-insensitively (GitHub input names are case-insensitive); default true. */
  ignoreCase?: boolean;
}

/**
 * The candidate `name` most plausibly meant, or undefined when none stands out. Ties at the best
 * distance give no suggestion: guessing between two names would mislead.
 */
export function closestName(name: string, candidates: Iterable<string>, opts: SuggestOptions = {}): Suggestion | undefined {
  const maxDistance = opts.maxDistance ?? 2;
  const norm = (s: string) => (opts.ignoreCase === false ? s : s.toLowerCase());
  const target = norm(name);
  const scored: Array<{ name: string; distance: number }> = [];
  for (const c of new Set(candidates)) {
    if (norm(c) === target) continue;
    scored.push({ name: c, distance: editDistance(target, norm(c), Math.max(maxDistance, 6)) });
  }
  if (scored.length === 0 || target.length === 0) return undefined;
  scored.sort((x, y) => x.distance - y.distance || (x.name < y.name ? -1 : 1));
  const best = scored[0]!;
  const second = scored[1];
  const within = scored.filter((s) => s.distance <= maxDistance);
  if (within.length === 1) return { name: best.name, distance: best.distance, confidence: "typo" };
  if (within.length > 1) {
    // Several close names: suggest only if one is strictly closer than the rest.
    return second && second.distance > best.distance ? { name: best.name, distance: best.distance, confidence: "likely" } : undefined;
  }
  // Nothing within the typo threshold. A clear winner: a third of the name or less changed, and the
  // runner-up at least two edits further away.
  if (best.distance <= Math.ceil(target.length / 3) && (!second || second.distance >= best.distance + 2)) {
    return { name: best.name, distance: best.distance, confidence: "likely" };
  }
  // A shortened or extended name (`region` for `aws-region`, `session-name` for `role-session-name`).
  const parts = (s: string) => `-${s.replace(/_/g, "-")}-`;
  const containing = scored.filter((s) => parts(norm(s.name)).includes(parts(target)) || parts(target).includes(parts(norm(s.name))));
  if (containing.length === 1) return { name: containing[0]!.name, distance: containing[0]!.distance, confidence: "likely" };
  return undefined;
}
