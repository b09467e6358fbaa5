import { describe, expect, it } from "vitest";
import { formatJson, type JsonReport } from "../../src/report/json.js";
import { A, A_PATH, B_PATH, FINDINGS, FIX_TEXT, find, input } from "./fixtures.js";

describe("formatJson", () => {
  const report = JSON.parse(formatJson(input())) as JsonReport;

  it("has the documented top level", () => {
    expect(Object.keys(report)).toEqual(["version", "tool", "findings", "suppressed", "summary"]);
    expect(report.version).toBe(1);
    expect(report.tool).toEqual({ name: "credflow", version: "1.2.3" });
    expect(report.summary).toEqual({ error: 1, warning: 1, note: 1, files: 2, suppressed: 0 });
  });

  it("lists findings sorted, with every documented key", () => {
    expect(report.findings.map((f) => f.rule)).toEqual(["credential-leak", "unpinned-action", "missing-shell"]);
    for (const f of report.findings) {
      expect(Object.keys(f)).toEqual([
        "rule", "level", "message", "path", "line", "column", "endLine", "endColumn", "related", "fix", "fixNote",
      ]);
    }
    const leak = report.findings[0]!;
    expect(leak).toMatchObject({ level: "error", path: A_PATH, line: 7, column: 16, endLine: 7, endColumn: 28, fix: null });
    expect(leak.message).toBe(FINDINGS[1]!.message); // kept verbatim: JSON escapes control characters
    expect(leak.related[0]).toEqual({ path: B_PATH, line: 5, column: 1, endLine: 6, endColumn: 18, message: "credentials configured here" });
  });

  it("converts fix offsets to lines and columns, including a CRLF line deletion", () => {
    const tag = find(A, "@v4") + 1;
    expect(report.findings[1]!.fix).toEqual({
      description: "Pin to the commit of v4",
      safe: true,
      edits: [{ path: A_PATH, startLine: 8, startColumn: 53, endLine: 8, endColumn: 55, start: tag, end: tag + 2, text: FIX_TEXT }],
    });
    expect(report.findings[2]!.fix!.edits[0]).toMatchObject({ startLine: 6, startColumn: 1, endLine: 7, endColumn: 1, text: "" });
  });

  it("uses null lines and columns when the file text is unavailable", () => {
    const r = JSON.parse(formatJson(input({ fileText: () => undefined }))) as JsonReport;
    expect(r.findings[1]!.fix!.edits[0]).toMatchObject({ startLine: null, startColumn: null, endLine: null, endColumn: null });
  });

  it("reports suppressed findings separately, with the reason", () => {
    const r = JSON.parse(formatJson(input({ findings: [], suppressed: [{ finding: FINDINGS[0]!, reason: "ok here" }] }))) as JsonReport;
    expect(r.findings).toEqual([]);
    expect(r.suppressed).toHaveLength(1);
    expect(r.suppressed[0]).toMatchObject({ rule: "unpinned-action", reason: "ok here" });
    expect(r.summary).toEqual({ error: 0, warning: 0, note: 0, files: 0, suppressed: 1 });
  });
});
