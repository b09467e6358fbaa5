/**
 * The engine owns a finding's life: suppressed findings (inline comments and `ignore-findings`) are
 * never fixed nor offered as fixes, and rules may only offer the fixes their metadata declares.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { cli } from "../helpers/cli.js";
import { tempRepo } from "../helpers/temp-repo.js";
import { lint } from "../../src/engine/lint.js";
import { offlinePins } from "../../src/knowledge/pins.js";
import type { Rule } from "../../src/rules/types.js";

const WORKFLOW = [
  "on: push",
  "jobs:",
  "  build:",
  "    runs-on: ubuntu-latest",
  "    steps:",
  "      # credflow: ignore[unpinned-ref] reviewed: we track main on purpose",
  "      - uses: actions/checkout@main",
  "      - uses: actions/setup-node@main",
  "",
].join("\n");

const SUPPRESSED_LINE = "      - uses: actions/checkout@main";

function repo(extra: Record<string, string> = {}): string {
  return tempRepo({ ".github/workflows/ci.yml": WORKFLOW, ".git/HEAD": "ref: refs/heads/main\n", ...extra });
}

describe("suppressed findings are never fixed", () => {
  for (const flags of [["--fix"], ["--fix", "--unsafe-fixes"]]) {
    it(`inline suppression: ${flags.join(" ")} leaves the suppressed line alone and fixes the other`, async () => {
      const dir = repo();
      const r = await cli([".", ...flags, "--report-unused-suppressions"], { cwd: dir });
      const after = fs.readFileSync(path.join(dir, ".github/workflows/ci.yml"), "utf8");
      expect(after).toContain(SUPPRESSED_LINE);
      expect(after).toContain("# credflow: ignore[unpinned-ref] reviewed");
      // The other branch ref is pinned by the unsafe fix only.
      if (flags.includes("--unsafe-fixes")) expect(after).not.toContain("actions/setup-node@main");
      else expect(after).toContain("actions/setup-node@main");
      // The suppression still suppresses something afterwards: it is not "unused".
      expect(r.stdout).not.toContain("unused-suppression");
    });
  }

  it("inline suppression: --diff --unsafe-fixes does not touch the suppressed line", async () => {
    const dir = repo();
    const r = await cli([".", "--diff", "--unsafe-fixes"], { cwd: dir });
    expect(r.stdout).toContain("-      - uses: actions/setup-node@main");
    expect(r.stdout).not.toContain("-      - uses: actions/checkout@main");
  });

  it("ignore-findings: --fix --unsafe-fixes leaves the ignored finding alone", async () => {
    const dir = repo({ ".credflow.yml": "ignore-findings:\n  - unpinned-ref:.github/workflows/ci.yml:8\n" });
    await cli([".", "--fix", "--unsafe-fixes"], { cwd: dir });
    const after = fs.readFileSync(path.join(dir, ".github/workflows/ci.yml"), "utf8");
    expect(after).toContain("actions/setup-node@main");
    expect(after).toContain(SUPPRESSED_LINE);
  });

  it("no SARIF fix, rdjsonl suggestion or JSON fix for suppressed findings; JSON lists them as suppressed", async () => {
    const dir = repo({ ".credflow.yml": "ignore-findings:\n  - unpinned-ref:.github/workflows/ci.yml:8\n" });
    const sarif = JSON.parse((await cli([".", "-f", "sarif"], { cwd: dir })).stdout) as {
      runs: Array<{ results: Array<{ locations: Array<{ physicalLocation: { region: { startLine: number } } }>; fixes?: unknown[]; suppressions?: unknown[] }> }>;
    };
    const results = sarif.runs[0]!.results;
    for (const res of results) {
      const line = res.locations[0]!.physicalLocation.region.startLine;
      if (line === 7 || line === 8) {
        expect(res.suppressions?.length ?? 0, `line ${line}`).toBeGreaterThan(0);
        expect(res.fixes ?? [], `line ${line}`).toEqual([]);
      }
    }
    const rd = (await cli([".", "-f", "rdjsonl", "--fail-level", "none"], { cwd: dir })).stdout.trim();
    expect(rd).toBe("");
    const json = JSON.parse((await cli([".", "-f", "json"], { cwd: dir })).stdout) as {
      findings: unknown[];
      suppressed: Array<{ rule: string; line: number; reason: string }>;
    };
    expect(json.findings).toEqual([]);
    expect(json.suppressed.map((s) => [s.rule, s.line]).sort()).toEqual([
      ["unpinned-ref", 7],
      ["unpinned-ref", 8],
    ]);
    expect(json.suppressed.find((s) => s.line === 8)!.reason).toContain("ignore-findings");
  });
});

describe("rule contract", () => {
  const base = { title: "t", description: "d", defaultLevel: "warning" as const, tags: [], precision: "high" as const };
  const dir = repo();
  const run = (rule: Rule) =>
    lint({ paths: ["."], cwd: dir, settings: { visibility: "unknown" }, pins: offlinePins(), rules: [rule] });
  const fixOf = (safe: boolean) => ({ description: "x", safe, edits: [{ path: ".github/workflows/ci.yml", start: 0, end: 0, text: "#" }] });
  const at = { path: ".github/workflows/ci.yml", range: { start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 3, offset: 2 } } };

  it("a fix from a rule that declares no fixes is rejected as an internal error", async () => {
    const r = await run({ ...base, id: "no-fix", fixable: false, check: (ctx) => ctx.report({ message: "m", location: at, fix: fixOf(true) }) });
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]!.fix).toBeUndefined();
    expect(r.internalErrors).toEqual(["rule no-fix returned a safe fix, but its metadata says it does not fix"]);
  });

  it("an unsafe fix from a rule that declares only safe fixes is rejected", async () => {
    const r = await run({ ...base, id: "safe-only", fixable: "safe", check: (ctx) => ctx.report({ message: "m", location: at, fix: () => fixOf(false) }) });
    expect(r.findings[0]!.fix).toBeUndefined();
    expect(r.internalErrors[0]).toContain("its metadata allows only safe fixes");
  });

  it("fix functions run only when fixes are asked for", async () => {
    let calls = 0;
    const rule: Rule = { ...base, id: "lazy", fixable: "safe", check: (ctx) => ctx.report({ message: "m", location: at, fix: () => (calls++, fixOf(true)) }) };
    const without = await lint({ paths: ["."], cwd: dir, settings: { visibility: "unknown" }, pins: offlinePins(), rules: [rule], fixes: false });
    expect(calls).toBe(0);
    expect(without.findings[0]!.fix).toBeUndefined();
    const withFixes = await run(rule);
    expect(calls).toBe(1);
    expect(withFixes.findings[0]!.fix?.description).toBe("x");
  });

  it("one problem reported twice at one place is one finding; the worse level wins", async () => {
    const r = await run({
      ...base,
      id: "twice",
      fixable: false,
      check: (ctx) => {
        ctx.report({ message: "job a: m", key: "k", location: at, level: "note" });
        ctx.report({ message: "job b: m", key: "k", location: at, level: "error" });
        ctx.report({ message: "other problem", location: at });
      },
    });
    expect(r.findings.map((f) => [f.level, f.message])).toEqual([
      ["error", "job b: m"],
      ["warning", "other problem"],
    ]);
  });
});
