/**
 * docs/getting-started.md quotes credflow's real output on examples/: every output block must be
 * what `npm run docs` (scripts/docs.mjs, src/cli/walkthrough.ts) would write now.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { fillOutputs, GETTING_STARTED } from "../../src/cli/walkthrough.js";

const ROOT = path.resolve(__dirname, "..", "..");
const FILE = path.join(ROOT, GETTING_STARTED);

describe("docs/getting-started.md", () => {
  const current = fs.readFileSync(FILE, "utf8");

  it("quotes what credflow prints today (else: run `npm run docs`)", async () => {
    const fresh = await fillOutputs(current, ROOT);
    if (fresh !== current) {
      const a = fresh.split("\n");
      const b = current.split("\n");
      let line = 0;
      while (line < a.length && a[line] === b[line]) line++;
      expect.fail(
        `${GETTING_STARTED} is stale (first difference at line ${line + 1}: now ${JSON.stringify(a[line]?.slice(0, 120))}, ` +
          `page ${JSON.stringify(b[line]?.slice(0, 120))}). Run \`npm run docs\` and commit it.`,
      );
    }
  });

  it("has output blocks for a lint, explain, the concise format, --diff and --fix, each filled", () => {
    const blocks = [...current.matchAll(/<!-- output: (.*?) -->\n```console\n\$ npx credflow (.*)\n([\s\S]*?)```\n<!-- \/output -->/g)];
    expect(blocks.map((m) => m[2])).toEqual([
      "examples/.github/workflows/release.yml",
      "explain aws-boolean-trap",
      "examples --format concise",
      "examples/.github/workflows/release.yml --diff",
      "examples --fix",
    ]);
    for (const m of blocks) expect(m[3]!.trim().length, m[1]).toBeGreaterThan(0);
    expect(current).toMatch(/^Fixed \d+ findings \(\d+ remaining\)\.$/m);
  });

  it("`npm run docs -- --check` agrees and writes nothing", () => {
    const r = spawnSync(process.execPath, [path.join(ROOT, "scripts", "docs.mjs"), "--check"], { cwd: ROOT, encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(fs.readFileSync(FILE, "utf8")).toBe(current);
  }, 60_000);
});
