/**
 * Reading a file that a repository (or a pull request) may have planted, one way for every caller
 * (workflows and actions, `.credflow.yml`, the `--online` ref cache): a regular file only — never a
 * FIFO or a device, whose reads could hang or never end —, at most `maxBytes` (refused from its size
 * on disk, unread), and, with a `root`, never through a symbolic link (of the file or of a folder
 * above it) whose target lies outside that root. The file is opened without blocking and checked
 * again once open, so a file swapped between the check and the read is not read either.
 *
 * The functions never throw for the file's sake: they say why they refused, and each caller words
 * that in its own messages.
 */
import * as fs from "node:fs";
import { isInside } from "./paths.js";

export interface SafeReadOptions {
  /** The file's real path must be inside this folder (its real path too). No bound when undefined. */
  root?: string;
  /** A symbolic link at the path itself: followed (the default; `root` still bounds it) or refused. */
  links?: "follow" | "refuse";
  /** Files larger than this are refused. */
  maxBytes: number;
}

/** Why a file was not read. `code` is the errno code (`ENOENT`, `EACCES`, …). */
export type Refusal =
  /** Nothing at the path (or the path cannot be examined). */
  | { reason: "missing"; code: string }
  /** A symbolic link whose target is missing or unreadable. */
  | { reason: "dangling-link"; code: string }
  /** A symbolic link, and `links` is "refuse". */
  | { reason: "link" }
  /** The real path lies outside `root`. */
  | { reason: "outside" }
  | { reason: "directory" }
  /** A FIFO, a device or a socket; `kind` says which ("a FIFO"). */
  | { reason: "not-regular"; kind: string }
  /** Larger than `maxBytes`: `size` from the file system, undefined when it grew while being read. */
  | { reason: "too-large"; size?: number }
  /** Replaced by another file between the check and the read. */
  | { reason: "changed" }
  /** Opening or reading failed. */
  | { reason: "error"; code: string };

export type Inspection = { ok: true; real: string; stat: fs.Stats } | ({ ok: false } & Refusal);
export type SafeRead = { ok: true; real: string; bytes: Buffer } | ({ ok: false } & Refusal);

/** Checks a file as `readFileSafely` does, without opening it. */
export function inspectFile(absPath: string, opts: SafeReadOptions): Inspection {
  let lst: fs.Stats;
  try {
    lst = fs.lstatSync(absPath);
  } catch (err) {
    return { ok: false, reason: "missing", code: errCode(err) };
  }
  const isLink = lst.isSymbolicLink();
  if (isLink && opts.links === "refuse") return { ok: false, reason: "link" };
  let real = absPath;
  if (isLink || opts.root !== undefined) {
    // Any component of the path may be a link (a linked folder holding action.yml): check the real path.
    try {
      real = fs.realpathSync(absPath);
    } catch (err) {
      return isLink ? { ok: false, reason: "dangling-link", code: errCode(err) } : { ok: false, reason: "error", code: errCode(err) };
    }
    if (opts.root !== undefined && !isInside(realRoot(opts.root), real)) return { ok: false, reason: "outside" };
  }
  let stat = lst;
  if (isLink) {
    try {
      stat = fs.statSync(real);
    } catch (err) {
      return { ok: false, reason: "dangling-link", code: errCode(err) };
    }
  }
  const refused = refuseStat(stat, opts.maxBytes);
  return refused ? { ok: false, ...refused } : { ok: true, real, stat };
}

/** Reads a file after the checks of `inspectFile`, then checks the opened file again. */
export function readFileSafely(absPath: string, opts: SafeReadOptions): SafeRead {
  const inspected = inspectFile(absPath, opts);
  if (!inspected.ok) return inspected;
  const { real, stat } = inspected;
  // O_NONBLOCK: should the file have become a FIFO since the check, opening it does not wait.
  const flags = fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0) | (opts.links === "refuse" ? (fs.constants.O_NOFOLLOW ?? 0) : 0);
  let fd: number;
  try {
    fd = fs.openSync(real, flags);
  } catch (err) {
    return { ok: false, reason: "error", code: errCode(err) };
  }
  try {
    const opened = fs.fstatSync(fd);
    if (opened.dev !== stat.dev || opened.ino !== stat.ino) return { ok: false, reason: "changed" };
    const refused = refuseStat(opened, opts.maxBytes);
    if (refused) return { ok: false, ...refused };
    const bytes = readAtMost(fd, opts.maxBytes, opened.size);
    if (bytes.length > opts.maxBytes) return { ok: false, reason: "too-large" };
    return { ok: true, real, bytes };
  } catch (err) {
    return { ok: false, reason: "error", code: errCode(err) };
  } finally {
    fs.closeSync(fd);
  }
}

/** "a FIFO", "a character device", … for a file that is not regular. */
function fileKind(stat: fs.Stats): string {
  if (stat.isFIFO()) return "a FIFO";
  if (stat.isCharacterDevice()) return "a character device";
  if (stat.isBlockDevice()) return "a block device";
  if (stat.isSocket()) return "a socket";
  return "not a file";
}

function refuseStat(stat: fs.Stats, maxBytes: number): Refusal | undefined {
  if (stat.isDirectory()) return { reason: "directory" };
  if (!stat.isFile()) return { reason: "not-regular", kind: fileKind(stat) };
  if (stat.size > maxBytes) return { reason: "too-large", size: stat.size };
  return undefined;
}

/**
 * Up to `limit + 1` bytes (one more than allowed shows the file grew past the limit). The first
 * read asks for the size the file had when opened (and one byte more), so a small file costs a
 * buffer of its size rather than a 64 KB one.
 */
function readAtMost(fd: number, limit: number, expected: number): Buffer {
  const chunks: Buffer[] = [];
  let total = 0;
  let want = Math.min(expected + 1, 64 * 1024);
  while (total <= limit) {
    const chunk = Buffer.allocUnsafe(Math.min(want, limit + 1 - total));
    want = 64 * 1024;
    const n = fs.readSync(fd, chunk, 0, chunk.length, null);
    if (n === 0) break;
    chunks.push(chunk.subarray(0, n));
    total += n;
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
}

function errCode(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === "string" ? code : "error";
}

const realRoots = new Map<string, string>();

/** The root's real path (memoised): a repository reached through a linked folder is still itself. */
function realRoot(root: string): string {
  let r = realRoots.get(root);
  if (r === undefined) {
    try {
      r = fs.realpathSync(root);
    } catch {
      r = root;
    }
    realRoots.set(root, r);
  }
  return r;
}
