/**
 * Issue 4: `--online` end to end. A fake GitHub REST API on 127.0.0.1 serves the endpoints
 * src/knowledge/online.ts calls; the CLI runs in process with `--github-api-url` pointing at it
 * (no test reaches the internet). Checked: unpinned-ref pins actions the offline table does not
 * know to the commits the API served, the cache (`--pin-cache`, here in a temporary folder) makes a
 * second run request nothing, and 404 / rate limit / bad token give one line on stderr, never the
 * token, and the usual exit code. A `.credflow/pins.json` planted in the repository is not used, and
 * a cache path that is a link or not a regular file is neither read nor written.
 *
 * An API that misbehaves never holds a run up: a server that accepts and never answers costs one
 * request timeout (`--online-timeout`, default 5 s), measured on the real process; a redirect to
 * another origin, a body that is not JSON and a huge body are "could not resolve", one line, never
 * "no tag or branch named"; rate limits stop the lookups at once.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { defaultPinCacheFile } from "../../src/knowledge/online.js";
import { BUNDLE, cli, type CliRun } from "../helpers/cli.js";
import { tempRepo } from "../helpers/temp-repo.js";

const TOKEN = "secret-token-123";
const sha = (c: string) => c.repeat(40);
/** The annotated tag object v2 points at, and the commit it peels to. */
const V2_TAG_OBJECT = sha("1");
const V2_COMMIT = sha("a");
const MAIN_HEAD = sha("b");
const RELEASE_COMMIT = sha("c");
const RELEASE = "v2.3.4";

type Reply = [status: number, body: unknown, headers?: Record<string, string>];

const refBody = (kind: string, name: string, type: string, s: string): Reply => [200, { ref: `refs/${kind}/${name}`, object: { type, sha: s } }];

/** The fake API: request path → reply. Everything else is GitHub's 404. */
function route(p: string): Reply {
  const repo = "/repos/someorg/some-action";
  switch (p) {
    case `${repo}/git/ref/tags/v2`:
      return refBody("tags", "v2", "tag", V2_TAG_OBJECT);
    case `${repo}/git/tags/${V2_TAG_OBJECT}`:
      return [200, { sha: V2_TAG_OBJECT, tag: "v2", object: { type: "commit", sha: V2_COMMIT } }];
    case `${repo}/git/ref/heads/main`:
      return refBody("heads", "main", "commit", MAIN_HEAD);
    case `${repo}/releases/latest`:
      return [200, { tag_name: RELEASE }];
    case `${repo}/tags?per_page=100`:
      return [
        200,
        [
          { name: "v2", commit: { sha: V2_COMMIT } },
          { name: RELEASE, commit: { sha: RELEASE_COMMIT } },
          { name: "v1.9.0", commit: { sha: sha("d") } },
        ],
      ];
    case repo:
      return [200, { full_name: "someorg/some-action" }];
    // Requests in flight when the rate limit hits still complete: answer this one like GitHub.
    case "/repos/aws-actions/configure-aws-credentials/git/ref/tags/master":
      return refBody("tags", "master", "commit", "ffc08eae7350b1061d7de219e2135c75561fb680");
  }
  if (p.startsWith("/repos/limited/")) {
    return [403, { message: "API rate limit exceeded for installation." }, { "x-ratelimit-remaining": "0", "x-ratelimit-reset": "1893456000" }];
  }
  return [404, { message: "Not Found", documentation_url: "https://docs.github.com/rest" }];
}

let server: Server;
let apiUrl: string;
let requests: Array<{ path: string; authorization?: string }> = [];
/** Every CLI run of a test, checked for the token afterwards. */
let runs: CliRun[] = [];
const dirs: string[] = [];

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const p = req.url ?? "";
    requests.push({ path: p, authorization: req.headers.authorization });
    if (req.headers.authorization !== undefined && req.headers.authorization !== `Bearer ${TOKEN}`) {
      res.writeHead(401, { "content-type": "application/json" });
      res.end(JSON.stringify({ message: "Bad credentials" }));
      return;
    }
    const [status, body, headers] = route(p);
    res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...(headers ?? {}) });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

beforeEach(() => {
  requests = [];
  runs = [];
});

