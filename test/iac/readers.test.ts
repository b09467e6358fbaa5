/**
 * Reading trust policies from infrastructure code: positions inside Terraform strings and heredocs,
 * variables (tfvars, defaults as assumptions), syntax errors, skipped and ignored folders, links,
 * CloudFormation intrinsics, and the JSON shapes `trust-policies` accepts.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { FileLoader } from "../../src/discover/loader.js";
import { loadTrust } from "../../src/iac/load.js";
import type { PolicyString, TrustFacts, TrustRole } from "../../src/iac/types.js";
import { shownText } from "../../src/iac/types.js";
import { lint } from "../../src/engine/lint.js";
import { offlinePins } from "../../src/knowledge/pins.js";
import { tempRepo } from "../helpers/temp-repo.js";

async function load(files: Record<string, string>, opts: { trustPolicies?: Record<string, string>; ignore?: (p: string) => boolean; setup?: (dir: string) => void } = {}): Promise<TrustFacts> {
  const dir = tempRepo(files);
  opts.setup?.(dir);
  return loadTrust({ scopes: [{ root: dir, dir }], loader: new FileLoader(dir), ...(opts.trustPolicies ? { trustPolicies: opts.trustPolicies } : {}), ...(opts.ignore ? { ignorePath: opts.ignore } : {}) });
}

/** Every condition value of a role: `operator key = value @line:column [assumptions]`. */
function values(role: TrustRole): string[] {
  if (!("statements" in role.policy)) return [`unknown: ${role.policy.unknown}`];
  const out: string[] = [];
  for (const st of role.policy.statements) {
    for (const c of st.conditions) {
      if (!Array.isArray(c.values)) {
        out.push(`${c.operator} ${c.key} = unknown: ${c.values.unknown}`);
        continue;
      }
      for (const v of c.values as PolicyString[]) {
        const a = v.assumptions.length ? ` [${v.assumptions.join("; ")}]` : "";
        out.push(`${c.operator} ${c.key} = ${shownText(v)} @${v.at.range.start.line}:${v.at.range.start.column}${a}`);
      }
    }
  }
  return out;
}

const PROVIDER = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";

