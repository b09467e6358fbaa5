import { allJobNodes } from "../../graph/build-graph.js";
import type { Rule } from "../types.js";
import { axesText, jobCount } from "../support/matrix-text.js";

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
        why: "GitHub refuses to start a run whose matrix exceeds the limit",
        hint: "split the matrix over several jobs, or exclude combinations",
        label: `${jobCount(node.matrix.count)}`,
        location: { path: node.workflow.file.path, range: m.keyRange },
      });
    }
  },
};

