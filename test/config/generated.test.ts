/**
 * Files generated from the rule registry (src/config/generate.ts): the rule parts of
 * schema/credflow.schema.json and the README's rules table must be exactly what `npm run generate`
 * writes, so a rule's metadata is edited in one place.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { generatedFiles, rulesTable, schemaWithRules } from "../../src/config/generate.js";
import { RULES } from "../../src/rules/index.js";
import type { RuleMeta } from "../../src/rules/types.js";

const ROOT = path.resolve(__dirname, "..", "..");

describe("generated files", () => {
  for (const { path: rel, text } of generatedFiles(ROOT)) {
    it(`${rel} is what \`npm run generate\` writes`, () => {
      const current = fs.readFileSync(path.join(ROOT, rel), "utf8");
      if (current !== text) {
        const a = text.split("\n");
        const b = current.split("\n");
        let line = 0;
        while (line < a.length && a[line] === b[line]) line++;
        expect.fail(
          `${rel} is stale (first difference at line ${line + 1}: generated ${JSON.stringify(a[line]?.slice(0, 120))}, ` +
            `committed ${JSON.stringify(b[line]?.slice(0, 120))}). Run \`npm run generate\` and commit it.`,
        );
      }
    });
  }

  it("scripts/generate.mjs --check agrees (it bundles the registry with esbuild and writes nothing)", () => {
    const r = spawnSync(process.execPath, [path.join(ROOT, "scripts", "generate.mjs"), "--check"], { cwd: ROOT, encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  }, 30_000);
});

describe("what is generated from a rule's metadata", () => {
  const extra: RuleMeta = {
    id: "made-up",
    title: "Made up",
    description: "Reports | pipes.",
    defaultLevel: "note",
    tags: [],
    precision: "low",
    fixable: "safe",
    options: { depth: { description: "How deep.", schema: { type: "integer", minimum: 1 }, default: 3 } },
  };
  const rules = [...RULES, extra];
  const schema = schemaWithRules(JSON.parse(fs.readFileSync(path.join(ROOT, "schema", "credflow.schema.json"), "utf8")) as Record<string, unknown>, rules) as {
    properties: Record<string, { properties?: Record<string, unknown>; items?: { then: { pattern: string } } }>;
    definitions: { ruleId: { enum: string[] } };
  };

  it("the schema: a level or a mapping with the options, chosen by the value's type; the rule ids", () => {
    expect(schema.properties.rules!.properties!["made-up"]).toEqual({
      description: "Reports | pipes. Default level: note. Options: depth.",
      default: "note",
      if: { type: "string" },
      then: { $ref: "#/definitions/level" },
      else: {
        type: "object",
        description: "Level and options for this rule.",
        additionalProperties: false,
        properties: { level: { $ref: "#/definitions/level" }, depth: { type: "integer", minimum: 1, description: "How deep.", default: 3 } },
      },
    });
    expect(schema.definitions.ruleId.enum.at(-1)).toBe("made-up");
    // The made-up rule comes after every registry rule (the registry's order is generated).
    expect(schema.properties["ignore-findings"]!.items!.then.pattern).toContain(`|${RULES.at(-1)!.id}|made-up):)?`);
  });

  it("the README table: level, fix, description and options, with pipes escaped", () => {
    expect(rulesTable(rules).split("\n").at(-1)).toBe(
      "| [`made-up`](docs/rules/made-up.md) | note, fix | Reports \\| pipes. Option: `depth` (default `3`). |",
    );
  });
});
