// The long fuzz campaign: the property tests of test/fuzz with many more cases than CI runs.
// CREDFLOW_FUZZ_RUNS (default 3000) sets the number of cases; CREDFLOW_FUZZ_SEED replays a failure.
import { spawnSync } from "node:child_process";

const env = { ...process.env, CREDFLOW_FUZZ_RUNS: process.env.CREDFLOW_FUZZ_RUNS || "3000" };
const res = spawnSync("npx", ["vitest", "run", "test/fuzz", ...process.argv.slice(2)], { stdio: "inherit", env, shell: process.platform === "win32" });
process.exit(res.status ?? 1);
