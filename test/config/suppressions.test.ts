import { describe, expect, it } from "vitest";
import type { SourceFile } from "../../src/model/types.js";
import type { Finding } from "../../src/rules/types.js";
import { applySuppressions, parseSuppressions, unusedSuppressionFindings } from "../../src/config/suppressions.js";

function file(text: string, path = ".github/workflows/ci.yml"): SourceFile {
  return { path, repoPath: path, kind: "workflow", text };
}

function finding(ruleId: string, line: number, path = ".github/workflows/ci.yml"): Finding {
  const pos = { line, column: 1, offset: 0 };
  return { ruleId, level: "warning", message: `${ruleId} on ${line}`, location: { path, range: { start: pos, end: pos } }, related: [] };
}

const lines = (...l: string[]) => l.join("\n") + "\n";

describe("parseSuppressions", () => {
  it("trailing comment covers its own line; rules and reason are parsed", () => {
    const text = lines(
      "jobs:",
      "  build:",
      "    steps:",
      "      - uses: some/action@v1 # credflow: ignore[unpinned-ref, outdated-action-runtime] vendored; reviewed 2026",
    );
    const [s, ...rest] = parseSuppressions(file(text));
    expect(rest).toEqual([]);
    expect(s).toMatchObject({
      path: ".github/workflows/ci.yml",
      line: 4,
      appliesTo: [4],
      rules: ["unpinned-ref", "outdated-action-runtime"],
      reason: "vendored; reviewed 2026",
      ownLine: false,
    });
    const col = text.split("\n")[3]!.indexOf("#") + 1;
    expect(s!.range).toMatchObject({ line: 4, column: col, endColumn: text.split("\n")[3]!.length + 1 });
    expect(text.slice(s!.range.offset, s!.range.endOffset)).toBe(
      "# credflow: ignore[unpinned-ref, outdated-action-runtime] vendored; reviewed 2026",
    );
  });

  it("an own-line comment covers the next line; several comment lines stack", () => {
    const text = lines(
      "steps:", //                                    1
      "  # credflow: ignore[unpinned-ref]", //        2
      "  - uses: a/b@v1", //                          3
      "  # credflow: ignore[static-aws-keys] legacy", // 4
      "  # an ordinary comment", //                   5
      "  # credflow: ignore[aws-boolean-trap]", //    6
      "  - uses: c/d@v2", //                          7
      "  # credflow: ignore[unpinned-ref]", //        8
      "", //                                          9
      "  - uses: e/f@v3", //                          10
    );
    const s = parseSuppressions(file(text));
    expect(s.map((x) => [x.line, x.appliesTo, x.rules, x.ownLine])).toEqual([
      [2, [3], ["unpinned-ref"], true],
      [4, [7], ["static-aws-keys"], true],
      [6, [7], ["aws-boolean-trap"], true],
      [8, [], ["unpinned-ref"], true],
    ]);
    expect(s[0]!.reason).toBe("");
    expect(s[1]!.reason).toBe("legacy");
  });

  it("ignores comment-like text in quoted scalars, including multi-line ones", () => {
    const text = lines(
      "env:",
      "  A: \"x # credflow: ignore[unpinned-ref]\"",
      "  B: 'it''s # credflow: ignore[unpinned-ref]'",
      "  C: \"first line",
      "    # credflow: ignore[unpinned-ref] still inside the string\"",
      "  D: value#credflow: ignore[unpinned-ref]",
      "  E: \"quoted\" # credflow: ignore[static-aws-keys] real comment after a string",
      "  F: { a: 'x # no' } # credflow: ignore[aws-unknown-input]",
      "  G: Don't # credflow: ignore[unpinned-ref] an apostrophe in a plain scalar is no quote",
      "  H: &anchor \"# credflow: ignore[unpinned-ref]\"",
    );
    expect(parseSuppressions(file(text)).map((s) => [s.line, s.rules])).toEqual([
      [7, ["static-aws-keys"]],
      [8, ["aws-unknown-input"]],
      [9, ["unpinned-ref"]],
    ]);
  });

  it("ignores comment-like text inside block scalars, and ends them by indentation", () => {
    const text = lines(
      "jobs:", //                                                   1
      "  build:", //                                                2
      "    steps:", //                                              3
      "      # credflow: ignore[static-aws-keys] covers the run block", // 4
      "      - run: |", //                                          5
      "          echo one", //                                      6
      "          # credflow: ignore[unpinned-ref] shell comment", // 7
      "", //                                                        8
      "          echo two", //                                      9
      "      - name: x", //                                         10
      "        run: >-", //                                         11
      "          # credflow: ignore[unpinned-ref]", //              12
      "        # credflow: ignore[aws-invalid-input]", //           13
      "        with:", //                                           14
      "          script: |2", //                                    15
      "              # credflow: ignore[unpinned-ref] more indented", // 16
      "            # credflow: ignore[unpinned-ref] explicit indent", // 17
      "          key: v # credflow: ignore[aws-boolean-trap]", //   18
      "      - uses: a/b@v1 # credflow: ignore[unpinned-ref]", //   19
    );
    const s = parseSuppressions(file(text));
    expect(s.map((x) => [x.line, x.appliesTo, x.rules])).toEqual([
      [4, [5, 6, 7, 8, 9], ["static-aws-keys"]],
      [13, [14], ["aws-invalid-input"]],
      [18, [18], ["aws-boolean-trap"]],
      [19, [19], ["unpinned-ref"]],
    ]);
  });

  it("reads comments as YAML does: a plain scalar continued by `|` is no block scalar", () => {
    // The former line scanner took line 2 for a block scalar header and missed the comment below it.
    const text = lines("run: echo one", "  |", "# credflow: ignore[unpinned-ref]", "uses: a/b@v1");
    expect(parseSuppressions(file(text)).map((x) => [x.line, x.appliesTo])).toEqual([[3, [4]]]);
  });

  it("a trailing comment on a block scalar header is a comment and covers the block", () => {
    const text = lines("steps:", "  - run: | # credflow: ignore[static-aws-keys]", "      echo $KEY", "  - run: echo");
    expect(parseSuppressions(file(text)).map((x) => [x.line, x.appliesTo])).toEqual([[2, [2, 3]]]);
  });

  it("handles CRLF line breaks and a BOM", () => {
    const text = "\uFEFF# credflow: ignore[unpinned-ref] why\r\nuses: a/b@v1\r\nx: y # credflow: ignore[static-aws-keys]\r\nrun: |\r\n  # credflow: ignore[x]\r\n";
    const s = parseSuppressions(file(text));
    expect(s.map((x) => [x.line, x.appliesTo, x.rules, x.reason])).toEqual([
      [1, [2], ["unpinned-ref"], "why"],
      [3, [3], ["static-aws-keys"], ""],
    ]);
    // Column 1 on the first line (the BOM is not counted); the offset still indexes the text.
    expect(s[0]!.range).toMatchObject({ column: 1, offset: 1 });
    expect(text.slice(s[0]!.range.offset, s[0]!.range.endOffset)).toBe("# credflow: ignore[unpinned-ref] why");
    expect(text.slice(s[1]!.range.offset, s[1]!.range.endOffset)).toBe("# credflow: ignore[static-aws-keys]");
  });

  it("other credflow comments are not suppressions; a bracket-less ignore is kept as malformed", () => {
    const text = lines("# credflow: ignored", "# credflow: please ignore[x]", "a: 1 # credflow: ignore", "# credflow:ignore[ unpinned-ref ,, static-aws-keys ]");
    expect(parseSuppressions(file(text)).map((x) => [x.line, x.rules])).toEqual([
      [3, []],
      [4, ["unpinned-ref", "static-aws-keys"]],
    ]);
  });
});

