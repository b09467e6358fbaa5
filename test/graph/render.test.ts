/**
 * `credflow graph` (issue 13, item 4): focus with --workflow/--job, `needs:` edges, both credential
 * timelines where they differ, unresolved composites and remote actions drawn as such, a repository
 * drawn one cluster per workflow with composites collapsed, --split, Mermaid's limits, the JSON shape.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { cli } from "../helpers/cli.js";
import { tempRepo } from "../helpers/temp-repo.js";
import { checkDot, checkMermaid, MERMAID_MAX_EDGES, MERMAID_MAX_TEXT } from "../helpers/graph-syntax.js";

const EXAMPLES = path.resolve(__dirname, "..", "..", "examples");

const ROLE = (name: string) => `arn:aws:iam::123456789012:role/${name}`;

function configure(role: string, indent = "      "): string {
  return `${indent}- uses: aws-actions/configure-aws-credentials@v4\n${indent}  with:\n${indent}    role-to-assume: ${role}\n${indent}    aws-region: us-east-1\n`;
}

/** A repository with needs:, a composite that assumes a second role, an unresolved composite, a remote and a local node action. */
function pipelineRepo(): string {
  return tempRepo({
    ".github/workflows/ci.yml": [
      "on: push",
      "permissions: { id-token: write, contents: read }",
      "jobs:",
      "  build:",
      "    runs-on: [self-hosted, linux]",
      "    steps:",
      "      - uses: actions/checkout@v4",
      configure(ROLE("build")).trimEnd(),
      "      - uses: ./.github/actions/deploy",
      "      - uses: ./.github/actions/missing",
      "      - uses: ./.github/actions/node-thing",
      "      - uses: docker://alpine:3.20",
      "      - run: make build",
      "  test:",
      "    needs: build",
      "    runs-on: ubuntu-latest",
      "    steps:",
      "      - run: make test",
      "  release:",
      "    needs: [build, test]",
      "    runs-on: ubuntu-latest",
      "    steps:",
      "      - run: make release",
      "",
    ].join("\n"),
    ".github/workflows/lint.yml": "on: push\njobs:\n  lint:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: make lint\n",
    ".github/actions/deploy/action.yml": [
      "runs:",
      "  using: composite",
      "  steps:",
      configure(ROLE("deploy"), "    ").trimEnd(),
      "    - run: aws s3 sync site/ s3://bucket/",
      "      shell: bash",
      "    - run: aws cloudfront create-invalidation",
      "      shell: bash",
      "",
    ].join("\n"),
    ".github/actions/node-thing/action.yml": "runs:\n  using: node20\n  main: index.js\n",
  });
}

interface StepJson {
  index: number;
  kind: string;
  uses: string | null;
  skipped: boolean;
  oldRunnerCredentials: { role: string | null } | null;
  credentials: { role: string | null } | null;
  composite?: { steps: number; end: number };
  unresolved?: { reason: string; message: string };
  localAction?: { using: string | null };
}
interface JobJson {
  id: string;
  needs: string[];
  runsOn: string | null;
  runner: string;
  timeline: StepJson[];
  roleConflicts: Array<{ at: { line: number }; stale: number[]; earlier: { role: string }; assumed: { role: string } }>;
  calls?: { path: string; jobs: JobJson[] };
}
interface ViewJson {
  version: number;
  workflows: Array<{ path: string; name: string | null; jobs: JobJson[] }>;
  issues: Array<{ kind: string; path: string; line: number; message: string }>;
}

async function graph(dir: string, ...args: string[]) {
  const r = await cli(["graph", ...args], { cwd: dir });
  return r;
}

