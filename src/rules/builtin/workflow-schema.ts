import type { Rule } from "../types.js";

/** Violations of GitHub's workflow and action schema, as @actions/workflow-parser reports them. */
export const workflowSchema: Rule = {
  id: "workflow-schema",
  title: "Workflow or action does not match GitHub's schema",
  description: "Reports keys, values and expressions that GitHub's own workflow and action schema rejects.",
  defaultLevel: "error",
  tags: ["correctness"],
  precision: "very-high",
  fixable: false,
  check(ctx) {
    return ctx.graph.diagnostics
      .filter((d) => d.ruleId === "workflow-schema")
      .map((d) => ({
        ruleId: "workflow-schema",
        level: "error",
        message: d.message,
        location: { path: d.file.path, range: d.range },
        related: [],
      }));
  },
};
