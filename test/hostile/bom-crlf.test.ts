/**
 * A UTF-8 BOM, CRLF (and CR-only, and mixed) line endings, and characters outside the BMP before the
 * edits: findings point at the right line and column, and `--fix --unsafe-fixes` changes only the
 * bytes of its edits, keeping the BOM and every line ending as they were; a second `--fix` changes
 * nothing.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { tempRepo } from "../helpers/temp-repo.js";
import { changes, expectSane, runCli, snapshot } from "../fuzz/harness.js";

const BOM = "\ufeff";
const WF = ".github/workflows/w.yml";

/** Two parallel jobs exchanging OIDC tokens with retry off, unpinned: several rules offer fixes. */
const LINES = [
  "# 工作流 — déploiement 🚀",
  "on: push",
  "permissions:",
  "  id-token: write",
  "jobs:",
  "  a:",
  "    runs-on: ubuntu-latest",
  "    steps:",
  "      - uses: aws-actions/configure-aws-credentials@v4 # 🔑 login",
  "        with:",
  "          role-to-assume: arn:aws:iam::123456789012:role/a",
  "          aws-region: us-east-1",
  "          disable-retry: true",
  "  b:",
  "    runs-on: ubuntu-latest",
  "    steps:",
  "      - uses: aws-actions/configure-aws-credentials@v4",
  "        with:",
  "          role-to-assume: arn:aws:iam::123456789012:role/b",
  "          aws-region: us-east-1",
  "          disable-retry: true",
  "      - run: echo ✓",
  "",
];
const ACTION_LINES = [
  "name: 'ログイン'",
  "runs:",
  "  using: composite",
  "  steps:",
  "    - uses: aws-actions/configure-aws-credentials@v4",
  "      with:",
  "        role-to-assume: arn:aws:iam::123456789012:role/c",
  "        aws-region: us-east-1",
  "",
];
const CALLER = ["on: push", "jobs:", "  c:", "    runs-on: ubuntu-latest", "    steps:", "      - uses: ./act", ""];

/** Each line with its own terminator ("\r\n", "\r", "\n", or "" for an unterminated last line). */
function linesWithEndings(text: string): Array<{ line: string; eol: string }> {
  return [...text.matchAll(/([^\r\n]*)(\r\n|\r|\n|$)/g)]
    .filter((m) => m.index! < text.length || m[0] !== "")
    .map((m) => ({ line: m[1]!, eol: m[2]! }));
}

/** Pairs of indexes of a longest common subsequence of two line lists (by content). */
function commonLines(a: string[], b: string[]): Array<[number, number]> {
  const n = a.length;
  const m = b.length;
  const len: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) len[i]![j] = a[i] === b[j] ? len[i + 1]![j + 1]! + 1 : Math.max(len[i + 1]![j]!, len[i]![j + 1]!);
  const pairs: Array<[number, number]> = [];
  for (let i = 0, j = 0; i < n && j < m; ) {
    if (a[i] === b[j]) pairs.push([i++, j++]);
    else if (len[i + 1]![j]! >= len[i]![j + 1]!) i++;
    else j++;
  }
  return pairs;
}

/**
 * The fixed text differs from the original only on lines a fix may touch (the action's line, retry
 * options); the BOM stays; every line the fixes kept keeps its own ending byte for byte, and lines
 * they added end like the file's other lines.
 */
function expectOnlyEditsChanged(before: string, after: string): void {
  expect(after.startsWith(BOM)).toBe(before.startsWith(BOM));
  expect(after.slice(BOM.length).includes(BOM)).toBe(false);
  const a = linesWithEndings(before);
  const b = linesWithEndings(after);
  const pairs = commonLines(a.map((l) => l.line), b.map((l) => l.line));
  for (const [i, j] of pairs) expect(b[j]!.eol, `ending of line ${j + 1} changed`).toBe(a[i]!.eol);
  const keptA = new Set(pairs.map((p) => p[0]));
  const keptB = new Set(pairs.map((p) => p[1]));
  const removed = a.filter((_, i) => !keptA.has(i)).map((l) => l.line);
  for (const l of removed) expect(l, `a fix rewrote an unrelated line: ${JSON.stringify(l)}`).toMatch(/configure-aws-credentials|disable-retry|retry|^\s*$/);
  const used = new Set(a.map((l) => l.eol).filter(Boolean));
  b.forEach((l, j) => {
    if (!keptB.has(j) && l.eol !== "") expect(used.has(l.eol), `line ${j + 1} ends with ${JSON.stringify(l.eol)}`).toBe(true);
  });
  expect(parseDocument(after).errors).toEqual([]);
}

