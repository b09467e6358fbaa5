import { diagnosticRule } from "./diagnostic-rule.js";

/**
 * Violations of GitHub's workflow and action schema (src/parse/schema.ts). Keys GitHub silently
 * ignores carry their own level (warning) on the diagnostic.
 */
export const workflowSchema = diagnosticRule({
  id: "workflow-schema",
  title: "Workflow or action does not match GitHub's schema",
  description: "Reports keys, values and expressions that GitHub's own workflow and action schema rejects.",
  defaultLevel: "error",
  tags: ["correctness"],
  precision: "very-high",
  fixable: false,
});
