/**
 * Helpers for fixes that must leave everything else byte for byte: line boundaries, line endings,
 * trailing comments, flow collections, and rewriting a scalar in its own quoting style.
 * All offsets are string offsets into `SourceFile.text` (which keeps a leading BOM).
 */
import { isCollection, parseDocument, visit, type Document } from "yaml";
import type { ScalarNode, SourceFile } from "../model/types.js";
import type { TextEdit } from "./types.js";

/** Offset of the first character of the line holding `offset`. */
export function lineStartOf(text: string, offset: number): number {
  return text.lastIndexOf("\n", offset - 1) + 1;
}

/** Offset just after the last character of the line holding `offset`, before its `\n` or `\r\n`. */
export function lineEndOf(text: string, offset: number): number {
  const nl = text.indexOf("\n", offset);
  if (nl < 0) return text.length;
  return nl > offset && text[nl - 1] === "\r" ? nl - 1 : nl;
}

/** Offset where the next line starts (after the line break), or the text length on the last line. */
export function nextLineStartOf(text: string, offset: number): number {
  const nl = text.indexOf("\n", offset);
  return nl < 0 ? text.length : nl + 1;
}

/** The file's line ending, taken from its first line break ("\n" when it has none). */
export function detectEol(text: string): "\r\n" | "\n" {
  const nl = text.indexOf("\n");
  return nl > 0 && text[nl - 1] === "\r" ? "\r\n" : "\n";
}

/** Whether the text starts with a UTF-8 byte order mark (decoded as U+FEFF). */
export function hasBom(text: string): boolean {
  return text.charCodeAt(0) === 0xfeff;
}

/** Leading spaces/tabs of the line holding `offset` (a BOM on the first line is not indentation). */
export function indentationOf(text: string, offset: number): string {
  let start = lineStartOf(text, offset);
  if (start === 0 && hasBom(text)) start = 1;
  let end = start;
  while (end < text.length && (text[end] === " " || text[end] === "\t")) end++;
  return text.slice(start, end);
}

/** A `# comment` that ends a line. `start` is the `#`, `end` the line's end (before `\r\n`). */
export interface TrailingComment {
  start: number;
  end: number;
  /** Text after `#` with surrounding spaces removed. */
  body: string;
}

/**
 * The comment on the rest of the line after `offset` (typically a scalar's end), when only
 * spaces or tabs separate them. Undefined when the line continues with anything else.
 */
export function trailingCommentAfter(text: string, offset: number): TrailingComment | undefined {
  const end = lineEndOf(text, offset);
  let i = offset;
  while (i < end && (text[i] === " " || text[i] === "\t")) i++;
  // YAML needs whitespace before a comment's `#`; right after a value it would be part of it.
  if (i >= end || text[i] !== "#" || i === offset) return undefined;
  return { start: i, end, body: text.slice(i + 1, end).trim() };
}

function documentOf(file: SourceFile): Document {
  // Rules get parsed files; parsing again is only a fallback for hand-built SourceFiles.
  return file.doc ?? parseDocument(file.text, { uniqueKeys: false });
}

/**
 * Whether `offset` lies inside a flow mapping or flow sequence (`{ … }`, `[ … ]`). Comments
 * must never be added there: a `#` would end the line in the middle of the collection.
 */
export function isInFlowCollection(file: SourceFile, offset: number): boolean {
  return flowRangesOf(file).some(([start, end]) => start <= offset && offset < end);
}

/** Ranges of the file's flow collections, computed once per file (rules ask for many offsets). */
const flowRangeCache = new WeakMap<SourceFile, Array<[number, number]>>();
function flowRangesOf(file: SourceFile): Array<[number, number]> {
  let ranges = flowRangeCache.get(file);
  if (!ranges) {
    const found: Array<[number, number]> = [];
    visit(documentOf(file), {
      Node(_key, node) {
        if (!isCollection(node) || !node.flow || !node.range) return undefined;
        found.push([node.range[0], node.range[1]]);
        // Everything inside a flow collection is flow: no need to descend.
        return visit.SKIP;
      },
    });
    ranges = found;
    flowRangeCache.set(file, ranges);
  }
  return ranges;
}

/**
 * Whether `value` written as a plain scalar reads back as the same string: one line, no
 * surrounding spaces, and parsed by `yaml` (inside a flow sequence when `inFlow`) to exactly it,
 * so `true`, `1.0`, `a: b` or `x # y` are refused.
 */
export function isPlainSafe(value: string, inFlow: boolean): boolean {
  if (value === "" || value !== value.trim() || /[\r\n\t]/.test(value)) return false;
  // Fast path for `owner/repo@ref`-like text: starts with a letter or digit, has only characters
  // without YAML meaning in or out of flow context, and a `/` or `@`, so it cannot read as a number,
  // boolean or null. Everything else goes through the parser.
  if (/^[A-Za-z0-9][A-Za-z0-9_.\/@+-]*$/.test(value) && /[/@]/.test(value)) return true;
  try {
    const doc = parseDocument(inFlow ? `[${value}]` : value);
    if (doc.errors.length > 0) return false;
    const parsed: unknown = doc.toJS();
    const got = inFlow ? (Array.isArray(parsed) && parsed.length === 1 ? parsed[0] : undefined) : parsed;
    return got === value;
  } catch {
    return false;
  }
}

/** `value` as a YAML double-quoted scalar (JSON's escapes are valid YAML escapes). */
export function doubleQuoted(value: string): string {
  return JSON.stringify(value);
}

/** `value` as a YAML single-quoted scalar; undefined when it spans lines (folding would change it). */
export function singleQuoted(value: string): string | undefined {
  return /[\r\n]/.test(value) ? undefined : `'${value.replace(/'/g, "''")}'`;
}

/**
 * Source text for `value` in the same style as `scalar` (plain, single- or double-quoted), falling
 * back to double quotes when the style cannot hold the value. Undefined for block scalars (`|`, `>`),
 * whose indentation rules make a one-span rewrite unreliable.
 */
export function scalarTextLike(scalar: ScalarNode, value: string, inFlow: boolean): string | undefined {
  switch (scalar.style) {
    case "BLOCK_LITERAL":
    case "BLOCK_FOLDED":
      return undefined;
    case "QUOTE_SINGLE":
      return singleQuoted(value) ?? doubleQuoted(value);
    case "QUOTE_DOUBLE":
      return doubleQuoted(value);
    default:
      return isPlainSafe(value, inFlow) ? value : doubleQuoted(value);
  }
}

/** Whether a scalar's source spans more than one line. */
export function isMultiline(file: SourceFile, scalar: ScalarNode): boolean {
  return /[\r\n]/.test(file.text.slice(scalar.range.start.offset, scalar.range.end.offset));
}

/**
 * An edit replacing `scalar` by `value`, keeping its quoting style (see scalarTextLike).
 * Undefined for block scalars.
 */
export function replaceScalarEdit(file: SourceFile, scalar: ScalarNode, value: string): TextEdit | undefined {
  const start = scalar.range.start.offset;
  const text = scalarTextLike(scalar, value, isInFlowCollection(file, start));
  if (text === undefined) return undefined;
  return { path: file.path, start, end: scalar.range.end.offset, text };
}
