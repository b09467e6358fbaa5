/**
 * The pre-commit hooks (.pre-commit-hooks.yaml) installed and run by the real pre-commit (Debian's
 * package), the way a user's repository gets them: pre-commit clones this repository, installs it
 * with npm (`language: node`) and runs the `credflow` bin.
 *
 * pre-commit clones a commit, so the test snapshots the current working tree (tracked and
 * untracked files git does not ignore) into a temporary git repository, with dist/credflow.mjs
 * freshly built from these sources, and points pre-commit at that.
 *
 * The hooks run when a workflow, an action, `.credflow.yml` or infrastructure code is staged, and then lint the whole
 * repository (pass_filenames: false); a commit of anything else skips them. The last test installs
 * both hooks with `pre-commit install` from a local clone pinned by `rev: <full commit SHA>` and
 * makes real commits: a README alone (skipped), `.credflow.yml` alone, a workflow.
 */
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { buildBundle } from "../../scripts/build.mjs";

const ROOT = path.resolve(__dirname, "..", "..");
const FIXTURES = path.join(ROOT, "test", "fixtures-integration");
/** Bounds every pre-commit run (the first one installs the hook with npm). */
const RUN_TIMEOUT_MS = 4 * 60_000;
const TEST_TIMEOUT_MS = 5 * 60_000;

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "credflow-pre-commit-"));
/** pre-commit's own cache (hook environments), private to this test. */
const preCommitHome = path.join(scratch, "pre-commit-home");

let unavailable: string | undefined;
let hookRepo = "";
let hookRev = "";

function sh(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeout?: number } = {}): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { encoding: "utf8", cwd: opts.cwd, env: opts.env ?? process.env, timeout: opts.timeout ?? 60_000 });
}

function onPath(cmd: string): boolean {
  return sh("sh", ["-c", `command -v ${cmd}`]).status === 0;
}

/** Installs Debian's pre-commit when it is missing; returns why it cannot run, if it cannot. */
function ensurePreCommit(): string | undefined {
  for (const tool of ["git", "node", "npm"]) if (!onPath(tool)) return `${tool} is not on PATH`;
  if (onPath("pre-commit")) return undefined;
  if (!onPath("apt-get")) return "pre-commit is not installed and there is no apt-get to install it";
  if (process.getuid?.() !== 0) return "pre-commit is not installed and apt-get needs root";
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const install = () => sh("apt-get", ["install", "-y", "--no-install-recommends", "pre-commit"], { env, timeout: 180_000 });
  let res = install();
  if (res.status !== 0) {
    sh("apt-get", ["update"], { env, timeout: 180_000 });
    res = install();
  }
  if (res.status !== 0 || !onPath("pre-commit")) return `apt-get install pre-commit failed: ${(res.stderr || res.stdout || "").trim().split("\n").at(-1)}`;
  return undefined;
}

function git(cwd: string, ...args: string[]): string {
  const res = sh("git", ["-c", "user.name=credflow test", "-c", "user.email=test@credflow.invalid", "-c", "commit.gpgsign=false", ...args], { cwd, env: cleanEnv() });
  if (res.status !== 0) throw new Error(`git ${args.join(" ")} failed: ${res.stderr}`);
  return res.stdout;
}

/** The environment without anything that would point git at another repository. */
function cleanEnv(): NodeJS.ProcessEnv {
  // The hook runs `credflow --cache`: its cache goes to this test's folder, never the user's.
  const env: NodeJS.ProcessEnv = { ...process.env, PRE_COMMIT_HOME: preCommitHome, NO_COLOR: "1", XDG_CACHE_HOME: path.join(scratch, "xdg-cache") };
  for (const key of Object.keys(env)) if (/^GIT_(DIR|WORK_TREE|INDEX_FILE|OBJECT_DIRECTORY|COMMON_DIR)$/.test(key)) delete env[key];
  return env;
}

