import { describe, expect, it } from "vitest";
import { lintDir } from "../helpers/lint-fixture.js";
import { tempRepo } from "../helpers/temp-repo.js";
import { configureWorkflow } from "../helpers/configure-workflow.js";
import { closestName, editDistance } from "../../src/rules/support/closest.js";
import type { Finding } from "../../src/rules/types.js";

const RULE = "aws-unknown-input";
const workflow = (ref: string, withLines: string[]): string => configureWorkflow(ref, withLines);


async function findings(files: Record<string, string>, paths?: string[]): Promise<{ found: Finding[]; dir: string }> {
  const dir = tempRepo(files);
  const result = await lintDir(dir, {}, paths);
  expect(result.internalErrors).toEqual([]);
  return { found: result.findings.filter((f) => f.ruleId === RULE), dir };
}

function applied(text: string, f: Finding): string {
  const edits = [...f.fix!.edits].sort((a, b) => b.start - a.start);
  return edits.reduce((t, e) => t.slice(0, e.start) + e.text + t.slice(e.end), text);
}

describe("aws-unknown-input", () => {
  it("treats input names case-insensitively, as the runner does", async () => {
    const { found } = await findings({
      ".github/workflows/ci.yml": workflow("v4", ["Role-To-Assume: arn:aws:iam::123456789012:role/x", "AWS-REGION: us-east-1"]),
    });
    expect(found).toEqual([]);
  });

  it("keeps the key's quotes when renaming a typo, and marks the fix safe", async () => {
    const text = workflow("v4", ['"role-to-asume": arn:aws:iam::123456789012:role/x', "aws-region: us-east-1"]);
    const { found } = await findings({ ".github/workflows/ci.yml": text });
    expect(found).toHaveLength(1);
    expect(found[0]!.fix?.safe).toBe(true);
    expect(applied(text, found[0]!)).toBe(text.replace('"role-to-asume"', '"role-to-assume"'));
  });

  it("offers no rename when the corrected key is already there", async () => {
    const { found } = await findings({
      ".github/workflows/ci.yml": workflow("v4", ["role-to-assume: arn:aws:iam::123456789012:role/x", "role-to-asume: arn:aws:iam::123456789012:role/y", "aws-region: us-east-1"]),
    });
    expect(found).toHaveLength(1);
    expect(found[0]!.message).toContain("did you mean `role-to-assume`?");
    expect(found[0]!.fix).toBeUndefined();
  });

  it("suggests an input of a later release without a rename (it would be ignored too)", async () => {
    const { found } = await findings({
      ".github/workflows/ci.yml": workflow("v4.3.1", ["aws-region: us-east-1", "aws-profil: dev"]),
    });
    expect(found).toHaveLength(1);
    expect(found[0]!.message).toContain("did you mean `aws-profile`? That input was added in v6.1.0");
    expect(found[0]!.fix).toBeUndefined();
  });

  it("works on flow mappings and reports the key's position", async () => {
    const text = [
      "on: push",
      "jobs:",
      "  j:",
      "    runs-on: ubuntu-latest",
      "    steps:",
      "      - { uses: aws-actions/configure-aws-credentials@v4, with: { aws-regin: us-east-1 } }",
      "",
    ].join("\n");
    const { found } = await findings({ ".github/workflows/ci.yml": text });
    expect(found).toHaveLength(1);
    const line = text.split("\n")[5]!;
    expect(found[0]!.location.range.start).toMatchObject({ line: 6, column: line.indexOf("aws-regin") + 1 });
    expect(applied(text, found[0]!)).toBe(text.replace("aws-regin", "aws-region"));
  });

  it("checks an action.yml linted on its own, which no workflow reaches", async () => {
    const { found } = await findings(
      {
        "action.yml": [
          "name: login",
          "runs:",
          "  using: composite",
          "  steps:",
          "    - uses: aws-actions/configure-aws-credentials@v2",
          "      with:",
          "        aws-region: us-east-1",
          "        output-credentials: true",
          "",
        ].join("\n"),
      },
      ["action.yml"],
    );
    expect(found.map((f) => [f.location.path, f.location.range.start.line])).toEqual([["action.yml", 8]]);
    expect(found[0]!.message).toContain("`output-credentials` was added in v3.0.0; this step runs v2.2.0 (`@v2`)");
  });

  it("checks a reusable workflow's steps once, whether linted alone or through its caller", async () => {
    const { found } = await findings({
      ".github/workflows/caller.yml": [
        "on: push",
        "permissions:",
        "  id-token: write",
        "jobs:",
        "  call:",
        "    uses: ./.github/workflows/deploy.yml",
        "",
      ].join("\n"),
      ".github/workflows/deploy.yml": workflow("v4", ["aws-region: us-east-1", "role-to-assum: arn:aws:iam::123456789012:role/x"]).replace("on: push", "on: workflow_call"),
    });
    expect(found.map((f) => [f.location.path, f.location.range.start.line])).toEqual([[".github/workflows/deploy.yml", 11]]);
  });

  it("says nothing for refs it cannot resolve, and names `main` as a moving ref", async () => {
    const unknown = await findings({ ".github/workflows/ci.yml": workflow("v99", ["aws-region: us-east-1", "whatever: 1"]) });
    expect(unknown.found).toEqual([]);
    const main = await findings({ ".github/workflows/ci.yml": workflow("main", ["aws-region: us-east-1", "whatever: 1"]) });
    expect(main.found).toHaveLength(1);
    expect(main.found[0]!.message).toContain("`@main` moves");
  });
});

describe("closestName", () => {
  const names = ["role-to-assume", "role-session-name", "aws-region", "role-chaining", "disable-retry", "retry-max-attempts"];
  it("counts an adjacent swap as one edit", () => {
    expect(editDistance("aws-regoin", "aws-region")).toBe(1);
    expect(editDistance("abc", "abc")).toBe(0);
    expect(editDistance("", "abc")).toBe(3);
  });
  it("finds a unique typo within two edits", () => {
    expect(closestName("role_to_assume", names)).toEqual({ name: "role-to-assume", distance: 2, confidence: "typo" });
  });
  it("suggests a longer name that contains the key as a part, without calling it a typo", () => {
    expect(closestName("region", names)).toMatchObject({ name: "aws-region", confidence: "likely" });
  });
  it("gives nothing for a name close to none", () => {
    expect(closestName("account", names)).toBeUndefined();
  });
  it("gives nothing on a tie", () => {
    expect(closestName("ab", ["aa", "bb"])).toBeUndefined();
  });
});
