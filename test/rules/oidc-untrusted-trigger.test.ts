import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { FIXTURES, lintDir } from "../helpers/lint-fixture.js";

const dir = (c: string) => path.join(FIXTURES, "oidc-untrusted-trigger", c);
const findings = async (c: string) => (await lintDir(dir(c))).findings.filter((f) => f.ruleId === "oidc-untrusted-trigger");

describe("oidc-untrusted-trigger locations", () => {
  it("relates the triggers and the checkout that brings the pull request's code", async () => {
    const [f] = await findings("pr-target-head-checkout");
    expect(f!.related.map((r) => [r.range.start.line, r.message])).toEqual([
      [2, "the workflow's triggers: pull_request_target"],
      [12, "checks out the pull request's code"],
      [21, "builds or runs that code"],
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

describe("oidc-untrusted-trigger messages", () => {
  const cases = [
    "pr-target-head-checkout",
    "pr-target-base-only-note",
    "pr-target-runs-artifact",
    "pr-target-code-present",
    "pr-target-environment-gate",
    "pr-target-permission-script",
    "pr-target-labeled-build",
    "issue-comment-script-injection",
    "issues-agent-with-shell",
    "issue-comment-agent-restricted",
    "issues-remote-agent",
    "workflow-run-unresolved-ref",
    "review-injection",
    "pull-request-note",
    "pull-request-codebuild-note",
  ];
  it.each(cases)("%s: a short headline, one-sentence why and hint, a label; the message holds all of them", async (c) => {
    const [f] = await findings(c);
    expect(f, c).toBeDefined();
    expect(f!.headline!.length, f!.headline).toBeLessThanOrEqual(100);
    expect(f!.why).toBeTruthy();
    expect(f!.hint).toMatch(/^[A-Z][^]*\.$/);
    expect(f!.label!.length).toBeLessThanOrEqual(60);
    expect(f!.message).toContain(f!.headline!);
    expect(f!.message).toContain(f!.hint!);
  });

  it("a level lowered by an environment names the environment and the setting that decides", async () => {
    const [f] = await findings("pr-target-environment-gate");
    expect(f!.message).toContain("environment `preview`");
    expect(f!.message).toContain("requires reviewers");
  });

  it("a note for a run-time gate names the gate job and says credflow does not verify it", async () => {
    const [f] = await findings("pr-target-permission-script");
    expect(f!.message).toContain("job `check-author`'s permission check");
    expect(f!.message).toContain("does not evaluate");
  });
});
