/**
 * Which fixes review tools may offer as suggestions (rdjsonl for reviewdog, `--format github`):
 * safe fixes only, one suggestion per finding (a fix's edits joined into one replacement), edits in
 * the finding's own file only, and never two suggestions on one line: when two findings' fixes
 * touch the same lines, the worse finding's (then the first one's) is kept.
 */
import type { Finding } from "../rules/types.js";
import { LEVEL_RANK } from "../rules/types.js";
import { compareFindings } from "./common.js";
import type { LineIndex } from "./positions.js";

export interface Suggestion {
  /** String offsets into the file's text (UTF-16), end exclusive. */
  start: number;
  end: number;
  /** What replaces `[start, end)`. */
  text: string;
  /** 1-based lines the replacement covers in the original text. */
  startLine: number;
  endLine: number;
}

/** One replacement for all of a safe fix's edits; undefined when the fix cannot be a suggestion. */
export function suggestionFor(f: Finding, idx: LineIndex | undefined): Suggestion | undefined {
  const fix = f.fix;
  if (!fix || !fix.safe || fix.edits.length === 0 || !idx) return undefined;
  // A suggestion has no path of its own: it applies to the diagnostic's file.
  if (fix.edits.some((e) => e.path !== f.location.path)) return undefined;
  const edits = [...fix.edits].sort((a, b) => a.start - b.start || a.end - b.end);
  const text = idx.text;
  let out = "";
  let pos = edits[0]!.start;
  for (const e of edits) {
    if (e.start < pos || e.end < e.start || e.end > text.length) return undefined; // overlapping or outside: not offered
    out += text.slice(pos, e.start) + e.text;
    pos = e.end;
  }
  const start = edits[0]!.start;
  const end = pos;
  const last = idx.at(end);
  // A replacement ending at the start of a line (a whole line removed) does not touch that line.
  const endLine = end > start && last.column === 1 ? Math.max(idx.at(start).line, last.line - 1) : last.line;
  return { start, end, text: out, startLine: idx.at(start).line, endLine };
}

/** The suggestion of each finding that gets one (see the module comment). */
export function pickSuggestions(findings: readonly Finding[], index: (path: string) => LineIndex | undefined): Map<Finding, Suggestion> {
  const order = [...findings].sort((a, b) => LEVEL_RANK[b.level] - LEVEL_RANK[a.level] || compareFindings(a, b));
  const claimed = new Map<string, Array<[number, number]>>();
  const out = new Map<Finding, Suggestion>();
  for (const f of order) {
    const s = suggestionFor(f, index(f.location.path));
    if (!s) continue;
    const lines = claimed.get(f.location.path) ?? [];
    if (lines.some(([a, b]) => s.startLine <= b && a <= s.endLine)) continue;
    lines.push([s.startLine, s.endLine]);
    claimed.set(f.location.path, lines);
    out.set(f, s);
  }
  return out;
}
