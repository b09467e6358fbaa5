import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { FIXTURES, lintDir } from "../helpers/lint-fixture.js";
import { tempRepo } from "../helpers/temp-repo.js";
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
    expect(secretIn("aws sts assume-role --external-id ${{ secrets.EXT }} --role-arn x", new Set())).toEqual({ what: "temporary AWS credentials from `aws sts`", output: true, lifetime: "lasting" });
  });
  it("tells the GITHUB_TOKEN, which dies with the job, from secrets that outlive it", () => {
    expect(secretIn("echo ${{ secrets.GITHUB_TOKEN }} | docker login ghcr.io -u x --password-stdin", new Set())).toEqual({ what: "the GITHUB_TOKEN", output: false, lifetime: "job" });
    expect(secretIn("echo ${{ github.token }} > t", new Set())?.lifetime).toBe("job");
    // Any other secret on the line wins: it outlives the job.
    expect(secretIn("echo ${{ secrets.GITHUB_TOKEN }} ${{ secrets.PAT }} > t", new Set())).toMatchObject({ what: "the secret `PAT`", lifetime: "lasting" });
    expect(secretIn('echo "$GH_TOKEN" > t', new Map([["GH_TOKEN", "job" as const]]))).toMatchObject({ what: "the GITHUB_TOKEN (`$GH_TOKEN`)", lifetime: "job" });
    expect(secretIn('echo "$NPM_TOKEN" > t', new Map([["NPM_TOKEN", "lasting" as const]]))?.lifetime).toBe("lasting");
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
  it("levels by visibility: public error; unknown, private and internal warning", async () => {
    expect((await findings("aws-in-multiline-path"))[0]!.level).toBe("warning");
    expect((await findings("aws-in-multiline-path", { visibility: "public" }))[0]!.level).toBe("error");
    expect((await findings("aws-in-multiline-path", { visibility: "internal" }))[0]!.level).toBe("warning");
    const pub = (await findings("aws-in-multiline-path", { visibility: "public" }))[0]!;
    expect(pub.message).not.toContain("if the repository is public");
    expect(pub.message).not.toContain("does not know");
    const unknown = (await findings("aws-in-multiline-path"))[0]!;
    expect(unknown.message).toContain("does not know the repository's visibility");
    expect(unknown.headline!.length).toBeLessThanOrEqual(110);
    expect(unknown.label).toBe("takes ~/.aws");
  });
  it("a composite's cache step fed by the caller's input: located at the caller, related to the inner step and the call", async () => {
    const [f] = await findings("composite-cache-input");
    expect(f!.location.path).toBe(".github/workflows/ci.yml");
    // The writer step, the inner cache step, and the call that reaches it.
    expect(f!.related.map((r) => r.path)).toEqual([".github/workflows/ci.yml", ".github/actions/cache-paths/action.yml", ".github/workflows/ci.yml"]);
  });
});

describe("how long a checkout's persisted token lives", () => {
  /** The level of the finding on `path: .` of an actions/cache after a checkout with this `token:`, in a public repository. */
  const levelFor = async (token: string, extraSteps = ""): Promise<string> => {
    const dir = tempRepo({
      ".github/workflows/ci.yml": [
        "on: push",
        "jobs:",
        "  build:",
        "    runs-on: ubuntu-latest",
        "    env:",
        "      FROM_SECRET: ${{ secrets.BOT }}",
        "      FROM_TOKEN: ${{ github.token }}",
        "    steps:",
        extraSteps,
        "      - uses: actions/checkout@v4",
        "        with:",
        `          token: ${token}`,
        "      - uses: actions/cache@v4",
        "        with:",
        "          path: .",
        "          key: ws",
        "",
      ].filter((l) => l !== "").join("\n"),
    });
    const found = (await lintDir(dir, { visibility: "public" })).findings.filter((f) => f.ruleId === "credentials-in-cache");
    return found[0]?.level ?? "none";
  };
  it("the GITHUB_TOKEN in any spelling dies with the job: a note", async () => {
    for (const t of ["${{ github.token }}", "${{ secrets.GITHUB_TOKEN }}", "${{ secrets.github_token }}", "${{ env.FROM_TOKEN }}"]) expect(await levelFor(t), t).toBe("note");
  });
  it("a secret outlives the job: an error in a public repository", async () => {
    for (const t of ["${{ secrets.BOT }}", "${{ secrets['BOT'] }}", "${{ env.FROM_SECRET }}", "ghp_literal"]) expect(await levelFor(t), t).toBe("error");
  });
  it("what the files do not pin down is a warning", async () => {
    for (const t of ["${{ secrets.BOT || github.token }}", "${{ github.event.inputs.token }}", "${{ steps.x.outputs.token }}", "${{ vars.TOKEN }}"]) expect(await levelFor(t), t).toBe("warning");
  });
  it("tibdex/github-app-token: v2+ revokes at the end of the job, v1 and `revoke: false` do not", async () => {
    const app = (ref: string, extra = "") =>
      ["      - id: app", `        uses: tibdex/github-app-token@${ref}`, "        with:", "          app_id: 1", "          private_key: ${{ secrets.KEY }}", extra].filter((l) => l !== "").join("\n");
    expect(await levelFor("${{ steps.app.outputs.token }}", app("v2"))).toBe("note");
    expect(await levelFor("${{ steps.app.outputs.token }}", app("v1"))).toBe("error");
    expect(await levelFor("${{ steps.app.outputs.token }}", app("v2", "          revoke: false"))).toBe("error");
  });
});
