/**
 * Issue 4: `--diff` changes nothing, and `git apply` of its output reproduces `--fix` byte for
 * byte — for every fixture case that has a fix, and for a hand-built file holding a BOM, CRLF line
 * ends, comments, both quote styles and flow mappings. Also: `--fix` is idempotent, and a
 * read-only file is skipped with a one-line message while the other files are still fixed.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cli } from "../helpers/cli.js";
import { tempRepo } from "../helpers/temp-repo.js";
import { cleanTempDirs, copyCase, fixtureCases, git, gitRepo, readTree, settingsArgs, tempDir, treeText } from "./helpers.js";

afterAll(cleanTempDirs);

/** Applies `--diff` output with plain `git apply` (no fuzz, no whitespace fixing). */
function gitApply(dir: string, patch: string): void {
  git(dir, ["apply", "-"], patch);
}

function expectSameTree(a: string, b: string): void {
  const ta = readTree(a);
  const tb = readTree(b);
  expect(treeText(ta)).toEqual(treeText(tb));
  for (const [p, bytes] of ta) expect(bytes.equals(tb.get(p)!), p).toBe(true);
}

describe("--diff | git apply reproduces --fix on every fixture case with a fix", () => {
  const cases = fixtureCases().filter((c) => c.spec.fixed);

  it("finds fixture cases with fixes", () => {
    expect(cases.length).toBeGreaterThan(0);
  });

  for (const c of cases) {
    const unsafe = c.spec.unsafe ? ["--unsafe-fixes"] : [];
    it(`${c.ruleId}/${c.name}${c.spec.unsafe ? " (--unsafe-fixes)" : ""}`, async () => {
      const scratch = tempDir();
      const flags = [...unsafe, ...settingsArgs(c.spec, scratch)];

      const viaDiff = copyCase(c.dir);
      gitRepo(viaDiff);
      const before = readTree(viaDiff);
      const d = await cli([".", "--diff", ...flags], { cwd: viaDiff });
      expect(d.stderr).toBe("");
      expect(d.code).toBe(0);
      // --diff changes nothing: same bytes, and git sees a clean tree.
      expect(treeText(readTree(viaDiff))).toEqual(treeText(before));
      expect(git(viaDiff, ["status", "--porcelain"])).toBe("");

      const changesSomething = Object.entries(c.spec.fixed!).some(
        ([repoPath, expectedRel]) => !fs.readFileSync(path.join(c.dir, repoPath)).equals(fs.readFileSync(path.join(c.dir, expectedRel))),
      );
      if (changesSomething) {
        expect(d.stdout).toMatch(/^diff --git a\/\S+ b\/\S+\n--- a\/\S+\n\+\+\+ b\/\S+\n@@ /);
        gitApply(viaDiff, d.stdout);
      } else {
        expect(d.stdout).toBe("");
      }

      const viaFix = copyCase(c.dir);
      const f = await cli([".", "--fix", ...flags], { cwd: viaFix });
      expect(f.stderr).toBe("");
      expect([0, 1]).toContain(f.code);
      // The CLI path gives the files the case expects (the fixture harness checks the engine path).
      for (const [repoPath, expectedRel] of Object.entries(c.spec.fixed!)) {
        expect(fs.readFileSync(path.join(viaFix, repoPath), "latin1"), repoPath).toBe(fs.readFileSync(path.join(c.dir, expectedRel), "latin1"));
      }

      fs.rmSync(path.join(viaDiff, ".git"), { recursive: true, force: true });
      expectSameTree(viaDiff, viaFix);
    });
  }
});

// ------------------------------------------------------------------------------------------------
// A hand-built file: BOM, CRLF, comments everywhere, single and double quotes, flow sequences and a
// flow mapping step. Safe fixes: unpinned-ref pins a tag (quoted, with a trailing comment) and the
// frozen `master` tag of configure-aws-credentials (inside a flow mapping: no comment);
// oidc-fanout-no-retry drops `disable-retry: true` (with its comment) in a parallel OIDC matrix.
// Unsafe: unpinned-ref pins the `main` branch of actions/checkout to the newest release.

const CRLF = "\r\n";
const BOM = "\uFEFF";
const V4_SHA = "7474bc4690e29a8392af63c5b98e7449536d5c3a";
const MASTER_SHA = "ffc08eae7350b1061d7de219e2135c75561fb680";
const CHECKOUT_RELEASE_SHA = "3d3c42e5aac5ba805825da76410c181273ba90b1";