describe("credflow graph: a repository", () => {
  it("draws one cluster per workflow and one node per job, composites collapsed with their step count, needs: as edges", async () => {
    const dir = pipelineRepo();
    const r = await graph(dir, ".");
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    const m = checkMermaid(r.stdout);
    expect(m.problems).toEqual([]);
    expect(m.subgraphs).toBe(2);
    expect(m.nodes).toBe(4); // build, test, release, lint
    const idOf = (job: string) => [...m.labels].find(([, l]) => l.startsWith(`<b>job ${job}</b>`))![0];
    for (const [a, b] of [["build", "test"], ["build", "release"], ["test", "release"]]) {
      expect(r.stdout).toContain(`  ${idOf(a!)} ==> ${idOf(b!)}`);
    }
    const build = m.labels.get(idOf("build"))!;
    expect(build).toContain("3. ./.github/actions/deploy (composite, 3 steps) → arn:aws:iam::123456789012:role/deploy inside");
    expect(build).toContain("⚠ on runners older than v2.295.0, 2 steps inside still run as arn:aws:iam::123456789012:role/build");
    // Backquotes are entity codes in Mermaid labels.
    expect(build).toContain("4. ./.github/actions/missing ✗ not followed: #96;./.github/actions/missing#96; has no action.yml or action.yaml");
    expect(build).toContain("5. ./.github/actions/node-thing (local node20 action)");
    expect(build).toContain("6. docker://alpine:3.20 (docker image)");
    expect(build).toContain("1. actions/checkout@v4 (remote)");
    // Inside steps of the composite are not drawn.
    expect(r.stdout).not.toContain("cloudfront");
    expect(m.classes.get("stale")).toContain(idOf("build"));

    const d = checkDot((await graph(dir, ".", "--format", "dot")).stdout);
    expect(d.problems).toEqual([]);
    expect(d.nodes).toBe(4);
    expect(d.clusters).toBe(2);
    expect(d.edges).toBe(3);
  });

  it("--workflow draws every step with composites expanded; --job one job with what it needs", async () => {
    const dir = pipelineRepo();
    for (const name of ["ci.yml", ".github/workflows/ci.yml", "./.github/workflows/ci.yml", path.join(dir, ".github/workflows/ci.yml")]) {
      const r = await graph(dir, ".", "--workflow", name);
      expect(r.code, name).toBe(0);
      const m = checkMermaid(r.stdout);
      expect(m.problems).toEqual([]);
      expect(r.stdout).toContain("cloudfront");
      expect(r.stdout).not.toContain("make lint");
      // Job clusters, the composite invocation as a nested cluster; needs: between job clusters.
      const jobs = [...m.labels].filter(([, l]) => l.startsWith("<b>job ")).map(([id]) => id);
      expect(jobs).toHaveLength(3);
      expect(r.stdout.match(/ ==> /g)).toHaveLength(3);
      const composite = [...m.labels].find(([, l]) => l.startsWith("3. ./.github/actions/deploy (composite, 3 steps)"));
      expect(composite?.[1]).toContain("⚠ assumes arn:aws:iam::123456789012:role/deploy inside; on runners older than v2.295.0, 2 steps after it still run as arn:aws:iam::123456789012:role/build");
      const stale = [...m.labels].filter(([, l]) => l.includes("⚠ on runners older than v2.295.0: arn:aws:iam::123456789012:role/build")).map(([, l]) => l.split("<br/>")[0]);
      expect(stale).toEqual(["5. run aws s3 sync site/ s3://bucket/", "6. run aws cloudfront create-invalidation"]);
    }
    const one = await graph(dir, ".", "--workflow", "ci.yml", "--job", "release", "--format", "dot");
    expect(one.code).toBe(0);
    const d = checkDot(one.stdout);
    expect(d.problems).toEqual([]);
    expect([...d.texts.values()]).toEqual(["1. run make release\nno AWS credentials"]);
    expect(one.stdout).toContain("needs build, test");
  });

  it("a single workflow file or a repository of one workflow is drawn with every step", async () => {
    const dir = pipelineRepo();
    const r = await graph(dir, ".github/workflows/ci.yml");
    expect(r.stdout).toContain("cloudfront");
    const m = checkMermaid(r.stdout);
    expect(m.problems).toEqual([]);
  });

  it("--workflow and --job that match nothing, or too much, are usage errors naming what exists", async () => {
    const dir = pipelineRepo();
    fs.mkdirSync(path.join(dir, "other/.github/workflows"), { recursive: true });
    fs.writeFileSync(path.join(dir, "other/.github/workflows/ci.yml"), "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo\n");
    const none = await graph(dir, ".", "--workflow", "nope.yml");
    expect(none.code).toBe(2);
    expect(none.stderr).toBe("credflow: --workflow nope.yml: no linted workflow has that path; workflows: .github/workflows/ci.yml, .github/workflows/lint.yml\n");
    const job = await graph(dir, ".", "--workflow", "ci.yml", "--job", "nope");
    expect(job.code).toBe(2);
    expect(job.stderr).toBe("credflow: --job nope: .github/workflows/ci.yml has no such job; jobs: build, test, release\n");
    const alone = await graph(dir, ".", "--job", "build");
    expect(alone.code).toBe(2);
    expect(alone.stderr).toBe("credflow: --job needs --workflow FILE\n");
    const two = await graph(dir, ".", "other", "--workflow", "ci.yml");
    expect(two.code).toBe(2);
    expect(two.stderr).toMatch(/^credflow: --workflow ci\.yml: 2 workflows have that name \(.*\); give its path\n$/);
    expect((await graph(dir, ".", "other", "--workflow", "other/.github/workflows/ci.yml")).code).toBe(0);
  });

  it("json: needs, runners, step kinds, unresolved reasons, both timelines and the conflicts", async () => {
    const dir = pipelineRepo();
    const r = await graph(dir, ".", "--format", "json");
    const view = JSON.parse(r.stdout) as ViewJson;
    expect(view.version).toBe(1);
    const ci = view.workflows.find((w) => w.path === ".github/workflows/ci.yml")!;
    const [build, test, release] = ci.jobs;
    expect([build!.needs, test!.needs, release!.needs]).toEqual([[], ["build"], ["build", "test"]]);
    expect(build!.runsOn).toBe("self-hosted, linux");
    expect(build!.runner).toBe("self-hosted");
    expect(build!.timeline.map((s) => s.kind)).toEqual(["action", "configure", "composite", "configure", "run", "run", "unresolved", "local-action", "docker", "run"]);
    expect(build!.timeline[2]!.composite).toEqual({ path: ".github/actions/deploy/action.yml", steps: 3, end: 5 });
    expect(build!.timeline[6]!.unresolved).toEqual({ reason: "missing", message: "`./.github/actions/missing` has no action.yml or action.yaml" });
    expect(build!.timeline[7]!.localAction).toEqual({ path: ".github/actions/node-thing/action.yml", using: "node20" });
    expect(build!.timeline.map((s) => s.oldRunnerCredentials?.role ?? null)).toEqual([null, null, null, null, ROLE("build"), ROLE("build"), null, null, null, null]);
    expect(build!.timeline.map((s) => s.credentials?.role ?? null)).toEqual([null, null, ROLE("build"), ROLE("build"), ROLE("deploy"), ROLE("deploy"), ROLE("deploy"), ROLE("deploy"), ROLE("deploy"), ROLE("deploy")]);
    expect(build!.roleConflicts).toMatchObject([{ at: { index: 2, line: 12 }, configure: { index: 3 }, stale: [4, 5], earlier: { role: ROLE("build") }, assumed: { role: ROLE("deploy") } }]);
    expect(view.issues).toMatchObject([{ kind: "missing", path: ".github/workflows/ci.yml", line: 13 }]);
  });

  it("unresolved composites say why: missing, outside the repository, cycle, nested too deep, a workflow used as a step", async () => {
    const files: Record<string, string> = {
      ".github/workflows/w.yml": [
        "on: push",
        "jobs:",
        "  a:",
        "    runs-on: ubuntu-latest",
        "    steps:",
        "      - uses: ./nope",
        "      - uses: ./../outside",
        "      - uses: ./loop",
        "      - uses: ./d0",
        "      - uses: ./.github/workflows/w.yml",
        "  call:",
        "    uses: ./.github/workflows/missing.yml",
        "  remote:",
        "    uses: octo/repo/.github/workflows/x.yml@v1",
        "",
      ].join("\n"),
      "loop/action.yml": "runs:\n  using: composite\n  steps:\n    - uses: ./loop\n",
    };
    for (let i = 0; i < 12; i++) files[`d${i}/action.yml`] = `runs:\n  using: composite\n  steps:\n    - uses: ./d${i + 1}\n`;
    const dir = tempRepo(files);
    const view = JSON.parse((await graph(dir, ".", "--format", "json")).stdout) as ViewJson & { workflows: Array<{ jobs: Array<JobJson & { uses: { kind: string; unresolved?: { reason: string } } | null }> }> };
    const [a, call, remote] = view.workflows[0]!.jobs;
    const reasons = a!.timeline.filter((s) => s.unresolved).map((s) => `${s.uses} ${s.unresolved!.reason}`);
    expect(reasons).toEqual(["./nope missing", "./../outside outside", "./loop cycle", "./d10 depth", "./.github/workflows/w.yml not-composite"]);
    expect(call!.uses).toMatchObject({ kind: "unresolved", unresolved: { reason: "missing" } });
    expect(remote!.uses).toEqual({ ref: "octo/repo/.github/workflows/x.yml@v1", kind: "remote" });
    const m = await graph(dir, ".");
    expect(checkMermaid(m.stdout).problems).toEqual([]);
    for (const text of ["✗ not followed: #96;./../outside#96; points outside the repository; not followed", "✗ not followed: composite action cycle", "✗ not followed: composite actions nested more than 10 levels deep", "calls octo/repo/.github/workflows/x.yml@v1 (remote workflow, not followed)", "calls ./.github/workflows/missing.yml ✗ not followed:"]) {
      expect(m.stdout).toContain(text);
    }
    expect(m.stdout).toMatch(/class [\w,]+ unresolved/);
  });

  it("a called reusable workflow: drawn inside its caller when focused, named by the caller's row in a repository picture", async () => {
    const dir = tempRepo({
      ".github/workflows/main.yml": "on: push\njobs:\n  deploy:\n    uses: ./.github/workflows/reusable.yml\n    with: { role: " + ROLE("prod") + " }\n",
      ".github/workflows/reusable.yml": [
        "on:",
        "  workflow_call:",
        "    inputs:",
        "      role: { type: string, default: " + ROLE("dev") + " }",
        "jobs:",
        "  go:",
        "    runs-on: ubuntu-latest",
        "    steps:",
        configure("${{ inputs.role }}").trimEnd(),
        "",
      ].join("\n"),
    });
    const repo = await graph(dir, ".");
    expect(checkMermaid(repo.stdout).problems).toEqual([]);
    expect(repo.stdout).toContain("calls ./.github/workflows/reusable.yml<br/>   with its inputs the called jobs assume arn:aws:iam::123456789012:role/prod");
    // Drawn on its own, the reusable workflow has no caller to fill its inputs.
    expect(repo.stdout).toContain("1. aws-actions/configure-aws-credentials@v4 → ${{ inputs.role }} (oidc)");
    const focused = await graph(dir, ".", "--workflow", "main.yml");
    const m = checkMermaid(focused.stdout);
    expect(m.problems).toEqual([]);
    expect(focused.stdout).toContain(`configures ${ROLE("prod")} · oidc · v4.3.1`);
    expect(focused.stdout).not.toContain(ROLE("dev"));
    expect([...m.labels.values()].some((l) => l.startsWith("<b>.github/workflows/reusable.yml</b><br/>as job deploy calls it"))).toBe(true);
  });
});

