import { describe, expect, it } from "vitest";
import { lintDir } from "../helpers/lint-fixture.js";
import { tempRepo } from "../helpers/temp-repo.js";
import { allJobNodes } from "../../src/graph/build-graph.js";
import { type Guards, type Origin, guardsOf } from "../../src/graph/guards.js";
import type { JobNode, ProjectGraph } from "../../src/graph/types.js";

const CONFIGURE = `      - uses: aws-actions/configure-aws-credentials@v4
        with: { role-to-assume: "arn:aws:iam::123456789012:role/r", aws-region: us-east-1 }
`;

async function graphOf(files: Record<string, string>): Promise<ProjectGraph> {
  return (await lintDir(tempRepo(files))).graph;
}

/** "may", "no", or "gated by …" for a job (and, with `step`, its step at that index) in the first scenario of that event and origin. */
function reach(graph: ProjectGraph, jobId: string, event: string, origin: Origin, opts: { step?: number; repository?: string; workflow?: string } = {}): string {
  const g: Guards = guardsOf(graph, { repository: opts.repository });
  const node = allJobNodes(graph).find((n) => n.job.id === jobId && (!opts.workflow || n.workflow.file.path.endsWith(opts.workflow)));
  if (!node) throw new Error(`no job ${jobId}`);
  let root: JobNode = node;
  while (root.caller) root = root.caller;
  const s = g.scenarios(root.workflow).find((x) => x.event === event && x.origin === origin);
  if (!s) return "no scenario";
  let r = g.jobReach(node, s);
  if (r.may && opts.step !== undefined) r = g.stepReach(node, node.timeline[opts.step]!, s);
  return r.may ? "may" : r.gate ? `gated by ${[...new Set(r.gate.map((t) => `${t.by} (${t.kind})`))].join(", ")}` : "no";
}

function workflow(on: string, jobs: string): Record<string, string> {
  return { ".github/workflows/ci.yml": `on: ${on}\npermissions: { id-token: write }\njobs:\n${jobs}` };
}

describe("guards: which untrusted runs a workflow's triggers allow", () => {
  it("push, schedule and dispatch allow none; pull_request a fork's run; pull_request_target an outsider's and a maintainer's", async () => {
    const graph = await graphOf(workflow("[push, schedule, workflow_dispatch, pull_request, pull_request_target]", `  j:\n    runs-on: ubuntu-latest\n    steps:\n${CONFIGURE}`));
    const g = guardsOf(graph);
    expect(g.scenarios(graph.workflows[0]!).map((s) => `${s.event}/${s.origin}`)).toEqual(["pull_request/fork", "pull_request_target/outsider", "pull_request_target/maintainer"]);
  });

  it("activity types only maintainers cause (labeled) leave only the maintainer's run", async () => {
    const graph = await graphOf(workflow("\n  pull_request_target:\n    types: [labeled]\n  issues:\n    types: [opened, labeled]", `  j:\n    runs-on: ubuntu-latest\n    steps:\n${CONFIGURE}`));
    const scenarios = guardsOf(graph).scenarios(graph.workflows[0]!);
    expect(scenarios.map((s) => `${s.event}/${s.origin}:${(s.types ?? []).join("|")}`)).toEqual([
      "pull_request_target/maintainer:labeled",
      "issues/outsider:opened",
      "issues/maintainer:opened|labeled",
    ]);
  });
});

