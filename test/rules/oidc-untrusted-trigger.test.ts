import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { FIXTURES, lintDir } from "../helpers/lint-fixture.js";
import { narrowByEventName } from "../../src/rules/oidc-untrusted-trigger.js";

const dir = (c: string) => path.join(FIXTURES, "oidc-untrusted-trigger", c);
const findings = async (c: string) => (await lintDir(dir(c))).findings.filter((f) => f.ruleId === "oidc-untrusted-trigger");

describe("narrowByEventName", () => {
  const all = ["push", "pull_request_target", "pull_request"];
  it("keeps only events an == condition names", () => {
    expect(narrowByEventName(all, "github.event_name == 'push'")).toEqual(["push"]);
    expect(narrowByEventName(all, "${{ github.event_name == 'push' || github.event_name == 'pull_request' }}")).toEqual(["push", "pull_request"]);
  });
  it("does not narrow when another branch of || could be true", () => {
    expect(narrowByEventName(all, "github.event_name == 'push' || github.actor == 'me'")).toEqual(all);
  });
  it("drops events a != condition excludes", () => {
    expect(narrowByEventName(all, "github.event_name != 'pull_request_target' && success()")).toEqual(["push", "pull_request"]);
  });
});

describe("oidc-untrusted-trigger locations", () => {
  it("relates the triggers and the checkout that brings the pull request's code", async () => {
    const [f] = await findings("pr-target-head-checkout");
    expect(f!.related.map((r) => [r.range.start.line, r.message])).toEqual([
      [2, "the workflow's triggers: pull_request_target"],
      [12, "checks out the pull request's code"],
    ]);
  });
  it("reports a composite's call at the workflow step, with the inner step related", async () => {
    const [f] = await findings("composite-call");
    expect(f!.location.path).toBe(".github/workflows/ci.yml");
    expect(f!.related[0]).toMatchObject({ path: ".github/actions/aws-login/action.yml" });
  });
  it("reports a reusable workflow's call at the caller's uses:", async () => {
    const [f] = await findings("reusable-called-from-pr-target");
    expect(f!.location).toMatchObject({ path: ".github/workflows/ci.yml" });
    expect(f!.location.range.start.line).toBe(8);
    expect(f!.related[0]).toMatchObject({ path: ".github/workflows/deploy.yml" });
  });
});
