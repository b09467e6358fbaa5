/**
 * Differential test of the schema checks: the old path (workflow-parser's readTemplate + converters,
 * src/parse/schema-legacy.ts) against the direct reader (src/parse/schema.ts) on every workflow of
 * actionlint's dataset and every YAML file under ../shared/corpus/.
 *
 * - strict mode must give exactly workflow-parser's diagnostics (message and position);
 * - the default (lenient) mode may differ only in the classes listed below, each with its reason.
 */
import { describe, expect } from "vitest";
import { itShared, NEEDS } from "../helpers/shared.js";
import { parseSourceFile } from "../../src/parse/parse-file.js";
import type { ParseDiagnostic } from "../../src/parse/parse-file.js";
import { LENIENCY, schemaStats, validateSchema } from "../../src/parse/schema.js";
import { validateSchemaLegacy } from "../../src/parse/schema-legacy.js";
import { isValidCron } from "../../src/parse/schema-convert.js";
import { corpusInputs, datasetInputs, type CorpusInput } from "./corpus-files.js";

interface Ctx {
  text: string;
  kind: "workflow" | "action";
  legacy: ParseDiagnostic[];
  lenient: ParseDiagnostic[];
}

const lineOf = (ctx: Ctx, d: ParseDiagnostic) => ctx.text.split("\n")[d.range.start.line - 1] ?? "";
/** The key a diagnostic's value belongs to: on its own line before it, or on the nearest less-indented line above. */
function ownerKey(ctx: Ctx, d: ParseDiagnostic): string | undefined {
  const lines = ctx.text.split("\n");
  const own = lines[d.range.start.line - 1] ?? "";
  const before = own.slice(0, d.range.start.column - 1);
  const inline = /^\s*(?:-\s+)?([\w-]+):\s*$/.exec(before);
  if (inline) return inline[1];
  const indent = own.length - own.trimStart().length;
  for (let i = d.range.start.line - 2; i >= 0; i--) {
    const l = lines[i]!;
    if (!l.trim() || l.trimStart().startsWith("#")) continue;
    if (l.length - l.trimStart().length < indent) return /^\s*(?:-\s+)?([\w-]+):/.exec(l)?.[1];
  }
  return undefined;
}
const sameRange = (a: ParseDiagnostic, b: ParseDiagnostic) => a.range.start.offset === b.range.start.offset && a.range.end.offset === b.range.end.offset;
const warningAt = (ctx: Ctx, d: ParseDiagnostic, pattern: RegExp) =>
  ctx.lenient.some((n) => n.level === "warning" && n.range.start.line === d.range.start.line && pattern.test(n.message));

