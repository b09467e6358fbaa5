/**
 * reviewdog's native format: one Diagnostic JSON object per line, columns in UTF-8 bytes
 * (1-based, end exclusive), fixes as suggestions.
 */
import type { Finding, Level, Location } from "../rules/types.js";
import { compareEdits, reportPath, ruleHelpUri, sortFindings, stringifyJson, TOOL_NAME, lineIndexLookup } from "./common.js";
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

  const suggestions = (f: Finding): RdDiagnostic["suggestions"] => {
    const fix = f.fix;
    if (!fix || fix.edits.length === 0) return undefined;
    // A suggestion has no path of its own: it applies to the diagnostic's file. A fix that also
    // edits another file, or whose file text is unknown, cannot be offered in part.
    if (fix.edits.some((e) => e.path !== f.location.path)) return undefined;
    const idx = lineIndex(f.location.path);
    if (!idx) return undefined;
    return [...fix.edits].sort(compareEdits).map((e) => {
      const s = idx.at(e.start);
      const t = idx.at(e.end);
      return {
        range: { start: { line: s.line, column: s.byteColumn }, end: { line: t.line, column: t.byteColumn } },
        text: e.text,
      };
    });
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
