/**
 * The composite action (action.yml) run the way a runner runs it: every `run:` step in order with
 * `bash --noprofile --norc -eo pipefail`, its `env:` and `if:` evaluated with GitHub's own
 * expression library against `inputs`, `github`, `matrix` and `steps`, the runner's `GITHUB_*`
 * variables, a fresh `$GITHUB_OUTPUT` per step, and the `uses:` upload step recorded (with its
 * evaluated `with:`) instead of run. Several runs can share one job (its `$RUNNER_TEMP` and job
 * summary), as two uses of the action in one job do.
 *
 * Covered: the upload decision for push, pull requests from the same repository, from a fork,
 * inside a fork and from a deleted fork, Dependabot runs and `upload-sarif` false/always; the
 * category (derived from workflow, job, matrix and paths, or given) in the upload step and in the
 * SARIF's automationDetails.id; one SARIF file per run (job, attempt, index) under $RUNNER_TEMP;
 * the outputs; one titled job-summary section per run saying what went to code scanning.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { Evaluator, Lexer, Parser, data } from "@actions/expressions";
import { deriveCategory, uploadDecision, workflowPathFromRef } from "../../scripts/action/run.mjs";
import type { FunctionDefinition } from "@actions/expressions/funcs/info";
import { falsy } from "@actions/expressions/result";

const ROOT = path.resolve(__dirname, "..", "..");
/** The committed bundle the action runs (`npm run build` writes it). */
const BUNDLE = path.join(ROOT, "dist", "credflow.mjs");
const FIXTURES = path.join(ROOT, "test", "fixtures-integration");

interface ActionInput {
  description?: string;
  default?: string;
}
interface ActionStep {
  name?: string;
  id?: string;
  if?: string;
  shell?: string;
  env?: Record<string, string>;
  run?: string;
  uses?: string;
  with?: Record<string, string>;
}
interface ActionFile {
  inputs: Record<string, ActionInput>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: ActionStep[] };
}

/**
 * The runner's node: the one running the tests, or CREDFLOW_RUNNER_NODE (a node binary) to check
 * the action on another Node.js major, e.g. 24.
 */
const RUNNER_NODE = process.env.CREDFLOW_RUNNER_NODE || process.execPath;

const ACTION = parseYaml(fs.readFileSync(path.join(ROOT, "action.yml"), "utf8")) as ActionFile;

type Status = "success" | "failure" | "skipped";

interface StepRecord {
  step: ActionStep;
  status: Status;
  exitCode?: number;
  stdout: string;
  stderr: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
}

interface ActionRun {
  steps: StepRecord[];
  outputs: Record<string, string>;
  /** What the job would show: failure when any step failed. */
  conclusion: "success" | "failure";
  stdout: string;
  /** What this run added to the job summary. */
  summary: string;
  /** The whole job summary after this run. */
  jobSummary: string;
  /** The `sarif-file` output. */
  sarifFile: string;
  runnerTemp: string;
}

/** Evaluates one expression (the text inside `${{ }}`) as the runner would. */
function evaluate(text: string, contexts: Record<string, unknown>, jobStatus: "success" | "failure"): data.ExpressionData {
  const statusFns: Record<string, () => boolean> = {
    success: () => jobStatus === "success",
    failure: () => jobStatus === "failure",
    always: () => true,
    cancelled: () => false,
  };
  const infos = Object.keys(statusFns).map((name) => ({ name, minArgs: 0, maxArgs: 0 }));
  const defs = new Map<string, FunctionDefinition>(
    Object.entries(statusFns).map(([name, fn]) => [name, { name, minArgs: 0, maxArgs: 0, call: () => new data.BooleanData(fn()) }]),
  );
  const { tokens } = new Lexer(text).lex();
  const expr = new Parser(tokens, Object.keys(contexts), infos).parse();
  const ctx = JSON.parse(JSON.stringify(contexts), data.reviver) as data.Dictionary;
  return new Evaluator(expr, ctx, defs).evaluate();
}

/** Replaces every `${{ … }}` in a value (env, with, outputs) with its string value. */
function substitute(value: string, contexts: Record<string, unknown>, jobStatus: "success" | "failure"): string {
  return String(value).replace(/\$\{\{([\s\S]*?)\}\}/g, (_m, expr: string) => evaluate(expr, contexts, jobStatus).coerceString());
}

/** A step's `if:`: without a status function the runner prepends `success() &&`. */
function condition(text: string | undefined, contexts: Record<string, unknown>, jobStatus: "success" | "failure"): boolean {
  let expr = (text ?? "success()").trim();
  const wrapped = /^\$\{\{([\s\S]*)\}\}$/.exec(expr);
  if (wrapped) expr = wrapped[1]!;
  if (!/\b(success|failure|always|cancelled)\s*\(/.test(expr)) expr = `success() && (${expr})`;
  return !falsy(evaluate(expr, contexts, jobStatus));
}

/** Reads a `$GITHUB_OUTPUT` file: `name=value` lines and `name<<DELIMITER` heredocs. */
function readOutputFile(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = fs.readFileSync(file, "utf8").split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const body: string[] = [];
      for (i++; i < lines.length && lines[i] !== heredoc[2]; i++) body.push(lines[i]!);
      if (i >= lines.length) throw new Error(`unterminated heredoc for ${heredoc[1]}`);
      out[heredoc[1]!] = body.join("\n");
    } else if (line.includes("=")) {
      out[line.slice(0, line.indexOf("="))] = line.slice(line.indexOf("=") + 1);
    }
  }
  return out;
}

const scratch: string[] = [];
function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  scratch.push(dir);
  return dir;
}

/** Copies a fixture into a fresh workspace (a git repository, as after actions/checkout). */
function workspaceFrom(fixture: string): string {
  const dir = tempDir("credflow-ws-");
  fs.cpSync(path.join(FIXTURES, fixture), dir, { recursive: true });
  fs.mkdirSync(path.join(dir, ".git"));
  return dir;
}