/** The leniency classes of src/parse/schema.ts, as predicates over one difference. */
const CLASSES: Array<{
  id: (typeof LENIENCY)[number]["id"];
  reason: string;
  removed?: (d: ParseDiagnostic, ctx: Ctx) => boolean;
  added?: (d: ParseDiagnostic, ctx: Ctx) => boolean;
}> = [
  {
    id: "whole-env-expression",
    reason: "github.com runs `env: ${{ matrix.env }}` as a whole job/step env",
    removed: (d) => /^Unexpected type 'BasicExpressionToken' encountered while reading '(job|step) env'\./.test(d.message),
  },
  {
    id: "whole-services-expression",
    reason: "github.com runs `services: ${{ fromJSON(...) }}` (rhysd/actionlint#402)",
    removed: (d) => /^Unexpected type 'BasicExpressionToken' encountered while reading 'services'\./.test(d.message),
  },
  {
    id: "repository-dispatch",
    reason: "schema bug (repository-dispatch-string = branch_protection_rule) and `types:` as one string",
    removed: (d, ctx) =>
      d.message === "Unexpected value 'repository_dispatch'" || (/^Unexpected value '/.test(d.message) && /^\s*types:/.test(lineOf(ctx, d)) && ctx.text.includes("repository_dispatch")),
  },
  {
    id: "input-default",
    reason: "GitHub takes a scalar default's text; quoted true/false on boolean inputs",
    removed: (d) => /encountered while reading 'input default'\./.test(d.message),
    added: (d) => d.level === "warning" && /^default '.*' of a boolean input is neither true nor false$/.test(d.message),
  },
  {
    id: "ignored-keys",
    reason: "keys GitHub ignores are warnings; `status: {}` is accepted",
    removed: (d, ctx) =>
      (/^Unexpected value '/.test(d.message) || d.message === "A mapping was not expected") &&
      (warningAt(ctx, d, /is ignored by GitHub/) || /:\s*\{\s*\}\s*(#.*)?$/.test(lineOf(ctx, d))),
    added: (d) => d.level === "warning" && /is ignored by GitHub/.test(d.message),
  },
  {
    id: "activity-types",
    reason: "unknown activity types are accepted by GitHub (the workflow never fires for them): warning",
    removed: (d, ctx) => /^Unexpected value '/.test(d.message) && warningAt(ctx, d, /is not an activity type/),
    added: (d) => d.level === "warning" && /is not an activity type/.test(d.message),
  },
  {
    id: "cron-step",
    reason: "cron steps past their field's range run on github.com",
    removed: (d, ctx) => {
      if (!d.message.startsWith("Invalid cron expression")) return false;
      const cron = ctx.text.slice(d.range.start.offset, d.range.end.offset).replace(/^["']|["']$/g, "");
      return !isValidCron(cron, false) && isValidCron(cron, true);
    },
  },
  {
    id: "action-metadata",
    reason: "the runner's action_yaml.json requires no name/description and types only an input's default",
    removed: (d, ctx) =>
      ctx.kind === "action" &&
      (/^Required property is missing: (name|description)$/.test(d.message) ||
        (/^(Unexpected value '|A mapping was not expected|A sequence was not expected)/.test(d.message) &&
          ["required", "description", "deprecationMessage"].includes(ownerKey(ctx, d) ?? ""))),
  },
  {
    id: "yaml-constructs",
    reason: "workflow-parser's reader loses its place on circular aliases and non-string keys; credflow reads them as YAML does",
    removed: (d, ctx) =>
      ["Expected a scalar value, a sequence, or a mapping", "Expected mapping end"].includes(d.message) ||
      /is not a function$/.test(d.message) ||
      // a key YAML reads as null/bool/number (`null:`): workflow-parser's key token has no text
      (/^Unexpected value '/.test(d.message) && /^(null|Null|NULL|~|true|True|TRUE|false|False|FALSE|[-+]?[0-9][0-9_.eE+-]*)$/.test(ctx.text.slice(d.range.start.offset, d.range.end.offset))),
    // Reading goes on where workflow-parser lost its place, so what follows is checked too.
    added: (d, ctx) =>
      /^The alias '.*' (is circular|refers to no anchor)/.test(d.message) ||
      d.message === "A mapping key must be a string" ||
      ctx.legacy.some((o) => ["Expected a scalar value, a sequence, or a mapping", "Expected mapping end"].includes(o.message)),
  },
  {
    id: "one-finding-per-problem",
    reason: "follow-on messages of a problem already reported at that place",
    removed: (d, ctx) =>
      ctx.lenient.some((n) => sameRange(n, d)) ||
      (/^Unexpected value '\$\{\{/.test(d.message) && ctx.lenient.some((n) => n.range.start.line === d.range.start.line)) ||
      (/^Unexpected symbol: '\$\{\{'/.test(d.message) &&
        ctx.lenient.some((n) => n.range.start.line >= d.range.start.line && n.range.start.line <= d.range.end.line)) ||
      ((d.message === "The workflow must contain at least one job with no dependencies." || /^Job '.*' depends on /.test(d.message)) &&
        ctx.legacy.some((o) => o !== d && !ctx.lenient.some((n) => n.message === o.message && sameRange(n, o)))),
  },
];

const key = (d: ParseDiagnostic) => `${d.range.start.line}:${d.range.start.column}-${d.range.end.line}:${d.range.end.column} ${d.level ?? "error"} ${d.message}`;


describe("schema checks: direct reader vs workflow-parser", () => {
  itShared(
    [NEEDS.corpus, NEEDS.dataset],
    "strict mode reproduces workflow-parser on every file; the default mode differs only in the listed classes",
    async () => {
      const inputs: CorpusInput[] = [...(await datasetInputs()), ...corpusInputs()];
      expect(inputs.length).toBeGreaterThan(2000);
      const strictMismatches: string[] = [];
      const unexplained: string[] = [];
      const counts = new Map<string, number>();
      const fallbacksBefore = schemaStats.fallbacks;
      const stoppedBefore = schemaStats.stopped;
      let checked = 0;
      for (const input of inputs) {
        const parsed = parseSourceFile(input);
        if (!parsed.usable || !parsed.expandable) continue;
        checked++;
        const legacy = await validateSchemaLegacy(parsed.file);
        const strict = await validateSchema(parsed.file, { strict: true, fallback: validateSchemaLegacy });
        const a = legacy.map(key);
        const b = strict.map(key);
        if (a.join("\n") !== b.join("\n")) strictMismatches.push(`${input.set} ${input.path}\n  old: ${a.join("\n       ")}\n  new: ${b.join("\n       ")}`);

        const lenient = await validateSchema(parsed.file);
        const ctx: Ctx = { text: parsed.file.text, kind: input.kind, legacy, lenient };
        const lk = new Set(lenient.map(key));
        const ok = new Set(legacy.map(key));
        for (const d of legacy.filter((x) => !lk.has(key(x)))) {
          const c = CLASSES.find((k) => k.removed?.(d, ctx));
          if (c) counts.set(c.id, (counts.get(c.id) ?? 0) + 1);
          else unexplained.push(`${input.set} ${input.path}: no longer reported: ${key(d)}`);
        }
        for (const d of lenient.filter((x) => !ok.has(key(x)))) {
          const c = CLASSES.find((k) => k.added?.(d, ctx));
          if (!c) unexplained.push(`${input.set} ${input.path}: new: ${key(d)}`);
        }
      }
      expect(checked).toBeGreaterThan(2000);
      expect(strictMismatches).toEqual([]);
      expect(unexplained).toEqual([]);
      // Every listed class is exercised by the corpus, and every class of schema.ts is listed here.
      expect(CLASSES.map((c) => c.id).sort()).toEqual(LENIENCY.map((c) => c.id).sort());
      for (const c of CLASSES) expect(counts.get(c.id) ?? 0, `class ${c.id} never applied`).toBeGreaterThan(0);
      // Constructs strict mode leaves to workflow-parser (circular aliases) stay rare, and the reader
      // never stops on an internal error.
      expect(schemaStats.fallbacks - fallbacksBefore).toBeLessThan(20);
      expect(schemaStats.stopped - stoppedBefore, schemaStats.last).toBe(0);
    },
    600_000,
  );
});
