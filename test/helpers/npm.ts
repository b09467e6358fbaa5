/**
 * npm and git in child processes for the install tests: an environment that cannot reach a
 * registry, and one-line failures that show what the command printed.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";

export const ROOT = path.resolve(__dirname, "..", "..");

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command (no shell); `timeout` in milliseconds. */
export function run(cmd: string, args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv; timeout?: number; input?: string }): Run {
  const res = spawnSync(cmd, args, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    encoding: "utf8",
    timeout: opts.timeout ?? 120_000,
    input: opts.input ?? "",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (res.error) throw new Error(`${cmd} ${args.join(" ")}: ${res.error.message}`);
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

/** What a failed command printed, for an assertion message. */
export function shown(r: Run): string {
  return `exit ${r.code}\n--- stdout\n${r.stdout.slice(-4000)}\n--- stderr\n${r.stderr.slice(-4000)}`;
}

/** Whether a command is on PATH. */
export function onPath(cmd: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${cmd}`], { encoding: "utf8" }).status === 0;
}

/**
 * The environment for npm with no network: `--offline`, a registry address nothing listens on,
 * and a cache of its own (so nothing can come from packages fetched earlier either), no audit,
 * no funding messages, no update check. Variables that point git or npm elsewhere are dropped.
 */
export function offlineNpmEnv(cacheDir: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(npm_|NPM_|GIT_DIR|GIT_WORK_TREE|GIT_INDEX_FILE|INIT_CWD|VITEST|CREDFLOW_)/.test(k)) continue;
    env[k] = v;
  }
  return {
    ...env,
    npm_config_offline: "true",
    npm_config_registry: "http://127.0.0.1:9/",
    npm_config_cache: cacheDir,
    npm_config_audit: "false",
    npm_config_fund: "false",
    npm_config_update_notifier: "false",
    npm_config_loglevel: "error",
    NO_COLOR: "1",
    ...extra,
  };
}
