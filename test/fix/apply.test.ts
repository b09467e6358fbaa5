import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { applyEdits, applyFixes, applyFixesToFiles, editsConflict } from "../../src/fix/apply.js";
import type { Fix, TextEdit } from "../../src/rules/types.js";

const e = (start: number, end: number, text: string, path = "f.yml"): TextEdit => ({ path, start, end, text });
const fix = (description: string, ...edits: TextEdit[]): Fix => ({ description, safe: true, edits });

describe("applyEdits", () => {
  it("applies non-overlapping edits in one pass, whatever their input order", () => {
    const text = "uses: a@v1\nuses: b@v2\n";
    const r = applyEdits(text, [e(19, 21, "v3"), e(8, 10, "v9")]);
    expect(r.text).toBe("uses: a@v9\nuses: b@v3\n");
    expect(r.applied.map((x) => x.start)).toEqual([8, 19]);
    expect(r.deferred).toEqual([]);
  });

  it("keeps the first of overlapping edits and defers the rest", () => {
    const r = applyEdits("abcdefgh", [e(3, 6, "X"), e(2, 4, "Y"), e(5, 7, "Z")]);
    // [2,4) comes first; [3,6) overlaps it; [5,7) only touches what is left and applies.
    expect(r.text).toBe("abYeZh");
    expect(r.applied).toEqual([e(2, 4, "Y"), e(5, 7, "Z")]);
    expect(r.deferred).toEqual([e(3, 6, "X")]);
  });

  it("applies both sides of a [5,7)/[5,7) pair only when identical", () => {
    expect(applyEdits("0123456789", [e(5, 7, "x"), e(5, 7, "x")]).text).toBe("01234x789");
    const r = applyEdits("0123456789", [e(5, 7, "x"), e(5, 7, "y")]);
    expect(r.text).toBe("01234x789");
    expect(r.deferred).toEqual([e(5, 7, "y")]);
  });

  it("collapses identical duplicates, including insertions, even when not adjacent in input", () => {
    const r = applyEdits("ab", [e(1, 1, "X"), e(1, 1, "Y"), e(1, 1, "X")]);
    expect(r.text).toBe("aXYb");
    expect(r.applied).toHaveLength(2);
    expect(r.deferred).toEqual([]);
  });

  it("applies insertions at one offset in stable input order, before a replacement starting there", () => {
    const r = applyEdits("0123456789", [e(3, 5, "R"), e(3, 3, "a"), e(3, 3, "b"), e(5, 5, "c")]);
    expect(r.text).toBe("012abRc56789");
    expect(r.deferred).toEqual([]);
  });

  it("defers an insertion strictly inside a replaced span", () => {
    const r = applyEdits("0123456789", [e(2, 6, "R"), e(4, 4, "i")]);
    expect(r.text).toBe("01R6789");
    expect(r.deferred).toEqual([e(4, 4, "i")]);
  });

  it("handles edits at both ends of the text", () => {
    expect(applyEdits("abc", [e(0, 0, "<"), e(3, 3, ">"), e(0, 3, "ABC")]).text).toBe("<ABC>");
    expect(applyEdits("", [e(0, 0, "x")]).text).toBe("x");
  });

  it("throws on an edit outside the text", () => {
    expect(() => applyEdits("abc", [e(2, 5, "x")])).toThrow(RangeError);
    expect(() => applyEdits("abc", [e(2, 1, "x")])).toThrow(RangeError);
    expect(() => applyEdits("abc", [e(-1, 1, "x")])).toThrow(RangeError);
  });

  it("matches splicing the applied edits one by one from the end (property)", () => {
    const edit = fc
      .tuple(fc.nat(20), fc.nat(4), fc.constantFrom("", "x", "yy", "\r\n", "é"))
      .map(([s, len, t]) => e(s, s + len, t));
    fc.assert(
      fc.property(fc.string({ minLength: 24, maxLength: 30 }), fc.array(edit, { maxLength: 8 }), (text, edits) => {
        const r = applyEdits(text, edits);
        // Applied edits are pairwise compatible; each deferred edit conflicts with an applied one.
        for (const a of r.applied) for (const b of r.applied) if (a !== b) expect(editsConflict(a, b)).toBe(false);
        for (const d of r.deferred) expect(r.applied.some((a) => editsConflict(a, d))).toBe(true);
        const keys = new Set(edits.map((x) => JSON.stringify([x.start, x.end, x.text])));
        expect(r.applied.length + r.deferred.length).toBe(keys.size);
        // Reference: splice from the last edit to the first (same-offset insertions in reverse).
        let expected = text;
        for (const a of [...r.applied].reverse()) expected = expected.slice(0, a.start) + a.text + expected.slice(a.end);
        expect(r.text).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });
});

describe("applyFixes", () => {
  it("applies all edits of a fix or none", () => {
    const text = "0123456789";
    const first = fix("first", e(1, 3, "A"), e(7, 8, "B"));
    const second = fix("second", e(5, 6, "C"), e(2, 4, "D")); // [2,4) overlaps [1,3)
    const r = applyFixes(text, [second, first]);
    expect(r.text).toBe("0A3456B89");
    expect(r.applied).toEqual([first]);
    expect(r.deferred).toEqual([second]);
  });

  it("lets two fixes share an identical edit", () => {
    const perms = e(0, 0, "permissions: {}\n");
    const a = fix("a", perms, e(4, 5, "X"));
    const b = fix("b", perms);
    const r = applyFixes("on: push\n", [a, b]);
    expect(r.text).toBe("permissions: {}\non: Xush\n");
    expect(r.applied).toEqual([a, b]);
  });

  it("refuses a fix whose own edits overlap", () => {
    expect(() => applyFixes("0123456789", [fix("bad", e(1, 4, "x"), e(3, 5, "y"))])).toThrow(/overlapping/);
  });

  it("applies a multi-file fix atomically across files", () => {
    const texts = new Map([
      ["a.yml", "aaaa"],
      ["b.yml", "bbbb"],
    ]);
    const both = fix("both", e(0, 1, "A", "a.yml"), e(0, 1, "B", "b.yml"));
    const clash = fix("clash", e(3, 4, "Z", "a.yml"), e(0, 2, "Q", "b.yml"));
    const missing = fix("missing", e(0, 0, "?", "c.yml"));
    const r = applyFixesToFiles(texts, [clash, both, missing]);
    expect(Object.fromEntries(r.texts)).toEqual({ "a.yml": "Aaaa", "b.yml": "Bbbb" });
    expect(r.applied).toEqual([both]);
    expect(r.deferred).toEqual([clash]);
    expect(r.skipped).toEqual([missing]);
  });
});
