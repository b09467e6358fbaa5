/** How messages describe a job matrix: its size, the arithmetic behind it, and counts past 2^53. */
import type { JobNode } from "../../graph/types.js";
import { UNKNOWN_MATRIX } from "../../graph/concurrency.js";
import { plural } from "./wording.js";

/** "3×3 matrix = 9 jobs", "1 job", "a matrix of unknown size (counted as 2)"... */
export function matrixText(node: JobNode): string {
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

/** Axes listed in full up to this many; longer products are abbreviated. */
const LISTED_AXES = 8;

/**
 * A job count in words: exact up to 2^53 (plain digits, as test/hostile/matrix.test.ts reads them); beyond that the count is a
 * floating-point product, so only its magnitude is stated ("about 1×10^30 jobs"), and a product
 * past the largest double is "more than 10^308 jobs".
 */
export function jobCount(count: number | "unknown"): string {
  if (count === "unknown") return "an unknown number of jobs";
  if (!Number.isFinite(count)) return "more than 10^308 jobs";
  if (count <= Number.MAX_SAFE_INTEGER) return `${count} ${count === 1 ? "job" : "jobs"}`;
  const [mantissa, exponent] = count.toExponential(2).split("e");
  return `about ${Number(mantissa)}×10^${Number(exponent)} jobs`;
}

export function axesText(sizes: readonly number[]): string {
  if (sizes.length <= LISTED_AXES) return sizes.join("×");
  return `${sizes.slice(0, LISTED_AXES - 2).join("×")}×…×${sizes[sizes.length - 1]} (${sizes.length} axes)`;
}