describe("credflow graph --split", () => {
  it("writes one file per workflow, every step drawn, and prints their paths", async () => {
    const dir = pipelineRepo();
    for (const [format, ext] of [["mermaid", "mmd"], ["dot", "dot"], ["json", "json"]] as const) {
      const r = await graph(dir, ".", "--split", `out-${format}`, "--format", format);
      expect(r.code).toBe(0);
      expect(r.stderr).toBe("");
      expect(r.stdout).toBe(`out-${format}/ci.${ext}\nout-${format}/lint.${ext}\n`);
      const ci = fs.readFileSync(path.join(dir, `out-${format}`, `ci.${ext}`), "utf8");
      expect(ci).toContain("cloudfront");
      expect(ci).not.toContain("make lint");
      if (format === "mermaid") expect(checkMermaid(ci).problems).toEqual([]);
      if (format === "dot") expect(checkDot(ci).problems).toEqual([]);
      if (format === "json") expect((JSON.parse(ci) as ViewJson).workflows.map((w) => w.path)).toEqual([".github/workflows/ci.yml"]);
    }
  });

  it("workflows with the same file name get their paths as names; --output is refused", async () => {
    const dir = pipelineRepo();
    fs.mkdirSync(path.join(dir, "sub/.github/workflows"), { recursive: true });
    fs.writeFileSync(path.join(dir, "sub/.github/workflows/ci.yml"), "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo\n");
    const r = await graph(dir, ".", "sub", "--split", "out");
    expect(r.stdout).toBe("out/github__workflows__ci.mmd\nout/lint.mmd\nout/sub__.github__workflows__ci.mmd\n");
    const both = await graph(dir, ".", "--split", "out", "--output", "x.mmd");
    expect(both.code).toBe(2);
    expect(both.stderr).toBe("credflow: --split writes one file per workflow; it does not take --output\n");
  });
});

