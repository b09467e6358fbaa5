/**
 * The bundle's copy of `hcl-wasm.ts`: esbuild's binary loader embeds both WebAssembly files in
 * dist/credflow.mjs, so the bundle works from any directory without files beside it.
 */
// @ts-expect-error -- resolved by esbuild's binary loader at bundle time
import runtime from "web-tree-sitter/web-tree-sitter.wasm";
// @ts-expect-error -- resolved by esbuild's binary loader at bundle time
import terraform from "@tree-sitter-grammars/tree-sitter-hcl/tree-sitter-terraform.wasm";

export function hclWasm(): { runtime: Uint8Array; terraform: Uint8Array } {
  return { runtime: runtime as Uint8Array, terraform: terraform as Uint8Array };
}
