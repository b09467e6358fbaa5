/**
 * Source excerpts for terminals: one source line with a marker row under a span and a label, fitted
 * to a width in terminal cells (wide characters count two, control characters are shown as `\xNN`,
 * a tab as spaces). Lines too long for the width show a window around the span, cut with "…".
 */
import type { Range } from "../model/types.js";
import type { LineIndex } from "./positions.js";

/** Terminal cells a code point takes: 2 for East Asian wide and emoji, 0 for combining marks. */
export function cellWidth(cp: number): number {
  if (cp === 0x200d || (cp >= 0x300 && cp <= 0x36f) || (cp >= 0xfe00 && cp <= 0xfe0f)) return 0;
  if (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf && cp !== 0x303f) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1faff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  ) {
    return 2;
  }
  return 1;
}

/** Terminal width of a string (after `visibleText`). */
export function textWidth(s: string): number {
  // Printable ASCII, the common case, is one cell a character.
  if (/^[\x20-\x7e]*$/.test(s)) return s.length;
  let w = 0;
  for (const ch of s) w += cellWidth(ch.codePointAt(0)!);
  return w;
}

/** One display cell group: the text shown for one source character and its width. */
interface Cell {
  /** UTF-16 index in the source line of the character. */
  index: number;
  text: string;
  width: number;
}

const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029]/;

function cellsOf(line: string): Cell[] {
  const cells: Cell[] = [];
  let col = 0;
  for (let i = 0; i < line.length; ) {
    const cp = line.codePointAt(i)!;
    const ch = String.fromCodePoint(cp);
    let text: string;
    let width: number;
    if (ch === "\t") {
      width = 4 - (col % 4);
      text = " ".repeat(width);
    } else if (CONTROL.test(ch) || (cp >= 0xd800 && cp <= 0xdfff)) {
      text = `\\x${(cp & 0xff).toString(16).padStart(2, "0")}`;
      if (cp > 0xff) text = `\\u{${cp.toString(16)}}`;
      width = text.length;
    } else {
      text = ch;
      width = cellWidth(cp);
    }
    cells.push({ index: i, text, width });
    col += width;
    i += ch.length;
  }
  return cells;
}

/** The text of `line` (1-based) without its line end; undefined past the end of the file. */
export function lineText(idx: LineIndex, line: number): string | undefined {
  const start = idx.lineStart(line);
  if (start === undefined) return undefined;
  const next = idx.lineStart(line + 1);
  const end = next === undefined ? idx.text.length : next - 1;
  return idx.text.slice(start, end).replace(/\r$/, "");
}

export interface ExcerptRows {
  /** The source row (already fitted, may begin or end with "…"). */
  source: string;
  /** Spaces up to the span, then the markers. */
  pad: string;
  markers: string;
  /** Display column (0-based) where the markers start. */
  markerStart: number;
}

/**
 * The source row and the marker row for `range` on its first line, fitted into `room` cells.
 * A span that continues on later lines is marked to the end of its first line.
 */
export function excerpt(idx: LineIndex, range: Range, room: number, marker: string): ExcerptRows | undefined {
  const line = lineText(idx, range.start.line);
  if (line === undefined) return undefined;
  // Printable ASCII, the common case: one cell a character, the line as it is.
  if (/^[\x20-\x7e]*$/.test(line)) return asciiExcerpt(line, range, room, marker);
  const cells = cellsOf(line);
  // UTF-16 columns → cell positions. Column past the end marks just after the line.
  const startIndex = Math.max(0, range.start.column - 1);
  let endIndex = range.end.line === range.start.line ? range.end.column - 1 : line.length;
  if (endIndex <= startIndex) endIndex = startIndex + 1;
  const offsets: number[] = []; // display offset of each cell
  let x = 0;
  for (const c of cells) {
    offsets.push(x);
    x += c.width;
  }
  const total = x;
  const cellAt = (index: number): number => {
    for (let k = 0; k < cells.length; k++) if (cells[k]!.index >= index) return k;
    return cells.length;
  };
  const sCell = cellAt(startIndex);
  const eCell = Math.max(sCell + 1, cellAt(endIndex));
  const sX = sCell < cells.length ? offsets[sCell]! : total;
  const eX = eCell < cells.length ? offsets[eCell]! : total + (eCell - cells.length);

  const { from, to, pre, post } = windowOf(total, sX, eX, room);
  let source = pre ? "…" : "";
  for (let k = 0; k < cells.length; k++) {
    const c = cells[k]!;
    const o = offsets[k]!;
    if (o < from) continue;
    if (o + c.width > to) break;
    source += c.text;
  }
  return rowsOf(source, { from, to, pre, post }, sX, eX, marker);
}

