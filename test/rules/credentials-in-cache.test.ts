import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { FIXTURES, lintDir } from "../helpers/lint-fixture.js";
import { logicalLines, maskQuotes, redirectTargets, secretIn, writesValue } from "../../src/rules/support/shell.js";

const dir = (c: string) => path.join(FIXTURES, "credentials-in-cache", c);
const findings = async (c: string, settings = {}) => (await lintDir(dir(c), settings)).findings.filter((f) => f.ruleId === "credentials-in-cache");

describe("shell scanning", () => {
  it("finds redirect and tee targets outside quotes only", () => {
    expect(redirectTargets(`echo "$X" > ~/.aws/credentials`)).toEqual(["~/.aws/credentials"]);
    expect(redirectTargets(`echo a >> "$HOME/x" 2>&1`)).toEqual([`"$HOME/x"`]);
    expect(redirectTargets(`echo "a > b" | tee -a out.txt other.txt`)).toEqual(["out.txt", "other.txt"]);
    expect(redirectTargets(`echo "K=$S" >> $GITHUB_ENV`)).toEqual([]);
    expect(redirectTargets(`cmd 2> err.log >/dev/null`)).toEqual([]);
    expect(redirectTargets(`cmd &> all.log`)).toEqual(["all.log"]);
    expect(redirectTargets(`x => y; a -> b`)).toEqual([]);
  });
  it("masks quoted text and escapes", () => {
    expect(maskQuotes(`a "b > c" 'd' e`)).toBe(`a "_____" '_' e`);
  });
  it("joins continuations and attaches here-documents to their line", () => {
    const lines = logicalLines("cat > creds <<EOF\n[default]\naws_secret_access_key = ${{ secrets.S }}\nEOF\naws eks \\\n  update-kubeconfig --name x");
    expect(lines).toHaveLength(2);
    expect(lines[0]!.body).toContain("secrets.S");
    expect(lines[1]!.text).toMatch(/aws eks\s+update-kubeconfig/);
  });
  it("names the credential a line carries", () => {
    expect(secretIn("echo ${{ secrets.KUBECONFIG_B64 }} | base64 -d", new Set())?.what).toBe("the secret `KUBECONFIG_B64`");
    expect(secretIn('echo "$AWS_SECRET_ACCESS_KEY"', new Set(["AWS_SECRET_ACCESS_KEY"]))?.what).toBe("`$AWS_SECRET_ACCESS_KEY`");
    expect(secretIn('echo "$TOKEN"', new Set(["TOKEN"]))?.what).toContain("set from a secret");
    expect(secretIn("echo hello", new Set(["TOKEN"]))).toBeUndefined();
    expect(secretIn("aws sts assume-role --external-id ${{ secrets.EXT }} --role-arn x", new Set())).toEqual({ what: "temporary AWS credentials from `aws sts`", output: true });
  });
  it("tells printing a value from merely using a secret", () => {
    expect(writesValue('echo "${{ secrets.X }}" | base64 -d > kubeconfig')).toBe(true);
    expect(writesValue('if true; then printf %s "$T" > f; fi')).toBe(true);
    expect(writesValue('curl -H "Authorization: Bearer ${{ secrets.T }}" https://x > response.json')).toBe(false);
  });
});

describe("credentials-in-cache findings", () => {
  it("names the writer step and points related locations at it", async () => {
    const [f] = await findings("eks-kubeconfig-artifact");
    expect(f!.related.map((r) => [r.path, r.range.start.line])).toEqual([[".github/workflows/ci.yml", 15]]);
    expect(f!.related[0]!.message).toContain("aws eks update-kubeconfig");
  });
  it("levels by visibility: unknown and public error, private and internal warning", async () => {
    expect((await findings("aws-in-multiline-path"))[0]!.level).toBe("error");
    expect((await findings("aws-in-multiline-path", { visibility: "public" }))[0]!.level).toBe("error");
    expect((await findings("aws-in-multiline-path", { visibility: "internal" }))[0]!.level).toBe("warning");
    const pub = (await findings("aws-in-multiline-path", { visibility: "public" }))[0]!.message;
    expect(pub).not.toContain("if this repository is public");
  });
  it("a composite's cache step fed by the caller's input: located at the caller, related to the inner step and the call", async () => {
    const [f] = await findings("composite-cache-input");
    expect(f!.location.path).toBe(".github/workflows/ci.yml");
    expect(f!.related.map((r) => r.path)).toEqual([".github/actions/cache-paths/action.yml", ".github/workflows/ci.yml"]);
  });
});
