/**
 * Issue 12, item 6 (ruff's conventions): `--fix` says what it did ("Fixed N findings (M
 * remaining)", per file with --verbose) at the end of the text report (on standard error for
 * machine formats); `--diff` never writes, also with `--fix`, and counts only with --verbose; the
 * exit code after `--fix` reflects what remains; `--fix --report-unused-suppressions` removes
 * suppressions that hide nothing.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cli } from "../helpers/cli.js";
import { cleanTempDirs, readTree, REPO, tempDir } from "./helpers.js";

afterAll(cleanTempDirs);

const V4_SHA = "7474bc4690e29a8392af63c5b98e7449536d5c3a";

function repo(files: Record<string, string>): string {
  const dir = tempDir();
  fs.mkdirSync(path.join(dir, ".git"));
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

/** A copy of examples/ as a repository of its own. */
function examples(): string {
  const dir = tempDir();
  fs.cpSync(path.join(REPO, "examples"), dir, { recursive: true });
  fs.mkdirSync(path.join(dir, ".git"));
  return dir;
}

const PINNABLE = [
  "on: push",
  "permissions:",
  "  id-token: write",
  "jobs:",
  "  deploy:",
  "    runs-on: ubuntu-latest",
  "    steps:",
  "      - uses: aws-actions/configure-aws-credentials@v4",
  "        with:",
  "          role-to-assume: arn:aws:iam::123456789012:role/deploy",
  "          aws-region: us-east-1",
  "",
].join("\n");

interface JsonReport {
  findings: Array<{ fix: { safe: boolean } | null }>;
}

describe("--fix says what it did", () => {
  it("on examples/: Fixed N findings (M remaining), N the safe fixes, M what a lint finds afterwards; exit 1 while errors remain", async () => {
    const dir = examples();
    const before = JSON.parse((await cli([".", "--format", "json"], { cwd: dir })).stdout) as JsonReport;
    const safe = before.findings.filter((f) => f.fix?.safe).length;
    const r = await cli([".", "--fix"], { cwd: dir });
    const after = JSON.parse((await cli([".", "--format", "json"], { cwd: dir })).stdout) as JsonReport;
    expect(r.stderr).toBe("");
    expect(after.findings.length).toBe(before.findings.length - safe);
    // The report is what remains (what a plain run prints now), then what --fix did; the exit code follows what remains.
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(`${(await cli(["."], { cwd: dir })).stdout}Fixed ${safe} findings (${after.findings.length} remaining).\n`);
    expect(r.stdout).toMatch(/^4 fixable with --fix --unsafe-fixes$/m);
    // Nothing safe is left: a second run fixes nothing and says so.
    expect((await cli([".", "--fix", "--format", "concise"], { cwd: dir })).stdout).toMatch(new RegExp(`\nFixed 0 findings \\(${after.findings.length} remaining\\)\\.\n$`));
  });

  it("--verbose names each file; machine formats keep standard output clean", async () => {
    const dir = examples();
    const r = await cli([".", "--fix", "--verbose", "--format", "json"], { cwd: dir });
    expect(() => JSON.parse(r.stdout)).not.toThrow();
    const lines = r.stderr.trimEnd().split("\n");
    expect(lines.slice(0, -1)).toEqual([
      "Fixed 1 finding in .github/actions/assume-role/action.yml",
      "Fixed 1 finding in .github/workflows/deploy.yml",
      // v1.5.0's pin is left to outdated-action-runtime's (unsafe) upgrade, so matrix.yml gets 3 safe fixes.
      "Fixed 3 findings in .github/workflows/matrix.yml",
      "Fixed 1 finding in .github/workflows/pr-target.yml",
      "Fixed 4 findings in .github/workflows/release.yml",
      "Fixed 1 finding in infra/iam.tf",
    ]);
    expect(lines.at(-1)).toMatch(/^Fixed 11 findings \(\d+ remaining\)\.$/);
  });

  it("the exit code reflects what remains: 0 when the fixes clear every finding", async () => {
    const dir = repo({ ".github/workflows/ci.yml": PINNABLE });
    expect((await cli(["."], { cwd: dir })).code).toBe(1);
    const r = await cli([".", "--fix"], { cwd: dir });
    expect(r).toEqual({ code: 0, stdout: "No findings.\nFixed 1 finding (0 remaining).\n", stderr: "" });
    expect(fs.readFileSync(path.join(dir, ".github/workflows/ci.yml"), "utf8")).toContain(`configure-aws-credentials@${V4_SHA} # v4`);
  });
});

describe("--diff never writes", () => {
  it("alone or with --fix: the same diff, files untouched; with --verbose, what it would fix on standard error", async () => {
    const dir = examples();
    const tree = readTree(dir);
    const diff = await cli([".", "--diff"], { cwd: dir });
    const both = await cli([".", "--fix", "--diff", "--verbose"], { cwd: dir });
    const unsafe = await cli([".", "--fix", "--diff", "--unsafe-fixes"], { cwd: dir });
    expect(readTree(dir)).toEqual(tree);
    expect(diff.code).toBe(0);
    expect(both.code).toBe(0);
    expect(diff.stdout).toMatch(/^diff --git a\/\.github\/workflows\/release\.yml b\/\.github\/workflows\/release\.yml$/m);
    expect(both.stdout).toBe(diff.stdout);
    expect(unsafe.stdout).not.toBe(diff.stdout);
    expect(diff.stderr).toBe("");
    expect(both.stderr.split("\n")[0]).toBe("Would fix 1 finding in .github/actions/assume-role/action.yml");
    expect(both.stderr).toMatch(/\nWould fix 11 findings \(\d+ would remain\)\.\n$/);
  });
});

describe("--fix --report-unused-suppressions", () => {
  const WITH_COMMENTS = PINNABLE.replace(
    "      - uses: aws-actions/configure-aws-credentials@v4",
    "      - run: echo hi   # credflow: ignore[unpinned-ref] nothing to hide here\n      - uses: aws-actions/configure-aws-credentials@v4   # credflow: ignore[unpinned-ref] reviewed",
  );

  it("removes the suppression that hides nothing and keeps the one in use", async () => {
    const dir = repo({ ".github/workflows/ci.yml": WITH_COMMENTS });
    const r = await cli([".", "--fix", "--report-unused-suppressions"], { cwd: dir });
    const text = fs.readFileSync(path.join(dir, ".github/workflows/ci.yml"), "utf8");
    expect(text).toContain("      - run: echo hi\n");
    expect(text).toContain("configure-aws-credentials@v4   # credflow: ignore[unpinned-ref] reviewed");
    expect(r.stdout).toBe("No findings (1 suppressed).\nFixed 1 finding (0 remaining).\n");
    expect(r.code).toBe(0);
  });

  it("without the flag, leaves suppressions alone", async () => {
    const dir = repo({ ".github/workflows/ci.yml": WITH_COMMENTS });
    const r = await cli([".", "--fix"], { cwd: dir });
    expect(fs.readFileSync(path.join(dir, ".github/workflows/ci.yml"), "utf8")).toBe(WITH_COMMENTS);
    expect(r.stdout).toBe("No findings (1 suppressed).\nFixed 0 findings (0 remaining).\n");
  });
});
