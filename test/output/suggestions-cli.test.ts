/**
 * Issue 12, item 8: rdjsonl and `--format github` offer only safe fixes, one per finding, never two
 * on one line, and never a ref credflow itself reports (every suggestion is checked by linting the
 * suggested text again).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cli } from "../helpers/cli.js";
import { tempRepo } from "../helpers/temp-repo.js";
import { suggestableFindings } from "../../src/cli/suggestions.js";
import { lint, type LintRequest } from "../../src/engine/lint.js";
import { offlinePins } from "../../src/knowledge/pins.js";
import { RULES } from "../../src/rules/index.js";
import { replaceRefInScalar } from "../../src/edit/yaml-edit.js";
import type { Rule } from "../../src/rules/types.js";
import { cleanTempDirs, copyCase, fixtureCases, REPO, type RdDiagnosticView } from "./helpers.js";

afterAll(cleanTempDirs);

const SHA = /@[0-9a-f]{40}\b/;

interface JsonFinding {
  rule: string;
  path: string;
  line: number;
  column: number;
  message: string;
  fix: { safe: boolean; edits: Array<{ startLine: number | null; text: string }> } | null;
}

function parseRd(stdout: string): RdDiagnosticView[] {
  return stdout
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as RdDiagnosticView);
}

/** Every suggestion comes from a safe fix, one per diagnostic, no two on one line, no mutable ref. */
function checkSuggestions(diags: RdDiagnosticView[], json: JsonFinding[], where: string): number {
  const lines = new Map<string, Set<number>>();
  let n = 0;
  for (const d of diags) {
    if (!d.suggestions) continue;
    n++;
    expect(d.suggestions, where).toHaveLength(1);
    const f = json.find((x) => x.rule === d.code.value && x.path === d.location.path && x.line === d.location.range.start.line && x.message === d.message);
    expect(f?.fix?.safe, `${where}: ${d.code.value} at ${d.location.path}:${d.location.range.start.line}`).toBe(true);
    const s = d.suggestions[0]!;
    // A `uses:` ref in a suggestion is a full commit SHA.
    for (const m of s.text.matchAll(/\buses:\s*["']?([^\s"'#]+@[^\s"'#]+)/g)) expect(m[1], where).toMatch(SHA);
    if (/^[\w.-]+\/[\w./-]+@/.test(s.text)) expect(s.text, where).toMatch(SHA);
    const taken = lines.get(d.location.path) ?? new Set<number>();
    for (let l = s.range.start.line; l <= s.range.end.line; l++) {
      if (l === s.range.end.line && s.range.end.column === 1 && l > s.range.start.line) continue;
      expect(taken.has(l), `${where}: two suggestions on ${d.location.path}:${l}`).toBe(false);
      taken.add(l);
    }
    lines.set(d.location.path, taken);
  }
  return n;
}

describe("suggestions in rdjsonl and github annotations", () => {
  it("examples/: safe fixes only, one per finding and line, every ref a commit SHA", async () => {
    const rd = await cli(["examples", "--format", "rdjsonl"], { cwd: REPO });
    const json = (JSON.parse((await cli(["examples", "--format", "json"], { cwd: REPO })).stdout) as { findings: JsonFinding[] }).findings;
    // The examples have unsafe fixes (an upgrade to @v6 among them): none is offered.
    expect(json.some((f) => f.fix && !f.fix.safe && f.fix.edits.some((e) => /@v6\b/.test(e.text)))).toBe(true);
    const n = checkSuggestions(parseRd(rd.stdout), json, "examples");
    expect(n).toBeGreaterThan(5);
    expect(rd.stdout).not.toMatch(/"text":"[^"]*@v6\b/);

    // Annotations name a fix exactly where rdjsonl suggests one.
    const gh = await cli(["examples", "--format", "github"], { cwd: REPO });
    const offered = gh.stdout.split("\n").filter((l) => l.includes("Fix (credflow --fix)"));
    expect(offered.length).toBeGreaterThan(0);
    for (const l of offered) expect(l).not.toMatch(/Upgrade|unsafe/);
  });

  it("every fixture case: the same guarantees", async () => {
    for (const c of fixtureCases()) {
      const dir = copyCase(c.dir);
      const rd = await cli([".", "--format", "rdjsonl"], { cwd: dir });
      if (rd.stdout.trim() === "") continue;
      const json = (JSON.parse((await cli([".", "--format", "json"], { cwd: dir })).stdout) as { findings: JsonFinding[] }).findings;
      checkSuggestions(parseRd(rd.stdout), json, `${c.ruleId}/${c.name}`);
    }
  });

  it("drops a safe fix whose result credflow would report, and keeps the checked ones", async () => {
    // A rule whose "safe" fix moves the ref to a tag: unpinned-ref reports the suggested text.
    const toTag: Rule = {
      id: "to-tag",
      title: "test rule",
      description: "test rule",
      defaultLevel: "error",
      tags: [],
      precision: "high",
      fixable: "safe",
      check(ctx) {
        for (const wf of ctx.graph.workflows) {
          for (const job of wf.jobs) {
            for (const step of job.steps) {
              if (!step.uses || !step.uses.node.value.endsWith("@v3")) continue;
              ctx.report({
                message: "moves to a tag",
                location: { path: wf.file.path, range: step.uses.node.range },
                fix: () => {
                  const edits = replaceRefInScalar(wf.file, step.uses!.node, "v3", "v6");
                  return edits ? { description: "use v6", safe: true, edits } : undefined;
                },
              });
            }
          }
        }
      },
    };
    const dir = tempRepo({
      ".github/workflows/ci.yml": [
        "on: push",
        "permissions: {}",
        "jobs:",
        "  a:",
        "    runs-on: ubuntu-latest",
        "    steps:",
        "      - uses: aws-actions/configure-aws-credentials@v3",
        "        with: { role-to-assume: 'arn:aws:iam::123456789012:role/a', aws-region: us-east-1 }",
        "      - uses: aws-actions/configure-aws-credentials@v4",
        "        with: { role-to-assume: 'arn:aws:iam::123456789012:role/b', aws-region: us-east-1 }",
        "",
      ].join("\n"),
    });
    fs.mkdirSync(path.join(dir, ".git"));
    const request: LintRequest = { paths: ["."], cwd: dir, settings: { visibility: "unknown" }, pins: offlinePins(), rules: [...RULES, toTag] };
    const result = await lint(request);
    const moved = result.findings.find((f) => f.ruleId === "to-tag");
    expect(moved?.fix?.edits.map((e) => e.text).join("")).toContain("v6");
    const shown = await suggestableFindings(request, result);
    expect(shown.find((f) => f.ruleId === "to-tag")!.fix).toBeUndefined();
    // The pin of @v4 on its own line is checked and kept.
    const pin = shown.find((f) => f.ruleId === "unpinned-ref" && f.location.range.start.line === 9);
    expect(pin?.fix?.safe).toBe(true);
  });
});
