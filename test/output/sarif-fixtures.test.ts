/**
 * Issue 4: every SARIF log the rule fixture suite produces is valid SARIF 2.1.0 (the whole log, as
 * upload-sarif checks it) and follows GitHub code scanning's conventions. The cases are enumerated
 * when the tests run, so new rules' fixtures are covered without touching this file.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cli } from "../helpers/cli.js";
import { ruleById } from "../../src/rules/index.js";
import { ANSI, cleanTempDirs, DOCS_RULES, fixtureCases, sarifErrors, settingsArgs, tempDir, type SarifLogView } from "./helpers.js";

afterAll(cleanTempDirs);

const cases = fixtureCases();

/** Rule ids seen in any fixture's SARIF, with one case that showed each (for the docs check). */
const rulesSeen = new Map<string, string>();

function checkUri(uri: string, where: string): void {
  expect(uri, where).not.toMatch(/^\.\.?\//);
  expect(uri, where).not.toMatch(/(^|\/)\.\//);
  expect(uri, where).not.toMatch(/^\//);
  expect(uri, where).not.toMatch(/^[A-Za-z][A-Za-z0-9+.-]*:/); // no scheme: relative to the checkout
  expect(uri, where).not.toContain("\\");
  expect(uri, where).not.toBe("");
}

describe("SARIF of every fixture case", () => {
  it("finds the fixture cases", () => {
    expect(cases.length).toBeGreaterThan(0);
  });

  for (const c of cases) {
    it(`${c.ruleId}/${c.name}`, async () => {
      const scratch = tempDir();
      const r = await cli([".", "--format", "sarif", ...settingsArgs(c.spec, scratch)], { cwd: c.dir, env: {} });
      expect(r.stderr).toBe("");
      expect([0, 1]).toContain(r.code);
      expect(r.stdout).not.toMatch(ANSI);

      const log = JSON.parse(r.stdout) as SarifLogView;
      expect(sarifErrors(log)).toEqual([]);
      expect(r.stdout).not.toContain("partialFingerprints");
      expect(r.stdout).not.toContain("primaryLocationLineHash");

      expect(log.runs.length).toBe(1);
      const run = log.runs[0]!;
      expect(run.columnKind).toBe("utf16CodeUnits");
      expect(run.automationDetails?.id).toBe("credflow/");
      const rules = run.tool.driver.rules;
      expect(new Set(rules.map((x) => x.id)).size).toBe(rules.length);

      for (const [i, res] of run.results.entries()) {
        const where = `result ${i} (${res.ruleId})`;
        expect(rules[res.ruleIndex]?.id, where).toBe(res.ruleId);
        expect(res.locations.length, where).toBe(1);
        const loc = res.locations[0]!.physicalLocation;
        checkUri(loc.artifactLocation.uri, where);
        expect(loc.region.startLine, where).toBeGreaterThanOrEqual(1);
        // What GitHub lists: a short headline and why, not the whole explanation (the rule's help has it).
        expect(res.message.text.replace(/ Related: .*$/, "").length, where).toBeLessThanOrEqual(480);
        // Issue 12: the region's text and the lines around it, read from the file as it is.
        const file = path.join(c.dir, decodeURIComponent(loc.artifactLocation.uri));
        if (fs.existsSync(file) && fs.statSync(file).isFile() && loc.region.startLine !== undefined && fs.readFileSync(file, "utf8").trim() !== "") {
          const lines = fs.readFileSync(file, "utf8").replace(/^\uFEFF/, "").split("\n");
          const ctx = loc.contextRegion;
          expect(ctx, `${where}: contextRegion`).toBeDefined();
          expect(ctx!.startLine!).toBeLessThanOrEqual(loc.region.startLine);
          expect(ctx!.endLine!).toBeGreaterThanOrEqual(loc.region.endLine ?? loc.region.startLine);
          expect(ctx!.snippet?.text, where).toBe(lines.slice(ctx!.startLine! - 1, ctx!.endLine!).join("\n"));
          if (loc.region.snippet) expect(ctx!.snippet!.text, where).toContain(loc.region.snippet.text);
          else expect([loc.region.startColumn, loc.region.startLine], `${where}: empty region`).toEqual([loc.region.endColumn, loc.region.endLine]);
        }
        for (const rel of res.relatedLocations ?? []) checkUri(rel.physicalLocation.artifactLocation.uri, `${where} related`);
        if (res.fixes !== undefined) {
          expect(res.fixes.length, where).toBe(1);
          const changes = res.fixes[0]!.artifactChanges;
          expect(changes.length, where).toBeGreaterThan(0);
          const uris = changes.map((ch) => ch.artifactLocation.uri);
          expect(new Set(uris).size, `${where}: one artifactChange per file`).toBe(uris.length);
          for (const ch of changes) {
            checkUri(ch.artifactLocation.uri, `${where} fix`);
            expect(ch.replacements.length, where).toBeGreaterThan(0);
            for (const rep of ch.replacements) {
              // reviewdog skips a replacement without a startLine or an insertedContent.text.
              expect(rep.deletedRegion.startLine, where).toBeGreaterThanOrEqual(1);
              expect(typeof rep.insertedContent.text, where).toBe("string");
            }
          }
        }
      }

      // The case's own expectations show up as results at the same place and level.
      const expected = c.spec.expect.map((e) => ({
        ruleId: c.ruleId,
        uri: e.path,
        line: e.line,
        level: e.level ?? ruleById(c.ruleId)?.defaultLevel,
      }));
      const got = run.results
        .filter((res) => res.ruleId === c.ruleId)
        .map((res) => ({
          ruleId: res.ruleId,
          uri: decodeURIComponent(res.locations[0]!.physicalLocation.artifactLocation.uri),
          line: res.locations[0]!.physicalLocation.region.startLine,
          level: res.level,
        }));
      const key = (x: { uri: string; line?: number }) => `${x.uri}:${String(x.line).padStart(6, "0")}`;
      expect(got.sort((a, b) => (key(a) < key(b) ? -1 : 1))).toEqual(expected.sort((a, b) => (key(a) < key(b) ? -1 : 1)));

      // help.markdown is the rule's documentation page, byte for byte, whenever the page exists.
      for (const rule of rules) {
        if (!rulesSeen.has(rule.id)) rulesSeen.set(rule.id, `${c.ruleId}/${c.name}`);
        const doc = path.join(DOCS_RULES, `${rule.id}.md`);
        if (fs.existsSync(doc)) {
          const text = fs.readFileSync(doc, "utf8");
          expect(rule.help?.markdown, `${rule.id} help.markdown`).toBe(text);
          expect(rule.help?.text, `${rule.id} help.text`).toBe(text);
        }
      }
    });
  }

  it("every rule reported by a fixture has docs/rules/<id>.md (its SARIF help)", () => {
    const missing = [...rulesSeen]
      .filter(([id]) => !fs.existsSync(path.join(DOCS_RULES, `${id}.md`)))
      .map(([id, seenIn]) => `${id} (reported in ${seenIn})`);
    expect(missing).toEqual([]);
  });
});
