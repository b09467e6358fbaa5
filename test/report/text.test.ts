import { describe, expect, it } from "vitest";
import { formatText, PROBLEM_MATCHER_REGEXP } from "../../src/report/text.js";
import { A_PATH, B_PATH, FINDINGS, input, simple } from "./fixtures.js";

/** The VS Code problem matcher pattern, exactly as users will paste it into tasks.json. */
const MATCHER = /^(.+?):(\d+):(\d+): (error|warning|note): (.*) \[([a-z0-9-]+)\]$/;

describe("formatText", () => {
  const out = formatText(input(), { color: false });
  const lines = out.split("\n");

  it("prints gcc-style lines sorted by path, line, column and rule, then a summary", () => {
    expect(out).toBe(
      [
        `${A_PATH}:7:16: error: Credentials [AWS_SECRET_ACCESS_KEY] leak: 100% reach step 2, then \\x1b[31mred\\x1b[0m | done [credential-leak]`,
        `    ${B_PATH}:5:1: note: credentials configured here`,
        `    ${A_PATH}:8:15: note: step [deploy] (related)`,
        `${A_PATH}:8:15: warning: aws-actions/configure-aws-credentials@v4 is not pinned to a commit SHA. (fixable) [unpinned-action]`,
        `${B_PATH}:5:1: note: Composite run step spans lines; shell is set. (fixable with --unsafe-fixes) [missing-shell]`,
        "",
        "1 error, 1 warning, 1 note in 2 files",
        "",
      ].join("\n"),
    );
  });

  it("has exactly one matcher line per finding, with the right groups", () => {
    expect(PROBLEM_MATCHER_REGEXP.source).toBe(MATCHER.source);
    const matched = lines.map((l) => MATCHER.exec(l)).filter((m) => m !== null);
    expect(matched).toHaveLength(FINDINGS.length);
    expect(matched.map((m) => [m[1], m[2], m[3], m[4], m[6]])).toEqual([
      [A_PATH, "7", "16", "error", "credential-leak"],
      [A_PATH, "8", "15", "warning", "unpinned-action"],
      [B_PATH, "5", "1", "note", "missing-shell"],
    ]);
    expect(matched[1]![5]).toBe("aws-actions/configure-aws-credentials@v4 is not pinned to a commit SHA. (fixable)");
  });

  it("indents every other non-empty line", () => {
    for (const l of lines) {
      if (l === "" || MATCHER.test(l) || /^\d+ error|^No findings/.test(l)) continue;
      expect(l.startsWith("    ")).toBe(true);
    }
  });

  it("shows why a fix was not offered without breaking the matcher", () => {
    const f = { ...FINDINGS[1]!, related: [], fixNote: "v9 is not in the pin table" };
    const o = formatText(input({ findings: [f] }), { color: false }).split("\n");
    expect(o[1]).toBe("    no fix: v9 is not in the pin table");
    expect(MATCHER.test(o[1]!)).toBe(false);
  });

  it("colours only on request, and never passes input escape sequences through", () => {
    expect(out).not.toContain("\x1b");
    const coloured = formatText(input(), { color: true });
    expect(coloured).toContain("\x1b[31merror:\x1b[0m");
    // The only ESC bytes are our own SGR sequences, never the ones inside the message.
    expect(coloured.replace(/\x1b\[[0-9;]*m/g, "")).not.toContain("\x1b");
    expect(coloured.replace(/\x1b\[[0-9;]*m/g, "")).toBe(out);
  });

  it("summarises counts, plurals and suppressions", () => {
    expect(formatText(input({ findings: [] }), { color: false })).toBe("No findings.\n");
    const suppressed = [{ finding: FINDINGS[0]!, reason: "accepted risk" }];
    expect(formatText(input({ findings: [], suppressed }), { color: false })).toBe("No findings (1 suppressed).\n");
    const many = [simple("error", "a.yml", 1), simple("error", "a.yml", 2), simple("note", "b.yml", 1)];
    expect(formatText(input({ findings: many, suppressed }), { color: false }).trimEnd().split("\n").pop()).toBe(
      "2 errors, 0 warnings, 1 note in 2 files (1 suppressed)",
    );
  });

  it("shows absolute paths inside cwd relative to it", () => {
    const f = simple("warning", "/repo/.github/workflows/ci.yml", 3);
    expect(formatText(input({ findings: [f], cwd: "/repo" }), { color: false })).toMatch(/^\.github\/workflows\/ci\.yml:3:1: /);
  });
});
