/**
 * The cache reuses a repository's results workflow by workflow: after an edit only the group of
 * workflows whose files changed is linted again (groups: workflows reaching a common file; the
 * workflows that assume a role a trust policy of the repository defines, with that policy;
 * `workflow_run` triggers with the workflows they name). Every step's output must be the output
 * of a run without the cache, and the step's count of groups reused must be the expected one.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { cli } from "../helpers/cli.js";
import { tempRepo } from "../helpers/temp-repo.js";
import { cacheDir, editFile, groupReuse, reuse, stderrOf, trustPolicyTf, withCache, writeFile } from "./helpers.js";

const OIDC = `name: A
on:
  push:
    branches: [main]
permissions:
  id-token: write
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: arn:aws:iam::123456789012:role/deploy
          aws-region: us-east-1
`;

const USES_SHARED = (name: string) => `name: ${name}
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: ./.github/actions/shared
`;

const SHARED = `name: shared
runs:
  using: composite
  steps:
    - uses: aws-actions/configure-aws-credentials@v4
      with:
        aws-access-key-id: \${{ secrets.KEY }}
        aws-secret-access-key: \${{ secrets.SECRET }}
        aws-regin: us-east-1
`;

const ALONE = `name: C
on: push
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: echo hi
`;

interface Step {
  what: string;
  change: () => void;
  /** Groups reused and in all on the run right after the change. */
  reused: number;
  total: number;
  /** Whether the change must change the findings (a step that does not proves nothing about them). */
  changes: boolean;
}

async function walk(dir: string, steps: (dir: string) => Step[]): Promise<void> {
  const cache = cacheDir();
  const args = [".", "--format", "json", "--repository", "acme/app"];
  let before: string | undefined;
  for (const s of [{ what: "cold", change: () => {}, reused: 0, total: -1, changes: false }, ...steps(dir)]) {
    s.change();
    const plain = await cli(args, { cwd: dir });
    const cached = await withCache(args, { cwd: dir }, cache);
    expect(cached.stdout, s.what).toBe(plain.stdout);
    expect(stderrOf(cached), s.what).toBe(plain.stderr);
    expect(cached.code, s.what).toBe(plain.code);
    const g = groupReuse(cached);
    expect(g.reused, `${s.what}: groups reused (${cached.stderr})`).toBe(s.reused);
    if (s.total >= 0) expect(g.total, `${s.what}: groups`).toBe(s.total);
    if (s.changes) expect(plain.stdout, `${s.what}: the step changes the findings`).not.toBe(before);
    // The run after it answers everything from the cache, with the same output.
    const again = await withCache(args, { cwd: dir }, cache);
    expect(again.stdout, `${s.what}, warm`).toBe(plain.stdout);
    expect(reuse(again), `${s.what}, warm`).toEqual({ hits: 1, total: 1 });
    before = plain.stdout;
  }
}

