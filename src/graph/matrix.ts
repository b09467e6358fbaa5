/**
 * Matrix job counting, following GitHub's rules ("Running variations of jobs in a workflow"):
 *
 * 1. The base combinations are the cartesian product of every axis (every key but `include`/`exclude`).
 * 2. `exclude` runs first: an entry removes every base combination that matches all of its key/values
 *    (an entry naming only some axes removes every combination carrying those values).
 * 3. Each `include` entry is then merged into every remaining base combination whose ORIGINAL axis
 *    values agree with the entry (keys that are not original axes never conflict: they are added, and
 *    may overwrite what an earlier include added). An entry that fits no remaining base combination
 *    becomes one new job. New jobs are never merge targets for later entries.
 *
 * Counting is arithmetic: combinations are only enumerated when the product is small
 * (≤ {@link ENUMERATION_LIMIT}); otherwise exclusions are counted by a memoised search over the axes that
 * the excludes name, which is exact for overlapping excludes too (see {@link countJobs}).
 *
 * Values are compared as strings (the model stores scalars decoded, anything else as JSON). Axis values
 * and include/exclude values containing `${{ }}` are only known at run time: when such a value takes part
 * in a comparison the count is "unknown".
 */
import type { MatrixAxis, ScalarNode, Strategy } from "../model/types.js";
import type { MatrixInfo } from "./types.js";

/** GitHub runs at most this many jobs per matrix. */
export const GITHUB_MATRIX_LIMIT = 256;
/** Products up to this size are enumerated when include/exclude entries need comparing. */
export const ENUMERATION_LIMIT = 4096;
/** Search states allowed for the arithmetic exclusion count before falling back to a bound. */
export const SEARCH_BUDGET = 200_000;

export function computeMatrix(strategy: Strategy | undefined): MatrixInfo {
  const maxParallel = parseMaxParallel(strategy?.maxParallel);
  const matrix = strategy?.matrix;
  // No matrix: the job runs once.
  if (!matrix) return finish(1, 1, [], maxParallel);
  if (matrix.dynamic) return finish("unknown", undefined, [], maxParallel);

  // Sizes of the axes whose size is known; expression axes are left out (there is no number to show).
  const axisSizes = matrix.axes.flatMap((a) => (a.size === undefined ? [] : [a.size]));
  // GitHub rejects an axis with no values; the matrix yields no job whatever else it says.
  if (axisSizes.includes(0)) return finish(0, 0, axisSizes, maxParallel);
  if (axisSizes.length < matrix.axes.length) return finish("unknown", undefined, axisSizes, maxParallel);

  // With no axes there is no base combination at all (only include entries make jobs).
  const product = matrix.axes.length === 0 ? 0 : axisSizes.reduce((p, s) => p * s, 1);
  if (matrix.include === "dynamic" || matrix.exclude === "dynamic") {
    return finish("unknown", product, axisSizes, maxParallel);
  }
  return finish(countJobs(matrix.axes, matrix.exclude, matrix.include), product, axisSizes, maxParallel);
}

export interface CountOptions {
  /** Enumerate combinations when the product is at most this (default {@link ENUMERATION_LIMIT}). */
  enumerationLimit?: number;
  /** Search states allowed before falling back to a bound (default {@link SEARCH_BUDGET}). */
  searchBudget?: number;
}

/**
 * Number of jobs for literal axes (every `size` known) and literal include/exclude lists.
 *
 * Exact in all cases but one: when the exclusion search exceeds its budget (excludes naming many axes
 * with many different values over a product too large to enumerate), the count falls back to the lower
 * bound `max(0, product − Σ|combinations each exclude matches|)` plus the include entries that fit no
 * base combination for sure (entries that might merge add nothing). That bound is returned only when it
 * already exceeds {@link GITHUB_MATRIX_LIMIT}, so "over the limit" stays true; otherwise the result is
 * "unknown". Counts above 2^53 are floating-point approximations.
 *
 * Exposed for tests (enumeration and search can be checked against each other).
 */