afterEach(() => {
  for (const r of runs) {
    expect(r.stdout).not.toContain(TOKEN);
    expect(r.stderr).not.toContain(TOKEN);
    expect(r.stdout).not.toContain("secret-token");
    expect(r.stderr).not.toContain("secret-token");
  }
  // Only caches already made: looking one up must not create another (and another) folder.
  for (const cache of [...dirs.map((d) => path.join(d, ".credflow", "pins.json")), ...caches.values()]) {
    if (fs.existsSync(cache)) expect(fs.readFileSync(cache, "utf8")).not.toContain(TOKEN);
  }
});

/** Each repository's own ref cache, outside it (never the user's real cache directory). */
const caches = new Map<string, string>();
function cacheOf(dir: string): string {
  let file = caches.get(dir);
  if (file === undefined) {
    const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), "credflow-pin-cache-"));
    dirs.push(cacheDir);
    file = path.join(cacheDir, "sub", "pins.json");
    caches.set(dir, file);
  }
  return file;
}

function repo(uses: string[]): string {
  const steps = uses.map((u) => `      - uses: ${u}\n`).join("");
  const dir = tempRepo({ ".github/workflows/ci.yml": `on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n${steps}      - run: make\n` });
  dirs.push(dir);
  return dir;
}

async function online(dir: string, args: string[], env: NodeJS.ProcessEnv = { GITHUB_TOKEN: TOKEN }): Promise<CliRun> {
  const r = await cli([".", "--online", "--github-api-url", apiUrl, "--pin-cache", cacheOf(dir), ...args], { cwd: dir, env });
  runs.push(r);
  return r;
}

/** stderr as lines; each message must be exactly one line. */
function stderrLines(r: CliRun): string[] {
  if (r.stderr === "") return [];
  expect(r.stderr.endsWith("\n")).toBe(true);
  return r.stderr.slice(0, -1).split("\n");
}

