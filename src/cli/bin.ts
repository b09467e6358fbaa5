/** Entry point of the bundled CLI (dist/credflow.mjs); the same file runs the preparation worker. */
import * as fs from "node:fs";
import { isMainThread, workerData } from "node:worker_threads";
import { run } from "./main.js";
import { startWorker } from "../engine/worker.js";
import { WORKER_MARK } from "../engine/pool.js";

if (!isMainThread && (workerData as { mark?: string } | null)?.mark === WORKER_MARK) {
  startWorker();
} else {
  const code = await run(process.argv.slice(2), {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    readStdin: () => fs.readFileSync(0),
    env: process.env,
    cwd: process.cwd(),
    stdoutIsTTY: !!process.stdout.isTTY,
  });
  // The benchmark reads peak memory from here; nothing else sets this variable.
  if (process.env.CREDFLOW_REPORT_RSS) process.stderr.write(`credflow-max-rss-kb=${process.resourceUsage().maxRSS}\n`);
  process.exitCode = code;
}
