/**
 * GitHub's workflow and action schemas, checked directly over the `yaml` tree credflow already has:
 * schema-def.ts compiles the schema JSON once, schema-reader.ts walks the nodes the way
 * workflow-parser's `readTemplate` does, schema-convert.ts makes its conversion checks. With
 * `strict: true` the diagnostics are workflow-parser's (the differential test holds them to that);
 * by default the LENIENCY classes below make them match what github.com accepts.
 */
import type { Range, SourceFile } from "../model/types.js";
import type { ParseDiagnostic } from "./parse-file.js";
import { positionAt } from "./position.js";
import { actionSchema, workflowSchema } from "./schema-def.js";
import { Fallback, SchemaReader, type RawError } from "./schema-reader.js";
import { ConversionStopped, Converter } from "./schema-convert.js";

/** workflow-parser's TemplateValidationErrors limit, as the old path used it. */
const MAX_SCHEMA_ERRORS = 50;

/**
 * Where credflow departs from workflow-parser, each class with the evidence that github.com accepts
 * (or ignores) what the editor schema rejects. The differential test (test/realworld/schema-differential)
 * allows differences from workflow-parser only in these classes.
 */
export const LENIENCY = [
  {
    id: "whole-env-expression",
    what: "`env: ${{ matrix.env }}` / `${{ fromJSON(...) }}` as a whole job or step env (no error; the step is checked on)",
    evidence: "github-semantics.md (verified); oracle/graal main.yml and scrapy tests-ubuntu.yml ran with it",
  },
  {
    id: "repository-dispatch",
    what: "`on: repository_dispatch` in string or list form (schema bug: its constant reads branch_protection_rule), and `types: name` as one string",
    evidence: "workflow-v1.0.json 0.3.61 `repository-dispatch-string`; github-semantics.md; microsoft/TypeScript workflows",
  },
  {
    id: "whole-services-expression",
    what: "`services: ${{ fromJSON(...) }}` (no error, and the job stays in the `needs` graph)",
    evidence: "rhysd/actionlint#402 (the reporter's workflow runs on github.com)",
  },
  {
    id: "input-default",
    what: "boolean/number `default:` on a workflow_dispatch input without `type:` or on a string/choice/environment input (its text is used); a quoted 'true'/'false' default on a boolean dispatch input (other strings: warning)",
    evidence: "github-semantics.md (verified); Homebrew, rclone, fastapi, mocha dispatch workflows; intel/llvm sycl-linux-run-tests.yml (workflow_call, `type: string`, `default: 1`)",
  },
  {
    id: "ignored-keys",
    what: "keys GitHub ignores — under an event (`branches:` on an event without filters, `branch:` typos, `paths:` under merge_group), under a workflow_dispatch input (`name:`), at the top of action.yml (`on:`) — are warnings, not errors; `status: {}` is accepted",
    evidence: "github-semantics.md; MobilityDB/MobilityDB#1010 (`branch_ignore` silently ignored for years); actions/runner action_yaml.json (action root takes any key)",
  },
  {
    id: "activity-types",
    what: "an activity type the schema does not list (`types: [synchronized]`) is a warning: GitHub accepts the workflow, no event of that type exists",
    evidence: "cloudposse github-action-terraform-ci#3 (workflow ran with `synchronized`); actions/languageservices#242 (schema lists lag GitHub's)",
  },
  {
    id: "cron-step",
    what: "cron steps larger than their field's range (`*/24` in hours)",
    evidence: "github-semantics.md (verified); abozanona/pacman-contribution-graph#7 (only editor warnings)",
  },
  {
    id: "action-metadata",
    what: "action.yml without `name` or `description`; `required`/`description` of an input of any type",
    evidence: "actions/runner src/Runner.Worker/action_yaml.json: action-root and input take any key, only `default` is typed, nothing is required",
  },
  {
    id: "yaml-constructs",
    what: "circular aliases, non-string keys (`1:`), keys without values, `!!binary` scalars: read as GitHub's YAML reads them, where workflow-parser's reader loses its place (\"Expected a scalar value, a sequence, or a mapping\", \"raw.indexOf is not a function\")",
    evidence: "actionlint testdata examples/yaml_anchor_usage.yaml, examples/dangling_alias.yaml (circular aliases)",
  },
  {
    id: "one-finding-per-problem",
    what: "a conversion error at the place the reader already reported (`workflow_dispatch: []`, `Required property is missing: run` + `Expected one of uses or run`); an expression that does not parse reported again as an unexpected value or as an `if` condition; `needs` errors that follow from a job whose conversion stopped",
    evidence: "follow-on messages of one cause",
  },
] as const;

