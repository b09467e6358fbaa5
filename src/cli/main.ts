/** The `credflow` command line: flags → options → lint → report → exit code. */
import * as fs from "node:fs";
import * as path from "node:path";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { VERSION } from "../version.js";
import { RULES } from "../rules/index.js";
import { LEVEL_RANK, type Finding, type Level, type Settings } from "../rules/types.js";
import { lint, type LintRequest, type LintResult } from "../engine/lint.js";
import { lintRun, type RunResult } from "../engine/run.js";
import { rootOf, UsageError } from "../discover/discover.js";
import { offlinePins, type PinResolver } from "../knowledge/pins.js";
import { renderGraph, renderSplit, type GraphFormat } from "../graph/render.js";
import { ruleDoc } from "./docs.js";
import { explainRule } from "./explain.js";
import { suggestion } from "../config/messages.js";
import { editDistance } from "../rules/support/closest.js";
import { useColor } from "./color.js";
import { formatConcise, formatText } from "../report/text.js";
import { formatJsonChunks } from "../report/json.js";
import { formatSarifChunks } from "../report/sarif.js";
import { formatRdjsonl } from "../report/rdjsonl.js";
import { formatGithub } from "../report/github.js";
import type { ReportInput } from "../report/types.js";
import { reportPath } from "../report/common.js";
import { runFixes } from "../engine/fix-run.js";
import { suggestableFindings } from "./suggestions.js";
import { loadConfig, ConfigError } from "../config/load.js";
import { settingsFromConfig, ruleLevel as configRuleLevel, ruleOptions as configRuleOptions, isIgnoredPath, ignoringEntry, ignoreEntries } from "../config/apply.js";
import { defaultConfigText } from "../config/init.js";
import { optionProblem } from "../config/options.js";
import { createOnlineResolver, defaultPinCacheFile } from "../knowledge/online.js";
import { isInside } from "../fs/paths.js";
import { LintCache, runKey } from "../cache/lint-cache.js";
import { cacheFileFor } from "../cache/store.js";

export interface CliIO {
  stdout: (text: string) => void;
  /**
   * Resolves when what `stdout` was given has been handed on. Standard output to a pipe is
   * written asynchronously: a report written in pieces waits here, so the pieces do not pile up
   * in memory behind a slow reader. Absent: nothing to wait for.
   */
  stdoutDrained?: () => Promise<void>;
  stderr: (text: string) => void;
  readStdin: () => Uint8Array;
  env: NodeJS.ProcessEnv;
  cwd: string;
  stdoutIsTTY: boolean;
  /** Columns of the terminal standard output goes to, when it is one. */
  columns?: number;
}

type Format = "text" | "concise" | "json" | "sarif" | "rdjsonl" | "github";

/** The end of `credflow --help` and `credflow lint --help`. */
const EXIT_CODES = `
Paths: a directory lints the workflows of its repository when it holds them (the root,
.github, .github/workflows), else the action.yml|yaml files below it; a file is linted alone.
The repository (the nearest folder holding .git or .github) is the context either way, so
local actions and reusable workflows are followed. No path: the current directory's repository.

Exit codes:
  0  no finding at or above --fail-level (or --exit-zero); --help, --version
  1  findings at or above --fail-level (default: warning)
  2  usage error (an unknown option or value, a path that does not exist or holds nothing
     to lint), configuration error or internal error: one line on standard error
`;

interface LintFlags {
  format: Format;
  output?: string;
  failLevel: Level | "none";
  color?: boolean;
  stdinFilename?: string;
  visibility?: Settings["visibility"];
  config?: string;
  fix?: boolean;
  unsafeFixes?: boolean;
  diff?: boolean;
  verbose?: boolean;
  online?: boolean;
  githubApiUrl?: string;
  pinCache?: string;
  minRunnerVersion?: string;
  reportUnusedSuppressions?: boolean;
  exitZero?: boolean;
  onlineTimeout?: number;
  sarifCategory?: string;
  defaultTokenPermissions?: "permissive" | "restricted";
  repository?: string;
  cache?: boolean;
  cacheLocation?: string;
}

