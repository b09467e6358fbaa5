/**
 * The default text output of real repositories at 80 columns: snapshots of examples/ and of fixture
 * cases (`npx vitest run test/report/text-snapshots.test.ts -u` rewrites them after a deliberate
 * change), and over every test/realworld repository: no row wider than 80 terminal cells, one header
 * per distinct headline, and exactly the findings the JSON format lists.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { cli } from "../helpers/cli.js";
import { textWidth } from "../../src/report/excerpt.js";

const ROOT = path.resolve(__dirname, "..", "..");
const SNAPSHOTS = path.join(__dirname, "__snapshots__", "text");

const CASES = [
  "composite-role-conflict/self-hosted-warning",
  "composite-role-conflict/nested-started-inside",
  "credential-env-shadowing/call-step-env",
  "aws-unknown-input/typo-fix",
  "aws-boolean-trap/v5-strict-yes",
  "oidc-fanout-no-retry/matrix-disable-retry",
  "static-aws-keys/literal-keys",
];

function checkWidth(out: string, width = 80): void {
  for (const line of out.split("\n")) expect(textWidth(line), line).toBeLessThanOrEqual(width);
}

describe("text output snapshots (80 columns, no colour)", () => {
  it("examples/", async () => {
    const r = await cli(["examples"], { cwd: ROOT });
    expect(r.code).toBe(1);
    checkWidth(r.stdout);
    await expect(r.stdout).toMatchFileSnapshot(path.join(SNAPSHOTS, "examples.txt"));
  });

  for (const c of CASES) {
    it(c, async () => {
      const dir = path.join(ROOT, "test", "fixtures", c);
      expect(fs.existsSync(dir), dir).toBe(true);
      const r = await cli(["."], { cwd: dir });
      checkWidth(r.stdout);
      await expect(r.stdout).toMatchFileSnapshot(path.join(SNAPSHOTS, `${c.replace("/", "--")}.txt`));
    });
  }
});

describe("text output of the real-world repositories", () => {
  const repos = fs
    .readdirSync(path.join(ROOT, "test", "realworld"), { withFileTypes: true })
    .filter((d) => d.isDirectory() && d.name.includes("__"))
    .map((d) => d.name);

  it("has repositories to read", () => {
    expect(repos.length).toBeGreaterThan(10);
  });

  it("fits 80 columns, prints each distinct headline once and every finding's location", async () => {
    for (const repo of repos) {
      const cwd = path.join(ROOT, "test", "realworld", repo);
      const text = await cli(["."], { cwd });
      checkWidth(text.stdout);
      const json = JSON.parse((await cli([".", "--format", "json"], { cwd })).stdout) as { findings: Array<{ path: string; line: number; column: number; rule: string }> };
      const arrows = [...text.stdout.matchAll(/^ +--> (.+):(\d+):(\d+)$/gm)].map((m) => `${m[1]}:${m[2]}:${m[3]}`);
      // One `-->` per finding (the repeated ones included), and nothing else.
      expect(arrows.sort(), repo).toEqual(json.findings.map((f) => `${f.path}:${f.line}:${f.column}`).sort());
      const headers = [...text.stdout.matchAll(/^(error|warning|note)\[([a-z0-9-]+)\]: /gm)];
      expect(headers.length, repo).toBeLessThanOrEqual(json.findings.length);
    }
  });
});