describe("the cache reuses workflows whose files did not change", () => {
  it("composites, trust policies, additions and removals", async () => {
    const dir = tempRepo({
      ".github/workflows/a.yml": OIDC,
      ".github/workflows/b.yml": USES_SHARED("B"),
      ".github/workflows/e.yml": USES_SHARED("E"),
      ".github/workflows/c.yml": ALONE,
      ".github/actions/shared/action.yml": SHARED,
      "infra/iam.tf": trustPolicyTf(),
    });
    await walk(dir, () => [
      // Groups: a with the trust policy (it assumes the role it defines); b and e (one composite); c.
      { what: "nothing changed", change: () => {}, reused: 3, total: 3, changes: false },
      { what: "a workflow alone is edited", change: () => editFile(dir, ".github/workflows/c.yml", "checkout@v4", "checkout@main"), reused: 2, total: 3, changes: true },
      // The trust-policy walk reads the composite too (any YAML may be a CloudFormation template),
      // but only whether it can hold a role matters to it: a's group is reused.
      { what: "the composite two workflows use is edited", change: () => editFile(dir, ".github/actions/shared/action.yml", "aws-regin", "aws-region"), reused: 2, total: 3, changes: true },
      // Now its text names an IAM role and GitHub's OIDC host: the walk parses it, so the trust
      // policies (and a, judged with them) are read again; it holds no role, nothing changes.
      {
        what: "the composite's text names a role and the OIDC host",
        change: () => editFile(dir, ".github/actions/shared/action.yml", "name: shared", "name: shared # AWS::IAM::Role token.actions.githubusercontent.com"),
        reused: 1,
        total: 3,
        changes: false,
      },
      { what: "the trust policy is edited", change: () => editFile(dir, "infra/iam.tf", "refs/heads/main", "refs/heads/release"), reused: 2, total: 3, changes: true },
      { what: "a workflow of the composite's group is removed", change: () => fs.rmSync(path.join(dir, ".github/workflows/e.yml")), reused: 2, total: 3, changes: false },
      { what: "a new workflow", change: () => writeFile(dir, ".github/workflows/d.yml", ALONE.replace("name: C", "name: D").replace("checkout@v4", "checkout@main")), reused: 3, total: 4, changes: true },
      // A new workflow that reaches a file of a kept group: the repository is linted again.
      { what: "a new workflow uses the kept composite", change: () => writeFile(dir, ".github/workflows/f.yml", USES_SHARED("F")), reused: 0, total: 4, changes: true },
      // c now assumes a role: it must be judged with the trust policy, which is kept — linted again.
      {
        what: "a workflow starts assuming the role",
        change: () => writeFile(dir, ".github/workflows/c.yml", OIDC.replace("name: A", "name: C").replace("branches: [main]", "branches: [dev]")),
        reused: 0,
        total: 3,
        changes: true,
      },
    ]);
  });

  it("workflow_run triggers are judged with the workflows they name", async () => {
    const RUN = `name: After
on:
  workflow_run:
    workflows: [Deploy]
    types: [completed]
permissions:
  id-token: write
jobs:
  go:
    runs-on: ubuntu-latest
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: arn:aws:iam::123456789012:role/after
          aws-region: us-east-1
`;
    const DEPLOY = `name: Deploy
on:
  push:
    branches: [main]
jobs:
  x:
    runs-on: ubuntu-latest
    steps:
      - run: echo deploy
`;
    const dir = tempRepo({ ".github/workflows/after.yml": RUN, ".github/workflows/c.yml": ALONE });
    await walk(dir, () => [
      { what: "nothing changed", change: () => {}, reused: 2, total: 2, changes: false },
      // The name the trigger waits for appears: the kept trigger's answer changes — linted again.
      { what: "the named workflow appears", change: () => writeFile(dir, ".github/workflows/deploy.yml", DEPLOY), reused: 0, total: 2, changes: true },
      // Now they are one group: editing the named workflow lints the trigger again too.
      { what: "the named workflow starts on pull requests", change: () => editFile(dir, ".github/workflows/deploy.yml", "push:\n    branches: [main]", "pull_request_target:"), reused: 1, total: 2, changes: true },
      { what: "the named workflow is renamed", change: () => editFile(dir, ".github/workflows/deploy.yml", "name: Deploy", "name: Ship"), reused: 1, total: 3, changes: true },
    ]);
  });
});

/** Every file under `dir` whose name matches, relative, sorted. */
function filesUnder(dir: string, re: RegExp): string[] {
  const out: string[] = [];
  const walkDir = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walkDir(p);
      else if (re.test(e.name)) out.push(path.relative(dir, p));
    }
  };
  walkDir(dir);
  return out.sort();
}

