/**
 * The composite action (action.yml) run the way a runner runs it: every `run:` step in order with
 * `bash --noprofile --norc -eo pipefail`, its `env:` and `if:` evaluated with GitHub's own
 * expression library against `inputs`, `github` and `steps`, a fresh `$GITHUB_OUTPUT` per step, and
 * the `uses:` upload step recorded (with its evaluated `with:`) instead of run.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { Evaluator, Lexer, Parser, data } from "@actions/expressions";
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
  summary: string;
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

function runAction(opts: { workspace: string; with?: Record<string, string>; event: unknown; token?: string }): ActionRun {
  const runner = tempDir("credflow-runner-");
  const runnerTemp = path.join(runner, "temp");
  fs.mkdirSync(runnerTemp);
  const eventPath = path.join(runner, "event.json");
  fs.writeFileSync(eventPath, JSON.stringify(opts.event));
  const summary = path.join(runner, "step_summary.md");
  fs.writeFileSync(summary, "");

  const inputs: Record<string, string> = {};
  for (const [name, def] of Object.entries(ACTION.inputs)) inputs[name] = String(def.default ?? "");
  for (const [name, value] of Object.entries(opts.with ?? {})) {
    expect(ACTION.inputs, `input ${name} is declared`).toHaveProperty([name]);
    inputs[name] = value;
  }
  const github = { token: opts.token ?? "ghs_simulated", workspace: opts.workspace, action_path: ROOT, event_path: eventPath };
  const steps: Record<string, { outputs: Record<string, string>; outcome: Status; conclusion: Status }> = {};
  const contexts = (): Record<string, unknown> => ({ inputs, github, steps, runner: { temp: runnerTemp, os: "Linux" } });

  const records: StepRecord[] = [];
  let jobStatus: "success" | "failure" = "success";
  let stdout = "";
  ACTION.runs.steps.forEach((step, index) => {
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
      return;
    }
    const outputFile = path.join(runner, `output_${index}`);
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
  return {
    steps: records,
    outputs,
    conclusion: jobStatus,
    stdout,
    summary: fs.readFileSync(summary, "utf8"),
    sarifFile: path.join(runnerTemp, "credflow.sarif"),
    runnerTemp,
  };
}

interface SarifLog {
  runs: Array<{ results: Array<{ ruleId: string; level: string; locations: Array<{ physicalLocation: { artifactLocation: { uri: string } } }> }> }>;
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

  it("pins upload-sarif by a full commit SHA and uploads under the credflow category", () => {
    const upload = ACTION.runs.steps.find((s) => s.uses?.startsWith("github/codeql-action/upload-sarif@"));
    expect(upload?.uses).toMatch(/^github\/codeql-action\/upload-sarif@[0-9a-f]{40}$/);
    expect(upload?.with?.category).toBe("credflow");
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

  it("uploads SARIF even after the main step failed, unless the run was cancelled or gave no SARIF", () => {
    const upload = ACTION.runs.steps.find((s) => s.uses?.startsWith("github/codeql-action/upload-sarif@"))!;
    const ctx = (sarif: string, enabled = "true") => ({ inputs: { "upload-sarif": enabled }, steps: { credflow: { outputs: { "sarif-file": sarif } } } });
    expect(condition(upload.if, ctx("/tmp/credflow.sarif"), "failure")).toBe(true);
    expect(condition(upload.if, ctx("/tmp/credflow.sarif"), "success")).toBe(true);
    expect(condition(upload.if, ctx(""), "failure")).toBe(false);
    expect(condition(upload.if, ctx("/tmp/credflow.sarif", "false"), "success")).toBe(false);
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

  it("hands the SARIF file to upload-sarif", () => {
    expect(uploadStep(run).with).toEqual({ sarif_file: run.sarifFile, category: "credflow" });
    const results = readSarif(run.sarifFile).runs.flatMap((r) => r.results);
    const shadowing = results.find((r) => r.ruleId === "credential-env-shadowing");
    // Found inside the composite the workflow calls, with a repository-relative URI.
    expect(shadowing?.level).toBe("error");
    expect(shadowing?.locations[0]?.physicalLocation.artifactLocation.uri).toBe(".github/actions/deploy/action.yml");
  });

  it("prints annotations and writes the step summary", () => {
    expect(run.stdout).toMatch(/^::error file=\.github\/actions\/deploy\/action\.yml,line=13,.*title=credential-env-shadowing::/m);
    expect(run.summary).toMatch(/^## credflow$/m);
    expect(run.summary).toMatch(/^\| Error \| \.github\/actions\/deploy\/action\.yml:13 \| `credential-env-shadowing` \|/m);
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
    expect(badLevel.outputs).toEqual({ "sarif-file": "", findings: "", "exit-code": "2" });
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
    expect(run.outputs).toEqual({ "sarif-file": run.sarifFile, findings: "0", "exit-code": "0" });
    expect(readSarif(run.sarifFile).runs.flatMap((r) => r.results)).toEqual([]);
    expect(uploadStep(run).status).toBe("success");
    expect(run.stdout).not.toMatch(/^::(error|warning|notice) file=/m);
    expect(run.summary).toMatch(/^## credflow$/m);
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
    expect(job.permissions).toMatchObject({ contents: "read", "security-events": "write" });
    const step = job.steps.find((s) => s.uses?.startsWith("credflow/credflow@"));
    expect(step).toBeDefined();
    for (const key of Object.keys(step!.with ?? {})) expect(ACTION.inputs).toHaveProperty([key]);
  });

  it("is clean under credflow except for the documented unpinned tag of credflow itself", () => {
    const ws = tempDir("credflow-doc-");
    fs.mkdirSync(path.join(ws, ".github", "workflows"), { recursive: true });
    fs.writeFileSync(path.join(ws, ".github", "workflows", "credflow.yml"), snippet);
    const r = spawnSync(process.execPath, [BUNDLE, ".", "--format", "json"], { cwd: ws, encoding: "utf8" });
    const findings = (JSON.parse(r.stdout) as { findings: Array<{ rule: string; message: string }> }).findings;
    expect(findings.map((f) => f.rule)).toEqual(["unpinned-ref"]);
    expect(findings[0]!.message).toContain("credflow/credflow@v0.1.0");
  });
});
