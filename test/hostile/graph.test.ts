/**
 * `credflow graph` over hostile repositories: names with quotes, backslashes, line breaks and markup,
 * cycles, bombs and garbage. The Mermaid and DOT outputs stay well-formed (one statement per line,
 * every label closed and escaped, test/helpers/graph-syntax.ts), line breaks inside labels are real
 * line breaks, and JSON parses. test/integration/graphviz.test.ts renders the DOT with Graphviz.
 */
import { describe, expect, it } from "vitest";
import { expectSane, runCli } from "../fuzz/harness.js";
import { checkDot, checkMermaid } from "../helpers/graph-syntax.js";
import { NASTY, hostileRepo } from "../helpers/hostile-graph-repo.js";

describe("graph output of hostile repositories", () => {
  for (const view of [[], ["--workflow", ".github/workflows/w.yml"]]) {
    it(`mermaid${view.length ? " of one workflow" : ""}: one statement per line, labels closed and escaped, line breaks as <br/>`, async () => {
      const r = await runCli(["graph", ".", ...view], hostileRepo());
      expectSane(r, { codes: [0] });
      const facts = checkMermaid(r.stdout);
      expect(facts.problems, r.stdout).toEqual([]);
      // The job id's quote, markup and comment marker are inside a label, as entity codes and line breaks.
      expect(r.stdout).toContain("j#quot;x\\\\y<br/>]#lt;b#gt;--#gt; %% end<br/>}");
    });

    it(`dot${view.length ? " of one workflow" : ""}: one statement per line, HTML-like labels well-formed, line breaks as <br/>`, async () => {
      const r = await runCli(["graph", "--format", "dot", ".", ...view], hostileRepo());
      expectSane(r, { codes: [0] });
      const facts = checkDot(r.stdout);
      expect(facts.problems, r.stdout).toEqual([]);
      expect(r.stdout).toMatch(/j&quot;x\\\\y<br align="left"\/>\]&lt;b&gt;--&gt; %% end<br align="left"\/>\}/);
    });
  }

  it("json parses and keeps the names as they are", async () => {
    const r = await runCli(["graph", "--format", "json", "."], hostileRepo());
    expectSane(r, { codes: [0] });
    const view = JSON.parse(r.stdout) as { workflows: Array<{ path: string; jobs: Array<{ id: string }> }> };
    expect(view.workflows.flatMap((w) => w.jobs.map((j) => j.id))).toContain(NASTY);
  });
});
