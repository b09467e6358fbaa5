/**
 * Issue 4: the machine formats through the CLI. rdjsonl (reviewdog Diagnostics, UTF-8 byte
 * columns, suggestions from fixes), github (workflow commands, columns only on one line, escaping,
 * `$GITHUB_STEP_SUMMARY`), SARIF written with `--output`, and no ANSI in any machine format
 * whatever `--color`, FORCE_COLOR or a TTY say.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cli } from "../helpers/cli.js";
import { tempRepo } from "../helpers/temp-repo.js";
import { ANSI, cleanTempDirs, sarifErrors, tempDir, type RdDiagnosticView, type SarifLogView } from "./helpers.js";

afterAll(cleanTempDirs);

const V4_SHA = "7474bc4690e29a8392af63c5b98e7449536d5c3a";
const NON_ASCII_LINE = `      - { name: "Déploiement 🚀 vers l'été", uses: aws-actions/configure-aws-credentials@v4, with: { role-to-assume: "arn:aws:iam::123456789012:role/ci", aws-region: us-east-1 } }`;

const WORKFLOW = [
  "name: ci",
  "on: push",
  "permissions:",
  "  id-token: write",
  "jobs:",
  "  deploy:",
  "    runs-on: ubuntu-latest",
  "    steps:",
  NON_ASCII_LINE,
  "      - uses: ./.github/actions/login",
  "      - run: echo done",
  "",
].join("\n");

/** A composite run step without `shell`: a schema finding spanning several lines (the step). */
const ACTION = ["name: login", "runs:", "  using: composite", "  steps:", "    - run: echo login", "      working-directory: .", ""].join("\n");

interface JsonFinding {
  rule: string;
  level: "error" | "warning" | "note";
  message: string;
  path: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  fix: unknown;
}

function project(extra: Record<string, string> = {}): string {
  return tempRepo({ ".github/workflows/ci.yml": WORKFLOW, ".github/actions/login/action.yml": ACTION, ...extra });
}

async function jsonFindings(dir: string): Promise<JsonFinding[]> {
  const r = await cli([".", "--format", "json"], { cwd: dir });
  return (JSON.parse(r.stdout) as { findings: JsonFinding[] }).findings;
}

/** UTF-8 byte column (1-based) of a UTF-16 column (1-based) in `line`. */
function byteColumn(line: string, utf16Column: number): number {
  return Buffer.byteLength(line.slice(0, utf16Column - 1), "utf8") + 1;
}

