import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FIXTURES, lintDir } from "../helpers/lint-fixture.js";
import { cli } from "../helpers/cli.js";
import { applyFixes } from "../../src/fix/apply.js";
import { idTokenIn } from "../../src/graph/permissions.js";
import type { Permissions } from "../../src/model/types.js";
import type { Finding } from "../../src/rules/types.js";

const RULE = "missing-id-token-permission";
const CAC = "aws-actions/configure-aws-credentials@7474bc4690e29a8392af63c5b98e7449536d5c3a";
const fixture = (c: string) => path.join(FIXTURES, RULE, c);
const ofRule = (r: Awaited<ReturnType<typeof lintDir>>): Finding[] => r.findings.filter((f) => f.ruleId === RULE);

const tmpDirs: string[] = [];
afterAll(() => {
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
});

async function lintFiles(files: Record<string, string>, setup: Parameters<typeof lintDir>[1] = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "credflow-idtoken-"));
  tmpDirs.push(dir);
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  const result = await lintDir(dir, setup);
  expect(result.internalErrors).toEqual([]);
  return result;
}

const oidcSteps = (indent: string, role = "deploy") => [
  `${indent}steps:`,
  `${indent}  - uses: ${CAC}`,
  `${indent}    with:`,
  `${indent}      role-to-assume: arn:aws:iam::123456789012:role/${role}`,
  `${indent}      aws-region: us-east-1`,
];

