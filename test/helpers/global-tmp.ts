/**
 * Vitest global setup: every temporary directory a test (or a process it starts) makes goes under
 * one directory per run, removed when the run ends, so runs do not pile thousands of directories
 * into the system's temporary folder. Workers and child processes inherit TMPDIR, which
 * os.tmpdir() reads on every call. XDG_CACHE_HOME points there too, so the launcher's compile cache
 * (and any cache a test does not place itself) stays out of the user's home.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export default function setup(): () => void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "credflow-vitest-"));
  const previous = process.env.TMPDIR;
  const previousCache = process.env.XDG_CACHE_HOME;
  process.env.TMPDIR = dir;
  process.env.XDG_CACHE_HOME = path.join(dir, "cache-home");
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    if (previousCache === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = previousCache;
    fs.rmSync(dir, { recursive: true, force: true });
  };
}
