import { describe, expect, it } from "vitest";
import { escapeData, escapeProperty, formatGithub } from "../../src/report/github.js";
import type { Finding } from "../../src/rules/types.js";
import { A_PATH, B_PATH, FINDINGS, input, simple } from "./fixtures.js";

describe("formatGithub annotations", () => {
  const { annotations, summary } = formatGithub(input());
  const lines = annotations.trimEnd().split("\n");

  it("escapes messages and properties as workflow commands require", () => {
    expect(escapeData("100% done\r\nnext")).toBe("100%25 done%0D%0Anext");
    expect(escapeProperty("a:b,c%d\ne")).toBe("a%3Ab%2Cc%25d%0Ae");
    // Control characters other than line breaks are made visible, never passed through.
    expect(escapeData("\x1b[31m")).toBe("\\x1b[31m");
  });

  it("writes one command per finding, errors first, with columns only on one-line ranges", () => {
    expect(lines).toEqual([
      `::error file=${A_PATH},line=7,endLine=7,col=16,endColumn=28,title=credential-leak::` +
        "Credentials [AWS_SECRET_ACCESS_KEY] leak: 100%25 reach step 2, then \\x1b[31mred\\x1b[0m | done." +
        `%0A${B_PATH}:5:1: credentials configured here%0A${A_PATH}:8:15: step [deploy]`,
      // A safe fix is offered; an unsafe one is not.
      `::warning file=${A_PATH},line=8,endLine=8,col=15,endColumn=55,title=unpinned-action::` +
        "aws-actions/configure-aws-credentials@v4 is not pinned to a commit SHA. Fix (credflow --fix): Pin to the commit of v4.",
      `::notice file=${B_PATH},line=5,endLine=6,title=missing-shell::Composite run step spans lines; shell is set.`,
    ]);
    expect(annotations).not.toContain("\x1b");
    expect(summary).not.toContain("\x1b");
  });

  it("writes the headline and the why, not the whole message", () => {
    const f: Finding = { ...simple("warning", "w.yml", 2), message: "Long. Longer explanation.", headline: "tag `v4` can move", why: "what runs can change" };
    expect(formatGithub(input({ findings: [f] })).annotations).toMatch(/::Tag `v4` can move\. What runs can change\.\n$/);
  });

  it("escapes commas and colons in file names", () => {
    const f = simple("warning", "odd,name:x.yml", 2);
    expect(formatGithub(input({ findings: [f] })).annotations).toMatch(/^::warning file=odd%2Cname%3Ax\.yml,line=2,/);
  });

  it("caps annotations at 10 per level and says how many were left out", () => {
    const many: Finding[] = [];
    for (let i = 1; i <= 15; i++) many.push(simple("note", "n.yml", i), simple("warning", "w.yml", i), simple("error", "e.yml", i));
    const out = formatGithub(input({ findings: many }));
    const cmds = out.annotations.trimEnd().split("\n");
    const count = (kind: string) => cmds.filter((c) => c.startsWith(`::${kind} `)).length;
    expect(count("error")).toBe(10);
    expect(count("warning")).toBe(10);
    // Nine notes plus the closing notice: the notice must not be the one GitHub hides.
    expect(count("notice")).toBe(10);
    expect(cmds.at(-1)).toBe(
      "::notice title=credflow::16 more findings are not shown as annotations (GitHub shows at most 10 per level and 50 per job); see the job summary for all 45.",
    );
    // The lowest lines of each level are the ones shown.
    expect(cmds[0]).toMatch(/^::error file=e\.yml,line=1,/);
    expect(cmds[9]).toMatch(/^::error file=e\.yml,line=10,/);
    // The summary still lists everything.
    expect(out.summary.split("\n").filter((l) => l.startsWith("| ") && !l.startsWith("| Severity") && !l.startsWith("| ---"))).toHaveLength(45);
    expect(out.summary).toContain("16 of 45 findings were not shown as annotations");
  });

  it("adds no closing notice when everything fits", () => {
    const ten = Array.from({ length: 10 }, (_, i) => simple("note", "n.yml", i + 1));
    const cmds = formatGithub(input({ findings: ten })).annotations.trimEnd().split("\n");
    expect(cmds).toHaveLength(10);
    expect(cmds.every((c) => c.startsWith("::notice file="))).toBe(true);
  });
});

describe("formatGithub summary", () => {
  it("is a Markdown table of all findings with counts", () => {
    const { summary } = formatGithub(input());
    expect(summary).toBe(
      [
        "## credflow",
        "",
        "1 error, 1 warning, 1 note in 2 files",
        "",
        "| Severity | File:line | Rule | Message |",
        "| --- | --- | --- | --- |",
        `| Error | ${A_PATH}:7 | \`credential-leak\` | Credentials [AWS_SECRET_ACCESS_KEY] leak: 100% reach step 2,<br>then \\x1b[31mred\\x1b[0m \\| done |`,
        `| Warning | ${A_PATH}:8 | \`unpinned-action\` | aws-actions/configure-aws-credentials@v4 is not pinned to a commit SHA. |`,
        `| Note | ${B_PATH}:5 | \`missing-shell\` | Composite run step spans lines; shell is set. |`,
        "",
      ].join("\n"),
    );
  });

  it("escapes pipes and HTML in every cell", () => {
    const f = { ...simple("error", "a|b.yml", 1), message: "x | y <script> & z" };
    const { summary } = formatGithub(input({ findings: [f] }));
    expect(summary).toContain("| Error | a\\|b.yml:1 | `unpinned-action` | x \\| y &lt;script&gt; &amp; z |");
  });

  it("says so when there is nothing to report", () => {
    const out = formatGithub(input({ findings: [], suppressed: [{ finding: FINDINGS[0]!, reason: "r" }] }));
    expect(out.annotations).toBe("");
    expect(out.summary).toBe("## credflow\n\nNo findings (1 suppressed).\n");
  });

  it("stays under the 1 MiB step summary limit", () => {
    const long = "x".repeat(2000);
    const many = Array.from({ length: 800 }, (_, i) => ({ ...simple("warning", "a.yml", i + 1), message: long }));
    const { summary } = formatGithub(input({ findings: many }));
    expect(Buffer.byteLength(summary)).toBeLessThan(1024 * 1024);
    expect(summary).toMatch(/\d+ more findings left out: the step summary is limited to 1 MiB\./);
  });
});
