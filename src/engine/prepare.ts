/**
 * Per-file work that needs no other file: parse, build the model, check GitHub's schema. It runs in
 * the main thread or in a worker; what crosses threads is plain data (the `yaml` Document stays behind).
 */
import { LineCounter } from "yaml";
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

/** What a worker sends back: the Document is dropped, the line index travels as its line starts. */
export interface TransferredFile {
  parsed: ParsedFile;
  lineStarts?: number[];
}

export function forTransfer(parsed: ParsedFile): TransferredFile {
  const lineStarts = parsed.file.lineCounter?.lineStarts;
  parsed.file.doc = undefined;
  parsed.file.lineCounter = undefined;
  return { parsed, lineStarts };
}

export function fromTransfer(t: TransferredFile): ParsedFile {
  if (t.lineStarts) {
    const lc = new LineCounter();
    lc.lineStarts.push(...t.lineStarts);
    t.parsed.file.lineCounter = lc;
  }
  return t.parsed;
}
