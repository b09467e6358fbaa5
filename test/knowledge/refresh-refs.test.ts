import { execFile, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../../", import.meta.url));
const script = join(root, "scripts/refresh-refs.mjs");
const corpus = join(root, "../shared/corpus");
const mirrors = process.env.CREDFLOW_MIRRORS || "/work/.mirror";

/** Why the committed refs.json cannot be checked here (CI has no mirrors), or undefined. */
function mirrorsMissing(): string | undefined {
  // The table also covers every action of ../shared/data/action-tags.json: without it the script
  // computes a smaller table, which is not a sign that refs.json is stale.
  const tags = join(root, "../shared/data/action-tags.json");
  if (!existsSync(tags)) return `needs ${tags} (the actions the table covers besides the usage counts)`;
  if (!existsSync(mirrors)) return `no git mirrors at ${mirrors} (set CREDFLOW_MIRRORS)`;
  const res = spawnSync(process.execPath, [script, "--list"], { cwd: root, encoding: "utf8" });
  const m = /(\d+) missing\s*$/.exec(res.stdout ?? "");
  if (!m) return `refresh-refs.mjs --list failed: ${(res.stderr ?? "").trim().split("\n")[0]}`;
  return m[1] === "0" ? undefined : `${m[1]} mirrors missing under ${mirrors}`;
}
const missing = mirrorsMissing();
// The default reporter does not list skipped tests by name: say why once.
if (missing) console.warn(`refresh-refs.test: the refs.json freshness check is skipped: ${missing}`);
const hasGit = spawnSync("git", ["--version"]).status === 0;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "credflow-refs-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function git(cwd: string, args: string[], date = "2021-03-04T05:06:07Z"): string {
  const env = {
    ...process.env,
    GIT_AUTHOR_NAME: "t",
    GIT_AUTHOR_EMAIL: "t@example.com",
    GIT_COMMITTER_NAME: "t",
    GIT_COMMITTER_EMAIL: "t@example.com",
    GIT_AUTHOR_DATE: date,
    GIT_COMMITTER_DATE: date,
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_CONFIG_NOSYSTEM: "1",
  };
  const res = spawnSync("git", args, { cwd, env, encoding: "utf8" });
  if (res.status !== 0) throw new Error(`git ${args.join(" ")}: ${res.stderr}`);
  return res.stdout.trim();
}

describe("scripts/refresh-refs.mjs", () => {
  it.skipIf(!hasGit)("reads default branch, peeled tags, branches, dates and runtimes per path from a mirror", async () => {
    const work = join(dir, "work");
    mkdirSync(join(work, "sub"), { recursive: true });
    git(dir, ["init", "-q", "-b", "trunk", work]);
    writeFileSync(join(work, "action.yml"), "name: w\nruns:\n  using: 'Node12'\n  main: index.js\n");
    git(work, ["add", "."]);
    git(work, ["commit", "-q", "-m", "one"]);
    const one = git(work, ["rev-parse", "HEAD"]);
    git(work, ["tag", "-a", "-m", "release", "v1.0.0"]);
    git(work, ["tag", "v1"]);
    git(work, ["tag", "master"]); // a tag named like a branch
    git(work, ["tag", "@scope/pkg@1.0.0"]); // no `uses:` can name it
    writeFileSync(join(work, "action.yml"), "name: w\nruns:\n  using: node20\n  main: index.js\n");
    writeFileSync(join(work, "sub", "action.yaml"), "name: s\nruns:\n  using: composite\n  steps: []\n");
    git(work, ["add", "."]);
    git(work, ["commit", "-q", "-m", "two"], "2024-01-31T23:30:00-05:00");
    const two = git(work, ["rev-parse", "HEAD"]);
    git(work, ["tag", "v2.0.0"]);
    git(work, ["tag", "v2"]);
    git(work, ["branch", "v2"]); // both a tag and a branch
    git(work, ["branch", "dependabot/npm/x", one]);
    const mirrorRoot = join(dir, "mirrors");
    mkdirSync(mirrorRoot);
    git(dir, ["clone", "-q", "--bare", work, join(mirrorRoot, "Acme+Widget", "repo")]);

    const usage = join(dir, "usage.tsv");
    writeFileSync(usage, "# test\nacme/widget\t5\t.=3 sub=1 ./sub=1\ngone/repo\t3\t.=3\nrare/one\t2\t.=2\naws-actions/rare\t1\t.=1\n");
    const unavailable = join(dir, "unavailable.tsv");
    writeFileSync(unavailable, "# action\treason\ngone/repo\tno snapshot\n");
    const out = join(dir, "refs.json");
    const none = join(dir, "none");
    const base = ["--corpus", none, "--dataset", none, "--usage", usage, "--unavailable", unavailable, "--shared", none, "--mirrors", mirrorRoot, "--out", out];

    // aws-actions/* is always wanted: without its mirror the script names it and stops.
    await expect(run(process.execPath, [script, ...base])).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining("aws-actions/rare") });
    writeFileSync(unavailable, "# action\treason\ngone/repo\tno snapshot\naws-actions/rare\tnot fetched in this test\n");
    await run(process.execPath, [script, ...base]);
    const text = readFileSync(out, "utf8");
    expect(text.split("\n")).toHaveLength(6); // header, three actions, footer, final newline
    const table = JSON.parse(text);
    expect(Object.keys(table.actions)).toEqual(["acme/widget", "aws-actions/rare", "gone/repo"]);
    expect(table.actions["gone/repo"]).toEqual({ unavailable: "no snapshot" });
    const w = table.actions["acme/widget"];
    expect(Object.keys(w)).toEqual(["branches", "commits", "default", "paths", "tags"]);
    expect(w.default).toBe("trunk");
    expect(w.paths).toEqual([".", "sub"]);
    const sorted = [one, two].sort();
    const rowOf = { [one]: `${one} 2021-03-04 node12,-`, [two]: `${two} 2024-02-01 node20,composite` };
    expect(w.commits).toEqual(sorted.map((c) => rowOf[c]));
    const at = (c: string) => sorted.indexOf(c);
    expect(w.tags).toEqual({ master: at(one), v1: at(one), "v1.0.0": at(one), v2: at(two), "v2.0.0": at(two) });
    expect(Object.keys(w.tags)).toEqual(["master", "v1", "v1.0.0", "v2", "v2.0.0"]);
    expect(w.branches).toEqual({ "dependabot/npm/x": at(one), trunk: at(two), v2: at(two) });

    // The same mirrors give the same bytes; --check compares.
    await expect(run(process.execPath, [script, ...base, "--check"])).resolves.toBeDefined();
    writeFileSync(out, text.replace("trunk", "main"));
    await expect(run(process.execPath, [script, ...base, "--check"])).rejects.toMatchObject({ code: 1 });
  });

  it.skipIf(!existsSync(corpus))("the usage counts regenerate byte for byte from the corpus", async () => {
    const usage = join(dir, "usage.tsv");
    await run(process.execPath, [script, "--count", "--usage", usage], { cwd: root });
    expect(readFileSync(usage, "utf8")).toBe(readFileSync(join(root, "scripts/data/action-usage.tsv"), "utf8"));
  });

  it.skipIf(missing !== undefined)(`refs.json matches the mirrors (--check)${missing ? ` — skipped: ${missing}` : ""}`, async () => {
    await expect(run(process.execPath, [script, "--check"], { cwd: root, maxBuffer: 16 * 1024 * 1024 })).resolves.toBeDefined();
  });
});
