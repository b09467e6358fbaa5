/** The cache's packing of findings: exact round trips, refusal of unknown fields, malformed input. */
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { pack, unpack } from "../../src/cache/findings-codec.js";
import type { Finding } from "../../src/rules/types.js";
import { FIXTURES, lintDir } from "../helpers/lint-fixture.js";

const range = (a: number, b: number) => ({ start: { line: 1, column: a + 1, offset: a }, end: { line: 1, column: b + 1, offset: b } });

const full: Finding = {
  ruleId: "aws-unknown-input",
  level: "warning",
  message: "m",
  location: { path: ".github/workflows/a.yml", range: range(0, 3) },
  related: [{ path: "action.yml", range: range(4, 9), message: "here" }],
  headline: "h",
  why: "w",
  hint: "i",
  label: "l",
  fix: { description: "d", safe: true, edits: [{ path: ".github/workflows/a.yml", start: 0, end: 3, text: "x" }] },
  fixNote: "n",
};
const bare: Finding = { ruleId: "yaml-syntax", level: "error", message: "m", location: { path: "b.yml", range: range(0, 0) }, related: [] };

describe("findings codec", () => {
  it("round-trips findings with and without every optional field, and suppressed ones", () => {
    const suppressed = [{ finding: { ...full, level: "note" as const, fix: { ...full.fix!, safe: false } }, reason: "inline" }];
    const out = unpack(JSON.parse(JSON.stringify(pack([full, bare], suppressed))));
    expect(out).toEqual({ findings: [full, bare], suppressed });
    expect(Object.keys(out!.findings[1]!)).toEqual(["ruleId", "level", "message", "location", "related"]);
  });

  it("round-trips the findings of fixture repositories", async () => {
    for (const dir of ["composite-role-conflict/min-runner-version-error", "unpinned-ref/branch-checkout", "oidc-trust-subject-mismatch/tf-jsonencode-environment"]) {
      const result = await lintDir(path.join(FIXTURES, dir));
      const out = unpack(JSON.parse(JSON.stringify(pack(result.findings, result.suppressed))));
      expect(out!.findings, dir).toEqual(JSON.parse(JSON.stringify(result.findings)));
    }
  });

  it("shares repeated text", () => {
    const p = pack(Array.from({ length: 100 }, () => full), []);
    expect(p.strings.length).toBeLessThan(15);
  });

  it("refuses a field it does not know, and a fix that is not computed", () => {
    expect(() => pack([{ ...full, tags: ["x"] } as Finding], [])).toThrow(/tags/);
    expect(() => pack([{ ...full, related: [{ ...full.related[0]!, extra: 1 } as never] }], [])).toThrow(/extra/);
    expect(() => pack([{ ...full, fix: (() => undefined) as never }], [])).toThrow();
    // An undefined field is no field.
    expect(() => pack([{ ...bare, fixNote: undefined }], [])).not.toThrow();
  });

  it("says malformed for anything out of shape", () => {
    const good = JSON.parse(JSON.stringify(pack([full], [])));
    expect(unpack(good)).toBeDefined();
    const bad = (edit: (p: { strings: unknown[]; findings: unknown[][]; suppressed: unknown[] }) => void) => {
      const p = JSON.parse(JSON.stringify(good));
      edit(p);
      return unpack(p);
    };
    expect(bad((p) => (p.findings[0]![0] = 99))).toBeUndefined();
    expect(bad((p) => (p.findings[0]![0] = -1))).toBeUndefined();
    expect(bad((p) => (p.findings[0]![4] = "1"))).toBeUndefined();
    expect(bad((p) => (p.findings[0]![4] = 1.5))).toBeUndefined();
    expect(bad((p) => p.findings[0]!.pop())).toBeUndefined();
    expect(bad((p) => (p.strings[0] = 3))).toBeUndefined();
    expect(bad((p) => (p.findings[0]![1] = p.strings.indexOf("m")))).toBeUndefined(); // not a level
    expect(bad((p) => (p.suppressed = [[p.findings[0]]]))).toBeUndefined();
    expect(unpack(null)).toBeUndefined();
    expect(unpack({ strings: [], findings: {}, suppressed: [] })).toBeUndefined();
  });
});
