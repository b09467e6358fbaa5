import { diagnosticRule } from "./diagnostic-rule.js";

/** Files inside the repository that could not be linted: directories named like workflows, links leaving the repository. */
export const fileAccess = diagnosticRule({
  id: "file-access",
  title: "File could not be read",
  description: "Reports files in the repository that credflow could not read: symbolic links leaving the repository, directories named like workflows, unreadable files.",
  defaultLevel: "warning",
  tags: ["correctness"],
  precision: "very-high",
  fixable: false,
}, () => ({
  why: "credflow could not lint the file, so its findings, and those of the workflows that use it, are unknown",
  hint: "make the file a regular, readable file inside the repository, or list it under `ignore:`",
}));
