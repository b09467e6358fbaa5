import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { FIXTURES, lintDir } from "../helpers/lint-fixture.js";

const dir = (c: string) => path.join(FIXTURES, "credential-env-shadowing", c);
const ofRule = (r: Awaited<ReturnType<typeof lintDir>>) => r.findings.filter((f) => f.ruleId === "credential-env-shadowing");

describe("credential-env-shadowing", () => {
  it("reports a key inside a composite once, however often the composite runs", async () => {
    const found = ofRule(await lintDir(dir("composite-step-env")));
    expect(found).toHaveLength(1);
    // The rule's own related location first, then (added by the engine) both calls that reach the composite.
    expect(found[0]!.related.map((r) => [r.path, r.range.start.line])).toEqual([
      [".github/actions/deploy/action.yml", 11],
      [".github/workflows/deploy.yml", 11],
      [".github/workflows/deploy.yml", 12],
    ]);
  });

  it("points at the configure call and the first masked step, and never prints the value", async () => {
    const found = ofRule(await lintDir(dir("call-step-env")));
    const keyId = found.find((f) => f.message.startsWith("`AWS_ACCESS_KEY_ID`"));
    expect(keyId).toBeDefined();
    expect(keyId!.related.map((r) => [r.path, r.range.start.line])).toEqual([
      [".github/actions/deploy/action.yml", 9],
      [".github/actions/deploy/action.yml", 13],
    ]);
    expect(keyId!.message).not.toContain("OLD_KEY_ID");
    // The finding sits on the key itself, not on the value or the env block.
    expect(keyId!.location.range.start.column).toBe(11);
  });
});
