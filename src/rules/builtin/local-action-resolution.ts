import type { Rule } from "../types.js";

/** `uses: ./…` that cannot be followed: missing targets, cycles, paths leaving the repository, too deep. */
export const localActionResolution: Rule = {
  id: "local-action-resolution",
  title: "Local action or reusable workflow cannot be resolved",
  description: "Reports `uses: ./…` references that point to nothing, leave the repository, form a cycle, or nest deeper than GitHub allows.",
  defaultLevel: "error",
  tags: ["correctness"],
  precision: "high",
  fixable: false,
  check(ctx) {
    for (const i of ctx.graph.issues) {
      ctx.report({ level: i.kind === "depth" ? "warning" : "error", message: i.message, location: { path: i.file.path, range: i.range } });
    }
  },
};
