/**
 * The bundled CLI (dist/credflow-core.cjs), which the launcher (dist/credflow.mjs, src/cli/launcher.ts)
 * runs: it wires the process to `run`.
 */
import * as fs from "node:fs";
import { run } from "./main.js";

export async function main(): Promise<void> {
  // `yaml` reads process.env.LOG_TOKENS for every token it parses, and each read of the real
  // process.env goes to the C++ environment: a plain copy makes parsing 15–20% faster.
  process.env = { ...process.env };

  const code = await run(process.argv.slice(2), {
    stdout: (t) => process.stdout.write(t),
    stdoutDrained: () => (process.stdout.writableNeedDrain ? new Promise((resolve) => process.stdout.once("drain", resolve)) : Promise.resolve()),
    stderr: (t) => process.stderr.write(t),
    readStdin: () => fs.readFileSync(0),
    env: process.env,
    cwd: process.cwd(),
    stdoutIsTTY: !!process.stdout.isTTY,
    columns: process.stdout.columns,
  });
  // The benchmark and the hostile tests read peak memory and CPU time from here; nothing else sets this variable.
  if (process.env.CREDFLOW_REPORT_RSS) {
    const usage = process.resourceUsage();
    process.stderr.write(`credflow-max-rss-kb=${usage.maxRSS}\ncredflow-cpu-ms=${Math.round((usage.userCPUTime + usage.systemCPUTime) / 1000)}\n`);
  }
  process.exitCode = code;
}
