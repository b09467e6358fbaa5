/** The README stays honest: its rule table lists every rule, and its commands exist. */
import * as fs from "node:fs";
import * as path from "node:path";
import { expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { RULES } from "../../src/rules/index.js";

const ROOT = path.resolve(__dirname, "..", "..");
const README = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");

it("lists every rule, each with a doc page", () => {
  for (const r of RULES) {
    expect(README, r.id).toContain(`[\`${r.id}\`](docs/rules/${r.id}.md)`);
    expect(fs.existsSync(path.join(ROOT, "docs", "rules", `${r.id}.md`)), r.id).toBe(true);
  }
});

it("names only npm scripts that exist", () => {
  const scripts = Object.keys((JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts);
  for (const m of README.matchAll(/npm run ([a-z-]+)/g)) expect(scripts, m[0]).toContain(m[1]);
  expect(README).toContain("npm ci && npm start");
  expect(README).toContain("npm ci && npm test");
});

it("links only to files that exist", () => {
  for (const m of README.matchAll(/\]\(((?:docs|schema|integrations)\/[^)#]+)\)/g)) {
    expect(fs.existsSync(path.join(ROOT, m[1]!)), m[1]).toBe(true);
  }
});

it("its workflow snippets are valid and lint clean", async () => {
  const { tempRepo } = await import("../helpers/temp-repo.js");
  const { lintDir } = await import("../helpers/lint-fixture.js");
  const blocks = [...README.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!).filter((b) => /^jobs:/m.test(b));
  expect(blocks.length).toBeGreaterThan(0);
  for (const [i, block] of blocks.entries()) {
    const dir = tempRepo({ [`.github/workflows/snippet${i}.yml`]: block });
    const r = await lintDir(dir);
    // The Action's own ref is the one finding allowed: a placeholder the README tells readers to replace.
    const findings = r.findings.filter((f) => !(f.ruleId === "unpinned-ref" && f.message.includes("credflow/credflow@<commit-sha>")));
    expect(findings.map((f) => `${f.ruleId}: ${f.message}`)).toEqual([]);
  }
});

it("its code-scanning workflows grant exactly what public and private repositories need", () => {
  interface Workflow {
    permissions?: unknown;
    jobs: Record<string, { permissions?: Record<string, string>; steps: Array<{ uses?: string }> }>;
  }
  const blocks = [...README.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!).filter((b) => /^jobs:/m.test(b));
  const uploading = blocks
    .map((b) => parseYaml(b) as Workflow)
    .filter((wf) => Object.values(wf.jobs).some((j) => j.steps.some((s) => /^(credflow\/credflow|github\/codeql-action\/upload-sarif)@/.test(s.uses ?? ""))));
  // The plain upload-sarif job, the Action's job and its matrix example.
  expect(uploading.length).toBeGreaterThanOrEqual(3);
  for (const wf of uploading) {
    // Nothing at the workflow level; the job asks for exactly these three.
    expect(wf.permissions).toEqual({});
    for (const job of Object.values(wf.jobs)) {
      expect(job.permissions).toEqual({ contents: "read", "security-events": "write", actions: "read" });
    }
  }
  // Each permission is explained where the snippets are, private repositories included.
  expect(README).toMatch(/actions: read +# private and internal repositories: upload-sarif reads the workflow run/);
  expect(README).toMatch(/A public repository needs `contents: read` and `security-events: write`; a private or internal one\s+also `actions: read`/);
});
