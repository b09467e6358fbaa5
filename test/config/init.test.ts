import { readFileSync } from "node:fs";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { defaultConfigText, SCHEMA_URL } from "../../src/config/init.js";
import { parseConfigText } from "../../src/config/load.js";
import { configSchema, KNOWN_RULE_IDS, SCHEMA_DEFAULT_LEVELS } from "../../src/config/schema.js";

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
    expect(KNOWN_RULE_IDS).toEqual(EXPECTED_RULES);
    for (const id of EXPECTED_RULES) expect(["error", "warning", "note"]).toContain(SCHEMA_DEFAULT_LEVELS[id]);
    expect(SCHEMA_DEFAULT_LEVELS["unused-suppression"]).toBe("warning");
    // The string form of ignore-findings spells out the rule ids: keep it in step with `rules`.
    const schema = configSchema as { properties: { "ignore-findings": { items: { then: { pattern?: string } } } } };
    const pattern = schema.properties["ignore-findings"].items.then.pattern ?? "";
    expect(/^\^\(\(([^)]*)\):\)/.exec(pattern)?.[1]?.split("|")).toEqual(EXPECTED_RULES);
    const ruleIdEnum = (configSchema as { definitions: { ruleId: { enum: string[] } } }).definitions.ruleId.enum;
    expect(ruleIdEnum).toEqual(EXPECTED_RULES);
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

  it("lists every rule, commented out with its default level", () => {
    for (const id of EXPECTED_RULES) expect(text).toContain(`\n  # ${id}: ${SCHEMA_DEFAULT_LEVELS[id]}\n`);
  });

  it("still validates with every line uncommented, at the defaults", () => {
    const config = parseConfigText(uncommentAll(text), ".credflow.yml");
    for (const id of EXPECTED_RULES) expect(config.rules[id]?.level).toBe(SCHEMA_DEFAULT_LEVELS[id]);
    expect(config.visibility).toBe("public");
    expect(config.rules["composite-role-conflict"]?.options).toEqual({ "min-runner-version": "2.295.0" });
    expect(config.rules["oidc-fanout-no-retry"]?.options).toEqual({ threshold: 2 });
    expect(config.rules["unpinned-ref"]?.options).toEqual({ policy: "sha" });
    expect(config.ignore).toEqual([".github/workflows/experimental-*.yml"]);
    expect(config.ignoreFindings).toEqual([
      { rule: "unpinned-ref", path: ".github/workflows/release.yml", line: 12 },
      { rule: "static-aws-keys", path: ".github/workflows/legacy.yml" },
    ]);
  });

  it("uses the rule registry's levels when given, skipping ids the schema does not know", () => {
    const custom = defaultConfigText([
      { id: "unpinned-ref", defaultLevel: "error", description: "Custom text." },
      { id: "not-a-rule", defaultLevel: "note" },
    ]);
    expect(custom).toContain("  ## Custom text. Options: policy: sha | sha-all | tag | off.\n  # unpinned-ref: error\n");
    expect(custom).not.toContain("not-a-rule");
    expect(() => parseConfigText(uncommentAll(custom), "x.yml")).not.toThrow();
  });
});
