/**
 * The OIDC subjects a job can present, per event kind, environment, reusable workflow, `if:`,
 * subject format and claim template, and which repository role a configure call assumes.
 */
import { describe, expect, it } from "vitest";
import { lint } from "../../src/engine/lint.js";
import { offlinePins } from "../../src/knowledge/pins.js";
import { allJobNodes } from "../../src/graph/build-graph.js";
import { claimsFor, roleLinks, subjectClasses, subjectText, type SubjectFormat } from "../../src/graph/oidc.js";
import type { Settings } from "../../src/rules/types.js";
import { tempRepo } from "../helpers/temp-repo.js";

const REPO: Settings = { visibility: "unknown", repository: { owner: "acme", name: "app", source: "config" } };

const step = (extra = "") => `      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: arn:aws:iam::123456789012:role/deploy
          aws-region: us-east-1${extra}
`;

function workflow(on: string, job = "", steps = step()): string {
  return `on: ${on}\npermissions:\n  id-token: write\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n${job}    steps:\n${steps}`;
}

/** Subjects of every configure call, as "origin → sub" lines. */
async function subjects(files: Record<string, string>, settings: Settings = REPO, format: SubjectFormat = "names"): Promise<string[]> {
  const dir = tempRepo(files);
  const result = await lint({ paths: ["."], cwd: dir, settings, pins: offlinePins() });
  const out: string[] = [];
  for (const node of allJobNodes(result.graph)) {
    for (const call of node.configureCalls) {
      for (const c of subjectClasses(node, call.step, settings)) {
        out.push(`${c.origin} → ${subjectText(claimsFor(c, settings, format, [{ lit: "sts.amazonaws.com" }]).sub)}`);
      }
    }
  }
  return out;
}

describe("OIDC subjects per event", () => {
  it("push: each branch filter, tag filters, or any branch and tag without filters", async () => {
    expect(await subjects({ ".github/workflows/a.yml": workflow("\n  push:\n    branches: [main, 'release/*']") })).toEqual([
      "on push to `main` → repo:acme/app:ref:refs/heads/main",
      "on push to a branch matching `release/*` → repo:acme/app:ref:refs/heads/release/<branch>",
    ]);
    expect(await subjects({ ".github/workflows/a.yml": workflow("\n  push:\n    tags: ['v*']") })).toEqual(["on push of a tag matching `v*` → repo:acme/app:ref:refs/tags/v<tag>"]);
    expect(await subjects({ ".github/workflows/a.yml": workflow("push") })).toEqual([
      "on push to any branch → repo:acme/app:ref:refs/heads/<branch>",
      "on push of any tag → repo:acme/app:ref:refs/tags/<tag>",
    ]);
  });

  it("pull_request, release, workflow_dispatch", async () => {
    expect(await subjects({ ".github/workflows/a.yml": workflow("[pull_request, release, workflow_dispatch]") })).toEqual([
      "on pull_request → repo:acme/app:pull_request",
      "on release (any tag) → repo:acme/app:ref:refs/tags/<tag>",
      "on workflow_dispatch from any branch → repo:acme/app:ref:refs/heads/<branch>",
      "on workflow_dispatch from any tag → repo:acme/app:ref:refs/tags/<tag>",
    ]);
  });

  it("schedule runs on the default branch, named when it is known", async () => {
    const files = { ".github/workflows/a.yml": workflow("\n  schedule:\n    - cron: '0 0 * * *'") };
    expect(await subjects(files)).toEqual(["on schedule (runs on the default branch) → repo:acme/app:ref:refs/heads/<the default branch>"]);
    expect(await subjects(files, { ...REPO, defaultBranch: { name: "trunk", source: "config" } })).toEqual(["on schedule (runs on the default branch `trunk`) → repo:acme/app:ref:refs/heads/trunk"]);
  });

  it("an environment replaces the context whatever the event", async () => {
    expect(await subjects({ ".github/workflows/a.yml": workflow("[push, pull_request]", "    environment: production\n") })).toEqual(["in environment `production` → repo:acme/app:environment:production"]);
    expect(await subjects({ ".github/workflows/a.yml": workflow("push", "    environment:\n      name: staging\n      url: https://x\n") })).toEqual(["in environment `staging` → repo:acme/app:environment:staging"]);
  });

  it("if: conditions narrow the events and refs a job runs for", async () => {
    expect(await subjects({ ".github/workflows/a.yml": workflow("[push, pull_request]", "    if: github.event_name == 'push'\n") })).toEqual([
      "on push to any branch → repo:acme/app:ref:refs/heads/<branch>",
      "on push of any tag → repo:acme/app:ref:refs/tags/<tag>",
    ]);
    expect(await subjects({ ".github/workflows/a.yml": workflow("workflow_dispatch", "    if: github.ref == 'refs/heads/main'\n") })).toEqual([
      "on workflow_dispatch from `main` → repo:acme/app:ref:refs/heads/main",
    ]);
    expect(await subjects({ ".github/workflows/a.yml": workflow("push", "", step("\n        if: startsWith(github.ref, 'refs/tags/v')")) })).toEqual([
      "on push of any tag (refs starting `refs/tags/v`) → repo:acme/app:ref:refs/tags/v<ref>",
    ]);
    // A condition on anything else is not decided: the class stays.
    expect(await subjects({ ".github/workflows/a.yml": workflow("pull_request", "    if: github.actor != 'dependabot[bot]'\n") })).toEqual(["on pull_request → repo:acme/app:pull_request"]);
  });
});