describe("applySuppressions", () => {
  const text = lines(
    "steps:", //                                                           1
    "  - uses: a/b@v1 # credflow: ignore[unpinned-ref] reviewed", //       2
    "  # credflow: ignore[unpinned-ref, outdated-action-runtime] old", //  3
    "  - uses: c/d@v1", //                                                 4
    "  - uses: e/f@v1 # credflow: ignore[static-aws-keys]", //             5
    "  - uses: g/h@v1 # credflow: ignore[not-a-rule]", //                  6
  );
  const files = [file(text)];

  it("suppresses findings on the line and below the comment, for the listed rules only", () => {
    const findings = [
      finding("unpinned-ref", 2),
      finding("unpinned-ref", 4),
      finding("outdated-action-runtime", 4),
      finding("unpinned-ref", 5), // wrong rule: kept
      finding("unpinned-ref", 6),
      finding("unpinned-ref", 2, "other.yml"), // another file: kept
    ];
    const r = applySuppressions(findings, files);
    expect(r.kept.map((f) => [f.location.path, f.location.range.start.line])).toEqual([
      [".github/workflows/ci.yml", 5],
      [".github/workflows/ci.yml", 6],
      ["other.yml", 2],
    ]);
    expect(r.suppressed.map((s) => [s.finding.ruleId, s.finding.location.range.start.line, s.reason])).toEqual([
      ["unpinned-ref", 2, "reviewed"],
      ["unpinned-ref", 4, "old"],
      ["outdated-action-runtime", 4, "old"],
    ]);
    expect(r.unused.map((u) => [u.line, u.unusedRules])).toEqual([
      [5, ["static-aws-keys"]],
      [6, ["not-a-rule"]],
    ]);
  });

  it("reports the part of a suppression that suppressed nothing", () => {
    const r = applySuppressions([finding("unpinned-ref", 4)], files);
    expect(r.unused.map((u) => [u.line, u.unusedRules])).toEqual([
      [2, ["unpinned-ref"]],
      [3, ["outdated-action-runtime"]],
      [5, ["static-aws-keys"]],
      [6, ["not-a-rule"]],
    ]);
  });

  it("with activeRules, rules that did not run are not reported (unknown ids still are)", () => {
    const r = applySuppressions([], files, { activeRules: new Set(["unpinned-ref"]) });
    expect(r.unused.map((u) => [u.line, u.unusedRules])).toEqual([
      [2, ["unpinned-ref"]],
      [3, ["unpinned-ref"]],
      [6, ["not-a-rule"]],
    ]);
  });

  it("a suppression in a composite action applies to findings located there", () => {
    const action = file(lines("runs:", "  using: composite", "  steps:", "    - uses: a/b@v1 # credflow: ignore[unpinned-ref]"), "actions/x/action.yml");
    const r = applySuppressions([finding("unpinned-ref", 4, "actions/x/action.yml"), finding("unpinned-ref", 5)], [...files, action]);
    expect(r.suppressed.map((s) => s.finding.location.path)).toEqual(["actions/x/action.yml"]);
    expect(r.kept.map((f) => f.location.path)).toEqual([".github/workflows/ci.yml"]);
  });
});

