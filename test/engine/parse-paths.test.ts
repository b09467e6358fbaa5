/**
 * parseSourceFile composes files whose nesting bound passes MAX_NESTING from the CST it measured
 * (not with parseDocument): the document, its ranges and its errors must be the ones
 * parseDocument gives.
 */
import { describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { MAX_NESTING, nestingBound, parseSourceFile } from "../../src/parse/parse-file.js";

const parse = (text: string) => parseSourceFile({ path: "w.yml", repoPath: "w.yml", kind: "workflow", bytes: new TextEncoder().encode(text) });

/** A shallow workflow whose many `${{ }}` put its bound past MAX_NESTING. */
function manyExpressions(tail = ""): string {
  const lines = ["on: push", "jobs:", "  a:", "    runs-on: ubuntu-latest", "    steps:"];
  for (let i = 0; i < MAX_NESTING / 2; i++) lines.push(`      - run: echo \${{ github.sha }} ${i}`);
  return `${lines.join("\n")}\n${tail}`;
}

describe("parsing past the nesting bound", () => {
  it("gives the document parseDocument gives", () => {
    const text = manyExpressions("      - { uses: 'a/b@v1', with: [1, {x: [2]}] }\n");
    expect(nestingBound(text)).toBeGreaterThan(MAX_NESTING);
    const parsed = parse(text);
    expect(parsed.usable).toBe(true);
    const doc = parsed.file.doc!;
    const expected = parseDocument(text, { uniqueKeys: false, prettyErrors: false });
    expect(doc.toJS()).toEqual(expected.toJS());
    expect(doc.range).toEqual(expected.range);
    expect(doc.errors).toEqual([]);
  });

  it("reports a second document and a syntax error as parseDocument does", () => {
    for (const tail of ["---\nother: doc\n", "  bad: [unclosed\n"]) {
      const deep = parse(manyExpressions(tail));
      const expected = parseDocument(manyExpressions(tail), { uniqueKeys: false, prettyErrors: false });
      expect(expected.errors.length).toBeGreaterThan(0);
      expect(deep.usable).toBe(false);
      expect(deep.diagnostics[0]!.message.split(" (and ")[0]).toBe(expected.errors[0]!.message.split("\n")[0]);
      expect(deep.diagnostics[0]!.range.start.offset).toBe(expected.errors[0]!.pos[0]);
    }
  });
});
