/** Rules that report the diagnostics the parser and loader collected for a file, one kind each. */
import type { FileDiagnostic } from "../../graph/types.js";
import type { Report, Rule, RuleMeta } from "../types.js";

/** The short parts of a diagnostic's finding (its message is the headline). */
export type DiagnosticParts = (d: FileDiagnostic) => Pick<Report, "why" | "hint" | "label">;

export function diagnosticRule(meta: RuleMeta & { id: FileDiagnostic["ruleId"] }, parts?: DiagnosticParts): Rule {
  return {
    ...meta,
    check(ctx) {
      for (const d of ctx.graph.diagnostics) {
        if (d.ruleId !== meta.id) continue;
        // A diagnostic may carry its own level (keys GitHub ignores are warnings).
        ctx.report({ message: d.message, ...parts?.(d), location: { path: d.file.path, range: d.range }, ...(d.level ? { level: d.level } : {}) });
      }
    },
  };
}