describe("--format rdjsonl", () => {
  it("writes one reviewdog Diagnostic per line, with every field reviewdog reads", async () => {
    const dir = project();
    const r = await cli([".", "--format", "rdjsonl"], { cwd: dir });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(1);
    expect(r.stdout.endsWith("\n")).toBe(true);
    const lines = r.stdout.slice(0, -1).split("\n");
    const json = await jsonFindings(dir);
    expect(lines).toHaveLength(json.length);
    const severity = { error: "ERROR", warning: "WARNING", note: "INFO" } as const;
    for (const line of lines) {
      const d = JSON.parse(line) as RdDiagnosticView;
      expect(Object.keys(d).sort()).toEqual(expect.arrayContaining(["code", "location", "message", "severity", "source"]));
      expect(d.source).toEqual({ name: "credflow" });
      expect(d.code.url).toBe(`https://github.com/credflow/credflow/blob/main/docs/rules/${d.code.value}.md`);
      expect(["ERROR", "WARNING", "INFO"]).toContain(d.severity);
      expect(d.location.path).not.toMatch(/^\.?\//);
      const same = json.find((f) => f.rule === d.code.value && f.path === d.location.path && f.line === d.location.range.start.line && f.message === d.message);
      expect(same, line).toBeDefined();
      expect(d.severity).toBe(severity[same!.level]);
      expect(d.location.range.end.line).toBe(same!.endLine);
    }
  });

  it("counts columns in UTF-8 bytes on a non-ASCII line, and turns the fix into a suggestion", async () => {
    const dir = project();
    const r = await cli([".", "--format", "rdjsonl"], { cwd: dir });
    const diags = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as RdDiagnosticView);
    const pin = diags.find((d) => d.code.value === "unpinned-ref" && d.location.range.start.line === 9);
    expect(pin).toBeDefined();

    // The same finding in UTF-16 code units (JSON/SARIF) and in bytes (rdjsonl).
    const json = (await jsonFindings(dir)).find((f) => f.rule === "unpinned-ref" && f.line === 9)!;
    const usesAt = NON_ASCII_LINE.indexOf("aws-actions/") + 1;
    expect(json.column).toBe(usesAt);
    expect(pin!.location.range.start.column).toBe(byteColumn(NON_ASCII_LINE, json.column));
    expect(pin!.location.range.end.column).toBe(byteColumn(NON_ASCII_LINE, json.endColumn));
    // Three é (2 bytes, 1 code unit each) and 🚀 (4 bytes, 2 code units): 5 bytes more than code units.
    expect(pin!.location.range.start.column - json.column).toBe(5);

    // Applying the suggestion to the line's bytes gives what --fix writes.
    expect(pin!.suggestions).toHaveLength(1);
    const s = pin!.suggestions![0]!;
    expect(s.range.start.line).toBe(9);
    expect(s.range.end.line).toBe(9);
    const bytes = Buffer.from(NON_ASCII_LINE, "utf8");
    const suggested = Buffer.concat([
      bytes.subarray(0, s.range.start.column - 1),
      Buffer.from(s.text, "utf8"),
      bytes.subarray(s.range.end.column - 1),
    ]).toString("utf8");
    expect(suggested).toBe(NON_ASCII_LINE.replace("@v4", `@${V4_SHA}`));
    await cli([".", "--fix"], { cwd: dir });
    expect(fs.readFileSync(path.join(dir, ".github/workflows/ci.yml"), "utf8").split("\n")[8]).toBe(suggested);

    // Findings without a fix have no suggestions.
    for (const d of diags.filter((x) => x.code.value === "workflow-schema")) expect(d.suggestions).toBeUndefined();
  });

  it("prints nothing for a clean repository and exits 0", async () => {
    const dir = tempRepo({ ".github/workflows/ci.yml": "on: push\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ok\n" });
    const r = await cli([".", "--format", "rdjsonl"], { cwd: dir });
    expect(r).toEqual({ code: 0, stdout: "", stderr: "" });
  });
});

