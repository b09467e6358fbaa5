/**
 * YAML edit operations over a file's original text: the only place that computes byte offsets for
 * fixes. Each operation leaves every other byte as it was (comments, quoting, indentation, line
 * endings, a BOM) and returns undefined when it cannot do its job without touching other text; the
 * fixer re-parses the result. Rules describe what to change in terms of model nodes.
 */
import type { Entry, EntryMap, Range, ScalarNode, SourceFile } from "../model/types.js";
import type { TextEdit } from "./types.js";
import {
  detectEol,
  indentationOf,
  isInFlowCollection,
  isMultiline,
  lineEndOf,
  lineStartOf,
  nextLineStartOf,
  scalarTextLike,
  trailingCommentAfter,
} from "./text.js";

// ---------- scalars ----------

/**
 * Replaces a scalar's value, keeping its quoting style. With `typed`, `value` is written as plain
 * text even when YAML reads it as a boolean or number (a `true` that is meant to be a boolean);
 * otherwise a plain scalar that would change type is double-quoted. Undefined for block scalars.
 */
export function replaceScalar(file: SourceFile, scalar: ScalarNode, value: string, opts: { typed?: boolean } = {}): TextEdit | undefined {
  const start = scalar.range.start.offset;
  const end = scalar.range.end.offset;
  if (opts.typed) {
    const raw = file.text.slice(start, end);
    let text: string;
    if (scalar.style === "PLAIN" || scalar.style === undefined) text = value;
    else if (scalar.style === "QUOTE_SINGLE" && raw.startsWith("'")) text = `'${value}'`;
    else if (scalar.style === "QUOTE_DOUBLE" && raw.startsWith('"')) text = `"${value}"`;
    else return undefined; // block scalars: rewriting them in place is not worth the risk
    return { path: file.path, start, end, text };
  }
  const text = scalarTextLike(scalar, value, isInFlowCollection(file, start));
  if (text === undefined) return undefined;
  return { path: file.path, start, end, text };
}

/**
 * Comments that tools read from their first word (`# credflow: ignore[…]`, `# renovate: …`,
 * `# noqa`, `# yamllint disable-line`): text put in front would break them.
 */
const DIRECTIVE_COMMENT = /^(?:[\w.-]+:|(?:noqa|nosec|nolint|yamllint|pragma|eslint-disable[\w-]*)(?![\w-]))/i;

export interface CommentedReplacement {
  edit: TextEdit;
  /** True when a `# comment` was wanted but not written because the value is in a flow collection. */
  commentDropped: boolean;
  /** True when the line's comment is a tool directive, left exactly as it was (no comment added). */
  directiveKept?: boolean;
}

/**
 * Replaces a one-line scalar (keeping its quotes) and sets the line's trailing comment to
 * `# comment` when one is given:
 * - no comment on the line: ` # comment` is appended after the value;
 * - a comment whose first word is a version or a commit (`v4`, `v4.1.0`, `1a2b3c4`), or a word
 *   `isRefWord` accepts: that word is replaced, the rest of the comment is kept;
 * - a tool directive (`# credflow: ignore[…]`, `# renovate: …`, `# noqa`): left as it is, and no
 *   comment is written (reported as `directiveKept`);
 * - any other comment: `comment` is put in front of its text, so the line keeps one comment.
 * Inside flow collections no comment is written (it would cut the collection); `inFlow` may be given
 * when the caller knows (it saves a parse). Undefined for block or multi-line scalars.
 */
