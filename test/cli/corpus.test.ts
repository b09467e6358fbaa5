/**
 * The CLI over every real repository of ../shared/corpus/realworld-aws/ and every YAML file of
 * ../shared/corpus/peers/: exit code 0 or 1, never a stack trace or an internal error.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { expect, it } from "vitest";
import { cli, cliProcess } from "../helpers/cli.js";
import { describeShared, NEEDS, sharedPath } from "../helpers/shared.js";

const REALWORLD = sharedPath(NEEDS.realworld);
const PEERS = sharedPath(NEEDS.peers);
const STACK = /\n\s+at .+:\d+:\d+\)?/;

function yamlFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.ya?ml$/i.test(e.name)) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}

describeShared(NEEDS.realworld, "real-world corpus", () => {
  const repos = fs.readdirSync(REALWORLD).filter((d) => fs.statSync(path.join(REALWORLD, d)).isDirectory());
  it("has repositories", () => expect(repos.length).toBeGreaterThan(10));
  for (const repo of repos) {
    it(`lints ${repo} (bundled CLI process)`, () => {
      const r = cliProcess([".", "--format", "json"], { cwd: path.join(REALWORLD, repo) });
      expect([0, 1], r.stderr).toContain(r.code);
      expect(r.stderr).not.toMatch(STACK);
      expect(r.stderr).not.toContain("internal error");
      expect(JSON.parse(r.stdout).version).toBe(1);
    });
  }
});

describeShared(NEEDS.peers, "peer tools' test data", () => {
  const files = yamlFiles(PEERS);
  it("has files", () => expect(files.length).toBeGreaterThan(100));
  // In batches: each file is linted alone (file arguments), the batch only saves process start-ups.
  const BATCH = 100;
  for (let i = 0; i < files.length; i += BATCH) {
    const batch = files.slice(i, i + BATCH);
    it(`lints files ${i + 1}–${i + batch.length} of ${files.length}`, async () => {
      const r = await cli(batch.map((f) => path.relative(PEERS, f)), { cwd: PEERS });
      expect([0, 1], r.stderr).toContain(r.code);
      expect(r.stderr).not.toMatch(STACK);
      expect(r.stderr).not.toContain("internal error");
    });
  }
});
