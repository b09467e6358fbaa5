/** Runs the CLI three ways — without the cache, with a cold cache, with a warm one — and compares. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "vitest";
import { cli, type CliRun } from "../helpers/cli.js";

export const FORMATS = ["text", "concise", "json", "sarif", "rdjsonl", "github"] as const;

/** A fresh cache folder under the run's temporary directory (never the user's cache directory). */
export function cacheDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "credflow-cache-"));
}

/** The cache's `--verbose` line: repositories reused and in all. */
export function reuse(r: CliRun): { hits: number; total: number } | undefined {
  const m = /credflow: cache: (\d+) of (\d+) repositories reused/.exec(r.stderr);
  return m ? { hits: Number(m[1]), total: Number(m[2]) } : undefined;
}

/** The cache's `--verbose` count of groups of workflows: reused, and in all (the line must be there). */
export function groupReuse(r: CliRun): { reused: number; total: number } {
  const m = /repositories reused, (\d+) of (\d+) groups of workflows/.exec(r.stderr);
  expect(m, r.stderr).not.toBeNull();
  return { reused: Number(m![1]), total: Number(m![2]) };
}

/** Writes a file of a test repository, creating its folder. */
export function writeFile(dir: string, rel: string, text: string): void {
  fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  fs.writeFileSync(path.join(dir, rel), text);
}

/** Replaces the first `from` in a file of a test repository (which must hold it). */
export function editFile(dir: string, rel: string, from: string, to: string): void {
  const p = path.join(dir, rel);
  const text = fs.readFileSync(p, "utf8");
  expect(text).toContain(from);
  fs.writeFileSync(p, text.replace(from, to));
}

/** A Terraform OIDC provider and a role `deploy` that GitHub's tokens with subject `sub` may assume. */
export function trustPolicyTf(sub = "repo:acme/app:ref:refs/heads/main"): string {
  return `resource "aws_iam_openid_connect_provider" "github" {
  url            = "https://token.actions.githubusercontent.com"
  client_id_list = ["sts.amazonaws.com"]
}

resource "aws_iam_role" "deploy" {
  name = "deploy"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = aws_iam_openid_connect_provider.github.arn }
      Condition = {
        StringEquals = {
          "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com"
        }
        StringLike = {
          "token.actions.githubusercontent.com:sub" = "${sub}"
        }
      }
    }]
  })
}
`;
}

/** Standard error without the cache's own line. */
export function stderrOf(r: CliRun): string {
  return r.stderr.replace(/^credflow: cache: .*\n/m, "");
}

export async function withCache(args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv }, dir: string): Promise<CliRun> {
  return cli([...args, "--cache", "--cache-location", `${dir}${path.sep}`, "--verbose"], opts);
}

/** The output without a cache, then with a cold and a warm one: all three identical, the warm one reused. */
export async function threeWays(args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv }, dir = cacheDir()): Promise<CliRun> {
  const plain = await cli(args, opts);
  const cold = await withCache(args, opts, dir);
  const warm = await withCache(args, opts, dir);
  for (const [name, r] of [
    ["cold", cold],
    ["warm", warm],
  ] as const) {
    expect(r.stdout, `${name}: ${args.join(" ")} in ${opts.cwd}`).toBe(plain.stdout);
    expect(stderrOf(r), name).toBe(plain.stderr);
    expect(r.code, name).toBe(plain.code);
  }
  const w = reuse(warm);
  // A run that lints everything together (nested repositories, a spent budget) does not use it.
  if (w && w.total > 0) expect(w.hits, `warm run reuses every repository: ${warm.stderr}`).toBe(w.total);
  return plain;
}
