import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FIXTURES, lintDir } from "../helpers/lint-fixture.js";
import { applyFixes } from "../../src/fix/apply.js";
import { heaviestConcurrentSet, NeedsOrder } from "../../src/graph/concurrency.js";
import type { Finding } from "../../src/rules/types.js";

const RULE = "oidc-fanout-no-retry";
const SHA_V4 = "7474bc4690e29a8392af63c5b98e7449536d5c3a"; // v4.3.1
const fixture = (c: string) => path.join(FIXTURES, RULE, c);
const ofRule = (r: Awaited<ReturnType<typeof lintDir>>): Finding[] => r.findings.filter((f) => f.ruleId === RULE);

const tmpDirs: string[] = [];
afterAll(() => {
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
});

/** Writes a throwaway repository and lints it. */
async function lintFiles(files: Record<string, string>, settings = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "credflow-fanout-"));
  tmpDirs.push(dir);
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  const result = await lintDir(dir, settings);
  expect(result.internalErrors).toEqual([]);
  return result;
}

/** Two parallel single jobs; `extra` lines go into the first job's `with:`, `ref` is its ref. */
function twoJobs(extra: string[], ref = `${SHA_V4} # v4.3.1`, jobEnv = ""): Record<string, string> {
  return {
    ".github/workflows/ci.yml": [
      "on: push",
      "permissions:",
      "  id-token: write",
      "jobs:",
      "  a:",
      "    runs-on: ubuntu-latest",
      ...(jobEnv ? ["    env:", `      ${jobEnv}`] : []),
      "    steps:",
      `      - uses: aws-actions/configure-aws-credentials@${ref}`,
      "        with:",
      "          role-to-assume: arn:aws:iam::123456789012:role/a",
      "          aws-region: us-east-1",
      ...extra.map((l) => `          ${l}`),
      "  b:",
      "    runs-on: ubuntu-latest",
      "    steps:",
      `      - uses: aws-actions/configure-aws-credentials@${SHA_V4}`,
      "        with:",
      "          role-to-assume: arn:aws:iam::123456789012:role/b",
      "          aws-region: us-east-1",
      "",
    ].join("\n"),
  };
}

describe("oidc-fanout-no-retry: retry inputs", () => {
  it.each([
    ["retry-max-attempts: 1", true],
    ["retry-max-attempts: -3", true],
    ["retry-max-attempts: '1.9'", true],
    ["retry-max-attempts: 0", false],
    ["retry-max-attempts: 2", false],
    ["retry-max-attempts: many", false],
    ["retry-max-attempts: 0x5", false],
    ["retry-max-attempts: ${{ vars.ATTEMPTS }}", false],
    ["disable-retry: TRUE", true],
    ["disable-retry: false", false],
    ["disable-retry: ${{ github.event_name == 'push' }}", false],
  ])("%s → flagged: %s", async (line, flagged) => {
    const found = ofRule(await lintFiles(twoJobs([line])));
    expect(found.length).toBe(flagged ? 1 : 0);
  });

  it("a negative retry-max-attempts is explained as raised to one attempt", async () => {
    const [f] = ofRule(await lintFiles(twoJobs(["retry-max-attempts: -3"])));
    expect(f!.message).toContain("`retry-max-attempts: -3` is raised to 1: a single attempt");
  });

  it("special-characters-workaround only helps on versions that have it (v3.0.1+)", async () => {
    const v300 = "ef93a73b1313f148011965ef7361f667f371f58b # v3.0.0";
    const on300 = ofRule(await lintFiles(twoJobs(["disable-retry: true", "special-characters-workaround: true"], v300)));
    expect(on300).toHaveLength(1);
    const on431 = ofRule(await lintFiles(twoJobs(["disable-retry: true", "special-characters-workaround: true"])));
    expect(on431).toHaveLength(0);
  });

  it("reads DISABLE_RETRY from the job env from v4.2.0 on, without a fix", async () => {
    const [f] = ofRule(await lintFiles(twoJobs([], `${SHA_V4} # v4.3.1`, "DISABLE_RETRY: true")));
    expect(f).toBeDefined();
    expect(f!.fix).toBeUndefined();
    expect(f!.fixNote).toContain("`DISABLE_RETRY` in the job env of `a`");
    const v410 = "ececac1a45f3b08a01d2dd070d28d111c5fe6722 # v4.1.0";
    const old = ofRule(await lintFiles(twoJobs([], v410, "DISABLE_RETRY: true")));
    expect(old).toHaveLength(0);
  });

  it("removes both offending inputs in one fix", async () => {
    const files = twoJobs(["disable-retry: true", "retry-max-attempts: 1"]);
    const [f] = ofRule(await lintFiles(files));
    expect(f!.message).toContain("`disable-retry: true` turns retry off and `retry-max-attempts: 1` allows a single attempt");
    expect(f!.fix?.safe).toBe(true);
    const text = files[".github/workflows/ci.yml"]!;
    const out = applyFixes(text, [f!.fix!]).text;
    expect(out).toBe(text.replace("          disable-retry: true\n          retry-max-attempts: 1\n", ""));
  });

  it("removes the first entries of a flow mapping with the comma after them", async () => {
    const text = [
      "on: push",
      "permissions: { id-token: write }",
      "jobs:",
      "  a:",
      "    runs-on: ubuntu-latest",
      "    strategy: { matrix: { n: [1, 2] } }",
      "    steps:",
      `      - uses: aws-actions/configure-aws-credentials@${SHA_V4}`,
      "        with: { disable-retry: true, retry-max-attempts: '1', role-to-assume: 'arn:aws:iam::123456789012:role/a', aws-region: us-east-1 }",
      "",
    ].join("\n");
    const [f] = ofRule(await lintFiles({ ".github/workflows/ci.yml": text }));
    expect(f!.message).toContain("a matrix of 2 jobs: up to 2 simultaneous token exchanges");
    const out = applyFixes(text, [f!.fix!]).text;
    expect(out).toContain("with: { role-to-assume: 'arn:aws:iam::123456789012:role/a', aws-region: us-east-1 }");
  });
});

