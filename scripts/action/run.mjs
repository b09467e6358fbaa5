// @ts-check
// The credflow action's main step (see action.yml). Runs the committed bundle twice with the
// runner's node: once for SARIF (always exit 0, for the code-scanning upload), once with
// `--format github` for annotations, the step summary and the exit status at the fail level.
// It exits 0 itself, so the upload step still runs; the action's last step fails the job from the
// `exit-code` output. Inputs arrive as CREDFLOW_INPUT_* environment variables, never spliced into
// a script.
//
// Each run gets its own code-scanning category (by default from the workflow file, the job, the
// matrix values and the paths, so two runs in one workflow never replace each other's alerts) and
// its own SARIF file under $RUNNER_TEMP. It decides whether the upload step runs: not on a pull
// request from a fork, nor on a Dependabot run (their token cannot write security events); the
// annotations and the job summary report either way, and the summary says why nothing was uploaded.
import { spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const env = process.env;
const LEVELS = ["error", "warning", "note", "none"];
const VISIBILITIES = ["public", "private", "internal"];
const UPLOAD_MODES = ["true", "false", "always"];
const TOKEN_PERMISSIONS = ["permissive", "restricted"];
/** Flags the action sets itself: passing them through `args` would break one of the two runs. */
const RESERVED = ["-f", "--format", "-o", "--output", "--fail-level", "--exit-zero", "--fix", "--diff", "--unsafe-fixes", "--sarif-category"];
/** Events whose runs get a read-only token when the pull request comes from a fork. */
const PULL_REQUEST_EVENTS = ["pull_request", "pull_request_review", "pull_request_review_comment"];
/** Matrix values longer than this go into the category as a hash. */
const MAX_MATRIX_VALUE = 64;

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
 * The event payload (`$GITHUB_EVENT_PATH`), or undefined when there is none or it is not JSON.
 * @param {string | undefined} eventPath
 * @returns {Record<string, any> | undefined}
 */
export function readEvent(eventPath) {
  if (!eventPath) return undefined;
  try {
    const event = JSON.parse(fs.readFileSync(eventPath, "utf8"));
    return event && typeof event === "object" && !Array.isArray(event) ? event : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The repository's visibility from the event payload, or undefined when it does not say.
 * @param {Record<string, any> | undefined} event
 * @returns {string | undefined}
 */
export function visibilityFromEvent(event) {
  const repo = event?.repository;
  if (!repo || typeof repo !== "object") return undefined;
  if (typeof repo.visibility === "string" && VISIBILITIES.includes(repo.visibility.toLowerCase())) return repo.visibility.toLowerCase();
  if (typeof repo.private === "boolean") return repo.private ? "private" : "public";
  return undefined;
}

/**
 * Whether this run's SARIF goes to code scanning. Runs whose token cannot write security events
 * are not uploaded (the upload would fail the job for nothing): pull requests from forks and
 * Dependabot runs. `always` uploads regardless (private repositories can send write tokens to
 * fork pull requests).
 * @param {{ mode: string, eventName?: string, event?: Record<string, any>, actor?: string }} run
 * @returns {{ upload: boolean, reason?: string }}
 */
export function uploadDecision({ mode, eventName, event, actor }) {
  if (mode === "false") return { upload: false, reason: "the `upload-sarif` input is `false`" };
  if (mode === "always") return { upload: true };
  if (actor === "dependabot[bot]") {
    return { upload: false, reason: "this is a Dependabot run, whose token is read-only by default (`upload-sarif: always` uploads when the workflow grants Dependabot `security-events: write`)" };
  }
  const pr = event?.pull_request;
  if (eventName && PULL_REQUEST_EVENTS.includes(eventName) && pr && typeof pr === "object") {
    const head = pr.head?.repo;
    const base = event?.repository?.full_name ?? pr.base?.repo?.full_name;
    if (head === null || head === undefined) {
      // The fork was deleted after the pull request was opened.
      return { upload: false, reason: "this pull request comes from a repository that no longer exists (a deleted fork): its token is read-only and cannot upload to code scanning" };
    }
    const fromFork =
      typeof head.full_name === "string" && typeof base === "string" ? head.full_name.toLowerCase() !== base.toLowerCase() : head.fork === true;
    if (fromFork) {
      const name = typeof head.full_name === "string" ? ` (${head.full_name})` : "";
      return { upload: false, reason: `this is a pull request from a fork${name}: its token is read-only and cannot upload to code scanning` };
    }
  }
  return { upload: true };
}

/**
 * `.github/workflows/ci.yml` from GITHUB_WORKFLOW_REF (`owner/repo/.github/workflows/ci.yml@refs/heads/main`).
 * @param {string | undefined} ref
 */
export function workflowPathFromRef(ref) {
  const m = /^[^/]+\/[^/]+\/(.+?)@[^@]*$/.exec(ref ?? "");
  return m ? m[1] : undefined;
}

/** @param {unknown} value */
function matrixValue(value) {
  const text = typeof value === "string" ? value : value === null || value === undefined ? "" : JSON.stringify(value);
  if (text.length <= MAX_MATRIX_VALUE && !/[\r\n]/.test(text)) return text;
  return `sha256:${createHash("sha256").update(text).digest("hex").slice(0, 12)}`;
}

/**
 * The default code-scanning category, in the style of CodeQL's: `<workflow file>:<job>`, then
 * `/<key>:<value>` for each matrix value (keys sorted; numbers and objects included, unlike CodeQL,
 * so `node: [20, 22]` does not collide), then `/paths:<paths>` when the action does not lint `.`.
 * @param {{ workflowRef?: string, workflow?: string, job?: string, matrix?: string, paths: string[] }} run
 */
export function deriveCategory({ workflowRef, workflow, job, matrix, paths }) {
  let category = `${workflowPathFromRef(workflowRef) ?? (workflow || "workflow")}:${job || "job"}`;
  let values;
  try {
    values = matrix ? JSON.parse(matrix) : undefined;
  } catch {
    values = undefined;
  }
  if (values && typeof values === "object" && !Array.isArray(values)) {
    for (const key of Object.keys(values).sort()) category += `/${key}:${matrixValue(values[key])}`;
  }
  if (!(paths.length === 1 && paths[0] === ".")) category += `/paths:${matrixValue(paths.join(","))}`;
  return category;
}

/** @param {string} text */
function fileSafe(text) {
  return text.replace(/[^A-Za-z0-9._-]+/g, "_").slice(0, 60) || "job";
}

/**
 * This run's place among the credflow runs of the job: a folder under $RUNNER_TEMP for the job's
 * attempt, the first free index in it (taken atomically), and the categories the earlier runs used.
 * @param {string} temp
 * @param {{ runId?: string, job?: string, attempt?: string }} ids
 */
function reserveRun(temp, { runId, job, attempt }) {
  const dir = path.join(temp, "credflow", fileSafe(`${runId || "run"}-${job || "job"}-${attempt || "1"}`));
  fs.mkdirSync(dir, { recursive: true });
  let index = 1;
  for (;; index++) {
    try {
      fs.closeSync(fs.openSync(path.join(dir, `run-${index}`), "wx"));
      break;
    } catch (err) {
      if (/** @type {NodeJS.ErrnoException} */ (err).code !== "EEXIST") throw err;
    }
  }
  const registry = path.join(dir, "categories.json");
  /** @type {string[]} */
  let used = [];
  try {
    const parsed = JSON.parse(fs.readFileSync(registry, "utf8"));
    if (Array.isArray(parsed)) used = parsed.filter((c) => typeof c === "string");
  } catch {
    used = [];
  }
  return {
    dir,
    index,
    used,
    /** @param {string} category */
    record(category) {
      fs.writeFileSync(registry, JSON.stringify([...used, category]));
    },
  };
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

/** @param {string} text */
function escapeData(text) {
  return text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

/** @param {string} message */
function fail(message) {
  process.stdout.write(`::error title=credflow::${escapeData(message)}\n`);
  setOutput("sarif-file", "");
  setOutput("findings", "");
  setOutput("exit-code", "2");
  setOutput("category", "");
  setOutput("upload", "false");
}

/** @param {string} text */
function appendSummary(text) {
  if (env.GITHUB_STEP_SUMMARY) fs.appendFileSync(env.GITHUB_STEP_SUMMARY, text);
}

/** Inline code in Markdown, whatever backticks the text holds. @param {string} text */
function code(text) {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((t) => t.length));
  const fence = "`".repeat(longest + 1);
  return `${fence}${/^`|`$/.test(text) ? ` ${text} ` : text}${fence}`;
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

  const event = readEvent(env.GITHUB_EVENT_PATH);
  let visibility = (env.CREDFLOW_INPUT_VISIBILITY ?? "").trim().toLowerCase();
  if (visibility && !VISIBILITIES.includes(visibility)) return fail(`visibility must be one of ${VISIBILITIES.join(", ")}, not "${visibility}"`);
  if (!visibility) visibility = visibilityFromEvent(event) ?? "";

  const online = (env.CREDFLOW_INPUT_ONLINE ?? "false").trim().toLowerCase();
  if (online !== "true" && online !== "false") return fail(`online must be true or false, not "${online}"`);

  const uploadMode = (env.CREDFLOW_INPUT_UPLOAD_SARIF ?? "true").trim().toLowerCase() || "true";
  if (!UPLOAD_MODES.includes(uploadMode)) return fail(`upload-sarif must be one of ${UPLOAD_MODES.join(", ")}, not "${uploadMode}"`);

  const tokenPermissions = (env.CREDFLOW_INPUT_DEFAULT_TOKEN_PERMISSIONS ?? "").trim().toLowerCase();
  if (tokenPermissions && !TOKEN_PERMISSIONS.includes(tokenPermissions)) {
    return fail(`default-token-permissions must be one of ${TOKEN_PERMISSIONS.join(", ")}, not "${tokenPermissions}"`);
  }
  const repository = (env.CREDFLOW_INPUT_REPOSITORY ?? "").trim() || (env.GITHUB_REPOSITORY ?? "").trim();
  if (repository && !/^[A-Za-z0-9][A-Za-z0-9-]*\/[A-Za-z0-9._-]+$/.test(repository)) return fail(`repository must be owner/name, not "${repository}"`);
  const minRunner = (env.CREDFLOW_INPUT_MIN_RUNNER_VERSION ?? "").trim().replace(/^v/, "");
  if (minRunner && !/^\d+\.\d+\.\d+$/.test(minRunner)) return fail(`min-runner-version must be a runner version like 2.320.0, not "${minRunner}"`);

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
  if (reserved) {
    const hint = reserved.startsWith("--sarif-category") ? "use the category input" : "use the fail-level input for the threshold";
    return fail(`args must not contain ${reserved.split("=")[0]}: the action sets it (${hint})`);
  }

  const explicitCategory = (env.CREDFLOW_INPUT_CATEGORY ?? "").trim();
  if (/[\u0000-\u001f]/.test(explicitCategory) || (explicitCategory && explicitCategory.replace(/\/+$/, "") === "")) {
    return fail("category must be a non-empty line of text");
  }

  if (!fs.existsSync(bundle)) return fail(`the bundled CLI is missing at ${bundle}`);

  // Every credflow run of this job gets its own SARIF file and category.
  const job = env.GITHUB_JOB || "";
  const attempt = env.GITHUB_RUN_ATTEMPT || "1";
  const slot = reserveRun(temp, { runId: env.GITHUB_RUN_ID, job, attempt });
  let category = explicitCategory.replace(/\/+$/, "");
  if (!category) {
    const derived = deriveCategory({ workflowRef: env.GITHUB_WORKFLOW_REF, workflow: env.GITHUB_WORKFLOW, job, matrix: env.CREDFLOW_MATRIX, paths });
    category = derived;
    // Same workflow, job, matrix and paths twice in one job (other args or config): number them.
    for (let n = 2; slot.used.includes(category); n++) category = `${derived}/run:${n}`;
  } else if (slot.used.includes(category)) {
    process.stdout.write(
      `::warning title=credflow::${escapeData(`category "${category}" was already used by an earlier credflow step in this job: this upload replaces its code-scanning alerts. Give each step its own category.`)}\n`,
    );
  }
  slot.record(category);
  const sarifFile = path.join(slot.dir, `credflow-${fileSafe(job)}-${fileSafe(attempt)}-${slot.index}.sarif`);

  // `--` ends the options so a path can never be taken for a flag; options go before it.
  const common = [];
  if (visibility) common.push("--visibility", visibility);
  const config = (env.CREDFLOW_INPUT_CONFIG ?? "").trim();
  if (config) common.push("--config", config);
  if (online === "true") common.push("--online");
  if (tokenPermissions) common.push("--default-token-permissions", tokenPermissions);
  if (repository) common.push("--repository", repository);
  if (minRunner) common.push("--min-runner-version", minRunner);
  common.push(...extra);

  /** @type {NodeJS.ProcessEnv} */
  const childEnv = { ...env, NO_COLOR: "1" };
  delete childEnv.FORCE_COLOR;
  if (online === "true" && env.CREDFLOW_TOKEN) childEnv.GITHUB_TOKEN = env.CREDFLOW_TOKEN;
  delete childEnv.CREDFLOW_TOKEN;
  // The CLI's summary goes to a file of this run first, to be titled with the category.
  const partialSummary = path.join(slot.dir, `summary-${slot.index}.md`);
  fs.rmSync(partialSummary, { force: true });
  if (env.GITHUB_STEP_SUMMARY) childEnv.GITHUB_STEP_SUMMARY = partialSummary;

  /** @param {string[]} args */
  const credflow = (args) => {
    const argv = [...args, "--", ...paths];
    process.stdout.write(`credflow ${argv.map(shellQuote).join(" ")}\n`);
    return spawnSync(process.execPath, [bundle, ...argv], { cwd: workspace, env: childEnv, stdio: "inherit" });
  };

  fs.rmSync(sarifFile, { force: true });
  const sarifRun = credflow(["--format", "sarif", "--output", sarifFile, "--exit-zero", "--sarif-category", category, ...common]);
  if (sarifRun.error) return fail(`cannot run ${process.execPath}: ${sarifRun.error.message}`);
  const haveSarif = fs.existsSync(sarifFile);
  const findings = haveSarif ? countFindings(sarifFile) : undefined;

  // Without a report credflow stopped early (a bad configuration or argument): exit code 2.
  let exitCode = haveSarif ? (sarifRun.status ?? 2) : Math.max(2, sarifRun.status ?? 2);
  if (haveSarif) {
    // Annotations go to the log (stdout), the Markdown table to the summary.
    const githubRun = credflow(["--format", "github", "--fail-level", failLevel, ...common]);
    exitCode = githubRun.error ? 2 : (githubRun.status ?? 2);
  }

  const decision = haveSarif ? uploadDecision({ mode: uploadMode, eventName: env.GITHUB_EVENT_NAME, event, actor: env.GITHUB_ACTOR }) : { upload: false };

  // The job summary: one section per run, titled with its category, saying what went to code scanning.
  let section = "";
  try {
    section = fs.readFileSync(partialSummary, "utf8");
  } catch {
    section = "";
  }
  const title = `## credflow: ${code(category)}`;
  if (/^## credflow[ \t]*(\r?\n|$)/.test(section)) section = section.replace(/^## credflow[ \t]*/, title);
  else section = `${title}\n\n${section}`;
  if (!haveSarif) section += `credflow did not finish (exit code ${exitCode}); see the log of the Run credflow step.\n`;
  const lines = [];
  if (!(paths.length === 1 && paths[0] === ".")) lines.push(`Paths: ${paths.map(code).join(" ")}`);
  if (decision.upload) lines.push(`Code scanning: the SARIF report is uploaded under the category ${code(category)}.`);
  else if (decision.reason) lines.push(`Code scanning: not uploaded, because ${decision.reason}. The annotations and this summary are the whole report.`);
  appendSummary(`${section.replace(/\n*$/, "\n\n")}${lines.map((l) => `${l}\n\n`).join("")}`);

  setOutput("sarif-file", haveSarif ? sarifFile : "");
  setOutput("findings", findings === undefined ? "" : String(findings));
  setOutput("exit-code", String(exitCode));
  setOutput("category", category);
  setOutput("upload", decision.upload ? "true" : "false");
  const what = findings === undefined ? "credflow did not finish" : `credflow: ${findings} ${findings === 1 ? "finding" : "findings"}`;
  process.stdout.write(`${what}; exit code ${exitCode} at fail level ${failLevel}\n`);
  if (decision.upload) process.stdout.write(`credflow: SARIF report ${sarifFile}, uploaded next under the category "${category}"\n`);
  else if (decision.reason) process.stdout.write(`credflow: not uploading the SARIF report: ${decision.reason}\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
