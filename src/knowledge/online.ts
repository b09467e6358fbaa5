/**
 * Optional online ref resolution through the GitHub REST API. Everything network-bound happens
 * in prefetch(); afterwards `resolver` answers synchronously from what was fetched (or cached),
 * falling back to the offline table. Messages never include the token.
 *
 * prefetch() never keeps a run waiting for long: every request (body included) has a timeout,
 * the whole prefetch a budget, and an answer credflow cannot use (a redirect to another origin,
 * which is not followed with the token; a body that is not JSON; a body above
 * `MAX_RESPONSE_BYTES`) stops the lookups with one line instead of passing for a missing ref.
 */
import { safeHomedir, userCacheDir } from "../fs/cache-dir.js";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as nodePath from "node:path";
import { inspectFile, readFileSafely } from "../fs/safe-read.js";
import { actionKey, BRANCH_LIKE_NAMES, isFullSha, NOT_IN_TABLE_NOTE, type PinResolver, type RefInfo } from "./pins.js";

export interface OnlineOptions {
  /** REST API root; default https://api.github.com (GHES: https://HOST/api/v3). */
  apiUrl?: string;
  token?: string;
  /**
   * JSON cache: read when the resolver is created, written atomically at the end of prefetch().
   * Undefined: no cache. A path that is a symbolic link, not a regular file, or larger than
   * `MAX_CACHE_BYTES` is neither read nor written (one message, then the run goes on without it).
   */
  cacheFile?: string;
  fetchImpl?: typeof fetch;
  /** Retries after the first attempt for 5xx and network errors; default 3. */
  maxRetries?: number;
  fallback: PinResolver;
  /** One line per problem; default: standard error. */
  log?: (msg: string) => void;
  /** Delay before the first retry in ms, doubled for each further one; default 500. */
  retryDelayMs?: number;
  /** Cached answers older than this are fetched again by prefetch(); default one day. */
  cacheTtlSeconds?: number;
  /** Parallel requests; default 4. */
  concurrency?: number;
  /**
   * Longest wait for one request, from sending it to the end of its body, in ms; default
   * `DEFAULT_REQUEST_TIMEOUT_MS`. A request that runs out stops the remaining lookups (no retry).
   */
  requestTimeoutMs?: number;
  /** Longest time one prefetch() may take, retries and back-off included; default six request timeouts. */
  budgetMs?: number;
  /** Largest response body read, in bytes (after decompression); default `MAX_RESPONSE_BYTES`. */
  maxResponseBytes?: number;
}

/** Default timeout of one API request (`--online-timeout`). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 5_000;
/** The online phase's budget is this many request timeouts. */
export const BUDGET_PER_REQUEST_TIMEOUT = 6;
/**
 * A response body larger than this is not used. The largest answers credflow asks for (a release
 * with its notes and asset list, a page of 100 tags) stay well below it.
 */
export const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;
/** Same-origin redirects followed per request (GitHub answers 301 for a renamed repository). */
const MAX_REDIRECTS = 5;

export interface OnlineResolver {
  prefetch(refs: Array<{ action: string; ref: string }>): Promise<void>;
  resolver: PinResolver;
}

interface CachedRef {
  fetchedAt: number;
  kind: RefInfo["kind"];
  commit?: string;
  newestRelease?: { tag: string; commit: string };
  note?: string;
}

interface CachedRelease {
  fetchedAt: number;
  tag?: string;
  commit?: string;
}

interface CacheFile {
  version: 1;
  apiUrl: string;
  refs: Record<string, CachedRef>;
  releases: Record<string, CachedRelease>;
}

/** Why the API did not answer usefully; `halt` stops the remaining requests of a prefetch. */
class ApiProblem extends Error {
  readonly halt: boolean;
  constructor(message: string, halt: boolean) {
    super(message);
    this.halt = halt;
  }
}

interface ApiResponse {
  status: number;
  body: unknown;
}

const RELEASE = /^v(\d+)\.(\d+)\.(\d+)$/;
const PEEL_DEPTH = 5;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function pathOf(segments: string): string {
  return segments.split("/").map(encodeURIComponent).join("/");
}

function semverOf(tag: string): number[] | undefined {
  const m = RELEASE.exec(tag);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

function newerThan(a: number[], b: number[]): boolean {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i]! > b[i]!;
  return false;
}

function emptyCache(apiUrl: string): CacheFile {
  return { version: 1, apiUrl, refs: {}, releases: {} };
}