/** `::error file=F,line=1,...::message` → its parts (properties unescaped only as far as tests need). */
function parseCommand(line: string): { command: string; props: Record<string, string>; message: string } {
  const m = /^::(error|warning|notice) ([^:]*)::(.*)$/.exec(line);
  if (!m) throw new Error(`not a workflow command: ${line}`);
  const props: Record<string, string> = {};
  for (const kv of m[2]!.split(",")) {
    const eq = kv.indexOf("=");
    props[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  return { command: m[1]!, props, message: m[3]! };
}

const unescapeProperty = (s: string) => s.replace(/%2C/g, ",").replace(/%3A/g, ":").replace(/%0A/g, "\n").replace(/%0D/g, "\r").replace(/%25/g, "%");

describe("--format github", () => {
  it("writes workflow commands matching the findings; col/endColumn only on one line", async () => {
    const dir = project();
    const r = await cli([".", "--format", "github"], { cwd: dir, env: {} });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(1);
    const lines = r.stdout.slice(0, -1).split("\n");
    const json = await jsonFindings(dir);
    expect(lines).toHaveLength(json.length);
    const command = { error: "error", warning: "warning", note: "notice" } as const;
    let multi = 0;
    let single = 0;
    for (const line of lines) {
      const { command: cmd, props, message } = parseCommand(line);
      const f = json.find((x) => x.rule === props.title && x.path === unescapeProperty(props.file!) && String(x.line) === props.line);
      expect(f, line).toBeDefined();
      expect(cmd).toBe(command[f!.level]);
      expect(props.endLine).toBe(String(f!.endLine));
      if (f!.line === f!.endLine) {
        single++;
        expect(props.col).toBe(String(f!.column));
        expect(props.endColumn).toBe(String(f!.endColumn));
      } else {
        multi++;
        expect(props).not.toHaveProperty("col");
        expect(props).not.toHaveProperty("endColumn");
      }
      expect(message).not.toMatch(/[\r\n]/);
      expect(Object.keys(props).slice(0, 3)).toEqual(["file", "line", "endLine"]);
    }
    expect(single).toBeGreaterThan(0);
    expect(multi).toBeGreaterThan(0);
    // A safe fix is named; the edit itself is not part of an annotation.
    expect(r.stdout).toMatch(/title=unpinned-ref::.* Fix \(credflow --fix\): Pin /m);
  });

  it("escapes properties (`,` `:` `%`) and message line breaks", async () => {
    const name = ".github/workflows/a,b:c%d.yml";
    const dir = tempRepo({
      [name]: ["on: push", "jobs:", "  j:", "    runs-on: ubuntu-latest", "    steps:", "      - uses: aws-actions/configure-aws-credentials@v4", ""].join("\n"),
    });
    const r = await cli([".", "--format", "github"], { cwd: dir });
    const line = r.stdout.split("\n").find((l) => l.includes("title=unpinned-ref"))!;
    expect(line).toContain("file=.github/workflows/a%2Cb%3Ac%25d.yml,line=6,");
    expect(unescapeProperty(parseCommand(line).props.file!)).toBe(name);

    // A finding with related locations: they follow the message on escaped new lines.
    const fanout = tempRepo({
      ".github/workflows/ci.yml": [
        "on: push",
        "permissions:",
        "  id-token: write",
        "jobs:",
        ...["a", "b"].flatMap((j) => [
          `  ${j}:`,
          "    runs-on: ubuntu-latest",
          "    steps:",
          `      - uses: aws-actions/configure-aws-credentials@${V4_SHA} # v4.3.1`,
          "        with:",
          `          role-to-assume: arn:aws:iam::123456789012:role/${j}`,
          "          aws-region: us-east-1",
          "          disable-retry: true",
        ]),
        "",
      ].join("\n"),
    });
    const g = await cli([".", "--format", "github"], { cwd: fanout });
    const withRelated = g.stdout.split("\n").filter((l) => l.includes("title=oidc-fanout-no-retry"));
    expect(withRelated.length).toBeGreaterThan(0);
    expect(withRelated[0]).toContain("%0A.github/workflows/ci.yml:");
    expect(g.stdout.split("\n").every((l) => l === "" || l.startsWith("::"))).toBe(true);
  });

  it("appends a Markdown table of every finding to $GITHUB_STEP_SUMMARY", async () => {
    const dir = project();
    const summary = path.join(tempDir(), "step-summary.md");
    fs.writeFileSync(summary, "previous step\n");
    const r = await cli([".", "--format", "github"], { cwd: dir, env: { GITHUB_STEP_SUMMARY: summary } });
    expect(r.code).toBe(1);
    const text = fs.readFileSync(summary, "utf8");
    expect(text.startsWith("previous step\n")).toBe(true);
    const md = text.slice("previous step\n".length);
    expect(md).toMatch(/^## credflow\n\n\d+ errors?, \d+ warnings?, \d+ notes? in 2 files\n\n\| Severity \| File:line \| Rule \| Message \|\n\| --- \| --- \| --- \| --- \|\n/);
    const json = await jsonFindings(dir);
    const rows = md.split("\n").filter((l) => /^\| (Error|Warning|Note) \|/.test(l));
    expect(rows).toHaveLength(json.length);
    for (const f of json) expect(rows.some((row) => row.includes(`| ${f.path}:${f.line} | \`${f.rule}\` |`)), `${f.rule} ${f.path}:${f.line}`).toBe(true);
    // The summary goes to the file only; stdout stays workflow commands.
    expect(r.stdout).not.toContain("| Severity |");

    // Without the variable nothing else is written, and a clean run still gets its summary line.
    const clean = tempRepo({ ".github/workflows/ci.yml": "on: push\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ok\n" });
    const cleanSummary = path.join(tempDir(), "clean.md");
    const c = await cli([".", "--format", "github"], { cwd: clean, env: { GITHUB_STEP_SUMMARY: cleanSummary } });
    expect(c).toEqual({ code: 0, stdout: "", stderr: "" });
    expect(fs.readFileSync(cleanSummary, "utf8")).toContain("No findings.");
  });
});

describe("--format sarif --output", () => {
  it("writes a schema-valid log to the file and nothing to stdout", async () => {
    const dir = project();
    const r = await cli([".", "--format", "sarif", "--output", "credflow.sarif", "--exit-zero"], { cwd: dir });
    expect(r).toEqual({ code: 0, stdout: "", stderr: "" });
    const text = fs.readFileSync(path.join(dir, "credflow.sarif"), "utf8");
    const log = JSON.parse(text) as SarifLogView;
    expect(sarifErrors(log)).toEqual([]);
    const results = log.runs[0]!.results;
    expect(results.length).toBe((await jsonFindings(dir)).length);
    // SARIF columns are UTF-16 code units: the non-ASCII line's column equals the JSON one.
    const pin = results.find((x) => x.ruleId === "unpinned-ref")!;
    expect(pin.locations[0]!.physicalLocation.region.startColumn).toBe(NON_ASCII_LINE.indexOf("aws-actions/") + 1);
    expect(pin.fixes?.[0]?.artifactChanges[0]?.replacements[0]?.insertedContent.text).toBe(`aws-actions/configure-aws-credentials@${V4_SHA}`);
    // Same content as on stdout.
    const out = await cli([".", "--format", "sarif"], { cwd: dir });
    expect(out.stdout).toBe(text);
  });
});

describe("machine formats never contain ANSI", () => {
  // A workflow whose text carries an ESC (a double-quoted YAML "\e") that messages may quote.
  const hostile = () =>
    project({
      ".github/workflows/evil.yml": ["on: push", "jobs:", "  j:", "    runs-on: ubuntu-latest", "    steps:", '      - uses: "someorg/some-action@v1\\e[31mred"', ""].join("\n"),
    });

  for (const format of ["json", "sarif", "rdjsonl", "github"]) {
    it(`--format ${format} with --color, FORCE_COLOR and a TTY`, async () => {
      const dir = hostile();
      const summary = path.join(tempDir(), "summary.md");
      for (const args of [["--color"], []]) {
        const r = await cli([".", "--format", format, ...args], { cwd: dir, tty: true, env: { FORCE_COLOR: "3", GITHUB_STEP_SUMMARY: summary } });
        expect(r.code).toBe(1);
        expect(r.stdout.length).toBeGreaterThan(0);
        expect(r.stdout).not.toMatch(ANSI);
        expect(r.stdout).not.toContain("\u001b");
        expect(r.stderr).not.toContain("\u001b");
        // The hostile ref did reach the output, escaped (JSON `\u001b`, elsewhere a visible `\x1b`;
        // SARIF messages also escape the `[`).
        expect(r.stdout).toMatch(/\\u001b(\\\\)?\[31mred|\\x1b\[31mred/);
      }
      if (format === "github") expect(fs.readFileSync(summary, "utf8")).not.toContain("\u001b");
    });
  }

  it("while the text format does colour with --color (the flag works)", async () => {
    const r = await cli([".", "--color"], { cwd: project() });
    expect(r.stdout).toMatch(ANSI);
  });
});
