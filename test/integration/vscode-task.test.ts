/**
 * integrations/vscode/tasks.json, run the way VS Code runs it: its exact command line as a process
 * from a copy of every rule's fixture cases and of examples/, its two problem matchers compiled and
 * applied line by line as VS Code's task system does. Every finding must become one problem with the
 * right file, position, severity, message and code; every related place one info problem that names
 * its finding; nothing else a problem; and no two problems may collapse into one marker. The command's
 * own fallback (project install, then `credflow` on PATH, then the checkout's bundle) is checked with
 * stand-ins on a PATH that holds only `node`.
 */
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROBLEM_MATCHER_REGEXP, RELATED_MATCHER_REGEXP } from "../../src/report/text.js";
import { RULES } from "../../src/rules/index.js";
import { cli } from "../helpers/cli.js";

const ROOT = path.resolve(__dirname, "..", "..");
const BUNDLE = path.join(ROOT, "dist", "credflow.mjs");
const FIXTURES = path.join(ROOT, "test", "fixtures");

interface Pattern {
  regexp: string;
  file: number;
  line: number;
  column: number;
  severity?: number;
  message: number;
  code: number;
}
interface Matcher {
  owner: string;
  source: string;
  applyTo: string;
  fileLocation: [string, string];
  severity?: string;
  pattern: Pattern;
}
interface Task {
  label: string;
  type: string;
  command: string;
  args: string[];
  options?: { cwd?: string };
  problemMatcher: Matcher[];
}

// Strict JSON (no comments, no trailing commas): JSON.parse throws otherwise.
const TASKS = JSON.parse(fs.readFileSync(path.join(ROOT, "integrations", "vscode", "tasks.json"), "utf8")) as { version: string; tasks: Task[] };
const TASK = TASKS.tasks.find((t) => t.label === "credflow")!;
/** What the task asks credflow for, after `node -e <script> --`. */
const CREDFLOW_ARGS = [".", "--cache", "--format", "concise", "--no-color"];
/** The user cache directory of every credflow this test starts (the task passes --cache): never the real one. */
const CACHE_HOME = fs.mkdtempSync(path.join(os.tmpdir(), "credflow-vscode-cache-"));

interface JsonRelated {
  path: string;
  line: number;
  column: number;
  message: string;
}
interface JsonFinding {
  rule: string;
  level: "error" | "warning" | "note";
  message: string;
  path: string;
  line: number;
  column: number;
  related: JsonRelated[];
  fix: { safe: boolean } | null;
  fixNote: string | null;
}

// ---------------------------------------------------------------------------------------------
// VS Code's side, after src/vs/workbench/contrib/tasks/common/problemMatcher.ts and problemCollectors.ts

interface Problem {
  /** Index of the matcher in the task's `problemMatcher` array. */
  matcher: number;
  file: string;
  line: number;
  column: number;
  severity: "error" | "warning" | "info";
  message: string;
  code: string;
}

/** `Severity.fromValue`, then the problem matcher's fallbacks (`note` and `hint` → info), then the matcher's own severity, else error. */
function vscodeSeverity(value: string | undefined, fallback: string | undefined): Problem["severity"] {
  const v = (value ?? "").toLowerCase();
  if (v === "error" || v === "e") return "error";
  if (v === "warning" || v === "warn" || v === "w") return "warning";
  if (v === "info" || v === "i" || v === "note" || v === "hint") return "info";
  return (fallback as Problem["severity"] | undefined) ?? "error";
}

/** Each pattern compiled as VS Code does: `new RegExp(regexp)`, no flags. */
const COMPILED = TASK.problemMatcher.map((m) => new RegExp(m.pattern.regexp));

/**
 * The problems VS Code makes of a task's output. The terminal hands the task system one line at a
 * time with trailing blanks trimmed; each line is tried against the (single-line) matchers in order
 * and the first that matches makes a problem, its file, message and code trimmed. Also returns the
 * lines no matcher took, and the lines more than one matcher would have taken (there must be none).
 */
