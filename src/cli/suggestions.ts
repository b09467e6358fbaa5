/**
 * Suggestions are checked before review tools see them (rdjsonl, `--format github`): the picked
 * fixes (safe, one per finding, one per line: src/report/suggestions.ts) are applied together in
 * memory and the repository is linted again. A suggestion is dropped when, at the text it writes,
 * credflow would report an unpinned ref or the same rule again, or when the file gains a syntax or
 * schema problem; a reviewer is never offered a change credflow itself would flag.
 */
import type { Finding } from "../rules/types.js";
import { lint, type LintRequest } from "../engine/lint.js";
import type { RunResult } from "../engine/run.js";
import { LineIndex } from "../report/positions.js";
import { pickSuggestions, type Suggestion } from "../report/suggestions.js";

const STRUCTURE_RULES = new Set(["yaml-syntax", "workflow-schema"]);

interface Written {
  path: string;
  /** Where the suggestion's text lands in the edited file. */
  start: number;
  end: number;
}

/** The findings with `fix` kept only where it may be offered as a suggestion. */
export async function suggestableFindings(request: LintRequest, result: Pick<RunResult, "files" | "findings">): Promise<Finding[]> {
  const files = new Map(result.files.map((f) => [f.path, f]));
  const indexes = new Map<string, LineIndex>();
  const index = (p: string): LineIndex | undefined => {
    const file = files.get(p);
    if (!file?.absPath) return undefined; // standard input cannot be linted again with an edit
    if (!indexes.has(p)) indexes.set(p, new LineIndex(file.text));
    return indexes.get(p);
  };
  const picked = pickSuggestions(result.findings, index);
  const verified = new Set<Finding>();
  if (picked.size > 0) {
    const byFile = new Map<string, Array<[Finding, Suggestion]>>();
    for (const [f, s] of picked) {
      const list = byFile.get(f.location.path) ?? [];
      list.push([f, s]);
      byFile.set(f.location.path, list);
    }
    const overrides = new Map<string, Uint8Array>();
    const written = new Map<Finding, Written>();
    const encoder = new TextEncoder();
    for (const [p, list] of byFile) {
      const file = files.get(p)!;
      list.sort((a, b) => a[1].start - b[1].start);
      let text = "";
      let pos = 0;
      for (const [f, s] of list) {
        text += file.text.slice(pos, s.start);
        written.set(f, { path: p, start: text.length, end: text.length + s.text.length });
        text += s.text;
        pos = s.end;
      }
      text += file.text.slice(pos);
      overrides.set(file.absPath!, encoder.encode(text));
    }
    const after = await lint({ ...request, overrides, fixes: false });
    const structure = (findings: readonly Finding[], p: string) => findings.filter((f) => f.location.path === p && STRUCTURE_RULES.has(f.ruleId)).length;
    for (const [f, w] of written) {
      if (structure(after.findings, w.path) > structure(result.findings, w.path)) continue;
      const flagged = after.findings.some(
        (a) =>
          a.location.path === w.path &&
          (a.ruleId === "unpinned-ref" || a.ruleId === f.ruleId) &&
          a.location.range.start.offset <= w.end &&
          w.start <= a.location.range.end.offset,
      );
      if (!flagged) verified.add(f);
    }
  }
  // Every other fix is left out, so the reporters pick exactly the verified ones.
  return result.findings.map((f) => {
    if (!f.fix || verified.has(f)) return f;
    const { fix: _fix, ...rest } = f;
    return rest;
  });
}
