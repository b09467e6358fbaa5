import { describe, expect, it } from "vitest";
import { lintDir } from "../helpers/lint-fixture.js";
import { tempRepo } from "../helpers/temp-repo.js";
import { configureWorkflow } from "../helpers/configure-workflow.js";
import type { Finding } from "../../src/rules/types.js";

const RULE = "aws-boolean-trap";
const workflow = (ref: string, withLines: string[], eol?: string): string => configureWorkflow(ref, withLines, { eol });


async function findings(files: Record<string, string>): Promise<Finding[]> {
  const result = await lintDir(tempRepo(files));
  expect(result.internalErrors).toEqual([]);
  return result.findings.filter((f) => f.ruleId === RULE);
}

function applied(text: string, f: Finding): string {
  return [...f.fix!.edits].sort((a, b) => b.start - a.start).reduce((t, e) => t.slice(0, e.start) + e.text + t.slice(e.end), text);
}

const base = ["role-to-assume: arn:aws:iam::123456789012:role/x", "aws-region: us-east-1"];

describe("aws-boolean-trap", () => {
  it("is an error where v5+ throws, and offers an unsafe rewrite in the same quotes", async () => {
    const text = workflow("v5", [...base, "role-skip-session-tagging: 'Yes'"]);
    const [f] = await findings({ ".github/workflows/ci.yml": text });
    expect(f!.level).toBe("error");
    expect(f!.fix?.safe).toBe(false);
    expect(applied(text, f!)).toBe(text.replace("'Yes'", "'true'"));
  });

  it("offers no rewrite for a value whose meaning is unclear, or for a block scalar", async () => {
    const found = await findings({
      ".github/workflows/ci.yml": workflow("v6", [...base, "output-credentials: enabled", "disable-retry: |", "  yes"]),
    });
    expect(found.map((f) => [f.level, !!f.fix])).toEqual([
      ["error", false],
      ["error", false],
    ]);
  });

  it("keeps CRLF line endings when removing `use-existing-credentials: false`", async () => {
    const text = workflow("v5", [...base, "use-existing-credentials: FALSE   # keep them fresh"], "\r\n");
    const [f] = await findings({ ".github/workflows/ci.yml": text });
    expect(f!.level).toBe("warning");
    expect(applied(text, f!)).toBe(workflow("v5", base, "\r\n"));
  });

  it("does not remove the only `with:` entry or a flow-mapping entry", async () => {
    const only = await findings({ ".github/workflows/ci.yml": workflow("v5", ["use-existing-credentials: 'false'"]) });
    expect(only).toHaveLength(1);
    expect(only[0]!.fix).toBeUndefined();
    const flow = await findings({
      ".github/workflows/ci.yml": [
        "on: push",
        "jobs:",
        "  j:",
        "    runs-on: ubuntu-latest",
        "    steps:",
        "      - uses: aws-actions/configure-aws-credentials@v5",
        "        with: { aws-region: us-east-1, use-existing-credentials: no }",
        "",
      ].join("\n"),
    });
    expect(flow).toHaveLength(1);
    expect(flow[0]!.fix).toBeUndefined();
  });

  it("reads `True` as GitHub passes it (\"true\"), and says nothing for unknown refs", async () => {
    expect(await findings({ ".github/workflows/ci.yml": workflow("v5", [...base, "mask-aws-account-id: True", "disable-retry: FALSE"]) })).toEqual([]);
    expect(await findings({ ".github/workflows/ci.yml": workflow("v7", [...base, "mask-aws-account-id: yes"]) })).toEqual([]);
  });

  it("reports a composite's value once per call site that wrote it", async () => {
    const found = await findings({
      ".github/workflows/ci.yml": [
        "on: push",
        "jobs:",
        "  j:",
        "    runs-on: ubuntu-latest",
        "    steps:",
        "      - uses: ./.github/actions/login",
        "        with: { chain: 'y' }",
        "      - uses: ./.github/actions/login",
        "        with: { chain: 'y' }",
        "",
      ].join("\n"),
      ".github/actions/login/action.yml": [
        "name: login",
        "inputs:",
        "  chain: {}",
        "runs:",
        "  using: composite",
        "  steps:",
        "    - uses: aws-actions/configure-aws-credentials@v3",
        "      with:",
        "        aws-region: us-east-1",
        "        role-chaining: ${{ inputs.chain }}",
        "",
      ].join("\n"),
    });
    expect(found.map((f) => [f.location.path, f.location.range.start.line, f.level, !!f.fix])).toEqual([
      [".github/workflows/ci.yml", 7, "warning", false],
      [".github/workflows/ci.yml", 9, "warning", false],
    ]);
    expect(found[0]!.message).toContain("`role-chaining: y` is read as false by configure-aws-credentials v3.0.2 (`@v3`)");
  });
});