const ORIGINAL = [
  "# Deploy: comments, quotes, a flow mapping, CRLF and a BOM",
  'name: "deploy"',
  "on: push",
  "permissions:",
  "  id-token: write   # OIDC",
  "  contents: read",
  "jobs:",
  "  integration:",
  "    runs-on: ubuntu-latest",
  "    strategy:",
  "      matrix:",
  "        region: [\"us-east-1\", 'eu-west-1', ap-south-1]   # three regions",
  "    steps:",
  '      - uses: "actions/checkout@main"',
  "      - uses: 'aws-actions/configure-aws-credentials@v4'  # login",
  "        with:",
  '          role-to-assume: "arn:aws:iam::123456789012:role/integration"',
  "          aws-region: ${{ matrix.region }}",
  "          disable-retry: true   # fail fast",
  '      - run: echo "integration"  # keep me',
  "  publish:",
  "    runs-on: ubuntu-latest",
  "    steps:",
  "      - { uses: aws-actions/configure-aws-credentials@master, with: { role-to-assume: 'arn:aws:iam::123456789012:role/publish', aws-region: us-east-1 } }",
  "      - run: aws s3 sync dist/ s3://example-bucket/   # upload",
];

const SAFE_FIXED = [
  ...ORIGINAL.slice(0, 14),
  `      - uses: 'aws-actions/configure-aws-credentials@${V4_SHA}'  # v4 login`,
  ...ORIGINAL.slice(15, 18),
  // line 19 (`disable-retry: true   # fail fast`) is gone
  ...ORIGINAL.slice(19, 23),
  `      - { uses: aws-actions/configure-aws-credentials@${MASTER_SHA}, with: { role-to-assume: 'arn:aws:iam::123456789012:role/publish', aws-region: us-east-1 } }`,
  ORIGINAL[24]!,
];

const file = (lines: string[]) => BOM + lines.join(CRLF) + CRLF;
const WORKFLOW = ".github/workflows/deploy.yml";

function handBuilt(): string {
  return tempRepo({ [WORKFLOW]: file(ORIGINAL) });
}

