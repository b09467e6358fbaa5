import { diagnosticRule } from "./diagnostic-rule.js";
import type { Finding, Rule } from "../types.js";

const base = diagnosticRule({
  id: "workflow-schema",
  title: "Workflow or action does not match GitHub's schema",
  description: "Reports keys, values and expressions that GitHub's own workflow and action schema rejects.",
  defaultLevel: "error",
  tags: ["correctness"],
  precision: "very-high",
  fixable: false,
});

/**
 * Violations of GitHub's workflow and action schema (src/parse/schema.ts). Keys GitHub silently
 * ignores carry their own level (warning) on the diagnostic.
 */
export const workflowSchema: Rule = {
  ...base,
  check(ctx) {
    return ctx.graph.diagnostics
      .filter((d) => d.ruleId === "workflow-schema")
      .map(
        (d): Finding => ({
          ruleId: "workflow-schema",
          level: d.level ?? base.defaultLevel,
          message: d.message,
          location: { path: d.file.path, range: d.range },
          related: [],
        }),
      );
  },
};
