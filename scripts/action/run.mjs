// @ts-check
// The credflow action's main step (see action.yml). Runs the committed bundle twice with the
// runner's node: once for SARIF (always exit 0, for the code-scanning upload), once with
// `--format github` for annotations, the step summary and the exit status at the fail level.
// It exits 0 itself, so the upload step still runs; the action's last step fails the job from the
// `exit-code` output. Inputs arrive as CREDFLOW_INPUT_* environment variables, never spliced into
// a script.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const env = process.env;
const LEVELS = ["error", "warning", "note", "none"];
const VISIBILITIES = ["public", "private", "internal"];
/** Flags the action sets itself: passing them through `args` would break one of the two runs. */
const RESERVED = ["-f", "--format", "-o", "--output", "--fail-level", "--exit-zero", "--fix", "--diff", "--unsafe-fixes"];

/**
 * Splits a string into words the way a shell would for quoting only: whitespace separates words,
 * '…' and "…" group, a backslash escapes the next character (outside single quotes). Nothing is
 * expanded or executed.
 * @param {string} text
 * @returns {string[]}
 */
export function splitWords(text) {
  /** @type {string[]} */
  const words = [];
  let word = "";
  let inWord = false;
  /** @type {"'" | '"' | null} */
  let quote = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote === "'") {
      if (c === "'") quote = null;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = null;
      else if (c === "\\" && i + 1 < text.length && '"\\$`'.includes(text[i + 1])) word += text[++i];
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === "\\" && i + 1 < text.length) {
      word += text[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote) throw new Error(`unterminated ${quote} quote`);
  if (inWord) words.push(word);
  return words;
}

/**
 * A word as it could be typed in a shell, for the log only.
 * @param {string} word
 */