/** A ref cache larger than this is not read (thousands of refs take well under a megabyte). */
export const MAX_CACHE_BYTES = 8 * 1024 * 1024;

/**
 * The default ref cache, in the user's cache directory (never in the repository being linted,
 * where a pull request could plant answers): `$XDG_CACHE_HOME/credflow/pins.json`, else
 * `~/Library/Caches/credflow/pins.json` on macOS, `%LOCALAPPDATA%\credflow\pins.json` on Windows,
 * `~/.cache/credflow/pins.json` elsewhere (`home`, default the OS's, when the environment names no
 * home; `null` for none). Undefined when no home directory is known.
 */
export function defaultPinCacheFile(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform, home: string | null = safeHomedir() ?? null): string | undefined {
  const dir = userCacheDir(env, platform, home);
  return dir === undefined ? undefined : (platform === "win32" ? nodePath.win32 : nodePath.posix).join(dir, "pins.json");
}

function errorCode(err: unknown): string {
  return isObject(err) && typeof err.code === "string" ? err.code : "error";
}

const CACHE_READ = { links: "refuse", maxBytes: MAX_CACHE_BYTES } as const;

/** Why `file` must not be used as the cache, or undefined when it is fine (or does not exist yet). */
function unusableCache(file: string): string | undefined {
  const st = inspectFile(file, CACHE_READ);
  if (st.ok) return undefined;
  switch (st.reason) {
    case "missing":
      // Missing (not written yet) or unreachable: reading finds nothing, writing reports its error.
      return undefined;
    case "link":
      return "is a symbolic link";
    case "too-large":
      return `is larger than ${MAX_CACHE_BYTES / (1024 * 1024)} MiB`;
    default:
      return "is not a regular file";
  }
}

/** The cache's text, read without following a link or waiting on a FIFO; undefined when there is none. */
function readCacheText(file: string): string | undefined {
  const read = readFileSafely(file, CACHE_READ);
  return read.ok ? read.bytes.toString("utf8") : undefined;
}

function readCache(file: string, apiUrl: string, log: (m: string) => void): CacheFile {
  const text = readCacheText(file);
  if (text === undefined) return emptyCache(apiUrl); // No cache yet.
  try {
    const parsed: unknown = JSON.parse(text);
    if (isObject(parsed) && parsed.version === 1 && parsed.apiUrl === apiUrl && isObject(parsed.refs) && isObject(parsed.releases)) {
      return parsed as unknown as CacheFile;
    }
    // Another API host or format: start afresh rather than mix answers.
    return emptyCache(apiUrl);
  } catch {
    log(`ref cache ${file} is not valid JSON; ignoring it`);
    return emptyCache(apiUrl);
  }
}

/** `value` when it is a positive finite number, else `fallback`. */
function positive(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : fallback;
}

