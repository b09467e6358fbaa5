/**
 * YAML built to exhaust the analyser: alias bombs (in every place the model reads), nesting 20,000
 * levels deep (block and flow), and nesting just around the analyser's own depth limit.
 * Each case: exit 0/1/2, a finding naming the file, no stack trace, no hang, `--fix` writes nothing.
 */
import { describe, expect, it } from "vitest";
import { tempRepo } from "../helpers/temp-repo.js";
import { expectFixWritesNothing, expectSane, runCli, runProcess, cpuOf } from "../fuzz/harness.js";
import { MAX_EXPANDED_NODES, MAX_NESTING } from "../../src/parse/parse-file.js";

const WF = ".github/workflows/w.yml";
/** configure-aws-credentials pinned to a commit: no rule offers a fix, so `--fix` must write nothing. */
const CONFIGURE = "aws-actions/configure-aws-credentials@7474bc4690e29a8392af63c5b98e7449536d5c3a # v4.3.1";
const TOO_DEEP = /nested more than \d+ levels deep|nesting is too deep/;

/** Ten anchors, each a list of ten aliases of the previous one: 10^10 nodes once expanded. */
function bombLines(indent: string, depth = 10): string[] {
  const lines = [`${indent}l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]`];
  for (let i = 1; i < depth; i++) lines.push(`${indent}l${i}: &l${i} [${Array(10).fill(`*l${i - 1}`).join(", ")}]`);
  return lines;
}

/** The same, as mappings merged with `<<`. */
function mergeBombLines(indent: string, depth = 10): string[] {
  const lines = [`${indent}m0: &m0 {a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8, i: 9, j: 10}`];
  for (let i = 1; i < depth; i++) {
    const keys = Array.from({ length: 10 }, (_, k) => `k${k}: *m${i - 1}`).join(", ");
    lines.push(`${indent}m${i}: &m${i} {<<: *m${i - 1}, ${keys}}`);
  }
  return lines;
}

const bombs: Record<string, string> = {
  "top level": `on: push\n${bombLines("").join("\n")}\njobs: {}\n`,
  "merge keys": `on: push\n${mergeBombLines("").join("\n")}\njobs: {}\n`,
  "in env, with and matrix": [
    "on: push",
    "x:",
    ...bombLines("  "),
    "jobs:",
    "  j:",
    "    runs-on: ubuntu-latest",
    "    env: *l9",
    "    strategy:",
    "      matrix:",
    "        a: *l9",
    "        include: *l9",
    "        exclude: *l9",
    "    steps:",
    `      - uses: ${CONFIGURE}`,
    "        with: *l9",
    "        env: *l9",
    "      - *l9",
    "",
  ].join("\n"),
  "as the steps and jobs": [
    "on: push",
    "x:",
    ...bombLines("  "),
    "jobs:",
    "  a:",
    "    runs-on: *l9",
    "    needs: *l9",
    "    permissions: *l9",
    "    steps: *l9",
    "  b: *l9",
    "",
  ].join("\n"),
  "as the triggers": `x:\n${bombLines("  ").join("\n")}\non: *l9\npermissions: *l9\nenv: *l9\njobs: *l9\n`,
};

describe("alias bombs are bounded and reported", () => {
  for (const [name, text] of Object.entries(bombs)) {
    it(name, async () => {
      const dir = tempRepo({ [WF]: text });
      const r = await runCli(["."], dir);
      expectSane(r, { paths: [WF], codes: [1] });
      expect(r.stdout).toContain("alias bomb");
      expect(cpuOf(r)).toBeLessThan(5000);
      await expectFixWritesNothing(dir, ["."]);
    });
  }

  it("in a composite action the workflow calls", async () => {
    const dir = tempRepo({
      [WF]: "on: push\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: ./act\n",
      "act/action.yml": `x:\n${bombLines("  ").join("\n")}\ninputs: *l9\nruns:\n  using: composite\n  steps: *l9\n`,
    });
    const r = await runCli(["."], dir);
    expectSane(r, { paths: ["act/action.yml"], codes: [1] });
    expect(r.stdout).toContain("alias bomb");
    await expectFixWritesNothing(dir, ["."]);
  });

  it("a document just under the expansion limit is analysed normally", async () => {
    // 5 levels of 10: 10^5 leaves plus lists, below MAX_EXPANDED_NODES.
    expect(111_111 + 200).toBeLessThan(MAX_EXPANDED_NODES);
    const dir = tempRepo({ [WF]: `on: push\n${bombLines("", 5).join("\n")}\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n` });
    const r = await runCli(["."], dir);
    expectSane(r);
    expect(r.stdout).not.toContain("alias bomb");
  });

  it("a real process survives the worst bomb (memory)", async () => {
    const dir = tempRepo({ [WF]: bombs["in env, with and matrix"]! });
    const r = await runProcess(["."], dir, 20_000, ["--max-old-space-size=256"]);
    expectSane(r, { paths: [WF], codes: [1] });
  });
});

const N = 20_000;

const deep: Record<string, string> = {
  // `- - - … x`: block sequences nested on one line (block nesting without quadratic indentation).
  "block sequences": `on: push\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n      ${"- ".repeat(N)}x\n`,
  "block sequences at the root": `${"- ".repeat(N)}x\n`,
  // Explicit keys nest block mappings on one line the same way.
  "block mappings (explicit keys)": `on: push\njobs:\n  ${"? ".repeat(N)}x\n`,
  "flow sequences": `on: push\njobs: ${"[".repeat(N)}${"]".repeat(N)}\n`,
  "flow mappings": `on: push\njobs: ${"{a: ".repeat(N)}1${"}".repeat(N)}\n`,
  "unclosed flow": `on: push\njobs: ${"[{".repeat(N)}\n`,
  "mixed flow in a step's with": `on: push\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: ${CONFIGURE}\n        with: ${"{a: [".repeat(N / 2)}1${"]}".repeat(N / 2)}\n`,
};

