import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatGithub } from "../../src/report/github.js";
import { formatJson } from "../../src/report/json.js";
import { formatRdjsonl } from "../../src/report/rdjsonl.js";
import { formatSarif } from "../../src/report/sarif.js";
import { formatText } from "../../src/report/text.js";
import type { ReportInput } from "../../src/report/types.js";
import { FINDINGS, input, simple } from "./fixtures.js";

const all = (i: ReportInput): string[] => {
  const gh = formatGithub(i);
  return [formatText(i, { color: false }), formatJson(i), formatSarif(i), formatRdjsonl(i), gh.annotations, gh.summary];
};

describe("all formats", () => {
  it("do not depend on the order findings arrive in", () => {
    const pool = [...FINDINGS, simple("error", "z.yml", 3), simple("error", "z.yml", 3, "credential-leak"), simple("note", "a.yml", 9)];
    const expected = all(input({ findings: pool }));
    fc.assert(
      fc.property(fc.shuffledSubarray(pool, { minLength: pool.length, maxLength: pool.length }), (shuffled) => {
        expect(all(input({ findings: shuffled }))).toEqual(expected);
      }),
      { numRuns: 50 },
    );
  });

  it("never emit ANSI escapes except colour in text mode", () => {
    const evil = { ...FINDINGS[1]!, message: "\x1b]0;pwned\x07 \x1b[2J \u009b31m", ruleId: "credential-leak" };
    for (const out of all(input({ findings: [evil, ...FINDINGS] }))) {
      expect(out).not.toMatch(/[\x1b\u009b]/);
    }
  });
});
