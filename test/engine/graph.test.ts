import { describe, expect, it } from "vitest";
import { lintDir } from "../helpers/lint-fixture.js";
import { tempRepo } from "../helpers/temp-repo.js";
import { allJobNodes } from "../../src/graph/build-graph.js";

const ASSUME = `name: assume
inputs:
  role:
    required: true
  region:
    default: eu-west-1
runs:
  using: composite
  steps:
    - uses: aws-actions/configure-aws-credentials@v4
      with:
        role-to-assume: \${{ inputs.role }}
        aws-region: \${{ inputs.region }}
    - run: aws sts get-caller-identity
      shell: bash
`;

const DEPLOY = `name: deploy
inputs:
  target-role:
    default: arn:aws:iam::111111111111:role/default
runs:
  using: composite
  steps:
    - uses: ./.github/actions/assume
      with:
        role: \${{ inputs.target-role }}
    - run: ./deploy.sh
      shell: bash
`;

describe("call graph", () => {
  it("expands composites into the job with inputs substituted through two levels", async () => {
    const dir = tempRepo({
      ".github/actions/assume/action.yml": ASSUME,
      ".github/actions/deploy/action.yml": DEPLOY,
      ".github/workflows/ci.yml": `on: push
jobs:
  ship:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: ./.github/actions/deploy
        with:
          target-role: arn:aws:iam::222222222222:role/b
      - run: echo done
`,
    });
    const r = await lintDir(dir);
    const [job] = r.graph.jobs;
    expect(job!.timeline.map((t) => `${t.file.path}:${t.step.range.start.line}`)).toEqual([
      ".github/workflows/ci.yml:6",
      ".github/workflows/ci.yml:7",
      ".github/actions/deploy/action.yml:8",
      ".github/actions/assume/action.yml:10",
      ".github/actions/assume/action.yml:14",
      ".github/actions/deploy/action.yml:11",
      ".github/workflows/ci.yml:10",
    ]);
    const configure = job!.timeline[3]!;
    expect(configure.with.get("role-to-assume")).toBe("arn:aws:iam::222222222222:role/b");
    expect(configure.with.get("aws-region")).toBe("eu-west-1");
    expect(configure.chain.map((c) => c.step.uses?.node.value)).toEqual(["./.github/actions/deploy", "./.github/actions/assume"]);
    // Credential timeline: the call is in effect for every later step, also after the composites return.
    expect(job!.configureCalls).toHaveLength(1);
    expect(job!.configureCalls[0]).toMatchObject({ role: "arn:aws:iam::222222222222:role/b", oidc: true, region: "eu-west-1" });
    expect(job!.configureCalls[0]!.version.tag).toBe("v4.3.1");
    expect(job!.activeCredentials.map((c) => (c ? c.timelineIndex : null))).toEqual([null, null, null, null, 3, 3, 3]);
  });

  it("uses an input's default when the call site passes nothing", async () => {
    const dir = tempRepo({
      ".github/actions/assume/action.yml": ASSUME,
      ".github/actions/deploy/action.yml": DEPLOY,
      ".github/workflows/ci.yml": `on: push
jobs:
  ship:
    runs-on: ubuntu-latest
    steps:
      - uses: ./.github/actions/deploy
`,
    });
    const r = await lintDir(dir);
    expect(r.graph.jobs[0]!.configureCalls[0]!.role).toBe("arn:aws:iam::111111111111:role/default");
  });

  it("links a local reusable workflow with the caller's inputs", async () => {
    const dir = tempRepo({
      ".github/workflows/reusable.yml": `on:
  workflow_call:
    inputs:
      role:
        type: string
        required: true
      region:
        type: string
        default: us-west-2
jobs:
  inner:
    runs-on: ubuntu-latest
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: \${{ inputs.role }}
          aws-region: \${{ inputs.region }}
`,
      ".github/workflows/caller.yml": `on: push
jobs:
  call:
    permissions:
      id-token: write
    uses: ./.github/workflows/reusable.yml
    with:
      role: arn:aws:iam::333333333333:role/c
    secrets: inherit
`,
    });
    const r = await lintDir(dir);
    const caller = r.graph.jobsByWorkflow.get(".github/workflows/caller.yml")![0]!;
    expect(caller.job.secrets).toBe("inherit");
    expect(caller.called?.workflow.file.path).toBe(".github/workflows/reusable.yml");
    const inner = caller.called!.jobs[0]!;
    expect(inner.caller).toBe(caller);
    expect(inner.configureCalls[0]).toMatchObject({ role: "arn:aws:iam::333333333333:role/c", region: "us-west-2" });
    expect(allJobNodes(r.graph).map((n) => n.job.id).sort()).toEqual(["call", "inner", "inner"]);
  });

  it("reports cycles, missing targets, paths leaving the repository and too-deep chains as findings", async () => {
    const files: Record<string, string> = {
      ".github/actions/a/action.yml": "runs:\n  using: composite\n  steps:\n    - uses: ./.github/actions/b\n",
      ".github/actions/b/action.yml": "runs:\n  using: composite\n  steps:\n    - uses: ./.github/actions/a\n",
      ".github/workflows/ci.yml": `on: push
jobs:
  j:
    runs-on: ubuntu-latest
    steps:
      - uses: ./.github/actions/a
      - uses: ./.github/actions/missing
      - uses: ./../../etc
      - uses: ./.github/actions/d0
`,
    };
    for (let i = 0; i < 30; i++) {
      files[`.github/actions/d${i}/action.yml`] = `runs:\n  using: composite\n  steps:\n    - uses: ./.github/actions/d${i + 1}\n`;
    }
    files[".github/actions/d30/action.yml"] = "runs:\n  using: composite\n  steps:\n    - run: echo end\n      shell: bash\n";
    const r = await lintDir(tempRepo(files));
    const msgs = r.findings.filter((f) => f.ruleId === "local-action-resolution").map((f) => `${f.location.path}:${f.location.range.start.line}: ${f.message}`);
    expect(msgs.some((m) => m.startsWith(".github/actions/b/action.yml:4") && m.includes("cycle"))).toBe(true);
    expect(msgs.some((m) => m.startsWith(".github/workflows/ci.yml:7") && m.includes("no action.yml"))).toBe(true);
    expect(msgs.some((m) => m.startsWith(".github/workflows/ci.yml:8") && m.includes("outside the repository"))).toBe(true);
    expect(msgs.some((m) => m.includes("nested more than 10"))).toBe(true);
  });

  it("follows local actions inside a sub-folder checkout of the same repository, and leaves other repositories' alone", async () => {
    const dir = tempRepo({
      ".github/actions/assume/action.yml": ASSUME,
      ".github/workflows/ci.yml": `on: push
jobs:
  j:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          path: ./self
      - uses: ./self/.github/actions/assume
        with:
          role: arn:aws:iam::444444444444:role/d
      - uses: actions/checkout@v4
        with:
          repository: octo/tools
          path: tools
      - uses: ./tools/.github/actions/anything
`,
    });
    const r = await lintDir(dir);
    expect(r.findings.filter((f) => f.ruleId === "local-action-resolution")).toEqual([]);
    expect(r.graph.jobs[0]!.configureCalls[0]!.role).toBe("arn:aws:iam::444444444444:role/d");
  });
});
