/** Helpers shared by the reporters: ordering, counting, paths and safe text. */
import * as path from "node:path";
import type { Finding, RuleMeta, TextEdit } from "../rules/types.js";
import type { ReportInput } from "./types.js";
import { LineIndex } from "./positions.js";

export const TOOL_NAME = "credflow";
export const INFORMATION_URI = "https://github.com/credflow/credflow";

/** Link to the rule's documentation page in the repository. */
export function ruleHelpUri(id: string): string {
  return `${INFORMATION_URI}/blob/main/docs/rules/${encodeURIComponent(id)}.md`;
}

function cmp(a: string | number, b: string | number): number {
  // Code-unit order, not localeCompare: output must not depend on the machine's locale.
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Path, line, column, rule — then the rest, so equal-looking findings still order stably. */
export function compareFindings(a: Finding, b: Finding): number {
  const ra = a.location.range;
  const rb = b.location.range;
  return (
    cmp(a.location.path, b.location.path) ||
    cmp(ra.start.line, rb.start.line) ||
    cmp(ra.start.column, rb.start.column) ||
    cmp(a.ruleId, b.ruleId) ||
    cmp(ra.end.line, rb.end.line) ||
    cmp(ra.end.column, rb.end.column) ||
    cmp(a.message, b.message) ||
    cmp(a.level, b.level)
  );
}

/** Edits by path, then offset. */
export function compareEdits(a: TextEdit, b: TextEdit): number {
  return cmp(a.path, b.path) || cmp(a.start, b.start) || cmp(a.end, b.end);
}

export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(compareFindings);
}

export interface Counts {
  error: number;
  warning: number;
  note: number;
  /** Distinct files with at least one finding. */
  files: number;
}

export function countFindings(findings: readonly Finding[]): Counts {
  const counts: Counts = { error: 0, warning: 0, note: 0, files: 0 };
  for (const f of findings) counts[f.level]++;
  counts.files = new Set(findings.map((f) => f.location.path)).size;
  return counts;
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** "2 errors, 1 warning, 0 notes in 3 files (1 suppressed)", "No findings." or "No findings (1 suppressed)." */
export function summarize(counts: Counts, suppressed = 0): string {
  if (counts.error + counts.warning + counts.note === 0) {
    return suppressed > 0 ? `No findings (${suppressed} suppressed).` : "No findings.";
  }
  const line = `${plural(counts.error, "error")}, ${plural(counts.warning, "warning")}, ${plural(counts.note, "note")} in ${plural(counts.files, "file")}`;
  return suppressed > 0 ? `${line} (${suppressed} suppressed)` : line;
}

/** Relative `/`-separated path without a leading `./` (absolute paths inside `cwd` become relative). */
export function reportPath(p: string, cwd?: string): string {
  let out = p;
  if (cwd && path.isAbsolute(p)) {
    const rel = path.relative(cwd, p);
    if (rel !== "" && rel !== ".." && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel)) {
      out = rel.split(path.sep).join("/");
    }
  }
  return out.replace(/^(\.\/)+/, "");
}

const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;

function visible(ch: string): string {
  return `\\x${ch.charCodeAt(0).toString(16).padStart(2, "0")}`;
}

/**
 * One line of plain text: line breaks become spaces and other control characters (ESC among
 * them) become visible `\xNN`, so input text can neither split a line nor inject ANSI sequences.
 */
export function oneLine(s: string): string {
  return s.replace(/\r\n|[\r\n\u2028\u2029]/g, " ").replace(CONTROL, visible);
}

/** Control characters other than tab, LF and CR made visible as `\xNN`. */
export function visibleControls(s: string): string {
  return s.replace(CONTROL, visible);
}

const UNSAFE_IN_JSON = /[\u007f-\u009f\u2028\u2029]/;
const UNSAFE_IN_JSON_ALL = /[\u007f-\u009f\u2028\u2029]/g;

/**
 * JSON text whose bytes hold no raw control characters: JSON.stringify already escapes C0 (ESC
 * included) but leaves DEL and the C1 range (U+009B is a one-character CSI) and U+2028/U+2029.
 * The parsed value is unchanged.
 */
export function stringifyJson(value: unknown, indent?: number): string {
  const text = JSON.stringify(value, null, indent);
  // Almost no report has such a character: test once rather than rebuild the string.
  if (!UNSAFE_IN_JSON.test(text)) return text;
  return text.replace(UNSAFE_IN_JSON_ALL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/**
 * The elements of a JSON array, as `stringifyJson(doc, 2)` writes them when the array's elements
 * sit `indent` spaces deep in `doc` (an even number, at least 2): each element on its lines,
 * separated by ",\n", without the brackets. Converted and written in batches, so a report with
 * tens of thousands of elements never exists as one string; each batch is one JSON.stringify of
 * the batch wrapped in arrays that give it its depth.
 */
export function* jsonArrayElements<T>(items: readonly T[], indent: number, json: (item: T) => unknown, batch = 256): Generator<string> {
  const wraps = indent / 2 - 1;
  let open = "";
  let close = "";
  for (let i = 0; i <= wraps; i++) {
    open += `${" ".repeat(2 * i)}[\n`;
    close = `\n${" ".repeat(2 * i)}]${close}`;
  }
  for (let start = 0; start < items.length; start += batch) {
    let value: unknown = items.slice(start, start + batch).map(json);
    for (let i = 0; i < wraps; i++) value = [value];
    const text = stringifyJson(value, 2);
    yield `${start > 0 ? ",\n" : ""}${text.slice(open.length, text.length - close.length)}`;
  }
}

/** Like `oneLine` but keeps "\n" line breaks (normalising "\r\n" and "\r"). */
export function safeMultiline(s: string): string {
  return s.replace(/\r\n|[\r\u2028\u2029]/g, "\n").replace(CONTROL, visible);
}

/** Rule metadata by id. */
export function ruleMap(input: ReportInput): Map<string, RuleMeta> {
  return new Map(input.rules.map((r) => [r.id, r]));
}

/** Memoised `fileText`, so each file is indexed once per report. */
/** Line index of each file's text, built once per file (undefined when the text is not available). */
export function lineIndexLookup(input: ReportInput): (path: string) => LineIndex | undefined {
  const text = textLookup(input);
  const indexes = new Map<string, LineIndex | undefined>();
  return (p) => {
    if (!indexes.has(p)) {
      const t = text(p);
      indexes.set(p, t === undefined ? undefined : new LineIndex(t));
    }
    return indexes.get(p);
  };
}

export function textLookup(input: ReportInput): (path: string) => string | undefined {
  const cache = new Map<string, string | undefined>();
  return (p) => {
    if (!cache.has(p)) cache.set(p, input.fileText?.(p));
    return cache.get(p);
  };
}