export function replaceScalarWithComment(
  file: SourceFile,
  scalar: ScalarNode,
  value: string,
  opts: { comment?: string; isRefWord?: (word: string) => boolean; inFlow?: boolean } = {},
): CommentedReplacement | undefined {
  if (isMultiline(file, scalar)) return undefined;
  const start = scalar.range.start.offset;
  const end = scalar.range.end.offset;
  const inFlow = opts.inFlow ?? isInFlowCollection(file, start);
  const text = scalarTextLike(scalar, value, inFlow);
  if (text === undefined) return undefined;
  const comment = opts.comment;
  if (comment === undefined || inFlow) return { edit: { path: file.path, start, end, text }, commentDropped: comment !== undefined };
  const existing = trailingCommentAfter(file.text, end);
  if (!existing) return { edit: { path: file.path, start, end, text: `${text} # ${comment}` }, commentDropped: false };
  const gap = file.text.slice(end, existing.start);
  const first = existing.body.split(/\s/, 1)[0] ?? "";
  const refLike =
    first === comment ||
    /^v?\d+(\.\d+)*([-+][0-9A-Za-z.-]+)?$/.test(first) ||
    /^[0-9a-f]{7,40}$/i.test(first) ||
    (first !== "" && opts.isRefWord?.(first) === true);
  if (!refLike && DIRECTIVE_COMMENT.test(existing.body)) {
    return { edit: { path: file.path, start, end, text }, commentDropped: false, directiveKept: true };
  }
  const body = existing.body === "" ? comment : refLike ? comment + existing.body.slice(first.length) : `${comment} ${existing.body}`;
  return { edit: { path: file.path, start, end: existing.end, text: `${text}${gap}# ${body}` }, commentDropped: false };
}

/**
 * Replaces the value of a one-line scalar that holds a version (`x@v1.2.0`) and rewrites a version
 * or commit named in its trailing comment, e.g. moving `owner/repo@<sha> # v1.5.0` to another commit.
 * `comment` is written only when the line has no comment or its comment starts with a version.
 */
export function replaceRefInScalar(
  file: SourceFile,
  scalar: ScalarNode,
  oldRef: string,
  newRef: string,
  comment?: string,
): TextEdit[] | undefined {
  const start = scalar.range.start.offset;
  const end = scalar.range.end.offset;
  const raw = file.text.slice(start, end);
  const at = raw.lastIndexOf(`@${oldRef}`);
  if (at < 0) return undefined;
  const refStart = start + at + 1;
  const edits: TextEdit[] = [{ path: file.path, start: refStart, end: refStart + oldRef.length, text: newRef }];
  // A `#` comment inside a flow mapping would end the line in the middle of it.
  if (comment !== undefined && !isInFlowCollection(file, start)) {
    const rest = file.text.slice(end, lineEndOf(file.text, end));
    const existing = trailingCommentAfter(file.text, end);
    if (rest.trim() === "") edits.push({ path: file.path, start: end, end, text: ` # ${comment}` });
    else if (existing && /\bv?\d+\.\d+(\.\d+)?\b/.test(existing.body)) {
      edits.push({ path: file.path, start: existing.start, end: existing.end, text: `# ${comment}` });
    }
  }
  return edits;
}

// ---------- keys and entries ----------

/** Renames a mapping key in place, keeping its quotes; undefined when the key's text has escapes. */
export function renameKey(file: SourceFile, entry: Entry, newKey: string): TextEdit | undefined {
  const { start, end } = entry.keyRange;
  const raw = file.text.slice(start.offset, end.offset);
  let text: string;
  if (raw === entry.key) text = newKey;
  else if ((raw.startsWith('"') || raw.startsWith("'")) && raw.slice(1, -1) === entry.key && raw.endsWith(raw[0]!)) text = `${raw[0]}${newKey}${raw[0]}`;
  else return undefined;
  return { path: file.path, start: start.offset, end: end.offset, text };
}

/** A mapping an entry can be added to or removed from. */
export interface MappingRef {
  /** Range of the mapping's key (`permissions`, `with`). */
  keyRange?: Range;
  /** Range of the mapping value (absent when the key has no value). */
  range?: Range;
  entries: readonly Entry[];
  /** A flow mapping `{ … }` (the model knows; without it the text at the value decides). */
  flow?: boolean;
}

