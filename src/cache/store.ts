/**
 * The lint cache's file: where it lives, reading it without trusting it, writing it atomically.
 *
 * One file per set of repositories linted together (named by a hash of their root paths), in the
 * user cache directory unless `--cache-location` says otherwise; never inside a repository by
 * default. A file that is too large, is not JSON, is another tool's or another cache format's, or
 * whose entries are malformed is ignored with one line on standard error and never trusted. A file
 * that is not this cache's (it does not start as credflow writes it) is also never overwritten: the
 * location may name someone else's file.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { userCacheDir } from "../fs/cache-dir.js";

/** Bumped whenever the layout of the file or of an entry changes. */
export const CACHE_FORMAT = 3;
/** A cache file larger than this is not read (and a result that would make it larger is not written). */
export const MAX_CACHE_BYTES = 64 * 1024 * 1024;
const TOOL = "credflow-lint-cache";
/** How every file this cache writes begins: anything else is not ours to overwrite. */
const MAGIC = `{"tool":"${TOOL}",`;

export function sha256(data: string | Uint8Array): string {
  return crypto.createHash("sha256").update(data).digest("hex");
}

/**
 * The cache file for a run over the repositories `roots`: `--cache-location` (a file, or a folder —
 * an existing one, or a path ending in a separator — that gets one file per set of repositories),
 * else `<user cache directory>/lint/<hash>.json`. Undefined when neither is known.
 */
export function cacheFileFor(opts: { location?: string; cwd: string; env: NodeJS.ProcessEnv; roots: readonly string[] }): string | undefined {
  const name = `${sha256(JSON.stringify([...new Set(opts.roots)].sort())).slice(0, 24)}.json`;
  if (opts.location !== undefined) {
    const abs = path.resolve(opts.cwd, opts.location);
    let dir = /[\\/]$/.test(opts.location);
    if (!dir) {
      try {
        dir = fs.statSync(abs).isDirectory();
      } catch {
        dir = false;
      }
    }
    return dir ? path.join(abs, name) : abs;
  }
  const base = userCacheDir(opts.env);
  return base === undefined ? undefined : path.join(base, "lint", name);
}

/** The file as read: its entries (keyed by the repositories they cover), and whether it may be replaced. */
export interface LoadedCache<E> {
  entries: Map<string, E>;
  /** False for a file that is not this cache's: it is left alone. */
  writable: boolean;
}

/**
 * Reads the cache file. Absent: empty. Anything wrong: `log` gets the reason (the caller prints
 * one line) and the cache starts empty. `validEntry` checks each entry's shape.
 */
export function readCache<E>(file: string, validEntry: (e: unknown) => e is E, log: (reason: string) => void): LoadedCache<E> {
  const empty = (writable: boolean): LoadedCache<E> => ({ entries: new Map(), writable });
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return empty(true);
    log(`cannot read it (${code ?? "error"})`);
    return empty(false);
  }
  let text: string;
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) {
      log("not a regular file");
      return empty(false);
    }
    if (st.size > MAX_CACHE_BYTES) {
      log(`larger than ${MAX_CACHE_BYTES / (1024 * 1024)} MB`);
      return empty(startsAsOurs(fd));
    }
    const bytes = Buffer.alloc(st.size);
    let got = 0;
    while (got < st.size) {
      const n = fs.readSync(fd, bytes, got, st.size - got, got);
      if (n === 0) break;
      got += n;
    }
    text = bytes.subarray(0, got).toString("utf8");
  } catch (err) {
    log(`cannot read it (${(err as NodeJS.ErrnoException).code ?? "error"})`);
    return empty(false);
  } finally {
    fs.closeSync(fd);
  }
  const ours = text.startsWith(MAGIC);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    log(ours ? "corrupt (not valid JSON)" : "not a credflow lint cache");
    return empty(ours);
  }
  if (!isObject(data) || data.tool !== TOOL) {
    log("not a credflow lint cache");
    return empty(false);
  }
  if (data.format !== CACHE_FORMAT) {
    log(`written in another cache format (${JSON.stringify(data.format)?.slice(0, 20)}; this credflow reads ${CACHE_FORMAT})`);
    return empty(ours);
  }
  if (!isObject(data.entries)) {
    log("corrupt (no entries)");
    return empty(ours);
  }
  const entries = new Map<string, E>();
  for (const [id, e] of Object.entries(data.entries)) {
    if (!validEntry(e)) {
      log("corrupt (a malformed entry)");
      return empty(ours);
    }
    entries.set(id, e);
  }
  return { entries, writable: ours };
}

/** Whether the file's first bytes are this cache's. */
function startsAsOurs(fd: number): boolean {
  const head = Buffer.alloc(MAGIC.length);
  try {
    const n = fs.readSync(fd, head, 0, head.length, 0);
    return head.subarray(0, n).toString("utf8") === MAGIC;
  } catch {
    return false;
  }
}

/**
 * Writes the entries to `file` through a temporary file in the same folder and a rename, so a
 * reader sees the old file or the new one, never half of one. Returns the reason when it could not.
 * Not fix/write.ts's writeFileAtomic: that one keeps a repository file's mode and owner and syncs
 * file and folder to disk, where a cache wants mode 0600 whatever was there and no fsync on every
 * run (a cache lost in a crash is only ignored and rebuilt).
 */
export function writeCache(file: string, entries: ReadonlyMap<string, unknown>): string | undefined {
  let text = `${MAGIC}"format":${CACHE_FORMAT},"entries":{`;
  let first = true;
  for (const [id, e] of entries) {
    text += `${first ? "" : ","}${JSON.stringify(id)}:${JSON.stringify(e)}`;
    first = false;
    if (text.length > MAX_CACHE_BYTES) return `the results are larger than ${MAX_CACHE_BYTES / (1024 * 1024)} MB; not written`;
  }
  text += "}}\n";
  if (Buffer.byteLength(text) > MAX_CACHE_BYTES) return `the results are larger than ${MAX_CACHE_BYTES / (1024 * 1024)} MB; not written`;
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${crypto.randomBytes(4).toString("hex")}.tmp`);
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.writeFileSync(tmp, text, { mode: 0o600, flag: "wx" });
    fs.renameSync(tmp, file);
  } catch (err) {
    try {
      fs.rmSync(tmp, { force: true });
    } catch {
      // nothing more to do
    }
    return `cannot write it (${(err as NodeJS.ErrnoException).code ?? "error"})`;
  }
  return undefined;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
