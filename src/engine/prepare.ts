/**
 * Per-file work that needs no other file: parse, build the model, check GitHub's schema.
 * (A worker thread for this was measured and removed: on this kind of 2-vCPU machine V8's own GC
 * threads already use the second core, and the worker made a 1,503-file run 20% slower.)
 */
import { parseSourceFile, type ParsedFile, type RawInput } from "../parse/parse-file.js";
import { buildAction, buildWorkflow } from "../parse/build-model.js";
import { validateSchema } from "../parse/schema.js";

export async function prepareFile(input: RawInput): Promise<ParsedFile> {
  const parsed = parseSourceFile(input);
  if (parsed.usable) {
    parsed.model = parsed.file.kind === "action" ? buildAction(parsed.file) : buildWorkflow(parsed.file);
    parsed.schema = parsed.expandable ? await validateSchema(parsed.file) : [];
    // Model and schema results are all later stages need; the few edits that want the YAML tree
    // re-parse one file on demand. Holding 1,500 trees costs more in GC than that.
    parsed.file.doc = undefined;
  }
  return parsed;
}