describe("missing-id-token-permission", () => {
  it("quotes the runtime error and points at the configure call", async () => {
    const [f] = ofRule(await lintDir(fixture("job-permissions-block")));
    expect(f!.message).toContain(
      '"Credentials could not be loaded, please check your action inputs: Could not load credentials from any providers"',
    );
    expect(f!.related.map((r) => [r.path, r.range.start.line])).toEqual([[".github/workflows/deploy.yml", 15]]);
  });

  it("does not flag an expression-valued permissions block", async () => {
    const text = ["on: push", "jobs:", "  deploy:", "    runs-on: ubuntu-latest", "    permissions: ${{ fromJSON(vars.PERMS) }}", ...oidcSteps("    "), ""].join("\n");
    expect(ofRule(await lintFiles({ ".github/workflows/ci.yml": text }))).toHaveLength(0);
  });

  it("fixes `permissions:` without a value by writing a flow map after the colon", async () => {
    const text = ["on: push", "jobs:", "  deploy:", "    runs-on: ubuntu-latest", "    permissions:   # none", ...oidcSteps("    "), ""].join("\n");
    const [f] = ofRule(await lintFiles({ ".github/workflows/ci.yml": text }));
    expect(f!.location.range.start.line).toBe(5);
    expect(applyFixes(text, [f!.fix!]).text).toBe(text.replace("permissions:   # none", "permissions: { id-token: write }   # none"));
  });

  it("corrects `id-token: none` in place", async () => {
    const text = ["on: push", "jobs:", "  deploy:", "    runs-on: ubuntu-latest", "    permissions:", "      id-token: none", "      contents: read", ...oidcSteps("    "), ""].join("\n");
    const [f] = ofRule(await lintFiles({ ".github/workflows/ci.yml": text }));
    expect(f!.message).toContain("sets `id-token: none`");
    expect(applyFixes(text, [f!.fix!]).text).toBe(text.replace("id-token: none", "id-token: write"));
  });

  it("gives each job its own fix; the fixes apply together (CRLF and BOM kept)", async () => {
    const lines = [
      "\uFEFFon: push",
      "permissions:",
      "  contents: read",
      "jobs:",
      "  one:",
      "    runs-on: ubuntu-latest",
      ...oidcSteps("    ", "one"),
      "  two:",
      "    runs-on: ubuntu-latest",
      ...oidcSteps("    ", "two"),
      "",
    ];
    const text = lines.join("\r\n");
    const result = await lintFiles({ ".github/workflows/ci.yml": text });
    const found = ofRule(result);
    expect(found.map((f) => f.location.range.start.line)).toEqual([5, 12]);
    const source = result.files.find((f) => f.path === ".github/workflows/ci.yml")!.text;
    const out = applyFixes(source, found.map((f) => f.fix!)).text;
    const block = "    permissions:\r\n      contents: read\r\n      id-token: write\r\n";
    expect(out).toBe(source.replace("  one:\r\n", `  one:\r\n${block}`).replace("  two:\r\n", `  two:\r\n${block}`));
  });

  it("flags the outermost caller that withholds the scope through nested reusable workflows", async () => {
    const result = await lintFiles({
      ".github/workflows/top.yml": [
        "on: push",
        "jobs:",
        "  release:",
        "    permissions:",
        "      contents: read",
        "    uses: ./.github/workflows/middle.yml",
        "",
      ].join("\n"),
      ".github/workflows/middle.yml": ["on: workflow_call", "jobs:", "  stage:", "    uses: ./.github/workflows/leaf.yml", ""].join("\n"),
      ".github/workflows/leaf.yml": ["on: workflow_call", "jobs:", "  apply:", "    runs-on: ubuntu-latest", ...oidcSteps("    "), ""].join("\n"),
    });
    const found = ofRule(result);
    expect(found.map((f) => [f.location.path, f.location.range.start.line])).toEqual([[".github/workflows/top.yml", 6]]);
    expect(found[0]!.message).toContain("the calling job `release`");
  });

  it("flags a caller with no permissions anywhere, with the unsafe block fix on the caller", async () => {
    const result = await lintFiles({
      ".github/workflows/top.yml": ["on: push", "jobs:", "  release:", "    uses: ./.github/workflows/leaf.yml", ""].join("\n"),
      ".github/workflows/leaf.yml": ["on: workflow_call", "jobs:", "  apply:", "    runs-on: ubuntu-latest", ...oidcSteps("    "), ""].join("\n"),
    });
    const [f, ...rest] = ofRule(result);
    expect(rest).toHaveLength(0);
    expect(f!.location.range.start.line).toBe(4);
    expect(f!.fix?.safe).toBe(false);
    const text = result.files.find((x) => x.path === ".github/workflows/top.yml")!.text;
    expect(applyFixes(text, [f!.fix!]).text).toContain("  release:\n    permissions:\n      contents: read\n      id-token: write\n    uses:");
  });

  it("quotes GitHub's validation error when the called workflow asks for id-token itself, and grants what it declares", async () => {
    const result = await lintFiles({
      ".github/workflows/top.yml": ["on: push", "jobs:", "  release:", "    uses: ./.github/workflows/leaf.yml", ""].join("\n"),
      ".github/workflows/leaf.yml": [
        "on: workflow_call",
        "permissions:",
        "  contents: read",
        "  id-token: write",
        "jobs:",
        "  apply:",
        "    runs-on: ubuntu-latest",
        ...oidcSteps("    "),
        "  publish:",
        "    runs-on: ubuntu-latest",
        "    permissions:",
        "      packages: write",
        "      contents: none",
        "    steps:",
        "      - run: echo publish",
        "",
      ].join("\n"),
    });
    const [f, ...rest] = ofRule(result);
    expect(rest).toHaveLength(0);
    expect(f!.location.path).toBe(".github/workflows/top.yml");
    // No permissions anywhere in the caller chain: the repository's default token setting decides.
    expect(f!.level).toBe("warning");
    expect(f!.message).toContain(
      "\"The nested job 'apply' is requesting 'id-token: write', but is only allowed 'id-token: none'.\"",
    );
    const text = result.files.find((x) => x.path === ".github/workflows/top.yml")!.text;
    expect(applyFixes(text, [f!.fix!]).text).toBe(
      text.replace("  release:\n", "  release:\n    permissions:\n      contents: read\n      id-token: write\n      packages: write\n"),
    );
  });

  it("a runner chosen at run time may carry AWS credentials of its own: warning naming the condition", async () => {
    const text = [
      "on: { workflow_dispatch: { inputs: { runner: { type: string } } } }",
      "permissions:",
      "  contents: read",
      "jobs:",
      "  deploy:",
      "    runs-on: ${{ inputs.runner }}",
      ...oidcSteps("    "),
      "",
    ].join("\n");
    const [f, ...rest] = ofRule(await lintFiles({ ".github/workflows/ci.yml": text }));
    expect(rest).toHaveLength(0);
    expect(f!.level).toBe("warning");
    expect(f!.message).toContain("The runner is chosen at run time");
    expect(f!.message).toContain("on a GitHub-hosted runner the step fails");
    expect(f!.fix?.safe).toBe(false);
  });

  it("on a CodeBuild runner the fix is unsafe and says it switches the call to OIDC", async () => {
    const text = [
      "on: push",
      "jobs:",
      "  deploy:",
      "    runs-on: codebuild-proj-${{ github.run_id }}-${{ github.run_attempt }}",
      "    permissions:",
      "      contents: read",
      ...oidcSteps("    "),
      "",
    ].join("\n");
    const [f] = ofRule(await lintFiles({ ".github/workflows/ci.yml": text }));
    expect(f!.level).toBe("warning");
    expect(f!.fix?.safe).toBe(false);
    expect(f!.fix?.description).toContain("trust policy must accept");
    expect(f!.headline).toBe("No `id-token: write` for job `deploy`: its OIDC call relies on the CodeBuild runner's own AWS role");
    expect(f!.why).toContain("the CodeBuild project's service role may assume `arn:aws:iam::123456789012:role/deploy`");
  });

  it("an explicit caller block without id-token and a called job on a self-hosted runner that declares nothing: warning (runtime fallback)", async () => {
    const result = await lintFiles({
      ".github/workflows/top.yml": ["on: push", "jobs:", "  release:", "    permissions:", "      contents: read", "    uses: ./.github/workflows/leaf.yml", ""].join("\n"),
      ".github/workflows/leaf.yml": ["on: workflow_call", "jobs:", "  apply:", "    runs-on: [self-hosted, aws]", ...oidcSteps("    "), ""].join("\n"),
    });
    const [f, ...rest] = ofRule(result);
    expect(rest).toHaveLength(0);
    expect([f!.location.path, f!.location.range.start.line, f!.level]).toEqual([".github/workflows/top.yml", 6, "warning"]);
    expect(f!.message).toContain("gets the caller's token without `id-token`");
    expect(f!.message).toContain("instance profile");
  });

  it("through a chain of callers without any block: the default setting decides, and the message names the workflow holding the job", async () => {
    const files = {
      ".github/workflows/top.yml": ["on: push", "jobs:", "  release:", "    uses: ./.github/workflows/middle.yml", ""].join("\n"),
      ".github/workflows/middle.yml": ["on: workflow_call", "jobs:", "  stage:", "    uses: ./.github/workflows/leaf.yml", ""].join("\n"),
      ".github/workflows/leaf.yml": ["on: workflow_call", "jobs:", "  apply:", "    runs-on: ubuntu-latest", "    permissions:", "      id-token: write", ...oidcSteps("    "), ""].join("\n"),
    };
    const [f, ...rest] = ofRule(await lintFiles(files));
    expect(rest).toHaveLength(0);
    expect([f!.location.path, f!.location.range.start.line, f!.level]).toEqual([".github/workflows/top.yml", 4, "warning"]);
    expect(f!.message).toContain("job `apply` of reusable workflow `.github/workflows/leaf.yml` (reached through `.github/workflows/middle.yml`)");
    expect(ofRule(await lintFiles(files, { defaultTokenPermissions: "permissive" }))).toHaveLength(0);
    const [r] = ofRule(await lintFiles(files, { defaultTokenPermissions: "restricted" }));
    expect(r!.level).toBe("error");
  });

  it("an intermediate called workflow that asks for id-token: write passes it to a job that declares nothing: the default setting decides", async () => {
    const [f, ...rest] = ofRule(
      await lintFiles({
        ".github/workflows/top.yml": ["on: push", "jobs:", "  release:", "    uses: ./.github/workflows/middle.yml", ""].join("\n"),
        ".github/workflows/middle.yml": ["on: workflow_call", "permissions:", "  id-token: write", "jobs:", "  stage:", "    uses: ./.github/workflows/leaf.yml", ""].join("\n"),
        ".github/workflows/leaf.yml": ["on: workflow_call", "jobs:", "  apply:", "    runs-on: ubuntu-latest", ...oidcSteps("    "), ""].join("\n"),
      }),
    );
    expect(rest).toHaveLength(0);
    expect(f!.level).toBe("warning");
    expect(f!.message).toContain("The called side asks for `id-token: write` itself (job `stage`)");
  });

  it("one caller, two called jobs: one asks for id-token (setting decides), one declares nothing (certain failure): one error about the certain one", async () => {
    const [f, ...rest] = ofRule(
      await lintFiles({
        ".github/workflows/top.yml": ["on: push", "jobs:", "  release:", "    uses: ./.github/workflows/leaf.yml", ""].join("\n"),
        ".github/workflows/leaf.yml": [
          "on: workflow_call",
          "jobs:",
          "  asks:",
          "    runs-on: ubuntu-latest",
          "    permissions:",
          "      id-token: write",
          ...oidcSteps("    ", "asks"),
          "  silent:",
          "    runs-on: ubuntu-latest",
          ...oidcSteps("    ", "silent"),
          "",
        ].join("\n"),
      }),
    );
    expect(rest).toHaveLength(0);
    expect(f!.level).toBe("error");
    expect(f!.message).toContain("job `silent` of reusable workflow");
    expect(f!.message).toContain("(and 1 more OIDC call)");
  });

  it("`default-token-permissions:` in .credflow.yml and --default-token-permissions settle the caller-chain case", async () => {
    const src = fixture("no-block-chain-called-asks");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "credflow-idtoken-"));
    tmpDirs.push(dir);
    fs.cpSync(path.join(src, ".github"), path.join(dir, ".github"), { recursive: true });
    const levels = async (args: string[]) => {
      const r = await cli([".", "--format", "json", "--fail-level", "none", ...args], { cwd: dir });
      return (JSON.parse(r.stdout) as { findings: Array<{ rule: string; level: string }> }).findings.filter((f) => f.rule === RULE).map((f) => f.level);
    };
    expect(await levels([])).toEqual(["warning"]);
    expect(await levels(["--default-token-permissions", "restricted"])).toEqual(["error"]);
    fs.writeFileSync(path.join(dir, ".credflow.yml"), "default-token-permissions: permissive\n");
    expect(await levels([])).toEqual([]);
    fs.writeFileSync(path.join(dir, ".credflow.yml"), "default-token-permissions: restricted\n");
    expect(await levels([])).toEqual(["error"]);
  });

  it("ignores calls that are not OIDC (role chaining, web identity token file)", async () => {
    const text = [
      "on: push",
      "jobs:",
      "  deploy:",
      "    runs-on: ubuntu-latest",
      "    steps:",
      `      - uses: ${CAC}`,
      "        with:",
      "          role-to-assume: arn:aws:iam::123456789012:role/next",
      "          role-chaining: true",
      "          aws-region: us-east-1",
      `      - uses: ${CAC}`,
      "        with:",
      "          role-to-assume: arn:aws:iam::123456789012:role/file",
      "          web-identity-token-file: /tmp/token",
      "          aws-region: us-east-1",
      "",
    ].join("\n");
    expect(ofRule(await lintFiles({ ".github/workflows/ci.yml": text }))).toHaveLength(0);
  });
});

describe("support/permissions idTokenIn", () => {
  const base = { keyRange: undefined as never, range: undefined as never, flow: false, scopes: {} };
  const entry = (key: string, value: string, isExpression = false) => ({
    key,
    keyRange: undefined as never,
    range: undefined as never,
    value: { value, range: undefined as never, isExpression },
  });
  it.each<[string, string, Permissions]>([
    ["write-all", "granted", { ...base, kind: "write-all", entries: [] }],
    ["read-all", "missing", { ...base, kind: "read-all", entries: [] }],
    ["expression", "unknown", { ...base, kind: "expression", entries: [] }],
    ["empty map", "missing", { ...base, kind: "map", entries: [] }],
    ["id-token: write", "granted", { ...base, kind: "map", entries: [entry("id-token", "write")] }],
    ["id-token: read", "missing", { ...base, kind: "map", entries: [entry("id-token", "read")] }],
    ["id-token: ${{ }}", "unknown", { ...base, kind: "map", entries: [entry("id-token", "${{ x }}", true)] }],
  ])("%s → %s", (_name, want, p) => {
    expect(idTokenIn(p)).toBe(want);
  });
});
