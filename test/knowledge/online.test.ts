import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createOnlineResolver } from "../../src/knowledge/online.js";
import { NOT_IN_TABLE_NOTE, offlinePins } from "../../src/knowledge/pins.js";
import { actionTags } from "./shared-data.js";
import { itShared, NEEDS } from "../helpers/shared.js";

const TOKEN = "ghp_testtoken_0123456789abcdefXYZ";
const WRONG_TOKEN = "ghp_wrongtoken_9876543210zyxw";
const sha = (c: string) => c.repeat(40);
const COMMITS = { v1: sha("a"), v2Tag: sha("1"), v2: sha("b"), bothTag: sha("c"), bothHead: sha("d"), main: sha("e"), latest: sha("f"), master: sha("2") };

/** The mock API: path → [status, body, headers]. */
function route(path: string): [number, unknown, Record<string, string>?] {
  const ref = (kind: string, name: string, type: string, s: string) => [200, { ref: `refs/${kind}/${name}`, object: { type, sha: s } }] as [number, unknown];
  switch (path) {
    case "/repos/acme/widget/git/ref/tags/v1":
      return ref("tags", "v1", "commit", COMMITS.v1);
    case "/repos/acme/widget/git/ref/tags/v2":
      return ref("tags", "v2", "tag", COMMITS.v2Tag);
    case `/repos/acme/widget/git/tags/${COMMITS.v2Tag}`:
      return [200, { sha: COMMITS.v2Tag, object: { type: "commit", sha: COMMITS.v2 } }];
    case "/repos/acme/widget/git/ref/tags/both":
      return ref("tags", "both", "commit", COMMITS.bothTag);
    case "/repos/acme/widget/git/ref/heads/both":
      return ref("heads", "both", "commit", COMMITS.bothHead);
    case "/repos/acme/widget/git/ref/heads/main":
      return ref("heads", "main", "commit", COMMITS.main);
    case "/repos/acme/widget/git/ref/heads/feature/x":
      return ref("heads", "feature/x", "commit", COMMITS.main);
    case "/repos/acme/widget/git/ref/tags/master":
      return ref("tags", "master", "commit", COMMITS.master);
    case "/repos/acme/widget/releases/latest":
      return [200, { tag_name: "v2.1.0" }];
    case "/repos/acme/widget/tags?per_page=100":
      return [200, [{ name: "v2.1.0", commit: { sha: COMMITS.latest } }, { name: "v10.0.0-rc.1", commit: { sha: sha("9") } }, { name: "v1.0.0", commit: { sha: COMMITS.v1 } }]];
    case "/repos/acme/widget":
      return [200, { full_name: "acme/widget" }];
    case "/repos/acme/limited/git/ref/tags/v1":
      return [403, { message: "API rate limit exceeded" }, { "x-ratelimit-remaining": "0", "x-ratelimit-reset": "1893456000" }];
    case "/repos/acme/busy/git/ref/tags/v1":
      return [429, { message: "slow down" }, {}];
    case "/repos/acme/secret/git/ref/tags/v1":
      return [403, { message: "Resource not accessible" }, { "x-ratelimit-remaining": "4999" }];
    case "/repos/acme/flaky/git/ref/tags/v1":
      return [502, { message: "bad gateway" }, {}];
    default:
      return [404, { message: "Not Found" }];
  }
}

let server: Server;
let apiUrl: string;
let requests: string[] = [];
let messages: string[] = [];
let dir: string;

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = req.url ?? "";
    requests.push(path);
    const auth = req.headers.authorization;
    if (auth !== undefined && auth !== `Bearer ${TOKEN}`) {
      res.writeHead(401, { "content-type": "application/json" });
      res.end(JSON.stringify({ message: "Bad credentials" }));
      return;
    }
    const [status, body, headers] = route(path);
    res.writeHead(status, { "content-type": "application/json", ...(headers ?? {}) });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
});

beforeEach(() => {
  requests = [];
  dir = mkdtempSync(join(tmpdir(), "credflow-online-"));
});

afterEach(() => {
  // Every message any test logged: none may carry a token, and each is one line.
  for (const m of messages) {
    expect(m).not.toContain(TOKEN);
    expect(m).not.toContain(WRONG_TOKEN);
    expect(m).not.toContain("ghp_");
    expect(m).not.toMatch(/\n/);
  }
  messages = [];
  rmSync(dir, { recursive: true, force: true });
});

