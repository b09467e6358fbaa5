/**
 * A run over several repositories lints them one after another (engine/run.ts) and must report
 * exactly what one lint of everything reports. Each case compares the two renderings byte for byte
 * and checks that the case really depends on the path taken (so the comparison can fail).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { lint, lintCore, type LintRequest } from "../../src/engine/lint.js";
import { lintRun, outcomeOf, type PartLinter } from "../../src/engine/run.js";
import { discover } from "../../src/discover/discover.js";
import { offlinePins } from "../../src/knowledge/pins.js";
import { formatJson } from "../../src/report/json.js";
import type { LintResult } from "../../src/engine/lint.js";
import type { Settings } from "../../src/rules/types.js";
import { tempRepo } from "../helpers/temp-repo.js";
import { FIXTURES } from "../helpers/lint-fixture.js";

const REALWORLD = path.resolve(__dirname, "..", "realworld");

function request(cwd: string, paths: string[], extra: Partial<LintRequest> = {}, settings: Partial<Settings> = {}): LintRequest {
  return { paths, cwd, settings: { visibility: "unknown", ...settings }, pins: offlinePins(), ruleOptions: () => ({}), ...extra };
}

const rendered = (cwd: string, r: Pick<LintResult, "findings" | "suppressed" | "files">): string =>
  formatJson({ findings: r.findings, suppressed: r.suppressed, files: r.files, cwd, toolVersion: "test", fileText: (p: string) => r.files.find((f) => f.path === p)?.text } as never);

/** lintRun, counting the repositories it linted one at a time. */
async function oneByOne(req: LintRequest): Promise<{ text: string; parts: number }> {
  let parts = 0;
  const found = discover(req.paths, req.cwd);
  const lintPart: PartLinter = async (r, part, spent) => {
    parts++;
    return outcomeOf(await lintCore(r, part, { expansionSpent: spent }), found, part);
  };
  const result = await lintRun(req, { lintPart });
  return { text: rendered(req.cwd, result), parts };
}

async function together(req: LintRequest): Promise<string> {
  return rendered(req.cwd, await lint(req));
}

function copyInto(dest: string, from: string, only?: (rel: string) => boolean): void {
  for (const entry of fs.readdirSync(from, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const abs = path.join(entry.parentPath, entry.name);
    const rel = path.relative(from, abs);
    if (rel === "case.json" || (only && !only(rel))) continue;
    fs.mkdirSync(path.dirname(path.join(dest, rel)), { recursive: true });
    fs.copyFileSync(abs, path.join(dest, rel));
  }
}

/** A folder holding repositories (each with a `.git` folder, as a clone has). */
function workspace(repos: Record<string, { from?: string; only?: (rel: string) => boolean; files?: Record<string, string> }>): string {
  const dir = tempRepo({});
  for (const [name, spec] of Object.entries(repos)) {
    const root = path.join(dir, name);
    fs.mkdirSync(path.join(root, ".git"), { recursive: true });
    if (spec.from) copyInto(root, spec.from, spec.only);
    for (const [rel, text] of Object.entries(spec.files ?? {})) {
      fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      fs.writeFileSync(path.join(root, rel), text);
    }
  }
  return dir;
}

describe("a run over several repositories", () => {
  it("lints independent repositories one at a time and reports what one lint of all of them reports", async () => {
    const names = ["CMSgov__ab2d", "alphagov__govuk-infrastructure", "aws__aws-sam-cli", "cds-snc__forms-terraform"];
    const dir = workspace(Object.fromEntries(names.map((n) => [n, { from: path.join(REALWORLD, n) }])));
    const req = request(dir, names);
    const { text, parts } = await oneByOne(req);
    expect(parts).toBe(names.length);
    expect(text).toBe(await together(req));
    expect(JSON.parse(text).findings.length).toBeGreaterThan(10);
  });

  it("lints together the repositories whose jobs assume a role defined in another one", async () => {
    const fixture = path.join(FIXTURES, "oidc-trust-subject-mismatch", "tf-jsonencode-environment");
    const dir = workspace({
      app: { from: fixture, only: (rel) => rel.startsWith(".github") },
      infra: { from: fixture, only: (rel) => rel.startsWith("infra") },
      other: { files: { ".github/workflows/ci.yml": "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make\n" } },
    });
    const req = request(dir, ["app", "infra", "other"], {}, { repository: { owner: "acme", name: "app", source: "config" } } as Partial<Settings>);
    const { text } = await oneByOne(req);
    expect(text).toBe(await together(req));
    // The mismatch is only visible with both sides of the handshake.
    const mismatch = (t: string) => JSON.parse(t).findings.filter((f: { rule: string }) => f.rule === "oidc-trust-subject-mismatch");
    expect(mismatch(text)).toHaveLength(1);
    expect(mismatch(await together(request(dir, ["app"], {}, { repository: { owner: "acme", name: "app", source: "config" } } as Partial<Settings>)))).toHaveLength(0);
  });

  it("lints together a `workflow_run` workflow and the repository whose workflow it names", async () => {
    const dir = workspace({
      a: { from: path.join(FIXTURES, "oidc-untrusted-trigger", "workflow-run-head-sha") },
      b: { files: { ".github/workflows/build.yml": "name: ci\non: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make\n" } },
    });
    const req = request(dir, ["a", "b"]);
    const { text } = await oneByOne(req);
    expect(text).toBe(await together(req));
    expect(text).not.toBe(await together(request(dir, ["a"])).then((t) => t));
  });

  it("lints nested repositories as one", async () => {
    const dir = workspace({
      outer: { from: path.join(REALWORLD, "CMSgov__ab2d") },
    });
    fs.mkdirSync(path.join(dir, "outer", "inner", ".git"), { recursive: true });
    copyInto(path.join(dir, "outer", "inner"), path.join(FIXTURES, "oidc-untrusted-trigger", "workflow-run-head-sha"));
    const req = request(dir, ["outer", "outer/inner"]);
    const { text, parts } = await oneByOne(req);
    expect(parts).toBe(0);
    expect(text).toBe(await together(req));
  });

  it("judges `ignore-findings` entries over all repositories", async () => {
    const wf = "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@main\n";
    const dir = workspace({ a: { files: { ".github/workflows/ci.yml": wf } }, b: { files: { ".github/workflows/other.yml": wf } } });
    const at = (line: number) => ({ path: "a/.credflow.yml", range: { start: { line, column: 5, offset: 0 }, end: { line, column: 9, offset: 0 } } });
    const entries = [
      { reason: "ignore-findings: unpinned-ref in .github/workflows/ci.yml", rule: "unpinned-ref", location: at(3) },
      { reason: "ignore-findings: unpinned-ref in .github/workflows/gone.yml", rule: "unpinned-ref", location: at(6) },
    ];
    const req = request(dir, ["a", "b"], {
      reportUnusedSuppressions: true,
      ignoredFinding: (rule, p) => (rule === "unpinned-ref" && p === ".github/workflows/ci.yml" ? entries[0]!.reason : undefined),
      ignoreEntries: entries,
    });
    const { text, parts } = await oneByOne(req);
    expect(parts).toBe(2);
    expect(text).toBe(await together(req));
    const report = JSON.parse(text);
    expect(report.suppressed.map((s: { path: string }) => s.path)).toEqual(["a/.github/workflows/ci.yml"]);
    // Only the entry no repository used is reported, once.
    const unused = report.findings.filter((f: { message: string }) => /Unused ignore-findings entry/.test(f.message));
    expect(unused).toHaveLength(1);
    expect(unused[0].message).toContain("gone.yml");
  });
});