/** The runner's variables for a job of `acme/widget`'s credflow workflow, on a push to main. */
const RUNNER_ENV: Record<string, string> = {
  GITHUB_REPOSITORY: "acme/widget",
  GITHUB_WORKFLOW: "credflow",
  GITHUB_WORKFLOW_REF: "acme/widget/.github/workflows/credflow.yml@refs/heads/main",
  GITHUB_JOB: "credflow",
  GITHUB_RUN_ID: "4242",
  GITHUB_RUN_ATTEMPT: "1",
  GITHUB_EVENT_NAME: "push",
  GITHUB_ACTOR: "octocat",
};

/** One job on the runner: its `$RUNNER_TEMP`, job summary, variables and matrix. */
interface Job {
  runner: string;
  runnerTemp: string;
  summaryFile: string;
  eventPath: string;
  env: Record<string, string>;
  matrix: Record<string, unknown> | null;
}

function newJob(opts: { env?: Record<string, string>; matrix?: Record<string, unknown> | null; event?: unknown } = {}): Job {
  const runner = tempDir("credflow-runner-");
  const runnerTemp = path.join(runner, "temp");
  fs.mkdirSync(runnerTemp);
  const summaryFile = path.join(runner, "step_summary.md");
  fs.writeFileSync(summaryFile, "");
  const eventPath = path.join(runner, "event.json");
  fs.writeFileSync(eventPath, JSON.stringify(opts.event ?? {}));
  return { runner, runnerTemp, summaryFile, eventPath, env: { ...RUNNER_ENV, ...opts.env }, matrix: opts.matrix ?? null };
}

let stepCount = 0;
function runAction(opts: {
  workspace: string;
  with?: Record<string, string>;
  event?: unknown;
  token?: string;
  job?: Job;
  env?: Record<string, string>;
  matrix?: Record<string, unknown> | null;
}): ActionRun {
  const job = opts.job ?? newJob({ env: opts.env, matrix: opts.matrix, event: opts.event });
  if (opts.job && opts.event !== undefined) fs.writeFileSync(job.eventPath, JSON.stringify(opts.event));
  const { runner, runnerTemp, eventPath } = job;
  const summary = job.summaryFile;
  const summaryBefore = fs.readFileSync(summary, "utf8").length;

  const inputs: Record<string, string> = {};
  for (const [name, def] of Object.entries(ACTION.inputs)) inputs[name] = String(def.default ?? "");
  for (const [name, value] of Object.entries(opts.with ?? {})) {
    expect(ACTION.inputs, `input ${name} is declared`).toHaveProperty([name]);
    inputs[name] = value;
  }
  const github = {
    token: opts.token ?? "ghs_simulated",
    workspace: opts.workspace,
    action_path: ROOT,
    event_path: eventPath,
    job: job.env.GITHUB_JOB,
    actor: job.env.GITHUB_ACTOR,
    event_name: job.env.GITHUB_EVENT_NAME,
    repository: job.env.GITHUB_REPOSITORY,
  };
  const steps: Record<string, { outputs: Record<string, string>; outcome: Status; conclusion: Status }> = {};
  const contexts = (): Record<string, unknown> => ({ inputs, github, matrix: job.matrix, steps, runner: { temp: runnerTemp, os: "Linux" } });

  const records: StepRecord[] = [];
  let jobStatus: "success" | "failure" = "success";
  let stdout = "";
  ACTION.runs.steps.forEach((step) => {
    const ctx = contexts();
    if (!condition(step.if, ctx, jobStatus)) {
      records.push({ step, status: "skipped", stdout: "", stderr: "" });
      if (step.id) steps[step.id] = { outputs: {}, outcome: "skipped", conclusion: "skipped" };
      return;
    }
    if (step.uses) {
      // The upload itself needs GitHub; record what it would be given.
      const withValues = Object.fromEntries(Object.entries(step.with ?? {}).map(([k, v]) => [k, substitute(v, ctx, jobStatus)]));
      records.push({ step, status: "success", stdout: "", stderr: "", with: withValues });
      if (step.id) steps[step.id] = { outputs: {}, outcome: "success", conclusion: "success" };
      return;
    }
    const outputFile = path.join(runner, `output_${++stepCount}`);
    fs.writeFileSync(outputFile, "");
    const stepEnv = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, substitute(v, ctx, jobStatus)]));
    expect(step.shell).toBe("bash");
    const res = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", step.run!], {
      cwd: opts.workspace,
      encoding: "utf8",
      env: {
        PATH: `${path.dirname(RUNNER_NODE)}${path.delimiter}${process.env.PATH ?? ""}`,
        HOME: os.homedir(),
        CI: "true",
        GITHUB_ACTIONS: "true",
        ...job.env,
        GITHUB_ACTION_PATH: ROOT,
        GITHUB_WORKSPACE: opts.workspace,
        GITHUB_EVENT_PATH: eventPath,
        GITHUB_OUTPUT: outputFile,
        GITHUB_STEP_SUMMARY: summary,
        RUNNER_TEMP: runnerTemp,
        ...stepEnv,
      },
      timeout: 60_000,
    });
    const status: Status = res.status === 0 ? "success" : "failure";
    if (status === "failure") jobStatus = "failure";
    stdout += res.stdout;
    records.push({ step, status, exitCode: res.status ?? -1, stdout: res.stdout, stderr: res.stderr, env: stepEnv });
    if (step.id) steps[step.id] = { outputs: readOutputFile(outputFile), outcome: status, conclusion: status };
  });

  const outputs = Object.fromEntries(Object.entries(ACTION.outputs).map(([k, v]) => [k, substitute(v.value, contexts(), jobStatus)]));
  const fullSummary = fs.readFileSync(summary, "utf8");
  return {
    steps: records,
    outputs,
    conclusion: jobStatus,
    stdout,
    summary: fullSummary.slice(summaryBefore),
    jobSummary: fullSummary,
    sarifFile: outputs["sarif-file"] ?? "",
    runnerTemp,
  };
}