describe("fixes keep a BOM, CRLF, comments, quotes and flow mappings", () => {
  it("--fix applies the safe fixes and nothing else, byte-exact elsewhere", async () => {
    const dir = handBuilt();
    const r = await cli([".", "--fix"], { cwd: dir });
    expect(r.stderr).toBe("");
    const got = fs.readFileSync(path.join(dir, WORKFLOW), "utf8");
    expect(JSON.stringify(got)).toBe(JSON.stringify(file(SAFE_FIXED)));
    // The BOM is written as the three bytes EF BB BF, once.
    const bytes = fs.readFileSync(path.join(dir, WORKFLOW));
    expect([...bytes.subarray(0, 4)]).toEqual([0xef, 0xbb, 0xbf, "#".charCodeAt(0)]);
    expect(got.split("\n").slice(0, -1).every((l) => l.endsWith("\r"))).toBe(true);
  });

  it("--fix twice: the second run changes nothing and exits the same way", async () => {
    const dir = handBuilt();
    const first = await cli([".", "--fix"], { cwd: dir });
    const afterFirst = fs.readFileSync(path.join(dir, WORKFLOW));
    const statFirst = fs.statSync(path.join(dir, WORKFLOW));
    const second = await cli([".", "--fix"], { cwd: dir });
    expect(second.stderr).toBe("");
    expect(fs.readFileSync(path.join(dir, WORKFLOW)).equals(afterFirst)).toBe(true);
    // Not even rewritten with the same bytes.
    expect(fs.statSync(path.join(dir, WORKFLOW)).ino).toBe(statFirst.ino);
    expect(second.code).toBe(first.code);
    // Both report what is on disk after fixing: exactly what a plain lint run reports now, then
    // what each run fixed.
    const plain = await cli(["."], { cwd: dir });
    expect(plain.code).toBe(first.code);
    expect(first.stdout).toMatch(/\nFixed [1-9]\d* findings? \(\d+ remaining\)\.\n$/);
    expect(second.stdout).toMatch(/\nFixed 0 findings \(\d+ remaining\)\.\n$/);
    const report = (s: string) => s.replace(/Fixed \d+ findings? \((\d+) remaining\)\.\n$/, "");
    expect(report(first.stdout)).toBe(plain.stdout);
    expect(report(second.stdout)).toBe(plain.stdout);
    // Nothing safe is left; the unsafe branch pin is still there to be had.
    const diff = await cli([".", "--diff"], { cwd: dir });
    expect(diff.stdout).toBe("");
    const unsafe = await cli([".", "--diff", "--unsafe-fixes"], { cwd: dir });
    expect(unsafe.stdout).toContain(`+      - uses: "actions/checkout@${CHECKOUT_RELEASE_SHA}" # v7.0.1\r\n`);
  });

  it("--diff | git apply reproduces --fix, with and without --unsafe-fixes", async () => {
    for (const extra of [[], ["--unsafe-fixes"]]) {
      const viaDiff = handBuilt();
      gitRepo(viaDiff);
      const d = await cli([".", "--diff", ...extra], { cwd: viaDiff });
      expect(d.code).toBe(0);
      expect(d.stderr).toBe("");
      expect(git(viaDiff, ["status", "--porcelain"])).toBe("");
      // Hunk lines carry the file's CR; the BOM is outside the changed lines here.
      expect(d.stdout).toContain(`-          disable-retry: true   # fail fast\r\n`);
      gitApply(viaDiff, d.stdout);
      fs.rmSync(path.join(viaDiff, ".git"), { recursive: true, force: true });

      const viaFix = handBuilt();
      const f = await cli([".", "--fix", ...extra], { cwd: viaFix });
      expect(f.stderr).toBe("");
      expectSameTree(viaDiff, viaFix);

      const text = fs.readFileSync(path.join(viaFix, WORKFLOW), "utf8");
      expect(text.startsWith(`${BOM}# Deploy`)).toBe(true);
      expect(text.split("\n").slice(0, -1).every((l) => l.endsWith("\r"))).toBe(true);
      if (extra.length) {
        // Unsafe: the branch becomes the newest release's commit; double quotes kept.
        expect(text).toContain(`      - uses: "actions/checkout@${CHECKOUT_RELEASE_SHA}" # v7.0.1\r\n`);
      } else {
        expect(text).toContain(`      - uses: "actions/checkout@main"\r\n`);
      }
    }
  });

  it("a change on the BOM's own line: the BOM stays in both hunk lines, and git apply accepts it", async () => {
    // The whole workflow is one flow mapping on line 1, right after the BOM.
    const line1 = "{ on: push, jobs: { j: { runs-on: ubuntu-latest, steps: [{ uses: 'aws-actions/configure-aws-credentials@v4' }] } } }";
    const text = `${BOM}${line1}${CRLF}# trailing comment${CRLF}`;
    const viaDiff = tempRepo({ [WORKFLOW]: text });
    gitRepo(viaDiff);
    const d = await cli([".", "--diff"], { cwd: viaDiff });
    expect(d.stderr).toBe("");
    expect(d.stdout).toContain(`\n-${BOM}${line1}\r\n+${BOM}${line1.replace("@v4", `@${V4_SHA}`)}\r\n`);
    gitApply(viaDiff, d.stdout);
    fs.rmSync(path.join(viaDiff, ".git"), { recursive: true, force: true });
    const viaFix = tempRepo({ [WORKFLOW]: text });
    const f = await cli([".", "--fix"], { cwd: viaFix });
    expect(f.stderr).toBe("");
    expect(fs.readFileSync(path.join(viaFix, WORKFLOW), "utf8")).toBe(text.replace("@v4", `@${V4_SHA}`));
    expectSameTree(viaDiff, viaFix);
  });
});

