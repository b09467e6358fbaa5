/**
 * Machine-readable output with a stable, versioned schema (documented in docs/json-format.md).
 * Bump `version` on any incompatible change.
 */
import type { Finding, Fix, Level, TextEdit } from "../rules/types.js";
import {
  compareEdits,
  compareFindings,
  countFindings,
  reportPath,
  sortFindings,
  stringifyJson,
  jsonArrayElements,
  TOOL_NAME,
  lineIndexLookup,
  type Counts,
} from "./common.js";
import type { ReportInput } from "./types.js";

export const JSON_FORMAT_VERSION = 1;

export interface JsonRelated {
  path: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  message: string;
}

export interface JsonEdit {
  path: string;
  /** Null when the file's text was not available to convert the offsets. */
  startLine: number | null;
  startColumn: number | null;
  endLine: number | null;
  endColumn: number | null;
  /** String offsets (UTF-16 code units) into the unmodified text, end exclusive. */
  start: number;
  end: number;
  text: string;
}

export interface JsonFix {
  description: string;
  safe: boolean;
  edits: JsonEdit[];
}

export interface JsonFinding {
  rule: string;
  level: Level;
  message: string;
  path: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  related: JsonRelated[];
  fix: JsonFix | null;
  fixNote: string | null;
}

export interface JsonSuppressed extends JsonFinding {
  reason: string;
}

export interface JsonReport {
  version: typeof JSON_FORMAT_VERSION;
  tool: { name: string; version: string };
  findings: JsonFinding[];
  suppressed: JsonSuppressed[];
  summary: Counts & { suppressed: number };
}

/** Converts findings to their JSON shape (one converter per report: it shares the line indexes). */
function converter(input: ReportInput): (f: Finding) => JsonFinding {
  const index = lineIndexLookup(input);
  const edit = (e: TextEdit): JsonEdit => {
    const idx = index(e.path);
    const s = idx?.at(e.start);
    const t = idx?.at(e.end);
    return {
      path: reportPath(e.path, input.cwd),
      startLine: s?.line ?? null,
      startColumn: s?.column ?? null,
      endLine: t?.line ?? null,
      endColumn: t?.column ?? null,
      start: e.start,
      end: e.end,
      text: e.text,
    };
  };
  const fix = (f: Fix): JsonFix => ({
    description: f.description,
    safe: f.safe,
    edits: [...f.edits].sort(compareEdits).map(edit),
  });
  return (f: Finding): JsonFinding => {
    const { start, end } = f.location.range;
    return {
      rule: f.ruleId,
      level: f.level,
      message: f.message,
      path: reportPath(f.location.path, input.cwd),
      line: start.line,
      column: start.column,
      endLine: end.line,
      endColumn: end.column,
      related: f.related.map((r) => ({
        path: reportPath(r.path, input.cwd),
        line: r.range.start.line,
        column: r.range.start.column,
        endLine: r.range.end.line,
        endColumn: r.range.end.column,
        message: r.message,
      })),
      fix: f.fix ? fix(f.fix) : null,
      fixNote: f.fixNote ?? null,
    };
  };
}

function sortedSuppressed(input: ReportInput): Array<{ finding: Finding; reason: string }> {
  return [...(input.suppressed ?? [])].sort((a, b) => compareFindings(a.finding, b.finding));
}

export function buildJson(input: ReportInput): JsonReport {
  const finding = converter(input);
  const findings = sortFindings(input.findings);
  const suppressed = sortedSuppressed(input).map((s) => ({ ...finding(s.finding), reason: s.reason }));
  return {
    version: JSON_FORMAT_VERSION,
    tool: { name: TOOL_NAME, version: input.toolVersion },
    findings: findings.map(finding),
    suppressed,
    summary: { ...countFindings(findings), suppressed: suppressed.length },
  };
}

/**
 * The JSON report as a sequence of chunks whose concatenation is `formatJson`'s text, byte for
 * byte. A run over many repositories can hold tens of thousands of findings: converting and
 * writing them one by one keeps only one finding's JSON in memory rather than the whole document
 * (and its object tree) at once.
 */
export function* formatJsonChunks(input: ReportInput): Generator<string> {
  const finding = converter(input);
  const findings = sortFindings(input.findings);
  const suppressed = sortedSuppressed(input);
  // JSON.stringify(report, null, 2) puts each element of a top-level array four spaces deep.
  function* array<T>(items: readonly T[], json: (item: T) => unknown): Generator<string> {
    if (items.length === 0) {
      yield "[]";
      return;
    }
    yield "[\n";
    yield* jsonArrayElements(items, 4, json);
    yield "\n  ]";
  }
  const tool = stringifyJson({ name: TOOL_NAME, version: input.toolVersion }, 2).replace(/\n/g, "\n  ");
  yield `{\n  "version": ${JSON_FORMAT_VERSION},\n  "tool": ${tool},\n  "findings": `;
  yield* array(findings, finding);
  yield `,\n  "suppressed": `;
  yield* array(suppressed, (s) => ({ ...finding(s.finding), reason: s.reason }));
  const summary = stringifyJson({ ...countFindings(findings), suppressed: suppressed.length }, 2).replace(/\n/g, "\n  ");
  yield `,\n  "summary": ${summary}\n}\n`;
}

export function formatJson(input: ReportInput): string {
  return `${stringifyJson(buildJson(input), 2)}\n`;
}