describe("Mermaid's default limits", () => {
  /** `n` workflows of `jobs` jobs with `steps` steps each, every name long. */
  function bigRepo(n: number, jobs: number, steps: number): string {
    const files: Record<string, string> = {};
    for (let w = 0; w < n; w++) {
      const lines = ["on: push", "jobs:"];
      for (let j = 0; j < jobs; j++) {
        lines.push(`  job-${j}-with-a-rather-long-name:`, "    runs-on: ubuntu-latest", "    steps:");
        for (let s = 0; s < steps; s++) lines.push(`      - name: step ${s} of a job that does many things one after another`, `        run: echo ${s}`);
      }
      files[`.github/workflows/workflow-${w}.yml`] = `${lines.join("\n")}\n`;
    }
    return tempRepo(files);
  }

  it("a repository whose picture with steps passes them is drawn one node per job, and one line says so", async () => {
    const dir = bigRepo(30, 3, 10);
    const r = await graph(dir, ".");
    expect(r.code).toBe(0);
    expect(r.stderr.split("\n")).toHaveLength(2);
    expect(r.stderr).toMatch(/^credflow: the (Mermaid )?picture of 30 workflows with their steps would be .*; drawn with one node per job and no steps: --split DIR writes one file per workflow with every step, --workflow FILE draws one\n$/);
    const m = checkMermaid(r.stdout);
    expect(m.problems).toEqual([]);
    expect(m.chars).toBeLessThanOrEqual(MERMAID_MAX_TEXT);
    expect(m.edges).toBeLessThanOrEqual(MERMAID_MAX_EDGES);
    expect(r.stdout).toContain("<b>job job-0-with-a-rather-long-name · 10 steps</b>");
  });

  it("past them even one node per job: the picture is printed and one line tells the user to split", async () => {
    const dir = bigRepo(300, 4, 1);
    const r = await graph(dir, ".");
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^credflow: the Mermaid picture of 300 workflows is [\d,]+ characters \(maxTextSize 50,000\) even with one node per job, past Mermaid's default limits \(maxTextSize 50,000 characters, maxEdges 500\): --split DIR writes one file per workflow, --workflow FILE draws one, --format dot has no such limit\n$/);
    expect(checkMermaid(r.stdout).problems).toEqual([]);
    const split = await graph(dir, ".", "--split", "out");
    expect(split.stderr).toBe("");
    for (const f of split.stdout.trim().split("\n")) expect(checkMermaid(fs.readFileSync(path.join(dir, f), "utf8")).chars).toBeLessThan(MERMAID_MAX_TEXT);
  });

  it("one workflow past them: a note for --workflow and for each --split file", async () => {
    const dir = bigRepo(1, 60, 10);
    const r = await graph(dir, ".");
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^credflow: the Mermaid picture of \.github\/workflows\/workflow-0\.yml is [\d,]+ characters \(maxTextSize 50,000\) and 540 edges \(maxEdges 500\), past Mermaid's default limits \(maxTextSize 50,000 characters, maxEdges 500\): --job ID draws one job; --format dot has no such limit\n$/);
    const split = await graph(dir, ".", "--split", "out");
    expect(split.stderr).toMatch(/^credflow: 1 of 1 Mermaid files pass Mermaid's default limits \(.*\): workflow-0\.mmd \(.*\); --workflow FILE --job ID draws one job, --format dot has no such limit\n$/);
    const dot = await graph(dir, ".", "--format", "dot");
    expect(dot.stderr).toBe("");
  });
});

describe("the examples", () => {
  it("mark the steps that see the earlier role on old runners in both jobs of deploy.yml", async () => {
    const view = JSON.parse((await graph(EXAMPLES, ".", "--format", "json")).stdout) as ViewJson;
    const deploy = view.workflows.find((w) => w.path === ".github/workflows/deploy.yml")!;
    const marked = deploy.jobs.map((j) => [j.id, j.timeline.filter((s) => s.oldRunnerCredentials).map((s) => s.index)]);
    expect(marked).toEqual([
      ["deploy", [7]],
      ["site", [5, 6]],
    ]);
  });
});
