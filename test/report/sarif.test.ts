import * as fs from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { hasShared, itShared, NEEDS, sharedFileOrNote, sharedPath } from "../helpers/shared.js";
import { artifactUri, buildSarif, formatSarif, pascalCase, type SarifLog } from "../../src/report/sarif.js";
import type { ReportInput } from "../../src/report/types.js";
import { A, A_PATH, B, B_PATH, FINDINGS, FIX_TEXT, input, simple } from "./fixtures.js";

// The schema is in ../shared: without it the schema test is skipped and the other tests check the
// log without it (test/helpers/shared.ts says so in the test output).
const schema = hasShared(NEEDS.sarifSchema)
  ? (JSON.parse(fs.readFileSync(sharedPath(NEEDS.sarifSchema), "utf8")) as {
      definitions: { region: { anyOf?: unknown; properties: Record<string, unknown> } };
    })
  : undefined;
// The published schema misplaces region's `anyOf` under `properties`, which ajv's meta-schema
// check rejects, so the file as-is is compiled without that check. Formats (`uri`, `date-time`)
// are not validated: upload-sarif does not reject logs for them.
const options = { strict: false, allErrors: true, validateFormats: false, validateSchema: false } as const;
const validateAsIs = schema ? new Ajv2020(options).compile(schema) : undefined;
// A second copy with the `anyOf` where it was meant to be: every region needs a start.
const fixed = schema ? structuredClone(schema) : undefined;
if (fixed) {
  fixed.definitions.region.anyOf = fixed.definitions.region.properties["anyOf"];
  delete fixed.definitions.region.properties["anyOf"];
}
const validateStrict = fixed ? new Ajv2020(options).compile(fixed) : undefined;

function valid(i: ReportInput): SarifLog {
  const text = formatSarif(i);
  const log = JSON.parse(text) as SarifLog;
  if (!validateAsIs || !validateStrict) sharedFileOrNote(NEEDS.sarifSchema);
  for (const validate of validateAsIs && validateStrict ? [validateAsIs, validateStrict] : []) {
    const ok = validate(log);
    expect(ok ? [] : validate.errors).toEqual([]);
  }
  expect(text).not.toContain("\x1b");
  return log;
}

