/**
 * Random edits, seeded: a repository with composites, a reusable workflow, `workflow_run` chains,
 * OIDC jobs and a Terraform trust policy goes through a long sequence of edits (workflows added,
 * removed, renamed, re-pointed at composites and at each other, composites and the policy edited).
 * After every step the output with the warm cache must be the output without it, and the run
 * after that must answer everything from the cache with the same output.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { cli } from "../helpers/cli.js";
import { tempRepo } from "../helpers/temp-repo.js";
import { cacheDir, groupReuse, reuse, stderrOf, trustPolicyTf, withCache, writeFile } from "./helpers.js";

/** A small deterministic generator (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NAMES = ["Build", "Deploy", "Release", "Nightly", "Docs"];
const TRIGGERS = ["push:\n    branches: [main]", "pull_request_target:", "workflow_dispatch:", "schedule:\n    - cron: '0 0 * * *'"];

interface Spec {
  name: string;
  trigger: string;
  runAfter?: string;
  composite?: number;
  oidc?: boolean;
  callsReusable?: boolean;
  ref: "v4" | "main";
}

function workflow(s: Spec): string {
  const on = s.runAfter ? `workflow_run:\n    workflows: [${s.runAfter}]\n    types: [completed]` : s.trigger;
  const steps = [`      - uses: actions/checkout@${s.ref}`];
  if (s.composite !== undefined) steps.push(`      - uses: ./.github/actions/shared${s.composite}`);
  if (s.oidc) steps.push("      - uses: aws-actions/configure-aws-credentials@v4\n        with:\n          role-to-assume: arn:aws:iam::123456789012:role/deploy\n          aws-region: us-east-1");
  const call = s.callsReusable ? "\n  call:\n    uses: ./.github/workflows/reusable.yml\n    secrets: inherit" : "";
  return `name: ${s.name}\non:\n  ${on}\npermissions:\n  id-token: write\n  contents: read\njobs:\n  work:\n    runs-on: ubuntu-latest\n    steps:\n${steps.join("\n")}${call}\n`;
}

const composite = (i: number, variant: number) => `name: shared${i}
runs:
  using: composite
  steps:
    - uses: aws-actions/configure-aws-credentials@v${variant % 2 === 0 ? 4 : 2}
      with:
        role-to-assume: arn:aws:iam::123456789012:role/deploy
        aws-regin: us-east-1
`;

const REUSABLE = (variant: number) => `on:
  workflow_call:
jobs:
  inner:
    runs-on: ubuntu-latest
    permissions:
      id-token: ${variant % 2 === 0 ? "write" : "read"}
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: arn:aws:iam::123456789012:role/deploy
          aws-region: us-east-1
`;

async function walk(seed: number, steps: number, withTrust: boolean): Promise<{ partial: number }> {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const specs = new Map<string, Spec>();
  const randomSpec = (): Spec => {
    const s: Spec = { name: pick(NAMES), trigger: pick(TRIGGERS), ref: r() < 0.5 ? "v4" : "main" };
    if (r() < 0.3) s.runAfter = pick(NAMES);
    if (r() < 0.5) s.composite = Math.floor(r() * 3);
    if (r() < 0.4) s.oidc = true;
    if (r() < 0.2) s.callsReusable = true;
    return s;
  };
  const files: Record<string, string> = {
    ".github/workflows/reusable.yml": REUSABLE(0),
    ".github/actions/shared0/action.yml": composite(0, 0),
    ".github/actions/shared1/action.yml": composite(1, 0),
    ".github/actions/shared2/action.yml": composite(2, 0),
  };
  if (withTrust) files["infra/iam.tf"] = trustPolicyTf();
  for (let i = 0; i < 6; i++) {
    const s = randomSpec();
    specs.set(`w${i}.yml`, s);
    files[`.github/workflows/w${i}.yml`] = workflow(s);
  }
  const dir = tempRepo(files);
  const put = (rel: string, text: string) => writeFile(dir, rel, text);
  const cache = cacheDir();
  const args = [".", "--format", "json", "--repository", "acme/app"];
  await withCache(args, { cwd: dir }, cache);
  let next = 6;
  let partial = 0;
  const log: string[] = [];
  for (let step = 0; step < steps; step++) {
    const op = r();
    const names = [...specs.keys()];
    if (op < 0.35 && names.length > 0) {
      const f = pick(names);
      const s = specs.get(f)!;
      const field = pick(["ref", "name", "trigger", "runAfter", "composite", "oidc", "callsReusable"] as const);
      if (field === "ref") s.ref = s.ref === "v4" ? "main" : "v4";
      else if (field === "name") s.name = pick(NAMES);
      else if (field === "trigger") s.trigger = pick(TRIGGERS);
      else if (field === "runAfter") s.runAfter = s.runAfter ? undefined : pick(NAMES);
      else if (field === "composite") s.composite = s.composite === undefined ? Math.floor(r() * 3) : undefined;
      else if (field === "oidc") s.oidc = !s.oidc;
      else s.callsReusable = !s.callsReusable;
      put(`.github/workflows/${f}`, workflow(s));
      log.push(`${f}: ${field}`);
    } else if (op < 0.5) {
      const f = `w${next++}.yml`;
      const s = randomSpec();
      specs.set(f, s);
      put(`.github/workflows/${f}`, workflow(s));
      log.push(`${f} added`);
    } else if (op < 0.6 && names.length > 1) {
      const f = pick(names);
      specs.delete(f);
      fs.rmSync(path.join(dir, ".github", "workflows", f));
      log.push(`${f} removed`);
    } else if (op < 0.75) {
      const i = Math.floor(r() * 3);
      put(`.github/actions/shared${i}/action.yml`, composite(i, Math.floor(r() * 4)));
      log.push(`shared${i} edited`);
    } else if (op < 0.85) {
      put(".github/workflows/reusable.yml", REUSABLE(Math.floor(r() * 4)));
      log.push("reusable edited");
    } else if (withTrust) {
      put("infra/iam.tf", trustPolicyTf(pick(["repo:acme/app:ref:refs/heads/main", "repo:acme/app:*", "repo:acme/other:ref:refs/heads/main", "repo:acme/app:environment:prod"])));
      log.push("trust policy edited");
    } else {
      log.push("nothing");
    }
    const what = `seed ${seed}, step ${step}: ${log.join("; ")}`;
    const plain = await cli(args, { cwd: dir });
    const cached = await withCache(args, { cwd: dir }, cache);
    expect(cached.stdout, what).toBe(plain.stdout);
    expect(stderrOf(cached), what).toBe(plain.stderr);
    expect(cached.code, what).toBe(plain.code);
    const g = groupReuse(cached);
    if (g.reused > 0 && g.reused < g.total) partial++;
    const again = await withCache(args, { cwd: dir }, cache);
    expect(again.stdout, `${what}, warm`).toBe(plain.stdout);
    expect(reuse(again), `${what}, warm`).toEqual({ hits: 1, total: 1 });
  }
  return { partial };
}

describe("random edits with the cache: identical to runs without it", () => {
  it("with a Terraform trust policy in the repository", async () => {
    let partial = 0;
    for (const seed of [1, 2, 3]) partial += (await walk(seed, 40, true)).partial;
    // The walk must exercise reusing part of the repository, not only all or nothing.
    expect(partial).toBeGreaterThan(5);
  }, 120_000);
  it("without one", async () => {
    let partial = 0;
    for (const seed of [4, 5, 6]) partial += (await walk(seed, 40, false)).partial;
    expect(partial).toBeGreaterThan(20);
  }, 120_000);
});
