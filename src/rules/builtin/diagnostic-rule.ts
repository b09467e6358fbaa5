/** Rules that report the diagnostics the parser and loader collected for a file, one kind each. */
import type { FileDiagnostic } from "../../graph/types.js";
import type { Rule, RuleMeta } from "../types.js";

export function diagnosticRule(meta: RuleMeta & { id: FileDiagnostic["ruleId"] }): Rule {
  return {
    ...meta,
    check(ctx) {
      for (const d of ctx.graph.diagnostics) {
        if (d.ruleId !== meta.id) continue;
        // A diagnostic may carry its own level (keys GitHub ignores are warnings).
        ctx.report({ message: d.message, location: { path: d.file.path, range: d.range }, ...(d.level ? { level: d.level } : {}) });
      }
    },
  };
}
