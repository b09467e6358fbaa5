import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { unifiedDiff } from "../../src/fix/diff.js";

let repo: string;

beforeAll(() => {
  repo = fs.mkdtempSync(path.join(os.tmpdir(), "credflow-diff-"));
  execFileSync("git", ["init", "-q"], { cwd: repo });
  // Byte-exact comparison: no line-ending conversion whatever the machine's git config says.
  execFileSync("git", ["config", "core.autocrlf", "false"], { cwd: repo });
});

afterAll(() => {
  fs.rmSync(repo, { recursive: true, force: true });
});

let counter = 0;

/** Writes `before`, applies the diff with `git apply`, returns the resulting bytes. */
function gitApply(before: string, after: string, rel = `dir/file-${counter++}.yml`): Buffer {
  const file = path.join(repo, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, before, "utf8");
  const patch = path.join(repo, `patch-${counter++}.diff`);
  fs.writeFileSync(patch, unifiedDiff(rel, before, after), "utf8");
  execFileSync("git", ["apply", "--whitespace=nowarn", patch], { cwd: repo, stdio: "pipe" });
  return fs.readFileSync(file);
}

function roundTrip(before: string, after: string, rel?: string): void {
  expect(gitApply(before, after, rel).equals(Buffer.from(after, "utf8"))).toBe(true);
}

const lines = (n: number, eol = "\n", prefix = "line"): string =>
  Array.from({ length: n }, (_, i) => `${prefix} ${i + 1}${eol}`).join("");

describe("unifiedDiff", () => {
  it("is empty for equal texts", () => {
    expect(unifiedDiff("a.yml", "x\n", "x\n")).toBe("");
  });

  it("writes a git-style header and hunk with 3 lines of context", () => {
    const before = lines(8);
    const after = before.replace("line 5\n", "line five\n");
    expect(unifiedDiff("./.github/workflows/ci.yml", before, after)).toBe(
      [
        "diff --git a/.github/workflows/ci.yml b/.github/workflows/ci.yml",
        "--- a/.github/workflows/ci.yml",
        "+++ b/.github/workflows/ci.yml",
        "@@ -2,7 +2,7 @@",
        " line 2",
        " line 3",
        " line 4",
        "-line 5",
        "+line five",
        " line 6",
        " line 7",
        " line 8",
        "",
      ].join("\n"),
    );
  });

  it("splits distant changes into several hunks and merges close ones", () => {
    const before = lines(40);
    const after = before.replace("line 3\n", "LINE 3\n").replace("line 30\n", "").replace("line 36\n", "line 36\nnew\n");
    const d = unifiedDiff("a.yml", before, after);
    expect(d.match(/^@@ /gm)).toHaveLength(2);
    expect(d).toContain("@@ -1,6 +1,6 @@");
    expect(d).toContain("@@ -27,13 +27,13 @@"); // lines 30 and 36 are 6 apart: one hunk
    roundTrip(before, after);
  });

  it("keeps CRLF line endings and the BOM byte for byte", () => {
    const before = "\uFEFF" + lines(12, "\r\n");
    const after = before.replace("\uFEFFline 1\r\n", "\uFEFFline one\r\n").replace("line 10\r\n", "line 10\r\n  added\r\n");
    const d = unifiedDiff("b.yml", before, after);
    expect(d).toContain("-\uFEFFline 1\r\n+\uFEFFline one\r\n");
    roundTrip(before, after);
  });

  it("handles a missing newline at the end of either side", () => {
    const before = "a\nb\nc";
    expect(unifiedDiff("x", before, "a\nb\nC")).toContain("-c\n\\ No newline at end of file\n+C\n\\ No newline at end of file\n");
    roundTrip(before, "a\nb\nC");
    roundTrip(before, "a\nb\nc\n");
    roundTrip("a\nb\nc\n", "a\nb\nc");
    roundTrip("a\r\nb\r\nc", "a\r\nB\r\nc");
    // The unchanged last line is context and still needs the marker.
    expect(unifiedDiff("x", "a\nb", "A\nb")).toMatch(/ b\n\\ No newline at end of file\n$/);
    roundTrip("a\nb", "A\nb");
  });

  it("handles insertions at the start, deletions to the end, and empty files", () => {
    roundTrip(lines(5), "permissions: {}\n" + lines(5));
    roundTrip(lines(5), "line 1\n");
    roundTrip("", "on: push\n");
    expect(unifiedDiff("x", "", "on: push\n")).toContain("@@ -0,0 +1 @@\n+on: push\n");
    roundTrip("on: push\n", "");
  });

  it("quotes paths git would quote and keeps spaces", () => {
    expect(unifiedDiff('we"ird.yml', "a\n", "b\n").split("\n")[0]).toBe('diff --git "a/we\\"ird.yml" "b/we\\"ird.yml"');
    roundTrip("a\n", "b\n", "with space/my workflow.yml");
  });

  it("stays fast on a large file with small edits", () => {
    const before = lines(200_000);
    const after = before.replace("line 1000\n", "changed\n").replace("line 150000\n", "line 150000\nextra\n");
    const t0 = performance.now();
    const d = unifiedDiff("big.yml", before, after);
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(d.match(/^@@ /gm)).toHaveLength(2);
  });

  it("still produces a correct diff when the changes are too many for a minimal one", () => {
    const before = lines(6000, "\n", "a");
    const after = lines(6000, "\n", "b");
    roundTrip(before, after);
  });

  it("round-trips through git apply for random edits (property)", () => {
    const line = fc.constantFrom("a", "b", "c", "- uses: x@v1", "\uFEFFa", "é🚀", "");
    const doc = fc
      .tuple(fc.array(line, { maxLength: 14 }), fc.constantFrom("\n", "\r\n"), fc.boolean())
      .map(([ls, eol, trailing]) => (ls.length === 0 ? "" : ls.join(eol) + (trailing ? eol : "")));
    fc.assert(
      fc.property(doc, doc, (before, after) => {
        if (before === after) return;
        roundTrip(before, after);
      }),
      { numRuns: 60 },
    );
  });
});
