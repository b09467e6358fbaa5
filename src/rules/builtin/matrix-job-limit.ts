import { allJobNodes } from "../../graph/build-graph.js";
import type { Finding, Rule } from "../types.js";

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
    const out: Finding[] = [];
    const seen = new Set<string>();
    for (const node of allJobNodes(ctx.graph)) {
      const m = node.job.strategy?.matrix;
      if (!m || !node.matrix.overLimit) continue;
      const key = `${node.workflow.file.path}:${m.keyRange.start.offset}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({
        ruleId: "matrix-job-limit",
        level: "error",
        message: `matrix of job \`${node.job.id}\` yields ${node.matrix.count} jobs (${node.matrix.axisSizes.join("×")} after include/exclude); GitHub allows at most 256 per matrix`,
        location: { path: node.workflow.file.path, range: m.keyRange },
        related: [],
      });
    }
    return out;
  },
};