describe("test/realworld repositories, edited", () => {
  const HERE = path.resolve(__dirname, "..", "realworld");
  const repos = fs.readdirSync(HERE).filter((d) => fs.existsSync(path.join(HERE, d, ".github")));
  it("a workflow, a composite and the infrastructure code edited one after another: identical to a run without the cache", async () => {
    let partial = 0;
    for (const r of repos) {
      const dir = fs.mkdtempSync(path.join(cacheDir(), `${r}-`));
      fs.cpSync(path.join(HERE, r), dir, { recursive: true });
      const cache = cacheDir();
      const args = [".", "--format", "json"];
      await withCache(args, { cwd: dir }, cache);
      const workflows = filesUnder(path.join(dir, ".github", "workflows"), /\.ya?ml$/).map((f) => path.join(".github", "workflows", f));
      const actions = filesUnder(dir, /^action\.ya?ml$/);
      const tf = filesUnder(dir, /\.tf$/);
      // An edit that changes findings where it can (a pinned checkout becomes a branch), else a comment.
      const touch = (rel: string) => {
        const p = path.join(dir, rel);
        const text = fs.readFileSync(p, "utf8");
        fs.writeFileSync(p, /actions\/checkout@v\d+/.test(text) ? text.replace(/actions\/checkout@v\d+/, "actions/checkout@main") : `${text}\n# edited\n`);
      };
      for (const rel of [workflows[Math.floor(workflows.length / 2)], actions[0], tf[0]]) {
        if (rel === undefined) continue;
        touch(rel);
        const plain = await cli(args, { cwd: dir });
        const cached = await withCache(args, { cwd: dir }, cache);
        expect(cached.stdout, `${r}: ${rel} edited`).toBe(plain.stdout);
        expect(stderrOf(cached), `${r}: ${rel} edited`).toBe(plain.stderr);
        expect(cached.code).toBe(plain.code);
        const g = groupReuse(cached);
        if (g.reused > 0 && g.reused < g.total) partial++;
      }
    }
    // The edits above must exercise reuse of part of a repository, not only whole ones.
    expect(partial).toBeGreaterThan(10);
  }, 300_000);
});

describe("several repositories in one run", () => {
  it("an edit in one of them lints that workflow's group again; the rest of both is reused", async () => {
    const parent = cacheDir();
    for (const name of ["one", "two"]) {
      for (const [rel, text] of Object.entries({
        ".github/workflows/b.yml": USES_SHARED("B"),
        ".github/workflows/c.yml": ALONE,
        ".github/workflows/d.yml": ALONE.replace("name: C", "name: D"),
        ".github/actions/shared/action.yml": SHARED,
      })) {
        writeFile(path.join(parent, name), rel, text);
      }
      fs.mkdirSync(path.join(parent, name, ".git"));
    }
    const cache = cacheDir();
    const args = ["one", "two", "--format", "sarif"];
    await withCache(args, { cwd: parent }, cache);
    editFile(path.join(parent, "two"), ".github/workflows/d.yml", "checkout@v4", "checkout@main");
    const plain = await cli(args, { cwd: parent });
    const cached = await withCache(args, { cwd: parent }, cache);
    expect(cached.stdout).toBe(plain.stdout);
    expect(stderrOf(cached)).toBe(plain.stderr);
    expect(reuse(cached)).toEqual({ hits: 1, total: 2 });
    expect(groupReuse(cached)).toEqual({ reused: 5, total: 6 });
  });
});

describe("suppressions across groups", () => {
  it("an ignore-findings entry used by a reused group stays used; one whose finding goes away is reported", async () => {
    const dir = tempRepo({
      ".github/workflows/c.yml": ALONE.replace("checkout@v4", "checkout@main"),
      ".github/workflows/d.yml": ALONE.replace("name: C", "name: D"),
      ".credflow.yml": "ignore-findings:\n  - unpinned-ref:.github/workflows/c.yml:7\n",
    });
    const cache = cacheDir();
    const args = [".", "--format", "json", "--report-unused-suppressions"];
    const steps: Array<[string, () => void, { reused: number; total: number }]> = [
      ["cold", () => {}, { reused: 0, total: 2 }],
      // d's group is linted again; c's, which used the entry, is reused: the entry is still used.
      ["the other workflow is edited", () => editFile(dir, ".github/workflows/d.yml", "checkout@v4", "checkout@main"), { reused: 1, total: 2 }],
      // Now the entry hides nothing: unused-suppression reports it.
      ["the suppressed finding goes away", () => editFile(dir, ".github/workflows/c.yml", "checkout@main", "checkout@v4"), { reused: 1, total: 2 }],
    ];
    for (const [what, change, expected] of steps) {
      change();
      const plain = await cli(args, { cwd: dir });
      const cached = await withCache(args, { cwd: dir }, cache);
      expect(cached.stdout, what).toBe(plain.stdout);
      expect(stderrOf(cached), what).toBe(plain.stderr);
      expect(groupReuse(cached), what).toEqual(expected);
      const unused = (JSON.parse(plain.stdout) as { findings: Array<{ rule: string }> }).findings.filter((f) => f.rule === "unused-suppression").length;
      expect(unused, what).toBe(what === "the suppressed finding goes away" ? 1 : 0);
    }
  });
});
