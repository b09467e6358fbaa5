/** Runs the CLI in process (fast) or as the bundled binary (real process: exit codes, stdin, no stack traces). */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { run } from "../../src/cli/main.js";

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function cli(args: string[], opts: { cwd: string; stdin?: string | Uint8Array; env?: NodeJS.ProcessEnv; tty?: boolean }): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const code = await run(args, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    readStdin: () => (typeof opts.stdin === "string" ? new TextEncoder().encode(opts.stdin) : (opts.stdin ?? new Uint8Array())),
    env: opts.env ?? {},
    cwd: opts.cwd,
    stdoutIsTTY: !!opts.tty,
  });
  return { code, stdout, stderr };
}

export const BUNDLE = path.resolve(__dirname, "..", "..", "dist", "credflow.mjs");

export function cliProcess(args: string[], opts: { cwd: string; stdin?: string; env?: NodeJS.ProcessEnv }): CliRun {
  const res = spawnSync(process.execPath, [BUNDLE, ...args], {
    cwd: opts.cwd,
    input: opts.stdin ?? "",
    encoding: "utf8",
    // The run's own cache home (test/helpers/global-tmp.ts): the launcher's compile cache goes there.
    env: { PATH: process.env.PATH, XDG_CACHE_HOME: process.env.XDG_CACHE_HOME, ...opts.env },
    maxBuffer: 256 * 1024 * 1024,
  });
  return { code: res.status ?? -1, stdout: res.stdout, stderr: res.stderr };
}
