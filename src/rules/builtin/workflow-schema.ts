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
}, (d) =>
  d.level === "warning"
    ? { why: "GitHub accepts the file but ignores this, so it does not do what it says", hint: "remove it, or move it where GitHub reads it", label: "ignored by GitHub" }
    : { why: "GitHub rejects the file, so none of its jobs run", hint: "correct it as the message says", label: "rejected by GitHub's schema" },
);