describe("oidc-fanout-no-retry: counting", () => {
  it("counts a matrix of unknown size as 2 and says so", async () => {
    const text = [
      "on: push",
      "permissions:",
      "  id-token: write",
      "jobs:",
      "  a:",
      "    runs-on: ubuntu-latest",
      "    strategy:",
      "      matrix: ${{ fromJSON(vars.TARGETS) }}",
      "    steps:",
      `      - uses: aws-actions/configure-aws-credentials@${SHA_V4}`,
      "        with:",
      "          role-to-assume: arn:aws:iam::123456789012:role/a",
      "          aws-region: us-east-1",
      "          disable-retry: true",
      "",
    ].join("\n");
    const [f] = ofRule(await lintFiles({ ".github/workflows/ci.yml": text }));
    expect(f!.message).toContain("a matrix of unknown size (counted as 2): up to 2 simultaneous token exchanges");
    expect(f!.message).toContain("each matrix of unknown size counted as 2");
  });

  it("counts only the heaviest set of jobs that can overlap, through transitive needs", async () => {
    // a (no retry) runs alongside b and c; c needs b: so at most a + one of b/c.
    const text = [
      "on: push",
      "permissions:",
      "  id-token: write",
      "jobs:",
      ...["a", "b", "c", "d"].flatMap((id) => [
        `  ${id}:`,
        "    runs-on: ubuntu-latest",
        ...(id === "c" ? ["    needs: b", "    strategy:", "      matrix:", "        n: [1, 2, 3]"] : []),
        ...(id === "d" ? ["    needs: [c, a]"] : []),
        "    steps:",
        `      - uses: aws-actions/configure-aws-credentials@${SHA_V4}`,
        "        with:",
        `          role-to-assume: arn:aws:iam::123456789012:role/${id}`,
        "          aws-region: us-east-1",
        ...(id === "a" ? ["          disable-retry: true"] : []),
      ]),
      "",
    ].join("\n");
    const [f] = ofRule(await lintFiles({ ".github/workflows/ci.yml": text }));
    expect(f!.message).toContain("1 job, plus 3 parallel jobs: up to 4 simultaneous token exchanges (per job: `a` 1, `c` 3)");
    expect(f!.related.map((r) => r.message)).toEqual(["job `c` can exchange OIDC tokens at the same time (3 jobs)"]);
  });

  it("reads the threshold from the rule option", async () => {
    const files = twoJobs(["disable-retry: true"]);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "credflow-fanout-"));
    tmpDirs.push(dir);
    for (const [rel, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, rel), text);
    }
    const { lint } = await import("../../src/engine/lint.js");
    const { offlinePins } = await import("../../src/knowledge/pins.js");
    const result = await lint({
      paths: ["."],
      cwd: dir,
      settings: { visibility: "unknown" },
      pins: offlinePins(),
      ruleOptions: (id) => (id === RULE ? { threshold: 3 } : {}),
    });
    expect(result.findings.filter((f) => f.ruleId === RULE)).toHaveLength(0);
  });

  it("reports a composite's configure step once, pointing at every composite call", async () => {
    const [f, ...rest] = ofRule(await lintDir(fixture("composite-disable-retry")));
    expect(rest).toHaveLength(0);
    expect(f!.related.filter((r) => r.message.startsWith("composite call")).map((r) => r.range.start.line)).toEqual([13, 20]);
  });

  it("counts a called reusable workflow under its caller only", async () => {
    const found = ofRule(await lintDir(fixture("reusable-caller-matrix")));
    expect(found).toHaveLength(1);
    expect(found[0]!.fixNote).toContain("from `${{ inputs.attempts }}`");
    expect(found[0]!.related.map((r) => [r.path, r.range.start.line])).toEqual([
      [".github/workflows/release.yml", 13],
      [".github/workflows/release.yml", 17],
    ]);
  });
});

