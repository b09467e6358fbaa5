/**
 * Files written from the rule registry, so that a rule's metadata (src/rules/types.ts `RuleMeta`) is
 * typed once: the rule parts of `schema/credflow.schema.json` and the README's rules table.
 * `npm run generate` (scripts/generate.mjs) writes them; test/config/generated.test.ts fails when a
 * committed file differs from what this module would write. `credflow init`, `credflow rules` and
 * SARIF read the registry at run time and need no generated file.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { RULES } from "../rules/index.js";
import type { RuleMeta, RuleOption } from "../rules/types.js";
import { OPTION_ALIASES } from "./schema.js";

type SchemaObject = Record<string, unknown>;

export const SCHEMA_FILE = "schema/credflow.schema.json";
export const README_FILE = "README.md";
const TABLE_START = "<!-- rules-table:start -->";
const TABLE_END = "<!-- rules-table:end -->";

/** A rule's entry under `rules`: a level, or a mapping with `level` and the rule's options. */
export function ruleSchema(rule: RuleMeta): SchemaObject {
  const options = Object.entries(rule.options ?? {});
  const properties: SchemaObject = { level: { $ref: "#/definitions/level" } };
  for (const [name, option] of options) {
    const alias = Object.entries(OPTION_ALIASES).find(([, a]) => a.rule === rule.id && a.option === name)?.[0];
    properties[name] = optionSchema(option, alias ? ` Overrides the top-level \`${alias}\`.` : "");
  }
  const names = options.map(([name]) => name);
  return {
    description: `${rule.description} Default level: ${rule.defaultLevel}.${names.length > 0 ? ` Options: ${names.join(", ")}.` : ""}`,
    default: rule.defaultLevel,
    // The form is chosen by the value's type (not `anyOf`), so ajv reports only the errors of the
    // form the value has, and a value of neither type once (see src/config/messages.ts).
    if: { type: "string" },
    then: { $ref: "#/definitions/level" },
    else: {
      type: "object",
      description: names.length > 0 ? "Level and options for this rule." : "Level for this rule.",
      additionalProperties: false,
      properties,
    },
  };
}

function optionSchema(option: RuleOption, note = ""): SchemaObject {
  const out: SchemaObject = { ...option.schema, description: `${option.description}${note}` };
  if (option.default !== undefined) out.default = option.default;
  return out;
}

/**
 * `schema` with its rule parts replaced from `rules`: `properties.rules.properties`, the top-level
 * option shorthands, `definitions.ruleId` and the rule ids in the string form of `ignore-findings`.
 * Everything else in the file is written by hand.
 */
export function schemaWithRules(schema: SchemaObject, rules: readonly RuleMeta[] = RULES): SchemaObject {
  const out = structuredClone(schema) as SchemaObject & {
    properties: Record<string, SchemaObject>;
    definitions: Record<string, SchemaObject>;
  };
  out.properties.rules!.properties = Object.fromEntries(rules.map((r) => [r.id, ruleSchema(r)]));
  for (const [alias, { rule, option }] of Object.entries(OPTION_ALIASES)) {
    const meta = rules.find((r) => r.id === rule)?.options?.[option];
    if (!meta) throw new Error(`the shorthand ${alias} names ${rule}.${option}, which the registry does not have`);
    out.properties[alias] = optionSchema(meta);
    (out.properties[alias] as SchemaObject).description = `Shorthand for \`rules.${rule}.${option}\` (which wins if both are set): ${meta.description}`;
  }
  const ids = rules.map((r) => r.id);
  out.definitions.ruleId = { ...out.definitions.ruleId, type: "string", enum: ids };
  const items = out.properties["ignore-findings"]!.items as { then: SchemaObject };
  items.then.pattern = `^((${ids.map(escapeRegExp).join("|")}):)?[^:]+(:[1-9][0-9]*)?$`;
  return out;
}

/** The README's rules table (between its markers, exclusive). */
export function rulesTable(rules: readonly RuleMeta[] = RULES): string {
  const rows = rules.map((r) => {
    const options = Object.entries(r.options ?? {}).map(
      ([name, o]) => `\`${name}\`${o.default === undefined ? "" : ` (default \`${String(o.default)}\`)`}`,
    );
    const optionText = options.length > 0 ? ` Option${options.length > 1 ? "s" : ""}: ${options.join(", ")}.` : "";
    const level = `${r.defaultLevel}${r.fixable ? ", fix" : ""}`;
    return `| [\`${r.id}\`](docs/rules/${r.id}.md) | ${level} | ${cell(r.description)}${optionText} |`;
  });
  return ["| rule | default | what it finds |", "|---|---|---|", ...rows].join("\n");
}

/** `readme` with its rules table replaced. */
export function readmeWithTable(readme: string, rules: readonly RuleMeta[] = RULES): string {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start < 0 || end < start) throw new Error(`${README_FILE} has no ${TABLE_START} … ${TABLE_END} markers`);
  return `${readme.slice(0, start + TABLE_START.length)}\n${rulesTable(rules)}\n${readme.slice(end)}`;
}

/** Every generated file as the generator would write it, from the files under `root`. */
export function generatedFiles(root: string, rules: readonly RuleMeta[] = RULES): Array<{ path: string; text: string }> {
  const read = (rel: string) => fs.readFileSync(path.join(root, rel), "utf8");
  const schema = JSON.parse(read(SCHEMA_FILE)) as SchemaObject;
  return [
    { path: SCHEMA_FILE, text: `${JSON.stringify(schemaWithRules(schema, rules), null, 2)}\n` },
    { path: README_FILE, text: readmeWithTable(read(README_FILE), rules) },
  ];
}

function cell(s: string): string {
  return s.replace(/\s+/g, " ").replace(/\|/g, "\\|").trim();
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
