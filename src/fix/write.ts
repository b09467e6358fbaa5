/**
 * Writing fixed files safely: never outside the linted root, never over a file that changed since
 * it was read, and never half-written (temp file in the same directory + fsync + rename).
 */
import { randomBytes } from "node:crypto";
import { isBelow } from "../fs/paths.js";
import * as fs from "node:fs";
import * as path from "node:path";

export type WriteResult = { ok: true } | { ok: false; reason: string };

export interface WriteOptions {
  /** The bytes the file had when it was read; the write is refused if they differ now. */
  expectedBytes?: Uint8Array;
  /** The file must resolve (after symlinks) to a path inside this directory. */
  root?: string;
}

class Refusal extends Error {}

function refuse(reason: string): never {
  throw new Refusal(reason);
}

function errorText(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e && typeof e === "object" && typeof e.code === "string" ? e.code : String(err);
}


function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
}

/** Resolves the real target: through symlinks for an existing file, through the directory otherwise. */
function resolveTarget(absPath: string, mustExist: boolean): { real: string; stat?: fs.Stats } {
  try {
    const real = fs.realpathSync(absPath);
    return { real, stat: fs.statSync(real) };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") refuse(`cannot resolve ${absPath}: ${errorText(err)}`);
  }
  if (mustExist) refuse(`${absPath} no longer exists (changed since it was read)`);
  // A dangling symlink also lands here; replacing it would write wherever it pointed.
  let link: fs.Stats | undefined;
  try {
    link = fs.lstatSync(absPath);
  } catch {
    link = undefined;
  }
  if (link?.isSymbolicLink()) refuse(`${absPath} is a dangling symbolic link`);
  let dir: string;
  try {
    dir = fs.realpathSync(path.dirname(absPath));
  } catch (err) {
    refuse(`cannot resolve the directory of ${absPath}: ${errorText(err)}`);
  }
  return { real: path.join(dir, path.basename(absPath)) };
}

function checkWritable(real: string, stat: fs.Stats | undefined): void {
  const dir = path.dirname(real);
  // Mode bits first: root passes every access() check, but a file or directory nobody may
  // write to is a clear "do not touch" that a fixer should honour.
  if (stat && (stat.mode & 0o222) === 0) refuse(`${real} is read-only`);
  const dirStat = fs.statSync(dir);
  if ((dirStat.mode & 0o222) === 0) refuse(`directory ${dir} is read-only`);
  try {
    if (stat) fs.accessSync(real, fs.constants.W_OK);
    fs.accessSync(dir, fs.constants.W_OK | fs.constants.X_OK);
  } catch (err) {
    refuse(`${stat ? real : dir} is not writable: ${errorText(err)}`);
  }
}

function writeTemp(real: string, bytes: Buffer, stat: fs.Stats | undefined): string {
  const dir = path.dirname(real);
  const tmp = path.join(dir, `.${path.basename(real)}.${process.pid}.${randomBytes(4).toString("hex")}.credflow-tmp`);
  const fd = fs.openSync(tmp, "wx", stat ? stat.mode & 0o7777 : 0o666);
  try {
    fs.writeFileSync(fd, bytes);
    if (stat) {
      // open() applied the umask; restore the exact mode of the original.
      fs.fchmodSync(fd, stat.mode & 0o7777);
      try {
        fs.fchownSync(fd, stat.uid, stat.gid);
      } catch {
        // Only possible for root or the owner's own groups; a different owner is acceptable.
      }
    }
    fs.fsyncSync(fd);
  } catch (err) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  fs.closeSync(fd);
  return tmp;
}

function syncDirectory(dir: string): void {
  try {
    const fd = fs.openSync(dir, "r");
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // Some file systems refuse fsync on directories; the rename itself already happened.
  }
}

/**
 * Replaces the file at `absPath` with `text` (UTF-8; a leading "\uFEFF" is written as a BOM).
 * Refuses, with a one-line reason, when the path resolves outside `root`, when the current bytes
 * differ from `expectedBytes`, or when the file or its directory is not writable. Symlinks are
 * followed: the target file is replaced and the link kept.
 */
export function writeFileAtomic(absPath: string, text: string, opts: WriteOptions = {}): WriteResult {
  const target = path.resolve(absPath);
  try {
    const { real, stat } = resolveTarget(target, opts.expectedBytes !== undefined);
    if (opts.root !== undefined) {
      let root: string;
      try {
        root = fs.realpathSync(path.resolve(opts.root));
      } catch (err) {
        refuse(`cannot resolve root ${opts.root}: ${errorText(err)}`);
      }
      if (!isBelow(root, real)) refuse(`${target} resolves to ${real}, outside ${root}`);
    }
    if (stat && !stat.isFile()) refuse(`${real} is not a regular file`);
    checkWritable(real, stat);
    if (opts.expectedBytes && !sameBytes(opts.expectedBytes, fs.readFileSync(real))) {
      refuse(`${target} changed since it was read`);
    }
    const tmp = writeTemp(real, Buffer.from(text, "utf8"), stat);
    try {
      // Check again right before the rename to keep the window for a concurrent edit small.
      if (opts.expectedBytes && !sameBytes(opts.expectedBytes, fs.readFileSync(real))) {
        refuse(`${target} changed since it was read`);
      }
      fs.renameSync(tmp, real);
    } catch (err) {
      fs.rmSync(tmp, { force: true });
      throw err;
    }
    syncDirectory(path.dirname(real));
    return { ok: true };
  } catch (err) {
    const reason = err instanceof Refusal ? err.message : `cannot write ${target}: ${errorText(err)}`;
    return { ok: false, reason: reason.replace(/\s*[\r\n]+\s*/g, " ") };
  }
}