/** Runs the CLI; returns the exit code. Never throws for user errors. */
export async function run(argv: string[], io: CliIO): Promise<number> {
  let exitCode = 0;
  const program = new Command();
  program
    .name("credflow")
    .description("Follows AWS credentials through GitHub Actions workflows and reports how they break or leak.")
    .version(VERSION, "-V, --version")
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showSuggestionAfterError(true)
    .addHelpText("after", EXIT_CODES);

  program
    .command("lint [paths...]", { isDefault: true })
    .description("lint repositories (directories) or single workflow/action files; `-` reads standard input")
    .addHelpText("after", EXIT_CODES)
    .addOption(new Option("-f, --format <format>", "output format").choices(["text", "concise", "json", "sarif", "rdjsonl", "github"]).default("text"))
    .option("-o, --output <file>", "write the report to a file instead of standard output")
    .addOption(new Option("--fail-level <level>", "lowest level that makes the exit code 1").choices(["error", "warning", "note", "none"]).default("warning"))
    .option("--exit-zero", "exit 0 even when there are findings (for SARIF uploads)")
    .option("--color", "force colour in text output")
    .option("--no-color", "disable colour")
    .option("--stdin-filename <path>", "path that names standard input (decides workflow vs action)")
    .addOption(new Option("--visibility <visibility>", "repository visibility, for rules whose risk depends on it").choices(["public", "private", "internal"]))
    .option("-c, --config <file>", "configuration file (default: .credflow.yml in the repository root)")
    .option("--min-runner-version <version>", "oldest actions/runner version your self-hosted runners run")
    .option("--fix", "apply safe fixes in place")
    .option("--unsafe-fixes", "also apply fixes that may change behaviour (with --fix or --diff)")
    .option("--diff", "print the fixes as a unified diff; change nothing (also with --fix)")
    .option("--verbose", "with --fix: say how many findings were fixed in each file; with --diff: count them on standard error; with --cache: say how many repositories and groups of workflows it answered")
    .option("--online", "resolve action refs through the GitHub API (network; uses GITHUB_TOKEN/GH_TOKEN)")
    .option("--github-api-url <url>", "GitHub API base URL (GitHub Enterprise Server)")
    .option("--pin-cache <file>", "file caching --online answers (default: credflow/pins.json in the user cache directory)")
    .option("--online-timeout <seconds>", "longest wait for one GitHub API request; the online phase stops after six times that (default 5)", parseOnlineTimeout)
    .option("--sarif-category <category>", "code-scanning category: SARIF automationDetails.id becomes `<category>/` (default credflow)", parseSarifCategory)
    .addOption(new Option("--default-token-permissions <mode>", "the repository's or organisation's default GITHUB_TOKEN permissions").choices(["permissive", "restricted"]))
    .option("--repository <owner/name>", "the repository being linted, as owner/name", parseRepository)
    .option("--report-unused-suppressions", "report `# credflow: ignore[...]` comments that suppress nothing")
    .option("--cache", "reuse the results of repositories whose files, configuration and options did not change since the last run (not with --fix, --diff, --online or standard input)")
    .option("--cache-location <path>", "with --cache: the cache file, or a folder for it (default: credflow/lint/ in the user cache directory)")
    .action(async (paths: string[], flags: LintFlags) => {
      exitCode = await lintCommand(paths, flags, io);
    });

  program
    .command("rules")
    .description("list the rules")
    .addOption(new Option("-f, --format <format>", "output format").choices(["text", "json"]).default("text"))
    .action((flags: { format: "text" | "json" }) => {
      if (flags.format === "json") {
        io.stdout(`${JSON.stringify(RULES.map(({ check: _check, ...meta }) => meta), null, 2)}\n`);
        return;
      }
      const width = Math.max(...RULES.map((r) => r.id.length));
      for (const r of RULES) {
        io.stdout(`${r.id.padEnd(width)}  ${r.defaultLevel.padEnd(7)}  ${r.fixable ? "fix" : "   "}  ${r.title}\n`);
      }
    });

  program
    .command("explain <rule-id>")
    .description("print a rule's documentation: what it finds, why it matters, how to fix it")
    .action((id: string) => {
      const rule = RULES.find((r) => r.id === id);
      if (!rule) {
        const ids = RULES.map((r) => r.id);
        // A clear "did you mean", else simply the nearest id.
        const near = suggestion(id, ids) || ` (the closest is "${[...ids].sort((a, b) => editDistance(id, a) - editDistance(id, b) || (a < b ? -1 : 1))[0]}")`;
        throw new UsageError(`unknown rule id "${id.replace(/[^\x20-\x7e]/g, "?").slice(0, 80)}"${near}; \`credflow rules\` lists them`);
      }
      const color = useColor(undefined, io.env, io.stdoutIsTTY);
      io.stdout(explainRule(rule, ruleDoc(rule.id), { width: textWidthFor(io, undefined) ?? 80, color }));
    });

  program
    .command("graph [paths...]")
    .description("print the call graph with each job's credential timeline (one workflow: every step; several: one node per job)")
    .addOption(new Option("-f, --format <format>", "graph format").choices(["mermaid", "dot", "json"]).default("mermaid"))
    .option("-o, --output <file>", "write to a file")
    .option("--workflow <file>", "draw one workflow: every step, composite actions expanded")
    .option("--job <id>", "with --workflow: draw one job")
    .option("--split <dir>", "write one file per workflow into DIR (created when missing) and print their paths")
    .option("-c, --config <file>", "configuration file (default: .credflow.yml in the repository root)")
    .action(async (paths: string[], flags: { format: GraphFormat; output?: string; workflow?: string; job?: string; split?: string; config?: string }) => {
      if (flags.job !== undefined && flags.workflow === undefined) throw new UsageError("--job needs --workflow FILE");
      if (flags.split !== undefined && flags.output !== undefined) throw new UsageError("--split writes one file per workflow; it does not take --output");
      // The configuration names trust-policy files and the repository, which role nodes need.
      const root = rootOf(paths[0], io.cwd);
      const config = loadConfig({ root, cwd: io.cwd, explicitPath: flags.config ? path.resolve(io.cwd, flags.config) : undefined }).config;
      const settings = settingsFromConfig(config, {}, { env: io.env.GITHUB_REPOSITORY, root });
      const result = await lint({ ...baseRequest(paths, io, settings, offlinePins()), ignorePath: (p) => isIgnoredPath(config, p), fixes: false });
      const req = { format: flags.format, workflow: flags.workflow, job: flags.job, cwd: io.cwd };
      if (flags.split === undefined) {
        const out = renderGraph(result.graph, req);
        emit(io, flags.output, out.text);
        for (const n of out.notes) io.stderr(`credflow: ${n}\n`);
        return;
      }
      const out = renderSplit(result.graph, req);
      try {
        fs.mkdirSync(path.resolve(io.cwd, flags.split), { recursive: true });
      } catch (err) {
        throw new UsageError(`${flags.split}: cannot create the folder (${(err as NodeJS.ErrnoException).code ?? "error"})`);
      }
      for (const f of out.files) {
        const file = path.join(flags.split, f.name);
        emit(io, file, f.text);
        io.stdout(`${file.split(path.sep).join("/")}\n`);
      }
      for (const n of out.notes) io.stderr(`credflow: ${n}\n`);
    });

  program
    .command("init")
    .description("write a commented default .credflow.yml in the current directory")
    .option("--force", "overwrite an existing file")
    .action((flags: { force?: boolean }) => {
      const target = path.join(io.cwd, ".credflow.yml");
      if (fs.existsSync(target) && !flags.force) {
        throw new UsageError(".credflow.yml already exists (use --force to overwrite)");
      }
      fs.writeFileSync(target, defaultConfigText());
      io.stdout("wrote .credflow.yml\n");
    });

  try {
    await program.parseAsync(argv, { from: "user" });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version exit 0; every usage error is 2.
      return err.exitCode === 0 ? 0 : 2;
    }
    io.stderr(`credflow: ${oneLine(err)}\n`);
    return 2;
  }
}

