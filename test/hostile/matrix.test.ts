/**
 * Matrices built to make a counter enumerate: 10^6, 10^30 and 10^400 combinations, thousands of
 * excludes and includes, values that are deep objects, `fromJSON` everywhere a matrix can hold one,
 * and shapes GitHub rejects. Counting is arithmetic: each run ends in seconds with a finding naming the
 * file (or none, when the count is unknown or within the limit).
 */
import { describe, expect, it } from "vitest";
import { tempRepo } from "../helpers/temp-repo.js";
import { expectFixWritesNothing, expectSane, runCli, runProcess, cpuOf } from "../fuzz/harness.js";

const WF = ".github/workflows/m.yml";

function workflow(matrixLines: string[], extra = ""): string {
  return [
    "on: push",
    "jobs:",
    "  j:",
    "    runs-on: ubuntu-latest",
    "    strategy:",
    "      matrix:",
    ...matrixLines.map((l) => `        ${l}`),
    extra,
    "    steps:",
    "      - run: echo",
    "",
  ].join("\n");
}

const axes = (n: number, size: number) => Array.from({ length: n }, (_, i) => `a${i}: [${Array.from({ length: size }, (_, v) => v).join(", ")}]`);

interface Case {
  lines: string[];
  /** Jobs the matrix-job-limit finding must report; undefined: no finding expected. */
  jobs?: string;
}

const cases: Record<string, Case> = {
  "10^6 combinations": { lines: axes(6, 10), jobs: "1000000" },
  "10^30 combinations": { lines: axes(30, 10), jobs: "" },
  "10^400 combinations (past a double)": { lines: axes(400, 10), jobs: "" },
  "10^6 with 100 excludes removing everything but one include": {
    lines: [...axes(6, 10), "exclude:", ...Array.from({ length: 100 }, (_, i) => `  - {a0: ${Math.floor(i / 10)}, a5: ${i % 10}}`), "include:", "  - {a0: 1, extra: x}"],
  },
  "10^6 with 3,000 overlapping excludes over every axis": {
    lines: [...axes(6, 10), "exclude:", ...Array.from({ length: 3000 }, (_, i) => `  - {a0: ${i % 10}, a1: ${(i * 7) % 10}, a2: ${(i * 3) % 10}, a3: ${(i * 11) % 10}, a4: ${i % 7}, a5: ${(i * 13) % 10}}`)],
    jobs: "",
  },
  "12 axes of 2 (4,096: enumerated) with 20,000 includes that fit nothing left": {
    lines: [...axes(12, 2), "exclude:", "  - {a0: 0}", "include:", ...Array.from({ length: 20_000 }, () => "  - {a0: 0, a1: 1}")],
    jobs: "",
  },
  "20,000 includes alone": { lines: ["include:", ...Array.from({ length: 20_000 }, (_, i) => `  - {k: v${i}}`)], jobs: "20000" },
  "an axis of 100,000 values": { lines: [`a: [${Array.from({ length: 100_000 }, (_, i) => i).join(",")}]`], jobs: "100000" },
  "values that are deep objects": {
    lines: [`a: [${Array.from({ length: 300 }, (_, i) => `${"{x: ".repeat(40)}${i}${"}".repeat(40)}`).join(", ")}]`, `include: [{a: ${"{x: ".repeat(40)}1${"}".repeat(40)}, b: 2}]`],
    jobs: "300",
  },
  "an empty axis": { lines: ["a: []", ...axes(3, 10)] },
  "no axes, empty include and exclude": { lines: ["include: []", "exclude: []"] },
  "an axis that is a map": { lines: ["a: {x: 1}", ...axes(5, 10)] },
  "an axis that is null": { lines: ["a:", ...axes(5, 10)] },
  "include and exclude that are maps or scalars": { lines: [...axes(5, 10), "include: {a0: 1}", "exclude: nope"] },
  "include entries that are lists and scalars": { lines: [...axes(3, 10), "include: [[1, 2], x, ~, {a0: 1}]"] },
  "keys that are not strings": { lines: ["? [a, b]", ": [1, 2]", "1: [x, y]", "~: [z]", "true: [1]"] },
};

describe("matrix counting stays arithmetic", () => {
  for (const [name, c] of Object.entries(cases)) {
    it(name, async () => {
      const dir = tempRepo({ [WF]: workflow(c.lines) });
      const r = await runCli(["."], dir);
      expectSane(r, c.jobs !== undefined ? { paths: [WF], codes: [1] } : { codes: [0, 1] });
      expect(cpuOf(r)).toBeLessThan(10_000);
      const limit = r.stdout.split("\n").find((l) => l.includes("[matrix-job-limit]"));
      if (c.jobs === undefined) expect(limit).toBeUndefined();
      else {
        expect(limit, r.stdout).toBeDefined();
        if (c.jobs) expect(limit).toContain(`yields ${c.jobs} jobs`);
      }
      await expectFixWritesNothing(dir, ["."]);
    });
  }

  it("all of them in one repository, as a real process with a timeout", async () => {
    const files: Record<string, string> = {};
    Object.values(cases).forEach((c, i) => (files[`.github/workflows/m${i}.yml`] = workflow(c.lines)));
    const dir = tempRepo(files);
    const r = await runProcess(["."], dir, 60_000);
    expectSane(r, { codes: [1] });
  });
});

describe("fromJSON and expressions in matrices", () => {
  const dynamic: Record<string, string[]> = {
    "the whole matrix": ["${{ fromJSON(needs.setup.outputs.matrix) }}"],
    "one axis": ["os: ${{ fromJSON(needs.setup.outputs.os) }}", ...axes(3, 10)],
    "every axis, include and exclude": ["a: ${{ fromJSON(inputs.a) }}", "b: ${{ fromJSON(inputs.b) }}", "include: ${{ fromJSON(inputs.i) }}", "exclude: ${{ fromJSON(inputs.e) }}"],
    "an axis value": [`a: [1, "\${{ fromJSON(inputs.x) }}", 3]`, ...axes(5, 10), "exclude: [{a: 1}]"],
    "an include entry": [...axes(4, 10), "include:", "  - ${{ fromJSON(inputs.one) }}", "  - {a0: '${{ inputs.v }}'}"],
    "a literal fromJSON": [`a: \${{ fromJSON('[1, 2, 3]') }}`],
    "a huge literal fromJSON": [`a: \${{ fromJSON('[${Array.from({ length: 5000 }, (_, i) => i).join(",")}]') }}`],
    "a malformed expression": ["a: ${{ fromJSON(", "b: ${{ }}", "c: ${{ ${{ }} }}"],
  };
  for (const [name, lines] of Object.entries(dynamic)) {
    it(name, async () => {
      const dir = tempRepo({
        [WF]: workflow(lines, "    needs: setup").replace("jobs:\n", "jobs:\n  setup:\n    runs-on: ubuntu-latest\n    outputs: {matrix: '{}', os: '[]'}\n    steps:\n      - run: echo\n"),
      });
      const r = await runCli(["."], dir);
      expectSane(r, { codes: [0, 1] });
      // Unknown until the run: never reported as over the limit.
      expect(r.stdout).not.toContain("[matrix-job-limit]");
      expect(cpuOf(r)).toBeLessThan(10_000);
      await expectFixWritesNothing(dir, ["."]);
    });
  }
});