function isFlow(file: SourceFile, map: MappingRef): boolean {
  return map.flow ?? (!!map.range && file.text[map.range.start.offset] === "{");
}

/**
 * Removes entries of a mapping: whole lines in a block mapping (each entry alone on its line, at
 * most a comment after it), the entry plus one comma in a flow mapping. Undefined when that cannot
 * be done cleanly, or when it would remove every entry (an empty mapping changes meaning).
 */
export function removeEntries(file: SourceFile, map: EntryMap | MappingRef, remove: readonly Entry[]): TextEdit[] | undefined {
  const text = file.text;
  const all = map.entries;
  if (!map.range) return undefined;
  const drop = new Set(remove);
  if (all.every((e) => drop.has(e))) return undefined;
  const edits: TextEdit[] = [];
  if (!isFlow(file, map)) {
    for (const e of remove) {
      const start = lineStartOf(text, e.keyRange.start.offset);
      if (text.slice(start, e.keyRange.start.offset).trim() !== "") return undefined;
      if (lineStartOf(text, e.range.end.offset) !== start) return undefined;
      const rest = text.slice(e.range.end.offset, nextLineStartOf(text, e.range.end.offset));
      if (!/^[ \t]*(#.*)?\r?\n?$/.test(rest)) return undefined;
      edits.push({ path: file.path, start, end: nextLineStartOf(text, e.range.end.offset), text: "" });
    }
    return edits;
  }
  // Flow mapping: remove each run of adjacent dropped entries with the comma on one side.
  const between = (a: number, b: number): boolean => /^\s*,\s*$/.test(text.slice(a, b));
  for (let i = 0; i < all.length; i++) {
    if (!drop.has(all[i]!)) continue;
    let j = i;
    while (j + 1 < all.length && drop.has(all[j + 1]!)) j++;
    for (let k = i; k < j; k++) if (!between(all[k]!.range.end.offset, all[k + 1]!.range.start.offset)) return undefined;
    if (i > 0) {
      const prev = all[i - 1]!;
      if (!between(prev.range.end.offset, all[i]!.range.start.offset)) return undefined;
      edits.push({ path: file.path, start: prev.range.end.offset, end: all[j]!.range.end.offset, text: "" });
    } else {
      const next = all[j + 1]!;
      if (!between(all[j]!.range.end.offset, next.range.start.offset)) return undefined;
      edits.push({ path: file.path, start: all[i]!.range.start.offset, end: next.range.start.offset, text: "" });
    }
    i = j;
  }
  return edits;
}

/** Inserts `line` (no line break) as a new line after the line holding `offset`. */
function insertLineAfter(file: SourceFile, offset: number, line: string): TextEdit {
  const text = file.text;
  const eol = detectEol(text);
  const at = nextLineStartOf(text, offset);
  const needsBreak = at === text.length && !text.endsWith("\n");
  return { path: file.path, start: at, end: at, text: needsBreak ? `${eol}${line}` : `${line}${eol}` };
}

/**
 * Sets `key: value` in a mapping: replaces the value of an existing entry, or adds the entry — after
 * the last entry of a block mapping (with its indentation), inside a flow mapping (`, key: value`),
 * in place of an empty `{}` or `null`, or after a key that has no value yet (` { key: value }`).
 * Undefined when the existing entry has no scalar value or the text around it is unusual.
 */
export function setEntry(file: SourceFile, map: MappingRef, key: string, value: string): TextEdit | undefined {
  const text = file.text;
  const existing = map.entries.find((e) => e.key === key);
  if (existing) {
    if (!existing.value || !existing.valueRange) return undefined;
    const r = existing.valueRange;
    return { path: file.path, start: r.start.offset, end: r.end.offset, text: value };
  }
  const pair = `${key}: ${value}`;
  if (map.range && isFlow(file, map)) {
    const last = map.entries[map.entries.length - 1];
    if (last) return { path: file.path, start: last.range.end.offset, end: last.range.end.offset, text: `, ${pair}` };
    // `{}`: keep the braces' span and write the one entry inside.
    if (!/^\{\s*\}$/.test(text.slice(map.range.start.offset, map.range.end.offset))) return undefined;
    return { path: file.path, start: map.range.start.offset, end: map.range.end.offset, text: `{ ${pair} }` };
  }
  if (map.entries.length > 0) {
    const indent = indentationOf(text, map.entries[0]!.keyRange.start.offset);
    return insertLineAfter(file, map.entries[map.entries.length - 1]!.range.end.offset, `${indent}${pair}`);
  }
  // A key with no value (or `~`/`null`): write a flow mapping in its place.
  if (map.range && map.range.end.offset > map.range.start.offset) {
    if (!/^(~|null|Null|NULL)$/.test(text.slice(map.range.start.offset, map.range.end.offset))) return undefined;
    return { path: file.path, start: map.range.start.offset, end: map.range.end.offset, text: `{ ${pair} }` };
  }
  if (!map.keyRange) return undefined;
  const colon = text.indexOf(":", map.keyRange.end.offset);
  if (colon < 0 || text.slice(map.keyRange.end.offset, colon).trim() !== "") return undefined;
  return { path: file.path, start: colon + 1, end: colon + 1, text: ` { ${pair} }` };
}

/**
 * The entries as they are written (`key: value` with the original key and value text), with the
 * values of the keys in `replace` replaced and the keys missing from the entries added at the end.
 */
export function entryLines(file: SourceFile, entries: readonly Entry[], replace: Readonly<Record<string, string>> = {}): string[] {
  const lines = entries.map((e) => {
    const key = file.text.slice(e.keyRange.start.offset, e.keyRange.end.offset);
    const value = Object.hasOwn(replace, e.key) ? replace[e.key]! : e.valueRange ? file.text.slice(e.valueRange.start.offset, e.valueRange.end.offset) : "";
    return value ? `${key}: ${value}` : `${key}:`;
  });
  for (const [k, v] of Object.entries(replace)) if (!entries.some((e) => e.key === k)) lines.push(`${k}: ${v}`);
  return lines;
}

/**
 * Adds `key:` with a nested block of `lines` (each `name: value`) as the first key of a block
 * mapping whose own key is at `ownerKey` (a job's id): after the owner's key line, indented like
 * the mapping's other keys, the lines one step deeper. Undefined for flow mappings or when the
 * mapping's value does not start on the next lines.
 */
export function addBlockFirst(file: SourceFile, owner: { keyRange: Range; range: Range }, key: string, lines: readonly string[]): TextEdit | undefined {
  const text = file.text;
  const keyLineEnd = nextLineStartOf(text, owner.keyRange.end.offset);
  // The value must start on a later line (a block mapping), not `{ ... }` after the key.
  const afterKey = text.slice(owner.keyRange.end.offset, keyLineEnd).replace(/\s+$/, "");
  if (!/^\s*["']?\s*:\s*(&\S+\s*)?(#.*)?$/.test(afterKey)) return undefined;
  const ownerIndent = indentationOf(text, owner.keyRange.start.offset);
  let childIndent: string | undefined;
  for (let at = keyLineEnd; at < owner.range.end.offset && at < text.length; at = nextLineStartOf(text, at)) {
    const line = text.slice(at, nextLineStartOf(text, at)).replace(/\r?\n$/, "");
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    childIndent = line.slice(0, line.length - line.trimStart().length);
    break;
  }
  if (childIndent === undefined || childIndent.length <= ownerIndent.length) return undefined;
  const step = childIndent.slice(ownerIndent.length);
  const eol = detectEol(text);
  const block = [`${childIndent}${key}:`, ...lines.map((s) => `${childIndent}${step}${s}`)].join(eol) + eol;
  if (keyLineEnd === text.length && !text.endsWith("\n")) return undefined;
  return { path: file.path, start: keyLineEnd, end: keyLineEnd, text: block };
}
