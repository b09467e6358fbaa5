import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { FIXTURES, lintDir } from "../helpers/lint-fixture.js";
import { lint } from "../../src/engine/lint.js";
import { offlinePins } from "../../src/knowledge/pins.js";
import { classifyLabels } from "../../src/graph/runner.js";
import { mayRun } from "../../src/graph/conditions.js";

const dir = (c: string) => path.join(FIXTURES, "composite-role-conflict", c);
const ofRule = (r: Awaited<ReturnType<typeof lintDir>>) => r.findings.filter((f) => f.ruleId === "composite-role-conflict");

describe("composite-role-conflict", () => {
  it("points at the inner configure call, the earlier call, the nested call site and the first stale step", async () => {
    const [f] = ofRule(await lintDir(dir("nested-started-inside")));
    expect(f).toBeDefined();
    expect(f!.related.map((r) => [r.path, r.range.start.line])).toEqual([
      [".github/actions/inner-deploy/action.yml", 6],
      [".github/actions/pipeline/action.yml", 6],
      [".github/actions/pipeline/action.yml", 12],
      [".github/actions/inner-deploy/action.yml", 10],
    ]);
  });

  it("names the earlier call by its workflow call site when both calls are in the same composite", async () => {
    const [f] = ofRule(await lintDir(dir("composite-called-twice")));
    expect(f!.message).toContain("by `./.github/actions/assume` at line 11");
  });

  it("reads the minimum runner version from the rule option too", async () => {
    const result = await lint({
      paths: ["."],
      cwd: dir("composite-called-twice"),
      settings: { visibility: "unknown" },
      pins: offlinePins(),
      ruleOptions: (id) => (id === "composite-role-conflict" ? { "min-runner-version": "2.280.0" } : {}),
    });
    const [f] = ofRule(result);
    expect(f!.level).toBe("error");
    expect(f!.message).toContain("2.280.0 is older than v2.295.0");
  });

  it("shows the matrix values behind an expression runs-on", async () => {
    const [f] = ofRule(await lintDir(dir("matrix-runs-on-self-hosted")));
    expect(f!.message).toContain("with matrix values `ubuntu-latest`, `arm64-builder`");
  });
});

describe("classifyLabels", () => {
  it.each([
    [["ubuntu-latest"], "github-hosted"],
    [["ubuntu-24.04-arm"], "github-hosted"],
    [["windows-2022"], "github-hosted"],
    [["macos-14-xlarge"], "github-hosted"],
    [["ubuntu-latest-4-cores"], "github-hosted"],
    [["self-hosted"], "self-hosted"],
    [["self-hosted", "ubuntu-latest"], "self-hosted"],
    [["linux", "x64"], "self-hosted"],
    [["ubuntu-latest", "gpu"], "self-hosted"],
    [[], "unknown"],
  ] as const)("%j is %s", (labels, kind) => {
    expect(classifyLabels([...labels])).toBe(kind);
  });
});

describe("mayRun", () => {
  const inputs = new Map([
    ["environment", "dev"],
    ["role-name", "deployer"],
  ]);
  it.each([
    ["inputs.environment == 'dev'", true],
    ["inputs.environment == 'prod'", false],
    ["${{ inputs.environment == 'prod' }}", false],
    ["${{ inputs.environment != 'dev' }}", false],
    ["inputs.ENVIRONMENT == 'DEV'", true], // names and string comparison are case-insensitive
    ["inputs['role-name'] == 'other'", false],
    ["startsWith(inputs.environment, 'pr')", false],
    ["inputs.environment == 'prod' && github.ref == 'refs/heads/main'", true], // another context: unknown
    ["always() && inputs.environment == 'prod'", true], // status function: left to run time
    ["inputs.unknown == 'x'", true], // input not known
    ["inputs.environment == 'prod' ${{ '' }}", true], // mixed text: not a single expression
    [undefined, true],
  ] as const)("%s → %s", (cond, expected) => {
    expect(mayRun(cond, inputs)).toBe(expected);
  });
  it("cannot decide without inputs", () => {
    expect(mayRun("inputs.environment == 'prod'", undefined)).toBe(true);
  });
});