const variants: Array<{ name: string; eol: string; bom: boolean }> = [
  { name: "BOM + CRLF", eol: "\r\n", bom: true },
  { name: "CRLF without BOM", eol: "\r\n", bom: false },
  { name: "BOM + LF", eol: "\n", bom: true },
];

describe("findings and fixes keep the BOM and the line endings", () => {
  for (const v of variants) {
    it(v.name, async () => {
      const encode = (ls: string[]) => (v.bom ? BOM : "") + ls.join(v.eol);
      const original = encode(LINES);
      const originalAction = encode(ACTION_LINES);
      const dir = tempRepo({ [WF]: original, ".github/workflows/caller.yml": encode(CALLER), "act/action.yml": originalAction });

      const json = await runCli(["--format", "json", "."], dir);
      expectSane(json, { codes: [1] });
      const findings = (JSON.parse(json.stdout) as { findings: Array<{ rule: string; path: string; line: number; column: number }> }).findings;
      // The BOM is not a column; multi-byte characters before the finding do not shift it.
      const pin = findings.find((f) => f.rule === "unpinned-ref" && f.path === WF && f.line === 9);
      expect(pin, json.stdout).toBeDefined();
      expect(pin!.column).toBe(LINES[8]!.indexOf("aws-actions") + 1);
      expect(findings.some((f) => f.rule === "unpinned-ref" && f.path === "act/action.yml" && f.line === 5)).toBe(true);

      const before = snapshot(dir);
      const fix = await runCli(["--fix", "--unsafe-fixes", "."], dir);
      expectSane(fix, { codes: [0, 1] });
      const touched = changes(before, snapshot(dir));
      // Both files with an unpinned action changed (the caller may gain a fix of its own, e.g. permissions).
      expect(touched).toContain(`changed ${path.join(dir, "act/action.yml")}`);
      expect(touched).toContain(`changed ${path.join(dir, WF)}`);
      expect(touched.every((t) => t.startsWith("changed "))).toBe(true);
      const fixed = fs.readFileSync(path.join(dir, WF), "utf8");
      const fixedAction = fs.readFileSync(path.join(dir, "act/action.yml"), "utf8");
      const fixedCaller = fs.readFileSync(path.join(dir, ".github/workflows/caller.yml"), "utf8");
      expect(fixed).toMatch(/configure-aws-credentials@[0-9a-f]{40}/);
      expectOnlyEditsChanged(original, fixed);
      expectOnlyEditsChanged(originalAction, fixedAction);
      expect(fixedCaller.startsWith(BOM)).toBe(v.bom);
      // Every ending, original or added by a fix, is the file's own.
      for (const t of [fixed, fixedAction, fixedCaller]) expect(linesWithEndings(t).every((l) => l.eol === v.eol || l.eol === "")).toBe(true);

      const again = snapshot(dir);
      const second = await runCli(["--fix", "--unsafe-fixes", "."], dir);
      expectSane(second, { codes: [0, 1] });
      expect(changes(again, snapshot(dir))).toEqual([]);
    });
  }

  it("mixed line endings: each line keeps its own", async () => {
    const eols = LINES.map((_, i) => ["\r\n", "\n", "\r\n"][i % 3]!);
    const original = BOM + LINES.map((l, i) => (i < LINES.length - 1 ? l + eols[i] : l)).join("");
    const dir = tempRepo({ [WF]: original });
    const r = await runCli(["--fix", "--unsafe-fixes", "."], dir);
    expectSane(r, { codes: [0, 1] });
    const fixed = fs.readFileSync(path.join(dir, WF), "utf8");
    expect(fixed.startsWith(BOM)).toBe(true);
    expect(fixed).not.toBe(original);
    expectOnlyEditsChanged(original, fixed);
  });

  it("CR-only line endings (which the YAML library does not read as line breaks) are reported, not fixed", async () => {
    const dir = tempRepo({ [WF]: BOM + LINES.join("\r") });
    const r = await runCli(["."], dir);
    expectSane(r, { paths: [WF], codes: [1] });
    const before = snapshot(dir);
    expectSane(await runCli(["--fix", "--unsafe-fixes", "."], dir), { codes: [1] });
    expect(changes(before, snapshot(dir))).toEqual([]);
  });

  it("--diff shows the CR of each changed line and writes nothing", async () => {
    const original = BOM + LINES.join("\r\n");
    const dir = tempRepo({ [WF]: original });
    const before = snapshot(dir);
    const r = await runCli(["--diff", "--unsafe-fixes", "."], dir);
    expectSane(r, { codes: [0] });
    expect(r.stdout).toMatch(/^-.*configure-aws-credentials@v4.*\r$/m);
    expect(r.stdout).toMatch(/^\+.*configure-aws-credentials@[0-9a-f]{40}.*\r$/m);
    expect(changes(before, snapshot(dir))).toEqual([]);
  });
});
