/** Entry point of the bundled CLI (dist/credflow.mjs). */
import * as fs from "node:fs";
import { run } from "./main.js";

const args = process.argv.slice(2);
// commander treats `--color`/`--no-color` as one option; an explicit flag is undefined when absent.
const code = await run(args, {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  readStdin: () => fs.readFileSync(0),
  env: process.env,
  cwd: process.cwd(),
  stdoutIsTTY: !!process.stdout.isTTY,
});
process.exitCode = code;