describe("guards: a job's own if:", () => {
  const job = (cond: string) => `  j:\n    if: ${cond}\n    runs-on: ubuntu-latest\n    steps:\n${CONFIGURE}`;
  const on = "[push, pull_request, pull_request_target, issue_comment]";

  it("on the event name", async () => {
    const graph = await graphOf(workflow(on, job("github.event_name == 'push'")));
    expect(reach(graph, "j", "pull_request", "fork")).toBe("no");
    expect(reach(graph, "j", "pull_request_target", "outsider")).toBe("no");
    const neg = await graphOf(workflow(on, job("github.event_name != 'pull_request_target'")));
    expect(reach(neg, "j", "pull_request_target", "outsider")).toBe("no");
    expect(reach(neg, "j", "pull_request", "fork")).toBe("may");
  });

  it("on the ref: a pull_request run never has a branch ref, pull_request_target and issue_comment run on the base branch", async () => {
    const graph = await graphOf(workflow(on, job("github.ref == 'refs/heads/main'")));
    expect(reach(graph, "j", "pull_request", "fork")).toBe("no");
    expect(reach(graph, "j", "pull_request_target", "outsider")).toBe("may");
    expect(reach(graph, "j", "issue_comment", "outsider")).toBe("may");
    const tags = await graphOf(workflow(on, job("startsWith(github.ref, 'refs/tags/')")));
    for (const [e, o] of [["pull_request", "fork"], ["pull_request_target", "outsider"], ["issue_comment", "outsider"]] as const) expect(reach(tags, "j", e, o)).toBe("no");
  });

  it("on github.event.ref, which only push-like payloads have", async () => {
    const graph = await graphOf(workflow(on, job("github.event.ref == 'refs/heads/main' || github.event_name == 'workflow_dispatch'")));
    expect(reach(graph, "j", "pull_request", "fork")).toBe("no");
    expect(reach(graph, "j", "pull_request_target", "outsider")).toBe("no");
  });

  it("on the head repository: github.repository, the literal name, or head.repo.fork", async () => {
    for (const cond of [
      "github.event.pull_request.head.repo.full_name == github.repository",
      "github.repository == github.event.pull_request.head.repo.full_name",
      "github.event.pull_request.head.repo.full_name == 'octo/app'",
      "github.event.pull_request.head.repo.fork == false",
      "${{ !github.event.pull_request.head.repo.fork }}",
    ]) {
      const graph = await graphOf(workflow(on, job(cond)));
      expect(reach(graph, "j", "pull_request", "fork"), cond).toBe("no");
      expect(reach(graph, "j", "pull_request_target", "outsider"), cond).toBe("no");
      expect(reach(graph, "j", "pull_request_target", "maintainer"), cond).toBe("no");
    }
  });

  it("on the repository itself (a guard against forks' own runs): decided only when the repository is known", async () => {
    const graph = await graphOf(workflow(on, job("github.repository == 'octo/app' && github.event_name == 'pull_request'")));
    expect(reach(graph, "j", "pull_request", "fork")).toBe("may");
    expect(reach(graph, "j", "pull_request", "fork", { repository: "octo/app" })).toBe("may");
    expect(reach(graph, "j", "pull_request", "fork", { repository: "other/app" })).toBe("no");
  });

  it("on the actor or the author association: outsiders are none of the names or associations a workflow trusts", async () => {
    const bot = await graphOf(workflow(on, job("github.actor == 'dependabot[bot]'")));
    expect(reach(bot, "j", "pull_request_target", "outsider")).toBe("no");
    expect(reach(bot, "j", "pull_request_target", "maintainer")).toBe("no");
    const assoc = await graphOf(workflow(on, job("contains(fromJSON('[\"OWNER\",\"MEMBER\",\"COLLABORATOR\"]'), github.event.comment.author_association)")));
    expect(reach(assoc, "j", "issue_comment", "outsider")).toBe("no");
    expect(reach(assoc, "j", "issue_comment", "maintainer")).toBe("may");
  });

  it("if: false never runs; a label a maintainer must add keeps outsiders alone off", async () => {
    const never = await graphOf(workflow(on, job("${{ false }}")));
    expect(reach(never, "j", "pull_request_target", "maintainer")).toBe("no");
    const label = await graphOf(workflow(on, job("contains(github.event.pull_request.labels.*.name, 'safe to test')")));
    expect(reach(label, "j", "pull_request_target", "outsider")).toBe("no");
    expect(reach(label, "j", "pull_request_target", "maintainer")).toBe("may");
  });

  it("anything undecided may run", async () => {
    const graph = await graphOf(workflow(on, job("contains(github.event.comment.body, '/deploy') && vars.ENABLED == 'true'")));
    expect(reach(graph, "j", "issue_comment", "outsider")).toBe("may");
  });
});

