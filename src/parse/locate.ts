/** Finding a piece of a scalar's text in the source, for findings about one line of a multi-line value. */
import type { Range, SourceFile } from "../model/types.js";
import { positionAt } from "./position.js";

/**
 * The range of `token` inside `within`, where it stands as a whole path-like word (not part of a
 * longer word or path); undefined when it is not written there literally.
 */
export function findWord(file: SourceFile, within: Range, token: string): Range | undefined {
  const text = file.text;
  const lc = file.lineCounter;
  if (!lc || !token) return undefined;
  let from = within.start.offset;
  const end = within.end.offset;
  for (;;) {
    const at = text.indexOf(token, from);
    if (at < 0 || at + token.length > end) return undefined;
    const before = at > 0 ? text[at - 1]! : "\n";
    const after = text[at + token.length] ?? "\n";
    if (!/[\w./~*!$-]/.test(before) && !/[\w./*-]/.test(after)) {
      const bom = text.startsWith("\uFEFF");
      return { start: positionAt(lc, bom, at), end: positionAt(lc, bom, at + token.length) };
    }
    from = at + 1;
  }
}
