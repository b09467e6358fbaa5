/**
 * reviewdog's native format: one Diagnostic JSON object per line, columns in UTF-8 bytes
 * (1-based, end exclusive), safe fixes as suggestions (one per finding, never two on one line).
 */
import type { Finding, Level, Location } from "../rules/types.js";
import { reportPath, ruleHelpUri, sortFindings, stringifyJson, TOOL_NAME, lineIndexLookup } from "./common.js";
import { pickSuggestions } from "./suggestions.js";
import type { ReportInput } from "./types.js";

export interface RdPosition {
  line: number;
  column: number;
}

export interface RdRange {
  start: RdPosition;
  end: RdPosition;
}

export interface RdDiagnostic {
  message: string;
  location: { path: string; range: RdRange };
  severity: "ERROR" | "WARNING" | "INFO";
  source: { name: string };
  code: { value: string; url: string };
  suggestions?: Array<{ range: RdRange; text: string }>;
  related_locations?: Array<{ message: string; location: { path: string; range: RdRange } }>;
}

const SEVERITY: Record<Level, RdDiagnostic["severity"]> = { error: "ERROR", warning: "WARNING", note: "INFO" };

export function buildRdjsonl(input: ReportInput): RdDiagnostic[] {
  const lineIndex = lineIndexLookup(input);

  const range = (loc: Location): RdRange => {
    const idx = lineIndex(loc.path);
    const { start, end } = loc.range;
    // Without the text the UTF-16 column is the best guess (exact for ASCII lines).
    return {
      start: { line: start.line, column: idx?.byteColumn(start) ?? start.column },
      end: { line: end.line, column: idx?.byteColumn(end) ?? end.column },
    };
  };

  // Safe fixes only, one suggestion per finding, never two on one line (src/report/suggestions.ts).
  const picked = pickSuggestions(input.findings, lineIndex);
  const suggestions = (f: Finding): RdDiagnostic["suggestions"] => {
    const s = picked.get(f);
    const idx = lineIndex(f.location.path);
    if (!s || !idx) return undefined;
    const a = idx.at(s.start);
    const b = idx.at(s.end);
    return [{ range: { start: { line: a.line, column: a.byteColumn }, end: { line: b.line, column: b.byteColumn } }, text: s.text }];
  };

  return sortFindings(input.findings).map((f) => {
    const d: RdDiagnostic = {
      message: f.message,
      location: { path: reportPath(f.location.path, input.cwd), range: range(f.location) },
      severity: SEVERITY[f.level],
      source: { name: TOOL_NAME },
      code: { value: f.ruleId, url: ruleHelpUri(f.ruleId) },
    };
    const s = suggestions(f);
    if (s) d.suggestions = s;
    if (f.related.length > 0) {
      d.related_locations = f.related.map((r) => ({
        message: r.message,
        location: { path: reportPath(r.path, input.cwd), range: range(r) },
      }));
    }
    return d;
  });
}

export function formatRdjsonl(input: ReportInput): string {
  return buildRdjsonl(input)
    .map((d) => `${stringifyJson(d)}\n`)
    .join("");
}