describe("guards: needs", () => {
  const gate = `  gate:\n    if: github.event.pull_request.head.repo.full_name == github.repository\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n`;

  it("a skipped need skips the job, unless its if: calls always(), failure() or cancelled()", async () => {
    const graph = await graphOf(
      workflow(
        "pull_request",
        `${gate}  next:\n    needs: gate\n    runs-on: ubuntu-latest\n    steps:\n${CONFIGURE}  after:\n    needs: next\n    runs-on: ubuntu-latest\n    steps:\n${CONFIGURE}  always:\n    needs: gate\n    if: always()\n    runs-on: ubuntu-latest\n    steps:\n${CONFIGURE}  notcancelled:\n    needs: gate\n    if: \${{ !cancelled() }}\n    runs-on: ubuntu-latest\n    steps:\n${CONFIGURE}  success:\n    needs: gate\n    if: success() && true\n    runs-on: ubuntu-latest\n    steps:\n${CONFIGURE}`,
      ),
    );
    expect(reach(graph, "next", "pull_request", "fork")).toBe("no");
    expect(reach(graph, "after", "pull_request", "fork")).toBe("no");
    expect(reach(graph, "always", "pull_request", "fork")).toBe("may");
    expect(reach(graph, "notcancelled", "pull_request", "fork")).toBe("may");
    expect(reach(graph, "success", "pull_request", "fork")).toBe("no");
  });

  it("a gate job's output computed from head.repo.fork is decided; one set by a script that checks for forks is a run-time gate", async () => {
    const graph = await graphOf(
      workflow(
        "pull_request",
        `  expr:\n    runs-on: ubuntu-latest\n    outputs:\n      fork: \${{ github.event.pull_request.head.repo.fork }}\n    steps:\n      - run: echo\n` +
          `  a:\n    needs: expr\n    if: needs.expr.outputs.fork == 'false'\n    runs-on: ubuntu-latest\n    steps:\n${CONFIGURE}` +
          `  script:\n    runs-on: ubuntu-latest\n    outputs:\n      should_run: \${{ steps.check.outputs.has_label }}\n    steps:\n      - id: check\n        env:\n          PR_FORK: \${{ github.event.pull_request.head.repo.fork }}\n        run: |\n          if [[ "$PR_FORK" == "true" ]]; then echo "has_label=false" >> $GITHUB_OUTPUT; else echo "has_label=true" >> $GITHUB_OUTPUT; fi\n` +
          `  b:\n    needs: script\n    if: needs.script.outputs.should_run == 'true'\n    runs-on: ubuntu-latest\n    steps:\n${CONFIGURE}` +
          `  c:\n    needs: b\n    runs-on: ubuntu-latest\n    steps:\n${CONFIGURE}`,
      ),
    );
    expect(reach(graph, "a", "pull_request", "fork")).toBe("no");
    expect(reach(graph, "b", "pull_request", "fork")).toBe("gated by job `script` (fork)");
    expect(reach(graph, "c", "pull_request", "fork")).toBe("gated by job `script` (fork)");
  });

  it("a permission check by a script is a run-time gate for outsiders, and for a maintainer's act when it checks the content's author", async () => {
    const graph = await graphOf(
      workflow(
        "pull_request_target",
        `  check:\n    runs-on: ubuntu-latest\n    outputs:\n      ok: \${{ steps.c.outputs.is_trusted }}\n    steps:\n      - id: c\n        uses: actions/github-script@v7\n        with:\n          script: |\n            const { data } = await github.rest.repos.getCollaboratorPermissionLevel({ owner: context.repo.owner, repo: context.repo.repo, username: context.payload.pull_request.user.login });\n            core.setOutput('is_trusted', ['admin','write'].includes(data.permission) ? 'true' : 'false');\n` +
          `  review:\n    needs: check\n    if: needs.check.outputs.ok == 'true'\n    runs-on: ubuntu-latest\n    steps:\n${CONFIGURE}`,
      ),
    );
    expect(reach(graph, "review", "pull_request_target", "outsider")).toBe("gated by job `check` (actor)");
    // It checks the pull request's author, still an outsider when a maintainer labels the pull request.
    expect(reach(graph, "review", "pull_request_target", "maintainer")).toBe("gated by job `check` (actor)");
    const actor = await graphOf(
      workflow(
        "issue_comment",
        `  check:\n    runs-on: ubuntu-latest\n    outputs:\n      ok: \${{ steps.c.outputs.ok }}\n    steps:\n      - id: c\n        run: |\n          p=$(gh api repos/$GITHUB_REPOSITORY/collaborators/$GITHUB_ACTOR/permission --jq .permission)\n          echo "ok=$([ "$p" = admin ] && echo true || echo false)" >> "$GITHUB_OUTPUT"\n` +
          `  bot:\n    needs: check\n    if: needs.check.outputs.ok == 'true'\n    runs-on: ubuntu-latest\n    steps:\n${CONFIGURE}`,
      ),
    );
    expect(reach(actor, "bot", "issue_comment", "outsider")).toBe("gated by job `check` (actor)");
    // The commenter is the maintainer: the check passes.
    expect(reach(actor, "bot", "issue_comment", "maintainer")).toBe("may");
  });

  it("a needs chain of 5,000 jobs is settled without recursion", async () => {
    const jobs = Array.from({ length: 5000 }, (_, i) => `  j${i}:\n${i ? `    needs: j${i - 1}\n` : "    if: github.event_name == 'push'\n"}    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n`).join("");
    const graph = await graphOf(workflow("[push, pull_request_target]", jobs));
    expect(reach(graph, "j4999", "pull_request_target", "outsider")).toBe("no");
  });
});

