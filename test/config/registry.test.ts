import { describe, expect, it } from "vitest";
import { RULES } from "../../src/rules/index.js";
import { defaultConfigText } from "../../src/config/init.js";
import { parseConfigText } from "../../src/config/load.js";
import { configSchema } from "../../src/config/schema.js";

const schemaRules = (configSchema as { properties: { rules: { properties: Record<string, { default?: string }> } } }).properties.rules.properties;

// The configuration rejects unknown rule ids, so every registered rule must be in the schema
// (`schema/credflow.schema.json`, generated from the registry: see generated.test.ts).
describe("rule registry and configuration schema agree", () => {
  it("every registered rule id can be configured, and only those", () => {
    expect(Object.keys(schemaRules)).toEqual(RULES.map((r) => r.id));
  });

  it("the schema documents the registered default levels", () => {
    const differing = RULES.filter((r) => schemaRules[r.id]?.default !== r.defaultLevel).map((r) => `${r.id}: ${r.defaultLevel}`);
    expect(differing).toEqual([]);
  });

  it("the default configuration built from the registry validates", () => {
    expect(() => parseConfigText(defaultConfigText(RULES), ".credflow.yml")).not.toThrow();
  });

  it("every rule option has a description, a schema, and a default its schema accepts", () => {
    for (const rule of RULES) {
      for (const [name, option] of Object.entries(rule.options ?? {})) {
        expect(option.description.length, `${rule.id}.${name}`).toBeGreaterThan(0);
        expect(typeof option.schema.type, `${rule.id}.${name}`).toBe("string");
        if (option.default === undefined) continue;
        const yaml = `rules:\n  ${rule.id}: { ${name}: ${JSON.stringify(option.default)} }\n`;
        expect(() => parseConfigText(yaml, ".credflow.yml"), `${rule.id}.${name}`).not.toThrow();
      }
    }
  });
});
