import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { run } from "../../src/cli/main.js";
import { cli } from "../helpers/cli.js";

// JSON and SARIF reports are written in pieces as they are produced; on a pipe the CLI waits for
// each piece to be handed on before it writes the next, so a slow reader never makes the whole
// report pile up in memory. The pieces must add up to exactly the report of an ordinary run.
const REALWORLD = path.resolve(__dirname, "..", "realworld");
// Every repository of the precision corpus: a report of several hundred kilobytes.
const REPOS = fs.readdirSync(REALWORLD).filter((d) => fs.existsSync(path.join(REALWORLD, d, ".github")));

async function streamed(args: string[]): Promise<{ pieces: string[]; waitedBeforeNext: boolean; stdout: string }> {
  const pieces: string[] = [];
  let pendingWait = false;
  let waitedBeforeNext = true;
  await run(args, {
    stdout: (t) => {
      if (pendingWait) waitedBeforeNext = false;
      pieces.push(t);
      pendingWait = true;
    },
    stdoutDrained: async () => {
      await new Promise((resolve) => setImmediate(resolve));
      pendingWait = false;
    },
    stderr: () => undefined,
    readStdin: () => new Uint8Array(),
    env: {},
    cwd: REALWORLD,
    stdoutIsTTY: false,
  });
  return { pieces, waitedBeforeNext, stdout: pieces.join("") };
}

describe("reports written in pieces", () => {
  it.each(["json", "sarif"])("%s: several pieces, each handed on before the next, adding up to the ordinary report", async (format) => {
    const args = [...REPOS, "--format", format];
    const got = await streamed(args);
    const ordinary = await cli(args, { cwd: REALWORLD });
    expect(got.pieces.length).toBeGreaterThan(1);
    expect(got.waitedBeforeNext).toBe(true);
    expect(got.stdout).toBe(ordinary.stdout);
    expect(JSON.parse(got.stdout)).toBeTruthy();
  });
});
