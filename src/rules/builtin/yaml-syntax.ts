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
}, (d) => {
  // The message says which kind of problem it is; the why and fix follow from it.
  if (/above credflow's limit/.test(d.message)) {
    return { why: "credflow does not read files this large, so its findings are unknown", hint: "split the file, or list it under `ignore:`" };
  }
  if (/UTF-8|UTF-16|NUL|binary/i.test(d.message)) {
    return { why: "GitHub reads workflow files as UTF-8 text only, so this one does not run", hint: "save the file as UTF-8 text" };
  }
  if (/alias|nested|nesting/i.test(d.message)) {
    return { why: "credflow stops analysing a file this deep or this expanded, so its findings are unknown", hint: "flatten the structure, or drop the repeated aliases" };
  }
  return {
    why: "GitHub cannot load the file, so none of its jobs run, and credflow cannot follow credentials through it",
    hint: "correct the YAML at this place",
  };
});
