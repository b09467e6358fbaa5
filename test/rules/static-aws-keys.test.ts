import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { FIXTURES, lintDir } from "../helpers/lint-fixture.js";

const dir = (c: string) => path.join(FIXTURES, "static-aws-keys", c);
const findings = async (c: string) => (await lintDir(dir(c))).findings.filter((f) => f.ruleId === "static-aws-keys");

describe("static-aws-keys", () => {
  it("never repeats a literal key in messages or related locations", async () => {
    for (const c of ["literal-keys", "literal-through-composite-input", "literal-in-env"]) {
      const fs = await findings(c);
      expect(fs.length).toBeGreaterThan(0);
      for (const f of fs) {
        const text = [f.message, ...f.related.map((r) => r.message)].join("\n");
        expect(text).not.toContain("AKIAIOSFODNN7EXAMPLE");
        expect(text).not.toContain("wJalrXUtnFEMI");
      }
    }
  });
  it("points at the entry's key, not at the value", async () => {
    const result = await lintDir(dir("literal-keys"));
    const text = result.files.find((f) => f.path === ".github/workflows/ci.yml")!.text;
    const keys = result.findings.filter((f) => f.ruleId === "static-aws-keys").map((f) => text.slice(f.location.range.start.offset, f.location.range.end.offset));
    expect(keys).toEqual(["aws-access-key-id", "aws-secret-access-key"]);
  });
  it("relates a literal passed to a composite to the configure step and the call site", async () => {
    const [f] = await findings("literal-through-composite-input");
    expect(f!.location).toMatchObject({ path: ".github/workflows/ci.yml" });
    expect(f!.related.map((r) => [r.path, r.range.start.line])).toEqual([
      [".github/actions/login/action.yml", 13],
      [".github/workflows/ci.yml", 7],
    ]);
  });
  it("keeps the OIDC note at the configure step even when the keys come through env", async () => {
    const [f] = await findings("env-from-secrets");
    expect(f!.level).toBe("note");
    expect(f!.location.range.start.line).toBe(12);
  });
});
