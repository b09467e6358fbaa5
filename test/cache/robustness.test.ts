/**
 * Where the cache lives, and a cache that cannot be trusted or written: a corrupt, foreign,
 * other-format or oversized file is ignored with exactly one line and the result is still right; a
 * foreign file is never overwritten; an unwritable location costs one line and nothing else. The
 * cache is not used with --fix, --diff, --online or standard input.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { BUNDLE, cli } from "../helpers/cli.js";
import { tempRepo } from "../helpers/temp-repo.js";
import { cacheFileFor, CACHE_FORMAT, MAX_CACHE_BYTES } from "../../src/cache/store.js";
import { cacheDir, reuse, stderrOf } from "./helpers.js";

const WORKFLOW = `on: push
permissions:
  id-token: write
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-asume: arn:aws:iam::123456789012:role/deploy
          aws-region: us-east-1
`;

function repo(): string {
  return tempRepo({ ".github/workflows/deploy.yml": WORKFLOW });
}

const cacheArgs = (file: string) => [".", "--format", "json", "--cache", "--cache-location", file, "--verbose"];

describe("where the cache lives", () => {
  it("defaults to credflow/lint/ in the user cache directory, one file per set of repositories", () => {
    const env = { XDG_CACHE_HOME: "/home/u/.xdg" };
    const a = cacheFileFor({ cwd: "/w", env, roots: ["/w/repo"] })!;
    expect(a).toMatch(/^\/home\/u\/\.xdg\/credflow\/lint\/[0-9a-f]{24}\.json$/);
    expect(cacheFileFor({ cwd: "/w", env, roots: ["/w/repo"] })).toBe(a);
    expect(cacheFileFor({ cwd: "/w", env, roots: ["/w/other"] })).not.toBe(a);
    expect(cacheFileFor({ cwd: "/w", env, roots: ["/w/repo", "/w/other"] })).toBe(cacheFileFor({ cwd: "/w", env, roots: ["/w/other", "/w/repo"] }));
    expect(cacheFileFor({ cwd: "/w", env: { HOME: "/home/u" }, roots: ["/w/repo"] })).toMatch(/^\/home\/u\/(\.cache|Library\/Caches)\/credflow\/lint\//);
  });

  it("--cache-location names a file, or a folder (existing, or written with a trailing separator)", () => {
    const dir = cacheDir();
    expect(cacheFileFor({ location: "c.json", cwd: dir, env: {}, roots: ["/r"] })).toBe(path.join(dir, "c.json"));
    expect(cacheFileFor({ location: dir, cwd: "/", env: {}, roots: ["/r"] })).toMatch(new RegExp(`^${dir}/[0-9a-f]{24}\\.json$`));
    expect(cacheFileFor({ location: "new/", cwd: dir, env: {}, roots: ["/r"] })).toMatch(new RegExp(`^${dir}/new/[0-9a-f]{24}\\.json$`));
  });

  it("the default location is never inside the repository, and the CLI writes there", async () => {
    const dir = repo();
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "credflow-home-"));
    const r = await cli([".", "--cache", "--verbose"], { cwd: dir, env: { XDG_CACHE_HOME: home } });
    expect(r.stderr).toContain(`(${path.join(home, "credflow", "lint")}`);
    expect(fs.readdirSync(path.join(home, "credflow", "lint"))).toHaveLength(1);
    expect(fs.readdirSync(dir).sort()).toEqual([".github"]);
  });
});

describe("a cache that is not trusted", () => {
  async function ignored(content: string | Buffer, reason: RegExp, opts: { overwritten: boolean }) {
    const dir = repo();
    const file = path.join(cacheDir(), "cache.json");
    const plain = await cli([".", "--format", "json"], { cwd: dir });
    fs.writeFileSync(file, content);
    const r = await cli(cacheArgs(file), { cwd: dir });
    expect(r.stdout).toBe(plain.stdout);
    expect(r.code).toBe(plain.code);
    const lines = stderrOf(r).split("\n").filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^credflow: ignoring cache ${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: ${reason.source}`));
    expect(reuse(r)).toEqual({ hits: 0, total: 1 });
    if (opts.overwritten) {
      // Replaced by a good one: the next run uses it and says nothing more.
      const again = await cli(cacheArgs(file), { cwd: dir });
      expect(stderrOf(again)).toBe("");
      expect(reuse(again)).toEqual({ hits: 1, total: 1 });
      expect(again.stdout).toBe(plain.stdout);
    } else {
      expect(fs.readFileSync(file)).toEqual(Buffer.isBuffer(content) ? content : Buffer.from(content));
    }
  }

  it("another tool's file: ignored and left alone", () => ignored('{"some":"other tool"}\n', /not a credflow lint cache/, { overwritten: false }));
  it("text that is not JSON: ignored and left alone", () => ignored("hello\n", /not a credflow lint cache/, { overwritten: false }));
  it("a truncated cache of ours: ignored, then replaced", () => ignored(`{"tool":"credflow-lint-cache","format":${CACHE_FORMAT},"entries":{"x":{"ke`, /corrupt \(not valid JSON\)/, { overwritten: true }));
  it("another cache format: ignored, then replaced", () => ignored(`{"tool":"credflow-lint-cache","format":999,"entries":{}}`, /written in another cache format/, { overwritten: true }));
  it("a malformed entry: ignored, then replaced", () =>
    ignored(`{"tool":"credflow-lint-cache","format":${CACHE_FORMAT},"entries":{"x":{"key":"k","walks":"w","looks":[],"outcome":{"findings":"nope"}}}}`, /corrupt \(a malformed entry\)/, { overwritten: true }));

  it("a tampered entry whose findings are not findings: the file is ignored", async () => {
    const dir = repo();
    const file = path.join(cacheDir(), "cache.json");
    await cli(cacheArgs(file), { cwd: dir });
    const data = JSON.parse(fs.readFileSync(file, "utf8"));
    const entry = Object.values(data.entries)[0] as { packed: { findings: unknown[][]; strings: string[] } };
    // An index past the string table.
    entry.packed.findings[0]![2] = entry.packed.strings.length;
    fs.writeFileSync(file, JSON.stringify(data));
    const r = await cli(cacheArgs(file), { cwd: dir });
    expect(stderrOf(r)).toMatch(/^credflow: ignoring cache .*: corrupt \(a malformed entry\)\n$/);
    expect(r.stdout).toBe((await cli([".", "--format", "json"], { cwd: dir })).stdout);
  });

  it(`a file larger than ${MAX_CACHE_BYTES / 1024 / 1024} MB is not read`, async () => {
    const dir = repo();
    const file = path.join(cacheDir(), "cache.json");
    const plain = await cli([".", "--format", "json"], { cwd: dir });
    // Sparse: no 64 MB written to the disk.
    fs.writeFileSync(file, "");
    fs.truncateSync(file, MAX_CACHE_BYTES + 1);
    const r = await cli(cacheArgs(file), { cwd: dir });
    expect(r.stdout).toBe(plain.stdout);
    expect(stderrOf(r)).toBe(`credflow: ignoring cache ${file}: larger than 64 MB\n`);
    expect(fs.statSync(file).size).toBe(MAX_CACHE_BYTES + 1);
  });

  it("a folder where the file should be: one line", async () => {
    const dir = repo();
    const loc = cacheDir();
    const file = cacheFileFor({ location: `${loc}/`, cwd: dir, env: {}, roots: [dir] })!;
    fs.mkdirSync(path.join(file, "x"), { recursive: true });
    const plain = await cli([".", "--format", "json"], { cwd: dir });
    const r = await cli([".", "--format", "json", "--cache", "--cache-location", `${loc}/`], { cwd: dir });
    expect(r.stderr).toBe(`credflow: ignoring cache ${file}: not a regular file\n`);
    expect(r.stdout).toBe(plain.stdout);
    expect(r.code).toBe(plain.code);
    expect(r.stderr.split("\n").filter(Boolean)).toHaveLength(1);
  });
});

describe("an unwritable location", () => {
  it.skipIf(process.getuid?.() === 0)("one line; the lint's result and exit code are unchanged", async () => {
    const dir = repo();
    const ro = cacheDir();
    fs.chmodSync(ro, 0o500);
    const plain = await cli([".", "--format", "json"], { cwd: dir });
    const r = await cli([".", "--format", "json", "--cache", "--cache-location", path.join(ro, "sub", "cache.json")], { cwd: dir });
    expect(r.stdout).toBe(plain.stdout);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^credflow: cannot write cache .*: cannot write it \(EACCES\)\n$/);
    fs.chmodSync(ro, 0o700);
  });

  it("a location below a regular file: one line; the lint's result and exit code are unchanged", async () => {
    const dir = repo();
    const blocker = path.join(cacheDir(), "file");
    fs.writeFileSync(blocker, "x");
    const plain = await cli([".", "--format", "json"], { cwd: dir });
    const r = await cli([".", "--format", "json", "--cache", "--cache-location", path.join(blocker, "cache.json")], { cwd: dir });
    expect(r.stdout).toBe(plain.stdout);
    expect(r.code).toBe(1);
    expect(r.stderr.split("\n").filter(Boolean)).toHaveLength(1);
    expect(r.stderr).toMatch(/^credflow: (cannot write cache|ignoring cache) /);
  });

  it("the write is atomic: no temporary file is left, the file is only the user's", async () => {
    const dir = repo();
    const loc = cacheDir();
    await cli([".", "--cache", "--cache-location", `${loc}/`], { cwd: dir });
    const names = fs.readdirSync(loc);
    expect(names).toHaveLength(1);
    expect(names[0]).toMatch(/^[0-9a-f]{24}\.json$/);
    expect(fs.statSync(path.join(loc, names[0]!)).mode & 0o077).toBe(0);
  });
});

describe("runs that do not use the cache", () => {
  it("--fix, --diff, standard input: nothing is read or written", async () => {
    for (const args of [["--fix"], ["--diff"], ["--diff", "--unsafe-fixes"]]) {
      const dir = repo();
      const loc = cacheDir();
      await cli([".", ...args, "--cache", "--cache-location", `${loc}/`], { cwd: dir });
      expect(fs.readdirSync(loc), args.join(" ")).toEqual([]);
    }
    const loc = cacheDir();
    const stdinArgs = ["-", "--stdin-filename", ".github/workflows/x.yml", "--format", "json"];
    const r = await cli([...stdinArgs, "--cache", "--cache-location", `${loc}/`], { cwd: repo(), stdin: WORKFLOW });
    expect(r.stdout).toBe((await cli(stdinArgs, { cwd: repo(), stdin: WORKFLOW })).stdout);
    expect(fs.readdirSync(loc)).toEqual([]);
  });

  it("--fix with --cache fixes as without it", async () => {
    const a = repo();
    const b = repo();
    await cli([".", "--fix"], { cwd: a });
    await cli([".", "--fix", "--cache", "--cache-location", `${cacheDir()}/`], { cwd: b });
    expect(fs.readFileSync(path.join(b, ".github/workflows/deploy.yml"), "utf8")).toBe(fs.readFileSync(path.join(a, ".github/workflows/deploy.yml"), "utf8"));
    expect(fs.readFileSync(path.join(a, ".github/workflows/deploy.yml"), "utf8")).toContain("role-to-assume");
  });
});

describe("the bundle's identity", () => {
  it("a changed bundle (size or modification time) does not reuse the results of the one before", () => {
    const dist = fs.mkdtempSync(path.join(cacheDir(), "dist-"));
    for (const f of ["credflow.mjs", "credflow-core.cjs"]) fs.copyFileSync(path.join(path.dirname(BUNDLE), f), path.join(dist, f));
    const dir = repo();
    const file = path.join(cacheDir(), "cache.json");
    const run = () => spawnSync(process.execPath, [path.join(dist, "credflow.mjs"), ...cacheArgs(file)], { cwd: dir, encoding: "utf8", env: { ...process.env, CREDFLOW_NO_COMPILE_CACHE: "1" } });
    const hits = (r: ReturnType<typeof run>) => /cache: (\d+) of/.exec(r.stderr)?.[1];
    expect(hits(run())).toBe("0");
    expect(hits(run())).toBe("1");
    // The same bytes with a new modification time: another build as far as the cache can tell cheaply.
    const core = path.join(dist, "credflow-core.cjs");
    const later = new Date(Date.now() + 60_000);
    fs.utimesSync(core, later, later);
    expect(hits(run())).toBe("0");
    expect(hits(run())).toBe("1");
    fs.appendFileSync(core, "\n// rebuilt\n");
    expect(hits(run())).toBe("0");
  });
});