describe("Terraform", () => {
  it("reads a quoted JSON string (escapes decoded) and a <<- heredoc with exact value positions", async () => {
    const quoted = `resource "aws_iam_role" "a" {\n  name = "a"\n  assume_role_policy = "{\\"Statement\\":[{\\"Effect\\":\\"Allow\\",\\"Action\\":\\"sts:AssumeRoleWithWebIdentity\\",\\"Principal\\":{\\"Federated\\":\\"${PROVIDER}\\"},\\"Condition\\":{\\"StringLike\\":{\\"token.actions.githubusercontent.com:sub\\":\\"repo:acme/app:*\\"}}}]}"\n}\n`;
    const heredoc = `resource "aws_iam_role" "b" {
  name = "b"
  assume_role_policy = <<-EOT
    {"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
      "Principal": {"Federated": "${PROVIDER}"},
      "Condition": {"StringEquals": {
        "token.actions.githubusercontent.com:sub": "repo:acme/app:ref:refs/heads/\${local.branch}"}}}]}
  EOT
}
locals {
  branch = "main"
}
`;
    const facts = await load({ "a.tf": quoted, "b.tf": heredoc });
    const a = facts.roles.find((r) => r.id === "aws_iam_role.a")!;
    const b = facts.roles.find((r) => r.id === "aws_iam_role.b")!;
    expect(values(a)).toEqual([`StringLike token.actions.githubusercontent.com:sub = repo:acme/app:* @3:${quoted.split("\n")[2]!.indexOf("\\\"repo:") + 1}`]);
    expect(values(b)).toEqual(["StringEquals token.actions.githubusercontent.com:sub = repo:acme/app:ref:refs/heads/main @7:52"]);
    expect(b.name).toEqual({ kind: "name", value: "b", assumptions: [] });
  });

  it("takes root variables from terraform.tfvars, else their defaults as assumptions", async () => {
    const tf = `variable "repo" {}
variable "branch" {
  default = "main"
}
resource "aws_iam_role" "r" {
  name_prefix = "deploy-"
  assume_role_policy = jsonencode({
    Statement = [{
      Effect = "Allow", Action = "sts:AssumeRoleWithWebIdentity",
      Principal = { Federated = "${PROVIDER}" }
      Condition = { StringLike = { "token.actions.githubusercontent.com:sub" = "repo:\${var.repo}:ref:refs/heads/\${var.branch}" } }
    }]
  })
}
`;
    const facts = await load({ "infra/main.tf": tf, "infra/terraform.tfvars": 'repo = "acme/app"\n' });
    const role = facts.roles[0]!;
    expect(role.name).toEqual({ kind: "prefix", value: "deploy-" });
    expect(values(role)).toEqual(["StringLike token.actions.githubusercontent.com:sub = repo:acme/app:ref:refs/heads/main @11:80 [variable `branch` keeps its default (infra/main.tf:2)]"]);
    const without = await load({ "infra/main.tf": tf });
    expect(values(without.roles[0]!)[0]).toContain("repo:…:ref:refs/heads/main");
  });

  it("keeps the roles of a file with a syntax error and reports where it is", async () => {
    const tf = `resource "aws_iam_role" "ok" {
  name = "ok"
  assume_role_policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "sts:AssumeRoleWithWebIdentity", Principal = { Federated = "${PROVIDER}" } }] })
}
locals {
  broken = [[
`;
    const facts = await load({ "main.tf": tf });
    expect(facts.roles.map((r) => r.id)).toEqual(["aws_iam_role.ok"]);
    expect(facts.problems.map((p) => `${p.file.path}:${p.range.start.line} ${p.message}`)).toEqual(["main.tf:5 Terraform syntax error: the roles after it may be missed"]);
  });

  it("skips dependency folders and ignored paths, follows links inside the repository only", async () => {
    const role = (n: string) => `resource "aws_iam_role" "${n}" {\n  name = "${n}"\n  assume_role_policy = jsonencode({ Statement = [] })\n}\n# ${"token.actions.githubusercontent.com"}\n`;
    const outside = fs.mkdtempSync(path.join(fs.realpathSync(path.dirname(tempRepo({}))), "outside-"));
    fs.writeFileSync(path.join(outside, "evil.tf"), role("evil"));
    const facts = await load(
      {
        "infra/main.tf": role("kept"),
        "infra/shared/locals.tf": role("shared"),
        "node_modules/mod/main.tf": role("dependency"),
        ".terraform/modules/x/main.tf": role("cache"),
        "legacy/main.tf": role("ignored"),
      },
      {
        ignore: (p) => p === "legacy" || p.startsWith("legacy/"),
        setup: (dir) => {
          fs.symlinkSync(path.join(dir, "infra/shared/locals.tf"), path.join(dir, "infra/linked.tf"));
          fs.symlinkSync(path.join(outside, "evil.tf"), path.join(dir, "infra/evil.tf"));
        },
      },
    );
    expect(facts.roles.map((r) => `${r.id} ${r.at.file.path}`).sort()).toEqual([
      "aws_iam_role.kept infra/main.tf",
      "aws_iam_role.shared infra/linked.tf",
      "aws_iam_role.shared infra/shared/locals.tf",
    ]);
  });

  it("does not parse Terraform that never names GitHub's OIDC host", async () => {
    const facts = await load({ "main.tf": `resource "aws_iam_role" "x" {\n  name = "x"\n  assume_role_policy = "{}"\n}\n` });
    expect(facts.roles).toEqual([]);
  });
});

