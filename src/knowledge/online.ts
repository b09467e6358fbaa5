/**
 * Optional online ref resolution through the GitHub REST API. Everything network-bound happens
 * in prefetch(); afterwards `resolver` answers synchronously from what was fetched (or cached),
 * falling back to the offline table. Messages never include the token.
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import { homedir } from "node:os";
import * as nodePath from "node:path";
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
}

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
  if (platform === "win32") {
    const p = nodePath.win32;
    const local = env.LOCALAPPDATA;
    if (local && p.isAbsolute(local)) return p.join(local, "credflow", "pins.json");
    const h = env.USERPROFILE || home;
    return h && p.isAbsolute(h) ? p.join(h, "AppData", "Local", "credflow", "pins.json") : undefined;
  }
  const p = nodePath.posix;
  // The XDG spec ignores relative values.
  const xdg = env.XDG_CACHE_HOME;
  if (xdg && p.isAbsolute(xdg)) return p.join(xdg, "credflow", "pins.json");
  const h = env.HOME || home;
  if (!h || !p.isAbsolute(h)) return undefined;
  return platform === "darwin" ? p.join(h, "Library", "Caches", "credflow", "pins.json") : p.join(h, ".cache", "credflow", "pins.json");
}

function safeHomedir(): string | undefined {
  try {
    return homedir() || undefined;
  } catch {
    return undefined;
  }
}

function errorCode(err: unknown): string {
  return isObject(err) && typeof err.code === "string" ? err.code : "error";
}

/** Why `file` must not be used as the cache, or undefined when it is fine (or does not exist yet). */
function unusableCache(file: string): string | undefined {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(file);
  } catch {
    // Missing (not written yet) or unreachable: reading finds nothing, writing reports its error.
    return undefined;
  }
  if (st.isSymbolicLink()) return "is a symbolic link";
  if (!st.isFile()) return "is not a regular file";
  if (st.size > MAX_CACHE_BYTES) return `is larger than ${MAX_CACHE_BYTES / (1024 * 1024)} MiB`;
  return undefined;
}

/** The cache's text, read without following a link or waiting on a FIFO; undefined when there is none. */
function readCacheText(file: string): string | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0) | (fs.constants.O_NONBLOCK ?? 0));
  } catch {
    return undefined;
  }
  try {
    const st = fs.fstatSync(fd);
    // Replaced since it was examined: not the file that was checked.
    if (!st.isFile() || st.size > MAX_CACHE_BYTES) return undefined;
    return fs.readFileSync(fd, "utf8");
  } catch {
    return undefined;
  } finally {
    fs.closeSync(fd);
  }
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

  const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

  /** GET with bounded retries; returns 200 and 404 answers, throws ApiProblem for the rest. */
  async function get(path: string, what: string): Promise<ApiResponse> {
    for (let attempt = 0; ; attempt++) {
      let res: Response;
      try {
        res = await fetchImpl(`${apiUrl}${path}`, { headers });
      } catch (err) {
        if (attempt < maxRetries) {
          await sleep(retryDelayMs * 2 ** attempt);
          continue;
        }
        // Only the error code: a message could quote request details.
        const code = isObject(err) && isObject(err.cause) && typeof err.cause.code === "string" ? err.cause.code : "network error";
        throw new ApiProblem(`GitHub API unreachable at ${apiUrl} (${code}) after ${attempt + 1} attempts; using the offline table`, true);
      }
      if (res.status >= 500 && attempt < maxRetries) {
        await res.body?.cancel().catch(() => undefined);
        await sleep(retryDelayMs * 2 ** attempt);
        continue;
      }
      let body: unknown;
      try {
        body = await res.json();
      } catch {
        body = undefined;
      }
      if (res.status === 200 || res.status === 404) return { status: res.status, body };
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
      throw new ApiProblem(`${what}: unexpected HTTP ${res.status} from the GitHub API; using the offline table`, false);
    }
  }

  /** The commit a ref object names, peeling annotated tags; undefined for a missing ref. */
  async function refCommit(repo: string, kind: "tags" | "heads", name: string, what: string): Promise<{ commit?: string; found: boolean }> {
    const res = await get(`/repos/${repo}/git/ref/${kind}/${pathOf(name)}`, what);
    if (res.status === 404) return { found: false };
    let body = res.body;
    // Some servers answer a prefix match with an array: keep only the exact ref.
    if (Array.isArray(body)) body = body.find((r: unknown) => isObject(r) && r.ref === `refs/${kind}/${name}`);
    if (!isObject(body) || body.ref !== `refs/${kind}/${name}` || !isObject(body.object)) return { found: false };
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
    let halted = false;
    const worker = async () => {
      for (let item = queue.shift(); item && !halted; item = queue.shift()) {
        try {
          await fetchRef(item.action, item.ref);
        } catch (err) {
          if (err instanceof ApiProblem) {
            if (err.halt) {
              if (!halted) log(err.message);
              halted = true;
            } else log(err.message);
          } else {
            log(`${item.action}@${item.ref}: ${err instanceof Error ? err.name : "error"} while resolving; using the offline table`);
          }
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, worker));
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
        info.note = `could not be resolved: ${key} was not found on GitHub (missing, renamed, or private and not visible to the token)`;
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
