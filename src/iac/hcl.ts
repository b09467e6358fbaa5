/**
 * Terraform syntax trees: tree-sitter's HCL grammar (terraform dialect) through web-tree-sitter,
 * loaded on first use only (a repository without `.tf` files never pays for it). Each file is
 * parsed once and copied into plain objects in one cursor walk: every property read on a
 * tree-sitter node crosses into WebAssembly, so later stages never touch the tree itself.
 *
 * Offsets are UTF-16 code units (web-tree-sitter parses JavaScript strings), the same as the
 * string offsets of `SourceFile.text`.
 */
import { Language, Parser } from "web-tree-sitter";
import { hclWasm } from "./hcl-wasm.js";

/** One node of the syntax tree, as plain data. Comments are left out. */
export interface HNode {
  type: string;
  named: boolean;
  start: number;
  end: number;
  children: HNode[];
}

export interface HclTree {
  root: HNode;
  /** Offset of the first syntax error (an ERROR or MISSING node), when the file has one. */
  errorAt?: number;
}

let ready: Promise<Parser> | undefined;

/** The parser, initialised once per process. */
export function hclParser(): Promise<Parser> {
  ready ??= (async () => {
    // web-tree-sitter's Emscripten glue reads process.argv[1] (undefined under `node -e`).
    if (typeof process.argv[1] !== "string") process.argv[1] = "credflow";
    const { runtime, terraform } = hclWasm();
    await Parser.init({ wasmBinary: runtime });
    const parser = new Parser();
    parser.setLanguage(await Language.load(terraform));
    return parser;
  })();
  return ready;
}

/** Parses one file's text into plain nodes. Never throws for the file's sake: errors become `errorAt`. */
export function parseHcl(parser: Parser, text: string): HclTree {
  const tree = parser.parse(text);
  if (!tree) return { root: { type: "config_file", named: true, start: 0, end: text.length, children: [] }, errorAt: 0 };
  const cursor = tree.walk();
  let errorAt: number | undefined;
  const root: HNode = { type: cursor.nodeType, named: true, start: cursor.startIndex, end: cursor.endIndex, children: [] };
  const stack: HNode[] = [root];
  try {
    if (cursor.gotoFirstChild()) {
      for (;;) {
        const type = cursor.nodeType;
        const node: HNode = { type, named: cursor.nodeIsNamed, start: cursor.startIndex, end: cursor.endIndex, children: [] };
        if ((type === "ERROR" || cursor.nodeIsMissing) && errorAt === undefined) errorAt = node.start;
        const parent = stack[stack.length - 1]!;
        if (type !== "comment") parent.children.push(node);
        if (type !== "comment" && cursor.gotoFirstChild()) {
          stack.push(node);
          continue;
        }
        while (!cursor.gotoNextSibling()) {
          if (stack.length === 1 || !cursor.gotoParent()) return done();
          stack.pop();
        }
      }
    }
    return done();
  } finally {
    cursor.delete();
    tree.delete();
  }
  function done(): HclTree {
    if (root.type === "ERROR" && errorAt === undefined) errorAt = 0;
    return errorAt === undefined ? { root } : { root, errorAt };
  }
}

/** Named children, in order. */
export function named(n: HNode | undefined): HNode[] {
  return n ? n.children.filter((c) => c.named) : [];
}
