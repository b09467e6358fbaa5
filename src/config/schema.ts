/**
 * The configuration schema (`schema/credflow.schema.json`) and the facts beside it. Its rule parts
 * (every rule's level and options, the rule ids, the option shorthands) are generated from the rule
 * registry by `npm run generate` (src/config/generate.ts); test/config/generated.test.ts fails when
 * the file is stale.
 */
import { Ajv } from "ajv";
import schemaJson from "../../schema/credflow.schema.json" with { type: "json" };
import { RULES } from "../rules/index.js";

/** The JSON Schema of `.credflow.yml` (draft-07). */
export const configSchema: Record<string, unknown> = schemaJson;

/** Every rule id, in registry order. */
export const KNOWN_RULE_IDS: readonly string[] = RULES.map((r) => r.id);

/** Whether `id` is a rule id (one of the registry's). */
export function isKnownRuleId(id: string): boolean {
  return KNOWN_RULE_IDS.includes(id);
}

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

/** ajv as the configuration and rule options are validated: every error, with the data and schema behind it. */
export function newAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, verbose: true, allowUnionTypes: true });
  ajv.addVocabulary([...EDITOR_KEYWORDS]);
  return ajv;
}
