/**
 * `credflow graph` over hostile repositories: names with quotes, backslashes, line breaks and markup,
 * cycles, bombs and garbage. The Mermaid and DOT outputs stay well-formed (one statement per line,
 * every label closed), line breaks inside labels are real line breaks, and JSON parses.
 */
import { describe, expect, it } from "vitest";
import { tempRepo } from "../helpers/temp-repo.js";
import { expectSane, runCli } from "../fuzz/harness.js";

const NASTY = 'j"x\\\\y\n]<b>--> %% end\r\n}';

function hostileRepo(): string {
  return tempRepo({
    ".github/workflows/w.yml": [
      "on: push",
      "jobs:",
      `  ${JSON.stringify(NASTY)}:`,
      "    runs-on: ubuntu-latest",
      "    steps:",
      "      - uses: ./act",
      `      - uses: ${JSON.stringify('./"]\\')}`,
      "      - uses: aws-actions/configure-aws-credentials@7474bc4690e29a8392af63c5b98e7449536d5c3a",
      `        with: {role-to-assume: ${JSON.stringify(NASTY)}, aws-region: us-east-1}`,
      "  loop:",
      "    uses: ./.github/workflows/w.yml",
      "",
    ].join("\n"),
    [`.github/workflows/${'q"\\uote'}.yml`]: "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo\n",
    "act/action.yml": "runs:\n  using: composite\n  steps:\n    - uses: ./act\n    - run: echo\n      shell: bash\n",
    ".github/workflows/garbage.yml": Uint8Array.from([0, 255, 1, 2]),
    ".github/workflows/deep.yml": `on: push\njobs: ${"[".repeat(5000)}${"]".repeat(5000)}\n`,
  });
}

describe("graph output of hostile repositories", () => {
  it("mermaid: one statement per line, labels closed, line breaks as <br/>", async () => {
    const r = await runCli(["graph", "."], hostileRepo());
    expectSane(r, { codes: [0] });
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe("flowchart TD");
    for (const l of lines.slice(1)) expect(l, r.stdout).toMatch(/^ {2}n\d+\["[^"\r\n]*"\]$|^ {2}n\d+ -->(\|[^|"\r\n]*\|)? n\d+$/);
    expect(r.stdout).toContain("<br/>");
  });

  it("dot: one statement per line, quotes and backslashes escaped, line breaks as \\n", async () => {
    const r = await runCli(["graph", "--format", "dot", "."], hostileRepo());
    expectSane(r, { codes: [0] });
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe("digraph credflow {");
    expect(lines.at(-1)).toBe("}");
    const label = String.raw`"(?:[^"\\\r\n]|\\.)*"`;
    for (const l of lines.slice(1, -1)) {
      expect(l, r.stdout).toMatch(new RegExp(`^ {2}node \\[shape=box\\];$|^ {2}n\\d+ \\[label=${label}\\];$|^ {2}n\\d+ -> n\\d+( \\[label=${label}\\])?;$`));
    }
    // A step label's two lines are separated by DOT's line-break escape, not by a literal backslash-n.
    expect(r.stdout).toMatch(/label="0\. uses \.\/act\\nno AWS credentials"/);
  });

  it("json parses and keeps the names as they are", async () => {
    const r = await runCli(["graph", "--format", "json", "."], hostileRepo());
    expectSane(r, { codes: [0] });
    const view = JSON.parse(r.stdout) as { workflows: Array<{ path: string; jobs: Array<{ id: string }> }> };
    expect(view.workflows.flatMap((w) => w.jobs.map((j) => j.id))).toContain(NASTY);
  });
});
