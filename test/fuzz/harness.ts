/**
 * Shared checks for the hostile-input and fuzz tests: run the CLI (in process or as a real process
 * with a timeout), assert it ended sanely, and prove that `--fix` wrote nothing (or nothing outside).
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "vitest";
import { cli, type CliRun } from "../helpers/cli.js";

/** A V8 stack frame line: "\n    at fn (file:1:2)". */
/** A stack frame ("    at fn (file.js:12:3)" or "    at file.js:12:3"); wrapped prose may start a row with "at". */
export const STACK = /\n\s+at (?:.+ \()?[^\s()]+:\d+:\d+\)?$/m;

const ROOT = path.resolve(__dirname, "..", "..");

export interface TimedRun extends CliRun {
  /** Wall-clock time. */
  ms: number;
  /** CPU time of the process (user + system), when it was run with CREDFLOW_REPORT_RSS=1. */
  cpuMs?: number;
  timedOut: boolean;
  signal: NodeJS.Signals | null;
}

/** Runs the CLI in process and measures it. */
export async function runCli(args: string[], cwd: string, stdin?: string | Uint8Array): Promise<TimedRun> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const r = await cli(args, { cwd, stdin });
  const used = process.cpuUsage(cpu);
  return { ...r, ms: performance.now() - started, cpuMs: (used.user + used.system) / 1000, timedOut: false, signal: null };
}

/**
 * The time a bounded-time assertion checks: CPU time when known (another process's load on the
 * machine barely changes it), else wall-clock time. Bounds catch super-linear blow-ups, not speed.
 */
export function cpuOf(r: TimedRun): number {
  return r.cpuMs ?? r.ms;
}

let bundlePath: string | undefined;

/**
 * Bundles the CLI into a private temporary file with scripts/build.mjs's own options, so process
 * tests always run the current sources and never race another build of
 * dist/credflow.mjs.
 */
export async function freshBundle(): Promise<string> {
  if (bundlePath) return bundlePath;
  // scripts/build.mjs is plain JavaScript without type declarations: type the one export used here.
  const build = (await import(path.join(ROOT, "scripts", "build.mjs"))) as { buildBundle(o: { outdir: string }): Promise<{ launcher: string }> };
  const { launcher } = await build.buildBundle({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), "credflow-bundle-")) });
  bundlePath = launcher;
  return launcher;
}

/**
 * Runs the bundled CLI as a real process, killed after `timeoutMs`. A real process is what shows a
 * stack overflow, an out-of-memory abort or a hang for what it is.
 */
