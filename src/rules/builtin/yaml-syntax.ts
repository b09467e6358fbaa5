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
}, () => ({
  why: "GitHub cannot load the file, so none of its jobs run, and credflow cannot follow credentials through it",
  hint: "correct the YAML at this place",
}));
