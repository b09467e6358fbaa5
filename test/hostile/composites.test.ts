/**
 * Local composite actions and reusable workflows arranged to loop, nest or multiply: cycles, a
 * 300-deep chain, fan-out that multiplies steps or jobs exponentially, and `uses:` paths that leave
 * the repository. Each: exit 0/1/2, a finding naming the caller, no stack trace, no hang, bounded
 * memory, `--fix` writes nothing.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { tempRepo } from "../helpers/temp-repo.js";
import { expectFixWritesNothing, expectSane, outsideDir, runCli, runProcess, snapshot, cpuOf } from "../fuzz/harness.js";

const WF = ".github/workflows/w.yml";
const job = (uses: string) => `on: push\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: ${uses}\n`;
const composite = (steps: string[]) =>
  `name: c\nruns:\n  using: composite\n  steps:\n${steps.map((s) => `    - ${s}\n`).join("") || "    []\n"}`;
const RUN = "run: echo hi\n      shell: bash";

/** Memory cap for process runs: an unbounded expansion dies here in seconds instead of minutes. */
const HEAP = ["--max-old-space-size=384"];

describe("composite action cycles and chains", () => {
  it("an action that calls itself", async () => {
    const dir = tempRepo({ [WF]: job("./a"), "a/action.yml": composite(["uses: ./a", RUN]) });
    const r = await runCli(["."], dir);
    expectSane(r, { paths: ["a/action.yml"], codes: [1] });
    expect(r.stdout).toMatch(/cycle/);
    await expectFixWritesNothing(dir, ["."]);
  });

  it("a three-action cycle, entered twice through different spellings of the path", async () => {
    const dir = tempRepo({
      [WF]: "on: push\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: ./a\n      - uses: ./b/../a/\n      - uses: ./c//\n",
      "a/action.yml": composite(["uses: ./b"]),
      "b/action.yml": composite(["uses: ./c"]),
      "c/action.yml": composite(["uses: ./a", RUN]),
    });
    const r = await runCli(["."], dir);
    expectSane(r, { codes: [1] });
    expect(r.stdout).toMatch(/^ +--> c\/action\.yml:\d+:\d+$/m);
    expect(r.stdout).toMatch(/^error\[local-action-resolution\]: composite action cycle/m);
    await expectFixWritesNothing(dir, ["."]);
  });

  it("a cycle through a symbolic link inside the repository", async () => {
    const dir = tempRepo({ [WF]: job("./a"), "a/action.yml": composite(["uses: ./b", RUN]) });
    fs.symlinkSync(path.join(dir, "a"), path.join(dir, "b"));
    const r = await runCli(["."], dir);
    expectSane(r, { codes: [0, 1] });
    await expectFixWritesNothing(dir, ["."]);
  });

  it("a chain of 300 composite actions stops at GitHub's depth and says so", async () => {
    const files: Record<string, string> = { [WF]: job("./a0") };
    for (let i = 0; i < 300; i++) files[`a${i}/action.yml`] = composite(i < 299 ? [`uses: ./a${i + 1}`, RUN] : [RUN]);
    const dir = tempRepo(files);
    const r = await runCli(["."], dir);
    expectSane(r, { codes: [1] });
    expect(r.stdout).toMatch(/^ +--> a\d+\/action\.yml:\d+:\d+$/m);
    expect(r.stdout.replace(/\s+/g, " ")).toMatch(/warning\[local-action-resolution\]: composite actions nested more than \d+ levels/);
    expect(cpuOf(r)).toBeLessThan(10_000);
    await expectFixWritesNothing(dir, ["."]);
  });

  it("each action calls the next ten times, five levels deep (10^5 steps per job) is cut short", async () => {
    const files: Record<string, string> = { [WF]: job("./a0") };
    for (let d = 0; d < 5; d++) files[`a${d}/action.yml`] = composite(d < 4 ? Array(10).fill(`uses: ./a${d + 1}`) : [RUN]);
    const dir = tempRepo(files);
    const r = await runProcess(["."], dir, 60_000, HEAP);
    expectSane(r, { codes: [1] });
    expect(r.stdout).toMatch(/more than \d+ steps/);
  });

  it("2,000 jobs each calling that fan-out (a 130 KB workflow) stay bounded in time and memory", async () => {
    const files: Record<string, string> = {};
    for (let d = 0; d < 5; d++) files[`a${d}/action.yml`] = composite(d < 4 ? Array(10).fill(`uses: ./a${d + 1}`) : [RUN]);
    const jobs = Array.from({ length: 2000 }, (_, i) => `  j${i}:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: ./a0\n`).join("");
    files[WF] = `on: push\njobs:\n${jobs}`;
    const dir = tempRepo(files);
    const r = await runProcess([".", "--format", "concise"], dir, 60_000, HEAP);
    expectSane(r, { paths: [WF], codes: [1] });
    expect(r.stdout).toMatch(/^\.github\/workflows\/w\.yml:\d+:\d+: warning: .*analysed only in part/m);
    expect(cpuOf(r)).toBeLessThan(30_000);
  });
});

