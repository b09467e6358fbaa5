import { describe, expect, it } from "vitest";
import { formatConcise, formatText, PROBLEM_MATCHER_REGEXP, RELATED_MATCHER_REGEXP } from "../../src/report/text.js";
import { cutAtWord, firstSentence, present, shortText } from "../../src/report/present.js";
import { textWidth, wrap } from "../../src/report/excerpt.js";
import type { Finding } from "../../src/rules/types.js";
import { A, A_PATH, B, B_PATH, FINDINGS, find, input, rangeOf, simple } from "./fixtures.js";

/** The VS Code problem matcher pattern, exactly as users will paste it into tasks.json. */
const MATCHER = /^(.+?):(\d+):(\d+): (error|warning|note): (.*) \[([a-z0-9-]+)\]$/;
const SGR = /\x1b\[[0-9;]*m/g;

describe("formatConcise", () => {
  const out = formatConcise(input(), { color: false });
  const lines = out.split("\n");

  it("prints gcc-style lines sorted by path, line, column and rule, then a summary with what is fixable", () => {
    expect(out).toBe(
      [
        `${A_PATH}:7:16: error: Credentials [AWS_SECRET_ACCESS_KEY] leak: 100% reach step 2, then \\x1b[31mred\\x1b[0m | done [credential-leak]`,
        `    related: ${B_PATH}:5:1: credentials configured here [credential-leak at ${A_PATH}:7:16]`,
        `    related: ${A_PATH}:8:15: step [deploy] [credential-leak at ${A_PATH}:7:16]`,
        `${A_PATH}:8:15: warning: aws-actions/configure-aws-credentials@v4 is not pinned to a commit SHA. (fixable) [unpinned-action]`,
        `${B_PATH}:5:1: note: Composite run step spans lines; shell is set. (fixable with --unsafe-fixes) [missing-shell]`,
        "",
        "1 error, 1 warning, 1 note in 2 files",
        "1 fixable with --fix, 1 more with --unsafe-fixes",
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

  it("gives each related place one line that names its finding, which only the related pattern matches", () => {
    const related = lines.filter((l) => l.startsWith("    related: "));
    expect(related).toHaveLength(2);
    for (const l of related) {
      expect(MATCHER.test(l)).toBe(false);
      expect(RELATED_MATCHER_REGEXP.exec(l)?.[5]).toBe(`credential-leak at ${A_PATH}:7:16`);
    }
    expect(RELATED_MATCHER_REGEXP.exec(related[0]!)!.slice(1, 5)).toEqual([B_PATH, "5", "1", "credentials configured here"]);
    // A label that looks like a finding's tail, or ends like one, still leaves the finding pattern out.
    for (const label of ["x:1:2: error: boom [unpinned-ref]", "ends [rule-id]", ""]) {
      const f = { ...FINDINGS[0]!, related: [{ path: B_PATH, message: label, range: rangeOf(B, 1, 5) }] };
      const l = formatConcise(input({ findings: [f] }), { color: false }).split("\n")[1]!;
      expect(MATCHER.test(l)).toBe(false);
      const m = RELATED_MATCHER_REGEXP.exec(l)!;
      expect([m[1], m[4], m[5]]).toEqual([B_PATH, label || "related location", `unpinned-action at ${A_PATH}:8:15`]);
    }
    for (const l of lines.filter((x) => !x.startsWith("    related: "))) expect(RELATED_MATCHER_REGEXP.test(l)).toBe(false);
  });

  it("joins the labels of one place into one related line", () => {
    const here = rangeOf(B, 1, 5);
    const f = {
      ...FINDINGS[0]!,
      related: [
        { path: B_PATH, message: "assumes role `deploy`", range: here },
        { path: A_PATH, message: "elsewhere", range: rangeOf(A, 0, 4) },
        { path: B_PATH, message: "exports role `build`", range: { ...here, end: { ...here.end, column: 9 } } },
        { path: B_PATH, message: "assumes role `deploy`", range: here },
      ],
    };
    expect(formatConcise(input({ findings: [f] }), { color: false }).split("\n").slice(1, 4)).toEqual([
      `    related: ${B_PATH}:1:1: assumes role \`deploy\`; exports role \`build\` [unpinned-action at ${A_PATH}:8:15]`,
      `    related: ${A_PATH}:1:1: elsewhere [unpinned-action at ${A_PATH}:8:15]`,
      "",
    ]);
  });

  it("indents every other non-empty line", () => {
    for (const l of lines) {
      if (l === "" || MATCHER.test(l) || /^\d+ error|^No findings|fixable with/.test(l)) continue;
      expect(l.startsWith("    ")).toBe(true);
    }
  });

  it("shows why a fix was not offered without breaking the matcher", () => {
    const f = { ...FINDINGS[0]!, related: [], fixNote: "v9 is not in the pin table" };
    const o = formatConcise(input({ findings: [f] }), { color: false }).split("\n");
    expect(o[1]).toBe("    no fix: v9 is not in the pin table");
    expect(MATCHER.test(o[1]!)).toBe(false);
  });

  it("colours only on request, and never passes input escape sequences through", () => {
    expect(out).not.toContain("\x1b");
    const coloured = formatConcise(input(), { color: true });
    expect(coloured).toContain("\x1b[31merror:\x1b[0m");
    expect(coloured.replace(SGR, "")).not.toContain("\x1b");
    expect(coloured.replace(SGR, "")).toBe(out);
  });

  it("summarises counts, plurals, suppressions and fixable findings", () => {
    expect(formatConcise(input({ findings: [] }), { color: false })).toBe("No findings.\n");
    const suppressed = [{ finding: FINDINGS[0]!, reason: "accepted risk" }];
    expect(formatConcise(input({ findings: [], suppressed }), { color: false })).toBe("No findings (1 suppressed).\n");
    const many = [simple("error", "a.yml", 1), simple("error", "a.yml", 2), simple("note", "b.yml", 1)];
    expect(formatConcise(input({ findings: many, suppressed }), { color: false }).trimEnd().split("\n").pop()).toBe(
      "2 errors, 0 warnings, 1 note in 2 files (1 suppressed)",
    );
    const safeOnly = formatConcise(input({ findings: [FINDINGS[0]!] }), { color: false });
    expect(safeOnly.trimEnd().split("\n").pop()).toBe("1 fixable with --fix");
    const unsafeOnly = formatConcise(input({ findings: [FINDINGS[2]!] }), { color: false });
    expect(unsafeOnly.trimEnd().split("\n").pop()).toBe("1 fixable with --fix --unsafe-fixes");
  });

  it("shows absolute paths inside cwd relative to it", () => {
    const f = simple("warning", "/repo/.github/workflows/ci.yml", 3);
    expect(formatConcise(input({ findings: [f], cwd: "/repo" }), { color: false })).toMatch(/^\.github\/workflows\/ci\.yml:3:1: /);
  });
});

describe("formatText", () => {
  const out = formatText(input(), { color: false });

  it("prints level[rule]: headline, the location, the source line with markers, related excerpts and fix lines", () => {
    expect(out).toBe(
      [
        "error[credential-leak]: Credentials [AWS_SECRET_ACCESS_KEY] leak: 100% reach",
        "                        step 2, then \\x1b[31mred\\x1b[0m | done",
        " --> .github/workflows/deploy.yml:7:16",
        "   |",
        ' 7 |       - name: "Étape 🚀 clé"',
        "   |                ^^^^^^^^^^^^",
        " ::: actions/setup/action.yml:5:1",
        " 5 |     - run: echo hi",
        "   | ------------------ credentials configured here",
        " ::: .github/workflows/deploy.yml:8:15",
        " 8 |         uses: aws-actions/configure-aws-credentials@v4",
        "   |               ----------- step [deploy]",
        "",
        "warning[unpinned-action]: aws-actions/configure-aws-credentials@v4 is not pinned",
        "                          to a commit SHA",
        " --> .github/workflows/deploy.yml:8:15",
        "   |",
        " 8 |         uses: aws-actions/configure-aws-credentials@v4",
        "   |               ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^",
        "   = fix: Pin to the commit of v4 (--fix)",
        "",
        "note[missing-shell]: Composite run step spans lines; shell is set",
        " --> actions/setup/action.yml:5:1",
        "   |",
        " 5 |     - run: echo hi",
        "   | ^^^^^^^^^^^^^^^^^^",
        "   = fix: Remove the shell line (--unsafe-fixes)",
        "",
        "1 error, 1 warning, 1 note in 2 files",
        "1 fixable with --fix, 1 more with --unsafe-fixes",
        "",
      ].join("\n"),
    );
  });

  it("uses the rule's headline, label, why and hint", () => {
    const f: Finding = {
      ...FINDINGS[0]!,
      headline: "action `aws-actions/configure-aws-credentials@v4` is not pinned to a commit",
      label: "the tag `v4` can move",
      why: "a tag can be moved to other code at any time",
      hint: "pin the commit the tag names",
    };
    expect(formatText(input({ findings: [f] }), { color: false })).toBe(
      [
        "warning[unpinned-action]: action `aws-actions/configure-aws-credentials@v4` is",
        "                          not pinned to a commit",
        " --> .github/workflows/deploy.yml:8:15",
        "   |",
        " 8 |         uses: aws-actions/configure-aws-credentials@v4",
        "   |               ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^",
        // Too wide beside the markers at 80 columns: below them, under the span.
        "   |               the tag `v4` can move",
        "   = why: a tag can be moved to other code at any time",
        "   = fix: pin the commit the tag names (--fix)",
        "",
        "0 errors, 1 warning, 0 notes in 1 file",
        "1 fixable with --fix",
        "",
      ].join("\n"),
    );
  });

  it("prints a repeated headline once, the other places as location and excerpt", () => {
    const at = (line: number): Finding => {
      const pos = { line, column: 1, offset: 0 };
      return { ruleId: "unpinned-action", level: "warning", message: "Same problem. Long explanation that is printed once.", location: { path: A_PATH, range: { start: pos, end: { ...pos, column: 3 } } }, related: [] };
    };
    const o = formatText(input({ findings: [at(3), at(1), at(2)] }), { color: false });
    expect(o.match(/^warning\[unpinned-action\]/gm)).toHaveLength(1);
    expect(o.match(/Long explanation/g)).toHaveLength(1);
    expect(o).toContain(
      [" --> .github/workflows/deploy.yml:1:1", "   |", " 1 | name: déploiement 🚀", "   | ^^", "   = note: Long explanation that is printed once.", "   = the same at 2 more places:", " --> .github/workflows/deploy.yml:2:1", " 2 | on: push", "   | ^^", " --> .github/workflows/deploy.yml:3:1", " 3 | jobs:", "   | ^^", ""].join("\n"),
    );
  });

  it("keeps every line within the width: long source lines show a window around the span, long words are split", () => {
    const text = `jobs:\n  x:\n    steps:\n      - run: ${"echo something rather long; ".repeat(8)}curl https://example.com/${"a".repeat(120)}\n`;
    const start = find(text, "curl");
    const f: Finding = {
      ruleId: "unpinned-action",
      level: "error",
      message: `Downloads from https://example.com/${"a".repeat(120)} without a checksum.`,
      label: "this download",
      location: { path: "w.yml", range: rangeOf(text, start, start + 4) },
      related: [],
    };
    for (const width of [40, 60, 80]) {
      const o = formatText(input({ findings: [f], fileText: () => text }), { color: false, width });
      for (const l of o.split("\n")) expect(textWidth(l), `${width}: ${l}`).toBeLessThanOrEqual(width);
      const rows = o.split("\n");
      const src = rows.findIndex((l) => l.startsWith(" 4 |"));
      expect(rows[src]).toMatch(/^ 4 \| …/);
      // The markers sit under "curl".
      const col = rows[src + 1]!.indexOf("^");
      expect(rows[src]!.slice(col, col + 4)).toBe("curl");
    }
  });

  it("makes control characters in source lines and messages visible", () => {
    const text = "on: push\x1b[2J\tx\n";
    const f: Finding = { ...simple("error", "w.yml", 1), message: "bad \x1b]0;t\x07 thing" };
    const o = formatText(input({ findings: [f], fileText: () => text }), { color: true });
    expect(o.replace(SGR, "")).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/);
    expect(o).toContain("\\x1b[2J");
  });

  it("colours only on request: without the colour codes the output is the plain one", () => {
    expect(out).not.toContain("\x1b");
    const coloured = formatText(input(), { color: true });
    expect(coloured).toContain("\x1b[1m\x1b[31merror[credential-leak]\x1b[0m");
    expect(coloured.replace(SGR, "")).toBe(out);
  });

  it("summarises like the concise form", () => {
    expect(formatText(input({ findings: [] }), { color: false })).toBe("No findings.\n");
    const f = simple("warning", "/repo/.github/workflows/ci.yml", 3);
    expect(formatText(input({ findings: [f], cwd: "/repo" }), { color: false })).toMatch(/^ --> \.github\/workflows\/ci\.yml:3:1$/m);
  });
});

describe("headlines, why and fix for findings without their own", () => {
  it("takes the message's first sentence, cut at a word", () => {
    expect(firstSentence("Pinned to v2.295.0 here. Then more.")).toEqual({ first: "Pinned to v2.295.0 here", rest: "Then more." });
    expect(firstSentence("Use e.g. `x`. Done.").first).toBe("Use e.g. `x`");
    expect(cutAtWord("a".repeat(10) + " " + "b".repeat(200), 100)).toBe(`${"a".repeat(10)} ${"b".repeat(88)}…`);
    expect(cutAtWord("word ".repeat(40).trim(), 100)).toMatch(/^(word ){18,19}word…$/);
    const long: Finding = { ...simple("warning", "a.yml", 1), message: `${"word ".repeat(40).trim()}. Second sentence.` };
    const p = present(long);
    expect(p.headline.length).toBeLessThanOrEqual(100);
    // Nothing is lost: the rest of the message follows the cut.
    expect(p.details).toMatch(/^…word .* Second sentence\.$/);
    expect(`${p.headline.slice(0, -1)} ${p.details!.slice(1)}`.replace(/\s+/g, " ")).toBe(long.message);
  });

  it("SARIF and annotations get the headline and the why as sentences", () => {
    const f: Finding = { ...simple("warning", "a.yml", 1), message: "Long. Text.", headline: "tag `v4` can move", why: "what runs can change" };
    expect(shortText(f)).toBe("Tag `v4` can move. What runs can change.");
    expect(shortText({ ...simple("warning", "a.yml", 1), message: "First sentence here. Second one is the why. Third." })).toBe("First sentence here. Second one is the why.");
  });

  it("wraps at words and splits words wider than a row", () => {
    expect(wrap("aaa bbb ccc", 7)).toEqual(["aaa bbb", "ccc"]);
    expect(wrap("x".repeat(25), 10)).toEqual(["x".repeat(10), "x".repeat(10), "x".repeat(5)]);
    expect(wrap("owner/repo/.github/workflows/file.yml@main", 20)).toEqual(["owner/repo/.github/", "workflows/file.yml@", "main"]);
  });
});

it("the hand-built text fixture is the one these tests read", () => {
  expect(A.split("\n")[6]).toBe('      - name: "Étape 🚀 clé"');
});