describe("--online against a fake GitHub API", () => {
  it("offline, the unknown action gets no pin (the point of --online)", async () => {
    const dir = repo(["someorg/some-action@v2"]);
    const r = await cli([".", "--diff"], { cwd: dir, env: { GITHUB_TOKEN: TOKEN } });
    expect(r.stdout).toBe("");
    expect(requests).toEqual([]);
    const text = await cli(["."], { cwd: dir });
    expect(text.stdout).toContain("someorg/some-action@v2");
    expect(text.stdout).toContain("--online");
  });

  it("pins a tag (annotated: peeled) and a branch to the commits the API served, and caches them", async () => {
    const dir = repo(["someorg/some-action@v2", "someorg/some-action@main"]);
    const safe = await online(dir, ["--diff"]);
    expect(stderrLines(safe)).toEqual([]);
    expect(safe.code).toBe(0);
    expect(safe.stdout).toContain(`+      - uses: someorg/some-action@${V2_COMMIT} # v2\n`);
    // The branch pin is unsafe: not without --unsafe-fixes.
    expect(safe.stdout).toContain(" - uses: someorg/some-action@main\n");
    expect(safe.stdout).not.toContain(V2_TAG_OBJECT);

    // Every request carried the token, and only to the configured API.
    expect(requests.length).toBeGreaterThan(0);
    for (const q of requests) expect(q.authorization).toBe(`Bearer ${TOKEN}`);
    const paths = requests.map((q) => q.path);
    expect(paths).toContain("/repos/someorg/some-action/git/ref/tags/v2");
    expect(paths).toContain(`/repos/someorg/some-action/git/tags/${V2_TAG_OBJECT}`);
    expect(paths).toContain("/repos/someorg/some-action/git/ref/heads/main");

    const cacheFile = cacheOf(dir);
    expect(fs.existsSync(cacheFile)).toBe(true);
    // Nothing is written into the repository.
    expect(fs.existsSync(path.join(dir, ".credflow"))).toBe(false);
    const cache = fs.readFileSync(cacheFile, "utf8");
    expect(() => JSON.parse(cache)).not.toThrow();
    expect(cache).toContain(V2_COMMIT);
    expect(cache).toContain(RELEASE_COMMIT);

    // A second run, unsafe fixes included, is answered from the cache: not one request.
    requests = [];
    const unsafe = await online(dir, ["--diff", "--unsafe-fixes"]);
    expect(requests).toEqual([]);
    expect(stderrLines(unsafe)).toEqual([]);
    expect(unsafe.stdout).toContain(`+      - uses: someorg/some-action@${V2_COMMIT} # v2\n`);
    // A branch is pinned to the newest release's commit, named in the comment.
    expect(unsafe.stdout).toContain(`+      - uses: someorg/some-action@${RELEASE_COMMIT} # ${RELEASE}\n`);
    expect(unsafe.stdout).not.toContain(MAIN_HEAD);
    expect(fs.readFileSync(cacheFile, "utf8")).toBe(cache);

    // The report uses the same answers: the branch and the tag are warnings (each bites only if someone moves it), both fixable.
    requests = [];
    const report = await online(dir, ["--format", "json"]);
    expect(requests).toEqual([]);
    expect(report.code).toBe(1);
    const findings = (JSON.parse(report.stdout) as { findings: Array<{ rule: string; line: number; level: string; message: string }> }).findings.filter(
      (f) => f.rule === "unpinned-ref",
    );
    expect(findings.map((f) => [f.line, f.level])).toEqual([
      [6, "warning"],
      [7, "warning"],
    ]);
    expect(findings[0]!.message).toContain(V2_COMMIT);
    expect(findings[1]!.message).toContain(RELEASE);

    // --fix writes the safe pin; the cache is not part of what --fix changes.
    const fixed = await online(dir, ["--fix"]);
    expect(requests).toEqual([]);
    expect(stderrLines(fixed)).toEqual([]);
    expect(fs.readFileSync(path.join(dir, ".github/workflows/ci.yml"), "utf8")).toContain(`- uses: someorg/some-action@${V2_COMMIT} # v2\n`);
  });

  it("GH_TOKEN is used when GITHUB_TOKEN is not set; without either, no authorization header", async () => {
    const dir = repo(["someorg/some-action@v2"]);
    await online(dir, ["--diff"], { GH_TOKEN: TOKEN });
    expect(requests.length).toBeGreaterThan(0);
    for (const q of requests) expect(q.authorization).toBe(`Bearer ${TOKEN}`);

    const anon = repo(["someorg/some-action@v2"]);
    requests = [];
    const r = await online(anon, ["--diff"], {});
    expect(requests.length).toBeGreaterThan(0);
    for (const q of requests) expect(q.authorization).toBeUndefined();
    expect(r.stdout).toContain(`someorg/some-action@${V2_COMMIT} # v2`);
  });

  it("a repository the API does not know: one line on stderr, the finding stays, exit 1", async () => {
    const dir = repo(["someorg/gone@v1"]);
    const r = await online(dir, ["--format", "concise"]);
    const lines = stderrLines(r);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^credflow: someorg\/gone: repository not found\b/);
    expect(r.stdout).toMatch(/^\.github\/workflows\/ci\.yml:6:\d+: warning: .*someorg\/gone@v1.*\[unpinned-ref\]$/m);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).not.toContain(apiUrl.replace("http://", "") + "/repos");

    const zero = await online(dir, ["--exit-zero", "--format", "sarif"]);
    expect(zero.code).toBe(0);
    expect(stderrLines(zero)).toHaveLength(1);
  });

  it("a missing ref in a known repository is no stderr message but the finding says so", async () => {
    const dir = repo(["someorg/some-action@v9"]);
    const r = await online(dir, ["--format", "concise"]);
    expect(stderrLines(r)).toEqual([]);
    expect(r.stdout).toContain("no tag or branch named `v9` in someorg/some-action");
    expect(r.code).toBe(1);
  });

  it("rate limit: one line naming the reset time, the rest falls back to the offline table, exit code as usual", async () => {
    const dir = repo(["limited/some-action@v1", "limited/other@v3", "aws-actions/configure-aws-credentials@master"]);
    const r = await online(dir, ["--diff"]);
    const lines = stderrLines(r);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^credflow: GitHub API rate limit reached until 2030-01-01T00:00:00\.000Z; remaining refs use the offline table$/);
    // The offline table still pins what it knows.
    expect(r.stdout).toContain("+      - uses: aws-actions/configure-aws-credentials@ffc08eae7350b1061d7de219e2135c75561fb680 # master\n");
    expect(r.stdout).not.toMatch(/^\+.*limited\//m);
    expect(r.code).toBe(0);

    const lint = await online(dir, []);
    expect(stderrLines(lint)).toHaveLength(1);
    expect(lint.code).toBe(1);
    const ok = await online(dir, ["--fail-level", "none"]);
    expect(ok.code).toBe(0);
  });

  it("a rejected token: one line, without the token", async () => {
    const dir = repo(["someorg/some-action@v2"]);
    const r = await online(dir, ["--diff"], { GITHUB_TOKEN: "wrong-secret-token-456" });
    const lines = stderrLines(r);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("401");
    expect(r.stderr).not.toContain("wrong-secret-token-456");
    expect(r.stdout).toBe("");
    expect(r.code).toBe(0);
  });

  it("an unreachable API: one line, offline answers, no hang", async () => {
    const dir = repo(["someorg/some-action@v2"]);
    // A port nothing listens on: take one from a server and close it again.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const started = Date.now();
    const r = await cli([".", "--online", "--github-api-url", `http://127.0.0.1:${port}`, "--pin-cache", cacheOf(dir)], { cwd: dir, env: { GITHUB_TOKEN: TOKEN } });
    runs.push(r);
    const lines = stderrLines(r);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^credflow: GitHub API unreachable at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
    expect(r.code).toBe(1);
    // Bounded retries: 0.5 + 1 + 2 s of back-off at most.
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it("a .credflow/pins.json planted in the repository is not used, and the default cache is the user's", async () => {
    const dir = repo(["someorg/some-action@v2"]);
    // What a pull request could add: v2 mapped to a commit of its choosing, fresh, for this API.
    const planted = sha("e");
    const plantedCache = {
      version: 1,
      apiUrl,
      refs: { "someorg/some-action@v2": { fetchedAt: Date.now(), kind: "tag", commit: planted } },
      releases: {},
    };
    fs.mkdirSync(path.join(dir, ".credflow"));
    fs.writeFileSync(path.join(dir, ".credflow", "pins.json"), JSON.stringify(plantedCache));
    const before = fs.readFileSync(path.join(dir, ".credflow", "pins.json"), "utf8");

    // Without --pin-cache: the user cache directory (XDG_CACHE_HOME here), not the repository.
    const xdg = fs.mkdtempSync(path.join(os.tmpdir(), "credflow-xdg-"));
    dirs.push(xdg);
    const r = await cli([".", "--online", "--github-api-url", apiUrl, "--diff"], { cwd: dir, env: { GITHUB_TOKEN: TOKEN, XDG_CACHE_HOME: xdg } });
    runs.push(r);
    expect(stderrLines(r)).toEqual([]);
    expect(requests.map((q) => q.path)).toContain("/repos/someorg/some-action/git/ref/tags/v2");
    expect(r.stdout).toContain(`+      - uses: someorg/some-action@${V2_COMMIT} # v2\n`);
    expect(r.stdout).not.toContain(planted);
    expect(fs.readFileSync(path.join(dir, ".credflow", "pins.json"), "utf8")).toBe(before);
    const userCache = path.join(xdg, "credflow", "pins.json");
    expect(fs.readFileSync(userCache, "utf8")).toContain(V2_COMMIT);

    // --fix does not write the planted commit either.
    const fixed = await online(dir, ["--fix"]);
    expect(stderrLines(fixed)).toEqual([]);
    const workflow = fs.readFileSync(path.join(dir, ".github/workflows/ci.yml"), "utf8");
    expect(workflow).toContain(`someorg/some-action@${V2_COMMIT} # v2`);
    expect(workflow).not.toContain(planted);
  });

  it("a cache path that is a symbolic link or not a regular file is neither read nor written: one line, then no cache", async () => {
    const dir = repo(["someorg/some-action@v2"]);
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), "credflow-link-target-"));
    dirs.push(outside);
    const target = path.join(outside, "target.json");
    const planted = sha("e");
    fs.writeFileSync(target, JSON.stringify({ version: 1, apiUrl, refs: { "someorg/some-action@v2": { fetchedAt: Date.now(), kind: "tag", commit: planted } }, releases: {} }));
    const before = fs.readFileSync(target, "utf8");
    const link = path.join(outside, "link.json");
    fs.symlinkSync(target, link);

    const r = await cli([".", "--online", "--github-api-url", apiUrl, "--pin-cache", link, "--diff"], { cwd: dir, env: { GITHUB_TOKEN: TOKEN } });
    runs.push(r);
    const lines = stderrLines(r);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toBe(`credflow: ref cache ${link} is a symbolic link; not using it`);
    expect(r.stdout).toContain(`someorg/some-action@${V2_COMMIT} # v2`);
    expect(r.stdout).not.toContain(planted);
    expect(fs.readFileSync(target, "utf8")).toBe(before);
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);

    const folder = path.join(outside, "folder.json");
    fs.mkdirSync(folder);
    const d = await cli([".", "--online", "--github-api-url", apiUrl, "--pin-cache", folder, "--diff"], { cwd: dir, env: { GITHUB_TOKEN: TOKEN } });
    runs.push(d);
    expect(stderrLines(d)).toEqual([`credflow: ref cache ${folder} is not a regular file; not using it`]);
    expect(d.stdout).toContain(`someorg/some-action@${V2_COMMIT} # v2`);

    const big = path.join(outside, "big.json");
    fs.writeFileSync(big, "");
    fs.truncateSync(big, 8 * 1024 * 1024 + 1);
    const b = await cli([".", "--online", "--github-api-url", apiUrl, "--pin-cache", big, "--diff"], { cwd: dir, env: { GITHUB_TOKEN: TOKEN } });
    runs.push(b);
    expect(stderrLines(b)).toEqual([`credflow: ref cache ${big} is larger than 8 MiB; not using it`]);
    expect(fs.statSync(big).size).toBe(8 * 1024 * 1024 + 1);
  });
});