function shellQuote(word) {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`;
}

/**
 * The repository's visibility from the event payload, or undefined when it does not say.
 * @param {string | undefined} eventPath
 * @returns {string | undefined}
 */
export function visibilityFromEvent(eventPath) {
  if (!eventPath) return undefined;
  let repo;
  try {
    repo = JSON.parse(fs.readFileSync(eventPath, "utf8"))?.repository;
  } catch {
    return undefined;
  }
  if (!repo || typeof repo !== "object") return undefined;
  if (typeof repo.visibility === "string" && VISIBILITIES.includes(repo.visibility.toLowerCase())) return repo.visibility.toLowerCase();
  if (typeof repo.private === "boolean") return repo.private ? "private" : "public";
  return undefined;
}

/**
 * Appends one output in the runner's file-command syntax (a heredoc, so any value is safe).
 * @param {string} name
 * @param {string} value
 */
function setOutput(name, value) {
  const file = env.GITHUB_OUTPUT;
  if (!file) {
    process.stdout.write(`${name}=${value}\n`);
    return;
  }
  let delimiter;
  do delimiter = `credflow_${randomBytes(8).toString("hex")}`;
  while (value.includes(delimiter));
  fs.appendFileSync(file, `${name}<<${delimiter}${os.EOL}${value}${os.EOL}${delimiter}${os.EOL}`);
}

/** @param {string} message */
function fail(message) {
  process.stdout.write(`::error title=credflow::${message.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A")}\n`);
  setOutput("sarif-file", "");
  setOutput("findings", "");
  setOutput("exit-code", "2");
}

/**
 * Results that code scanning shows: SARIF results without an accepted suppression.
 * @param {string} sarifFile
 * @returns {number | undefined}
 */
function countFindings(sarifFile) {
  try {
    const sarif = JSON.parse(fs.readFileSync(sarifFile, "utf8"));
    let n = 0;
    for (const run of sarif.runs ?? []) {
      for (const result of run.results ?? []) {
        const suppressed = (result.suppressions ?? []).some((/** @type {{ status?: string }} */ s) => s.status === undefined || s.status === "accepted");
        if (!suppressed) n++;
      }
    }
    return n;
  } catch {
    return undefined;
  }
}

function main() {
  const actionPath = env.GITHUB_ACTION_PATH || path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
  const bundle = path.join(actionPath, "dist", "credflow.mjs");
  const workspace = env.GITHUB_WORKSPACE || process.cwd();
  const temp = env.RUNNER_TEMP || os.tmpdir();

  const failLevel = (env.CREDFLOW_INPUT_MIN_LEVEL || env.CREDFLOW_INPUT_FAIL_LEVEL || "warning").trim().toLowerCase();
  if (!LEVELS.includes(failLevel)) return fail(`fail-level must be one of ${LEVELS.join(", ")}, not "${failLevel}"`);

  let visibility = (env.CREDFLOW_INPUT_VISIBILITY ?? "").trim().toLowerCase();
  if (visibility && !VISIBILITIES.includes(visibility)) return fail(`visibility must be one of ${VISIBILITIES.join(", ")}, not "${visibility}"`);
  if (!visibility) visibility = visibilityFromEvent(env.GITHUB_EVENT_PATH) ?? "";

  const online = (env.CREDFLOW_INPUT_ONLINE ?? "false").trim().toLowerCase();
  if (online !== "true" && online !== "false") return fail(`online must be true or false, not "${online}"`);

  let paths;
  let extra;
  try {
    paths = splitWords(env.CREDFLOW_INPUT_PATHS ?? ".");
    extra = splitWords(env.CREDFLOW_INPUT_ARGS ?? "");
  } catch (err) {
    return fail(`cannot read the paths or args input: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (paths.length === 0) paths = ["."];
  const reserved = extra.find((a) => RESERVED.includes(a.split("=")[0]));
  if (reserved) return fail(`args must not contain ${reserved.split("=")[0]}: the action sets it (use the fail-level input for the threshold)`);

  if (!fs.existsSync(bundle)) return fail(`the bundled CLI is missing at ${bundle}`);

  // `--` ends the options so a path can never be taken for a flag; options go before it.
  const common = [];
  if (visibility) common.push("--visibility", visibility);
  const config = (env.CREDFLOW_INPUT_CONFIG ?? "").trim();
  if (config) common.push("--config", config);
  if (online === "true") common.push("--online");
  common.push(...extra);

  /** @type {NodeJS.ProcessEnv} */
  const childEnv = { ...env, NO_COLOR: "1" };
  delete childEnv.FORCE_COLOR;
  if (online === "true" && env.CREDFLOW_TOKEN) childEnv.GITHUB_TOKEN = env.CREDFLOW_TOKEN;
  delete childEnv.CREDFLOW_TOKEN;

  /** @param {string[]} args */
  const credflow = (args) => {
    const argv = [...args, "--", ...paths];
    process.stdout.write(`credflow ${argv.map(shellQuote).join(" ")}\n`);
    return spawnSync(process.execPath, [bundle, ...argv], { cwd: workspace, env: childEnv, stdio: "inherit" });
  };

  const sarifFile = path.resolve(temp, "credflow.sarif");
  fs.rmSync(sarifFile, { force: true });
  const sarifRun = credflow(["--format", "sarif", "--output", sarifFile, "--exit-zero", ...common]);
  if (sarifRun.error) return fail(`cannot run ${process.execPath}: ${sarifRun.error.message}`);
  const haveSarif = fs.existsSync(sarifFile);
  const findings = haveSarif ? countFindings(sarifFile) : undefined;

  // Without a report credflow stopped early (a bad configuration or argument): exit code 2.
  let exitCode = haveSarif ? (sarifRun.status ?? 2) : Math.max(2, sarifRun.status ?? 2);
  if (haveSarif) {
    // Annotations go to the log (stdout), the Markdown table to $GITHUB_STEP_SUMMARY.
    const githubRun = credflow(["--format", "github", "--fail-level", failLevel, ...common]);
    exitCode = githubRun.error ? 2 : (githubRun.status ?? 2);
  }

  setOutput("sarif-file", haveSarif ? sarifFile : "");
  setOutput("findings", findings === undefined ? "" : String(findings));
  setOutput("exit-code", String(exitCode));
  const what = findings === undefined ? "credflow did not finish" : `credflow: ${findings} ${findings === 1 ? "finding" : "findings"}`;
  process.stdout.write(`${what}; exit code ${exitCode} at fail level ${failLevel}\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