describe("unusedSuppressionFindings", () => {
  it("warns on the comment, naming the unused rule ids, with a fix", () => {
    const text = lines("steps:", "  # credflow: ignore[unpinned-ref, static-aws-keys] why", "  - uses: a/b@v1 # credflow: ignore[nope]", "  - run: x");
    const f = file(text);
    const r = applySuppressions([finding("unpinned-ref", 3)], [f]);
    const out = unusedSuppressionFindings(r.unused);
    expect(out).toHaveLength(2);
    const [first, second] = out as [Finding, Finding];
    expect(first).toMatchObject({ ruleId: "unused-suppression", level: "warning", related: [] });
    expect(first.message).toBe("Unused suppression of static-aws-keys: no such finding on line 3.");
    expect(first.location.path).toBe(".github/workflows/ci.yml");
    expect(first.location.range.start).toEqual({ line: 2, column: 3, offset: text.indexOf("# credflow") });
    expect(first.location.range.end.column).toBe(text.split("\n")[1]!.length + 1);
    expect(second.message).toBe('Unused suppression of nope: no such finding on line 3. "nope" is not a known rule id.');

    const applyFix = (fd: Finding) => {
      const e = fd.fix!.edits[0]!;
      return text.slice(0, e.start) + e.text + text.slice(e.end);
    };
    expect(first.fix?.safe).toBe(true);
    expect(applyFix(first)).toBe(text.replace("unpinned-ref, static-aws-keys", "unpinned-ref"));
    expect(applyFix(second)).toBe(text.replace(" # credflow: ignore[nope]", ""));
  });

  it("an unused own-line comment is removed with its line; a malformed one is explained", () => {
    const text = lines("a: 1", "# credflow: ignore[unpinned-ref]", "b: 2 # credflow: ignore");
    const out = unusedSuppressionFindings(applySuppressions([], [file(text)]).unused);
    expect(out.map((f) => f.message)).toEqual([
      "Unused suppression of unpinned-ref: no such finding on line 3.",
      'Suppression comment names no rule: write "# credflow: ignore[rule-id] reason".',
    ]);
    const e = out[0]!.fix!.edits[0]!;
    expect(text.slice(0, e.start) + e.text + text.slice(e.end)).toBe(lines("a: 1", "b: 2 # credflow: ignore"));
  });

  it("says when an own-line comment has no line below it", () => {
    const out = unusedSuppressionFindings(applySuppressions([], [file("a: 1\n# credflow: ignore[unpinned-ref]\n\nb: 2\n")]).unused);
    expect(out[0]!.message).toBe("Unused suppression of unpinned-ref: it is not directly above a line.");
  });
});