export async function runProcess(args: string[], cwd: string, timeoutMs = 30_000, nodeArgs: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<TimedRun> {
  const bundle = await freshBundle();
  const started = performance.now();
  const res = spawnSync(process.execPath, [...nodeArgs, bundle, ...args], {
    cwd,
    input: "",
    encoding: "utf8",
    env: { CREDFLOW_REPORT_RSS: "1", ...env, PATH: process.env.PATH },
    timeout: timeoutMs,
    killSignal: "SIGKILL",
    maxBuffer: 256 * 1024 * 1024,
  });
  const timedOut = (res.error as NodeJS.ErrnoException | undefined)?.code === "ETIMEDOUT";
  const cpu = /^credflow-cpu-ms=(\d+)$/m.exec(res.stderr ?? "");
  return {
    code: res.status ?? -1,
    stdout: res.stdout ?? "",
    // The usage lines the CLI prints for CREDFLOW_REPORT_RSS are not output.
    stderr: (res.stderr ?? "").replace(/^credflow-(?:max-rss-kb|cpu-ms)=\d+\n/gm, ""),
    ms: performance.now() - started,
    ...(cpu ? { cpuMs: Number(cpu[1]) } : {}),
    timedOut,
    signal: res.signal,
  };
}

/** The lines `--fix` and `--diff` write to standard error about what they did (or would do). */
export const FIX_SUMMARY = /^(?:Fixed|Would fix) \d+ findings?(?: in .+| \(\d+ (?:remaining|would remain)\)\.)$/;

export interface SaneOptions {
  /** Display paths (as printed, relative to cwd) that must each appear at the start of a finding line. */
  paths?: string[];
  /** Exit codes allowed (default 0, 1, 2). */
  codes?: number[];
  /** Reject "internal error" on stderr (a rule or the engine threw). Default true. */
  noInternalError?: boolean;
}

/**
 * The run ended by itself with 0, 1 or 2, printed no stack trace, and (for each expected path) a
 * text-format finding line `path:line:col: level: message [rule]`.
 */
export function expectSane(r: TimedRun | CliRun, opts: SaneOptions = {}): void {
  const context = `exit ${r.code}\n--- stdout ---\n${r.stdout.slice(0, 3000)}\n--- stderr ---\n${r.stderr.slice(0, 3000)}`;
  if ("timedOut" in r) {
    expect(r.timedOut, `timed out after ${Math.round(r.ms)} ms\n${context}`).toBe(false);
    expect(r.signal, context).toBeNull();
  }
  expect(opts.codes ?? [0, 1, 2], context).toContain(r.code);
  expect(r.stdout, context).not.toMatch(STACK);
  expect(r.stderr, context).not.toMatch(STACK);
  if (opts.noInternalError !== false) expect(r.stderr, context).not.toContain("internal error");
  // Every stderr line is one line of credflow's own ("credflow: ...", or what --fix/--diff did);
  // nothing else leaks through.
  for (const line of r.stderr.split("\n").filter(Boolean)) expect(line, context).toMatch(FIX_SUMMARY.test(line) ? FIX_SUMMARY : /^credflow: /);
  for (const p of opts.paths ?? []) {
    const escaped = p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    // A finding at the path: its `-->` line (text, the default) or its line (`--format concise`).
    expect(r.stdout, context).toMatch(new RegExp(`^(?: +--> ${escaped}:\\d+:\\d+$|${escaped}:\\d+:\\d+: (error|warning|note): )`, "m"));
  }
}

/** Every entry under `dirs` (not following symbolic links): path → kind and content hash. */
export function snapshot(...dirs: string[]): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (p: string): void => {
    let st: fs.Stats;
    try {
      st = fs.lstatSync(p);
    } catch {
      return;
    }
    if (st.isSymbolicLink()) out.set(p, `link:${fs.readlinkSync(p)}`);
    else if (st.isDirectory()) {
      out.set(p, `dir:${(st.mode & 0o7777).toString(8)}`);
      for (const name of fs.readdirSync(p).sort()) walk(path.join(p, name));
    } else if (st.isFile()) {
      // Huge (sparse) test files are compared by size and modification time instead of content.
      const content = st.size > 64 * 1024 * 1024 ? `${st.size}:${st.mtimeMs}` : createHash("sha256").update(fs.readFileSync(p)).digest("hex");
      out.set(p, `file:${(st.mode & 0o7777).toString(8)}:${content}`);
    } else out.set(p, `other:${st.mode.toString(8)}`);
  };
  for (const d of dirs) walk(d);
  return out;
}

/** Entries that differ between two snapshots (added, removed or changed). */
export function changes(before: Map<string, string>, after: Map<string, string>): string[] {
  const out: string[] = [];
  for (const [p, v] of before) if (after.get(p) !== v) out.push(after.has(p) ? `changed ${p}` : `removed ${p}`);
  for (const p of after.keys()) if (!before.has(p)) out.push(`added ${p}`);
  return out.sort();
}

/**
 * `--fix --unsafe-fixes` on `args`: the run is sane and nothing under `dir` or `outside` changed.
 * Use for inputs that offer no fix (garbage, bombs, refused files).
 */
export async function expectFixWritesNothing(dir: string, args: string[], outside: string[] = [], opts: SaneOptions = {}, viaProcess = false): Promise<TimedRun> {
  const before = snapshot(dir, ...outside);
  const fixArgs = [...args, "--fix", "--unsafe-fixes"];
  const r = viaProcess ? await runProcess(fixArgs, dir) : await runCli(fixArgs, dir);
  expectSane(r, opts);
  expect(changes(before, snapshot(dir, ...outside))).toEqual([]);
  return r;
}

/** A fresh empty directory outside every test repository. */
export function outsideDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "credflow-outside-"));
}

/** Deterministic pseudo-random bytes (xorshift32), for garbage files that reproduce. */
export function pseudoRandomBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}