describe("--diff | git apply on awkward files", () => {
  const step = (ref: string) =>
    ["on: push", "jobs:", "  j:", "    runs-on: ubuntu-latest", "    steps:", `      - uses: aws-actions/configure-aws-credentials@${ref}`].join("\n");

  const variants: Array<[string, Record<string, string>]> = [
    ["no newline at the end of the file", { ".github/workflows/ci.yml": step("v4") }],
    ["a space and non-ASCII letters in the file name", { ".github/workflows/déploiement prod.yml": `${step("v4")}\n` }],
    ["two files, changes far apart (several hunks)", {
      ".github/workflows/a.yml": `${step("v4")}\n${Array.from({ length: 12 }, (_, i) => `      - run: echo ${i}`).join("\n")}\n      - uses: aws-actions/configure-aws-credentials@master\n`,
      ".github/workflows/b.yml": `${step("master")}\n`,
    }],
  ];

  for (const [name, files] of variants) {
    it(name, async () => {
      const viaDiff = tempRepo(files);
      gitRepo(viaDiff);
      const d = await cli([".", "--diff"], { cwd: viaDiff });
      expect(d.stderr).toBe("");
      expect(d.stdout).not.toBe("");
      expect(git(viaDiff, ["status", "--porcelain"])).toBe("");
      gitApply(viaDiff, d.stdout);
      fs.rmSync(path.join(viaDiff, ".git"), { recursive: true, force: true });
      const viaFix = tempRepo(files);
      const f = await cli([".", "--fix"], { cwd: viaFix });
      expect(f.stderr).toBe("");
      expectSameTree(viaDiff, viaFix);
      // Something was fixed in every file.
      for (const p of Object.keys(files)) expect(fs.readFileSync(path.join(viaFix, p), "utf8"), p).not.toBe(files[p]);
    });
  }

  it("a repository linted from its parent directory: paths carry the folder, git apply takes them there", async () => {
    const files = { "repo/.github/workflows/ci.yml": `${step("v4")}\n` };
    const viaDiff = tempRepo(files);
    const d = await cli(["repo", "--diff"], { cwd: viaDiff });
    expect(d.stdout).toMatch(/^diff --git a\/repo\/\.github\/workflows\/ci\.yml b\/repo\/\.github\/workflows\/ci\.yml\n/);
    gitApply(viaDiff, d.stdout); // outside any repository git apply works like patch -p1
    const viaFix = tempRepo(files);
    await cli(["repo", "--fix"], { cwd: viaFix });
    expectSameTree(viaDiff, viaFix);
    expect(fs.readFileSync(path.join(viaFix, "repo/.github/workflows/ci.yml"), "utf8")).toContain("# v4");
  });
});

describe("--fix on a read-only file", () => {
  it("skips it with one line on stderr and still fixes the other files", async () => {
    const body = (name: string) =>
      ["on: push", "jobs:", `  ${name}:`, "    runs-on: ubuntu-latest", "    steps:", "      - uses: aws-actions/configure-aws-credentials@master", "        with:", "          role-to-assume: arn:aws:iam::123456789012:role/x", "          aws-region: us-east-1", ""].join("\n");
    const dir = tempRepo({ ".github/workflows/a.yml": body("a"), ".github/workflows/locked.yml": body("locked"), ".github/workflows/z.yml": body("z") });
    const locked = path.join(dir, ".github/workflows/locked.yml");
    fs.chmodSync(locked, 0o444);
    try {
      const r = await cli([".", "--fix", "--format", "concise"], { cwd: dir });
      const lines = r.stderr.split("\n").filter(Boolean);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^credflow: \.github\/workflows\/locked\.yml: not fixed: .*read-only/);
      expect(r.stderr.endsWith("\n")).toBe(true);
      expect(fs.readFileSync(locked, "utf8")).toBe(body("locked"));
      expect((fs.statSync(locked).mode & 0o777).toString(8)).toBe("444");
      for (const other of ["a", "z"]) {
        expect(fs.readFileSync(path.join(dir, `.github/workflows/${other}.yml`), "utf8")).toContain(`configure-aws-credentials@${MASTER_SHA} # master`);
      }
      // The report shows what is on disk: the read-only file's finding is still there.
      expect(r.stdout).toMatch(/^\.github\/workflows\/locked\.yml:6:\d+: warning: .*\[unpinned-ref\]$/m);
      expect(r.stdout).not.toMatch(/^\.github\/workflows\/(a|z)\.yml:\d+:\d+: .*\[unpinned-ref\]$/m);
      // Only the written files count as fixed.
      expect(r.stdout).toMatch(/\nFixed 2 findings \(\d+ remaining\)\.\n$/);
      expect(r.code).toBe(1);
    } finally {
      fs.chmodSync(locked, 0o644);
    }
  });

  it("keeps the mode of files it rewrites", async () => {
    const dir = tempRepo({ [WORKFLOW]: file(ORIGINAL) });
    fs.chmodSync(path.join(dir, WORKFLOW), 0o640);
    await cli([".", "--fix"], { cwd: dir });
    expect(fs.readFileSync(path.join(dir, WORKFLOW), "utf8")).toBe(file(SAFE_FIXED));
    expect((fs.statSync(path.join(dir, WORKFLOW)).mode & 0o777).toString(8)).toBe("640");
  });
});
