/**
 * Vitest global setup: every temporary directory a test (or a process it starts) makes goes under
 * one directory per run, removed when the run ends, so runs do not pile thousands of directories
 * into the system's temporary folder. Workers and child processes inherit TMPDIR, which
 * os.tmpdir() reads on every call.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export default function setup(): () => void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "credflow-vitest-"));
  const previous = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    fs.rmSync(dir, { recursive: true, force: true });
  };
}
