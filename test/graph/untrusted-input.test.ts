import { describe, expect, it } from "vitest";
import { lintDir } from "../helpers/lint-fixture.js";
import { tempRepo } from "../helpers/temp-repo.js";
import { allJobNodes } from "../../src/graph/build-graph.js";
import { type Origin, guardsOf } from "../../src/graph/guards.js";
import { untrustedInputs } from "../../src/graph/untrusted-input.js";

const CONFIGURE = `      - uses: aws-actions/configure-aws-credentials@v4
        with: { role-to-assume: "arn:aws:iam::123456789012:role/r", aws-region: us-east-1 }
`;
/** checkout v4.1.7 predates the refusal of forks' commits; v7 refuses them without allow-unsafe-pr-checkout. */
const refuses = (ref: string) => /^v7/.test(ref);

async function inputs(files: Record<string, string>, job: string, event: string, origin: Origin = "outsider"): Promise<string[]> {
  const graph = (await lintDir(tempRepo(files))).graph;
  const g = guardsOf(graph);
  const node = allJobNodes(graph).find((n) => n.job.id === job)!;
  const s = g.scenarios(graph.workflows.find((w) => w.jobs.some((j) => j.id === job))!).find((x) => x.event === event && x.origin === origin)!;
  return untrustedInputs(g, node, s, { refusesForkCheckout: refuses }).map(
    (u) => `${u.kind}@${u.source.step.range.start.line}${u.sink ? `>${u.sink.step.range.start.line}` : ""}${u.actorGate ? " (gated)" : ""}`,
  );
}

function wf(on: string, steps: string, extra = ""): Record<string, string> {
  return { ".github/workflows/ci.yml": `on: ${on}\npermissions: { id-token: write }\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n${steps}${extra}` };
}

describe("untrusted input: the pull request's code", () => {
  it("a checkout of the head that a later step builds: runs-pr-code, before or after the role", async () => {
    const steps = `      - uses: actions/checkout@v4.1.7\n        with:\n          ref: \${{ github.event.pull_request.head.sha }}\n${CONFIGURE}      - run: npm ci && npm test\n`;
    expect(await inputs(wf("pull_request_target", steps), "j", "pull_request_target")).toEqual(["runs-pr-code@7>12"]);
  });

  it("checkout v7 refuses a fork's commit on pull_request_target unless allow-unsafe-pr-checkout: true", async () => {
    const refused = `      - uses: actions/checkout@v7\n        with:\n          ref: \${{ github.event.pull_request.head.sha }}\n${CONFIGURE}      - run: make\n`;
    expect(await inputs(wf("pull_request_target", refused), "j", "pull_request_target")).toEqual([]);
    const allowed = refused.replace("head.sha }}\n", "head.sha }}\n          allow-unsafe-pr-checkout: true\n");
    expect(await inputs(wf("pull_request_target", allowed), "j", "pull_request_target")).toEqual(["runs-pr-code@7>13"]);
  });

  it("a checkout nothing is seen to run: present when later steps could, nothing when only data actions follow", async () => {
    const present = `      - uses: actions/checkout@v4.1.7\n        with:\n          ref: \${{ github.event.pull_request.head.sha }}\n${CONFIGURE}      - run: aws s3 sync site s3://bucket\n`;
    expect(await inputs(wf("pull_request_target", present), "j", "pull_request_target")).toEqual(["pr-code-present@7"]);
    const dataOnly = `${CONFIGURE}      - uses: actions/checkout@v4.1.7\n        with:\n          ref: \${{ github.event.pull_request.head.sha }}\n      - uses: actions/upload-artifact@v4\n        with: { name: a, path: x }\n`;
    expect(await inputs(wf("pull_request_target", dataOnly), "j", "pull_request_target")).toEqual([]);
  });

  it("a checkout into a folder runs only when a step works in that folder", async () => {
    const steps = `      - uses: actions/checkout@v4.1.7\n        with:\n          ref: \${{ github.event.pull_request.head.sha }}\n          path: pr\n${CONFIGURE}      - run: npm ci\n      - run: cd pr && make\n`;
    expect(await inputs(wf("pull_request_target", steps), "j", "pull_request_target")).toEqual(["runs-pr-code@7>14"]);
  });

  it("yarn alone installs, and yarn <script> runs a package.json script; hub pr checkout brings the head too", async () => {
    const steps = `      - uses: actions/checkout@v4\n      - run: hub pr checkout \${{ github.event.issue.number }}\n${CONFIGURE}      - run: yarn --version\n      - run: yarn\n      - run: yarn prerelease\n`;
    expect(await inputs(wf("issue_comment", steps), "j", "issue_comment")).toEqual(["runs-pr-code@8>12"]);
  });

  it("gh pr checkout on issue_comment, and local actions of the checked-out head", async () => {
    const gh = `      - uses: actions/checkout@v4\n      - run: gh pr checkout \${{ github.event.issue.number }}\n${CONFIGURE}      - uses: ./.github/actions/build\n`;
    expect(await inputs({ ...wf("issue_comment", gh), ".github/actions/build/action.yml": "name: b\ndescription: d\nruns:\n  using: composite\n  steps:\n    - run: echo\n      shell: bash\n" }, "j", "issue_comment")).toEqual([
      "runs-pr-code@8>11",
    ]);
  });

  it("a step the scenario skips does not count", async () => {
    const steps = `      - if: github.event_name == 'push'\n        uses: actions/checkout@v4.1.7\n        with:\n          ref: \${{ github.event.pull_request.head.sha }}\n${CONFIGURE}      - run: make\n`;
    expect(await inputs(wf("[push, pull_request_target]", steps), "j", "pull_request_target")).toEqual([]);
  });

  it("a ref computed at run time, checked out and built: runs-unresolved-ref", async () => {
    const steps = `      - uses: actions/checkout@v7\n        with:\n          ref: \${{ needs.resolve.outputs.sha }}\n${CONFIGURE}      - run: make snapshot\n`;
    expect(await inputs(wf("pull_request_target", steps), "j", "pull_request_target")).toEqual(["runs-unresolved-ref@7>12"]);
  });
});