/** Block mappings nested by indentation: `depth` levels, one more space each (size grows as depth²). */
function indentedMaps(depth: number): string {
  const lines = ["on: push", "jobs:"];
  for (let i = 0; i < depth; i++) lines.push(`${" ".repeat(i + 2)}k${i}:`);
  lines.push(`${" ".repeat(depth + 2)}x`);
  return `${lines.join("\n")}\n`;
}

describe(`nesting ${N} levels deep`, () => {
  for (const [name, text] of Object.entries(deep)) {
    it(`${name} (in process)`, async () => {
      const dir = tempRepo({ [WF]: text });
      const r = await runCli(["."], dir);
      expectSane(r, { paths: [WF], codes: [1] });
      expect(cpuOf(r)).toBeLessThan(10_000);
      await expectFixWritesNothing(dir, ["."]);
    });
  }

  it("all of them in one repository, as a real process (stack size of a plain `node`)", async () => {
    const files: Record<string, string> = {};
    Object.values(deep).forEach((text, i) => (files[`.github/workflows/deep${i}.yml`] = text));
    const dir = tempRepo(files);
    const r = await runProcess(["."], dir, 30_000);
    expectSane(r, { paths: Object.keys(files), codes: [1] });
    await expectFixWritesNothing(dir, ["."], [], {}, true);
  });

  it("one cause, one finding: a stack overflow is reported once per file, not once per level", async () => {
    const dir = tempRepo({ [WF]: deep["block sequences"]! });
    const r = await runCli(["--format", "json", "."], dir);
    const findings = (JSON.parse(r.stdout) as { findings: Array<{ rule: string; message: string }> }).findings;
    expect(findings.length).toBe(1);
    expect(findings[0]!.message).toMatch(TOO_DEEP);
    expect(findings.map((f) => f.message).join("\n")).not.toContain("Maximum call stack size exceeded");
  });

  it("3,000 levels of indented block mappings (4.5 MB; 20,000 would be 200 MB, past the size limit)", async () => {
    const dir = tempRepo({ [WF]: indentedMaps(3000) });
    const r = await runProcess(["."], dir, 30_000);
    expectSane(r, { paths: [WF], codes: [1] });
    expect(r.stdout).toMatch(TOO_DEEP);
  });

  // (The analysis after parsing has its own, lower limit for what it walks: "nesting is too deep to analyse".)
  it(`exactly ${MAX_NESTING} levels are parsed, one more is refused before parsing (block and flow)`, async () => {
    // The root mapping is one level.
    const flow = (k: number) => `on: push\nx: ${"[".repeat(k)}${"]".repeat(k)}\njobs: {}\n`;
    const block = (k: number) => `on: push\njobs: {}\nx:\n  ${"- ".repeat(k)}y\n`;
    const dir = tempRepo({
      ".github/workflows/flow-ok.yml": flow(MAX_NESTING - 1),
      ".github/workflows/flow-deep.yml": flow(MAX_NESTING),
      ".github/workflows/block-ok.yml": block(MAX_NESTING - 1),
      ".github/workflows/block-deep.yml": block(MAX_NESTING),
    });
    const r = await runCli(["--format", "json", "."], dir);
    expectSane(r);
    const deepFiles = (JSON.parse(r.stdout) as { findings: Array<{ path: string; message: string; line: number; column: number }> }).findings
      .filter((f) => f.message.startsWith(`collections nested more than ${MAX_NESTING} levels deep`));
    expect(deepFiles.map((f) => f.path).sort()).toEqual([".github/workflows/block-deep.yml", ".github/workflows/flow-deep.yml"]);
    // Reported where the first collection past the limit starts.
    const flowDeep = deepFiles.find((f) => f.path.endsWith("flow-deep.yml"))!;
    expect([flowDeep.line, flowDeep.column]).toEqual([2, 4 + MAX_NESTING - 1]);
  });

  // Around the analyser's own depth limit (500): deep enough for the YAML parser, maybe too deep for
  // the model, the schema validator or a rule that recurses.
  for (const depth of [100, 490, 499, 500, 501, 510, 1000, 2000]) {
    it(`${depth} levels inside env, with, a matrix axis and a step`, async () => {
      const nested = `${"[".repeat(depth)}1${"]".repeat(depth)}`;
      const text = [
        "on: push",
        "jobs:",
        "  j:",
        "    runs-on: ubuntu-latest",
        `    env: {A: ${nested}}`,
        "    strategy:",
        "      matrix:",
        `        a: [${nested}, 2]`,
        `        include: [{a: ${nested}}]`,
        "    steps:",
        `      - uses: ${CONFIGURE}`,
        `        with: {role-to-assume: ${nested}, aws-region: us-east-1}`,
        `      - ${nested}`,
        "",
      ].join("\n");
      const dir = tempRepo({ [WF]: text, "act/action.yml": `runs:\n  using: composite\n  steps:\n    - ${nested}\n` });
      const r = await runCli(["."], dir);
      expectSane(r, { codes: [0, 1] });
      await expectFixWritesNothing(dir, ["."]);
    });
  }
});
