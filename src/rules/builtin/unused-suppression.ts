import type { Rule } from "../types.js";

export const UNUSED_SUPPRESSION_RULE_ID = "unused-suppression";

/**
 * Suppressions that suppress nothing. Its findings depend on every other rule's findings, so the
 * engine produces them while it applies suppressions (`settle` in src/engine/findings.ts, with the
 * texts from src/config/suppressions.ts); `check` does nothing. It is a registry entry like any rule
 * so that its level can be configured and the schema, the README, `credflow init`, `credflow rules`
 * and SARIF take its metadata from this one place.
 */
export const unusedSuppression: Rule = {
  id: UNUSED_SUPPRESSION_RULE_ID,
  title: "Suppression that suppresses nothing",
  description:
    "Reports `# credflow: ignore[…]` comments naming a rule id that does not exist (always), and, with `--report-unused-suppressions`, comments and `ignore-findings` entries that hide no finding.",
  defaultLevel: "warning",
  tags: ["maintainability"],
  precision: "very-high",
  fixable: "safe",
  check() {
    // Nothing to do here: the engine reports this rule's findings (see above).
  },
};