describe("untrusted input: artifacts", () => {
  it("the same run's artifacts, uploaded by a job that built the pull request, then executed", async () => {
    const files = {
      ".github/workflows/ci.yml": `on: pull_request_target\npermissions: { id-token: write }\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4.1.7\n        with:\n          ref: \${{ github.event.pull_request.head.sha }}\n      - run: make\n      - uses: actions/upload-artifact@v4\n        with: { name: scripts, path: scripts }\n  test:\n    needs: build\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/download-artifact@v4\n        with: { name: scripts, path: scripts }\n${CONFIGURE}      - run: chmod +x scripts/run.sh && scripts/run.sh\n`,
    };
    expect(await inputs(files, "test", "pull_request_target")).toEqual(["runs-untrusted-artifact@17>21"]);
  });

  it("the triggering run's artifacts on workflow_run, used as data only", async () => {
    const steps = `      - uses: actions/download-artifact@v4\n        with:\n          run-id: \${{ github.event.workflow_run.id }}\n          github-token: \${{ github.token }}\n          path: site\n${CONFIGURE}      - run: aws s3 sync site s3://bucket\n`;
    expect(await inputs(wf("workflow_run", steps), "j", "workflow_run")).toEqual(["untrusted-artifact@7"]);
  });
});

describe("untrusted input: event text", () => {
  it("written into a run: script or a github-script script is injection; passed through env: it is data", async () => {
    const steps = `${CONFIGURE}      - run: echo "\${{ github.event.issue.title }}"\n      - uses: actions/github-script@v7\n        with:\n          script: console.log("\${{ github.event.comment.body }}")\n      - env:\n          BODY: \${{ github.event.issue.body }}\n        run: echo "$BODY"\n`;
    expect(await inputs(wf("issue_comment", steps), "j", "issue_comment")).toEqual(["script-injection@9", "script-injection@10"]);
  });

  it("an AI agent action reads the triggering event; claude-code-action checks the actor unless allowed_non_write_users is set", async () => {
    const gated = `${CONFIGURE}      - uses: anthropics/claude-code-action@v1\n        with:\n          use_bedrock: "true"\n`;
    expect(await inputs(wf("issue_comment", gated), "j", "issue_comment")).toEqual(["agent@9 (gated)"]);
    const open = `${CONFIGURE}      - uses: anthropics/claude-code-action@v1\n        with:\n          allowed_non_write_users: "*"\n          claude_args: --allowedTools "Bash,Read"\n`;
    expect(await inputs(wf("issue_comment", open), "j", "issue_comment")).toEqual(["agent-with-shell@9"]);
    const restricted = open.replace('"Bash,Read"', '"Read,Bash(gh pr diff:*)"');
    expect(await inputs(wf("issue_comment", restricted), "j", "issue_comment")).toEqual(["agent@9"]);
  });

  it("codex-action: its own write-access check unless require-repo-write is false; shell only with full access or no privilege reduction", async () => {
    const gated = `${CONFIGURE}      - uses: openai/codex-action@v1\n        with:\n          prompt: review\n`;
    expect(await inputs(wf("issue_comment", gated), "j", "issue_comment")).toEqual(["agent@9 (gated)"]);
    const open = `${CONFIGURE}      - uses: openai/codex-action@v1\n        with:\n          require-repo-write: false\n          sandbox: danger-full-access\n`;
    expect(await inputs(wf("issue_comment", open), "j", "issue_comment")).toEqual(["agent-with-shell@9"]);
  });

  it("a command-line agent fed event text; one allowed to run anything", async () => {
    const steps = `${CONFIGURE}      - env:\n          BODY: \${{ github.event.issue.body }}\n        run: claude -p --dangerously-skip-permissions "$BODY"\n`;
    expect(await inputs(wf("issues", steps), "j", "issues")).toEqual(["agent-with-shell@9"]);
  });

  it("event text sent to an agent service outside the job", async () => {
    const steps = `${CONFIGURE}      - env:\n          ISSUE_BODY: \${{ github.event.issue.body }}\n        run: |\n          node - <<'EOF'\n          const { InvokeAgentRuntimeCommand } = require("@aws-sdk/client-bedrock-agentcore");\n          EOF\n`;
    expect(await inputs(wf("issues", steps), "j", "issues")).toEqual(["remote-agent@9"]);
  });

  it("nothing for a fork's pull_request run, which holds no credentials", async () => {
    const steps = `${CONFIGURE}      - run: echo "\${{ github.event.pull_request.title }}"\n`;
    expect(await inputs(wf("pull_request", steps), "j", "pull_request", "fork")).toEqual([]);
  });
});
