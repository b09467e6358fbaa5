import type { Rule } from "../types.js";

/** YAML the parser rejects, files that are not UTF-8 text, alias bombs and size limits. */
export const yamlSyntax: Rule = {
  id: "yaml-syntax",
  title: "File is not valid YAML",
  description: "Reports YAML syntax errors, files that are not UTF-8 text, alias bombs and files above the size limit.",
  defaultLevel: "error",
  tags: ["correctness"],
  precision: "very-high",
  fixable: false,
  check(ctx) {
    return ctx.graph.diagnostics
      .filter((d) => d.ruleId === "yaml-syntax")
      .map((d) => ({ message: d.message, location: { path: d.file.path, range: d.range } }))
      .map((f) => ({ ...f, ruleId: "yaml-syntax", level: "error", related: [] }));
  },
};
