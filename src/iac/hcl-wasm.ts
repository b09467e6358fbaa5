/**
 * The two WebAssembly files the Terraform reader needs: tree-sitter's runtime and the terraform
 * dialect of tree-sitter-hcl. Sources and tests read them from node_modules; the bundle build
 * (scripts/build.mjs) swaps this module for `hcl-wasm.bundle.ts`, which embeds the same bytes.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

export function hclWasm(): { runtime: Uint8Array; terraform: Uint8Array } {
  return {
    runtime: readFileSync(require.resolve("web-tree-sitter/web-tree-sitter.wasm")),
    // The grammar package has no "exports" map: the file is reachable by its path.
    terraform: readFileSync(require.resolve("@tree-sitter-grammars/tree-sitter-hcl/tree-sitter-terraform.wasm")),
  };
}