describe("guards: workflow_run inherits the trust of the workflows it names", () => {
  const downstream = (names: string, cond = "") =>
    `on:\n  workflow_run:\n    workflows: [${names}]\n    types: [completed]\npermissions: { id-token: write }\njobs:\n  j:\n${cond ? `    if: ${cond}\n` : ""}    runs-on: ubuntu-latest\n    steps:\n${CONFIGURE}`;

  it("after push-only workflows nobody outside can start it; after pull_request they can; unknown names count as outsider-startable", async () => {
    const pushOnly = await graphOf({ ".github/workflows/build.yml": "name: Build\non: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n", ".github/workflows/ci.yml": downstream("Build") });
    expect(guardsOf(pushOnly).scenarios(pushOnly.workflows.find((w) => w.file.path.endsWith("ci.yml"))!)).toEqual([]);
    const pr = await graphOf({ ".github/workflows/build.yml": "name: Build\non: [push, pull_request]\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n", ".github/workflows/ci.yml": downstream("Build") });
    const s = guardsOf(pr).scenarios(pr.workflows.find((w) => w.file.path.endsWith("ci.yml"))!);
    expect(s.map((x) => `${x.event}/${x.upstreamEvent}`)).toEqual(["workflow_run/pull_request"]);
    const unknown = await graphOf({ ".github/workflows/ci.yml": downstream("Elsewhere") });
    const u = guardsOf(unknown).scenarios(unknown.workflows[0]!);
    expect(u.length).toBeGreaterThan(1);
    expect(u[0]!.upstreamUnknown).toEqual(["Elsewhere"]);
  });

  it("a job that requires workflow_run.event == 'schedule' or 'push' is trusted", async () => {
    const graph = await graphOf({ ".github/workflows/ci.yml": downstream("Elsewhere", "github.event.workflow_run.event == 'schedule' || github.event.workflow_run.event == 'push'") });
    const g = guardsOf(graph);
    const node = graph.jobs[0]!;
    for (const s of g.scenarios(graph.workflows[0]!)) expect(g.jobReach(node, s).may).toBe(false);
  });

  it("a head_repository guard keeps forks' pull request runs out", async () => {
    const graph = await graphOf({
      ".github/workflows/build.yml": "name: Build\non: pull_request\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n",
      ".github/workflows/ci.yml": downstream("Build", "github.event.workflow_run.head_repository.full_name == github.repository"),
    });
    expect(reach(graph, "j", "workflow_run", "outsider", { workflow: "ci.yml" })).toBe("no");
  });
});