export interface SchemaOptions {
  /** Reproduce workflow-parser exactly (no LENIENCY); for the differential test. */
  strict?: boolean;
  /**
   * Strict mode only: what to run for the few constructs the reader does not reproduce (circular
   * aliases, non-string keys, ...), typically workflow-parser itself (schema-legacy.ts). Kept out of
   * this module so the CLI bundle does not carry workflow-parser.
   */
  fallback?: (file: SourceFile) => Promise<ParseDiagnostic[]>;
}

/** Files handed to the strict fallback, and validations that stopped on an internal error (for tests). */
export const schemaStats = { files: 0, fallbacks: 0, stopped: 0, last: "" };

export async function validateSchema(file: SourceFile, options: SchemaOptions = {}): Promise<ParseDiagnostic[]> {
  schemaStats.files++;
  const lenient = !options.strict;
  const isAction = file.kind === "action";
  if (!file.doc || !file.lineCounter) return [];
  const reader = new SchemaReader(file.doc, isAction ? actionSchema(lenient) : workflowSchema(lenient), {
    lineCounter: file.lineCounter,
    maxErrors: MAX_SCHEMA_ERRORS,
  });
  try {
    const root = reader.read(isAction ? "action-root-strict" : "workflow-root-strict");
    const converter = new Converter((e) => reader.push(e), lenient);
    if (isAction) converter.action(root);
    else converter.workflow(root);
  } catch (err) {
    if (err instanceof ConversionStopped) {
      return [{ ruleId: "workflow-schema", message: `schema validation stopped: ${err.message}`, range: toRange(file, {}) }];
    }
    if (err instanceof Fallback && options.fallback) {
      schemaStats.fallbacks++;
      schemaStats.last = `${file.path}: ${err.message}`;
      return options.fallback(file);
    }
    // A bug here must not hide the file's other findings behind a crash: report it on the file.
    schemaStats.stopped++;
    schemaStats.last = `${file.path}: ${err instanceof Error ? err.message : String(err)}`;
    return [{ ruleId: "workflow-schema", message: `schema validation stopped: ${err instanceof Error ? err.message : String(err)}`, range: toRange(file, {}) }];
  }
  const seen = new Set<string>();
  const readAt = new Set<string>();
  const out: ParseDiagnostic[] = [];
  for (const e of reader.errors) {
    const range = toRange(file, e);
    const key = `${range.start.line}:${range.start.column}:${e.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (lenient) {
      // One finding per problem: the converter repeats what the reader said about the same token.
      const at = `${range.start.offset}:${range.end.offset}`;
      if (e.stage === "read") readAt.add(at);
      else if (readAt.has(at)) continue;
    }
    out.push(e.level ? { ruleId: "workflow-schema", message: e.message, range, level: e.level } : { ruleId: "workflow-schema", message: e.message, range });
  }
  return out;
}

/** Positions as the old path computed them: token offsets, or workflow-parser's line/column sub-ranges. */
function toRange(file: SourceFile, e: Pick<RawError, "s" | "e" | "lc">): Range {
  const lc = file.lineCounter!;
  const hasBom = file.text.charCodeAt(0) === 0xfeff;
  const at = (offset: number) => positionAt(lc, hasBom, offset);
  if (e.s !== undefined && e.e !== undefined) return { start: at(e.s), end: at(e.e) };
  if (e.lc) {
    const starts = lc.lineStarts;
    const offset = (line: number, column: number) => (starts[line - 1] ?? 0) + column - 1;
    return { start: at(offset(e.lc.sl, e.lc.sc)), end: at(offset(e.lc.el, e.lc.ec)) };
  }
  return { start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 1, offset: 0 } };
}
