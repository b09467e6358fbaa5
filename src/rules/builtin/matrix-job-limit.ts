import { allJobNodes } from "../../graph/build-graph.js";
import type { Rule } from "../types.js";

/** GitHub refuses a matrix that yields more than 256 jobs. */
export const matrixJobLimit: Rule = {
  id: "matrix-job-limit",
  title: "Matrix yields more than 256 jobs",
  description: "Reports job matrices whose combinations exceed GitHub's limit of 256 jobs per workflow run matrix.",
  defaultLevel: "error",
  tags: ["correctness"],
  precision: "very-high",
  fixable: false,
  check(ctx) {
    for (const node of allJobNodes(ctx.graph)) {
      const m = node.job.strategy?.matrix;
      if (!m || !node.matrix.overLimit) continue;
      ctx.report({
        message: `matrix of job \`${node.job.id}\` yields ${jobCount(node.matrix.count)} (${axesText(node.matrix.axisSizes)} after include/exclude); GitHub allows at most 256 per matrix`,
        location: { path: node.workflow.file.path, range: m.keyRange },
      });
    }
  },
};

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

function axesText(sizes: readonly number[]): string {
  if (sizes.length <= LISTED_AXES) return sizes.join("×");
  return `${sizes.slice(0, LISTED_AXES - 2).join("×")}×…×${sizes[sizes.length - 1]} (${sizes.length} axes)`;
}
