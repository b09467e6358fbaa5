import { describe, expect, it } from "vitest";
import { lintDir } from "../helpers/lint-fixture.js";
import { tempRepo } from "../helpers/temp-repo.js";
import { configureWorkflow } from "../helpers/configure-workflow.js";
import { runnerString } from "../../src/graph/configure.js";
import type { Finding } from "../../src/rules/types.js";

const RULE = "aws-invalid-input";
const workflow = (ref: string, withLines: string[], permissions?: string[]): string => configureWorkflow(ref, withLines, { permissions });


async function findings(files: Record<string, string>): Promise<Finding[]> {
  const result = await lintDir(tempRepo(files));
  expect(result.internalErrors).toEqual([]);
  return result.findings.filter((f) => f.ruleId === RULE);
}

const where = (f: Finding) => [f.location.path, f.location.range.start.line];

describe("aws-invalid-input", () => {
  it("reports a value passed through a composite at the call site, with the composite's line as related", async () => {
    const found = await findings({
      ".github/workflows/ci.yml": [
        "on: push",
        "permissions:",
        "  id-token: write",
        "jobs:",
        "  j:",
        "    runs-on: ubuntu-latest",
        "    steps:",
        "      - uses: ./.github/actions/login",
        "        with:",
        "          region: us_east_1",
        "",
      ].join("\n"),
      ".github/actions/login/action.yml": [
        "name: login",
        "inputs:",
        "  region: {}",
        "runs:",
        "  using: composite",
        "  steps:",
        "    - uses: aws-actions/configure-aws-credentials@v4",
        "      with:",
        "        role-to-assume: arn:aws:iam::123456789012:role/x",
        "        aws-region: ${{ inputs.region }}",
        "",
      ].join("\n"),
    });
    expect(found.map(where)).toEqual([[".github/workflows/ci.yml", 10]]);
    expect(found[0]!.message).toContain('"Region is not valid: us_east_1"');
    expect(found[0]!.related.map((r) => [r.path, r.range.start.line, r.message])).toEqual([
      [".github/actions/login/action.yml", 10, "this value reaches `aws-region` of configure-aws-credentials here as `${{ inputs.region }}`"],
    ]);
  });

  it("follows two composite levels and a reusable workflow's `with:`", async () => {
    const found = await findings({
      ".github/workflows/ci.yml": ["on: push", "permissions:", "  id-token: write", "jobs:", "  call:", "    uses: ./.github/workflows/deploy.yml", "    with:", "      duration: 100", ""].join("\n"),
      ".github/workflows/deploy.yml": [
        "on:",
        "  workflow_call:",
        "    inputs:",
        "      duration: { type: number }",
        "jobs:",
        "  d:",
        "    runs-on: ubuntu-latest",
        "    steps:",
        "      - uses: ./.github/actions/outer",
        "        with:",
        "          seconds: ${{ inputs.duration }}",
        "",
      ].join("\n"),
      ".github/actions/outer/action.yml": ["name: outer", "inputs:", "  seconds: {}", "runs:", "  using: composite", "  steps:", "    - uses: ./.github/actions/inner", "      with:", "        s: ${{ inputs.seconds }}", ""].join("\n"),
      ".github/actions/inner/action.yml": [
        "name: inner",
        "inputs:",
        "  s: {}",
        "runs:",
        "  using: composite",
        "  steps:",
        "    - uses: aws-actions/configure-aws-credentials@v4",
        "      with:",
        "        role-to-assume: arn:aws:iam::123456789012:role/x",
        "        aws-region: us-east-1",
        "        role-duration-seconds: ${{ inputs.s }}",
        "",
      ].join("\n"),
    });
    expect(found.map(where)).toEqual([[".github/workflows/ci.yml", 8]]);
    expect(found[0]!.message).toContain("`role-duration-seconds: 100` is below AWS's minimum of 900 seconds");
  });

  it("locates a value built from several parts on the configure step, and points at the call site", async () => {
    const found = await findings({
      ".github/workflows/ci.yml": ["on: push", "permissions:", "  id-token: write", "jobs:", "  j:", "    runs-on: ubuntu-latest", "    steps:", "      - uses: ./.github/actions/login", "        with:", "          account: '1234'", ""].join("\n"),
      ".github/actions/login/action.yml": [
        "name: login",
        "inputs:",
        "  account: {}",
        "runs:",
        "  using: composite",
        "  steps:",
        "    - uses: aws-actions/configure-aws-credentials@v4",
        "      with:",
        "        role-to-assume: arn:aws:iam::${{ inputs.account }}:role/x",
        "        aws-region: us-east-1",
        "",
      ].join("\n"),
    });
    expect(found.map(where)).toEqual([[".github/actions/login/action.yml", 9]]);
    expect(found[0]!.message).toContain("the account `1234` is not 12 digits");
    expect(found[0]!.related.map((r) => [r.path, r.range.start.line])).toEqual([[".github/workflows/ci.yml", 8]]);
  });

  it("reports a literal input default that reaches the call", async () => {
    const found = await findings({
      ".github/workflows/ci.yml": ["on: push", "permissions:", "  id-token: write", "jobs:", "  j:", "    runs-on: ubuntu-latest", "    steps:", "      - uses: ./.github/actions/login", ""].join("\n"),
      ".github/actions/login/action.yml": [
        "name: login",
        "inputs:",
        "  session:",
        "    default: deploy session",
        "runs:",
        "  using: composite",
        "  steps:",
        "    - uses: aws-actions/configure-aws-credentials@v4",
        "      with:",
        "        role-to-assume: arn:aws:iam::123456789012:role/x",
        "        aws-region: us-east-1",
        "        role-session-name: ${{ inputs.session }}",
        "",
      ].join("\n"),
    });
    expect(found.map(where)).toEqual([[".github/actions/login/action.yml", 3]]);
    expect(found[0]!.related[0]!.message).toContain("the default of this input reaches `role-session-name`");
  });

  it("reads values the way GitHub types plain scalars", async () => {
    const scalar = (value: string, style = "PLAIN") => ({ value, style, isExpression: false, range: { start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 1, offset: 0 } } });
    expect(runnerString(scalar("0x384"))).toBe("900");
    expect(runnerString(scalar("3600.0"))).toBe("3600");
    expect(runnerString(scalar("True"))).toBe("true");
    expect(runnerString(scalar("~"))).toBe("");
    expect(runnerString(scalar("1e3", "QUOTE_DOUBLE"))).toBe("1e3");
    const found = await findings({
      ".github/workflows/ci.yml": workflow("v4", ["role-to-assume: arn:aws:iam::123456789012:role/x", "aws-region: us-east-1", 'role-duration-seconds: "1e3"']),
    });
    // Quoted, it stays text; parseInt("1e3") is 1.
    expect(found[0]!.message).toContain("(read by the action as 1) is below AWS's minimum");
    expect(await findings({ ".github/workflows/ci.yml": workflow("v4", ["role-to-assume: arn:aws:iam::123456789012:role/x", "aws-region: us-east-1", "role-duration-seconds: 1e3"]) })).toEqual([]);
  });

  it("reports a role name only where a web identity is used", async () => {
    const noToken = await findings({
      ".github/workflows/ci.yml": workflow("v4", ["role-to-assume: deploy", "aws-region: us-east-1"], ["permissions:", "  contents: read"]),
    });
    // Without id-token the action falls back to the runner's credentials, where a role name works.
    expect(noToken).toEqual([]);
    const tokenFile = await findings({
      ".github/workflows/ci.yml": workflow("v4", ["role-to-assume: deploy", "web-identity-token-file: /tmp/token", "aws-region: us-east-1"], []),
    });
    expect(tokenFile).toHaveLength(1);
    expect(tokenFile[0]!.message).toContain("with `web-identity-token-file` the action has no account");
  });

  it("names an assumed-role ARN for what it is", async () => {
    const found = await findings({
      ".github/workflows/ci.yml": workflow("v4", ["role-to-assume: arn:aws:sts::123456789012:assumed-role/deploy/session", "aws-region: us-east-1"]),
    });
    expect(found[0]!.message).toContain("it names an assumed-role session");
  });

  it("skips inputs the pinned version does not read", async () => {
    // managed-session-policies arrived in v2.2.0: v1 ignores it (aws-unknown-input says so).
    const lines = Array.from({ length: 12 }, (_, i) => `  arn:aws:iam::aws:policy/P${i}`);
    const found = await findings({
      ".github/workflows/ci.yml": workflow("v1", ["role-to-assume: arn:aws:iam::123456789012:role/x", "aws-region: us-east-1", "managed-session-policies: |", ...lines]),
    });
    expect(found).toEqual([]);
  });

  it("checks AWS limits even when the ref is unknown", async () => {
    const found = await findings({
      ".github/workflows/ci.yml": workflow("0123456789abcdef0123456789abcdef01234567", ["role-to-assume: arn:aws:iam::123456789012:role/x", "aws-region: us-east-1", "role-duration-seconds: 60"]),
    });
    expect(found).toHaveLength(1);
  });
});
