/**
 * docs/code-scanning.md: every snippet is valid (YAML parses, shell passes `bash -n`), every
 * workflow in it lints without an error-level finding by credflow itself, and every SHA pin it
 * shows is the commit credflow's pin table gives for the version in its comment.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseDocument } from "yaml";
import { describe, expect, it } from "vitest";
import { cli } from "../helpers/cli.js";
import { tempRepo } from "../helpers/temp-repo.js";
import { REPO } from "./helpers.js";

const DOC = path.join(REPO, "docs", "code-scanning.md");
const text = fs.readFileSync(DOC, "utf8");

interface Block {
  lang: string;
  body: string;
  line: number;
}

function blocks(markdown: string): Block[] {
  const out: Block[] = [];
  const re = /^```([a-z]*)\n([\s\S]*?)^```$/gm;
  for (let m = re.exec(markdown); m; m = re.exec(markdown)) {
    out.push({ lang: m[1]!, body: m[2]!, line: markdown.slice(0, m.index).split("\n").length });
  }
  return out;
}

const all = blocks(text);
const yamlBlocks = all.filter((b) => b.lang === "yaml");
const workflows = yamlBlocks.filter((b) => /^jobs:/m.test(b.body));
const shellBlocks = all.filter((b) => b.lang === "sh" || b.lang === "bash");

interface PinTable {
  actions: Record<string, { tags: Record<string, string> }>;
}
const pins = JSON.parse(fs.readFileSync(path.join(REPO, "src", "knowledge", "data", "pins.json"), "utf8")) as PinTable;

describe("docs/code-scanning.md", () => {
  it("has the snippets the README promises", () => {
    expect(all.every((b) => ["yaml", "sh", "bash"].includes(b.lang)), "every block names its language").toBe(true);
    expect(workflows.length).toBeGreaterThanOrEqual(2);
    expect(shellBlocks.length).toBeGreaterThan(0);
    const scanning = workflows.find((w) => w.body.includes("upload-sarif"))!;
    expect(scanning).toBeDefined();
    const doc = parseDocument(scanning.body).toJS() as {
      jobs: Record<string, { permissions: Record<string, string>; steps: Array<{ uses?: string; run?: string; with?: Record<string, string> }> }>;
    };
    const job = Object.values(doc.jobs)[0]!;
    expect(job.permissions).toMatchObject({ "security-events": "write", contents: "read" });
    expect(job.steps.some((s) => s.run === "npx --yes --package=https://codeload.github.com/credflow/credflow/tar.gz/<commit-sha> credflow . --format sarif --output credflow.sarif --exit-zero")).toBe(true);
    const upload = job.steps.find((s) => s.uses?.startsWith("github/codeql-action/upload-sarif@"))!;
    expect(upload.uses).toMatch(/@[0-9a-f]{40}$/);
    expect(upload.with).toEqual({ sarif_file: "credflow.sarif", category: "credflow" });
    expect(text).toContain("credflow . --format rdjsonl | reviewdog -f=rdjsonl -name=credflow -reporter=github-pr-review");
    for (const flag of ["--fix", "--unsafe-fixes", "--diff | git apply", "--online", "GITHUB_TOKEN", ".credflow/pins.json", "--github-api-url"]) {
      expect(text).toContain(flag);
    }
  });

  for (const b of yamlBlocks) {
    it(`YAML block at line ${b.line} parses`, () => {
      const doc = parseDocument(b.body, { uniqueKeys: true, prettyErrors: true });
      expect(doc.errors.map((e) => e.message)).toEqual([]);
      expect(doc.warnings.map((e) => e.message)).toEqual([]);
    });
  }

  for (const b of workflows) {
    it(`workflow at line ${b.line} has no error-level credflow finding`, async () => {
      const dir = tempRepo({ ".github/workflows/from-docs.yml": b.body });
      const r = await cli([".", "--format", "json"], { cwd: dir });
      expect(r.stderr).toBe("");
      const findings = (JSON.parse(r.stdout) as { findings: Array<{ rule: string; level: string; line: number; message: string }> }).findings;
      expect(findings.filter((f) => f.level === "error")).toEqual([]);
      // Nothing else either: the docs show the practice credflow asks for.
      expect(findings).toEqual([]);
      expect((await cli([".", "--fail-level", "note"], { cwd: dir })).code).toBe(0);
    });
  }

  for (const b of shellBlocks) {
    it(`shell block at line ${b.line} is valid bash`, () => {
      const res = spawnSync("bash", ["-n"], { input: b.body, encoding: "utf8" });
      expect(res.stderr).toBe("");
      expect(res.status).toBe(0);
    });
  }

  it("every SHA pin of a tabled action is the commit of the version in its comment", () => {
    const re = /uses: ([\w.-]+\/[\w.-]+)(?:\/[\w./-]+)?@([0-9a-f]{40}) # (v[\w.-]+)/g;
    let checked = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      const [, action, sha, tag] = m;
      const entry = pins.actions[action!.toLowerCase()];
      if (!entry) continue; // not in the table (reviewdog/action-setup): taken from its own README
      expect(entry.tags[tag!], `${action}@${tag}`).toBe(sha);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(2);
  });
});
