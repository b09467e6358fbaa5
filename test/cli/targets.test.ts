/**
 * Where credflow is pointed: a path inside a repository resolves to the repository (the nearest
 * folder holding `.git` or `.github`) and lints what lies under the path, following local actions
 * through the whole repository; no path is the current directory's repository; a path with
 * nothing to lint is exit code 2 with one line naming it and what credflow looks for.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { cli, cliProcess, type CliRun } from "../helpers/cli.js";
import { tempRepo } from "../helpers/temp-repo.js";

const EXAMPLES = path.resolve(__dirname, "..", "..", "examples");
const README = fs.readFileSync(path.resolve(__dirname, "..", "..", "README.md"), "utf8");
const NOTHING = /^credflow: (.+): nothing to lint here; credflow lints workflows \(\.github\/workflows\/\*\.yml\|yaml\), actions \(action\.yml\|yaml\) and the IAM trust policies in Terraform, CloudFormation and CDK output\n$/;

/** A local composite that calls another one, whose configure-aws-credentials@v4 is unpinned. */
const OUTER = "name: outer\ndescription: calls inner\nruns:\n  using: composite\n  steps:\n    - uses: ./.github/actions/inner\n";
/** A composite with its own unpinned step (line 7) besides the call to inner. */
const OUTER_PINNING = `${OUTER}    - uses: aws-actions/amazon-ecr-login@v2\n`;
const INNER =
  "name: inner\ndescription: assumes a role\nruns:\n  using: composite\n  steps:\n    - uses: aws-actions/configure-aws-credentials@v4\n      with:\n        role-to-assume: arn:aws:iam::123456789012:role/r\n        aws-region: us-east-1\n";

interface Row {
  /** Repository-relative path of the finding. */
  file: string;
  line: number;
  rule: string;
}

/** The findings of a JSON run, with paths made repository-relative (they are cwd-relative). */
function rows(r: CliRun, cwd: string, root: string): Row[] {
  expect(r.stderr, r.stderr).toBe("");
  const findings = (JSON.parse(r.stdout) as { findings: Array<{ rule: string; path: string; line: number }> }).findings;
  return findings
    .map((f) => ({ file: path.relative(root, path.resolve(cwd, f.path)).split(path.sep).join("/"), line: f.line, rule: f.rule }))
    .sort((a, b) => (a.file + a.line + a.rule < b.file + b.line + b.rule ? -1 : 1));
}

async function lintAt(cwd: string, args: string[]): Promise<CliRun> {
  return cli([...args, "--format", "json"], { cwd });
}

/** A copy of examples/ as a git checkout (a `.git` folder), with a source tree beside `.github`. */
function exampleRepo(extra: Record<string, string> = {}): string {
  const dir = tempRepo({ "src/deep/er/main.txt": "code\n", "README.md": "# repo\n", ...extra });
  fs.cpSync(EXAMPLES, dir, { recursive: true });
  fs.mkdirSync(path.join(dir, ".git"));
  return dir;
}

describe("a path inside a repository lints the repository's workflows", () => {
  let repo = "";
  let all: Row[] = [];

  beforeAll(async () => {
    repo = exampleRepo();
    const r = await lintAt(repo, ["."]);
    expect(r.code).toBe(1);
    all = rows(r, repo, repo);
    // The examples reach both composite actions and every workflow.
    expect(new Set(all.map((x) => x.file)).size).toBeGreaterThanOrEqual(6);
    expect(all.some((x) => x.file.startsWith(".github/actions/"))).toBe(true);
  });

  it("`credflow .github/workflows` (a workflow folder) finds what `credflow .` finds", async () => {
    const r = await lintAt(repo, [".github/workflows"]);
    expect(r.code).toBe(1);
    expect(rows(r, repo, repo)).toEqual(all);
  });

  it("`credflow .github` finds what `credflow .` finds", async () => {
    const r = await lintAt(repo, [".github"]);
    expect(r.code).toBe(1);
    expect(rows(r, repo, repo)).toEqual(all);
  });

  it("the workflow folder named from outside the repository", async () => {
    const outside = path.dirname(repo);
    const r = await lintAt(outside, [path.join(path.basename(repo), ".github", "workflows")]);
    expect(r.code).toBe(1);
    expect(rows(r, outside, repo)).toEqual(all);
  });

  it("run inside .github/workflows without a path: the whole repository, paths relative to there", async () => {
    const cwd = path.join(repo, ".github", "workflows");
    const r = await lintAt(cwd, []);
    expect(r.code).toBe(1);
    expect(rows(r, cwd, repo)).toEqual(all);
    expect(r.stdout).toContain('"path": "deploy.yml"');
    expect(r.stdout).toContain('"path": "../actions/deploy/action.yml"');
    // `.` there is the workflow folder: the same.
    expect(rows(await lintAt(cwd, ["."]), cwd, repo)).toEqual(all);
  });

  it("run deep inside the repository without a path: the whole repository", async () => {
    const cwd = path.join(repo, "src", "deep", "er");
    const r = await lintAt(cwd, []);
    expect(r.code).toBe(1);
    expect(rows(r, cwd, repo)).toEqual(all);
  });

  it("the repository's .credflow.yml applies wherever in it credflow is pointed", async () => {
    const configured = exampleRepo({ ".credflow.yml": "rules:\n  unpinned-ref: off\n" });
    const expected = all.filter((x) => x.rule !== "unpinned-ref");
    expect(expected.length).toBeLessThan(all.length);
    for (const [cwd, args] of [
      [configured, [".github/workflows"]],
      [configured, [".github"]],
      [path.join(configured, ".github", "workflows"), []],
      [path.join(configured, "src", "deep", "er"), []],
    ] as const) {
      expect(rows(await lintAt(cwd, [...args]), cwd, configured), `${cwd} ${args.join(" ")}`).toEqual(expected);
    }
  });

  it("the same directory twice, or a folder and its parent, is linted once", async () => {
    const r = await lintAt(repo, [".github", ".github/workflows", "."]);
    expect(r.code).toBe(1);
    expect(rows(r, repo, repo)).toEqual(all);
  });
});