/**
 * The columns of a line shown in `room` cells: a line wider than the room shows a window that keeps
 * the span's start (and its first cells) in view, with `…` before (`pre`) and after (`post`).
 */
function windowOf(total: number, sX: number, eX: number, room: number): { from: number; to: number; pre: boolean; post: boolean } {
  if (total <= room) return { from: 0, to: total, pre: false, post: false };
  if (Math.min(eX, sX + 12) <= room - 1) return { from: 0, to: room - 1, pre: false, post: true };
  const from = Math.max(0, sX - 6);
  return total - from > room - 1 ? { from, to: from + room - 2, pre: true, post: true } : { from, to: total, pre: true, post: false };
}

/** The rows for a window's text (`…` before it already added): `…` after it, and the markers under the span. */
function rowsOf(shown: string, w: { from: number; to: number; pre: boolean; post: boolean }, sX: number, eX: number, marker: string): ExcerptRows {
  const source = w.post ? `${shown}…` : shown.replace(/\s+$/, "");
  const shift = w.from - (w.pre ? 1 : 0);
  const mStart = sX - shift;
  const mEnd = Math.max(mStart + 1, (w.post ? Math.min(eX, w.to) : eX) - shift);
  return { source, pad: " ".repeat(mStart), markers: marker.repeat(mEnd - mStart), markerStart: mStart };
}

/** `excerpt` for a line of printable ASCII (no cell arithmetic needed); the same rows. */
function asciiExcerpt(line: string, range: Range, room: number, marker: string): ExcerptRows {
  const total = line.length;
  // A column past the end of the line marks just after it, as the general path does.
  const sX = Math.min(total, Math.max(0, range.start.column - 1));
  let eX = Math.min(total, range.end.line === range.start.line ? range.end.column - 1 : total);
  if (eX <= sX) eX = sX + 1;
  const { from, to, pre, post } = windowOf(total, sX, eX, room);
  const source = (pre ? "…" : "") + line.slice(from, to);
  return rowsOf(source, { from, to, pre, post }, sX, eX, marker);
}

/**
 * Words of `text` wrapped into lines of at most `width` cells (a longer word gets its own line);
 * lines after the first get `rest` cells when given.
 */
export function wrap(text: string, width: number, rest = width): string[] {
  // Text whose characters are one cell each (printable ASCII, Latin letters, "…", dashes and
  // quotes), the common case: cut at the last space that fits, without splitting into words.
  if (/^[\x20-\x7e\u00a0-\u02ff\u2010-\u2027]*$/.test(text)) {
    const t = text.replace(/ {2,}/g, " ").trim();
    const out: string[] = [];
    let pos = 0;
    let room = Math.max(1, width);
    while (t.length - pos > room) {
      const cut = t.lastIndexOf(" ", pos + room);
      if (cut <= pos) return [...out, ...slowWrap(t.slice(pos), room, Math.max(1, rest))]; // a word wider than a row
      out.push(t.slice(pos, cut));
      pos = cut + 1;
      room = Math.max(1, rest);
    }
    out.push(t.slice(pos));
    return out;
  }
  return slowWrap(text, width, rest);
}

function slowWrap(text: string, width: number, rest: number): string[] {
  const room = Math.max(1, Math.min(width, rest));
  const words = text.split(/\s+/).filter(Boolean).flatMap((w) => (textWidth(w) > room ? splitWord(w, room) : [w]));
  const out: string[] = [];
  let cur = "";
  let curWidth = 0;
  for (const w of words) {
    const ww = textWidth(w);
    if (cur === "") {
      cur = w;
      curWidth = ww;
    } else if (curWidth + 1 + ww <= (out.length === 0 ? width : rest)) {
      cur += ` ${w}`;
      curWidth += 1 + ww;
    } else {
      out.push(cur);
      cur = w;
      curWidth = ww;
    }
  }
  if (cur !== "" || out.length === 0) out.push(cur);
  return out;
}

/** A word wider than `room` in pieces that fit, cut after `/`, `@`, `:`, `-`, `.` or `,` where one is near the end. */
function splitWord(word: string, room: number): string[] {
  const out: string[] = [];
  let rest = word;
  while (textWidth(rest) > room) {
    const chars = [...rest];
    let take = 0;
    let w = 0;
    while (take < chars.length && w + cellWidth(chars[take]!.codePointAt(0)!) <= room) w += cellWidth(chars[take++]!.codePointAt(0)!);
    let cut = take;
    for (let k = take; k > take / 2; k--) {
      if (/[/@:\-.,]/.test(chars[k - 1]!)) {
        cut = k;
        break;
      }
    }
    out.push(chars.slice(0, Math.max(1, cut)).join(""));
    rest = chars.slice(Math.max(1, cut)).join("");
  }
  if (rest) out.push(rest);
  return out;
}