interface SarifLog {
  runs: Array<{ automationDetails: { id: string }; results: Array<{ ruleId: string; level: string; locations: Array<{ physicalLocation: { artifactLocation: { uri: string } } }> }> }>;
}

function readSarif(file: string): SarifLog {
  return JSON.parse(fs.readFileSync(file, "utf8")) as SarifLog;
}

const uploadStep = (run: ActionRun) => run.steps.find((s) => s.step.uses?.startsWith("github/codeql-action/upload-sarif@"))!;
const mainStep = (run: ActionRun) => run.steps.find((s) => s.step.id === "credflow")!;
const lastStep = (run: ActionRun) => run.steps[run.steps.length - 1]!;

beforeAll(() => {
  if (!fs.existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run \`npm run build\` first`);
});

afterAll(() => {
  for (const dir of scratch) fs.rmSync(dir, { recursive: true, force: true });
});

describe("action.yml", () => {
  it("is a composite action whose scripts get inputs only through env", () => {
    expect(ACTION.runs.using).toBe("composite");
    for (const step of ACTION.runs.steps) {
      if (step.run !== undefined) {
        expect(step.shell).toBe("bash");
        expect(step.run, `step "${step.name}" splices an expression into its script`).not.toMatch(/\$\{\{/);
      }
    }
    // The main step runs the committed bundle with the runner's node.
    expect(fs.readFileSync(path.join(ROOT, "scripts", "action", "run.mjs"), "utf8")).toContain('path.join(actionPath, "dist", "credflow.mjs")');
  });

  it("pins upload-sarif by a full commit SHA and uploads under the run's category", () => {
    const upload = ACTION.runs.steps.find((s) => s.uses?.startsWith("github/codeql-action/upload-sarif@"));
    expect(upload?.uses).toMatch(/^github\/codeql-action\/upload-sarif@[0-9a-f]{40}$/);
    expect(upload?.with).toEqual({ sarif_file: "${{ steps.credflow.outputs.sarif-file }}", category: "${{ steps.credflow.outputs.category }}" });
    // The SHA is a real release of codeql-action v4 (runs on node24).
    const pins = JSON.parse(fs.readFileSync(path.join(ROOT, "src", "knowledge", "data", "pins.json"), "utf8")) as {
      actions: Record<string, { tags: Record<string, string> }>;
    };
    const sha = upload!.uses!.split("@")[1]!;
    const tags = Object.entries(pins.actions["github/codeql-action"]!.tags).filter(([, commit]) => commit === sha).map(([tag]) => tag);
    expect(tags.some((t) => /^v4(\.|$)/.test(t))).toBe(true);
    const comment = /upload-sarif@[0-9a-f]{40} # (v[\d.]+)/.exec(fs.readFileSync(path.join(ROOT, "action.yml"), "utf8"));
    expect(tags).toContain(comment?.[1]);
  });

  it("uploads SARIF even after the main step failed, unless the run was cancelled, gave no SARIF or decided against it", () => {
    const upload = ACTION.runs.steps.find((s) => s.uses?.startsWith("github/codeql-action/upload-sarif@"))!;
    const ctx = (sarif: string, decided = "true") => ({ inputs: {}, steps: { credflow: { outputs: { "sarif-file": sarif, upload: decided } } } });
    expect(condition(upload.if, ctx("/tmp/credflow.sarif"), "failure")).toBe(true);
    expect(condition(upload.if, ctx("/tmp/credflow.sarif"), "success")).toBe(true);
    expect(condition(upload.if, ctx(""), "failure")).toBe(false);
    expect(condition(upload.if, ctx("/tmp/credflow.sarif", "false"), "success")).toBe(false);
    // A main step that never got to decide (it crashed) uploads nothing.
    expect(condition(upload.if, { inputs: {}, steps: { credflow: { outputs: {} } } }, "failure")).toBe(false);
    const last = ACTION.runs.steps[ACTION.runs.steps.length - 1]!;
    expect(condition(last.if, ctx(""), "failure")).toBe(true);
  });

  it("is clean under credflow's own rules", () => {
    const r = spawnSync(process.execPath, [BUNDLE, "action.yml", "--no-color", "--fail-level", "note"], { cwd: ROOT, encoding: "utf8" });
    expect(r.stdout).toBe("No findings.\n");
    expect(r.status).toBe(0);
  });
});

describe("the action on a repository with findings", () => {
  let run: ActionRun;
  beforeAll(() => {
    run = runAction({ workspace: workspaceFrom("failing"), event: { repository: { private: true } } });
  });

  it("keeps the main step green so the upload runs, then fails the job in the last step", () => {
    expect(mainStep(run).status, mainStep(run).stderr).toBe("success");
    expect(uploadStep(run).status).toBe("success");
    expect(lastStep(run).status).toBe("failure");
    expect(lastStep(run).exitCode).toBe(1);
    expect(run.conclusion).toBe("failure");
  });

  it("writes the outputs", () => {
    const sarif = readSarif(run.sarifFile);
    const results = sarif.runs.flatMap((r) => r.results);
    expect(run.outputs["sarif-file"]).toBe(run.sarifFile);
    expect(run.outputs["exit-code"]).toBe("1");
    expect(Number(run.outputs.findings)).toBe(results.length);
    expect(results.length).toBeGreaterThanOrEqual(2);
  });

  it("hands the SARIF file to upload-sarif under the category of the workflow and job", () => {
    expect(run.outputs.category).toBe(".github/workflows/credflow.yml:credflow");
    expect(uploadStep(run).with).toEqual({ sarif_file: run.sarifFile, category: ".github/workflows/credflow.yml:credflow" });
    expect(readSarif(run.sarifFile).runs[0]!.automationDetails.id).toBe(".github/workflows/credflow.yml:credflow/");
    // Its own file under $RUNNER_TEMP, named by job and attempt.
    expect(run.sarifFile.startsWith(run.runnerTemp + path.sep)).toBe(true);
    expect(path.basename(run.sarifFile)).toBe("credflow-credflow-1-1.sarif");
    expect(run.outputs["sarif-uploaded"]).toBe("true");
    const results = readSarif(run.sarifFile).runs.flatMap((r) => r.results);
    const shadowing = results.find((r) => r.ruleId === "credential-env-shadowing");
    // Found inside the composite the workflow calls, with a repository-relative URI.
    expect(shadowing?.level).toBe("error");
    expect(shadowing?.locations[0]?.physicalLocation.artifactLocation.uri).toBe(".github/actions/deploy/action.yml");
  });

  it("prints annotations and writes the step summary", () => {
    expect(run.stdout).toMatch(/^::error file=\.github\/actions\/deploy\/action\.yml,line=13,.*title=credential-env-shadowing::/m);
    expect(run.summary).toMatch(/^## credflow: `\.github\/workflows\/credflow\.yml:credflow`$/m);
    expect(run.summary).toMatch(/^\| Error \| \.github\/actions\/deploy\/action\.yml:13 \| `credential-env-shadowing` \|/m);
    expect(run.summary).toMatch(/^Code scanning: the SARIF report is uploaded under the category `\.github\/workflows\/credflow\.yml:credflow`\.$/m);
  });

  it("reads the visibility from the event payload", () => {
    expect(run.stdout).toMatch(/^credflow .*--visibility private/m);
  });

  it("runs on the runner's node", () => {
    const version = spawnSync(RUNNER_NODE, ["--version"], { encoding: "utf8" }).stdout.trim();
    expect(Number(/^v(\d+)\./.exec(version)?.[1])).toBeGreaterThanOrEqual(20);
  });

  it("keeps the token away from credflow when offline", () => {
    expect(mainStep(run).env?.CREDFLOW_TOKEN).toBe("");
    expect(run.stdout).not.toMatch(/--online/);
  });
});

describe("the action's inputs", () => {
  it("fail-level none: findings are reported and uploaded, the job passes", () => {
    const run = runAction({
      workspace: workspaceFrom("failing"),
      with: { "fail-level": "none" },
      event: { repository: { private: false, visibility: "internal" } },
    });
    expect(run.outputs["exit-code"]).toBe("0");
    expect(Number(run.outputs.findings)).toBeGreaterThan(0);
    expect(uploadStep(run).status).toBe("success");
    expect(run.conclusion).toBe("success");
    expect(run.stdout).toMatch(/--visibility internal/);
  });

  it("min-level is an alias of fail-level and wins", () => {
    const run = runAction({ workspace: workspaceFrom("failing"), with: { "fail-level": "none", "min-level": "error" }, event: {} });
    expect(run.outputs["exit-code"]).toBe("1");
    expect(run.conclusion).toBe("failure");
    // No visibility in the payload and none given: credflow is not told one.
    expect(run.stdout).not.toMatch(/--visibility/);
  });

  it("upload-sarif false skips the upload; an explicit visibility beats the payload", () => {
    const run = runAction({
      workspace: workspaceFrom("failing"),
      with: { "upload-sarif": "false", visibility: "public" },
      event: { repository: { private: true } },
    });
    expect(uploadStep(run).status).toBe("skipped");
    expect(run.stdout).toMatch(/--visibility public/);
    expect(run.conclusion).toBe("failure");
  });

  it("passes paths, config and extra args through without a shell", () => {
    const ws = workspaceFrom("failing");
    fs.mkdirSync(path.join(ws, "ci config"));
    fs.writeFileSync(path.join(ws, "ci config", "credflow.yml"), "rules:\n  credential-env-shadowing: off\n");
    const run = runAction({
      workspace: ws,
      with: { paths: ".github/workflows/deploy.yml", config: "ci config/credflow.yml", args: "--min-runner-version '2.320.0' $(touch pwned)" },
      event: {},
    });
    // `$(touch pwned)` is a path argument that does not exist, never a command.
    expect(fs.existsSync(path.join(ws, "pwned"))).toBe(false);
    expect(run.outputs["exit-code"]).toBe("2");
    const fixed = runAction({
      workspace: ws,
      with: { paths: ".github/workflows/deploy.yml", config: "ci config/credflow.yml", args: "--min-runner-version '2.320.0'", "fail-level": "error" },
      event: {},
    });
    expect(fixed.stdout).toContain("--min-runner-version 2.320.0");
    const rules = readSarif(fixed.sarifFile).runs.flatMap((r) => r.results.map((x) => x.ruleId));
    expect(rules).not.toContain("credential-env-shadowing");
    expect(fixed.outputs["exit-code"]).toBe("0");
    expect(fixed.conclusion).toBe("success");
  });

  it("a bad input or configuration fails the job without an upload", () => {
    const badLevel = runAction({ workspace: workspaceFrom("failing"), with: { "fail-level": "loud" }, event: {} });
    expect(badLevel.stdout).toMatch(/^::error title=credflow::fail-level must be one of/m);
    expect(badLevel.outputs).toEqual({ "sarif-file": "", findings: "", "exit-code": "2", category: "", "sarif-uploaded": "false" });
    expect(uploadStep(badLevel).status).toBe("skipped");
    expect(lastStep(badLevel).exitCode).toBe(2);

    const badConfig = runAction({ workspace: workspaceFrom("failing"), with: { config: "missing.yml" }, event: {} });
    expect(badConfig.outputs["exit-code"]).toBe("2");
    expect(badConfig.outputs["sarif-file"]).toBe("");
    expect(uploadStep(badConfig).status).toBe("skipped");
    expect(mainStep(badConfig).stderr).toMatch(/missing\.yml/);
    expect(badConfig.conclusion).toBe("failure");

    const reserved = runAction({ workspace: workspaceFrom("failing"), with: { args: "--format json" }, event: {} });
    expect(reserved.stdout).toMatch(/args must not contain --format/);
    expect(reserved.conclusion).toBe("failure");
  });

  it("online passes --online and the workflow token", () => {
    const ctx = { inputs: { online: "true" }, github: { token: "ghs_secret" } };
    const step = ACTION.runs.steps.find((s) => s.id === "credflow")!;
    expect(substitute(step.env!.CREDFLOW_TOKEN!, ctx, "success")).toBe("ghs_secret");
    expect(substitute(step.env!.CREDFLOW_TOKEN!, { ...ctx, inputs: { online: "false" } }, "success")).toBe("");
  });
});

describe("suppressions", () => {
  it("are left out of the findings count and the annotations, and listed as suppressed in SARIF", () => {
    const ws = workspaceFrom("failing");
    const wf = path.join(ws, ".github", "workflows", "deploy.yml");
    fs.writeFileSync(
      wf,
      fs
        .readFileSync(wf, "utf8")
        .replace("      - uses: aws-actions/configure-aws-credentials@v4", "      # credflow: ignore[unpinned-ref] pinned with the next release\n$&"),
    );
    const run = runAction({ workspace: ws, with: { "fail-level": "warning" }, event: {} });
    const results = readSarif(run.sarifFile).runs.flatMap((r) => r.results) as Array<{ ruleId: string; suppressions?: unknown[] }>;
    const suppressed = results.filter((r) => r.suppressions?.length);
    expect(suppressed.map((r) => r.ruleId)).toEqual(["unpinned-ref"]);
    expect(Number(run.outputs.findings)).toBe(results.length - 1);
    expect(run.stdout).not.toMatch(/title=unpinned-ref/);
    // The error inside the composite is still there.
    expect(run.outputs["exit-code"]).toBe("1");
  });
});

describe("the action on a clean repository", () => {
  it("passes with zero findings and still uploads", () => {
    const run = runAction({ workspace: workspaceFrom("clean"), event: { repository: { private: false } } });
    expect(run.outputs).toEqual({
      "sarif-file": run.sarifFile,
      findings: "0",
      "exit-code": "0",
      category: ".github/workflows/credflow.yml:credflow",
      "sarif-uploaded": "true",
    });
    expect(readSarif(run.sarifFile).runs.flatMap((r) => r.results)).toEqual([]);
    expect(uploadStep(run).status).toBe("success");
    expect(run.stdout).not.toMatch(/^::(error|warning|notice) file=/m);
    expect(run.summary).toMatch(/^## credflow: `\.github\/workflows\/credflow\.yml:credflow`$/m);
    expect(lastStep(run).status).toBe("success");
    expect(run.conclusion).toBe("success");
  });
});

describe("the workflow snippet in docs/integrations.md", () => {
  const docs = fs.readFileSync(path.join(ROOT, "docs", "integrations.md"), "utf8");
  const snippet = /<!-- snippet: workflow -->\n```yaml\n([\s\S]*?)```/.exec(docs)?.[1] ?? "";

  interface Workflow {
    jobs: Record<string, { permissions: Record<string, string>; steps: Array<{ uses?: string; with?: Record<string, string> }> }>;
  }

  it("gives the job code-scanning permissions and only passes declared inputs", () => {
    const wf = parseYaml(snippet) as Workflow;
    const job = Object.values(wf.jobs)[0]!;
    expect(job.permissions).toEqual({ contents: "read", "security-events": "write", actions: "read" });
    const step = job.steps.find((s) => s.uses?.startsWith("credflow/credflow@"));
    expect(step).toBeDefined();
    for (const key of Object.keys(step!.with ?? {})) expect(ACTION.inputs).toHaveProperty([key]);
  });

  it("is clean under credflow except for the placeholder of credflow's own commit", () => {
    const ws = tempDir("credflow-doc-");
    fs.mkdirSync(path.join(ws, ".github", "workflows"), { recursive: true });
    fs.writeFileSync(path.join(ws, ".github", "workflows", "credflow.yml"), snippet);
    const r = spawnSync(process.execPath, [BUNDLE, ".", "--format", "json"], { cwd: ws, encoding: "utf8" });
    const findings = (JSON.parse(r.stdout) as { findings: Array<{ rule: string; message: string }> }).findings;
    expect(findings.map((f) => f.rule)).toEqual(["unpinned-ref"]);
    expect(findings[0]!.message).toContain("credflow/credflow@<commit-sha>");
  });
});

/** A `pull_request` payload of acme/widget whose head is `head` (null: the fork was deleted). */
function pullRequest(head: { full_name: string; fork: boolean } | null): unknown {
  return {
    action: "synchronize",
    number: 7,
    pull_request: { number: 7, head: { ref: "patch-1", repo: head }, base: { ref: "main", repo: { full_name: "acme/widget", fork: false } } },
    repository: { full_name: "acme/widget", private: false, visibility: "public" },
  };
}

describe("when the action uploads to code scanning", () => {
  const PR = { GITHUB_EVENT_NAME: "pull_request", GITHUB_WORKFLOW_REF: "acme/widget/.github/workflows/credflow.yml@refs/pull/7/merge" };

  it("a pull request from a fork: no upload, the annotations and the summary still report and say why; the job fails only on the findings", () => {
    const run = runAction({ workspace: workspaceFrom("failing"), env: PR, event: pullRequest({ full_name: "someone/widget", fork: true }) });
    expect(mainStep(run).status, mainStep(run).stderr).toBe("success");
    expect(uploadStep(run).status).toBe("skipped");
    expect(run.outputs).toMatchObject({ "exit-code": "1", "sarif-uploaded": "false", category: ".github/workflows/credflow.yml:credflow" });
    // The report was still written, for whoever wants it (an artifact, a later step).
    expect(readSarif(run.sarifFile).runs[0]!.results.length).toBe(Number(run.outputs.findings));
    expect(run.stdout).toMatch(/^::error file=\.github\/actions\/deploy\/action\.yml,line=13,/m);
    expect(run.summary).toMatch(/^\| Error \| \.github\/actions\/deploy\/action\.yml:13 \|/m);
    expect(run.summary).toContain(
      "Code scanning: not uploaded, because this is a pull request from a fork (someone/widget): its token is read-only and cannot upload to code scanning. The annotations and this summary are the whole report.",
    );
    expect(run.stdout).toMatch(/^credflow: not uploading the SARIF report: this is a pull request from a fork \(someone\/widget\)/m);
    // What fails the job is the findings, in the last step, as on any other event.
    expect(lastStep(run).exitCode).toBe(1);
    expect(run.steps.filter((s) => s.status === "failure")).toEqual([lastStep(run)]);

    const clean = runAction({ workspace: workspaceFrom("clean"), env: PR, event: pullRequest({ full_name: "someone/widget", fork: true }) });
    expect(uploadStep(clean).status).toBe("skipped");
    expect(clean.conclusion).toBe("success");
    expect(clean.summary).toMatch(/not uploaded, because this is a pull request from a fork/);
  });

  it("a pull request from a deleted fork (no head repository) is not uploaded either", () => {
    const run = runAction({ workspace: workspaceFrom("clean"), env: PR, event: pullRequest(null) });
    expect(uploadStep(run).status).toBe("skipped");
    expect(run.summary).toMatch(/not uploaded, because this pull request comes from a repository that no longer exists \(a deleted fork\)/);
    expect(run.conclusion).toBe("success");
  });

  it("a pull request from a branch of the repository uploads, and so does one inside a fork (head and base both the fork)", () => {
    const same = runAction({ workspace: workspaceFrom("failing"), env: PR, event: pullRequest({ full_name: "acme/widget", fork: false }) });
    expect(uploadStep(same).status).toBe("success");
    expect(uploadStep(same).with).toEqual({ sarif_file: same.sarifFile, category: ".github/workflows/credflow.yml:credflow" });
    expect(same.outputs["sarif-uploaded"]).toBe("true");
    expect(same.summary).toMatch(/^Code scanning: the SARIF report is uploaded under the category /m);

    // In the fork's own workflow runs, its token can write: `head.repo.fork` alone would be wrong.
    const inFork = pullRequest({ full_name: "someone/widget", fork: true }) as { repository: { full_name: string } };
    inFork.repository.full_name = "someone/widget";
    const run = runAction({ workspace: workspaceFrom("clean"), env: { ...PR, GITHUB_REPOSITORY: "someone/widget" }, event: inFork });
    expect(uploadStep(run).status).toBe("success");
  });

  it("a push uploads", () => {
    const run = runAction({ workspace: workspaceFrom("failing"), event: { ref: "refs/heads/main", repository: { full_name: "acme/widget", private: true } } });
    expect(uploadStep(run).status).toBe("success");
    expect(run.outputs["sarif-uploaded"]).toBe("true");
    expect(run.conclusion).toBe("failure");
  });

  it("a Dependabot run: no upload (pull request or push), reported and explained", () => {
    for (const [env, event] of [
      [{ ...PR, GITHUB_ACTOR: "dependabot[bot]" }, pullRequest({ full_name: "acme/widget", fork: false })],
      [{ GITHUB_ACTOR: "dependabot[bot]" }, { ref: "refs/heads/dependabot/npm_and_yarn/x", repository: { full_name: "acme/widget" } }],
    ] as const) {
      const run = runAction({ workspace: workspaceFrom("failing"), env, event });
      expect(uploadStep(run).status).toBe("skipped");
      expect(run.outputs["sarif-uploaded"]).toBe("false");
      expect(run.summary).toContain("Code scanning: not uploaded, because this is a Dependabot run, whose token is read-only by default (`upload-sarif: always` uploads when the workflow grants Dependabot `security-events: write`).");
      expect(run.stdout).toMatch(/^::error file=/m);
      expect(lastStep(run).exitCode).toBe(1);
    }
  });

  it("upload-sarif: always uploads on a fork's pull request; false never uploads, and the summary says so", () => {
    const always = runAction({ workspace: workspaceFrom("clean"), with: { "upload-sarif": "always" }, env: PR, event: pullRequest({ full_name: "someone/widget", fork: true }) });
    expect(uploadStep(always).status).toBe("success");
    const never = runAction({ workspace: workspaceFrom("clean"), with: { "upload-sarif": "false" }, event: {} });
    expect(uploadStep(never).status).toBe("skipped");
    expect(never.summary).toContain("Code scanning: not uploaded, because the `upload-sarif` input is `false`.");
    const bad = runAction({ workspace: workspaceFrom("clean"), with: { "upload-sarif": "yes" }, event: {} });
    expect(bad.stdout).toMatch(/^::error title=credflow::upload-sarif must be one of true, false, always, not "yes"$/m);
    expect(uploadStep(bad).status).toBe("skipped");
    expect(bad.conclusion).toBe("failure");
  });
});

describe("two runs in one job", () => {
  /** One workspace holding two repositories: one with findings, one clean. */
  function twoRepos(): string {
    const ws = tempDir("credflow-ws-");
    for (const [dir, fixture] of [
      ["infra", "failing"],
      ["app", "clean"],
    ]) {
      fs.cpSync(path.join(FIXTURES, fixture!), path.join(ws, dir!), { recursive: true });
      fs.mkdirSync(path.join(ws, dir!, ".git"));
    }
    return ws;
  }

  it("two paths: each its own category, SARIF file, outputs and titled summary section; neither replaces the other", () => {
    const ws = twoRepos();
    const job = newJob();
    const first = runAction({ workspace: ws, job, with: { paths: "infra", "fail-level": "none" }, event: {} });
    const second = runAction({ workspace: ws, job, with: { paths: "app", "fail-level": "none" }, event: {} });

    expect(first.outputs.category).toBe(".github/workflows/credflow.yml:credflow/paths:infra");
    expect(second.outputs.category).toBe(".github/workflows/credflow.yml:credflow/paths:app");
    expect(path.basename(first.sarifFile)).toBe("credflow-credflow-1-1.sarif");
    expect(path.basename(second.sarifFile)).toBe("credflow-credflow-1-2.sarif");

    // The first output still points at the first report, which the second run left alone.
    const a = readSarif(first.sarifFile);
    const b = readSarif(second.sarifFile);
    expect(a.runs[0]!.results.length).toBe(Number(first.outputs.findings));
    expect(Number(first.outputs.findings)).toBeGreaterThan(0);
    expect(b.runs[0]!.results).toEqual([]);
    expect(a.runs[0]!.automationDetails.id).toBe(`${first.outputs.category}/`);
    expect(b.runs[0]!.automationDetails.id).toBe(`${second.outputs.category}/`);
    expect(uploadStep(first).with).toEqual({ sarif_file: first.sarifFile, category: first.outputs.category });
    expect(uploadStep(second).with).toEqual({ sarif_file: second.sarifFile, category: second.outputs.category });

    // Two sections, titled apart, in order.
    const titles = [...second.jobSummary.matchAll(/^## credflow: (.*)$/gm)].map((m) => m[1]);
    expect(titles).toEqual(["`.github/workflows/credflow.yml:credflow/paths:infra`", "`.github/workflows/credflow.yml:credflow/paths:app`"]);
    expect(first.summary).toMatch(/^Paths: `infra`$/m);
    expect(first.summary).toMatch(/^\| Error \| infra\/\.github\/actions\/deploy\/action\.yml:13 \|/m);
    expect(second.summary).toMatch(/^Paths: `app`$/m);
    expect(second.summary).not.toMatch(/^\| Error/m);
  });

  it("the same paths twice (other arguments): the second run's derived category is numbered", () => {
    const ws = workspaceFrom("failing");
    const job = newJob();
    const first = runAction({ workspace: ws, job, with: { "fail-level": "none" }, event: {} });
    const second = runAction({ workspace: ws, job, with: { "fail-level": "none", args: "--report-unused-suppressions" }, event: {} });
    expect(first.outputs.category).toBe(".github/workflows/credflow.yml:credflow");
    expect(second.outputs.category).toBe(".github/workflows/credflow.yml:credflow/run:2");
    expect(first.sarifFile).not.toBe(second.sarifFile);
    expect(fs.existsSync(first.sarifFile)).toBe(true);
  });

  it("an explicit category is used as given; given twice in one job, the second run warns that it replaces the first's alerts", () => {
    const ws = twoRepos();
    const job = newJob();
    const first = runAction({ workspace: ws, job, with: { paths: "infra", category: "credflow-infra/", "fail-level": "none" }, event: {} });
    expect(first.outputs.category).toBe("credflow-infra");
    expect(readSarif(first.sarifFile).runs[0]!.automationDetails.id).toBe("credflow-infra/");
    expect(first.stdout).not.toMatch(/^::warning title=credflow::/m);
    const second = runAction({ workspace: ws, job, with: { paths: "app", category: "credflow-infra", "fail-level": "none" }, event: {} });
    expect(second.outputs.category).toBe("credflow-infra");
    expect(second.stdout).toMatch(/^::warning title=credflow::category "credflow-infra" was already used by an earlier credflow step in this job/m);
  });

  it("a matrix: each combination's job gets its category from the matrix values, numbers included", () => {
    const categories = [20, 22].map((node) => {
      const run = runAction({ workspace: workspaceFrom("clean"), matrix: { os: "ubuntu-latest", node }, event: {} });
      expect(mainStep(run).env?.CREDFLOW_MATRIX).toBe(JSON.stringify({ os: "ubuntu-latest", node }, null, 2));
      expect(readSarif(run.sarifFile).runs[0]!.automationDetails.id).toBe(`${run.outputs.category}/`);
      return run.outputs.category;
    });
    expect(categories).toEqual([".github/workflows/credflow.yml:credflow/node:20/os:ubuntu-latest", ".github/workflows/credflow.yml:credflow/node:22/os:ubuntu-latest"]);
  });

  it("a re-run (attempt 2) writes another file", () => {
    const run = runAction({ workspace: workspaceFrom("clean"), env: { GITHUB_RUN_ATTEMPT: "2", GITHUB_JOB: "lint" }, event: {} });
    expect(path.basename(run.sarifFile)).toBe("credflow-lint-2-1.sarif");
    expect(run.outputs.category).toBe(".github/workflows/credflow.yml:lint");
  });
});

describe("inputs for the engine's settings", () => {
  it("default-token-permissions, repository (default: the run's repository) and min-runner-version become flags", () => {
    const defaults = runAction({ workspace: workspaceFrom("clean"), event: {} });
    expect(defaults.stdout).toMatch(/^credflow --format github .*--repository acme\/widget -- \.$/m);
    expect(defaults.stdout).not.toMatch(/--default-token-permissions|--min-runner-version/);

    const run = runAction({
      workspace: workspaceFrom("clean"),
      with: { "default-token-permissions": "restricted", repository: "acme/other", "min-runner-version": "2.320.0" },
      event: {},
    });
    expect(run.stdout).toMatch(/^credflow --format sarif .*--default-token-permissions restricted --repository acme\/other --min-runner-version 2\.320\.0 -- \.$/m);
    expect(run.stdout).toMatch(/^credflow --format github .*--default-token-permissions restricted --repository acme\/other --min-runner-version 2\.320\.0 -- \.$/m);
    expect(run.outputs["exit-code"]).toBe("0");
    expect(mainStep(run).env).toMatchObject({
      CREDFLOW_INPUT_DEFAULT_TOKEN_PERMISSIONS: "restricted",
      CREDFLOW_INPUT_REPOSITORY: "acme/other",
      CREDFLOW_INPUT_MIN_RUNNER_VERSION: "2.320.0",
    });
  });

  it("bad values fail the job without an upload", () => {
    for (const [input, value, message] of [
      ["default-token-permissions", "write-all", /default-token-permissions must be one of permissive, restricted/],
      ["repository", "not a repo", /repository must be owner\/name/],
      ["min-runner-version", "latest", /min-runner-version must be a runner version like 2\.320\.0/],
      ["category", "\n/", /category must be a non-empty line of text/],
    ] as const) {
      const run = runAction({ workspace: workspaceFrom("clean"), with: { [input]: value }, event: {} });
      expect(run.stdout, input).toMatch(message);
      expect(run.outputs["exit-code"], input).toBe("2");
      expect(uploadStep(run).status, input).toBe("skipped");
      expect(run.conclusion, input).toBe("failure");
    }
    const reserved = runAction({ workspace: workspaceFrom("clean"), with: { args: "--sarif-category=x" }, event: {} });
    expect(reserved.stdout).toMatch(/args must not contain --sarif-category: the action sets it \(use the category input\)/);
  });
});

describe("run.mjs decisions", () => {
  it("uploadDecision", () => {
    const pr = (head: { full_name?: string; fork?: boolean } | null, base = "acme/widget") => ({ pull_request: { head: { repo: head } }, repository: { full_name: base } });
    expect(uploadDecision({ mode: "true", eventName: "push", event: {} })).toEqual({ upload: true });
    expect(uploadDecision({ mode: "true", eventName: "pull_request", event: pr({ full_name: "Acme/Widget", fork: false }) }).upload).toBe(true);
    expect(uploadDecision({ mode: "true", eventName: "pull_request", event: pr({ full_name: "x/widget", fork: true }) }).upload).toBe(false);
    expect(uploadDecision({ mode: "true", eventName: "pull_request_review", event: pr({ full_name: "x/widget", fork: true }) }).upload).toBe(false);
    // Without names, the fork flag decides.
    expect(uploadDecision({ mode: "true", eventName: "pull_request", event: { pull_request: { head: { repo: { fork: true } } } } }).upload).toBe(false);
    // pull_request_target runs in the base repository with its token.
    expect(uploadDecision({ mode: "true", eventName: "pull_request_target", event: pr({ full_name: "x/widget", fork: true }) }).upload).toBe(true);
    expect(uploadDecision({ mode: "true", eventName: "push", actor: "dependabot[bot]" }).upload).toBe(false);
    expect(uploadDecision({ mode: "always", eventName: "push", actor: "dependabot[bot]" }).upload).toBe(true);
    expect(uploadDecision({ mode: "false", eventName: "push" }).upload).toBe(false);
  });

  it("deriveCategory and workflowPathFromRef", () => {
    expect(workflowPathFromRef("acme/widget/.github/workflows/ci.yml@refs/heads/main")).toBe(".github/workflows/ci.yml");
    expect(workflowPathFromRef("acme/widget/.github/workflows/a@b.yml@refs/tags/v1")).toBe(".github/workflows/a@b.yml");
    expect(workflowPathFromRef(undefined)).toBeUndefined();
    const base = { workflowRef: "acme/widget/.github/workflows/ci.yml@refs/heads/main", job: "lint", paths: ["."] };
    expect(deriveCategory({ ...base, matrix: "null" })).toBe(".github/workflows/ci.yml:lint");
    expect(deriveCategory({ ...base, matrix: '{"os":"ubuntu","include":{"x":1},"flag":true}' })).toBe('.github/workflows/ci.yml:lint/flag:true/include:{"x":1}/os:ubuntu');
    const long = deriveCategory({ ...base, matrix: JSON.stringify({ big: "x".repeat(200) }) });
    expect(long).toMatch(/^\.github\/workflows\/ci\.yml:lint\/big:sha256:[0-9a-f]{12}$/);
    expect(deriveCategory({ ...base, paths: ["infra", "app dir"] })).toBe(".github/workflows/ci.yml:lint/paths:infra,app dir");
    // Without GITHUB_WORKFLOW_REF (older GitHub Enterprise Server): the workflow's name.
    expect(deriveCategory({ workflow: "CI", job: "lint", paths: ["."] })).toBe("CI:lint");
  });
});

describe("the matrix snippet in docs/integrations.md", () => {
  const docs = fs.readFileSync(path.join(ROOT, "docs", "integrations.md"), "utf8");
  const snippet = /<!-- snippet: matrix -->\n```yaml\n([\s\S]*?)```/.exec(docs)?.[1] ?? "";

  it("is clean under credflow except for the placeholder of credflow's own commit", () => {
    expect(snippet).toContain("matrix:");
    const ws = tempDir("credflow-doc-");
    fs.mkdirSync(path.join(ws, ".github", "workflows"), { recursive: true });
    fs.writeFileSync(path.join(ws, ".github", "workflows", "credflow.yml"), snippet);
    const r = spawnSync(process.execPath, [BUNDLE, ".", "--format", "json"], { cwd: ws, encoding: "utf8" });
    const findings = (JSON.parse(r.stdout) as { findings: Array<{ rule: string; message: string }> }).findings;
    expect(findings.map((f) => f.rule)).toEqual(["unpinned-ref"]);
    expect(findings[0]!.message).toContain("credflow/credflow@<commit-sha>");
  });

  it("names the categories the action derives for it", () => {
    const wf = parseYaml(snippet) as { jobs: Record<string, { strategy: { matrix: { repo: string[] } } }> };
    const [jobId, job] = Object.entries(wf.jobs)[0]!;
    for (const repo of job.strategy.matrix.repo) {
      const category = deriveCategory({
        workflowRef: "acme/widget/.github/workflows/credflow.yml@refs/heads/main",
        job: jobId,
        matrix: JSON.stringify({ repo }),
        paths: [repo],
      });
      expect(docs).toContain(`\`${category}\``);
    }
  });
});
