/**
 * The cache is invalidated by every input of the lint: a repository is edited step by step (a
 * composite, a called workflow, files the lint only probed for, the configuration, a Terraform
 * trust policy) and linted after each step with the cache warm from the step before and without
 * it; the outputs must be identical, and each step that changes the findings must lint again.
 * Then the options and environment the lint reads, and the files that are not read.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { cli } from "../helpers/cli.js";
import { cacheDir, editFile, FORMATS, reuse, stderrOf, trustPolicyTf, withCache, writeFile } from "./helpers.js";
import { tempRepo } from "../helpers/temp-repo.js";

const CI = `name: ci
on:
  push:
    branches: [main]
permissions:
  id-token: write
  contents: read
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: ./.github/actions/login
      - uses: ./tools/docker
      - uses: ./vendor/sub/act
      - uses: ./.github/actions/later
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: arn:aws:iam::123456789012:role/deploy
          aws-region: us-east-1
  call:
    uses: ./.github/workflows/called.yml
`;

const LOGIN = `name: login
runs:
  using: composite
  steps:
    - uses: aws-actions/configure-aws-credentials@v4
      with:
        role-to-asume: arn:aws:iam::123456789012:role/login
        aws-region: us-east-1
`;

const CALLED = `on:
  workflow_call:
jobs:
  deploy:
    runs-on: ubuntu-latest
    permissions:
      id-token: write
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: arn:aws:iam::123456789012:role/called
          aws-regin: us-east-1
`;

const OTHER = `on: pull_request
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: echo hi
`;

function repo(): string {
  return tempRepo({
    ".github/workflows/ci.yml": CI,
    ".github/workflows/called.yml": CALLED,
    ".github/workflows/other.yml": OTHER,
    ".github/actions/login/action.yml": LOGIN,
    "infra/iam.tf": trustPolicyTf(),
  });
}

describe("the cache follows every file the lint read or looked for", () => {
  it("edits, additions and removals: each step lints again and matches a run without the cache", async () => {
    const dir = repo();
    const cache = cacheDir();
    const args = [".", "--format", "json", "--repository", "acme/app"];
    const steps: Array<[string, () => void]> = [
      ["nothing changed", () => {}],
      ["the composite action is edited", () => editFile(dir, ".github/actions/login/action.yml", "role-to-asume", "role-to-assume")],
      ["a Dockerfile appears where a missing action was looked for", () => writeFile(dir, "tools/docker/Dockerfile", "FROM alpine\n")],
      [".gitmodules appears and names the missing folder as a submodule", () => writeFile(dir, ".gitmodules", '[submodule "sub"]\n\tpath = vendor/sub\n\turl = https://github.com/acme/sub.git\n')],
      ["a composite that was missing is created", () => writeFile(dir, ".github/actions/later/action.yml", LOGIN.replace("role/login", "role/later"))],
      ["the called reusable workflow is edited", () => editFile(dir, ".github/workflows/called.yml", "aws-regin", "aws-region")],
      ["the Terraform trust policy is edited", () => editFile(dir, "infra/iam.tf", "refs/heads/main", "refs/heads/release")],
      [".credflow.yml appears", () => writeFile(dir, ".credflow.yml", "rules:\n  aws-unknown-input: off\n")],
      [".credflow.yml is edited", () => writeFile(dir, ".credflow.yml", "rules:\n  aws-unknown-input: error\n")],
      ["the Dockerfile is removed again", () => fs.rmSync(path.join(dir, "tools/docker/Dockerfile"))],
      ["a new Terraform file appears", () => writeFile(dir, "infra/more.tf", trustPolicyTf().replace(/"deploy"/g, '"called"').replace(/"github"/g, '"gh"').replace("github.arn", "gh.arn").replace("refs/heads/main", "refs/heads/release"))],
      ["a workflow is removed", () => fs.rmSync(path.join(dir, ".github/workflows/other.yml"))],
    ];
    let before: string | undefined;
    for (const [what, step] of steps) {
      step();
      const plain = await cli(args, { cwd: dir });
      const cached = await withCache(args, { cwd: dir }, cache);
      expect(cached.stdout, what).toBe(plain.stdout);
      expect(stderrOf(cached), what).toBe(plain.stderr);
      expect(cached.code, what).toBe(plain.code);
      if (before !== undefined && what !== "nothing changed" && what !== "a workflow is removed") {
        expect(plain.stdout, `${what}: the step changes the findings (else it proves nothing)`).not.toBe(before);
      }
      // The first run fills the cache; every later step changed something the lint read.
      if (before !== undefined) expect(reuse(cached), what).toEqual({ hits: 0, total: 1 });
      const again = await withCache(args, { cwd: dir }, cache);
      expect(again.stdout, `${what}, warm`).toBe(plain.stdout);
      expect(reuse(again), `${what}, warm`).toEqual({ hits: 1, total: 1 });
      before = plain.stdout;
    }
  });

  it("options and the environment the lint reads are part of the key", async () => {
    const dir = repo();
    const cache = cacheDir();
    const variants: Array<{ args: string[]; env?: NodeJS.ProcessEnv }> = [
      { args: [] },
      { args: [], env: { GITHUB_REPOSITORY: "acme/app" } },
      { args: [], env: { GITHUB_REPOSITORY: "acme/other" } },
      { args: ["--repository", "acme/app"] },
      { args: ["--repository", "acme/other"] },
      { args: ["--min-runner-version", "2.290.0"] },
      { args: ["--default-token-permissions", "restricted"] },
      { args: ["--default-token-permissions", "permissive"] },
      { args: ["--visibility", "public"] },
      { args: ["--report-unused-suppressions"] },
    ];
    const outputs = new Set<string>();
    for (const v of variants) {
      const args = [".", "--format", "json", ...v.args];
      const plain = await cli(args, { cwd: dir, env: v.env ?? {} });
      const cached = await withCache(args, { cwd: dir, env: v.env ?? {} }, cache);
      expect(cached.stdout, JSON.stringify(v)).toBe(plain.stdout);
      outputs.add(plain.stdout);
    }
    // The repository identity changes the trust findings: the variants are not all alike.
    expect(outputs.size).toBeGreaterThan(1);
    // Every variant again, now each from the cache.
    for (const v of variants) {
      const args = [".", "--format", "json", ...v.args];
      const plain = await cli(args, { cwd: dir, env: v.env ?? {} });
      const cached = await withCache(args, { cwd: dir, env: v.env ?? {} }, cacheDir());
      expect(cached.stdout).toBe(plain.stdout);
    }
  });

  it("a different working directory (paths are shown relative to it) lints again", async () => {
    const dir = repo();
    const cache = cacheDir();
    const a = await withCache([".", "--format", "json"], { cwd: dir }, cache);
    const b = await withCache([path.basename(dir), "--format", "json"], { cwd: path.dirname(dir) }, cache);
    const plainB = await cli([path.basename(dir), "--format", "json"], { cwd: path.dirname(dir) });
    expect(b.stdout).toBe(plainB.stdout);
    expect(b.stdout).not.toBe(a.stdout);
    expect(reuse(b)).toEqual({ hits: 0, total: 1 });
  });

  it("files the lint does not read do not invalidate it", async () => {
    const dir = repo();
    const cache = cacheDir();
    await withCache(["."], { cwd: dir }, cache);
    writeFile(dir, "README.md", "# app\n");
    writeFile(dir, "src/main.py", "print('hi')\n");
    const r = await withCache(["."], { cwd: dir }, cache);
    expect(reuse(r)).toEqual({ hits: 1, total: 1 });
  });

  it("a cache kept inside the repository (JSON, which the trust-policy walk reads) is not an input of itself", async () => {
    const dir = repo();
    const plain = await cli([".", "--format", "json", "--repository", "acme/app"], { cwd: dir });
    for (const location of ["lint-cache.json", "deploy/"]) {
      const args = [".", "--format", "json", "--repository", "acme/app", "--cache", "--cache-location", location, "--verbose"];
      const cold = await cli(args, { cwd: dir });
      const warm = await cli(args, { cwd: dir });
      const again = await cli(args, { cwd: dir });
      expect([cold.stdout, warm.stdout, again.stdout]).toEqual([plain.stdout, plain.stdout, plain.stdout]);
      expect([reuse(cold), reuse(warm), reuse(again)], location).toEqual([
        { hits: 0, total: 1 },
        { hits: 1, total: 1 },
        { hits: 1, total: 1 },
      ]);
    }
  });

  it("every format is identical with and without the cache, cold and warm", async () => {
    const dir = repo();
    for (const format of FORMATS) {
      const cache = cacheDir();
      const args = [".", "--format", format, "--repository", "acme/app"];
      const plain = await cli(args, { cwd: dir });
      for (const run of ["cold", "warm"]) {
        const r = await withCache(args, { cwd: dir }, cache);
        expect(r.stdout, `${format} ${run}`).toBe(plain.stdout);
        expect(r.code, `${format} ${run}`).toBe(plain.code);
      }
    }
  });
});
