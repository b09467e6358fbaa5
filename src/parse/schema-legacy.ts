/**
 * GitHub's own schema validation through @actions/workflow-parser's generic template reader, fed with
 * the Document we already parsed (its public parseWorkflow/parseAction would parse the text a second
 * time). This was credflow's schema check before schema.ts. It stays as the reference the differential
 * test (test/realworld/schema-differential.test.ts) compares the direct reader with, and as the strict
 * mode's fallback there; nothing in the CLI imports it, so the bundle does not carry workflow-parser.
 */
import { convertWorkflowTemplate } from "@actions/workflow-parser";
import { ErrorPolicy } from "@actions/workflow-parser/model/convert";
import { NoOperationTraceWriter } from "@actions/workflow-parser/templates/trace-writer";
import { TemplateContext, TemplateValidationErrors } from "@actions/workflow-parser/templates/template-context";
import { readTemplate } from "@actions/workflow-parser/templates/template-reader";
import { getWorkflowSchema } from "@actions/workflow-parser/workflows/workflow-schema";
import { WORKFLOW_ROOT } from "@actions/workflow-parser/workflows/workflow-constants";
import { YamlObjectReader } from "@actions/workflow-parser/workflows/yaml-object-reader";
import { getActionSchema, ACTION_ROOT, convertActionTemplate } from "@actions/workflow-parser/actions/index";
import type { ObjectReader } from "@actions/workflow-parser/templates/object-reader";
import type { Range, SourceFile } from "../model/types.js";
import type { ParseDiagnostic } from "./parse-file.js";
import { positionAt } from "./position.js";

const MAX_SCHEMA_ERRORS = 50;

/** A YamlObjectReader over an existing Document; its constructor would parse the text again. */
function readerFor(file: SourceFile, fileId: number): ObjectReader {
  // The fields are the ones YamlObjectReader's constructor sets (checked against the pinned version).
  const reader = Object.create(YamlObjectReader.prototype) as Record<string, unknown> & {
    getNodes(node: unknown, stack: Set<unknown>): unknown;
  };
  reader["lineCounter"] = file.lineCounter;
  reader["errors"] = [];
  reader["doc"] = file.doc;
  reader["fileId"] = fileId;
  reader["_generator"] = reader.getNodes(file.doc, new Set());
  return reader as unknown as ObjectReader;
}

export async function validateSchemaLegacy(file: SourceFile): Promise<ParseDiagnostic[]> {
  const isAction = file.kind === "action";
  const context = new TemplateContext(
    new TemplateValidationErrors(MAX_SCHEMA_ERRORS),
    isAction ? getActionSchema() : getWorkflowSchema(),
    new NoOperationTraceWriter(),
  );
  const fileId = context.getFileId(file.path);
  try {
    const root = readTemplate(context, isAction ? ACTION_ROOT : WORKFLOW_ROOT, readerFor(file, fileId), fileId);
    if (root) {
      if (isAction) convertActionTemplate(context, root, { errorPolicy: ErrorPolicy.TryConversion });
      else await convertWorkflowTemplate(context, root, undefined, { errorPolicy: ErrorPolicy.TryConversion });
    }
  } catch (err) {
    // The converter throws on shapes it does not expect; report it as a schema problem of this file.
    const message = err instanceof Error ? err.message : String(err);
    return [{ ruleId: "workflow-schema", message: `schema validation stopped: ${message}`, range: toRange(file) }];
  }
  const seen = new Set<string>();
  const out: ParseDiagnostic[] = [];
  for (const e of context.errors.getErrors()) {
    const range = toRange(file, e.range);
    const key = `${range.start.line}:${range.start.column}:${e.rawMessage}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ ruleId: "workflow-schema", message: e.rawMessage, range });
  }
  return out;
}

function toRange(file: SourceFile, r?: { start: { line: number; column: number }; end: { line: number; column: number } }): Range {
  const offset = (line: number, column: number): number => {
    const starts = file.lineCounter?.lineStarts ?? [0];
    return (starts[line - 1] ?? 0) + column - 1;
  };
  if (!r) return { start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 1, offset: 0 } };
  // workflow-parser counts a leading BOM as a column of line 1; positionAt does not.
  const at = (p: { line: number; column: number }) =>
    file.lineCounter ? positionAt(file.lineCounter, file.text.charCodeAt(0) === 0xfeff, offset(p.line, p.column)) : { ...p, offset: offset(p.line, p.column) };
  return { start: at(r.start), end: at(r.end) };
}