function parseOnlineTimeout(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n <= 0 || n > 600) throw new InvalidArgumentError("expected a number of seconds above 0 and at most 600");
  return n;
}

function parseSarifCategory(value: string): string {
  if (value.replace(/\/+$/, "").trim() === "" || /[\u0000-\u001f]/.test(value)) throw new InvalidArgumentError("expected a non-empty category without control characters");
  return value;
}

function parseRepository(value: string): string {
  if (!/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/.test(value) || /\/\.\.?$/.test(value)) throw new InvalidArgumentError("expected owner/name");
  return value;
}

function oneLine(err: unknown): string {
  if (err instanceof UsageError || err instanceof ConfigError) return err.message;
  const msg = err instanceof Error ? err.message : String(err);
  return `internal error: ${msg.split("\n")[0]}`;
}

/** Flags that set a rule option (they win over the configuration file): flag → rule and option. */
const OPTION_FLAGS: ReadonlyArray<{ flag: string; key: keyof LintFlags; rule: string; option: string }> = [
  { flag: "--min-runner-version", key: "minRunnerVersion", rule: "composite-role-conflict", option: "min-runner-version" },
];

/** The rule options given on the command line, keyed by rule id; a value the option's schema refuses is a usage error. */
function optionsFromFlags(flags: LintFlags): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const f of OPTION_FLAGS) {
    const value = flags[f.key];
    if (value === undefined) continue;
    const rule = RULES.find((r) => r.id === f.rule)!;
    const problem = optionProblem(rule, f.option, value, f.flag);
    if (problem) throw new UsageError(problem);
    (out[f.rule] ??= {})[f.option] = value;
  }
  return out;
}

