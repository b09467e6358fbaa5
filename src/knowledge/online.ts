/**
 * Optional online ref resolution through the GitHub REST API. Everything network-bound happens
 * in prefetch(); afterwards `resolver` answers synchronously from what was fetched (or cached),
 * falling back to the offline table. Messages never include the token.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { actionKey, BRANCH_LIKE_NAMES, isFullSha, type PinResolver, type RefInfo } from "./pins.js";

export interface OnlineOptions {
  /** REST API root; default https://api.github.com (GHES: https://HOST/api/v3). */
  apiUrl?: string;
  token?: string;
  /** JSON cache: read when the resolver is created, written atomically at the end of prefetch(). */
  cacheFile: string;
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

function readCache(file: string, apiUrl: string, log: (m: string) => void): CacheFile {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return emptyCache(apiUrl); // No cache yet.
  }
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

  const cache = readCache(opts.cacheFile, apiUrl, log);
  let dirty = false;

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

  function writeCache(): void {
    if (!dirty) return;
    try {
      mkdirSync(dirname(opts.cacheFile), { recursive: true });
      const tmp = `${opts.cacheFile}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(cache) + "\n");
      renameSync(tmp, opts.cacheFile);
      dirty = false;
    } catch (err) {
      const code = isObject(err) && typeof err.code === "string" ? err.code : "error";
      log(`could not write the ref cache ${opts.cacheFile} (${code})`);
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
      return entry ? fromEntry(key, r, entry) : fallback.resolve(action, ref);
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
