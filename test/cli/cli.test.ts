import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { cli, cliProcess, BUNDLE } from "../helpers/cli.js";
import { tempRepo } from "../helpers/temp-repo.js";
import { VERSION } from "../../src/version.js";

const BAD_YAML = "on: push\njobs:\n  j:\n    runs-on: [ubuntu\n";
const CLEAN = "on: push\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ok\n";

describe("cli", () => {
  it("keeps the version equal to package.json's", () => {
    const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, "../../package.json"), "utf8")) as { version: string };
    expect(VERSION).toBe(pkg.version);
  });

  it("exit codes: 0 clean, 1 findings, 2 unreadable path or bad usage", async () => {
    const clean = tempRepo({ ".github/workflows/ci.yml": CLEAN });
    expect((await cli(["."], { cwd: clean })).code).toBe(0);
    const bad = tempRepo({ ".github/workflows/ci.yml": BAD_YAML });
    const r = await cli(["."], { cwd: bad });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^error\[yaml-syntax\]: /m);
    expect(r.stdout).toMatch(/^ +--> \.github\/workflows\/ci\.yml:\d+:\d+$/m);
    const missing = await cli(["nope"], { cwd: clean });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe("credflow: nope: no such file or directory\n");
    expect((await cli(["--format", "xml"], { cwd: clean })).code).toBe(2);
    expect((await cli(["--fail-level", "none"], { cwd: bad })).code).toBe(0);
    expect((await cli(["--exit-zero"], { cwd: bad })).code).toBe(0);
  });

  it("--fail-level decides which findings fail the run", async () => {
    // A directory named like a workflow is a warning-level finding.
    const dir = tempRepo({ ".github/workflows/x.yml/keep": "" });
    expect((await cli(["."], { cwd: dir })).code).toBe(1);
    expect((await cli([".", "--fail-level", "error"], { cwd: dir })).code).toBe(0);
  });

  it("prints paths relative to the current directory with / separators", async () => {
    const dir = tempRepo({ "repo/.github/workflows/ci.yml": BAD_YAML });
    const r = await cli(["repo"], { cwd: dir });
    expect(r.stdout).toMatch(/^ +--> repo\/\.github\/workflows\/ci\.yml:5:/m);
    expect((await cli(["repo", "--format", "concise"], { cwd: dir })).stdout).toMatch(/^repo\/\.github\/workflows\/ci\.yml:5:/m);
  });

  it("lints a single file, and standard input named by --stdin-filename", async () => {
    const dir = tempRepo({ ".github/workflows/ci.yml": BAD_YAML });
    const single = await cli([".github/workflows/ci.yml"], { cwd: dir });
    expect(single.code).toBe(1);
    const stdin = await cli(["-", "--stdin-filename", ".github/workflows/piped.yml"], { cwd: dir, stdin: BAD_YAML });
    expect(stdin.code).toBe(1);
    expect(stdin.stdout).toMatch(/^ +--> \.github\/workflows\/piped\.yml:5:\d+$/m);
  });

  it("colour only when asked or on a TTY, never with NO_COLOR", async () => {
    const dir = tempRepo({ ".github/workflows/ci.yml": BAD_YAML });
    const esc = "\u001b[";
    expect((await cli(["."], { cwd: dir })).stdout).not.toContain(esc);
    expect((await cli(["."], { cwd: dir, tty: true })).stdout).toContain(esc);
    expect((await cli(["."], { cwd: dir, tty: true, env: { NO_COLOR: "1" } })).stdout).not.toContain(esc);
    expect((await cli([".", "--color"], { cwd: dir })).stdout).toContain(esc);
    expect((await cli(["."], { cwd: dir, env: { FORCE_COLOR: "1" } })).stdout).toContain(esc);
    expect((await cli([".", "--format", "json", "--color"], { cwd: dir })).stdout).not.toContain(esc);
  });

  it("--format json follows the documented schema", async () => {
    const dir = tempRepo({ ".github/workflows/ci.yml": BAD_YAML });
    const r = await cli([".", "--format", "json"], { cwd: dir });
    const doc = JSON.parse(r.stdout) as { version: number; findings: Array<Record<string, unknown>> };
    expect(doc.version).toBe(1);
    expect(doc.findings[0]).toMatchObject({ rule: "yaml-syntax", level: "error", path: ".github/workflows/ci.yml", line: 5 });
    for (const k of ["column", "endLine", "endColumn", "message", "related"]) expect(doc.findings[0]).toHaveProperty(k);
  });

  it("--output writes the report to a file", async () => {
    const dir = tempRepo({ ".github/workflows/ci.yml": BAD_YAML });
    const r = await cli([".", "--format", "json", "--output", "report.json"], { cwd: dir });
    expect(r.stdout).toBe("");
    expect(JSON.parse(fs.readFileSync(path.join(dir, "report.json"), "utf8")).findings.length).toBeGreaterThan(0);
  });

  it("credflow rules lists every rule", async () => {
    const r = await cli(["rules"], { cwd: process.cwd() });
    expect(r.code).toBe(0);
    for (const id of ["yaml-syntax", "workflow-schema", "local-action-resolution", "matrix-job-limit"]) expect(r.stdout).toContain(id);
  });

  it("credflow graph prints mermaid, dot and json with the credential timeline", async () => {
    const dir = tempRepo({
      ".github/workflows/ci.yml": `on: push
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: arn:aws:iam::123456789012:role/deploy
          aws-region: us-east-1
      - run: aws s3 ls
`,
    });
    const mermaid = await cli(["graph", "."], { cwd: dir });
    expect(mermaid.stdout.split("\n")[0]).toBe("flowchart TD");
    expect(mermaid.stdout).toContain("arn:aws:iam::123456789012:role/deploy · oidc · v4.3.1");
    const dot = await cli(["graph", ".", "--format", "dot"], { cwd: dir });
    expect(dot.stdout).toMatch(/^digraph credflow \{/);
    expect(dot.stdout.trim().endsWith("}")).toBe(true);
    const json = JSON.parse((await cli(["graph", ".", "--format", "json"], { cwd: dir })).stdout);
    const timeline = json.workflows[0].jobs[0].timeline;
    expect(timeline[0].configures).toMatchObject({ role: "arn:aws:iam::123456789012:role/deploy", mode: "oidc", version: "v4.3.1" });
    expect(timeline[1].credentials).toMatchObject({ role: "arn:aws:iam::123456789012:role/deploy", line: 6 });
  });
});

describe("bundled binary", () => {
  it("is built", () => {
    expect(fs.existsSync(BUNDLE)).toBe(true);
  });

  it("reports bad input without a stack trace and with the right exit code", () => {
    const dir = tempRepo({ ".github/workflows/ci.yml": BAD_YAML });
    const r = cliProcess(["."], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("");
    const missing = cliProcess(["does-not-exist"], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim().split("\n")).toHaveLength(1);
    expect(missing.stderr).not.toMatch(/\bat .*:\d+:\d+/);
  });

  it("reads standard input", () => {
    const dir = tempRepo({});
    const r = cliProcess(["-", "--stdin-filename", "ci.yml"], { cwd: dir, stdin: BAD_YAML });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("ci.yml:5:");
  });
});
