/**
 * Terraform syntax trees: tree-sitter's HCL grammar (terraform dialect) through web-tree-sitter,
 * loaded on first use only (a repository without `.tf` files never pays for it). Each file is
 * parsed once and copied into plain objects in one cursor walk: every property read on a
 * tree-sitter node crosses into WebAssembly, so later stages never touch the tree itself.
 *
 * Offsets are UTF-16 code units (web-tree-sitter parses JavaScript strings), the same as the
 * string offsets of `SourceFile.text`.
 *
 * Only src/iac/load.ts imports this module, dynamically: the bundle initialises web-tree-sitter and
 * decodes the embedded WebAssembly only for a repository with Terraform to read.
 */
import { Language, Parser } from "web-tree-sitter";
import { hclWasm } from "./hcl-wasm.js";
import type { HclTree, HNode } from "./hcl-tree.js";

export type { HclTree, HNode };

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

/** Node type names and whether they are named, by type id (one numeric read per node instead of two). */
const typeInfo = new Map<number, { type: string; named: boolean }>();

function typeOf(parser: Parser, id: number): { type: string; named: boolean } {
  let t = typeInfo.get(id);
  if (!t) {
    const lang = parser.language!;
    t = { type: lang.nodeTypeForId(id) ?? "ERROR", named: lang.nodeTypeIsNamed(id) };
    typeInfo.set(id, t);
  }
  return t;
}

/** Parses one file's text into plain nodes. Never throws for the file's sake: errors become `errorAt`. */
export function parseHcl(parser: Parser, text: string): HclTree {
  const tree = parser.parse(text);
  if (!tree) return { root: { type: "config_file", named: true, start: 0, end: text.length, children: [] }, errorAt: 0 };
  // Each cursor read crosses into WebAssembly: read the type id and the two offsets, nothing else,
  // and look for MISSING nodes only in a tree that has an error.
  const hasError = tree.rootNode.hasError;
  const cursor = tree.walk();
  let errorAt: number | undefined;
  const root: HNode = { type: cursor.nodeType, named: true, start: cursor.startIndex, end: cursor.endIndex, children: [] };
  const stack: HNode[] = [root];
  try {
    if (cursor.gotoFirstChild()) {
      for (;;) {
        const { type, named } = typeOf(parser, cursor.nodeTypeId);
        const node: HNode = { type, named, start: cursor.startIndex, end: cursor.endIndex, children: [] };
        if (hasError && errorAt === undefined && (type === "ERROR" || cursor.nodeIsMissing)) errorAt = node.start;
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
    // A root ERROR spans the file: the error is where the blocks it could read stop.
    if (hasError && (errorAt === undefined || (root.type === "ERROR" && errorAt === 0))) {
      errorAt = root.type === "ERROR" ? (root.children.find((c) => c.type !== "block" && c.type !== "attribute" && c.type !== "body")?.start ?? 0) : firstError(root);
    }
    return errorAt === undefined ? { root } : { root, errorAt };
  }
}

function firstError(n: HNode): number | undefined {
  if (n.type === "ERROR") return n.start;
  for (const c of n.children) {
    const e = firstError(c);
    if (e !== undefined) return e;
  }
  return undefined;
}
