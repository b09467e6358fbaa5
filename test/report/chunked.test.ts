import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { jsonArrayElements, stringifyJson } from "../../src/report/common.js";
import { formatJson, formatJsonChunks } from "../../src/report/json.js";
import { formatSarif, formatSarifChunks } from "../../src/report/sarif.js";
import type { ReportInput } from "../../src/report/types.js";
import { FINDINGS, input, simple } from "./fixtures.js";

// Large runs write JSON and SARIF as chunks (one finding at a time); the bytes must be exactly the
// ones the whole-document formatters give, for every shape of report.
const joined = (chunks: Iterable<string>): string => [...chunks].join("");

describe("chunked JSON and SARIF", () => {
  const pool = [...FINDINGS, simple("error", "z.yml", 3), simple("warning", "z.yml", 3, "credential-leak"), simple("note", "a.yml", 9)];
  const cases: Array<[string, ReportInput]> = [
    ["no findings", input({ findings: [] })],
    ["one finding", input({ findings: [FINDINGS[0]!] })],
    ["many findings", input({ findings: pool })],
    ["only suppressed", input({ findings: [], suppressed: [{ finding: FINDINGS[0]!, reason: "reviewed" }] })],
    ["findings and suppressed", input({ findings: pool.slice(1), suppressed: [{ finding: FINDINGS[0]!, reason: "reviewed\nover two lines" }] })],
    ["no file text", input({ findings: pool, fileText: () => undefined })],
  ];
  it.each(cases)("give formatJson's bytes: %s", (_, i) => {
    expect(joined(formatJsonChunks(i))).toBe(formatJson(i));
  });
  it.each(cases)("give formatSarif's bytes: %s", (_, i) => {
    expect(joined(formatSarifChunks(i))).toBe(formatSarif(i));
    expect(joined(formatSarifChunks(i, { category: "ci/deploy/" }))).toBe(formatSarif(i, { category: "ci/deploy/" }));
  });
  it("give the same bytes for any subset of findings, with hostile text in messages", () => {
    const hostile = { ...FINDINGS[1]!, message: 'a "quoted"\n\tline \u2028 \u0085 "results": []', ruleId: "credential-leak" };
    const all = [...pool, hostile];
    fc.assert(
      fc.property(fc.subarray(all), fc.subarray(all), (live, hidden) => {
        const i = input({ findings: live, suppressed: hidden.map((finding) => ({ finding, reason: "r" })) });
        expect(joined(formatJsonChunks(i))).toBe(formatJson(i));
        expect(joined(formatSarifChunks(i))).toBe(formatSarif(i));
      }),
      { numRuns: 60 },
    );
  });

  it("write array elements in batches exactly as the whole document has them, at any depth and batch size", () => {
    const item = fc.oneof(fc.jsonValue(), fc.record({ text: fc.string({ unit: "binary" }), list: fc.array(fc.integer()), empty: fc.constant([]) }));
    fc.assert(
      fc.property(fc.array(item, { minLength: 1, maxLength: 12 }), fc.integer({ min: 1, max: 5 }), (items, batch) => {
        const four = [...jsonArrayElements(items, 4, (x) => x, batch)].join("");
        expect(`{\n  "a": [\n${four}\n  ]\n}`).toBe(stringifyJson({ a: items }, 2));
        const eight = [...jsonArrayElements(items, 8, (x) => x, batch)].join("");
        expect(`{\n  "a": [\n    {\n      "b": [\n${eight}\n      ]\n    }\n  ]\n}`).toBe(stringifyJson({ a: [{ b: items }] }, 2));
      }),
      { numRuns: 200 },
    );
  });
});
