/** The commented default configuration `credflow init` writes, built from the rule registry when it runs. */
import { RULES } from "../rules/index.js";
import type { RuleMeta, RuleOption } from "../rules/types.js";
import { OPTION_ALIASES } from "./schema.js";

export const SCHEMA_URL = "https://raw.githubusercontent.com/credflow/credflow/main/schema/credflow.schema.json";

/**
 * A commented default configuration: every setting is commented out at its default, so the file
 * changes nothing until edited. Each rule is listed with its description, its options and its
 * default level (`rules` is the registry unless a test passes others).
 */
export function defaultConfigText(rules: readonly RuleMeta[] = RULES): string {
  const out: string[] = [
    `# yaml-language-server: $schema=${SCHEMA_URL}`,
    "#",
    "# credflow configuration. Command-line flags win over this file.",
    "# Everything is commented out at its default: uncomment a line to change it.",
    "",
    "# Rule levels: error | warning | note | off. A rule that takes options accepts a mapping",
    "# with `level` and its options.",
    "rules:",
  ];
  for (const r of rules) {
    out.push(`  ## ${oneLine(r.description)}`);
    const options = Object.entries(r.options ?? {});
    for (const [name, option] of options) out.push(`  ##   ${name}: ${oneLine(option.description)} ${valuesText(option)}`);
    const defaults = options.filter(([, o]) => o.default !== undefined).map(([name, o]) => `, ${name}: ${yamlScalar(o.default)}`);
    out.push(options.length > 0 ? `  # ${r.id}: { level: ${r.defaultLevel}${defaults.join("")} }` : `  # ${r.id}: ${r.defaultLevel}`);
  }
  out.push(
    "",
    "# Who can read the repository: public | private | internal (unknown when unset).",
    "# visibility: public",
    "",
    "# Also read, as shorthands for rule options (the rule option wins when both are set):",
    ...Object.entries(OPTION_ALIASES).map(([alias, { rule, option }]) => `#   ${alias}: the ${option} option of ${rule}`),
    "",
    "# Files to skip: globs relative to the repository root (`ci.yml` matches only the file at",
    "# the root; `**/ci.yml` matches it anywhere; `vendor/` skips a folder).",
    "ignore:",
    '  # - ".github/workflows/experimental-*.yml"',
    "",
    '# Findings to skip: "rule-id:path:line", "rule-id:path", "path:line", or a mapping',
    "# { rule, path, line } (rule and line optional). Prefer inline comments in the file:",
    "#   uses: some/action@v1  # credflow: ignore[unpinned-ref] vendored, reviewed",
    "ignore-findings:",
    '  # - "unpinned-ref:.github/workflows/release.yml:12"',
    "  # - { rule: static-aws-keys, path: .github/workflows/legacy.yml }",
    "",
  );
  return out.join("\n");
}

/** `(sha | sha-all | tag | off; default sha)`: the values an option takes, from its schema. */
function valuesText(option: RuleOption): string {
  const s = option.schema;
  let values: string;
  if (Array.isArray(s.enum)) values = s.enum.map(String).join(" | ");
  else if (s.type === "integer" && typeof s.minimum === "number") values = `an integer, ${s.minimum} or more`;
  else if (Array.isArray(s.examples) && s.examples.length > 0) values = `e.g. ${yamlScalar(s.examples[0])}`;
  else values = typeof s.type === "string" ? `a ${s.type}` : "a value";
  return `(${values}; ${option.default === undefined ? "no default" : `default ${yamlScalar(option.default)}`})`;
}

/** A value as YAML writes it in a flow mapping: plain when that reads back as the same string. */
function yamlScalar(v: unknown): string {
  return typeof v === "string" && (!/^[a-z][a-z0-9-]*$/.test(v) || /^(true|false|null)$/.test(v)) ? JSON.stringify(v) : String(v);
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, " ").trim();
}
