/**
 * The OIDC trust rules on the real repositories of IAC-REPOS.tsv (trust-verdicts.tsv): a finding
 * recorded as false must not come back, a true or conditional one must stay at its level, and every
 * trust-rule finding credflow reports there must have a row. Each repository is linted with its
 * identity (`repository:`) as a user would configure it.
 *
 * The repositories' files are committed in test/realworld/<owner>__<repo>/ (see IAC-NOTES.md):
 * every one must be here.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { lint } from "../../src/engine/lint.js";
import { offlinePins } from "../../src/knowledge/pins.js";
import type { Finding } from "../../src/rules/types.js";

const HERE = __dirname;
const RULES = new Set(["oidc-trust-subject-mismatch", "oidc-trust-unrestricted", "oidc-trust-condition-operator"]);
type Level = "error" | "warning" | "note" | "none";

interface Row {
  repo: string;
  file: string;
  line: number;
  rule: string;
  expected: Level;
  verdict: "true" | "false" | "conditional";
  why: string;
}

function rows(): Row[] {
  const lines = fs.readFileSync(path.join(HERE, "trust-verdicts.tsv"), "utf8").split("\n").filter((l) => l.trim() && !l.startsWith("#"));
  lines.shift();
  return lines.map((l) => {
    const c = l.split("\t");
    return { repo: c[0]!, file: c[1]!, line: Number(c[2]), rule: c[3]!, expected: c[4] as Level, verdict: c[5] as Row["verdict"], why: c[6] ?? "" };
  });
}

const repos = fs
  .readFileSync(path.join(HERE, "IAC-REPOS.tsv"), "utf8")
  .split("\n")
  .slice(1)
  .filter((l) => l.trim())
  .map((l) => l.split("\t")[0]!);

const dirOf = (repo: string) => path.join(HERE, repo.replace("/", "__"));
const present = repos.filter((r) => fs.existsSync(path.join(dirOf(r), ".github")));
const key = (r: { repo: string; file: string; line: number; rule: string }) => `${r.repo} ${r.file}:${r.line} ${r.rule}`;

async function findings(repo: string): Promise<Finding[]> {
  const [owner, name] = repo.split("/") as [string, string];
  const result = await lint({ paths: ["."], cwd: dirOf(repo), settings: { visibility: "unknown", repository: { owner, name, source: "config" } }, pins: offlinePins() });
  expect(result.internalErrors).toEqual([]);
  return result.findings.filter((f) => RULES.has(f.ruleId));
}

describe("OIDC trust rules on real repositories", () => {
  const all = rows();

  it("every row is complete and names one of the nine repositories", () => {
    expect(all.length).toBeGreaterThan(15);
    for (const r of all) {
      expect(repos, key(r)).toContain(r.repo);
      expect(RULES.has(r.rule), key(r)).toBe(true);
      expect(["true", "false", "conditional"], key(r)).toContain(r.verdict);
      expect(r.verdict === "false" ? ["none"] : ["error", "warning", "note"], key(r)).toContain(r.expected);
      expect(r.why.length, key(r)).toBeGreaterThan(20);
    }
  });

  it("meets every verdict, and every finding has one", { timeout: 120_000 }, async () => {
    expect(present).toEqual(repos);
    const problems: string[] = [];
    for (const repo of present) {
      const got = await findings(repo);
      const judged = new Set(all.filter((r) => r.repo === repo).map(key));
      for (const r of all.filter((x) => x.repo === repo)) {
        expect(fs.existsSync(path.join(dirOf(repo), r.file)), key(r)).toBe(true);
        const at = got.filter((f) => f.ruleId === r.rule && f.location.path === r.file && f.location.range.start.line === r.line);
        const level: Level = at.some((f) => f.level === "error") ? "error" : at.some((f) => f.level === "warning") ? "warning" : at.length > 0 ? "note" : "none";
        if (level !== r.expected) problems.push(`${key(r)}: expected ${r.expected}, got ${level} (${r.verdict}: ${r.why.slice(0, 100)})`);
      }
      for (const f of got) {
        const k = key({ repo, file: f.location.path, line: f.location.range.start.line, rule: f.ruleId });
        if (!judged.has(k)) problems.push(`${k} ${f.level} has no verdict: ${f.message.slice(0, 160)}`);
      }
    }
    expect(problems).toEqual([]);
  });
});