function vscodeProblems(stdout: string): { problems: Problem[]; unmatched: string[]; ambiguous: string[] } {
  const problems: Problem[] = [];
  const unmatched: string[] = [];
  const ambiguous: string[] = [];
  for (const raw of stdout.split("\n")) {
    const line = raw.trimEnd();
    const hits = COMPILED.map((re) => re.exec(line));
    if (hits.filter(Boolean).length > 1) ambiguous.push(line);
    const i = hits.findIndex(Boolean);
    if (i < 0) {
      unmatched.push(line);
      continue;
    }
    const m = hits[i]!;
    const { pattern: p, severity } = TASK.problemMatcher[i]!;
    problems.push({
      matcher: i,
      file: m[p.file]!.trim(),
      line: Number(m[p.line]),
      column: Number(m[p.column]),
      severity: vscodeSeverity(p.severity === undefined ? undefined : m[p.severity], severity),
      message: m[p.message]!.trim(),
      code: m[p.code]!.trim(),
    });
  }
  return { problems, unmatched, ambiguous };
}

/**
 * VS Code keeps one marker per owner, file, source, code, severity and range: the message is not part
 * of the key (IMarkerData.makeKeyOptionalMessage(marker, false)), so problems with equal keys collapse.
 */
function markerKey(p: Problem): string {
  const m = TASK.problemMatcher[p.matcher]!;
  return [m.owner, p.file, m.source, p.code, p.severity, p.line, p.column].join("\0");
}

