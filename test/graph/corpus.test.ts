/**
 * `credflow graph` over every fixture under test/fixtures, the examples, test/realworld/* and
 * ../shared/corpus/realworld-aws/* (when present), each linted once:
 * - the steps marked as seeing the earlier role on runners older than v2.295.0 are exactly those
 *   composite-role-conflict reports (same call step, configure call, first stale step and number of
 *   steps), in the JSON view and in the picture of each workflow (`--split`);
 * - the Mermaid pictures are well-formed (balanced subgraphs, ids defined once, labels escaped; a
 *   Mermaid parser is not available offline) and a repository's picture stays within Mermaid's
 *   default limits (maxTextSize 50,000 characters, maxEdges 500), or one line on stderr says so.
 * test/integration/graphviz.test.ts renders the DOT of the same repositories with Graphviz.
 */
import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/discover/discover.js";
import { lint } from "../../src/engine/lint.js";
import { offlinePins } from "../../src/knowledge/pins.js";
import { graphView, renderGraph, renderSplit } from "../../src/graph/render.js";
import type { JobView } from "../../src/graph/render-view.js";
import type { Finding } from "../../src/rules/types.js";
import { checkMermaid, MERMAID_MAX_EDGES, MERMAID_MAX_TEXT } from "../helpers/graph-syntax.js";
import { graphRepositories } from "../helpers/graph-repos.js";

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
  return `${f.location.path}:${f.location.range.start.line} configure ${related("assumes ")} first ${related("still runs as ")} count ${n ? (n[1] ?? "1") : "?"}`;
}

describe("credflow graph over every fixture, the examples and the real-world corpora", () => {
  const repos = graphRepositories();
  let conflicts = 0;
  const sizes: string[] = [];

  it.each(repos.map((r) => [r.name, r] as const))("%s", async (_name, repo) => {
    let result: Awaited<ReturnType<typeof lint>>;
    try {
      result = await lint({ paths: ["."], cwd: repo.dir, settings: { visibility: "unknown" }, pins: offlinePins() });
    } catch (err) {
      // A fixture with only a trust policy named in its case's settings: no workflow to draw.
      if (err instanceof UsageError && /nothing to lint/.test(err.message)) return;
      throw err;
    }
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
      // A file over Mermaid's limits is named in the one note.
      if (m.chars > MERMAID_MAX_TEXT || m.edges > MERMAID_MAX_EDGES) expect(split.notes.join("\n")).toContain(file.name);
    }
    expect(split.notes.length).toBeLessThanOrEqual(1);

    // The picture of the whole repository: well-formed, within Mermaid's default limits or one line says so.
    const whole = renderGraph(result.graph, { format: "mermaid", cwd: repo.dir });
    const m = checkMermaid(whole.text);
    expect(m.problems).toEqual([]);
    expect(whole.notes.length).toBeLessThanOrEqual(1);
    for (const n of whole.notes) expect(n).not.toContain("\n");
    if (m.chars > MERMAID_MAX_TEXT || m.edges > MERMAID_MAX_EDGES) expect(whole.notes[0]).toMatch(/--split DIR/);
    if (repo.realworld) {
      // Every repository of the corpora fits.
      expect(m.chars, repo.name).toBeLessThanOrEqual(MERMAID_MAX_TEXT);
      expect(m.edges, repo.name).toBeLessThanOrEqual(MERMAID_MAX_EDGES);
      sizes.push(`${repo.name}: ${m.chars} characters, ${m.edges} edges${whole.notes.length ? " (one node per job)" : ""}`);
    }
  });

  it("the corpora hold conflicts to compare", () => {
    // Fixture cases and the examples alone hold more than a dozen.
    expect(conflicts).toBeGreaterThan(12);
    if (process.env.CREDFLOW_GRAPH_SIZES) console.log(`Mermaid pictures of whole repositories:\n${sizes.join("\n")}`);
  });
});
