/**
 * integrations/vscode/tasks.json: its inline problem matcher, fed the real text output of the task's
 * own command (run through the bundle instead of npx), must turn every finding into exactly one
 * problem with the right file, position, severity, message and code, and nothing else.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { PROBLEM_MATCHER_REGEXP } from "../../src/report/text.js";

const ROOT = path.resolve(__dirname, "..", "..");
const BUNDLE = path.join(ROOT, "dist", "credflow.mjs");

interface Pattern {
  regexp: string;
  file: number;
  line: number;
  column: number;
  severity: number;
  message: number;
  code: number;
}
interface Task {
  label: string;
  type: string;
  command: string;
  args: string[];
  options?: { cwd?: string };
  problemMatcher: { owner: string; source: string; fileLocation: [string, string]; severity?: string; pattern: Pattern };
}

// Strict JSON (no comments, no trailing commas): JSON.parse throws otherwise.
const TASKS = JSON.parse(fs.readFileSync(path.join(ROOT, "integrations", "vscode", "tasks.json"), "utf8")) as { version: string; tasks: Task[] };
const TASK = TASKS.tasks.find((t) => t.label === "credflow")!;

interface JsonFinding {
  rule: string;
  level: "error" | "warning" | "note";
  message: string;
  path: string;
  line: number;
  column: number;
  fix: { safe: boolean } | null;
}

/** VS Code's mapping of a matched severity (problemMatcher.ts: error, warning, info; `note` and `hint` → info). */
function vscodeSeverity(value: string, fallback = "error"): string {
  const v = value.toLowerCase();
  if (v === "error" || v === "warning" || v === "info") return v;
  if (v === "warn") return "warning";
  if (v === "note" || v === "hint") return "info";
  return fallback;
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function workspace(fixture: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "credflow-vscode-"));
  dirs.push(dir);
  fs.cpSync(path.join(ROOT, "test", "fixtures-integration", fixture), dir, { recursive: true });
  fs.mkdirSync(path.join(dir, ".git"));
  return dir;
}

/** The task's command line with `npx credflow` replaced by the bundle; FORCE_COLOR as a TTY would. */
function runTask(cwd: string, extraArgs: string[] = []): { stdout: string; status: number | null } {
  expect(TASK.command).toBe("npx");
  expect(TASK.args[0]).toBe("credflow");
  const res = spawnSync(process.execPath, [BUNDLE, ...TASK.args.slice(1), ...extraArgs], {
    cwd,
    encoding: "utf8",
    env: { PATH: process.env.PATH, FORCE_COLOR: "1" },
  });
  return { stdout: res.stdout, status: res.status };
}

describe("integrations/vscode/tasks.json", () => {
  it("declares an inline problem matcher for credflow's text lines", () => {
    expect(TASKS.version).toBe("2.0.0");
    expect(TASK.args).toEqual(["credflow", ".", "--format", "concise", "--no-color"]);
    expect(TASK.options?.cwd).toBe("${workspaceFolder}");
    const m = TASK.problemMatcher;
    expect(m.owner).toBe("credflow");
    expect(m.source).toBe("credflow");
    expect(m.fileLocation).toEqual(["relative", "${workspaceFolder}"]);
    expect(m.pattern).toMatchObject({ file: 1, line: 2, column: 3, severity: 4, message: 5, code: 6 });
    // The same expression the text reporter documents and its own tests check.
    expect(new RegExp(m.pattern.regexp).source).toBe(PROBLEM_MATCHER_REGEXP.source);
  });

  it("matches every finding of the real output once, with the right groups, and nothing else", () => {
    const cwd = workspace("failing");
    const text = runTask(cwd);
    expect(text.status).toBe(1);
    expect(text.stdout).not.toContain("\x1b[");
    const json = spawnSync(process.execPath, [BUNDLE, ".", "--format", "json"], { cwd, encoding: "utf8" });
    const findings = (JSON.parse(json.stdout) as { findings: JsonFinding[] }).findings;
    expect(findings.length).toBeGreaterThanOrEqual(3);
    expect(new Set(findings.map((f) => f.level))).toEqual(new Set(["error", "warning", "note"]));

    const p = TASK.problemMatcher.pattern;
    const re = new RegExp(p.regexp);
    const lines = text.stdout.split("\n");
    const matched = lines.map((l) => re.exec(l)).filter((m): m is RegExpExecArray => m !== null);
    expect(matched).toHaveLength(findings.length);

    matched.forEach((m, i) => {
      const f = findings[i]!;
      const hint = f.fix ? (f.fix.safe ? " (fixable)" : " (fixable with --unsafe-fixes)") : "";
      expect({
        file: m[p.file],
        line: Number(m[p.line]),
        column: Number(m[p.column]),
        severity: m[p.severity],
        message: m[p.message],
        code: m[p.code],
      }).toEqual({ file: f.path, line: f.line, column: f.column, severity: f.level, message: f.message + hint, code: f.rule });
      // The file resolves against the workspace folder as fileLocation says.
      expect(fs.existsSync(path.join(cwd, m[p.file]!))).toBe(true);
      expect(vscodeSeverity(m[p.severity]!, TASK.problemMatcher.severity)).toBe({ error: "error", warning: "warning", note: "info" }[f.level]);
    });

    // Related locations (indented), the blank line and the summary stay out of the Problems panel.
    const related = lines.filter((l) => l.startsWith("    "));
    expect(related.length).toBeGreaterThan(0);
    for (const l of related) expect(re.test(l)).toBe(false);
    // The summary follows the blank line: counts by level, then what --fix can do.
    const summary = lines.slice(lines.indexOf("") + 1).filter((l) => l.trim() !== "");
    expect(summary.length).toBeGreaterThanOrEqual(1);
    expect(summary[0]).toMatch(/^\d+ errors?, .* in \d+ files?$/);
    for (const l of summary) expect(re.test(l)).toBe(false);
  });

  it("finds the composite action's problem at its own file", () => {
    const cwd = workspace("failing");
    const re = new RegExp(TASK.problemMatcher.pattern.regexp);
    const problems = runTask(cwd)
      .stdout.split("\n")
      .map((l) => re.exec(l))
      .filter((m): m is RegExpExecArray => m !== null);
    expect(problems.some((m) => m[1] === ".github/actions/deploy/action.yml" && m[6] === "credential-env-shadowing" && m[4] === "error")).toBe(true);
  });

  it("matches nothing on a clean workspace", () => {
    const out = runTask(workspace("clean"));
    expect(out.status).toBe(0);
    const re = new RegExp(TASK.problemMatcher.pattern.regexp);
    expect(out.stdout.split("\n").filter((l) => re.test(l))).toEqual([]);
    expect(out.stdout).toBe("No findings.\n");
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
