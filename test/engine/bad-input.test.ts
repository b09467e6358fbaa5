import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { lintDir } from "../helpers/lint-fixture.js";
import { tempRepo } from "../helpers/temp-repo.js";

const GOOD = "on: push\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ok\n";

function summary(findings: Array<{ ruleId: string; location: { path: string; range: { start: { line: number } } }; message: string }>) {
  return findings.map((f) => `${f.ruleId} ${f.location.path}:${f.location.range.start.line} ${f.message}`);
}

describe("bad input becomes findings, and other files are still linted", () => {
  it("malformed YAML", async () => {
    const dir = tempRepo({
      ".github/workflows/bad.yml": "on: push\njobs:\n  j:\n    runs-on: [ubuntu-latest\n    steps: x\n",
      ".github/workflows/good.yml": GOOD,
    });
    const r = await lintDir(dir);
    const s = summary(r.findings);
    expect(s.some((x) => x.startsWith("yaml-syntax .github/workflows/bad.yml:"))).toBe(true);
    expect(r.graph.workflows.map((w) => w.file.path)).toEqual([".github/workflows/good.yml"]);
  });

  it("schema violations at their exact position", async () => {
    const dir = tempRepo({ ".github/workflows/s.yml": "on: push\njobs:\n  j:\n    runs-on: ubuntu-latest\n    stepz: []\n    steps:\n      - run: echo\n" });
    const r = await lintDir(dir);
    const f = r.findings.find((x) => x.ruleId === "workflow-schema");
    expect(f?.location.range.start).toMatchObject({ line: 5, column: 5 });
    expect(f?.message).toContain("stepz");
  });

  it("a file that is not UTF-8, an empty file, null/list/--- documents", async () => {
    const dir = tempRepo({
      ".github/workflows/latin1.yml": Uint8Array.from([0x6f, 0x6e, 0x3a, 0x20, 0xe9, 0x0a]),
      ".github/workflows/empty.yml": "",
      ".github/workflows/null.yml": "null\n",
      ".github/workflows/list.yml": "- a\n- b\n",
      ".github/workflows/dashes.yml": "---\n",
      ".github/workflows/good.yml": GOOD,
    });
    const r = await lintDir(dir);
    const s = summary(r.findings);
    expect(s.find((x) => x.includes("latin1.yml"))).toContain("not valid UTF-8");
    expect(s.find((x) => x.includes("empty.yml"))).toContain("empty");
    expect(s.find((x) => x.includes("null.yml"))).toContain("empty");
    expect(s.find((x) => x.includes("list.yml"))).toContain("must be a mapping");
    expect(s.find((x) => x.includes("dashes.yml"))).toContain("empty");
    expect(r.graph.workflows.map((w) => w.file.path)).toEqual([".github/workflows/good.yml"]);
  });

  it("a directory named like a workflow, and symbolic links leaving the repository", async () => {
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), "credflow-outside-"));
    fs.writeFileSync(path.join(outside, "secret.yml"), GOOD);
    fs.mkdirSync(path.join(outside, "act"));
    fs.writeFileSync(path.join(outside, "act", "action.yml"), "runs:\n  using: composite\n  steps: []\n");
    const dir = tempRepo({
      ".github/workflows/dir.yml/inner.txt": "x",
      ".github/workflows/ci.yml": "on: push\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: ./linked\n",
    });
    fs.symlinkSync(path.join(outside, "secret.yml"), path.join(dir, ".github/workflows/link.yml"));
    fs.symlinkSync(path.join(outside, "act"), path.join(dir, "linked"));
    const r = await lintDir(dir);
    const s = summary(r.findings);
    expect(s).toContain("file-access .github/workflows/dir.yml:1 is a directory named like a workflow; skipped");
    expect(s.some((x) => x.startsWith("file-access .github/workflows/link.yml:1") && x.includes("outside the repository"))).toBe(true);
    expect(s.some((x) => x.startsWith("local-action-resolution .github/workflows/ci.yml:6") && x.includes("outside the repository"))).toBe(true);
    expect(r.files.every((f) => !f.absPath?.startsWith(outside))).toBe(true);
  });

  it("an alias bomb is bounded and reported", async () => {
    const lines = ['a0: &a0 ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 12; i++) lines.push(`a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(",")}]`);
    const dir = tempRepo({ ".github/workflows/bomb.yml": `on: push\n${lines.join("\n")}\njobs: {}\n` });
    const started = Date.now();
    const r = await lintDir(dir);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(summary(r.findings).some((x) => x.includes("alias bomb"))).toBe(true);
  });
});