describe("guards: inputs of reusable workflows and composite actions", () => {
  it("an input the caller sets from the event decides the called job's step", async () => {
    const graph = await graphOf({
      ".github/workflows/ci.yml": `on: [push, pull_request]\npermissions: { id-token: write }\njobs:\n  call:\n    uses: ./.github/workflows/upload.yml\n    with:\n      trigger-event: \${{ github.event_name }}\n`,
      ".github/workflows/upload.yml": `on:\n  workflow_call:\n    inputs:\n      trigger-event:\n        type: string\njobs:\n  up:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n      - if: \${{ inputs.trigger-event == 'schedule' || (inputs.trigger-event == 'push' && startsWith(github.event.ref, 'refs/heads/nightly')) }}\n        uses: aws-actions/configure-aws-credentials@v4\n        with: { role-to-assume: "arn:aws:iam::123456789012:role/r", aws-region: us-east-1 }\n`,
    });
    expect(reach(graph, "up", "pull_request", "fork", { step: 1 })).toBe("no");
    expect(reach(graph, "up", "pull_request", "fork", { step: 0 })).toBe("may");
  });

  it("a boolean expression passed to a composite's input and read with fromJSON", async () => {
    const graph = await graphOf({
      ".github/workflows/ci.yml": `on: [push, pull_request]\npermissions: { id-token: write }\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: ./.github/actions/upload\n        with:\n          upload-to-s3: \${{ (github.event_name == 'push' || github.event_name == 'workflow_dispatch') && github.ref == 'refs/heads/main' }}\n`,
      ".github/actions/upload/action.yml": `name: upload\ndescription: d\ninputs:\n  upload-to-s3:\n    default: "false"\nruns:\n  using: composite\n  steps:\n    - run: echo check\n      shell: bash\n    - if: fromJSON(inputs.upload-to-s3)\n      uses: aws-actions/configure-aws-credentials@v4\n      with: { role-to-assume: "arn:aws:iam::123456789012:role/r", aws-region: us-east-1 }\n`,
    });
    expect(reach(graph, "build", "pull_request", "fork", { step: 2 })).toBe("no");
  });

  it("a caller job's if: guards every job of the called workflow", async () => {
    const graph = await graphOf({
      ".github/workflows/ci.yml": `on: [pull_request]\npermissions: { id-token: write }\njobs:\n  call:\n    if: \${{ false }}\n    uses: ./.github/workflows/t.yml\n`,
      ".github/workflows/t.yml": `on: workflow_call\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n${CONFIGURE}`,
    });
    expect(reach(graph, "t", "pull_request", "fork")).toBe("no");
    const graph2 = await graphOf({
      ".github/workflows/ci.yml": `on: [pull_request]\npermissions: { id-token: write }\njobs:\n  call:\n    if: github.ref == 'refs/heads/main'\n    uses: ./.github/workflows/t.yml\n`,
      ".github/workflows/t.yml": `on: workflow_call\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n${CONFIGURE}`,
    });
    expect(reach(graph2, "t", "pull_request", "fork")).toBe("no");
  });
});
