import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createOnlineResolver } from "../../src/knowledge/online.js";
import { offlinePins } from "../../src/knowledge/pins.js";
import { actionTags } from "./shared-data.js";

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

  it("falls back to the offline table for refs it did not fetch", async () => {
    const { resolver } = make();
    const checkout = actionTags.actions["actions/checkout"]!;
    expect(resolver.resolve("actions/checkout", "v4")).toMatchObject({ kind: "tag", commit: checkout.tags.v4!.commit, source: "table" });
    expect(resolver.runtimeOf("actions/checkout", "v4")).toBe(checkout.runtimeByMajor.v4);
    expect(requests).toEqual([]);
  });

  it("online answers for known actions keep the table's runtime and release name", async () => {
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
