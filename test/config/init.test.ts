import { readFileSync } from "node:fs";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { defaultConfigText, SCHEMA_URL } from "../../src/config/init.js";
import { parseConfigText } from "../../src/config/load.js";
import { configSchema, KNOWN_RULE_IDS } from "../../src/config/schema.js";
import { RULES } from "../../src/rules/index.js";
import type { RuleMeta } from "../../src/rules/types.js";

const EXPECTED_RULES = [
  "yaml-syntax",
  "workflow-schema",
  "local-action-resolution",
  "file-access",
  "matrix-job-limit",
  "composite-role-conflict",
  "credential-env-shadowing",
  "unpinned-ref",
  "credentials-in-cache",
  "oidc-fanout-no-retry",
  "missing-id-token-permission",
  "aws-unknown-input",
  "aws-invalid-input",
  "aws-boolean-trap",
  "outdated-action-runtime",
  "oidc-untrusted-trigger",
  "static-aws-keys",
  "unused-suppression",
  "oidc-trust-subject-mismatch",
  "oidc-trust-unrestricted",
  "oidc-trust-condition-operator",
];

/** Uncomments `  # id: level` lines and the commented examples. */
function uncommentAll(text: string): string {
  return text
    .split("\n")
    .map((l) => (/^ {2}# (?!#)/.test(l) ? `  ${l.slice(4)}` : /^# (visibility|min-runner-version|fanout-threshold|unpinned-ref-policy):/.test(l) ? l.slice(2) : l))
    .join("\n");
}

describe("schema", () => {
  it("is a valid draft-07 schema that lists every rule with a default level", () => {
    const ajv = new Ajv({ strict: false });
    expect(ajv.validateSchema(configSchema)).toBe(true);
    expect([...KNOWN_RULE_IDS].sort()).toEqual([...EXPECTED_RULES].sort());
    const rules = (configSchema as { properties: { rules: { properties: Record<string, { default?: string }> } } }).properties.rules.properties;
    expect(Object.keys(rules)).toEqual(KNOWN_RULE_IDS);
    for (const id of EXPECTED_RULES) expect(["error", "warning", "note"]).toContain(rules[id]?.default);
    expect(rules["unused-suppression"]?.default).toBe("warning");
    // The string form of ignore-findings spells out the rule ids: generated from the registry too.
    const schema = configSchema as { properties: { "ignore-findings": { items: { then: { pattern?: string } } } } };
    const pattern = schema.properties["ignore-findings"].items.then.pattern ?? "";
    expect(/^\^\(\(([^)]*)\):\)/.exec(pattern)?.[1]?.split("|")).toEqual(KNOWN_RULE_IDS);
    const ruleIdEnum = (configSchema as { definitions: { ruleId: { enum: string[] } } }).definitions.ruleId.enum;
    expect(ruleIdEnum).toEqual(KNOWN_RULE_IDS);
  });

  it("the file on disk is the one the loader uses, with its published $id", () => {
    const onDisk = JSON.parse(readFileSync(new URL("../../schema/credflow.schema.json", import.meta.url), "utf8")) as unknown;
    expect(onDisk).toEqual(configSchema);
    expect((configSchema as { $id?: string }).$id).toBe(SCHEMA_URL);
  });
});

describe("defaultConfigText", () => {
  const text = defaultConfigText();

  it("starts with the yaml-language-server schema line", () => {
    expect(text.split("\n")[0]).toBe(`# yaml-language-server: $schema=${SCHEMA_URL}`);
  });

  it("validates as it is, and changes nothing", () => {
    expect(parseConfigText(text, ".credflow.yml")).toEqual({ rules: {}, ignore: [], ignoreFindings: [] });
  });

  it("lists every rule of the registry, commented out with its default level and its options", () => {
    for (const rule of RULES) {
      const block = ruleBlock(text, rule.id);
      expect(block.at(-1), rule.id).toMatch(new RegExp(`^  # ${rule.id}: (${rule.defaultLevel}|\\{ level: ${rule.defaultLevel}(, .*)? \\})$`));
      for (const [name, option] of Object.entries(rule.options ?? {})) {
        expect(block.some((l) => l.startsWith(`  ##   ${name}: ${option.description}`)), `${rule.id}.${name}`).toBe(true);
        if (option.default !== undefined) expect(block.at(-1), `${rule.id}.${name}`).toContain(`, ${name}: ${String(option.default)}`);
      }
    }
    expect(ruleBlock(text, "unpinned-ref")).toEqual([
      `  ## ${RULES.find((r) => r.id === "unpinned-ref")!.description}`,
      "  ##   policy: Which references must be pinned to a commit SHA. (sha | sha-all | tag | off; default sha)",
      "  # unpinned-ref: { level: warning, policy: sha }",
    ]);
  });

  it("still validates with every line uncommented, at the defaults", () => {
    const config = parseConfigText(uncommentAll(text), ".credflow.yml");
    for (const rule of RULES) {
      expect(config.rules[rule.id]?.level, rule.id).toBe(rule.defaultLevel);
      const defaults = Object.fromEntries(
        Object.entries(rule.options ?? {})
          .filter(([, o]) => o.default !== undefined)
          .map(([name, o]) => [name, o.default]),
      );
      expect(config.rules[rule.id]?.options, rule.id).toEqual(defaults);
    }
    expect(config.visibility).toBe("public");
    expect(config.ignore).toEqual([".github/workflows/experimental-*.yml"]);
    expect(config.ignoreFindings.map(({ location: _, ...entry }) => entry)).toEqual([
      { rule: "unpinned-ref", path: ".github/workflows/release.yml", line: 12 },
      { rule: "static-aws-keys", path: ".github/workflows/legacy.yml" },
    ]);
  });

  it("lists the rules it is given, with their levels", () => {
    const custom: RuleMeta = {
      ...RULES.find((r) => r.id === "unpinned-ref")!,
      defaultLevel: "error",
      description: "Custom text.",
    };
    expect(defaultConfigText([custom])).toContain("  ## Custom text.\n  ##   policy: ");
    expect(defaultConfigText([custom])).toContain("  # unpinned-ref: { level: error, policy: sha }\n");
    expect(() => parseConfigText(uncommentAll(defaultConfigText([custom])), "x.yml")).not.toThrow();
  });
});

/** The comment lines about one rule: its `##` lines, then its commented setting. */
function ruleBlock(text: string, id: string): string[] {
  const lines = text.split("\n");
  const at = lines.findIndex((l) => l.startsWith(`  # ${id}: `));
  let start = at;
  while (start > 0 && lines[start - 1]!.startsWith("  ##")) start--;
  return lines.slice(start, at + 1);
}
