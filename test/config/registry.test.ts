import { describe, expect, it } from "vitest";
import { RULES } from "../../src/rules/index.js";
import { defaultConfigText } from "../../src/config/init.js";
import { parseConfigText } from "../../src/config/load.js";
import { KNOWN_RULE_IDS, SCHEMA_DEFAULT_LEVELS } from "../../src/config/schema.js";

// The configuration rejects unknown rule ids, so every registered rule must be in the schema
// (`schema/credflow.schema.json`, `rules.properties`, `definitions.ruleId` and the
// `ignore-findings` string pattern).
describe("rule registry and configuration schema agree", () => {
  it("every registered rule id can be configured", () => {
    const missing = RULES.map((r) => r.id).filter((id) => !KNOWN_RULE_IDS.includes(id));
    expect(missing).toEqual([]);
  });

  it("the schema documents the registered default levels", () => {
    const differing = RULES.filter((r) => SCHEMA_DEFAULT_LEVELS[r.id] !== r.defaultLevel).map((r) => `${r.id}: ${r.defaultLevel}`);
    expect(differing).toEqual([]);
  });

  it("the default configuration built from the registry validates", () => {
    expect(() => parseConfigText(defaultConfigText(RULES), ".credflow.yml")).not.toThrow();
  });
});
