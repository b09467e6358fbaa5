/** The commented default configuration written by `credflow init`. */
import type { Level } from "../rules/types.js";
import { KNOWN_RULE_IDS, SCHEMA_DEFAULT_LEVELS, SCHEMA_RULE_DESCRIPTIONS } from "./schema.js";

export const SCHEMA_URL = "https://raw.githubusercontent.com/credflow/credflow/main/schema/credflow.schema.json";

/** What the default configuration lists about a rule. */
export interface RuleSummary {
  id: string;
  defaultLevel: Level;
  /** One line shown above the rule; the schema's description when omitted. */
  description?: string;
}

/** Options shown next to the rules that take them. */
const RULE_OPTION_HINTS: Record<string, string> = {
  "unpinned-ref": "policy: sha | sha-all | tag | off",
  "oidc-fanout-no-retry": "threshold: 2 or more",
  "composite-role-conflict": 'min-runner-version: "2.295.0"',
};

/**
 * A commented default configuration: every setting is commented out at its default, so the file
 * changes nothing until edited. Pass the rule registry (`id`, `defaultLevel`, a description) to
 * list the levels the rules really default to; without it the schema's documented defaults are
 * used. Rules the schema does not know are left out (the file would not validate).
 */
export function defaultConfigText(rules?: readonly RuleSummary[]): string {
  const summaries: RuleSummary[] = (rules ?? KNOWN_RULE_IDS.map((id) => ({ id, defaultLevel: SCHEMA_DEFAULT_LEVELS[id] ?? "warning" })))
    .filter((r) => KNOWN_RULE_IDS.includes(r.id));

  const out: string[] = [
    `# yaml-language-server: $schema=${SCHEMA_URL}`,
    "#",
    "# credflow configuration. Command-line flags win over this file.",
    "# Everything is commented out at its default: uncomment a line to change it.",
    "",
    "# Rule levels: error | warning | note | off. A rule that takes options accepts a mapping,",
    "# e.g. `unpinned-ref: { level: error, policy: sha-all }`.",
    "rules:",
  ];
  for (const r of summaries) {
    const description = oneLine(r.description ?? SCHEMA_RULE_DESCRIPTIONS[r.id] ?? "");
    const hint = RULE_OPTION_HINTS[r.id];
    if (description) out.push(`  ## ${description}${hint ? ` Options: ${hint}.` : ""}`);
    out.push(`  # ${r.id}: ${r.defaultLevel}`);
  }
  out.push(
    "",
    "# Who can read the repository: public | private | internal (unknown when unset).",
    "# visibility: public",
    "",
    "# Lowest GitHub Actions runner version you run (self-hosted or GitHub Enterprise Server);",
    "# composite-role-conflict reports what runners older than v2.295.0 get wrong.",
    '# min-runner-version: "2.295.0"',
    "",
    "# Number of parallel OIDC exchanges from which oidc-fanout-no-retry reports.",
    "# fanout-threshold: 2",
    "",
    "# Which references unpinned-ref requires to be commit SHAs: sha | sha-all | tag | off.",
    "# unpinned-ref-policy: sha",
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

function oneLine(s: string): string {
  return s.replace(/\s+/g, " ").trim();
}
