/** Entry point of the bundled CLI (dist/credflow.mjs). */
import * as fs from "node:fs";
import { run } from "./main.js";

const code = await run(process.argv.slice(2), {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  readStdin: () => fs.readFileSync(0),
  env: process.env,
  cwd: process.cwd(),
  stdoutIsTTY: !!process.stdout.isTTY,
  columns: process.stdout.columns,
});
// The benchmark reads peak memory from here; nothing else sets this variable.
if (process.env.CREDFLOW_REPORT_RSS) process.stderr.write(`credflow-max-rss-kb=${process.resourceUsage().maxRSS}\n`);
process.exitCode = code;
