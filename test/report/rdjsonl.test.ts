import { describe, expect, it } from "vitest";
import { formatRdjsonl, type RdDiagnostic } from "../../src/report/rdjsonl.js";
import { A_PATH, B, B_PATH, FINDINGS, FIX_TEXT, input, rangeOf, simple } from "./fixtures.js";

function parse(out: string): RdDiagnostic[] {
  expect(out.endsWith("\n")).toBe(true);
  return out
    .slice(0, -1)
    .split("\n")
    .map((line) => JSON.parse(line) as RdDiagnostic);
}

describe("formatRdjsonl", () => {
  const out = formatRdjsonl(input());
  const diags = parse(out);

  it("writes one JSON diagnostic per line, sorted, with source, code and severity", () => {
    expect(diags).toHaveLength(3);
    expect(diags.map((d) => [d.code.value, d.severity])).toEqual([
      ["credential-leak", "ERROR"],
      ["unpinned-action", "WARNING"],
      ["missing-shell", "INFO"],
    ]);
    for (const d of diags) {
      expect(d.source).toEqual({ name: "credflow" });
      expect(d.code.url).toBe(`https://github.com/credflow/credflow/blob/main/docs/rules/${d.code.value}.md`);
    }
    expect(out).not.toContain("\x1b");
    expect(formatRdjsonl(input({ findings: [] }))).toBe("");
  });

  it("converts UTF-16 columns to UTF-8 byte columns on a non-ASCII line", () => {
    // `      - name: "Étape 🚀 clé"`: É and é are 2 bytes, 🚀 is 2 UTF-16 units and 4 bytes.
    expect(diags[0]!.location).toEqual({
      path: A_PATH,
      range: { start: { line: 7, column: 16 }, end: { line: 7, column: 32 } },
    });
    expect(FINDINGS[1]!.location.range.end.column).toBe(28);
  });

  it("turns a safe single-file fix into one suggestion with byte ranges; an unsafe fix into none", () => {
    expect(diags[1]!.suggestions).toEqual([{ range: { start: { line: 8, column: 53 }, end: { line: 8, column: 55 } }, text: FIX_TEXT }]);
    // missing-shell's fix is unsafe: reviewers would take a suggestion for a safe change.
    expect(diags[2]!.suggestions).toBeUndefined();
    expect(diags[0]!.suggestions).toBeUndefined();
  });

  it("deletions included: a whole CRLF line removed runs from column 1 to the start of the next line", () => {
    const safe = { ...FINDINGS[2]!, fix: { ...FINDINGS[2]!.fix!, safe: true } };
    const [d] = parse(formatRdjsonl(input({ findings: [safe] })));
    expect(d!.suggestions).toEqual([{ range: { start: { line: 6, column: 1 }, end: { line: 7, column: 1 } }, text: "" }]);
  });

  it("joins a fix's edits into one suggestion, and keeps one suggestion per line (the worse finding's)", () => {
    const text = "on: push\njobs:\n  a:\n    steps:\n      - uses: x/y@v1\n";
    const at = (needle: string) => text.indexOf(needle);
    const two = {
      ...simple("warning", "w.yml", 5),
      fix: { description: "two edits", safe: true, edits: [{ path: "w.yml", start: at("x/y"), end: at("x/y") + 1, text: "X" }, { path: "w.yml", start: at("@v1") + 1, end: at("@v1") + 3, text: "v2" }] },
    };
    const rival = { ...simple("error", "w.yml", 5, "other-rule"), fix: { description: "rival", safe: true, edits: [{ path: "w.yml", start: at("- uses"), end: at("- uses") + 1, text: "-" }] } };
    const diagsTwo = parse(formatRdjsonl(input({ findings: [two], fileText: () => text })));
    expect(diagsTwo[0]!.suggestions).toEqual([{ range: { start: { line: 5, column: 15 }, end: { line: 5, column: 21 } }, text: "X/y@v2" }]);
    const both = parse(formatRdjsonl(input({ findings: [two, rival], fileText: () => text })));
    expect(both.find((d) => d.code.value === "other-rule")!.suggestions).toHaveLength(1);
    expect(both.find((d) => d.code.value === "unpinned-action")!.suggestions).toBeUndefined();
  });

  it("carries related locations", () => {
    expect(diags[0]!.related_locations).toEqual([
      { message: "credentials configured here", location: { path: B_PATH, range: { start: { line: 5, column: 1 }, end: { line: 6, column: 18 } } } },
      { message: "step [deploy]", location: { path: A_PATH, range: { start: { line: 8, column: 15 }, end: { line: 8, column: 26 } } } },
    ]);
  });

  it("does not count the BOM on line 1 and keeps CR out of the way", () => {
    const start = B.indexOf("setup");
    const f = { ...simple("note", B_PATH, 1), location: { path: B_PATH, range: rangeOf(B, start, start + 5) } };
    const [d] = parse(formatRdjsonl(input({ findings: [f] })));
    expect(d!.location.range).toEqual({ start: { line: 1, column: 7 }, end: { line: 1, column: 12 } });
  });

  it("offers no partial suggestion for a fix that edits another file too", () => {
    const f = {
      ...FINDINGS[0]!,
      fix: { description: "x", safe: true, edits: [...FINDINGS[0]!.fix!.edits, { path: B_PATH, start: 1, end: 1, text: "y" }] },
    };
    expect(parse(formatRdjsonl(input({ findings: [f] })))[0]!.suggestions).toBeUndefined();
  });

  it("falls back to the UTF-16 columns without the file text", () => {
    const [d] = parse(formatRdjsonl(input({ findings: [FINDINGS[1]!], fileText: () => undefined })));
    expect(d!.location.range.end.column).toBe(28);
  });
});
