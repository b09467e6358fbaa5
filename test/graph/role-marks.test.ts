/**
 * The steps `credflow graph` marks as seeing the earlier role on runners older than v2.295.0 are
 * exactly those composite-role-conflict reports: same call step, same configure call inside the
 * composite, same first stale step, same number of steps. Checked on every fixture under
 * test/fixtures, the examples, test/realworld/* and ../shared/corpus/realworld-aws/* (when present),
 * in the JSON view and in the pictures of each workflow (`--split`).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { lint } from "../../src/engine/lint.js";
import { offlinePins } from "../../src/knowledge/pins.js";
import { graphView, renderSplit } from "../../src/graph/render.js";
import type { JobView } from "../../src/graph/render-view.js";
import type { Finding } from "../../src/rules/types.js";
import { SHARED } from "../helpers/lint-fixture.js";
import { checkMermaid } from "../helpers/graph-syntax.js";

const ROOT = path.resolve(__dirname, "..", "..");

/** Every repository to check: fixture cases, the examples, the real-world corpora. */
export function graphRepositories(): Array<{ name: string; dir: string; realworld: boolean }> {
  const out: Array<{ name: string; dir: string; realworld: boolean }> = [];
  const fixtures = path.join(ROOT, "test", "fixtures");
  for (const rule of fs.readdirSync(fixtures).sort()) {
    for (const c of fs.readdirSync(path.join(fixtures, rule)).sort()) {
      const dir = path.join(fixtures, rule, c);
      if (fs.statSync(dir).isDirectory()) out.push({ name: `fixtures/${rule}/${c}`, dir, realworld: false });
    }
  }
  out.push({ name: "examples", dir: path.join(ROOT, "examples"), realworld: false });
  for (const base of [path.join(ROOT, "test", "realworld"), path.join(SHARED, "corpus", "realworld-aws")]) {
    if (!fs.existsSync(base)) continue;
    for (const r of fs.readdirSync(base).sort()) {
      const dir = path.join(base, r);
      if (fs.existsSync(path.join(dir, ".github", "workflows"))) out.push({ name: path.relative(path.dirname(ROOT), dir), dir, realworld: true });
    }
  }
  return out;
}

function allJobs(jobs: JobView[]): JobView[] {
  return jobs.flatMap((j) => [j, ...allJobs(j.calls?.jobs ?? [])]);
}

/** A finding of composite-role-conflict as a key: call step, configure call, first stale step, number of stale steps. */
function ruleKey(f: Finding): string {
  const related = (prefix: string) => {
    const r = f.related.find((x) => x.message.startsWith(prefix));
    return r ? `${r.path}:${r.range.start.line}` : "?";
  };
  const n = /the (?:step|(\d+) steps) after that configure call/.exec(f.message);
  return `${f.location.path}:${f.location.range.start.line} configure ${related("configure call inside the composite")} first ${related("first step that still sees")} count ${n ? (n[1] ?? "1") : "?"}`;
}

describe("steps marked in the graph are those composite-role-conflict reports", () => {
  const repos = graphRepositories();
  let conflicts = 0;

  it.each(repos.map((r) => [r.name, r] as const))("%s", async (_name, repo) => {
    const result = await lint({ paths: ["."], cwd: repo.dir, settings: { visibility: "unknown" }, pins: offlinePins() });
    const findings = [...result.findings, ...result.suppressed.map((s) => s.finding)].filter((f) => f.ruleId === "composite-role-conflict");
    const view = graphView(result.graph);

    const drawn = new Set<string>();
    for (const wf of view.workflows) {
      for (const job of allJobs(wf.jobs)) {
        const stale = new Set<number>();
        for (const c of job.roleConflicts) {
          const first = job.timeline[c.stale[0]!]!;
          drawn.add(`${c.at.path}:${c.at.line} configure ${c.configure.path}:${c.configure.line} first ${first.path}:${first.line} count ${c.stale.length}`);
          for (const i of c.stale) {
            expect(stale.has(i), `${job.id}: step ${i} in two conflicts`).toBe(false);
            stale.add(i);
            expect(job.timeline[i]!.oldRunnerCredentials).toEqual(c.earlier);
          }
        }
        // No other step carries an old-runner role.
        for (const s of job.timeline) expect(s.oldRunnerCredentials !== null, `${job.id} step ${s.index}`).toBe(stale.has(s.index));
      }
    }
    expect([...drawn].sort()).toEqual([...new Set(findings.map(ruleKey))].sort());
    conflicts += drawn.size;

    // The picture of each workflow marks the same steps: one stale row per stale step of its jobs.
    const split = renderSplit(result.graph, { format: "mermaid", cwd: repo.dir });
    for (const [i, file] of split.files.entries()) {
      const wf = view.workflows[i]!;
      const want = allJobs(wf.jobs).reduce((n, j) => n + j.timeline.filter((s) => s.oldRunnerCredentials).length, 0);
      const m = checkMermaid(file.text);
      expect(m.problems, file.name).toEqual([]);
      const marked = [...m.labels.values()].filter((l) => l.includes("<br/>⚠ on runners older than v2.295.0: ")).length;
      expect(marked, file.name).toBe(want);
    }
  });

  it("the corpora hold conflicts to compare", () => {
    // Fixture cases and the examples alone hold more than a dozen.
    expect(conflicts).toBeGreaterThan(12);
  });
});
