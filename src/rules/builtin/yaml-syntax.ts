import { diagnosticRule } from "./diagnostic-rule.js";

/** YAML the parser rejects, files that are not UTF-8 text, alias bombs and size limits. */
export const yamlSyntax = diagnosticRule({
  id: "yaml-syntax",
  title: "File is not valid YAML",
  description: "Reports YAML syntax errors, files that are not UTF-8 text, alias bombs and files above the size limit.",
  defaultLevel: "error",
  tags: ["correctness"],
  precision: "very-high",
  fixable: false,
});