describe("OIDC subjects through reusable workflows and composites", () => {
  const called = `on:
  workflow_call:
    inputs:
      env:
        type: string
jobs:
  deploy:
    runs-on: ubuntu-latest
    environment: \${{ inputs.env }}
    permissions:
      id-token: write
    steps:
${step()}`;

  it("a called workflow takes its caller's event and ref, and the environment its caller passes", async () => {
    const caller = `on:\n  push:\n    branches: [main]\njobs:\n  call:\n    uses: ./.github/workflows/deploy.yml\n    with:\n      env: prod\n    permissions:\n      id-token: write\n`;
    expect(await subjects({ ".github/workflows/deploy.yml": called, ".github/workflows/ci.yml": caller })).toEqual(["in environment `prod` → repo:acme/app:environment:prod"]);
    const noEnv = called.replace("    environment: ${{ inputs.env }}\n", "");
    expect(await subjects({ ".github/workflows/deploy.yml": noEnv, ".github/workflows/ci.yml": caller })).toEqual(["on push to `main` → repo:acme/app:ref:refs/heads/main"]);
  });

  it("an environment from an expression credflow cannot evaluate is unknown, and so is whether it is empty", async () => {
    expect(await subjects({ ".github/workflows/a.yml": workflow("push", "    environment: ${{ github.ref_name }}\n") })).toEqual([
      "in environment `${{ github.ref_name }}` → repo:acme/app:<environment `${{ github.ref_name }}` (or, when it is empty, the ref)>",
    ]);
  });

  it("a configure call inside a composite action gets the calling job's subjects", async () => {
    const action = `runs:\n  using: composite\n  steps:\n${step().replace(/^ {6}/gm, "    ")}`;
    expect(await subjects({ ".github/actions/aws/action.yml": action, ".github/workflows/a.yml": workflow("pull_request", "", "      - uses: ./.github/actions/aws\n") })).toEqual(["on pull_request → repo:acme/app:pull_request"]);
  });
});

describe("subject format and claim template", () => {
  const files = { ".github/workflows/a.yml": workflow("\n  push:\n    branches: [main]") };

  it("immutable ids, known or not", async () => {
    expect(await subjects(files, REPO, "immutable-ids")).toEqual(["on push to `main` → repo:acme@<owner id>/app@<repository id>:ref:refs/heads/main"]);
    const ids: Settings = { ...REPO, subjectFormat: { format: "immutable-ids", ownerId: "123", repositoryId: "456" } };
    expect(await subjects(files, ids, "immutable-ids")).toEqual(["on push to `main` → repo:acme@123/app@456:ref:refs/heads/main"]);
  });

  it("a customised template builds the subject from its claim keys", async () => {
    const custom: Settings = { ...REPO, subjectClaimKeys: ["repo", "context", "job_workflow_ref"] };
    expect(await subjects(files, custom)).toEqual(["on push to `main` → repo:acme/app:ref:refs/heads/main:job_workflow_ref:acme/app/.github/workflows/a.yml@refs/heads/main"]);
    const owner: Settings = { ...REPO, subjectClaimKeys: ["repository_owner", "context", "actor"] };
    expect(await subjects(files, owner)).toEqual(["on push to `main` → repository_owner:acme:ref:refs/heads/main:actor:<actor>"]);
  });

  it("an unknown repository is one unknown value, not a variation", async () => {
    expect(await subjects(files, { visibility: "unknown" })).toEqual(["on push to `main` → repo:<owner>/<repository>:ref:refs/heads/main"]);
  });
});

describe("job ↔ role", () => {
  const tf = `resource "aws_iam_role" "deploy" {
  name = "deploy"
  assume_role_policy = jsonencode({
    Statement = [{
      Effect = "Allow"
      Action = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" }
      Condition = { StringLike = { "token.actions.githubusercontent.com:sub" = "repo:acme/app:*" } }
    }]
  })
}
`;
  async function links(files: Record<string, string>) {
    const dir = tempRepo(files);
    const result = await lint({ paths: ["."], cwd: dir, settings: REPO, pins: offlinePins() });
    return roleLinks(result.graph).map((l) => `${l.roleText} → ${l.roles.map((r) => r.id).join(",") || `unknown: ${l.unknownWhy}`}`);
  }

  it("links a literal ARN, an ARN built from env, and leaves secrets and variables unknown", async () => {
    const steps = `${step()}      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: arn:aws:iam::\${{ env.ACCOUNT }}:role/\${{ env.ROLE }}
          aws-region: us-east-1
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: \${{ secrets.ROLE }}
          aws-region: us-east-1
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: \${{ vars.ROLE }}
          aws-region: us-east-1
`;
    const wf = workflow("push", "", steps).replace("jobs:", "env:\n  ACCOUNT: '123456789012'\n  ROLE: deploy\njobs:");
    expect(await links({ "infra/main.tf": tf, ".github/workflows/a.yml": wf })).toEqual([
      "arn:aws:iam::123456789012:role/deploy → aws_iam_role.deploy",
      "arn:aws:iam::123456789012:role/deploy → aws_iam_role.deploy",
      "${{ secrets.ROLE }} → unknown: the role comes from a secret",
      "${{ vars.ROLE }} → unknown: the role comes from a configuration variable",
    ]);
  });

  it("links a CloudFormation role without RoleName by its generated name", async () => {
    const cfn = `Resources:
  Deploy:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Action: sts:AssumeRoleWithWebIdentity
            Principal: { Federated: arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com }
            Condition: { StringLike: { token.actions.githubusercontent.com:sub: "repo:acme/app:*" } }
`;
    const wf = workflow("push", "", step().replace("role/deploy", "role/my-stack-Deploy-1A2B3C4D5E6F"));
    expect(await links({ "cfn/role.yaml": cfn, ".github/workflows/a.yml": wf })).toEqual(["arn:aws:iam::123456789012:role/my-stack-Deploy-1A2B3C4D5E6F → Deploy"]);
  });
});