export function countJobs(
  axes: readonly MatrixAxis[],
  exclude: ReadonlyArray<Record<string, string>>,
  include: ReadonlyArray<Record<string, string>>,
  options: CountOptions = {},
): number | "unknown" {
  if (axes.some((a) => a.size === undefined)) return "unknown";
  const data = axes.map(axisData);
  if (data.some((a) => a.size === 0)) return 0;
  const index = new Map<string, number>();
  data.forEach((a, i) => index.set(a.name, i));

  const excludes: Pattern[] = [];
  for (const entry of exclude) {
    const p = toPattern(entry, index, data, "exclude");
    if (p === "unknown") return "unknown";
    if (p !== "never") excludes.push(p);
  }
  // Include entries that could merge; the others are new jobs for sure.
  const candidates: Pattern[] = [];
  let newJobs = 0;
  for (const entry of include) {
    const p = toPattern(entry, index, data, "include");
    if (p === "unknown") return "unknown";
    if (p === "never") newJobs++;
    else candidates.push(p);
  }

  if (data.length === 0) return newJobs + candidates.length;
  const product = data.reduce((n, a) => n * a.size, 1);
  if (excludes.length === 0) {
    // Every candidate's values occur in their axes, so each fits at least one base combination.
    return product + newJobs;
  }

  if (product <= (options.enumerationLimit ?? ENUMERATION_LIMIT)) {
    return enumerate(data, excludes, candidates) + newJobs;
  }

  const counter = new ExclusionCounter(data, excludes, options.searchBudget ?? SEARCH_BUDGET);
  try {
    const remaining = counter.remaining([]);
    let count = remaining + newJobs;
    for (const p of candidates) {
      if (counter.remaining(p) === 0) count++;
    }
    return count;
  } catch (e) {
    if (!(e instanceof BudgetExceeded)) throw e;
    let lower = product;
    for (const p of excludes) lower -= matchCount(data, p);
    const bound = Math.max(0, lower) + newJobs;
    return bound > GITHUB_MATRIX_LIMIT ? bound : "unknown";
  }
}

/** An axis prepared for matching: value multiplicities (an axis may repeat a value: each is one job). */
interface AxisData {
  name: string;
  size: number;
  /** Values by position, or undefined when not known. */
  values?: readonly string[];
  counts: Map<string, number>;
  /** Values are unusable for comparison (unknown, or an element is an expression). */
  opaque: boolean;
}

/** Constraints of an include/exclude entry on original axes: (axis index, value), sorted by axis. */
type Pattern = ReadonlyArray<readonly [number, string]>;

function axisData(axis: MatrixAxis): AxisData {
  // countJobs has already turned away axes of unknown size.
  const size = axis.size ?? 0;
  const values = axis.values;
  const counts = new Map<string, number>();
  for (const v of values ?? []) counts.set(v, (counts.get(v) ?? 0) + 1);
  const opaque = values === undefined || values.length !== size || values.some(isExpression);
  return { name: axis.name, size, values, counts, opaque };
}

function isExpression(value: string): boolean {
  return value.includes("${{");
}

/**
 * An entry's constraints on original axes. "never" when it matches no base combination for sure
 * (a value its axis does not have; for excludes, also a key that is no axis — GitHub rejects those, and
 * counting it as matching nothing keeps the count from shrinking); "unknown" when a comparison involves a
 * run-time value.
 */
function toPattern(
  entry: Record<string, string>,
  index: ReadonlyMap<string, number>,
  data: readonly AxisData[],
  kind: "include" | "exclude",
): Pattern | "never" | "unknown" {
  const pattern: Array<readonly [number, string]> = [];
  let unknown = false;
  for (const [key, value] of Object.entries(entry)) {
    const i = index.get(key);
    // Not an original axis: an include adds the key; an exclude on it matches nothing.
    if (i === undefined) {
      if (kind === "exclude") return "never";
      continue;
    }
    const axis = data[i]!;
    if (axis.opaque || isExpression(value)) {
      unknown = true;
      continue;
    }
    if (!axis.counts.has(value)) return "never";
    pattern.push([i, value]);
  }
  if (unknown) return "unknown";
  return pattern.sort((a, b) => a[0] - b[0]);
}

/** Combinations matching a pattern, ignoring other patterns. */
function matchCount(data: readonly AxisData[], pattern: Pattern): number {
  let n = 1;
  const named = new Map(pattern);
  data.forEach((a, i) => {
    const v = named.get(i);
    n *= v === undefined ? a.size : (a.counts.get(v) ?? 0);
  });
  return n;
}

function matches(combo: readonly string[], pattern: Pattern): boolean {
  return pattern.every(([i, v]) => combo[i] === v);
}

/** Walk every base combination (the product is small), dropping excluded ones, then try each include. */
function enumerate(data: readonly AxisData[], excludes: readonly Pattern[], candidates: readonly Pattern[]): number {
  const remaining: string[][] = [];
  const positions = data.map(() => 0);
  for (;;) {
    // Axes no pattern names may have unknown values; any placeholder will do for them.
    const combo = positions.map((p, i) => data[i]!.values?.[p] ?? `#${p}`);
    if (!excludes.some((e) => matches(combo, e))) remaining.push(combo);
    // Odometer step: advance the last axis, carrying into earlier ones.
    let i = data.length - 1;
    while (i >= 0 && ++positions[i]! === data[i]!.size) positions[i--] = 0;
    if (i < 0) break;
  }
  let count = remaining.length;
  for (const p of candidates) {
    if (!remaining.some((c) => matches(c, p))) count++;
  }
  return count;
}