describe("--online against an API that misbehaves", () => {
  let hostile: Server;
  let hostileUrl: string;
  let elsewhere: Server;
  let elsewhereUrl: string;
  let elsewhereHits = 0;

  beforeAll(async () => {
    elsewhere = createServer((_req, res) => {
      elsewhereHits++;
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ message: "Not Found" }));
    });
    await new Promise<void>((resolve) => elsewhere.listen(0, "127.0.0.1", resolve));
    elsewhereUrl = `http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}`;
    hostile = createServer((req, res) => {
      const url = req.url ?? "";
      const mode = /^\/([^/]+)/.exec(url)?.[1];
      switch (mode) {
        case "stall":
          return; // accepts the connection, never answers
        case "moved":
          res.writeHead(302, { location: `${elsewhereUrl}${url.slice("/moved".length)}` });
          res.end();
          return;
        case "garbage":
          res.writeHead(200, { "content-type": "application/json" });
          res.end("{\"ref\": \"refs/tags/v2\", \"object\": ");
          return;
        case "huge":
          res.writeHead(200, { "content-type": "application/json", "content-length": String(64 * 1024 * 1024) });
          res.end(Buffer.alloc(64 * 1024 * 1024, 0x20));
          return;
        case "limited":
          res.writeHead(429, { "content-type": "application/json", "retry-after": "3600" });
          res.end(JSON.stringify({ message: "API rate limit exceeded" }));
          return;
      }
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ message: "Not Found" }));
    });
    await new Promise<void>((resolve) => hostile.listen(0, "127.0.0.1", resolve));
    hostileUrl = `http://127.0.0.1:${(hostile.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    for (const s of [hostile, elsewhere]) {
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
  });

  async function against(mode: string, dir: string, args: string[] = []): Promise<CliRun & { ms: number }> {
    const started = performance.now();
    const r = await cli([".", "--online", "--github-api-url", `${hostileUrl}/${mode}`, "--pin-cache", cacheOf(dir), ...args], { cwd: dir, env: { GITHUB_TOKEN: TOKEN } });
    runs.push(r);
    return { ...r, ms: performance.now() - started };
  }

  it("a stalled API: --online-timeout bounds the wait, one line, then the offline tables", async () => {
    const dir = repo(["someorg/some-action@v2", "someorg/other@v1", "aws-actions/configure-aws-credentials@v4"]);
    const r = await against("stall", dir, ["--online-timeout", "0.5", "--format", "json"]);
    expect(stderrLines(r)).toEqual([
      expect.stringMatching(/^credflow: GitHub API at http:\/\/127\.0\.0\.1:\d+\/stall did not answer someorg\/\S+@v\d within 0\.5 s \(--online-timeout\); remaining refs use the offline table$/),
    ]);
    expect(r.ms).toBeLessThan(5_000);
    // The offline table still answers what it knows.
    const findings = (JSON.parse(r.stdout) as { findings: Array<{ rule: string; message: string }> }).findings.filter((f) => f.rule === "unpinned-ref");
    expect(findings.map((f) => f.message).join("\n")).toContain("aws-actions/configure-aws-credentials@v4");
    expect(findings.map((f) => f.message).join("\n")).not.toMatch(/no tag or branch named/);
    expect(r.code).toBe(1);
  });

  it("a stalled API with the default timeout, as a real process: about five seconds, and the process exits", async () => {
    const dir = repo(["someorg/some-action@v2"]);
    const started = performance.now();
    const child = spawn(process.execPath, [BUNDLE, ".", "--online", "--github-api-url", `${hostileUrl}/stall`, "--pin-cache", cacheOf(dir)], {
      cwd: dir,
      env: { PATH: process.env.PATH, GITHUB_TOKEN: TOKEN },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const killer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    const code = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
    clearTimeout(killer);
    const ms = performance.now() - started;
    runs.push({ code: code ?? -1, stdout, stderr });
    expect(stderr).toMatch(/^credflow: GitHub API at \S+ did not answer someorg\/some-action@v2 within 5 s \(--online-timeout\); remaining refs use the offline table\n$/);
    expect(code).toBe(1);
    expect(ms).toBeGreaterThanOrEqual(5_000);
    expect(ms).toBeLessThan(15_000);
  }, 40_000);

  it("rejects a timeout that is not a positive number of seconds", async () => {
    const dir = repo(["someorg/some-action@v2"]);
    for (const bad of ["0", "-1", "soon", "601"]) {
      const r = await cli([".", "--online", "--online-timeout", bad], { cwd: dir });
      expect(r.code, bad).toBe(2);
      expect(r.stderr, bad).toMatch(/--online-timeout/);
    }
  });

  it("a redirect to another origin, a body that is not JSON, a huge body: 'could not resolve', never 'no tag or branch'", async () => {
    const reasons: Record<string, RegExp> = {
      moved: new RegExp(`redirected to another origin \\(${elsewhereUrl.replace(/[.]/g, "\\.")}\\), which is not followed with the token`),
      garbage: /answered HTTP 200 with a body that is not JSON/,
      huge: /sent more than 4 MiB/,
    };
    for (const [mode, reason] of Object.entries(reasons)) {
      const dir = repo(["someorg/some-action@v2"]);
      const r = await against(mode, dir, ["--format", "concise"]);
      const lines = stderrLines(r);
      expect(lines, mode).toHaveLength(1);
      expect(lines[0], mode).toMatch(/^credflow: could not resolve someorg\/some-action@v2: /);
      expect(lines[0], mode).toMatch(reason);
      expect(lines[0], mode).toMatch(/; remaining refs use the offline table$/);
      expect(r.stdout, mode).toMatch(/^\.github\/workflows\/ci\.yml:6:\d+: warning: .*someorg\/some-action@v2.*\[unpinned-ref\]$/m);
      expect(r.stdout, mode).not.toMatch(/no tag or branch named/);
      expect(r.code, mode).toBe(1);
      // Nothing was learned, so nothing was cached.
      expect(fs.existsSync(cacheOf(dir)), mode).toBe(false);
    }
    expect(elsewhereHits).toBe(0);
  });

  it("a rate limit with Retry-After: one line at once, no waiting", async () => {
    const dir = repo(["someorg/some-action@v2", "someorg/other@v1"]);
    const r = await against("limited", dir);
    expect(stderrLines(r)).toEqual(["credflow: GitHub API rate limit reached; remaining refs use the offline table"]);
    expect(r.ms).toBeLessThan(5_000);
    expect(r.code).toBe(1);
  });
});

describe("the default pin cache", () => {
  it("is in the user cache directory of each platform", () => {
    expect(defaultPinCacheFile({ XDG_CACHE_HOME: "/x/cache", HOME: "/home/u" }, "linux")).toBe("/x/cache/credflow/pins.json");
    expect(defaultPinCacheFile({ XDG_CACHE_HOME: "relative", HOME: "/home/u" }, "linux")).toBe("/home/u/.cache/credflow/pins.json");
    expect(defaultPinCacheFile({ HOME: "/Users/u" }, "darwin")).toBe("/Users/u/Library/Caches/credflow/pins.json");
    expect(defaultPinCacheFile({ XDG_CACHE_HOME: "/x/cache", HOME: "/Users/u" }, "darwin")).toBe("/x/cache/credflow/pins.json");
    expect(defaultPinCacheFile({ LOCALAPPDATA: "C:\\Users\\u\\AppData\\Local" }, "win32")).toBe("C:\\Users\\u\\AppData\\Local\\credflow\\pins.json");
    expect(defaultPinCacheFile({ USERPROFILE: "C:\\Users\\u" }, "win32", null)).toBe("C:\\Users\\u\\AppData\\Local\\credflow\\pins.json");
    expect(defaultPinCacheFile({}, "linux", null)).toBeUndefined();
    expect(defaultPinCacheFile({}, "linux", "/home/fallback")).toBe("/home/fallback/.cache/credflow/pins.json");
  });
});
