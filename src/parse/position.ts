/** Offset → position, the one place that decides how columns are counted. */
import type { LineCounter } from "yaml";
import type { Position } from "../model/types.js";

/**
 * 1-based line and UTF-16 column of a string offset. A leading BOM is invisible to editors and to
 * GitHub, so it does not count as a column on line 1.
 */
export function positionAt(lc: LineCounter, hasBom: boolean, offset: number): Position {
  const p = lc.linePos(offset);
  const column = hasBom && p.line === 1 && offset > 0 ? p.col - 1 : p.col;
  return { line: p.line, column, offset };
}