function make(extra: Partial<Parameters<typeof createOnlineResolver>[0]> = {}) {
  return createOnlineResolver({
    apiUrl,
    token: TOKEN,
    cacheFile: join(dir, "cache", "refs.json"),
    fallback: offlinePins(),
    log: (m) => messages.push(m),
    retryDelayMs: 1,
    maxRetries: 2,
    ...extra,
  });
}

const W = "acme/widget";

describe("online resolver", () => {
  it("resolves lightweight and annotated tags, branches, both, frozen tags and missing refs", async () => {
    const { prefetch, resolver } = make();
    await prefetch(
      ["v1", "v2", "both", "main", "feature/x", "master", "nope", "v1", sha("7")].map((ref) => ({ action: "Acme/Widget", ref })),
    );
    expect(messages).toEqual([]);
    expect(resolver.resolve(W, "v1")).toMatchObject({ kind: "tag", commit: COMMITS.v1, source: "online" });
    // The annotated tag is peeled to its commit, never the tag object.
    expect(resolver.resolve(W, "v2")).toMatchObject({ kind: "tag", commit: COMMITS.v2, source: "online" });
    expect(resolver.resolve(W, "both")).toMatchObject({ kind: "tag-and-branch", commit: COMMITS.bothTag, source: "online" });
    const latest = { tag: "v2.1.0", commit: COMMITS.latest };
    expect(resolver.resolve(W, "main")).toMatchObject({ kind: "branch", commit: COMMITS.main, newestRelease: latest, source: "online" });
    expect(resolver.resolve(W, "feature/x")).toMatchObject({ kind: "branch", newestRelease: latest });
    expect(resolver.resolve(W, "master")).toMatchObject({ kind: "frozen-tag", commit: COMMITS.master, newestRelease: latest });
    expect(resolver.resolve(W, "nope")).toMatchObject({ kind: "unknown", source: "online" });
    expect(resolver.resolve(W, "nope").note).toMatch(/no tag or branch/);
    // Full SHAs need no request; they come from the fallback.
    expect(requests.some((p) => p.includes("7777"))).toBe(false);
    expect(resolver.resolve(W, sha("7"))).toMatchObject({ kind: "sha", source: "shape" });
    // Deduplicated: v1 was asked twice, fetched once per namespace.
    expect(requests.filter((p) => p === "/repos/acme/widget/git/ref/tags/v1")).toHaveLength(1);
    // The newest release is looked up once per action.
    expect(requests.filter((p) => p === "/repos/acme/widget/releases/latest")).toHaveLength(1);
    expect(resolver.knows(W)).toBe(true);
    expect(resolver.newestMajor(W)).toEqual({ major: "v2.1.0", tag: "v2.1.0" });
  });

  itShared(NEEDS.actionTags, "falls back to the offline table for refs it did not fetch", async () => {
    const { resolver } = make();
    const checkout = actionTags.actions["actions/checkout"]!;
    expect(resolver.resolve("actions/checkout", "v4")).toMatchObject({ kind: "tag", commit: checkout.tags.v4!.commit, source: "table" });
    expect(resolver.runtimeOf("actions/checkout", "v4")).toBe(checkout.runtimeByMajor.v4);
    expect(requests).toEqual([]);
  });

  itShared(NEEDS.actionTags, "online answers for known actions keep the table's runtime and release name", async () => {
    // Serve a known action's tag from the mock with the table's commit.
    const checkout = actionTags.actions["actions/checkout"]!;
    const { prefetch, resolver } = make({
      fetchImpl: async (url) => {
        const path = String(url).slice(apiUrl.length);
        requests.push(path);
        if (path === "/repos/actions/checkout/git/ref/tags/v4") {
          return new Response(JSON.stringify({ ref: "refs/tags/v4", object: { type: "commit", sha: checkout.tags.v4!.commit } }), { status: 200 });
        }
        return new Response(JSON.stringify({ message: "Not Found" }), { status: 404 });
      },
    });
    await prefetch([{ action: "actions/checkout", ref: "v4" }]);
    const info = resolver.resolve("actions/checkout", "v4");
    expect(info).toMatchObject({ kind: "tag", source: "online", commit: checkout.tags.v4!.commit, runtime: checkout.runtimeByMajor.v4 });
    expect(info.tag).toMatch(/^v4\.\d+\.\d+$/);
  });

  it("writes the cache atomically and answers later runs without requests", async () => {
    const first = make();
    await first.prefetch([{ action: W, ref: "v2" }, { action: W, ref: "main" }]);
    const cacheFile = join(dir, "cache", "refs.json");
    expect(existsSync(cacheFile)).toBe(true);
    expect(readFileSync(cacheFile, "utf8")).not.toContain(TOKEN);
    requests = [];
    const second = make();
    // Resolvable straight from the cache, before any prefetch.
    expect(second.resolver.resolve(W, "v2")).toMatchObject({ kind: "tag", commit: COMMITS.v2, source: "online" });
    await second.prefetch([{ action: W, ref: "v2" }, { action: W, ref: "main" }]);
    expect(requests).toEqual([]);
    expect(second.resolver.resolve(W, "main")).toMatchObject({ kind: "branch", newestRelease: { tag: "v2.1.0", commit: COMMITS.latest } });
  });

  it("refetches expired cache entries and ignores a cache from another API host", async () => {
    await make().prefetch([{ action: W, ref: "v1" }]);
    requests = [];
    await make({ cacheTtlSeconds: 0 }).prefetch([{ action: W, ref: "v1" }]);
    expect(requests).toContain("/repos/acme/widget/git/ref/tags/v1");
    const cacheFile = join(dir, "cache", "refs.json");
    const other = make({ apiUrl: "http://127.0.0.1:9/api/v3", cacheFile });
    expect(other.resolver.resolve(W, "v1").source).toBe("shape");
  });

  it("survives a corrupt cache file", async () => {
    const cacheFile = join(dir, "refs.json");
    writeFileSync(cacheFile, "{not json");
    const { prefetch, resolver } = make({ cacheFile });
    expect(messages.some((m) => m.includes("not valid JSON"))).toBe(true);
    await prefetch([{ action: W, ref: "v1" }]);
    expect(resolver.resolve(W, "v1").commit).toBe(COMMITS.v1);
    expect(JSON.parse(readFileSync(cacheFile, "utf8")).refs[`${W}@v1`].commit).toBe(COMMITS.v1);
  });

  it("reports a missing repository and falls back", async () => {
    const { prefetch, resolver } = make();
    await prefetch([{ action: "acme/missing", ref: "v1" }]);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/acme\/missing: repository not found/);
    // The offline fallback does not guess: a name no table lists may be a tag or a branch.
    expect(resolver.resolve("acme/missing", "v1")).toMatchObject({
      kind: "unknown",
      source: "shape",
      note: "could not be resolved: acme/missing was not found on GitHub (missing, renamed, or private and not visible to the token)",
    });
  });

  it("stops at the rate limit with a one-line message and no further requests", async () => {
    const { prefetch, resolver } = make({ concurrency: 1 });
    await prefetch([{ action: "acme/limited", ref: "v1" }, { action: W, ref: "v1" }, { action: W, ref: "v2" }]);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/rate limit reached until 2030-01-01T00:00:00.000Z/);
    expect(requests).toEqual(["/repos/acme/limited/git/ref/tags/v1"]);
    expect(resolver.resolve(W, "v1").source).toBe("shape");
  });

  it("treats 429 as a rate limit and hints at a token when none is set", async () => {
    const { prefetch } = make({ token: undefined });
    await prefetch([{ action: "acme/busy", ref: "v1" }]);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/rate limit reached.*GITHUB_TOKEN/);
  });

  it("reports 403 per repository and goes on with the others", async () => {
    const { prefetch, resolver } = make({ concurrency: 1 });
    await prefetch([{ action: "acme/secret", ref: "v1" }, { action: W, ref: "v1" }]);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/acme\/secret@v1: 403 Forbidden/);
    expect(resolver.resolve(W, "v1").source).toBe("online");
  });

  it("reports a rejected token (401) without echoing it", async () => {
    const { prefetch } = make({ token: WRONG_TOKEN, concurrency: 1 });
    await prefetch([{ action: W, ref: "v1" }, { action: W, ref: "v2" }]);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/rejected the token \(401/);
    expect(requests).toHaveLength(1);
  });

  it("sends the token as a Bearer header", async () => {
    const seen: Array<string | null> = [];
    const { prefetch } = make({
      fetchImpl: async (_url, init) => {
        seen.push(new Headers(init?.headers).get("authorization"));
        return new Response("{}", { status: 404 });
      },
    });
    await prefetch([{ action: W, ref: "v1" }]);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((h) => h === `Bearer ${TOKEN}`)).toBe(true);
  });

  it("retries 5xx a bounded number of times, then gives up", async () => {
    const { prefetch, resolver } = make({ maxRetries: 2 });
    await prefetch([{ action: "acme/flaky", ref: "v1" }]);
    expect(requests.filter((p) => p === "/repos/acme/flaky/git/ref/tags/v1")).toHaveLength(3);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/HTTP 502 .* after 3 attempts/);
    expect(resolver.resolve("acme/flaky", "v1").source).toBe("shape");
  });

  it("retries network errors a bounded number of times and never leaks the token", async () => {
    let calls = 0;
    const { prefetch } = make({
      maxRetries: 3,
      fetchImpl: async () => {
        calls++;
        throw new TypeError(`fetch failed for Bearer ${TOKEN}`, { cause: Object.assign(new Error("refused"), { code: "ECONNREFUSED" }) });
      },
    });
    await prefetch([{ action: W, ref: "v1" }, { action: W, ref: "v2" }]);
    expect(calls).toBeLessThanOrEqual(4 * 2); // at most two refs in flight when the API goes away
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/unreachable .*ECONNREFUSED.* after 4 attempts/);
  });

  it("redacts the token even if a message were to contain it", async () => {
    const { prefetch } = make({ cacheFile: join(dir, TOKEN, "\0bad", "refs.json") });
    await prefetch([{ action: W, ref: "v1" }]);
    expect(messages.some((m) => m.includes("could not write the ref cache"))).toBe(true);
    expect(messages.some((m) => m.includes("***"))).toBe(true);
  });
});