describe("oidc-fanout-no-retry: upgrade fix", () => {
  it("moves a v1.5.0 tag to v1.7.0 and a v1.5.0 commit to v1.7.0's commit with its comment (unsafe)", async () => {
    const result = await lintDir(fixture("pre-v161-parallel"));
    const found = ofRule(result);
    expect(found.map((f) => f.fix?.safe)).toEqual([false, false]);
    const file = result.files.find((f) => f.path === ".github/workflows/legacy.yml")!;
    const out = applyFixes(file.text, found.map((f) => f.fix!)).text;
    expect(out).toBe(
      file.text
        .replace("@v1.5.0\n", "@v1.7.0\n")
        .replace('c0243dfafd0e99b12caca0d56b6de8e7fb8d20db" # v1.5.0', '67fbcbb121271f7775d2e7715933280b06314838" # v1.7.0'),
    );
  });

  it("adds a version comment to a bare SHA, but never inside a flow mapping", async () => {
    const v150 = "c0243dfafd0e99b12caca0d56b6de8e7fb8d20db";
    const text = [
      "on: push",
      "permissions: { id-token: write }",
      "jobs:",
      "  a:",
      "    runs-on: ubuntu-latest",
      "    steps:",
      `      - uses: aws-actions/configure-aws-credentials@${v150}`,
      "        with: { role-to-assume: 'arn:aws:iam::1:role/a', aws-region: us-east-1 }",
      "  b:",
      "    runs-on: ubuntu-latest",
      "    steps:",
      `      - { uses: aws-actions/configure-aws-credentials@${v150}, with: { role-to-assume: 'arn:aws:iam::1:role/b', aws-region: us-east-1 } }`,
      "",
    ].join("\n");
    const found = ofRule(await lintFiles({ ".github/workflows/ci.yml": text }));
    expect(found).toHaveLength(2);
    const out = applyFixes(text, found.map((f) => f.fix!)).text;
    const v170 = "67fbcbb121271f7775d2e7715933280b06314838";
    expect(out).toContain(`      - uses: aws-actions/configure-aws-credentials@${v170} # v1.7.0\n`);
    expect(out).toContain(`      - { uses: aws-actions/configure-aws-credentials@${v170}, with:`);
  });
});

describe("support/concurrency", () => {
  it("follows needs transitively and tolerates cycles", () => {
    const order = new NeedsOrder([
      { id: "a", needs: [] },
      { id: "b", needs: ["a"] },
      { id: "c", needs: ["b"] },
      { id: "d", needs: [] },
      { id: "x", needs: ["y"] },
      { id: "y", needs: ["x", "missing"] },
    ]);
    expect(order.ordered("a", "c")).toBe(true);
    expect(order.concurrent("c", "d")).toBe(true);
    expect(order.concurrent("a", "a")).toBe(false);
    expect(order.ordered("x", "y")).toBe(true);
  });

  it("finds the maximum-weight antichain (checked against brute force on random DAGs)", () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let round = 0; round < 60; round++) {
      const n = 2 + Math.floor(rand() * 10);
      const jobs = Array.from({ length: n }, (_, i) => ({
        id: `j${i}`,
        needs: Array.from({ length: i }, (_, k) => `j${k}`).filter(() => rand() < 0.25),
        w: 1 + Math.floor(rand() * 5),
      }));
      const order = new NeedsOrder(jobs);
      const conc = (a: (typeof jobs)[number], b: (typeof jobs)[number]) => order.concurrent(a.id, b.id);
      let brute = 0;
      for (let mask = 1; mask < 1 << n; mask++) {
        const set = jobs.filter((_, i) => mask & (1 << i));
        if (set.every((a, i) => set.every((b, k) => i === k || conc(a, b)))) brute = Math.max(brute, set.reduce((s, j) => s + j.w, 0));
      }
      const got = heaviestConcurrentSet(jobs, (j) => j.w, conc);
      expect(got.exact).toBe(true);
      expect(got.weight).toBe(brute);
      expect(got.members.reduce((s, j) => s + j.w, 0)).toBe(brute);
    }
  });

  it("settles for the sum over all candidates when the search budget runs out", () => {
    const items = Array.from({ length: 30 }, (_, i) => i);
    // Pairwise concurrent except neighbours: many near-maximal sets, a large search.
    const got = heaviestConcurrentSet(items, () => 1, (a, b) => Math.abs(a - b) !== 1, { budget: 10 });
    expect(got.exact).toBe(false);
    expect(got.weight).toBe(30);
    const exact = heaviestConcurrentSet(items, () => 1, (a, b) => Math.abs(a - b) !== 1);
    expect(exact).toMatchObject({ exact: true, weight: 15 });
  });
});