/** This working tree as a one-commit repository, with dist/ built from it. */
async function snapshotRepo(): Promise<{ dir: string; rev: string }> {
  const dir = path.join(scratch, "credflow");
  fs.mkdirSync(dir);
  const listed = sh("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: ROOT, env: cleanEnv() });
  if (listed.status !== 0) throw new Error(`git ls-files failed: ${listed.stderr}`);
  for (const rel of new Set(listed.stdout.split("\0").filter(Boolean))) {
    if (rel.startsWith("dist/")) continue;
    const src = path.join(ROOT, rel);
    const st = fs.lstatSync(src, { throwIfNoEntry: false });
    if (!st || !(st.isFile() || st.isSymbolicLink())) continue; // deleted in the working tree
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.cpSync(src, path.join(dir, rel), { verbatimSymlinks: true });
  }
  await buildBundle({ outdir: path.join(dir, "dist") });
  git(dir, "init", "-q");
  git(dir, "add", "-A");
  git(dir, "add", "-f", "dist/credflow.mjs", "dist/credflow-core.cjs"); // dist/ may still be in .gitignore
  git(dir, "commit", "-q", "--no-verify", "-m", "snapshot of the working tree");
  return { dir, rev: git(dir, "rev-parse", "HEAD").trim() };
}

let repoCount = 0;
/**
 * A JavaScript RegExp for a pattern in Python's verbose syntax (`(?x)`, which pre-commit's `files`
 * allows): unescaped whitespace and `#` comments are not part of the pattern. The hooks' pattern has
 * no character class holding a space or `#`, which verbose mode would keep.
 */
function fromVerbose(pattern: string): RegExp {
  if (!pattern.startsWith("(?x)")) return new RegExp(pattern);
  const body = pattern
    .slice(4)
    .split("\n")
    .map((line) => line.replace(/(^|[^\\])#.*$/, "$1"))
    .join("\n")
    .replace(/(?<!\\)\s+/g, "");
  return new RegExp(body);
}

/** A user's repository: a fixture with its files staged, as pre-commit sees them before a commit. */
function userRepo(fixture: string, extra: Record<string, string> = {}): string {
  const dir = path.join(scratch, `repo-${++repoCount}-${fixture}`);
  fs.cpSync(path.join(FIXTURES, fixture), dir, { recursive: true });
  for (const [rel, text] of Object.entries(extra)) fs.writeFileSync(path.join(dir, rel), text);
  git(dir, "init", "-q");
  git(dir, "add", "-A");
  return dir;
}

function preCommit(cwd: string, args: string[]): { code: number | null; out: string } {
  const res = sh("pre-commit", [...args], { cwd, env: cleanEnv(), timeout: RUN_TIMEOUT_MS });
  if (res.error) throw res.error;
  return { code: res.status, out: `${res.stdout}${res.stderr}` };
}

function tryRepo(cwd: string, hook: string, ...args: string[]) {
  return preCommit(cwd, ["try-repo", hookRepo, hook, "--color", "never", "--verbose", ...args]);
}

beforeAll(async () => {
  unavailable = ensurePreCommit();
  if (unavailable) return;
  ({ dir: hookRepo, rev: hookRev } = await snapshotRepo());
}, TEST_TIMEOUT_MS);

afterAll(() => {
  fs.rmSync(scratch, { recursive: true, force: true });
});

describe(".pre-commit-hooks.yaml", () => {
  const hooks = parseYaml(fs.readFileSync(path.join(ROOT, ".pre-commit-hooks.yaml"), "utf8")) as Array<Record<string, unknown>>;

  it("declares the credflow and credflow-fix hooks, which lint the whole repository", () => {
    expect(hooks.map((h) => h.id)).toEqual(["credflow", "credflow-fix"]);
    for (const h of hooks) {
      // No `types:` filter: Terraform files are not YAML; `files` decides alone.
      expect(h.types).toBeUndefined();
      expect(h).toMatchObject({ language: "node", require_serial: true, pass_filenames: false });
    }
    expect(hooks[0]!.entry).toBe("credflow --cache");
    expect(hooks[1]!.entry).toBe("credflow --fix");
  });

  it("selects workflows, action files, the configuration and infrastructure code, nothing else", () => {
    const files = fromVerbose(hooks[0]!.files as string); // pre-commit uses re.search
    for (const p of [
      ".github/workflows/ci.yml",
      ".github/workflows/ci.yaml",
      "action.yml",
      "action.yaml",
      ".github/actions/deploy/action.yml",
      "tools/lint/action.yaml",
      ".credflow.yml",
      ".credflow.yaml",
      "ci/.credflow.yml",
      "main.tf",
      "infra/modules/role/iam.tf",
      "terraform.tfvars",
      "env/prod.auto.tfvars",
      "template.yaml",
      "infra/roles.template.json",
      "stacks/github-oidc-template.yml",
      "cdk.out/AppStack.template.json",
      "cloudformation/roles.yaml",
      "deploy/cfn/oidc.json",
    ]) {
      expect(files.test(p), p).toBe(true);
    }
    for (const p of [
      ".github/dependabot.yml",
      ".github/workflows/old/ci.yml",
      "my-action.yml",
      "action.yml.orig",
      "docs/.github/workflows/ci.yml",
      "config.yml",
      "README.md",
      "credflow.yml",
      "my.credflow.yml",
      ".credflow.yml.bak",
      "main.tf.bak",
      "package.json",
      ".github/ISSUE_TEMPLATE/bug.yml",
      "roles.yaml",
    ]) {
      expect(files.test(p), p).toBe(false);
    }
    expect(hooks[1]!.files).toBe(hooks[0]!.files);
  });

  it("installs with a plain npm install: the bin is the committed bundle and nothing builds at install", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
      bin: Record<string, string>;
      files: string[];
      scripts: Record<string, string>;
    };
    expect(pkg.bin.credflow).toBe("dist/credflow.mjs");
    expect(pkg.files).toContain("dist");
    for (const script of ["preinstall", "install", "postinstall", "prepare", "prepack"]) expect(pkg.scripts[script], script).toBeUndefined();
  });
});

describe("pre-commit try-repo", () => {
  it(
    "fails on a bad workflow, reporting the problem inside the composite action it calls",
    (ctx) => {
      if (unavailable) return ctx.skip(unavailable);
      const repo = userRepo("failing");
      const res = tryRepo(repo, "credflow", "--all-files");
      expect(res.code, res.out).toBe(1);
      expect(res.out).toMatch(/^credflow\.+Failed$/m);
      expect(res.out).toMatch(/^ +--> \.github\/actions\/deploy\/action\.yml:13:9$/m);
      expect(res.out).toContain("[credential-env-shadowing]");
      expect(res.out).toMatch(/\d+ errors?, .* in \d+ files?/);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "given only the workflow, lints the repository: the problem in the composite action it calls is reported",
    (ctx) => {
      if (unavailable) return ctx.skip(unavailable);
      const repo = userRepo("failing");
      const res = tryRepo(repo, "credflow", "--files", ".github/workflows/deploy.yml");
      expect(res.code, res.out).toBe(1);
      expect(res.out).toMatch(/^ +--> \.github\/actions\/deploy\/action\.yml:13:9$/m);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "passes on a clean repository",
    (ctx) => {
      if (unavailable) return ctx.skip(unavailable);
      const repo = userRepo("clean");
      const res = tryRepo(repo, "credflow", "--all-files");
      expect(res.code, res.out).toBe(0);
      expect(res.out).toMatch(/^credflow\.+Passed$/m);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "credflow-fix rewrites the files it can fix and fails the commit",
    (ctx) => {
      if (unavailable) return ctx.skip(unavailable);
      const repo = userRepo("failing");
      const workflow = path.join(repo, ".github", "workflows", "deploy.yml");
      const before = fs.readFileSync(workflow, "utf8");
      const res = tryRepo(repo, "credflow-fix", "--all-files");
      expect(res.code, res.out).toBe(1);
      expect(res.out).toMatch(/files were modified by this hook/);
      const after = fs.readFileSync(workflow, "utf8");
      expect(after).not.toBe(before);
      expect(after).toMatch(/aws-actions\/configure-aws-credentials@[0-9a-f]{40}/);
      // What --fix cannot fix is still reported.
      expect(res.out).toContain("[credential-env-shadowing]");
    },
    TEST_TIMEOUT_MS,
  );
});

describe("the .pre-commit-config.yaml snippet in docs/integrations.md", () => {
  const docs = fs.readFileSync(path.join(ROOT, "docs", "integrations.md"), "utf8");
  const snippet = /<!-- snippet: pre-commit-config -->\n```yaml\n([\s\S]*?)```/.exec(docs)?.[1];

  /** The snippet pointed at the snapshot instead of the published repository. */
  function localConfig(): string {
    const config = parseYaml(snippet!) as { repos: Array<{ repo: string; rev: string }> };
    expect(config.repos[0]!.repo).toBe("https://github.com/credflow/credflow");
    return snippet!.replace(config.repos[0]!.repo, hookRepo).replace(/rev: .*/, `rev: ${hookRev}`);
  }

  it("is there", () => {
    expect(snippet).toBeDefined();
  });

  it(
    "works with pre-commit run: fails on the bad repository, passes on the clean one",
    (ctx) => {
      if (unavailable) return ctx.skip(unavailable);
      const bad = userRepo("failing", { ".pre-commit-config.yaml": localConfig() });
      const failed = preCommit(bad, ["run", "--all-files", "--color", "never"]);
      expect(failed.code, failed.out).toBe(1);
      expect(failed.out).toContain("[credential-env-shadowing]");
      const clean = userRepo("clean", { ".pre-commit-config.yaml": localConfig() });
      const passed = preCommit(clean, ["run", "--all-files", "--color", "never"]);
      expect(passed.code, passed.out).toBe(0);
      expect(passed.out).toMatch(/^credflow\.+Passed$/m);
    },
    TEST_TIMEOUT_MS,
  );
});

describe("both hooks installed from a local clone at a full commit SHA, on real commits", () => {
  /** The user's clone of credflow, as `repo:` in .pre-commit-config.yaml. */
  let clone = "";
  let sha = "";

  beforeAll(() => {
    if (unavailable) return;
    clone = path.join(scratch, "credflow-clone");
    git(scratch, "clone", "-q", hookRepo, clone);
    sha = git(clone, "rev-parse", "HEAD").trim();
  });

  /** A committed repository (the fixture, committed without hooks) with both hooks installed. */
  function installed(fixture: string): string {
    const config = ["repos:", `  - repo: ${clone}`, `    rev: ${sha}`, "    hooks:", "      - id: credflow", "      - id: credflow-fix", ""].join("\n");
    const repo = userRepo(fixture, { ".pre-commit-config.yaml": config, "README.md": "# project\n" });
    git(repo, "commit", "-q", "--no-verify", "-m", "initial");
    const res = preCommit(repo, ["install"]);
    expect(res.code, res.out).toBe(0);
    return repo;
  }

  /** `git commit` as a user types it: the installed hook runs pre-commit. */
  function commit(repo: string, message: string): { code: number | null; out: string } {
    const res = sh("git", ["-c", "user.name=credflow test", "-c", "user.email=test@credflow.invalid", "-c", "commit.gpgsign=false", "commit", "-m", message], {
      cwd: repo,
      env: cleanEnv(),
      timeout: RUN_TIMEOUT_MS,
    });
    if (res.error) throw res.error;
    return { code: res.status, out: `${res.stdout}${res.stderr}` };
  }

  const commits = (repo: string) => Number(git(repo, "rev-list", "--count", "HEAD").trim());

  it(
    "rev is the full SHA of the clone's commit",
    (ctx) => {
      if (unavailable) return ctx.skip(unavailable);
      expect(sha).toMatch(/^[0-9a-f]{40}$/);
      expect(sha).toBe(hookRev);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "a commit that touches only a README skips both hooks and goes through",
    (ctx) => {
      if (unavailable) return ctx.skip(unavailable);
      const repo = installed("failing");
      fs.appendFileSync(path.join(repo, "README.md"), "More words.\n");
      git(repo, "add", "README.md");
      const res = commit(repo, "docs only");
      expect(res.code, res.out).toBe(0);
      expect(res.out).toMatch(/^credflow\.+\(no files to check\)Skipped$/m);
      expect(res.out).toMatch(/^credflow \(apply safe fixes\)\.+\(no files to check\)Skipped$/m);
      expect(commits(repo)).toBe(2);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "a commit of Terraform alone runs the hooks: a trust policy decides whether the workflows' role assumptions work",
    (ctx) => {
      if (unavailable) return ctx.skip(unavailable);
      const repo = installed("failing");
      fs.mkdirSync(path.join(repo, "infra"), { recursive: true });
      fs.writeFileSync(path.join(repo, "infra", "iam.tf"), 'resource "aws_s3_bucket" "logs" {\n  bucket = "logs"\n}\n');
      git(repo, "add", "infra/iam.tf");
      const res = commit(repo, "infrastructure");
      expect(res.code, res.out).toBe(1);
      expect(res.out).toMatch(/^credflow\.+Failed$/m);
      expect(res.out).not.toMatch(/\(no files to check\)Skipped/);
      expect(commits(repo)).toBe(1);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "a commit of .credflow.yml alone runs both hooks on the repository, and its findings stop the commit",
    (ctx) => {
      if (unavailable) return ctx.skip(unavailable);
      const repo = installed("failing");
      fs.writeFileSync(path.join(repo, ".credflow.yml"), "rules:\n  unpinned-ref: off\n");
      git(repo, "add", ".credflow.yml");
      const res = commit(repo, "configure credflow");
      expect(res.code, res.out).toBe(1);
      expect(res.out).toMatch(/^credflow\.+Failed$/m);
      // The configuration applies (no unpinned-ref), and is not itself linted as a workflow.
      expect(res.out).toMatch(/^ +--> \.github\/actions\/deploy\/action\.yml:13:9$/m);
      expect(res.out).not.toContain("[unpinned-ref]");
      expect(res.out).not.toMatch(/\.credflow\.yml:\d+:\d+:/);
      expect(commits(repo)).toBe(1);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "a commit of a workflow: credflow reports, credflow-fix pins and fails the commit so the fix can be reviewed",
    (ctx) => {
      if (unavailable) return ctx.skip(unavailable);
      const repo = installed("failing");
      const workflow = path.join(repo, ".github", "workflows", "deploy.yml");
      fs.appendFileSync(workflow, "# touched\n");
      git(repo, "add", ".github/workflows/deploy.yml");
      const res = commit(repo, "touch the workflow");
      expect(res.code, res.out).toBe(1);
      expect(res.out).toMatch(/^credflow\.+Failed$/m);
      expect(res.out).toMatch(/^credflow \(apply safe fixes\)\.+Failed$/m);
      expect(res.out).toMatch(/files were modified by this hook/);
      expect(fs.readFileSync(workflow, "utf8")).toMatch(/aws-actions\/configure-aws-credentials@[0-9a-f]{40}/);
      expect(commits(repo)).toBe(1);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "a commit of a clean workflow passes both hooks",
    (ctx) => {
      if (unavailable) return ctx.skip(unavailable);
      const repo = installed("clean");
      const workflows = path.join(repo, ".github", "workflows");
      const name = fs.readdirSync(workflows)[0]!;
      fs.appendFileSync(path.join(workflows, name), "# touched\n");
      git(repo, "add", "-A");
      const res = commit(repo, "touch the clean workflow");
      expect(res.code, res.out).toBe(0);
      expect(res.out).toMatch(/^credflow\.+Passed$/m);
      expect(res.out).toMatch(/^credflow \(apply safe fixes\)\.+Passed$/m);
      expect(commits(repo)).toBe(2);
    },
    TEST_TIMEOUT_MS,
  );
});