class BudgetExceeded extends Error {}

/**
 * Counts base combinations inside a box (some axes fixed to one value) that no exclude removes.
 *
 * Depth-first over the axes in order, carrying the excludes still "alive" (every key seen so far
 * matched). At an axis, the values named by alive excludes each get a branch weighted by how often the
 * value occurs; all other values share one "other" branch in which excludes naming this axis die.
 * An alive exclude whose last key is behind us matches the whole subtree (0 remaining); with no
 * alive exclude left, the subtree is the product of the remaining axis sizes. Subtrees depend only on
 * (depth, alive set), so they are memoised. The branching is bounded by the number of distinct values
 * the excludes name, never by the axis sizes, so 10^6 (or 10^30) combinations cost nothing.
 */
class ExclusionCounter {
  private readonly keyed: Array<ReadonlyMap<number, string>>;
  private readonly last: number[];
  private states = 0;

  constructor(
    private readonly data: readonly AxisData[],
    private readonly excludes: readonly Pattern[],
    private readonly budget: number,
  ) {
    this.keyed = excludes.map((e) => new Map(e));
    this.last = excludes.map((e) => (e.length === 0 ? -1 : e[e.length - 1]![0]));
  }

  /** Remaining (non-excluded) base combinations whose values agree with `box`. */
  remaining(box: Pattern): number {
    const data = this.data;
    const fixed = new Map(box);
    // Effective size of each axis inside the box.
    const size = data.map((a, i) => {
      const v = fixed.get(i);
      return v === undefined ? a.size : (a.counts.get(v) ?? 0);
    });
    const suffix: number[] = new Array<number>(data.length + 1).fill(1);
    for (let i = data.length - 1; i >= 0; i--) suffix[i] = size[i]! * suffix[i + 1]!;
    if (suffix[0] === 0) return 0;

    // Excludes disagreeing with the box cannot remove anything inside it.
    const start = this.excludes.flatMap((e, k) =>
      e.every(([i, v]) => !fixed.has(i) || fixed.get(i) === v) ? [k] : [],
    );
    const memo = new Map<string, number>();

    const visit = (depth: number, alive: readonly number[]): number => {
      if (alive.length === 0) return suffix[depth]!;
      if (alive.some((k) => this.last[k]! < depth)) return 0;
      const key = `${depth}|${alive.join(",")}`;
      const cached = memo.get(key);
      if (cached !== undefined) return cached;
      if (++this.states > this.budget) throw new BudgetExceeded();

      const byValue = new Map<string, number[]>();
      const passing: number[] = [];
      for (const k of alive) {
        const v = this.keyed[k]!.get(depth);
        if (v === undefined) passing.push(k);
        else {
          const list = byValue.get(v);
          if (list) list.push(k);
          else byValue.set(v, [k]);
        }
      }

      let total = 0;
      let covered = 0;
      const fixedValue = fixed.get(depth);
      for (const [v, named] of byValue) {
        const weight =
          fixedValue === undefined ? (data[depth]!.counts.get(v) ?? 0) : v === fixedValue ? size[depth]! : 0;
        if (weight === 0) continue;
        covered += weight;
        const next = [...passing, ...named].sort((a, b) => a - b);
        total += weight * visit(depth + 1, next);
      }
      const other = size[depth]! - covered;
      if (other > 0) total += other * visit(depth + 1, passing);

      memo.set(key, total);
      return total;
    };

    return visit(0, start);
  }
}

function parseMaxParallel(node: ScalarNode | undefined): number | undefined {
  if (!node || node.isExpression) return undefined;
  const text = node.value.trim();
  if (!/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  // GitHub wants a positive number; anything else is left to schema validation.
  return n >= 1 ? n : undefined;
}

function finish(
  count: number | "unknown",
  product: number | undefined,
  axisSizes: number[],
  maxParallel: number | undefined,
): MatrixInfo {
  const concurrency =
    count === "unknown" ? (maxParallel ?? "unknown") : maxParallel === undefined ? count : Math.min(count, maxParallel);
  const info: MatrixInfo = {
    count,
    axisSizes,
    concurrency,
    overLimit: count !== "unknown" && count > GITHUB_MATRIX_LIMIT,
  };
  if (product !== undefined) info.product = product;
  if (maxParallel !== undefined) info.maxParallel = maxParallel;
  return info;
}
