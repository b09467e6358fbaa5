/**
 * Every rule's fixture repositories: test/fixtures/<rule-id>/<case>/ holds a small repository and a
 * case.json: { "description", "settings"?, "options"? (by rule id), "expect": [{ "path", "line", "level" }] }. Only findings of
 * <rule-id> are compared; a case whose name starts with "clean" must expect nothing.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { FIXTURES, lintDir, rows, type Expectation } from "../helpers/lint-fixture.js";
import { ruleById } from "../../src/rules/index.js";
import { runFixes } from "../../src/engine/fix-run.js";
import { offlinePins } from "../../src/knowledge/pins.js";
import type { Settings } from "../../src/rules/types.js";

interface CaseFile {
  description: string;
  settings?: Partial<Settings>;
  /** Rule options by rule id, as `rules.<id>.<option>` in `.credflow.yml`. */
  options?: Record<string, Record<string, unknown>>;
  expect: Expectation[];
  /** Substrings the first finding's message must contain. */
  messageIncludes?: string[];
  /** After `--fix` (plus `--unsafe-fixes` when `unsafe`): repository path → expected file, relative to the case. */
  fixed?: Record<string, string>;
  unsafe?: boolean;
}

const ruleDirs = fs.existsSync(FIXTURES) ? fs.readdirSync(FIXTURES).filter((d) => fs.statSync(path.join(FIXTURES, d)).isDirectory()) : [];

describe("rule fixtures", () => {
  it("has fixtures only for rules that exist", () => {
    for (const d of ruleDirs) expect(ruleById(d), `fixture folder ${d}`).toBeDefined();
  });
  for (const ruleId of ruleDirs) {
    const cases = fs.readdirSync(path.join(FIXTURES, ruleId)).filter((c) => fs.existsSync(path.join(FIXTURES, ruleId, c, "case.json")));
    describe(ruleId, () => {
      it("has flagged and clean cases", () => {
        expect(cases.some((c) => c.startsWith("clean"))).toBe(true);
        expect(cases.some((c) => !c.startsWith("clean"))).toBe(true);
      });
      for (const c of cases) {
        const dir = path.join(FIXTURES, ruleId, c);
        const spec = JSON.parse(fs.readFileSync(path.join(dir, "case.json"), "utf8")) as CaseFile;
        it(`${c}: ${spec.description}`, async () => {
          const result = await lintDir(dir, { ...spec.settings, options: spec.options });
          expect(result.internalErrors).toEqual([]);
          const got = rows(result, ruleId);
          const want = spec.expect.map((e) => ({ path: e.path, line: e.line, level: e.level ?? ruleById(ruleId)!.defaultLevel }));
          if (c.startsWith("clean")) expect(want).toEqual([]);
          expect(got).toEqual(want.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.line - b.line)));
          if (spec.messageIncludes) {
            const msg = result.findings.find((f) => f.ruleId === ruleId)?.message ?? "";
            for (const s of spec.messageIncludes) expect(msg).toContain(s);
          }
        });
        if (spec.fixed) {
          it(`${c}: --fix${spec.unsafe ? " --unsafe-fixes" : ""} gives the expected files, and a second run changes nothing`, async () => {
            const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "credflow-fix-"));
            fs.cpSync(dir, tmp, { recursive: true });
            const request = {
              paths: ["."],
              cwd: tmp,
              settings: { visibility: "unknown" as const, ...spec.settings },
              pins: offlinePins(),
              ruleOptions: (id: string) => spec.options?.[id] ?? {},
            };
            const first = await runFixes(request, { write: true, unsafe: !!spec.unsafe });
            expect(first.messages).toEqual([]);
            for (const [repoPath, expectedRel] of Object.entries(spec.fixed!)) {
              const got = fs.readFileSync(path.join(tmp, repoPath), "utf8");
              expect(got).toBe(fs.readFileSync(path.join(dir, expectedRel), "utf8"));
            }
            const second = await runFixes(request, { write: true, unsafe: !!spec.unsafe });
            expect(second.written).toEqual([]);
            fs.rmSync(tmp, { recursive: true, force: true });
          });
        }
      }
    });
  }
});