function baseRequest(paths: string[], io: CliIO, settings: Settings, pins: PinResolver): LintRequest {
  return { paths, cwd: io.cwd, settings, pins };
}

/**
 * Writes a report given as chunks as it is produced, in pieces of about 256 kB, so a large one never
 * exists as one string (nor, on a pipe, as a queue of pieces waiting for the reader).
 */
async function emitChunks(io: CliIO, output: string | undefined, report: Iterable<string>): Promise<void> {
  if (output) return emit(io, output, report);
  for (const piece of pieces(report)) {
    io.stdout(piece);
    if (io.stdoutDrained) await io.stdoutDrained();
  }
}

/** Writes a report to standard output or `--output`. */
function emit(io: CliIO, output: string | undefined, report: string | Iterable<string>): void {
  if (!output) {
    for (const piece of pieces(report)) io.stdout(piece);
    return;
  }
  const target = path.resolve(io.cwd, output);
  // Inside the working directory the report often lands in a checked-out pull request, which may
  // have put a symbolic link (that could point anywhere), a FIFO (a hang) or a linked folder there.
  // Paths outside it (/dev/stdout, /tmp/...) are the user's own choice and are written as given.
  const guarded = isInside(io.cwd, target);
  if (guarded) {
    let st: fs.Stats | undefined;
    try {
      st = fs.lstatSync(target);
    } catch {
      st = undefined;
    }
    if (st?.isSymbolicLink()) throw new UsageError(`${output}: is a symbolic link; the report is not written through it`);
    if (st && !st.isFile()) throw new UsageError(`${output}: not a regular file`);
    let dir: string;
    try {
      dir = fs.realpathSync(path.dirname(target));
    } catch (err) {
      throw new UsageError(`${output}: cannot write (${(err as NodeJS.ErrnoException).code ?? "error"})`);
    }
    if (!isInside(fs.realpathSync(io.cwd), dir)) throw new UsageError(`${output}: its folder links outside the working directory; the report is not written there`);
  }
  const flags = fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_TRUNC | (guarded ? (fs.constants.O_NOFOLLOW ?? 0) : 0);
  let fd: number | undefined;
  try {
    fd = fs.openSync(target, flags, 0o666);
    for (const piece of pieces(report)) fs.writeSync(fd, piece);
  } catch (err) {
    throw new UsageError(`${output}: cannot write (${(err as NodeJS.ErrnoException).code ?? "error"})`);
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

function* pieces(report: string | Iterable<string>): Generator<string> {
  if (typeof report === "string") {
    yield report;
    return;
  }
  let buffered = "";
  for (const chunk of report) {
    buffered += chunk;
    if (buffered.length >= 1 << 18) {
      yield buffered;
      buffered = "";
    }
  }
  if (buffered) yield buffered;
}

async function lintCommand(paths: string[], flags: LintFlags, io: CliIO): Promise<number> {
  const stdin = paths.length === 1 && paths[0] === "-";
  if (stdin && (flags.fix || flags.diff)) throw new UsageError("--fix and --diff need files, not standard input");
  if (flags.unsafeFixes && !flags.fix && !flags.diff) throw new UsageError("--unsafe-fixes needs --fix or --diff");

  // The configuration lives at the root of the (first) repository being linted.
  const root = rootOf(stdin ? (flags.stdinFilename ?? "stdin.yml") : paths[0], io.cwd);
  const loaded = loadConfig({ root, cwd: io.cwd, explicitPath: flags.config ? path.resolve(io.cwd, flags.config) : undefined });
  const config = loaded.config;
  const settings = settingsFromConfig(
    config,
    {
      ...(flags.visibility ? { visibility: flags.visibility } : {}),
      ...(flags.defaultTokenPermissions ? { defaultTokenPermissions: flags.defaultTokenPermissions } : {}),
      ...(flags.repository ? { repository: flags.repository } : {}),
    },
    { env: io.env.GITHUB_REPOSITORY, root },
  );
  const cliOptions = optionsFromFlags(flags);

  let pins: PinResolver = offlinePins();
  let online: ReturnType<typeof createOnlineResolver> | undefined;
  if (flags.online) {
    online = createOnlineResolver({
      apiUrl: flags.githubApiUrl ?? io.env.GITHUB_API_URL,
      token: io.env.GITHUB_TOKEN || io.env.GH_TOKEN || undefined,
      // In the user's cache directory, not the repository: a pull request could plant answers there.
      cacheFile: flags.pinCache ? path.resolve(io.cwd, flags.pinCache) : defaultPinCacheFile(io.env),
      ...(flags.onlineTimeout !== undefined ? { requestTimeoutMs: flags.onlineTimeout * 1000 } : {}),
      fallback: pins,
      log: (m) => io.stderr(`credflow: ${m}\n`),
    });
    pins = online.resolver;
  }

  const request: LintRequest = {
    ...baseRequest(stdin ? [] : paths, io, settings, pins),
    stdin: stdin ? { bytes: io.readStdin(), filename: flags.stdinFilename ?? "stdin.yml" } : undefined,
    ruleLevel: (id) => configRuleLevel(config, id),
    ruleOptions: (id) => configRuleOptions(config, id, cliOptions),
    ignorePath: (p) => isIgnoredPath(config, p),
    ignoredFinding: (rule, p, line) => ignoringEntry(config, rule, p, line),
    ignoreEntries: ignoreEntries(config),
    reportUnusedSuppressions: !!flags.reportUnusedSuppressions,
  };

  if (online) {
    // Prefetch every remote ref once so rules can resolve synchronously.
    const first = await lint(request);
    await online.prefetch(remoteRefs(first));
  }

  let result: RunResult;
  let fixReport = "";
  if (flags.fix || flags.diff) {
    // ruff's rule: --diff never writes, also with --fix.
    const fixed = await runFixes(request, { write: !!flags.fix && !flags.diff, unsafe: !!flags.unsafeFixes });
    for (const m of fixed.messages) io.stderr(`credflow: ${m}\n`);
    if (flags.diff) {
      emit(io, flags.output, fixed.diff);
      // The diff is the answer (`credflow --diff | git apply`); --verbose also counts it, on stderr.
      if (flags.verbose) io.stderr(fixSummary(fixed.fixed, fixed.result.findings.length, { verbose: true, dryRun: true }));
      return fixed.result.internalErrors.length ? 2 : 0;
    }
    result = fixed.result;
    fixReport = fixSummary(fixed.fixed, result.findings.length, { verbose: !!flags.verbose, dryRun: false });
  } else if (flags.cache && !stdin && !online) {
    const file = cacheFileFor({ location: flags.cacheLocation, cwd: io.cwd, env: io.env, roots: (paths.length ? paths : [undefined]).map((p) => rootOf(p, io.cwd)) });
    if (file === undefined) {
      io.stderr("credflow: not using the cache: no user cache directory is known (give --cache-location)\n");
      result = await lintRun(request);
    } else {
      const key = runKey({ cwd: io.cwd, settings, config: loaded, cliOptions, reportUnusedSuppressions: !!flags.reportUnusedSuppressions });
      const cache = new LintCache(file, key, (line) => io.stderr(`credflow: ${line}\n`));
      result = await lintRun(request, { lintPart: cache.lintPart });
      cache.save();
      if (flags.verbose) {
        const s = cache.stats;
        io.stderr(`credflow: cache: ${s.hits} of ${s.hits + s.misses} repositories reused, ${s.groupsReused} of ${s.groupsReused + s.groupsLinted} groups of workflows (${file})\n`);
      }
    }
  } else {
    result = await lintRun(request);
  }
  for (const e of result.internalErrors) io.stderr(`credflow: internal error: ${e}\n`);

  // The engine already applied levels, ignores and suppressions: these are the live findings.
  const byPath = new Map(result.files.map((f) => [f.path, f]));
  const findings: Finding[] = result.findings;
  // Review tools get only suggestions credflow checked: safe, one per line, nothing it would flag.
  const shown = flags.format === "rdjsonl" || flags.format === "github" ? await suggestableFindings(request, result) : findings;

  const input: ReportInput = {
    findings: shown,
    rules: [...RULES],
    toolVersion: VERSION,
    cwd: io.cwd,
    ruleDoc,
    suppressed: result.suppressed,
    fileText: (p) => byPath.get(p)?.text,
  };
  const color = (flags.format === "text" || flags.format === "concise") && useColor(flags.color, io.env, io.stdoutIsTTY && !flags.output);
  switch (flags.format) {
    case "json":
      await emitChunks(io, flags.output, formatJsonChunks(input));
      break;
    case "sarif":
      await emitChunks(io, flags.output, formatSarifChunks(input, { category: flags.sarifCategory }));
      break;
    case "rdjsonl":
      emit(io, flags.output, formatRdjsonl(input));
      break;
    case "github": {
      const gh = formatGithub(input);
      emit(io, flags.output, gh.annotations);
      const summaryPath = io.env.GITHUB_STEP_SUMMARY;
      if (summaryPath) fs.appendFileSync(summaryPath, gh.summary);
      break;
    }
    case "concise":
      // What --fix did ends the report people read; machine formats keep it on standard error.
      emit(io, flags.output, formatConcise(input, { color }) + fixReport);
      fixReport = "";
      break;
    default:
      emit(io, flags.output, formatText(input, { color, width: textWidthFor(io, flags.output) }) + fixReport);
      fixReport = "";
  }
  if (fixReport) io.stderr(fixReport);

  if (result.internalErrors.length) return 2;
  if (flags.exitZero || flags.failLevel === "none") return 0;
  const threshold = LEVEL_RANK[flags.failLevel];
  return findings.some((f) => LEVEL_RANK[f.level] >= threshold) ? 1 : 0;
}

/**
 * What the fixer did, ruff's way: "Fixed 3 findings (2 remaining)." (with --diff --verbose: "Would
 * fix 3 findings (2 would remain)."), with --verbose one line per file first.
 */
function fixSummary(fixed: ReadonlyMap<string, number>, remaining: number, opts: { verbose: boolean; dryRun: boolean }): string {
  const count = (n: number) => `${n} finding${n === 1 ? "" : "s"}`;
  const verb = opts.dryRun ? "Would fix" : "Fixed";
  const lines: string[] = [];
  let total = 0;
  for (const [p, n] of [...fixed].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
    total += n;
    if (opts.verbose) lines.push(`${verb} ${count(n)} in ${reportPath(p, undefined)}`);
  }
  // With --diff, what remains is counted on the fixed text: what --fix would leave.
  lines.push(`${verb} ${count(total)} (${remaining} ${opts.dryRun ? "would remain" : "remaining"}).`);
  return `${lines.join("\n")}\n`;
}

/** Text output fits the terminal (60 to 120 columns) when it goes to one, else 80 columns. */
function textWidthFor(io: CliIO, output: string | undefined): number | undefined {
  if (output || !io.stdoutIsTTY || !io.columns) return undefined;
  return Math.max(60, Math.min(120, io.columns));
}

function remoteRefs(result: LintResult): Array<{ action: string; ref: string }> {
  const out = new Map<string, { action: string; ref: string }>();
  const add = (u: { ref: { kind: string; owner?: string; repo?: string; ref?: string } } | undefined) => {
    if (u?.ref.kind !== "remote") return;
    const action = `${u.ref.owner}/${u.ref.repo}`.toLowerCase();
    out.set(`${action}@${u.ref.ref}`, { action, ref: u.ref.ref! });
  };
  for (const w of result.graph.workflows) for (const j of w.jobs) {
    add(j.uses);
    j.steps.forEach((s) => add(s.uses));
  }
  for (const a of result.graph.actions.values()) a.steps.forEach((s) => add(s.uses));
  return [...out.values()];
}