describe("CloudFormation", () => {
  it("evaluates !If on a decidable condition, !Select/!Split, Fn::FindInMap and list parameters", async () => {
    const cfn = `Parameters:
  UseProvider:
    Type: String
    Default: "yes"
  Subjects:
    Type: CommaDelimitedList
    Default: "repo:acme/app:ref:refs/heads/main, repo:acme/app:environment:prod"
Conditions:
  Create: !Equals [!Ref UseProvider, "yes"]
Mappings:
  Env:
    prod:
      Aud: sts.amazonaws.com
Resources:
  Provider:
    Type: AWS::IAM::OIDCProvider
    Properties:
      Url: https://token.actions.githubusercontent.com
  Role:
    Type: AWS::IAM::Role
    Properties:
      RoleName: !Sub "\${AWS::StackName}-deploy"
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Action: sts:AssumeRoleWithWebIdentity
            Principal:
              Federated: !If [Create, !GetAtt Provider.Arn, !Ref AWS::NoValue]
            Condition:
              StringEquals:
                token.actions.githubusercontent.com:aud: !FindInMap [Env, prod, Aud]
              StringLike:
                token.actions.githubusercontent.com:sub: !Ref Subjects
                token.actions.githubusercontent.com:job_workflow_ref: !Select [1, !Split [",", "a,b"]]
`;
    const facts = await load({ "stack.yaml": cfn });
    const role = facts.roles[0]!;
    expect(role.name).toEqual({ kind: "unknown", why: "the pseudo parameter `AWS::StackName`" });
    expect("statements" in role.policy && role.policy.statements[0]!.provider.kind).toBe("github");
    expect(values(role)).toEqual([
      // A value from a mapping is located where the mapping writes it; a parameter's at its `!Ref`.
      "StringEquals token.actions.githubusercontent.com:aud = sts.amazonaws.com @13:12",
      "StringLike token.actions.githubusercontent.com:sub = repo:acme/app:ref:refs/heads/main @33:63 [parameter `Subjects` keeps its default `repo:acme/app:ref:refs/heads/main, repo:acme/app:environment:prod`]",
      "StringLike token.actions.githubusercontent.com:sub = repo:acme/app:environment:prod @33:63 [parameter `Subjects` keeps its default `repo:acme/app:ref:refs/heads/main, repo:acme/app:environment:prod`]",
      "StringLike token.actions.githubusercontent.com:job_workflow_ref = b @34:90",
    ]);
  });

  it("reads only templates that name a role and GitHub's host", async () => {
    const facts = await load({ "other.yaml": "Resources:\n  R:\n    Type: AWS::IAM::Role\n", "config.json": '{"token.actions.githubusercontent.com": 1}' });
    expect(facts.roles).toEqual([]);
  });
});

describe("trust-policies JSON", () => {
  it("accepts a policy document, {AssumeRolePolicyDocument}, and aws iam get-role output, by ARN or name", async () => {
    const doc = { Statement: [{ Effect: "Allow", Action: "sts:AssumeRoleWithWebIdentity", Principal: { Federated: PROVIDER }, Condition: { StringLike: { "token.actions.githubusercontent.com:sub": "repo:acme/app:*" } } }] };
    const facts = await load(
      {
        "iam/a.json": JSON.stringify(doc, null, 2),
        "iam/b.json": JSON.stringify({ AssumeRolePolicyDocument: doc }, null, 2),
        "iam/c.json": JSON.stringify({ Role: { RoleName: "c", AssumeRolePolicyDocument: doc } }, null, 2),
        "iam/bad.json": "[1, 2]",
      },
      { trustPolicies: { "arn:aws:iam::123456789012:role/path/a": "iam/a.json", b: "iam/b.json", c: "iam/c.json", d: "iam/bad.json", e: "iam/missing.json" } },
    );
    expect(facts.roles.map((r) => `${r.configured} → ${r.name.kind === "name" ? r.name.value : "?"}: ${values(r).join("; ")}`)).toEqual([
      "arn:aws:iam::123456789012:role/path/a → a: StringLike token.actions.githubusercontent.com:sub = repo:acme/app:* @11:54",
      "b → b: StringLike token.actions.githubusercontent.com:sub = repo:acme/app:* @12:56",
      "c → c: StringLike token.actions.githubusercontent.com:sub = repo:acme/app:* @14:58",
    ]);
    expect(facts.problems.map((p) => p.message)).toEqual(["trust-policies: `iam/bad.json` is not a JSON policy document", "trust-policies: `iam/missing.json` (for `e`) cannot be read"]);
  });
});

describe("suppressions in infrastructure files", () => {
  it("a `# credflow: ignore[…]` comment in a .tf file hides the finding on the next line", async () => {
    const tf = `resource "aws_iam_role" "ci" {
  name = "ci"
  assume_role_policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "${PROVIDER}" }
      # credflow: ignore[oidc-trust-unrestricted] every repository of the sandbox account may deploy
      Condition = { StringLike = { "token.actions.githubusercontent.com:sub" = "repo:*" } }
    }]
  })
}
`;
    const dir = tempRepo({ "main.tf": tf });
    const result = await lint({ paths: ["."], cwd: dir, settings: { visibility: "unknown" }, pins: offlinePins() });
    expect(result.findings.filter((f) => f.ruleId.startsWith("oidc-trust"))).toEqual([]);
    expect(result.suppressed.map((s) => `${s.finding.ruleId} ${s.finding.location.path}:${s.finding.location.range.start.line} ${s.reason}`)).toEqual([
      "oidc-trust-unrestricted main.tf:9 every repository of the sandbox account may deploy",
    ]);
  });
});