/** "5 s", "0.25 s": a duration in ms for a message. */
function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(2))} s`;
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}

/** The problem an aborted request reports: the timeout's or the budget's, whichever aborted it. */
function abortProblem(signal: AbortSignal): ApiProblem {
  const reason: unknown = signal.reason;
  return reason instanceof ApiProblem ? reason : new ApiProblem("online lookups stopped", true);
}

/**
 * A response's body as text, or undefined when it is larger than `limit` bytes (declared or
 * counted while reading: the rest is never downloaded).
 */
async function readBody(res: Response, limit: number): Promise<string | undefined> {
  const declared = Number(res.headers.get("content-length") ?? "");
  if (Number.isFinite(declared) && declared > limit) {
    await res.body?.cancel().catch(() => undefined);
    return undefined;
  }
  if (!res.body) return "";
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

export function createOnlineResolver(opts: OnlineOptions): OnlineResolver {
  const apiUrl = (opts.apiUrl ?? "https://api.github.com").replace(/\/+$/, "");
  const token = opts.token?.trim() || undefined;
  const fetchImpl = opts.fetchImpl ?? fetch;
  const maxRetries = Math.max(0, opts.maxRetries ?? 3);
  const retryDelayMs = Math.max(0, opts.retryDelayMs ?? 500);
  const ttlMs = (opts.cacheTtlSeconds ?? 86_400) * 1000;
  const concurrency = Math.max(1, opts.concurrency ?? 4);
  const fallback = opts.fallback;
  const rawLog = opts.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  // Belt and braces: no message is built from the token, but never let one through.
  const log = (m: string) => rawLog(token && token.length >= 4 ? m.split(token).join("***") : m);

  let cacheFile = opts.cacheFile;
  if (cacheFile !== undefined) {
    const why = unusableCache(cacheFile);
    if (why !== undefined) {
      log(`ref cache ${cacheFile} ${why}; not using it`);
      cacheFile = undefined;
    }
  }
  const cache = cacheFile === undefined ? emptyCache(apiUrl) : readCache(cacheFile, apiUrl, log);
  let dirty = false;
  /** Repositories the API answered 404 for in this run (not cached: a later run asks again). */
  const missingRepos = new Set<string>();

  const headers: Record<string, string> = {
    accept: "application/vnd.github+json",
    "x-github-api-version": "2022-11-28",
    "user-agent": "credflow",
  };
  if (token) headers.authorization = `Bearer ${token}`;

  const requestTimeoutMs = positive(opts.requestTimeoutMs, DEFAULT_REQUEST_TIMEOUT_MS);
  const budgetMs = positive(opts.budgetMs, BUDGET_PER_REQUEST_TIMEOUT * requestTimeoutMs);
  const maxResponseBytes = positive(opts.maxResponseBytes, MAX_RESPONSE_BYTES);
  const apiOrigin = originOf(apiUrl);

  /** The running prefetch's budget: aborted when it runs out or when the lookups halt. */
  let phase: AbortController = new AbortController();

  /** Waits `ms`, or less when the phase ends first. */
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (phase.signal.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        phase.signal.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      phase.signal.addEventListener("abort", done, { once: true });
    });

  /** Why the phase was aborted, as the problem every request then reports. */
  const phaseProblem = (): ApiProblem => abortProblem(phase.signal);

  /**
   * One HTTP exchange, body included, within the request timeout: the response's status, headers
   * and text, redirects within the API's origin followed (with the token), none to another origin.
   */
  async function exchange(path: string, what: string): Promise<{ status: number; headers: Headers; text: string }> {
    let url = `${apiUrl}${path}`;
    for (let hop = 0; ; hop++) {
      if (phase.signal.aborted) throw phaseProblem();
      const request = new AbortController();
      const onPhaseEnd = () => request.abort(phase.signal.reason);
      phase.signal.addEventListener("abort", onPhaseEnd, { once: true });
      const timer = setTimeout(
        () => request.abort(new ApiProblem(`GitHub API at ${apiUrl} did not answer ${what} within ${seconds(requestTimeoutMs)} (--online-timeout); remaining refs use the offline table`, true)),
        requestTimeoutMs,
      );
      try {
        let res: Response;
        try {
          res = await fetchImpl(url, { headers, redirect: "manual", signal: request.signal });
        } catch (err) {
          if (request.signal.aborted) throw abortProblem(request.signal);
          throw err;
        }
        if (res.status >= 300 && res.status < 400 && res.headers.has("location")) {
          await res.body?.cancel().catch(() => undefined);
          let target: URL;
          try {
            target = new URL(res.headers.get("location")!, url);
          } catch {
            throw new ApiProblem(`could not resolve ${what}: the GitHub API answered HTTP ${res.status} with an unusable Location; remaining refs use the offline table`, true);
          }
          if (target.origin !== apiOrigin) {
            // The token is for the API; it is not sent anywhere else, so the answer cannot be had.
            throw new ApiProblem(
              `could not resolve ${what}: the GitHub API redirected to another origin (${target.origin}), which is not followed with the token; remaining refs use the offline table`,
              true,
            );
          }
          if (hop >= MAX_REDIRECTS) {
            throw new ApiProblem(`could not resolve ${what}: more than ${MAX_REDIRECTS} redirects from the GitHub API; remaining refs use the offline table`, true);
          }
          url = target.href;
          continue;
        }
        const body = await readBody(res, maxResponseBytes).catch((err: unknown) => {
          if (request.signal.aborted) throw abortProblem(request.signal);
          throw err;
        });
        if (body === undefined) {
          throw new ApiProblem(
            `could not resolve ${what}: the GitHub API sent more than ${maxResponseBytes / (1024 * 1024)} MiB; remaining refs use the offline table`,
            true,
          );
        }
        return { status: res.status, headers: res.headers, text: body };
      } finally {
        clearTimeout(timer);
        phase.signal.removeEventListener("abort", onPhaseEnd);
      }
    }
  }

  /** GET with bounded retries; returns 200 and 404 answers, throws ApiProblem for the rest. */
  async function get(path: string, what: string): Promise<ApiResponse> {
    for (let attempt = 0; ; attempt++) {
      let res: { status: number; headers: Headers; text: string };
      try {
        res = await exchange(path, what);
      } catch (err) {
        if (err instanceof ApiProblem) throw err;
        if (attempt < maxRetries && !phase.signal.aborted) {
          await sleep(retryDelayMs * 2 ** attempt);
          continue;
        }
        if (phase.signal.aborted) throw phaseProblem();
        // Only the error code: a message could quote request details.
        const code = isObject(err) && isObject(err.cause) && typeof err.cause.code === "string" ? err.cause.code : "network error";
        throw new ApiProblem(`GitHub API unreachable at ${apiUrl} (${code}) after ${attempt + 1} attempts; using the offline table`, true);
      }
      if (res.status >= 500 && attempt < maxRetries) {
        await sleep(retryDelayMs * 2 ** attempt);
        if (phase.signal.aborted) throw phaseProblem();
        continue;
      }
      let body: unknown;
      let json = true;
      try {
        body = JSON.parse(res.text);
      } catch {
        json = false;
      }
      if (res.status === 200) {
        // A 200 that is not JSON (a proxy's login page, a truncated answer) says nothing about the ref.
        if (!json) throw new ApiProblem(`could not resolve ${what}: the GitHub API answered HTTP 200 with a body that is not JSON; remaining refs use the offline table`, true);
        return { status: 200, body };
      }
      if (res.status === 404) return { status: 404, body };
      const remaining = res.headers.get("x-ratelimit-remaining");
      const bodyMessage = isObject(body) && typeof body.message === "string" ? body.message : "";
      if (res.status === 429 || (res.status === 403 && (remaining === "0" || res.headers.has("retry-after") || /rate limit/i.test(bodyMessage)))) {
        const reset = Number(res.headers.get("x-ratelimit-reset"));
        const when = Number.isFinite(reset) && reset > 0 ? ` until ${new Date(reset * 1000).toISOString()}` : "";
        const hint = token ? "" : " (set GITHUB_TOKEN for a higher limit)";
        throw new ApiProblem(`GitHub API rate limit reached${when}${hint}; remaining refs use the offline table`, true);
      }
      if (res.status === 401) {
        throw new ApiProblem("GitHub API rejected the token (401 Unauthorized): check that it is valid and not expired; using the offline table", true);
      }
      if (res.status === 403) {
        throw new ApiProblem(`${what}: 403 Forbidden from the GitHub API (no access to the repository, or SSO authorisation needed); using the offline table`, false);
      }
      if (res.status >= 500) {
        throw new ApiProblem(`GitHub API answered HTTP ${res.status} for ${what} after ${attempt + 1} attempts; using the offline table`, true);
      }
      if (res.status >= 300 && res.status < 400) {
        throw new ApiProblem(`could not resolve ${what}: the GitHub API answered HTTP ${res.status} without a Location; remaining refs use the offline table`, true);
      }
      throw new ApiProblem(`${what}: unexpected HTTP ${res.status} from the GitHub API; using the offline table`, false);
    }
  }

  /** The commit a ref object names, peeling annotated tags; undefined for a missing ref. */
  async function refCommit(repo: string, kind: "tags" | "heads", name: string, what: string): Promise<{ commit?: string; found: boolean }> {
    const res = await get(`/repos/${repo}/git/ref/${kind}/${pathOf(name)}`, what);
    if (res.status === 404) return { found: false };
    let body = res.body;
    // Some servers answer a prefix match with an array: keep only the exact ref.
    if (Array.isArray(body)) {
      body = body.find((r: unknown) => isObject(r) && r.ref === `refs/${kind}/${name}`);
      if (body === undefined) return { found: false };
    }
    if (!isObject(body) || body.ref !== `refs/${kind}/${name}` || !isObject(body.object)) {
      // Not a missing ref: an answer that is not the ref asked for says nothing either way.
      throw new ApiProblem(`could not resolve ${what}: the GitHub API's answer for refs/${kind}/${name} is not that Git ref; remaining refs use the offline table`, true);
    }
    let object = body.object;
    for (let depth = 0; object.type === "tag" && depth < PEEL_DEPTH; depth++) {
      const tag = await get(`/repos/${repo}/git/tags/${pathOf(String(object.sha))}`, what);
      if (tag.status !== 200 || !isObject(tag.body) || !isObject(tag.body.object)) return { found: true };
      object = tag.body.object;
    }
    return { found: true, commit: object.type === "commit" && typeof object.sha === "string" ? object.sha.toLowerCase() : undefined };
  }

  const releaseWork = new Map<string, Promise<CachedRelease>>();

  /** Newest vX.Y.Z of an action: the latest release and the first page of tags, highest semver wins. */
  function newestRelease(action: string, repo: string): Promise<CachedRelease> {
    const cached = cache.releases[action];
    if (cached && Date.now() - cached.fetchedAt < ttlMs) return Promise.resolve(cached);
    let work = releaseWork.get(action);
    if (!work) {
      work = (async () => {
        const candidates: Array<{ tag: string; commit?: string }> = [];
        const latest = await get(`/repos/${repo}/releases/latest`, `${action} latest release`);
        if (latest.status === 200 && isObject(latest.body) && typeof latest.body.tag_name === "string") {
          candidates.push({ tag: latest.body.tag_name });
        }
        const tags = await get(`/repos/${repo}/tags?per_page=100`, `${action} tags`);
        if (tags.status === 200 && Array.isArray(tags.body)) {
          for (const t of tags.body) {
            if (isObject(t) && typeof t.name === "string" && isObject(t.commit) && typeof t.commit.sha === "string") {
              candidates.push({ tag: t.name, commit: t.commit.sha.toLowerCase() });
            }
          }
        }
        let best: { tag: string; commit?: string } | undefined;
        for (const c of candidates) {
          const v = semverOf(c.tag);
          if (!v) continue;
          const bv = best ? semverOf(best.tag)! : undefined;
          // Same release from both sources: keep the one that already carries its commit.
          if (!bv || newerThan(v, bv) || (!newerThan(bv, v) && !best!.commit && c.commit)) best = c;
        }
        const entry: CachedRelease = { fetchedAt: Date.now() };
        if (best) {
          entry.tag = best.tag;
          entry.commit = best.commit ?? (await refCommit(repo, "tags", best.tag, `${action}@${best.tag}`)).commit;
        }
        cache.releases[action] = entry;
        dirty = true;
        return entry;
      })();
      releaseWork.set(action, work);
    }
    return work;
  }

  async function fetchRef(action: string, ref: string): Promise<void> {
    const [owner, name] = action.split("/");
    if (!owner || !name) return;
    const repo = `${encodeURIComponent(owner)}/${encodeURIComponent(name)}`;
    const what = `${action}@${ref}`;
    const tag = await refCommit(repo, "tags", ref, what);
    const branch = await refCommit(repo, "heads", ref, what);
    const entry: CachedRef = { fetchedAt: Date.now(), kind: "unknown" };
    if (!tag.found && !branch.found) {
      const repoRes = await get(`/repos/${repo}`, action);
      if (repoRes.status === 404) {
        log(`${action}: repository not found (missing, renamed, or private and not visible to the token); using the offline table`);
        missingRepos.add(action);
        return;
      }
      entry.note = `no tag or branch named \`${ref}\` in ${action}`;
    } else if (tag.found && branch.found) {
      entry.kind = "tag-and-branch";
      entry.commit = tag.commit;
      entry.note = `both a tag and a branch (head ${branch.commit?.slice(0, 7) ?? "?"}): the runner takes the tag, the workflow cannot show which runs`;
    } else if (tag.found) {
      entry.kind = BRANCH_LIKE_NAMES.has(ref) ? "frozen-tag" : "tag";
      entry.commit = tag.commit;
      if (entry.kind === "frozen-tag") entry.note = "a tag named like a branch: it never moves with new commits";
    } else {
      entry.kind = "branch";
      entry.commit = branch.commit;
    }
    if (entry.kind === "branch" || entry.kind === "tag-and-branch" || entry.kind === "frozen-tag") {
      const rel = await newestRelease(action, repo);
      if (rel.tag && rel.commit) entry.newestRelease = { tag: rel.tag, commit: rel.commit };
    }
    if (entry.commit === undefined) delete entry.commit;
    cache.refs[`${action}@${ref}`] = entry;
    dirty = true;
  }

  /** Atomically: a new file of our own (never through a link), renamed over the cache. */
  function writeCache(): void {
    if (!dirty || cacheFile === undefined) return;
    const file = cacheFile;
    let tmp: string | undefined;
    try {
      fs.mkdirSync(nodePath.dirname(file), { recursive: true, mode: 0o700 });
      // Examined again: something may have appeared there since the cache was read.
      const why = unusableCache(file);
      if (why !== undefined) {
        log(`ref cache ${file} ${why}; not writing it`);
        cacheFile = undefined;
        return;
      }
      tmp = `${file}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
      const flags = fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | (fs.constants.O_NOFOLLOW ?? 0);
      const fd = fs.openSync(tmp, flags, 0o600);
      try {
        fs.writeFileSync(fd, JSON.stringify(cache) + "\n");
      } finally {
        fs.closeSync(fd);
      }
      fs.renameSync(tmp, file);
      tmp = undefined;
      dirty = false;
    } catch (err) {
      log(`could not write the ref cache ${file} (${errorCode(err)})`);
    } finally {
      if (tmp !== undefined) fs.rmSync(tmp, { force: true });
    }
  }

  async function prefetch(refs: Array<{ action: string; ref: string }>): Promise<void> {
    const todo = new Map<string, { action: string; ref: string }>();
    for (const r of refs) {
      const action = actionKey(r.action);
      const ref = r.ref.trim();
      // A full SHA names itself: nothing to look up.
      if (ref === "" || isFullSha(ref)) continue;
      const key = `${action}@${ref}`;
      const hit = cache.refs[key];
      if (hit && Date.now() - hit.fetchedAt < ttlMs) continue;
      todo.set(key, { action, ref });
    }
    const queue = [...todo.values()];
    if (queue.length === 0) {
      writeCache();
      return;
    }
    const total = queue.length;
    let done = 0;
    let halted = false;
    phase = new AbortController();
    const budget = setTimeout(
      () =>
        phase.abort(
          new ApiProblem(
            `online lookups stopped after ${seconds(budgetMs)}, the limit for the whole online phase (${BUDGET_PER_REQUEST_TIMEOUT} × --online-timeout); ${done} of ${total} refs resolved, the rest use the offline table`,
            true,
          ),
        ),
      budgetMs,
    );
    const worker = async () => {
      for (let item = queue.shift(); item && !halted; item = queue.shift()) {
        try {
          await fetchRef(item.action, item.ref);
          done++;
        } catch (err) {
          // Once halted, what the other requests in flight run into is a consequence: one line is enough.
          if (halted) break;
          if (err instanceof ApiProblem) {
            if (err.halt) {
              halted = true;
              log(err.message);
              // Requests still in flight end now instead of running into their own timeouts.
              if (!phase.signal.aborted) phase.abort(err);
            } else log(err.message);
          } else {
            log(`${item.action}@${item.ref}: ${err instanceof Error ? err.name : "error"} while resolving; using the offline table`);
          }
        }
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, worker));
    } finally {
      clearTimeout(budget);
    }
    writeCache();
  }

  function fromEntry(action: string, ref: string, e: CachedRef): RefInfo {
    const info: RefInfo = { kind: e.kind, action, ref, source: "online" };
    if (e.commit) {
      info.commit = e.commit;
      // The offline table names the release on that commit, if it knows one.
      const same = fallback.resolve(action, e.commit).tag;
      if (same) info.tag = same;
    }
    if (e.newestRelease) info.newestRelease = e.newestRelease;
    if (e.kind !== "unknown") {
      const runtime = fallback.runtimeOf(action, ref);
      if (runtime) info.runtime = runtime;
    }
    if (e.note) info.note = e.note;
    return info;
  }

  const resolver: PinResolver = {
    resolve(action, ref) {
      const key = actionKey(action);
      const r = ref.trim();
      const entry = cache.refs[`${key}@${r}`];
      if (entry) return fromEntry(key, r, entry);
      const info = fallback.resolve(action, ref);
      // The offline answer says "--online decides"; online, the repository itself was not found.
      if (info.note === NOT_IN_TABLE_NOTE && missingRepos.has(key)) {
        // The offline answer is shared (and frozen): this one is a copy.
        return { ...info, note: `could not be resolved: ${key} was not found on GitHub (missing, renamed, or private and not visible to the token)` };
      }
      return info;
    },
    knows(action) {
      const key = actionKey(action);
      return fallback.knows(key) || cache.releases[key] !== undefined || Object.keys(cache.refs).some((k) => k.startsWith(`${key}@`));
    },
    newestMajor(action) {
      const known = fallback.newestMajor(action);
      if (known) return known;
      // Whether a floating `vN` tag exists is unknown here, so the release itself is the major.
      const rel = cache.releases[actionKey(action)];
      return rel?.tag ? { major: rel.tag, tag: rel.tag } : undefined;
    },
    runtimeOf: (action, ref) => resolver.resolve(action, ref).runtime,
  };

  return { prefetch, resolver };
}
