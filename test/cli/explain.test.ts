/** `credflow explain <rule-id>`: a rule's doc page for the terminal; an unknown id is a usage error naming the closest id. */
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { cli } from "../helpers/cli.js";
import { renderDoc } from "../../src/cli/explain.js";
import { textWidth } from "../../src/report/excerpt.js";
import { RULES } from "../../src/rules/index.js";

const ROOT = path.resolve(__dirname, "..", "..");

describe("credflow explain", () => {
  it("prints every rule's doc page, prose within 80 columns, no colour when not a terminal", async () => {
    for (const rule of RULES) {
      const r = await cli(["explain", rule.id], { cwd: ROOT });
      expect(r.code, rule.id).toBe(0);
      expect(r.stderr).toBe("");
      expect(r.stdout.startsWith(`${rule.id}: `), rule.id).toBe(true);
      expect(r.stdout).toMatch(/^WHAT IT FINDS$/m);
      expect(r.stdout).not.toContain("\x1b");
      // Markdown syntax is gone from the prose; code blocks (indented by four) are printed as written.
      for (const line of r.stdout.split("\n")) {
        if (line.startsWith("    ")) continue;
        expect(textWidth(line), `${rule.id}: ${line}`).toBeLessThanOrEqual(80);
        expect(line.replace(/`[^`]*`/g, ""), rule.id).not.toMatch(/^#+ |\*\*|\]\(/);
      }
    }
  });

  it("colours headings on a terminal, and fits the terminal's width", async () => {
    const r = await cli(["explain", "unpinned-ref"], { cwd: ROOT, tty: true, env: { FORCE_COLOR: "1" } });
    expect(r.stdout).toContain("\x1b[1mWHAT IT FINDS\x1b[0m");
  });

  it("an unknown id exits 2 with one line naming the closest id", async () => {
    const typo = await cli(["explain", "unpined-ref"], { cwd: ROOT });
    expect(typo).toEqual({ code: 2, stdout: "", stderr: 'credflow: unknown rule id "unpined-ref" (did you mean "unpinned-ref"?); `credflow rules` lists them\n' });
    const far = await cli(["explain", "xyz"], { cwd: ROOT });
    expect(far.code).toBe(2);
    expect(far.stderr).toMatch(/^credflow: unknown rule id "xyz" \(the closest is "[a-z-]+"\); `credflow rules` lists them\n$/);
    const none = await cli(["explain"], { cwd: ROOT });
    expect(none.code).toBe(2);
  });
});

describe("renderDoc", () => {
  it("renders headings, paragraphs, lists, code, tables and links for a terminal", () => {
    const md = [
      "# x-rule: Title",
      "",
      "## What it finds",
      "A paragraph over",
      "two lines with **bold**, `code` and a [link](https://example.com) and [another rule](unpinned-ref.md).",
      "",
      "- item one",
      "  continued",
      "- item two",
      "",
      "| a | b |",
      "|---|---|",
      "| 1 | two |",
      "",
      "```yaml",
      "on: push",
      "```",
    ].join("\n");
    expect(renderDoc(md, { width: 80, color: false })).toBe(
      [
        "x-rule: Title",
        "",
        "WHAT IT FINDS",
        "",
        "  A paragraph over two lines with bold, `code` and a link (https://example.com)",
        "  and another rule.",
        "  - item one continued",
        "  - item two",
        "  a  b",
        "  1  two",
        "",
        "    on: push",
        "",
      ].join("\n"),
    );
  });

  it("turns a table too wide for the width into one line per row", () => {
    const md = ["| ref | level |", "|---|---|", `| ${"long ".repeat(20)}| warning |`].join("\n");
    const out = renderDoc(md, { width: 40, color: false });
    expect(out).toMatch(/^ {2}- long long/);
    expect(out).toContain("level: warning");
    for (const l of out.split("\n")) expect(textWidth(l)).toBeLessThanOrEqual(40);
  });
});