/**
 * An API that misbehaves, on its own server: `/stall` accepts and never answers, `/drip` sends the
 * headers and then nothing, `/slow` answers like GitHub after a delay, `/moved` redirects to
 * another origin (the `elsewhere` server, which counts what reaches it), `/renamed` redirects
 * within its own origin, `/garbage` and `/shape` answer 200 with what is not a ref, `/huge` and
 * `/huge-chunked` send more than the cap, `/secondary` is GitHub's secondary rate limit.
 */
describe("online resolver against an API that misbehaves", () => {
  let hostile: Server;
  let hostileUrl: string;
  let elsewhere: Server;
  let elsewhereUrl: string;
  let elsewhereRequests: Array<{ path: string; authorization?: string }> = [];
  let hostileRequests: string[] = [];
  /** Bytes the /huge-chunked handler managed to write before the client hung up. */
  let hugeWritten = 0;
  const HUGE = 32 * 1024 * 1024;

  beforeAll(async () => {
    elsewhere = createServer((req, res) => {
      elsewhereRequests.push({ path: req.url ?? "", authorization: req.headers.authorization });
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ message: "Not Found" }));
    });
    await new Promise<void>((r) => elsewhere.listen(0, "127.0.0.1", r));
    elsewhereUrl = `http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}`;

    hostile = createServer((req, res) => {
      const url = req.url ?? "";
      hostileRequests.push(url);
      const [, mode] = /^\/([^/]+)/.exec(url) ?? [];
      const rest = url.slice(mode ? mode.length + 1 : 0);
      const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { "content-type": "application/json", ...headers });
        res.end(JSON.stringify(body));
      };
      switch (mode) {
        case "stall":
          return; // never answers
        case "drip":
          res.writeHead(200, { "content-type": "application/json" });
          res.write('{"ref": "refs/tags/v1", ');
          return; // and never finishes
        case "slow": {
          const [status, body] = route(rest);
          setTimeout(() => json(status, body), 150);
          return;
        }
        case "moved":
          res.writeHead(301, { location: `${elsewhereUrl}${rest}` });
          res.end();
          return;
        case "renamed": {
          if (rest.startsWith("/repos/acme/old-name/")) {
            res.writeHead(301, { location: `/renamed${rest.replace("/repos/acme/old-name/", "/repos/acme/widget/")}` });
            res.end();
            return;
          }
          const [status, body] = route(rest);
          return json(status, body);
        }
        case "garbage":
          res.writeHead(200, { "content-type": "text/html" });
          res.end("<html><body>Please sign in to the proxy</body></html>");
          return;
        case "shape":
          return json(200, { message: "all good" });
        case "huge":
          res.writeHead(200, { "content-type": "application/json", "content-length": String(HUGE) });
          res.end(Buffer.alloc(HUGE, 0x20));
          return;
        case "huge-chunked": {
          res.writeHead(200, { "content-type": "application/json" });
          hugeWritten = 0;
          const chunk = Buffer.alloc(64 * 1024, 0x20);
          const pump = () => {
            while (hugeWritten < HUGE && !res.destroyed) {
              hugeWritten += chunk.length;
              if (!res.write(chunk)) return void res.once("drain", pump);
            }
            res.end();
          };
          pump();
          return;
        }
        case "secondary":
          return json(403, { message: "You have exceeded a secondary rate limit." }, { "retry-after": "3600" });
        default:
          return json(404, { message: "Not Found" });
      }
    });
    await new Promise<void>((r) => hostile.listen(0, "127.0.0.1", r));
    hostileUrl = `http://127.0.0.1:${(hostile.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    for (const s of [hostile, elsewhere]) {
      s.closeAllConnections();
      await new Promise<void>((r) => s.close(() => r()));
    }
  });

  beforeEach(() => {
    elsewhereRequests = [];
    hostileRequests = [];
  });

  function misbehaving(mode: string, extra: Partial<Parameters<typeof createOnlineResolver>[0]> = {}) {
    return make({ apiUrl: `${hostileUrl}/${mode}`, ...extra });
  }

  /** Runs a prefetch and returns how long it took, in ms. */
  async function timed(p: Promise<void>): Promise<number> {
    const started = performance.now();
    await p;
    return performance.now() - started;
  }

  it("a server that accepts and never answers: the request times out once, one line, offline answers", async () => {
    const { prefetch, resolver } = misbehaving("stall", { requestTimeoutMs: 300, maxRetries: 3 });
    const ms = await timed(prefetch([{ action: W, ref: "v1" }, { action: W, ref: "v2" }, { action: "acme/other", ref: "v3" }]));
    expect(ms).toBeLessThan(2_000);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/^GitHub API at http:\/\/127\.0\.0\.1:\d+\/stall did not answer acme\/\S+@v\d within 0\.3 s \(--online-timeout\); remaining refs use the offline table$/);
    // A timeout is not retried: at most one request per worker ever went out.
    expect(hostileRequests.length).toBeLessThanOrEqual(3);
    // The offline answer: not in the table, never "no tag or branch" (the API did not say so).
    expect(resolver.resolve(W, "v1")).toMatchObject({ source: "shape", kind: "unknown", note: NOT_IN_TABLE_NOTE });
    expect(existsSync(join(dir, "cache", "refs.json"))).toBe(false);
  });

  it("a server that sends headers and then stalls the body: the timeout covers the body too", async () => {
    const { prefetch, resolver } = misbehaving("drip", { requestTimeoutMs: 300 });
    const ms = await timed(prefetch([{ action: W, ref: "v1" }]));
    expect(ms).toBeLessThan(2_000);
    expect(messages).toEqual([expect.stringMatching(/did not answer acme\/widget@v1 within 0\.3 s/)]);
    expect(resolver.resolve(W, "v1").source).toBe("shape");
  });

  it("the whole online phase has a budget: what was resolved in time is kept (and cached), the rest is offline", async () => {
    const refs = ["v1", "v2", "both", "main", "feature/x", "master", "nope", "v9", "v8", "v7"].map((ref) => ({ action: W, ref }));
    const { prefetch, resolver } = misbehaving("slow", { requestTimeoutMs: 1_000, budgetMs: 500, concurrency: 1 });
    const ms = await timed(prefetch(refs));
    expect(ms).toBeGreaterThanOrEqual(450);
    expect(ms).toBeLessThan(1_500);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/^online lookups stopped after 0\.5 s, the limit for the whole online phase \(6 × --online-timeout\); 1 of 10 refs resolved, the rest use the offline table$/);
    // v1 takes two requests (tag, branch) of 150 ms each: done in time.
    expect(resolver.resolve(W, "v1")).toMatchObject({ kind: "tag", commit: COMMITS.v1, source: "online" });
    expect(resolver.resolve(W, "main").source).not.toBe("online");
    const cached = JSON.parse(readFileSync(join(dir, "cache", "refs.json"), "utf8")) as { refs: Record<string, unknown> };
    expect(Object.keys(cached.refs)).toEqual([`${W}@v1`]);
  });

  it("back-off between retries ends with the budget", async () => {
    const { prefetch } = make({ apiUrl: `${apiUrl}`, maxRetries: 5, retryDelayMs: 60_000, budgetMs: 300, requestTimeoutMs: 300 });
    const ms = await timed(prefetch([{ action: "acme/flaky", ref: "v1" }]));
    expect(ms).toBeLessThan(1_500);
    expect(messages).toEqual([expect.stringMatching(/^online lookups stopped after 0\.3 s/)]);
  });

  it("a redirect to another origin is not followed (the token stays home) and is 'could not resolve', not a missing ref", async () => {
    const { prefetch, resolver } = misbehaving("moved", { concurrency: 1 });
    await prefetch([{ action: W, ref: "v1" }, { action: W, ref: "v2" }]);
    expect(elsewhereRequests).toEqual([]);
    expect(messages).toEqual([
      `could not resolve ${W}@v1: the GitHub API redirected to another origin (${elsewhereUrl}), which is not followed with the token; remaining refs use the offline table`,
    ]);
    expect(hostileRequests).toHaveLength(1);
    const info = resolver.resolve(W, "v1");
    expect(info.source).toBe("shape");
    expect(info.note ?? "").not.toMatch(/no tag or branch/);
  });

  it("a redirect within the API's origin (a renamed repository) is followed with the token", async () => {
    const { prefetch, resolver } = misbehaving("renamed");
    await prefetch([{ action: "acme/old-name", ref: "v1" }]);
    expect(messages).toEqual([]);
    expect(resolver.resolve("acme/old-name", "v1")).toMatchObject({ kind: "tag", commit: COMMITS.v1, source: "online" });
  });

  it("a body that is not JSON, or JSON that is not the ref, is 'could not resolve'", async () => {
    for (const mode of ["garbage", "shape"]) {
      messages = [];
      const { prefetch, resolver } = misbehaving(mode);
      await prefetch([{ action: W, ref: "v1" }]);
      expect(messages, mode).toHaveLength(1);
      expect(messages[0], mode).toMatch(/^could not resolve acme\/widget@v1: the GitHub API( answered HTTP 200 with a body that is not JSON|'s answer for refs\/tags\/v1 is not that Git ref); remaining refs use the offline table$/);
      expect(resolver.resolve(W, "v1").source, mode).toBe("shape");
      expect(resolver.resolve(W, "v1").note, mode).toBe(NOT_IN_TABLE_NOTE);
    }
  });

  it("a huge body is capped: declared or streamed, it is not read past the limit", async () => {
    for (const mode of ["huge", "huge-chunked"]) {
      messages = [];
      const { prefetch, resolver } = misbehaving(mode, { maxResponseBytes: 1024 * 1024 });
      const ms = await timed(prefetch([{ action: W, ref: "v1" }]));
      expect(ms, mode).toBeLessThan(3_000);
      expect(messages, mode).toEqual([`could not resolve ${W}@v1: the GitHub API sent more than 1 MiB; remaining refs use the offline table`]);
      expect(resolver.resolve(W, "v1").source, mode).toBe("shape");
    }
    // The client hung up long before the 32 MiB were sent.
    expect(hugeWritten).toBeLessThan(HUGE);
  });

  it("a secondary rate limit (403 with Retry-After) stops at once, without waiting for it", async () => {
    const { prefetch } = misbehaving("secondary", { concurrency: 1 });
    const ms = await timed(prefetch([{ action: W, ref: "v1" }, { action: W, ref: "v2" }]));
    expect(ms).toBeLessThan(1_000);
    expect(messages).toEqual(["GitHub API rate limit reached; remaining refs use the offline table"]);
    expect(hostileRequests).toHaveLength(1);
  });
});
