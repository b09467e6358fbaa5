/** The configuration schema (`schema/credflow.schema.json`) and the facts derived from it. */
import { Ajv } from "ajv";
import schemaJson from "../../schema/credflow.schema.json" with { type: "json" };
import type { Level } from "../rules/types.js";

/** The JSON Schema of `.credflow.yml` (draft-07). */
export const configSchema: Record<string, unknown> = schemaJson;

interface RuleSchemaEntry {
  description?: string;
  default?: string;
}

const ruleEntries = (schemaJson.properties.rules.properties ?? {}) as Record<string, RuleSchemaEntry>;

/** Every rule id the configuration accepts, in schema order. */
export const KNOWN_RULE_IDS: readonly string[] = Object.keys(ruleEntries);

/** Whether `id` is a rule id the configuration accepts. */
export function isKnownRuleId(id: string): boolean {
  return Object.prototype.hasOwnProperty.call(ruleEntries, id);
}

/**
 * Default levels as documented in the schema (`default` of each rule). The rule registry is the
 * authority at run time; these serve the default configuration text and editors.
 */
export const SCHEMA_DEFAULT_LEVELS: Readonly<Record<string, Level>> = Object.fromEntries(
  KNOWN_RULE_IDS.map((id) => [id, (ruleEntries[id]?.default ?? "warning") as Level]),
);

/** One-sentence description of each rule from the schema (without the "Default level" suffix). */
export const SCHEMA_RULE_DESCRIPTIONS: Readonly<Record<string, string>> = Object.fromEntries(
  KNOWN_RULE_IDS.map((id) => [id, (ruleEntries[id]?.description ?? "").replace(/\s*Default level:.*$/, "")]),
);

/**
 * Top-level shorthands for rule options, kept as documented aliases: `unpinned-ref-policy: tag` is
 * `rules.unpinned-ref.policy: tag`; the rule option wins when both are set.
 */
export const OPTION_ALIASES: Readonly<Record<string, { rule: string; option: string }>> = {
  "min-runner-version": { rule: "composite-role-conflict", option: "min-runner-version" },
  "fanout-threshold": { rule: "oidc-fanout-no-retry", option: "threshold" },
  "unpinned-ref-policy": { rule: "unpinned-ref", option: "policy" },
};

/** Non-standard annotation keywords the schema uses for editors (VS Code / yaml-language-server). */
export const EDITOR_KEYWORDS: readonly string[] = [
  "patternErrorMessage",
  "enumDescriptions",
  "markdownDescription",
  "markdownEnumDescriptions",
  "deprecationMessage",
  "errorMessage",
  "doNotSuggest",
  "defaultSnippets",
];

/** ajv as the configuration is validated: every error, with the data and schema behind it. */
export function newAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, verbose: true, allowUnionTypes: true });
  ajv.addVocabulary([...EDITOR_KEYWORDS]);
  return ajv;
}