describe("a path below the workflows lints the actions under it", () => {
  it("a folder holding one composite action: linted in its repository (root configuration, root-relative uses)", async () => {
    const repo = tempRepo({
      ".github/actions/outer/action.yml": OUTER_PINNING,
      ".github/actions/inner/action.yml": INNER,
      ".credflow.yml": "rules:\n  unpinned-ref: error\n",
    });
    fs.mkdirSync(path.join(repo, ".git"));
    const r = await lintAt(repo, [".github/actions/outer"]);
    expect(r.code).toBe(1);
    const expected = [{ file: ".github/actions/outer/action.yml", line: 7, rule: "unpinned-ref" }];
    expect(rows(r, repo, repo)).toEqual(expected);
    expect(r.stdout).toContain('"level": "error"');
    // From inside the action's folder, `.` is the same.
    const cwd = path.join(repo, ".github", "actions", "outer");
    expect(rows(await lintAt(cwd, ["."]), cwd, repo)).toEqual(expected);
  });

  it("a repository that is an action (action.yml at its root, no workflows): its actions are linted", async () => {
    const repo = tempRepo({ "action.yml": OUTER_PINNING, ".github/actions/inner/action.yml": INNER, "README.md": "# an action\n" });
    fs.mkdirSync(path.join(repo, ".git"));
    const r = await lintAt(repo, []);
    expect(r.code).toBe(1);
    expect(rows(r, repo, repo)).toEqual([
      { file: ".github/actions/inner/action.yml", line: 6, rule: "unpinned-ref" },
      { file: "action.yml", line: 7, rule: "unpinned-ref" },
    ]);
  });

  it("the search for actions does not enter node_modules, hidden folders or other repositories", async () => {
    const repo = tempRepo({
      "tools/lint/action.yml": INNER,
      "node_modules/some-package/action.yml": INNER,
      ".cache/action.yml": INNER,
      "vendor/other-repo/.github/CODEOWNERS": "* @someone\n",
      "vendor/other-repo/action.yml": INNER,
    });
    fs.mkdirSync(path.join(repo, ".git"));
    const r = await lintAt(repo, ["."]);
    expect(r.code).toBe(1);
    expect(rows(r, repo, repo).map((x) => x.file)).toEqual(["tools/lint/action.yml"]);
    // Named directly, the other repository is linted as itself.
    const other = await lintAt(repo, ["vendor/other-repo"]);
    expect(rows(other, repo, repo).map((x) => x.file)).toEqual(["vendor/other-repo/action.yml"]);
  });

  it("a folder holding .github inside a git checkout is a repository of its own (like examples/)", async () => {
    const outer = tempRepo({ "README.md": "# monorepo\n" });
    fs.mkdirSync(path.join(outer, ".git"));
    fs.cpSync(EXAMPLES, path.join(outer, "examples"), { recursive: true });
    const fromOuter = await lintAt(outer, ["examples/.github/workflows"]);
    expect(fromOuter.code).toBe(1);
    const inner = await lintAt(path.join(outer, "examples"), ["."]);
    expect(rows(fromOuter, outer, path.join(outer, "examples"))).toEqual(rows(inner, path.join(outer, "examples"), path.join(outer, "examples")));
  });
});

