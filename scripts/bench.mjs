// Benchmark: the whole credflow CLI process over actionlint's 1,503 real workflows, next to a bare
// `yaml.parseDocument` of the same files in the same run. Prints figures; asserts nothing.
//
//   npm run bench [-- --runs 5]
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { parseDocument } from "yaml";
import { readZip } from "./lib/unzip.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "..");
const dataset = path.resolve(root, "..", "shared", "corpus", "peers", "actionlint", "testdata", "realworld", "dataset.zip");
const runsArg = process.argv.indexOf("--runs");
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 5;
const cli = path.join(root, "dist", "credflow.mjs");

if (!fs.existsSync(dataset)) {
  console.error(`bench: dataset not found at ${dataset}`);
  process.exit(2);
}
const entries = readZip(dataset);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "credflow-bench-"));
const wfDir = path.join(tmp, ".github", "workflows");
fs.mkdirSync(wfDir, { recursive: true });
for (const e of entries) fs.writeFileSync(path.join(wfDir, e.name), e.data);
const files = fs.readdirSync(wfDir).filter((n) => /\.ya?ml$/.test(n));
const texts = files.map((n) => fs.readFileSync(path.join(wfDir, n), "utf8"));

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

// Bare parse, in process, warmed up once.
const bare = [];
for (let r = 0; r <= RUNS; r++) {
  const t0 = process.hrtime.bigint();
  for (const t of texts) parseDocument(t, { keepSourceTokens: true });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r > 0) bare.push(ms);
}

function runCli(args) {
  const t0 = process.hrtime.bigint();
  const res = spawnSync(process.execPath, [cli, ...args], {
    cwd: tmp,
    encoding: "utf8",
    maxBuffer: 512 * 1024 * 1024,
    env: { ...process.env, CREDFLOW_REPORT_RSS: "1", NO_COLOR: "1" },
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const rss = /credflow-max-rss-kb=(\d+)/.exec(res.stderr ?? "");
  if (res.status !== 0 && res.status !== 1) {
    console.error(`bench: credflow exited ${res.status}: ${(res.stderr ?? "").split("\n")[0]}`);
    process.exit(2);
  }
  return { ms, rssKb: rss ? Number(rss[1]) : NaN, stdout: res.stdout };
}

const whole = [];
let peakKb = 0;
let findings = 0;
for (let r = 0; r <= RUNS; r++) {
  const res = runCli([".", "--format", "json", "--fail-level", "none"]);
  if (r === 0) findings = JSON.parse(res.stdout).findings.length;
  else whole.push(res.ms);
  peakKb = Math.max(peakKb, res.rssKb || 0);
}

const one = [];
const single = path.join(".github", "workflows", files[0]);
for (let r = 0; r <= RUNS; r++) {
  const res = runCli([single, "--format", "text", "--fail-level", "none"]);
  if (r > 0) one.push(res.ms);
}

const n = files.length;
const bareMs = median(bare);
const wholeMs = median(whole);
console.log(`files:                         ${n}`);
console.log(`findings:                      ${findings}`);
console.log(`bare yaml.parseDocument:       ${bareMs.toFixed(0)} ms  (${(bareMs / n).toFixed(3)} ms/file, in process)`);
console.log(`credflow, whole CLI process:   ${wholeMs.toFixed(0)} ms  (${(wholeMs / n).toFixed(3)} ms/file, median of ${RUNS})`);
console.log(`ratio (credflow / bare parse): ${(wholeMs / bareMs).toFixed(2)}x  (goal: at most 2.0x)`);
console.log(`peak memory (max RSS):         ${(peakKb / 1024).toFixed(0)} MB  (goal: under 256 MB)`);
console.log(`one-file CLI run (wall):       ${median(one).toFixed(0)} ms  (goal: about 330 ms)`);
fs.rmSync(tmp, { recursive: true, force: true });
