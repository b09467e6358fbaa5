/** Infrastructure files as `SourceFile`s: text, line index, and ranges from string offsets. */
import { LineCounter } from "yaml";
import type { Range, SourceFile } from "../model/types.js";
import { positionAt } from "../parse/position.js";
import type { Located } from "./types.js";

/** A SourceFile for infrastructure code (its own line index; no YAML document). */
export function iacFile(base: Omit<SourceFile, "kind" | "lineCounter">): SourceFile {
  const lineCounter = new LineCounter();
  lineCounter.addNewLine(0);
  const text = base.text;
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) lineCounter.addNewLine(i + 1);
  return { ...base, kind: "iac", lineCounter };
}

/** The range of `[start, end)` in the file. */
export function rangeIn(file: SourceFile, start: number, end: number): Range {
  const lc = file.lineCounter!;
  const bom = file.text.charCodeAt(0) === 0xfeff;
  return { start: positionAt(lc, bom, start), end: positionAt(lc, bom, Math.max(start, end)) };
}

export function located(file: SourceFile, start: number, end: number): Located {
  return { file, range: rangeIn(file, start, end) };
}