/** The problems the task should produce for these findings, in output order. */
function expectedProblems(findings: readonly JsonFinding[]): Problem[] {
  const out: Problem[] = [];
  for (const f of findings) {
    const hint = f.fix ? (f.fix.safe ? " (fixable)" : " (fixable with --unsafe-fixes)") : "";
    const severity = ({ error: "error", warning: "warning", note: "info" } as const)[f.level];
    out.push({ matcher: 0, file: f.path, line: f.line, column: f.column, severity, message: f.message + hint, code: f.rule });
    // One problem per related place; the labels of one place joined.
    const places = new Map<string, { r: JsonRelated; labels: string[] }>();
    for (const r of f.related) {
      const key = `${r.path}:${r.line}:${r.column}`;
      const place = places.get(key) ?? { r, labels: [] };
      const label = r.message.trim() || "related location";
      if (!place.labels.includes(label)) place.labels.push(label);
      places.set(key, place);
    }
    for (const { r, labels } of places.values()) {
      out.push({ matcher: 1, file: r.path, line: r.line, column: r.column, severity: "info", message: labels.join("; "), code: `${f.rule} at ${f.path}:${f.line}:${f.column}` });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Running the task

const dirs: string[] = [];
function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** A folder with only a `node` link: the PATH of a machine where credflow is not installed (and neither is npm). */
let NODE_ONLY = "";
/** A global install of this checkout: `credflow` linked to the bundle, as `npm install -g` does. */
let GLOBAL_BIN = "";
beforeAll(() => {
  NODE_ONLY = tempDir("credflow-vscode-node-");
  fs.symlinkSync(process.execPath, path.join(NODE_ONLY, "node"));
  GLOBAL_BIN = tempDir("credflow-vscode-global-");
  fs.symlinkSync(BUNDLE, path.join(GLOBAL_BIN, "credflow"));
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A process in `cwd` with only `pathDirs` on PATH (asynchronous, so two can run at once). */
function runProcess(command: string, args: readonly string[], cwd: string, pathDirs: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { PATH: pathDirs.join(path.delimiter), XDG_CACHE_HOME: CACHE_HOME } });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** The task's command and arguments exactly. */
function runTask(cwd: string, pathDirs: string[]): Promise<Run> {
  return runProcess(TASK.command, TASK.args, cwd, pathDirs);
}

/**
 * The bundle with the arguments the task passes it (those after `--`), without the fallback script
 * in front, which costs a node start per run; the fallback's output is credflow's, byte for byte
 * (checked below).
 */
function runBundle(cwd: string): Promise<Run> {
  return runProcess(process.execPath, [BUNDLE, ...TASK.args.slice(TASK.args.indexOf("--") + 1)], cwd, [NODE_ONLY]);
}

/** Runs `jobs` two at a time (the machines this runs on have two cores). */
async function pool<T, R>(items: readonly T[], job: (item: T) => Promise<R>, width = 2): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await job(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  return out;
}

interface CaseFile {
  settings?: {
    visibility?: string;
    defaultTokenPermissions?: string;
    repository?: { owner: string; name: string };
    subjectFormat?: { format: string; ownerId?: string; repositoryId?: string };
    subjectClaimKeys?: string[];
    trustPolicies?: Record<string, string>;
    minRunnerVersion?: string;
  };
  options?: Record<string, Record<string, unknown>>;
  expect: { path: string; line: number; level?: string }[];
}

/** A case's settings and rule options as the `.credflow.yml` a user would write (JSON is YAML). */
function configFor(spec: CaseFile): Record<string, unknown> {
  const s = spec.settings ?? {};
  const config: Record<string, unknown> = {};
  if (s.visibility) config.visibility = s.visibility;
  if (s.defaultTokenPermissions) config["default-token-permissions"] = s.defaultTokenPermissions;
  if (s.repository) config.repository = `${s.repository.owner}/${s.repository.name}`;
  if (s.subjectFormat) {
    config["subject-format"] = s.subjectFormat.format;
    if (s.subjectFormat.ownerId) config["owner-id"] = s.subjectFormat.ownerId;
    if (s.subjectFormat.repositoryId) config["repository-id"] = s.subjectFormat.repositoryId;
  }
  if (s.subjectClaimKeys) config["subject-claim-keys"] = s.subjectClaimKeys;
  if (s.trustPolicies) config["trust-policies"] = s.trustPolicies;
  if (s.minRunnerVersion) config["min-runner-version"] = s.minRunnerVersion;
  if (spec.options) config.rules = spec.options;
  return config;
}

/** A VS Code workspace: a copy of the fixture, a git repository (its root), with the case's settings in `.credflow.yml`. */
function workspace(source: string, spec?: CaseFile): string {
  const dir = tempDir("credflow-vscode-");
  fs.cpSync(source, dir, { recursive: true });
  fs.mkdirSync(path.join(dir, ".git"), { recursive: true });
  if (spec && !fs.existsSync(path.join(dir, ".credflow.yml"))) {
    const config = configFor(spec);
    if (Object.keys(config).length > 0) fs.writeFileSync(path.join(dir, ".credflow.yml"), JSON.stringify(config, null, 2));
  }
  return dir;
}

interface Checked {
  problems: Problem[];
  findings: JsonFinding[];
}

/** Runs the task (or only its credflow command) in a workspace and checks its problems against the JSON report of the same run. */
async function check(cwd: string, label: string, how: "task" | "bundle" = "task"): Promise<Checked> {
  const run = how === "task" ? await runTask(cwd, [GLOBAL_BIN, NODE_ONLY]) : await runBundle(cwd);
  expect(run.stderr, label).toBe("");
  expect([0, 1], `${label}: exit code`).toContain(run.code);
  expect(run.stdout, label).not.toContain("\x1b");

  const json = await cli([".", "--format", "json"], { cwd });
  const findings = (JSON.parse(json.stdout) as { findings: JsonFinding[] }).findings;
  const { problems, unmatched, ambiguous } = vscodeProblems(run.stdout);

  expect(ambiguous, `${label}: lines both patterns match`).toEqual([]);
  expect(problems, label).toEqual(expectedProblems(findings));
  // Every problem is a marker of its own.
  const keys = problems.map(markerKey);
  expect(keys.filter((k, i) => keys.indexOf(k) !== i), `${label}: problems that would collapse`).toEqual([]);
  // Every file resolves against the workspace folder, as `fileLocation` says.
  for (const p of problems) expect(fs.existsSync(path.join(cwd, p.file)), `${label}: ${p.file}`).toBe(true);

  // What no pattern takes: "no fix:" notes under findings, then a blank line and the summary.
  const blank = unmatched.indexOf("");
  if (findings.length === 0) {
    expect(run.stdout, label).toMatch(/^No findings( \(\d+ suppressed\))?\.\n$/);
  } else {
    expect(unmatched.slice(0, blank), label).toEqual(findings.filter((f) => f.fixNote).map((f) => `    no fix: ${f.fixNote}`));
    const summary = unmatched.slice(blank + 1).filter((l) => l !== "");
    expect(summary[0], label).toMatch(/^\d+ errors?, \d+ warnings?, \d+ notes? in \d+ files?( \(\d+ suppressed\))?$/);
    for (const l of summary.slice(1)) expect(l, label).toMatch(/fixable with --fix/);
  }
  return { problems, findings };
}

// ---------------------------------------------------------------------------------------------

describe("integrations/vscode/tasks.json", () => {
  it("runs credflow through node with a fallback script, and declares a matcher for findings and one for related places", () => {
    expect(TASKS.version).toBe("2.0.0");
    expect(TASK.type).toBe("process");
    expect(TASK.command).toBe("node");
    expect(TASK.args[0]).toBe("-e");
    expect(TASK.args.slice(2)).toEqual(["--", ...CREDFLOW_ARGS]);
    // VS Code substitutes ${…} in arguments; the script must not contain any.
    expect(TASK.args[1]).not.toContain("${");
    // The script never reaches for npm or npx (which would ask the registry).
    expect(TASK.args[1]).not.toMatch(/\bnpx?\b/);
    expect(TASK.options?.cwd).toBe("${workspaceFolder}");

    const [findingMatcher, relatedMatcher] = TASK.problemMatcher;
    expect(TASK.problemMatcher).toHaveLength(2);
    for (const m of [findingMatcher!, relatedMatcher!]) {
      expect(m.owner).toBe("credflow");
      expect(m.source).toBe("credflow");
      expect(m.applyTo).toBe("allDocuments");
      expect(m.fileLocation).toEqual(["relative", "${workspaceFolder}"]);
    }
    expect(findingMatcher!.pattern).toMatchObject({ file: 1, line: 2, column: 3, severity: 4, message: 5, code: 6 });
    expect(relatedMatcher!.severity).toBe("info");
    expect(relatedMatcher!.pattern).toEqual({ regexp: relatedMatcher!.pattern.regexp, file: 1, line: 2, column: 3, message: 4, code: 5 });
    // The same expressions the concise reporter documents and its own tests check.
    expect(COMPILED[0]!.source).toBe(PROBLEM_MATCHER_REGEXP.source);
    expect(COMPILED[1]!.source).toBe(RELATED_MATCHER_REGEXP.source);
  });

  const ruleDirs = fs.readdirSync(FIXTURES).filter((d) => fs.statSync(path.join(FIXTURES, d)).isDirectory());

  it("covers every rule that has fixtures", () => {
    expect(ruleDirs.length).toBeGreaterThan(0);
    for (const d of ruleDirs) expect(RULES.some((r) => r.id === d), d).toBe(true);
  });

  for (const ruleId of ruleDirs) {
    it(`turns the real output on every ${ruleId} fixture into exactly its findings and related places`, async () => {
      const cases = fs.readdirSync(path.join(FIXTURES, ruleId)).filter((c) => fs.existsSync(path.join(FIXTURES, ruleId, c, "case.json")));
      expect(cases.length).toBeGreaterThan(0);
      const results = await pool(cases, async (c) => {
        const source = path.join(FIXTURES, ruleId, c);
        const spec = JSON.parse(fs.readFileSync(path.join(source, "case.json"), "utf8")) as CaseFile;
        const { problems } = await check(workspace(source, spec), `${ruleId}/${c}`, "bundle");
        return { c, spec, problems };
      });
      for (const { c, spec, problems } of results) {
        // The case's own findings are among the problems, at the level it expects: the
        // settings reached credflow through .credflow.yml, and the rule's lines were matched.
        const rule = RULES.find((r) => r.id === ruleId)!;
        const got = problems.filter((p) => p.matcher === 0 && p.code === ruleId).map((p) => `${p.file}:${p.line}:${p.severity}`);
        const want = spec.expect.map((e) => `${e.path}:${e.line}:${vscodeSeverity(e.level ?? rule.defaultLevel, undefined)}`);
        expect(got.sort(), `${ruleId}/${c}`).toEqual(want.sort());
      }
      // Its flagged cases put the rule's own lines in front of the matchers.
      expect(results.some((r) => r.problems.some((p) => p.code === ruleId))).toBe(true);
    });
  }

  it("turns the real output on examples/ into exactly its findings and related places", async () => {
    const { problems, findings } = await check(workspace(path.join(ROOT, "examples")), "examples");
    expect(new Set(findings.map((f) => f.level))).toEqual(new Set(["error", "warning", "note"]));
    // The composite action's problem at its own file, and the place of the role it overrides linked to it.
    const shadow = problems.find((p) => p.matcher === 0 && p.code === "credential-env-shadowing")!;
    expect(shadow).toMatchObject({ file: ".github/actions/deploy/action.yml", severity: "error" });
    const owner = `credential-env-shadowing at ${shadow.file}:${shadow.line}:${shadow.column}`;
    expect(problems.filter((p) => p.matcher === 1 && p.code === owner).map((p) => p.file)).toContain(".github/actions/assume-role/action.yml");
  });

  it("links a role conflict to the composite's configure call and to the step that runs as the old role", async () => {
    const { problems } = await check(workspace(path.join(FIXTURES, "composite-role-conflict", "composite-called-twice")), "composite-called-twice");
    expect(problems.filter((p) => p.code === "composite-role-conflict at .github/workflows/deploy.yml:15:15")).toEqual([
      expect.objectContaining({ file: ".github/actions/assume/action.yml", line: 9, column: 13, severity: "info", message: "assumes role `deploy` inside the composite; exports role `build` before the composite starts" }),
      expect.objectContaining({ file: ".github/actions/assume/action.yml", line: 13, column: 7, severity: "info", message: "still runs as role `build` on runners older than v2.295.0" }),
    ]);
  });

  it("matches nothing on a clean workspace", async () => {
    const run = await runTask(workspace(path.join(ROOT, "test", "fixtures-integration", "clean")), [GLOBAL_BIN, NODE_ONLY]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe("No findings.\n");
    expect(vscodeProblems(run.stdout).problems).toEqual([]);
  });
});

describe("the task's fallback when credflow is not installed", () => {
  /** A stand-in for credflow that says which one ran and with what, and exits 1 like a run with findings. */
  function standIn(file: string, name: string): void {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `#!/usr/bin/env node\nconsole.log(${JSON.stringify(name)}, JSON.stringify(process.argv.slice(2)));\nprocess.exit(1);\n`, { mode: 0o755 });
  }
  /** A workspace that is a credflow checkout: package.json named credflow, the bundle in dist/. */
  function checkout(): string {
    const dir = tempDir("credflow-vscode-checkout-");
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "credflow", version: "0.0.0" }));
    standIn(path.join(dir, "dist", "credflow.mjs"), "checkout bundle");
    return dir;
  }
  const said = (name: string) => `${name} ${JSON.stringify(CREDFLOW_ARGS)}\n`;

  it("runs the checkout's own bundle when credflow is not on PATH", async () => {
    const run = await runTask(checkout(), [NODE_ONLY]);
    expect(run).toEqual({ code: 1, stdout: said("checkout bundle"), stderr: "" });
  });

  it("runs the real bundle of this checkout, which lints the checkout", async () => {
    expect(fs.readdirSync(NODE_ONLY)).toEqual(["node"]);
    const run = await runTask(ROOT, [NODE_ONLY]);
    expect(run.stderr).toBe("");
    expect([0, 1]).toContain(run.code);
    expect(run.stdout).toMatch(/^(No findings\.|\d+ errors?, \d+ warnings?, \d+ notes? in \d+ files?)/m);
  });

  it("prefers credflow on PATH (a global install) to the checkout's bundle", async () => {
    const bin = tempDir("credflow-vscode-bin-");
    standIn(path.join(bin, "credflow"), "on PATH");
    expect(await runTask(checkout(), [bin, NODE_ONLY])).toEqual({ code: 1, stdout: said("on PATH"), stderr: "" });
  });

  it("skips a credflow on PATH that cannot be run", async () => {
    const bin = tempDir("credflow-vscode-bin-");
    fs.writeFileSync(path.join(bin, "credflow"), "not a program\n", { mode: 0o644 });
    expect(await runTask(checkout(), [bin, NODE_ONLY])).toEqual({ code: 1, stdout: said("checkout bundle"), stderr: "" });
  });

  it("prefers the project's install, here or in a folder above, to credflow on PATH", async () => {
    const bin = tempDir("credflow-vscode-bin-");
    standIn(path.join(bin, "credflow"), "on PATH");
    const project = checkout();
    standIn(path.join(project, "node_modules", "credflow", "dist", "credflow.mjs"), "project install");
    expect(await runTask(project, [bin, NODE_ONLY])).toEqual({ code: 1, stdout: said("project install"), stderr: "" });
    // A workspace folder inside a monorepo whose node_modules is at its root.
    const sub = path.join(project, "packages", "app");
    fs.mkdirSync(sub, { recursive: true });
    expect(await runTask(sub, [bin, NODE_ONLY])).toEqual({ code: 1, stdout: said("project install"), stderr: "" });
  });

  it("passes credflow's exit code and output through unchanged", async () => {
    const dir = workspace(path.join(ROOT, "test", "fixtures-integration", "failing"));
    const viaTask = await runTask(dir, [GLOBAL_BIN, NODE_ONLY]);
    const direct = spawnSync(process.execPath, [BUNDLE, ...CREDFLOW_ARGS], { cwd: dir, encoding: "utf8", env: { PATH: NODE_ONLY, XDG_CACHE_HOME: CACHE_HOME } });
    expect(viaTask).toEqual({ code: direct.status, stdout: direct.stdout, stderr: direct.stderr });
    expect(viaTask.code).toBe(1);
  });

  it("says in one line what is missing, without the network, when there is no credflow at all", async () => {
    // A folder with a bundle but another package's name is not a credflow checkout.
    const other = tempDir("credflow-vscode-other-");
    fs.writeFileSync(path.join(other, "package.json"), JSON.stringify({ name: "not-credflow" }));
    standIn(path.join(other, "dist", "credflow.mjs"), "someone else's bundle");
    for (const cwd of [other, tempDir("credflow-vscode-empty-")]) {
      const run = await runTask(cwd, [NODE_ONLY]);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe("");
      expect(run.stderr).toMatch(/^credflow: not installed: [^\n]*#install\)\n$/);
      expect(vscodeProblems(run.stderr).problems).toEqual([]);
    }
  });
});

describe("the VS Code snippet in docs/integrations.md", () => {
  it("is the shipped tasks.json", () => {
    const docs = fs.readFileSync(path.join(ROOT, "docs", "integrations.md"), "utf8");
    const snippet = /<!-- snippet: vscode-task -->\n```json\n([\s\S]*?)```/.exec(docs)?.[1];
    expect(snippet).toBeDefined();
    expect(JSON.parse(snippet!)).toEqual(TASKS);
  });
});
