/**
 * Offset → line/column conversion over a file's text, in UTF-16 code units (SARIF, JSON) and in
 * UTF-8 bytes (reviewdog). Lines end at "\n" only (a "\r" before it is part of the line), matching
 * `yaml`'s LineCounter and git. A leading BOM is not part of line 1: editors do not show it, so a
 * column counted from it would be off by one.
 */
import type { Position } from "../model/types.js";

export interface LineColumn {
  line: number;
  /** 1-based, UTF-16 code units. */
  column: number;
  /** 1-based, UTF-8 bytes. */
  byteColumn: number;
}

/** UTF-8 length of `text[from, to)`; a lone surrogate counts 3 bytes, as U+FFFD is written. */
export function utf8Length(text: string, from = 0, to = text.length): number {
  let bytes = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < to) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

export class LineIndex {
  /** Offset of the first character of each line (index 0 is line 1). */
  private readonly starts: number[];

  constructor(readonly text: string) {
    this.starts = [text.startsWith("\uFEFF") ? 1 : 0];
    for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) this.starts.push(i + 1);
  }

  get lineCount(): number {
    return this.starts.length;
  }

  /** Offset where `line` (1-based) starts, or undefined past the end. */
  lineStart(line: number): number | undefined {
    return this.starts[line - 1];
  }

  /** Line and columns of a string offset (clamped into the text). */
  at(offset: number): LineColumn {
    const off = Math.max(this.starts[0]!, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= off) lo = mid;
      else hi = mid - 1;
    }
    const start = this.starts[lo]!;
    return { line: lo + 1, column: off - start + 1, byteColumn: utf8Length(this.text, start, off) + 1 };
  }

  /**
   * UTF-8 byte column of a model position. Uses its offset when that agrees with its line;
   * otherwise converts its UTF-16 column within the line; undefined when neither fits the text.
   */
  byteColumn(pos: Position): number | undefined {
    if (pos.offset >= 0 && pos.offset <= this.text.length && this.at(pos.offset).line === pos.line) {
      return this.at(pos.offset).byteColumn;
    }
    const start = this.lineStart(pos.line);
    if (start === undefined) return undefined;
    const end = Math.min(start + pos.column - 1, this.text.length);
    return utf8Length(this.text, start, end) + 1;
  }
}
