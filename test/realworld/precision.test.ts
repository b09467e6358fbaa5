/**
 * Precision on real repositories (test/realworld/<owner>__<repo>/, verdicts.tsv): every recorded
 * verdict is checked against what credflow reports today. A finding judged false must not come back
 * (at any level when the expected level is `none`), a true or conditional one must be there at the
 * level it deserves, a missed one must now be found, and every error and warning credflow reports
 * on these repositories must have been judged (a new one needs a row and a reason).
 *
 * Each repository is linted as its own CI would see it: `settings.repository` is its owner/name from
 * the `repo` column (what GITHUB_REPOSITORY holds there), so its references to itself by remote
 * name are followed as local files.
 *
 * known-gaps.tsv lists the rows credflow does not meet yet, each with the reason; the test fails
 * when a row outside it is not met (a regression) and when a row inside it is met (remove it).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { lint } from "../../src/engine/lint.js";
import { offlinePins } from "../../src/knowledge/pins.js";
import { parseOwnerName } from "../../src/discover/repository.js";
import type { Finding } from "../../src/rules/types.js";

const HERE = __dirname;
const LEVELS = ["error", "warning", "note", "none"] as const;
type Expected = (typeof LEVELS)[number];

interface Row {
  repo: string;
  file: string;
  line: number;
  rule: string;
  verdict: "true" | "false" | "conditional" | "missed";
  expected: Expected;
  why: string;
}

function tsv(name: string): string[][] {
  const text = fs.readFileSync(path.join(HERE, name), "utf8");
  const lines = text.split("\n").filter((l) => l.trim() && !l.startsWith("#"));
  lines.shift(); // header
  return lines.map((l) => l.split("\t"));
}

function verdicts(): Row[] {
  return tsv("verdicts.tsv").map((c) => ({
    repo: c[0]!,
    file: c[2]!,
    line: Number(c[3]),
    rule: c[4]!,
    verdict: c[6] as Row["verdict"],
    expected: c[7] as Expected,
    why: c[8] ?? "",
  }));
}

const rowKey = (r: { repo: string; file: string; line: number; rule: string }) => `${r.repo} ${r.file}:${r.line} ${r.rule}`;

function knownGaps(): Map<string, string> {
  if (!fs.existsSync(path.join(HERE, "known-gaps.tsv"))) return new Map();
  return new Map(tsv("known-gaps.tsv").map((c) => [`${c[0]} ${c[1]}:${c[2]} ${c[3]}`, c[4] ?? ""]));
}

function repoDir(repo: string): string {
  return path.join(HERE, repo.replace("/", "__"));
}

const results = new Map<string, Promise<Finding[]>>();
function findingsOf(repo: string): Promise<Finding[]> {
  let p = results.get(repo);
  if (!p) {
    // The repository's own name, as GITHUB_REPOSITORY says in its CI (the copies hold no .credflow.yml).
    const repository = parseOwnerName(repo, "GITHUB_REPOSITORY");
    p = lint({ paths: ["."], cwd: repoDir(repo), settings: { visibility: "unknown", repository }, pins: offlinePins() }).then((r) => r.findings);
    results.set(repo, p);
  }
  return p;
}

/** The level credflow reports for a row today (`none` when it reports nothing there). */
function levelAt(findings: readonly Finding[], r: Row): Expected {
  const at = findings.filter((f) => f.ruleId === r.rule && f.location.path === r.file && f.location.range.start.line === r.line);
  if (at.length === 0) return "none";
  return at.some((f) => f.level === "error") ? "error" : at.some((f) => f.level === "warning") ? "warning" : "note";
}

describe("precision on real repositories", () => {
  const rows = verdicts();
  const repos = [...new Set(rows.map((r) => r.repo))];

  it("every verdict row is complete and names a repository that is here", () => {
    expect(rows.length).toBeGreaterThan(800);
    for (const r of rows) {
      expect(["true", "false", "conditional", "missed"], rowKey(r)).toContain(r.verdict);
      expect(LEVELS, rowKey(r)).toContain(r.expected);
      expect(r.why.length, rowKey(r)).toBeGreaterThan(10);
      expect(fs.existsSync(path.join(repoDir(r.repo), r.file)), rowKey(r)).toBe(true);
    }
  });

  it("credflow meets every verdict outside known-gaps.tsv, and every gap listed there is still a gap", async () => {
    const gaps = knownGaps();
    const regressions: string[] = [];
    const fixed: string[] = [];
    for (const r of rows) {
      const got = levelAt(await findingsOf(r.repo), r);
      const met = got === r.expected;
      const k = rowKey(r);
      if (!met && !gaps.has(k)) regressions.push(`${k}: expected ${r.expected}, got ${got} (${r.verdict}: ${r.why.slice(0, 120)})`);
      if (met && gaps.has(k)) fixed.push(`${k}: now ${got} as expected; remove it from known-gaps.tsv`);
    }
    expect(regressions).toEqual([]);
    expect(fixed).toEqual([]);
  });

  it("every error and warning credflow reports here has a verdict", async () => {
    const judged = new Set(rows.map(rowKey));
    const unjudged: string[] = [];
    for (const repo of repos) {
      for (const f of await findingsOf(repo)) {
        if (f.level === "note") continue;
        const k = rowKey({ repo, file: f.location.path, line: f.location.range.start.line, rule: f.ruleId });
        if (!judged.has(k)) unjudged.push(`${k} ${f.level}: ${f.message.slice(0, 160)}`);
      }
    }
    expect(unjudged).toEqual([]);
  });
});