describe("a path with nothing to lint is exit code 2 and one line", () => {
  it("a folder of the repository without workflows or actions", async () => {
    const repo = exampleRepo();
    const r = await cli(["src"], { cwd: repo });
    expect(r).toMatchObject({ code: 2, stdout: "" });
    expect(r.stderr).toMatch(NOTHING);
    expect(NOTHING.exec(r.stderr)![1]).toBe("src");
  });

  it("`.` deep inside the repository, below any workflow or action", async () => {
    const repo = exampleRepo();
    const r = await cli(["."], { cwd: path.join(repo, "src", "deep") });
    expect(r.code).toBe(2);
    expect(NOTHING.exec(r.stderr)?.[1]).toBe(".");
  });

  it("a folder that is no repository at all, with or without a path", async () => {
    const dir = tempRepo({ "notes.txt": "nothing here\n", "config/settings.yml": "a: 1\n" });
    for (const args of [[], ["."], ["config"]]) {
      const r = await cli(args, { cwd: dir });
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr, args.join(" ")).toMatch(NOTHING);
    }
  });

  it("a repository whose .github/workflows is empty", async () => {
    const dir = tempRepo({ ".github/workflows/.gitkeep": "", ".github/dependabot.yml": "version: 2\n" });
    for (const args of [[], [".github/workflows"], [".github"]]) {
      const r = await cli(args, { cwd: dir });
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr, args.join(" ")).toMatch(NOTHING);
    }
  });

  it("as a process: exit code 2, one line on standard error, no stack trace", () => {
    const repo = exampleRepo();
    const r = cliProcess(["src"], { cwd: repo });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(NOTHING);
  });

  it("a path that does not exist is exit code 2 too", async () => {
    const repo = exampleRepo();
    const r = await cli(["no/such/dir"], { cwd: repo });
    expect(r).toEqual({ code: 2, stdout: "", stderr: "credflow: no/such/dir: no such file or directory\n" });
  });
});

describe("standard input belongs to the repository its name puts it in", () => {
  const CALLER = "on: push\npermissions:\n  id-token: write\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: ./.github/actions/outer\n";

  it("named relative to a deep current directory: the composite it calls is followed", async () => {
    const repo = tempRepo({ ".github/actions/outer/action.yml": OUTER, ".github/actions/inner/action.yml": INNER, "src/deep/x.txt": "" });
    fs.mkdirSync(path.join(repo, ".git"));
    const cwd = path.join(repo, "src", "deep");
    const r = await cli(["-", "--stdin-filename", "../../.github/workflows/ci.yml", "--format", "json"], { cwd, stdin: CALLER });
    expect(r.code, r.stderr).toBe(1);
    expect(rows(r, cwd, repo)).toEqual([{ file: ".github/actions/inner/action.yml", line: 6, rule: "unpinned-ref" }]);
  });

  it("from the root, and with the repository's configuration", async () => {
    const repo = tempRepo({
      ".github/actions/outer/action.yml": OUTER,
      ".github/actions/inner/action.yml": INNER,
      ".credflow.yml": "rules:\n  unpinned-ref: error\n",
    });
    const r = await cli(["-", "--stdin-filename", ".github/workflows/ci.yml", "--format", "json"], { cwd: repo, stdin: CALLER });
    expect(r.code, r.stderr).toBe(1);
    const findings = (JSON.parse(r.stdout) as { findings: Array<{ rule: string; level: string; path: string }> }).findings;
    expect(findings).toEqual([expect.objectContaining({ rule: "unpinned-ref", level: "error", path: ".github/actions/inner/action.yml" })]);
  });
});

describe("exit codes are documented", () => {
  it("in `credflow --help` and `credflow lint --help`", async () => {
    for (const args of [["--help"], ["lint", "--help"]]) {
      const r = await cli(args, { cwd: EXAMPLES });
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^Exit codes:$/m);
      for (const code of ["0", "1", "2"]) expect(r.stdout, code).toMatch(new RegExp(`^  ${code}  \\S`, "m"));
      expect(r.stdout).toContain("nothing\n     to lint");
    }
  });

  it("in the README, each code once, with what a path resolves to", () => {
    const section = /^Exit codes\b.*\n\n((?:\|.*\n)+)/m.exec(README)?.[1] ?? "";
    for (const code of ["0", "1", "2"]) expect(section, code).toMatch(new RegExp(`^\\| \`${code}\` \\|`, "m"));
    expect(section).toContain("nothing to lint");
    expect(README).toMatch(/nearest folder at or above it that holds `\.git` or `\.github`/);
  });
});