describe("reusable workflow cycles, chains and fan-out", () => {
  const caller = (target: string, n = 1) =>
    `on: workflow_call\njobs:\n${Array.from({ length: n }, (_, i) => `  c${i}:\n    uses: ${target}\n`).join("")}`;

  it("a workflow that calls itself, and a two-workflow cycle", async () => {
    const dir = tempRepo({
      ".github/workflows/self.yml": caller("./.github/workflows/self.yml"),
      ".github/workflows/a.yml": caller("./.github/workflows/b.yml"),
      ".github/workflows/b.yml": caller("./.github/workflows/a.yml"),
    });
    const r = await runCli(["."], dir);
    expectSane(r, { paths: [".github/workflows/self.yml", ".github/workflows/a.yml"], codes: [1] });
    expect(r.stdout).toMatch(/cycle/);
    await expectFixWritesNothing(dir, ["."]);
  });

  it("a chain of 300 reusable workflows stops at the depth limit", async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 300; i++) {
      files[`.github/workflows/w${i}.yml`] = i < 299 ? caller(`./.github/workflows/w${i + 1}.yml`) : "on: workflow_call\njobs:\n  leaf:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n";
    }
    const dir = tempRepo(files);
    const r = await runProcess(["."], dir, 60_000, HEAP);
    expectSane(r, { codes: [1] });
    expect(r.stdout).toMatch(/nested more than \d+ levels/);
  });

  it("eight jobs per workflow, each calling the next, nine levels deep (8^9 jobs) stay bounded", async () => {
    const files: Record<string, string> = {};
    for (let d = 0; d <= 9; d++) {
      files[`.github/workflows/w${d}.yml`] =
        d < 9 ? caller(`./.github/workflows/w${d + 1}.yml`, 8) : "on: workflow_call\njobs:\n  leaf:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n";
    }
    const dir = tempRepo(files);
    const r = await runProcess([".", "--format", "concise"], dir, 60_000, HEAP);
    expectSane(r, { paths: [".github/workflows/w0.yml"], codes: [1] });
    expect(r.stdout).toMatch(/^\.github\/workflows\/w0\.yml:\d+:\d+: warning: .*analysed only in part/m);
    expect(cpuOf(r)).toBeLessThan(30_000);
  });

  it("a hundred copies of that bomb in one repository stay bounded as a whole", async () => {
    const files: Record<string, string> = {};
    for (let d = 0; d <= 9; d++) {
      files[`.github/workflows/w${d}.yml`] =
        d < 9 ? caller(`./.github/workflows/w${d + 1}.yml`, 8) : "on: workflow_call\njobs:\n  leaf:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n";
    }
    for (let i = 0; i < 100; i++) files[`.github/workflows/top${i}.yml`] = files[".github/workflows/w0.yml"]!.replace("workflow_call", "push");
    const dir = tempRepo(files);
    const r = await runProcess([".", "--format", "concise"], dir, 60_000, HEAP);
    expectSane(r, { paths: [".github/workflows/top99.yml"], codes: [1] });
    expect(r.stdout).toMatch(/^\.github\/workflows\/top99\.yml:\d+:\d+: warning: the workflows of this run expand to more than/m);
    expect(cpuOf(r)).toBeLessThan(30_000);
  });
});

describe("`uses:` paths that leave the repository or name the wrong thing", () => {
  const cases: Record<string, string> = {
    "./../../etc": "outside",
    "./..": "outside",
    "./a/../../..": "outside",
    "./../../../../../../../../../../../../../../tmp": "outside",
    ".": "no action.yml",
    "./": "no action.yml",
    "./.github/workflows/other.yml": "workflow",
    "./missing": "no action.yml",
    "./file.txt": "no action.yml",
    "./dir-named-action": "directory",
  };
  for (const [uses, why] of Object.entries(cases)) {
    it(`step \`uses: ${uses}\``, async () => {
      const outside = outsideDir();
      const dir = tempRepo({
        [WF]: job(uses),
        ".github/workflows/other.yml": "on: workflow_call\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n",
        "file.txt": "not an action",
        "dir-named-action/action.yml/inner": "x",
      });
      const r = await runCli(["."], dir);
      expectSane(r, { paths: [WF], codes: [1] });
      expect(r.stdout.split("\n").find((l) => l.startsWith(`${WF}:6:`)) ?? r.stdout).toMatch(new RegExp(why === "directory" ? "directory|no action" : why));
      await expectFixWritesNothing(dir, ["."], [outside]);
    });
  }

  it("job-level `uses: ./../x.yml` and an absolute-looking path", async () => {
    const outside = outsideDir();
    fs.writeFileSync(path.join(outside, "x.yml"), "on: workflow_call\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n");
    const rel = path.relative(path.join(outside, ".."), path.join(outside, "x.yml"));
    const dir = tempRepo({
      [WF]: `on: push\njobs:\n  a:\n    uses: ./../${rel}\n  b:\n    uses: ./..${outside}/x.yml\n  c:\n    uses: .${outside}/x.yml\n`,
    });
    const before = snapshot(outside);
    const r = await runCli(["."], dir);
    expectSane(r, { paths: [WF], codes: [1] });
    expect(r.stdout).toMatch(/outside the repository/);
    await expectFixWritesNothing(dir, ["."], [outside]);
    expect(snapshot(outside)).toEqual(before);
  });
});
