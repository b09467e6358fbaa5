/**
 * Reads and parses files on demand, each at most once, and refuses to leave a repository root.
 * Workflows come from discovery; composite actions arrive as the graph follows `uses: ./…`.
 */
import * as fs from "node:fs";
import { isInside } from "../fs/paths.js";
import { inspectFile, readFileSafely } from "../fs/safe-read.js";
import * as path from "node:path";
import type { FileKind } from "../model/types.js";
import { MAX_FILE_BYTES, parseSourceFile, type ParsedFile, type RawInput } from "../parse/parse-file.js";

export type LoadResult = { ok: true; parsed: ParsedFile } | { ok: false; message: string; missing?: boolean };

/** What one read of a file's bytes found (`readRaw`). */
export type RawResult = { ok: true; raw: RawInput } | { ok: false; message: string; missing?: boolean };

/** One look at the disk (answers from memory are not told again). */
export type DiskLook =
  | { kind: "read"; absPath: string; fileKind: FileKind; root: string | undefined; result: RawResult }
  | { kind: "exists"; absPath: string; root: string | undefined; found: boolean }
  | { kind: "text"; absPath: string; root: string | undefined; text: string | undefined };

export class FileLoader {
  private readonly cache = new Map<string, LoadResult>();
  private readonly probes = new Map<string, boolean>();
  private readonly texts = new Map<string, string | undefined>();
  /** Every successfully parsed file, in load order. */
  readonly parsed: ParsedFile[] = [];
  /**
   * Told of every look at the disk, with what it found: the lint cache keys a repository's result
   * by exactly these (src/cache).
   */
  onDisk: ((look: DiskLook) => void) | undefined = undefined;

  /** `overrides` replaces the bytes of files by absolute path (the fixer re-lints edited text). */
  constructor(
    readonly cwd: string,
    private readonly overrides?: Map<string, Uint8Array>,
  ) {}

  /** Path as shown to users: relative to cwd, `/` separators. */
  display(absPath: string): string {
    const rel = path.relative(this.cwd, absPath);
    return (rel === "" ? "." : rel).split(path.sep).join("/");
  }

  /** Loads a file from disk. `root` bounds where it (and its symlink target) may live. */
  load(absPath: string, kind: FileKind, root: string | undefined): LoadResult {
    const cached = this.cache.get(absPath);
    if (cached) return cached;
    const result = this.read(absPath, kind, root);
    this.cache.set(absPath, result);
    if (result.ok) this.parsed.push(result.parsed);
    return result;
  }

  /** Reads a file's bytes with the same checks as `load`, without parsing (for batch preparation). */
  readRaw(absPath: string, kind: FileKind, root: string | undefined): RawResult {
    return this.check(absPath, kind, root);
  }

  /**
   * Whether a regular file exists at `absPath` inside `root`, without reading it (a Dockerfile that
   * makes a folder a container action). Answers are kept, like loads, so a run asks the disk once.
   */
  exists(absPath: string, root: string | undefined): boolean {
    const known = this.probes.get(absPath);
    if (known !== undefined) return known;
    const res = inspectFile(absPath, { root, maxBytes: Infinity });
    const found = res.ok;
    this.probes.set(absPath, found);
    this.onDisk?.({ kind: "exists", absPath, root, found });
    return found;
  }

  /**
   * A small auxiliary file's text (`.gitmodules`), or undefined when it is absent or unreadable;
   * read at most once per run.
   */
  readText(absPath: string, root: string | undefined): string | undefined {
    if (this.texts.has(absPath)) return this.texts.get(absPath);
    const res = readFileSafely(absPath, { root, maxBytes: MAX_FILE_BYTES });
    const text = res.ok ? new TextDecoder("utf-8").decode(res.bytes) : undefined;
    this.texts.set(absPath, text);
    this.onDisk?.({ kind: "text", absPath, root, text });
    return text;
  }

  /** Records a file parsed elsewhere (a worker), so later `load` calls share it. */
  register(absPath: string, parsed: ParsedFile): void {
    const result: LoadResult = { ok: true, parsed };
    this.cache.set(absPath, result);
    this.parsed.push(parsed);
  }

  /** Parses text that did not come from disk (standard input). */
  loadText(displayPath: string, repoPath: string, kind: FileKind, bytes: Uint8Array, root: string | undefined): ParsedFile {
    const parsed = parseSourceFile({ path: displayPath, repoPath, kind, bytes, root });
    this.parsed.push(parsed);
    return parsed;
  }

  private read(absPath: string, kind: FileKind, root: string | undefined): LoadResult {
    const res = this.check(absPath, kind, root);
    return res.ok ? { ok: true, parsed: parseSourceFile(res.raw) } : res;
  }

  private check(absPath: string, kind: FileKind, root: string | undefined): RawResult {
    const result = this.checkDisk(absPath, kind, root);
    this.onDisk?.({ kind: "read", absPath, fileKind: kind, root, result });
    return result;
  }

  private checkDisk(absPath: string, kind: FileKind, root: string | undefined): RawResult {
    const shown = this.display(absPath);
    const override = this.overrides?.get(absPath);
    // An override replaces the bytes, not the checks; a file above the size limit is refused by its
    // size, unread (a 1.5 GB file would otherwise be read whole, and held, first).
    const opts = { root, maxBytes: override ? Infinity : MAX_FILE_BYTES };
    let bytes = override;
    const res = override ? inspectFile(absPath, opts) : readFileSafely(absPath, opts);
    if (res.ok && "bytes" in res) bytes = res.bytes;
    const repoPath = root ? path.relative(root, absPath).split(path.sep).join("/") : shown;
    if (res.ok) return { ok: true, raw: { path: shown, repoPath, absPath, root, kind, bytes: bytes ?? new Uint8Array(0) } };
    switch (res.reason) {
      case "missing":
        return { ok: false, message: `${shown}: no such file`, missing: true };
      case "dangling-link":
        return { ok: false, message: `${shown}: broken symbolic link`, missing: true };
      case "link":
      case "outside":
        return { ok: false, message: `${shown}: symbolic link points outside the repository; not followed` };
      case "directory":
        return { ok: false, message: `${shown}: is a directory, not a file`, missing: true };
      case "not-regular":
        return { ok: false, message: `${shown}: not a regular file` };
      case "too-large":
        return { ok: true, raw: { path: shown, repoPath, absPath, root, kind, bytes: new Uint8Array(0), size: res.size ?? MAX_FILE_BYTES + 1 } };
      case "changed":
        return { ok: false, message: `${shown}: changed while being read; not read` };
      case "error":
        return { ok: false, message: `${shown}: cannot read (${res.code})` };
    }
  }
}

/**
 * The repository a path belongs to: the nearest folder at or above it that holds `.git` (a folder,
 * or a worktree's file) or a `.github` folder. A file's search starts at its folder, a directory's
 * (`directory: true`) at the directory itself. Without one: the directory itself, or for a file
 * the current directory when the file lies below it, else the file's folder.
 */
export function findRoot(absPath: string, cwd: string, opts: { directory?: boolean } = {}): string {
  let dir = opts.directory ? absPath : path.dirname(absPath);
  for (;;) {
    if (holdsRepository(dir)) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  if (opts.directory) return absPath;
  return isInside(cwd, absPath) ? cwd : path.dirname(absPath);
}

/** Whether `dir` is a repository's root: it holds `.git` or a `.github` folder. */
export function holdsRepository(dir: string): boolean {
  if (fs.existsSync(path.join(dir, ".git"))) return true;
  try {
    return fs.statSync(path.join(dir, ".github")).isDirectory();
  } catch {
    return false;
  }
}