describe("formatSarif", () => {
  const log = valid(input());
  const run = log.runs[0]!;
  const driver = run.tool.driver;

  itShared(NEEDS.sarifSchema, "validates against the SARIF 2.1.0 schema in every shape", () => {
    // The validators do reject broken logs.
    expect(validateAsIs!({ version: "2.1.0", runs: [{ tool: { driver: {} } }] })).toBe(false);
    expect(validateStrict!(JSON.parse(JSON.stringify(log).replace('"startLine":7,', '')))).toBe(false);
    valid(input({ findings: [] }));
    valid(input({ fileText: () => undefined }));
    valid(input({ ruleDoc: undefined, rules: [] })); // rules unknown to the registry
    valid(input({ suppressed: [{ finding: FINDINGS[0]!, reason: "pinned by renovate" }] }));
  });

  it("describes the tool and the run", () => {
    expect(log.version).toBe("2.1.0");
    expect(log.runs).toHaveLength(1);
    expect(driver).toMatchObject({
      name: "credflow",
      version: "1.2.3",
      semanticVersion: "1.2.3",
      informationUri: "https://github.com/credflow/credflow",
    });
    expect(run.columnKind).toBe("utf16CodeUnits");
    expect(run.automationDetails).toEqual({ id: "credflow/" });
    expect(JSON.stringify(log)).not.toContain("partialFingerprints");
  });

  it("lists exactly the rules that appear, with code scanning metadata", () => {
    expect(driver.rules.map((r) => r.id)).toEqual(["credential-leak", "missing-shell", "unpinned-action"]);
    const [leak, shell, pin] = driver.rules;
    expect(pin).toEqual({
      id: "unpinned-action",
      name: "UnpinnedAction",
      shortDescription: { text: "Action not pinned to a commit" },
      fullDescription: { text: "Finds actions referenced by a mutable tag or branch instead of a full commit SHA." },
      help: {
        text: "# unpinned-action\n\nPin actions to a **commit**.\n",
        markdown: "# unpinned-action\n\nPin actions to a **commit**.\n",
      },
      helpUri: "https://github.com/credflow/credflow/blob/main/docs/rules/unpinned-action.md",
      defaultConfiguration: { level: "warning" },
      properties: { tags: ["security", "supply-chain"], precision: "very-high", "security-severity": "5.5" },
    });
    expect(leak!.fullDescription!.text.length).toBeLessThanOrEqual(1024);
    expect(leak!.properties!.tags).toHaveLength(10);
    expect(leak!.help!.text).toBe(leak!.help!.markdown); // falls back to the description
    expect(shell!.properties).not.toHaveProperty("security-severity");
    expect(pascalCase("composite-role-conflict")).toBe("CompositeRoleConflict");
  });

  it("writes results in sorted order with rule indexes, regions and related links", () => {
    expect(run.results.map((r) => driver.rules[r.ruleIndex]!.id)).toEqual(run.results.map((r) => r.ruleId));
    const leak = run.results[0]!;
    expect(leak.ruleId).toBe("credential-leak");
    expect(leak.level).toBe("error");
    expect(leak.locations).toEqual([
      {
        physicalLocation: {
          artifactLocation: { uri: A_PATH },
          region: { startLine: 7, startColumn: 16, endLine: 7, endColumn: 28, snippet: { text: "Étape 🚀 clé" } },
          contextRegion: { startLine: 5, endLine: 9, snippet: { text: A.split("\n").slice(4, 9).join("\n") } },
        },
      },
    ]);
    // The headline (here the message's first sentence) as a sentence, then links to the related locations.
    expect(leak.message.text).toBe(
      "Credentials \\[AWS_SECRET_ACCESS_KEY\\] leak: 100% reach step 2, then \x1b\\[31mred\x1b\\[0m | done. Related: [credentials configured here](1), [step \\[deploy\\]](2).",
    );
    expect(leak.relatedLocations).toEqual([
      {
        id: 1,
        physicalLocation: { artifactLocation: { uri: B_PATH }, region: { startLine: 5, startColumn: 1, endLine: 6, endColumn: 18 } },
        message: { text: "credentials configured here" },
      },
      {
        id: 2,
        physicalLocation: { artifactLocation: { uri: A_PATH }, region: { startLine: 8, startColumn: 15, endLine: 8, endColumn: 26 } },
        message: { text: "step [deploy]" },
      },
    ]);
    expect(leak.fixes).toBeUndefined();
  });

  it("gives GitHub the headline and the why, not the whole message", () => {
    const f = { ...FINDINGS[0]!, message: "Long text. With details GitHub need not list.", headline: "tag `v4` can move", why: "what runs can change without a change here" };
    const l = valid(input({ findings: [f] }));
    expect(l.runs[0]!.results[0]!.message.text).toBe("Tag `v4` can move. What runs can change without a change here.");
  });

  it("quotes the region and the lines around it; a BOM and CRLF stay out of the columns", () => {
    const shell = run.results[2]!.locations[0]!.physicalLocation;
    // B: BOM, CRLF; the step spans lines 5–6.
    expect(shell.region).toEqual({ startLine: 5, startColumn: 1, endLine: 6, endColumn: 18, snippet: { text: "    - run: echo hi\r\n      shell: bash" } });
    expect(shell.contextRegion).toEqual({ startLine: 3, endLine: 6, snippet: { text: B.slice(1).split("\n").slice(2, 6).join("\n") } });
    // Without the file's text, no snippet and no context.
    const l = buildSarif(input({ findings: [simple("note", "gone.yml", 2)] }));
    expect(l.runs[0]!.results[0]!.locations[0]!.physicalLocation).toEqual({ artifactLocation: { uri: "gone.yml" }, region: { startLine: 2, startColumn: 1, endLine: 2, endColumn: 5 } });
  });

  it("attaches exactly one fix with regions computed from the file text", () => {
    const pin = run.results[1]!;
    expect(pin.fixes).toEqual([
      {
        description: { text: "Pin to the commit of v4" },
        artifactChanges: [
          {
            artifactLocation: { uri: A_PATH },
            replacements: [{ deletedRegion: { startLine: 8, startColumn: 53, endLine: 8, endColumn: 55 }, insertedContent: { text: FIX_TEXT } }],
          },
        ],
      },
    ]);
    const shell = run.results[2]!;
    expect(shell.fixes![0]!.description.text).toMatch(/unsafe/);
    expect(shell.fixes![0]!.artifactChanges[0]!.replacements).toEqual([
      { deletedRegion: { startLine: 6, startColumn: 1, endLine: 7, endColumn: 1 }, insertedContent: { text: "" } },
    ]);
  });

  it("groups a multi-file fix into one artifact change per file", () => {
    const f = {
      ...simple("warning", "a.yml", 1),
      fix: {
        description: "two files",
        safe: true,
        edits: [
          { path: "b.yml", start: 0, end: 0, text: "x" },
          { path: "a.yml", start: 3, end: 4, text: "y" },
          { path: "a.yml", start: 0, end: 1, text: "z" },
        ],
      },
    };
    const l = valid(input({ findings: [f], fileText: (p) => (p === "a.yml" ? "abcdef\n" : undefined) }));
    const changes = l.runs[0]!.results[0]!.fixes![0]!.artifactChanges;
    expect(changes.map((c) => c.artifactLocation.uri)).toEqual(["a.yml", "b.yml"]);
    expect(changes[0]!.replacements.map((r) => r.deletedRegion.startColumn)).toEqual([1, 4]);
    // Without the text of b.yml the region falls back to character offsets.
    expect(changes[1]!.replacements[0]!.deletedRegion).toEqual({ charOffset: 0, charLength: 0 });
  });

  it("includes suppressed findings as suppressed results", () => {
    const l = valid(input({ findings: [], suppressed: [{ finding: FINDINGS[0]!, reason: "pinned by renovate" }] }));
    expect(l.runs[0]!.results).toHaveLength(1);
    expect(l.runs[0]!.results[0]!.suppressions).toEqual([{ kind: "inSource", justification: "pinned by renovate" }]);
    expect(l.runs[0]!.tool.driver.rules.map((r) => r.id)).toEqual(["unpinned-action"]);
  });

  it("writes relative, percent-encoded URIs without ./", () => {
    expect(artifactUri("./.github/workflows/my ci.yml")).toBe(".github/workflows/my%20ci.yml");
    expect(artifactUri("/repo/a/é.yml", "/repo")).toBe("a/%C3%A9.yml");
    const l = buildSarif(input({ findings: [simple("note", "./x y.yml", 2)] }));
    expect(l.runs[0]!.results[0]!.locations[0]!.physicalLocation.artifactLocation.uri).toBe("x%20y.yml");
  });

  it("keeps regions valid even if a range comes in reversed", () => {
    const f = simple("note", "a.yml", 3);
    f.location.range.end = { line: 3, column: 1, offset: 0 };
    f.location.range.start = { line: 3, column: 4, offset: 3 };
    valid(input({ findings: [f] }));
  });
});
