/**
 * parse-file refuses texts nested deeper than MAX_NESTING before the recursive YAML composer sees
 * them, trusting a cheap linear upper bound (`nestingBound`) for almost every file. That bound must
 * never be below the nesting the YAML library's parser actually builds, whatever the text: checked
 * here on random texts made of YAML's structural pieces.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Parser, type CST } from "yaml";
import { nestingBound } from "../../src/parse/parse-file.js";
import { fuzzRuns } from "./corpus.js";

/** Deepest collection nesting in the CST the `yaml` parser builds (iterative). */
function cstDepth(text: string): number {
  let max = 0;
  const stack: Array<[CST.Token | null | undefined, number]> = [];
  for (const token of new Parser().parse(text)) stack.push([token, 0]);
  while (stack.length) {
    const [token, depth] = stack.pop()!;
    if (!token) continue;
    if (token.type === "document") stack.push([token.value, depth]);
    else if (token.type === "block-map" || token.type === "block-seq" || token.type === "flow-collection") {
      max = Math.max(max, depth + 1);
      for (const item of token.items as CST.CollectionItem[]) stack.push([item.key, depth + 1], [item.value, depth + 1]);
    }
  }
  return max;
}

const PIECES = [
  "- ", "-", "? ", "?", ": ", ":", "[", "]", "{", "}", ",", "\n", "\r\n", "\r", " ", "  ", "    ", "\t",
  "a", "key", "'q'", '"q"', "'", '"', "# c", "&a ", "*a", "!t ", "!!map ", "|\n", ">-\n", "---\n", "...\n",
  "${{ x }}", "a: ", "- a: ", "? - ", "\ufeff", "%YAML 1.2\n",
];

const text = fc.array(fc.constantFrom(...PIECES), { maxLength: 300, size: "max" }).map((p) => p.join(""));

/**
 * Nested YAML written as tightly as the syntax allows: indentation growing by one space, sequences
 * at their parent mapping's indentation, compact `- - x` and `? - x` forms, flow inside block.
 */
type Shape = { kind: "leaf" } | { kind: "map" | "seq" | "compact-seq" | "explicit" | "flow-seq" | "flow-map"; child: Shape };
const shape: fc.Arbitrary<Shape> = fc.letrec<{ node: Shape }>((tie) => ({
  node: fc.oneof(
    { depthSize: "large", withCrossShrink: true },
    fc.constant<Shape>({ kind: "leaf" }),
    fc.record({ kind: fc.constantFrom("map", "seq", "compact-seq", "explicit", "flow-seq", "flow-map" as const), child: tie("node") }) as fc.Arbitrary<Shape>,
  ),
})).node;

/** Renders `s` whose first line starts at `col` (already written) and whose block children indent from `indent`. */
function render(s: Shape, indent: number, step: number): string {
  const pad = " ".repeat(indent);
  switch (s.kind) {
    case "leaf":
      return "x";
    case "map":
      return `k:\n${pad}${" ".repeat(step)}${render(s.child, indent + step, step)}`;
    case "seq":
      // A block sequence may sit at its parent mapping's indentation: "k:\n- x".
      return `k:\n${pad}- ${render(s.child, indent + 2, step)}`;
    case "compact-seq":
      return `- ${render(s.child, indent + 2, step)}`;
    case "explicit":
      return `? ${render(s.child, indent + 2, step)}`;
    case "flow-seq":
      return `[${flow(s.child)}]`;
    case "flow-map":
      return `{a: ${flow(s.child)}}`;
  }
}
function flow(s: Shape): string {
  if (s.kind === "leaf") return "x";
  if (s.kind === "flow-map" || s.kind === "map" || s.kind === "explicit") return `{a: ${flow(s.child)}}`;
  return `[${flow(s.child)}]`;
}

describe("nestingBound is an upper bound of the real nesting", () => {
  it("on tightly nested YAML", () => {
    fc.assert(
      fc.property(shape, fc.constantFrom(1, 2), fc.constantFrom("", "\r\n"), (s, step, eol) => {
        const t = render(s, 0, step).replace(/\n/g, eol || "\n");
        expect(nestingBound(t)).toBeGreaterThanOrEqual(cstDepth(t));
      }),
      { numRuns: fuzzRuns(500) },
    );
  });


  it("on random structural texts", () => {
    fc.assert(
      fc.property(text, (t) => {
        expect(nestingBound(t)).toBeGreaterThanOrEqual(cstDepth(t));
      }),
      { numRuns: fuzzRuns(2000) },
    );
  });

  it("on the shapes that nest fastest", () => {
    const n = 300;
    const samples = [
      "- ".repeat(n) + "x",
      "? ".repeat(n) + "x",
      "[".repeat(n),
      "{a: ".repeat(n),
      "a: ".repeat(n) + "b",
      '"a": '.repeat(n) + "b",
      "- a:\n".repeat(1) + Array.from({ length: n }, (_, i) => `${" ".repeat(i)}- a:`).join("\n"),
      Array.from({ length: n }, (_, i) => `${" ".repeat(i)}a:\n${" ".repeat(i)}-`).join("\n"),
      Array.from({ length: n }, (_, i) => `${" ".repeat(i)}?\n${" ".repeat(i)}- `).join("\n"),
      Array.from({ length: n }, () => "&a !t [").join(""),
    ];
    for (const s of samples) expect(nestingBound(s), JSON.stringify(s.slice(0, 60))).toBeGreaterThanOrEqual(cstDepth(s));
  });
});
