/**
 * Rule options reach `ctx.options` from the metadata defaults, then the configuration file (a
 * top-level shorthand included), then the command line, each value checked against the option's
 * schema in the rule's metadata.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { cli } from "../helpers/cli.js";
import { tempRepo } from "../helpers/temp-repo.js";
import { lint } from "../../src/engine/lint.js";
import { offlinePins } from "../../src/knowledge/pins.js";
import type { Rule } from "../../src/rules/types.js";

const WORKFLOW = "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@main\n";

const repo = (files: Record<string, string> = {}) => tempRepo({ ".github/workflows/ci.yml": WORKFLOW, ".git/HEAD": "ref: refs/heads/main\n", ...files });

async function json(args: string[], dir: string): Promise<{ code: number; findings: Array<{ ruleId: string; level: string; message: string; path: string; line: number }> }> {
  const r = await cli([".", "--format", "json", ...args], { cwd: dir });
  const out = JSON.parse(r.stdout) as { findings: Array<{ rule: string; level: string; message: string; path: string; line: number }> };
  return { code: r.code, findings: out.findings.map(({ rule, level, message, path, line }) => ({ ruleId: rule, level, message, path, line })) };
}

describe("rule options", () => {
  /** A rule that records the options it is given. */
  function recorder(seen: Array<Record<string, unknown>>): Rule {
    return {
      id: "unpinned-ref",
      title: "t",
      description: "d",
      defaultLevel: "warning",
      tags: [],
      precision: "high",
      fixable: false,
      options: {
        policy: { description: "p", schema: { type: "string", enum: ["sha", "tag"] }, default: "sha" },
        depth: { description: "d", schema: { type: "integer", minimum: 1 } },
      },
      check(ctx) {
        seen.push(ctx.options);
      },
    };
  }

  it("the engine fills the metadata defaults under the options given", async () => {
    const dir = repo();
    const seen: Array<Record<string, unknown>> = [];
    const base = { paths: ["."], cwd: dir, settings: { visibility: "unknown" as const }, pins: offlinePins(), rules: [recorder(seen)] };
    await lint(base);
    await lint({ ...base, ruleOptions: () => ({ policy: "tag", depth: 3 }) });
    expect(seen).toEqual([{ policy: "sha" }, { policy: "tag", depth: 3 }]);
  });

  it("the engine refuses a value its schema refuses, or an unknown option: the rule fails, nothing runs with it", async () => {
    const dir = repo();
    const seen: Array<Record<string, unknown>> = [];
    const r = await lint({
      paths: ["."],
      cwd: dir,
      settings: { visibility: "unknown" },
      pins: offlinePins(),
      rules: [recorder(seen)],
      ruleOptions: () => ({ policy: "pinned", depht: 2 }),
    });
    expect(seen).toEqual([]);
    expect(r.internalErrors).toEqual([
      'rule unpinned-ref failed: rules.unpinned-ref.policy: invalid value "pinned"; expected one of sha, tag; rules.unpinned-ref.depht: unknown option of unpinned-ref (known: policy, depth)',
    ]);
  });

  it("--min-runner-version is checked against the option's schema (a usage error) and wins over the file", async () => {
    const dir = repo({
      ".github/actions/assume/action.yml": "name: a\ndescription: d\nruns:\n  using: composite\n  steps:\n    - run: echo\n      shell: bash\n",
      ".credflow.yml": 'min-runner-version: "2.290.0"\n',
    });
    const bad = await cli([".", "--min-runner-version", "v2.290"], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('credflow: --min-runner-version: invalid value "v2.290"; expected a runner version such as "2.295.0"\n');
    const good = await cli([".", "--min-runner-version", "2.300.0"], { cwd: dir });
    expect(good.stderr).toBe("");
  });
});

it("the composite-role-conflict fixture gets its level from the file's shorthand and from the flag", async () => {
  const fixture = path.resolve(__dirname, "..", "fixtures", "composite-role-conflict", "min-runner-version-error");
  const dir = tempRepo({});
  fs.cpSync(fixture, dir, { recursive: true });
  const levels = async (args: string[]) =>
    (await json(args, dir)).findings.filter((f) => f.ruleId === "composite-role-conflict").map((f) => f.level);
  fs.writeFileSync(path.join(dir, ".credflow.yml"), 'min-runner-version: "2.290.0"\n');
  expect(await levels([])).toEqual(["error"]);
  expect(await levels(["--min-runner-version", "2.311.0"])).toEqual(["note"]);
  fs.writeFileSync(path.join(dir, ".credflow.yml"), 'rules:\n  composite-role-conflict: { min-runner-version: "2.311.0" }\nmin-runner-version: "2.290.0"\n');
  expect(await levels([])).toEqual(["note"]);
});
