/**
 * One lint run: discover → parse → model → graph → rules → findings. Reads files, never prints.
 */
import * as path from "node:path";
import type { SourceFile } from "../model/types.js";
import type { Finding, Level, Rule, RuleContext, Settings } from "../rules/types.js";
import { FindingRegistry, type FindingPolicy } from "./findings.js";
import { RULES } from "../rules/index.js";
import { discover } from "../discover/discover.js";
import { FileLoader, findRoot } from "../discover/loader.js";
import { buildGraph, type GraphInput } from "../graph/build-graph.js";
import type { FileDiagnostic, ProjectGraph } from "../graph/types.js";
import { validateSchema } from "../parse/schema.js";
import type { ParsedFile, RawInput } from "../parse/parse-file.js";
import { prepareFile } from "./prepare.js";
import type { PinResolver } from "../knowledge/pins.js";
import { kindOf, LOOKS_FOR, UsageError, type Discovery, type Target } from "../discover/discover.js";
import { isInside } from "../fs/paths.js";
import { resolveRuleOptions } from "../config/options.js";
import { loadTrust } from "../iac/load.js";

export interface LintRequest {
  paths: string[];
  cwd: string;
  /** Standard input as the only file, named by `filename` (relative to cwd). */
  stdin?: { bytes: Uint8Array; filename: string };
  settings: Settings;
  pins: PinResolver;
  rules?: readonly Rule[];
  /** Level configured for a rule ("off" disables it); undefined keeps the rule's own levels. */
  ruleLevel?: (id: string) => Level | "off" | undefined;
  /**
   * Options given for a rule (the configuration file's, then command-line flags): the engine puts
   * them over the defaults in the rule's metadata and checks them against the option schemas.
   */
  ruleOptions?: (id: string) => Record<string, unknown>;
  /** Repository-relative paths to skip entirely. */
  ignorePath?: (repoPath: string) => boolean;
  /** The `ignore-findings` entry (described) that covers a finding, if any. */
  ignoredFinding?: (ruleId: string, repoPath: string, line: number) => string | undefined;
  /** Every `ignore-findings` entry, described as `ignoredFinding` describes it, with where it is written. */
  ignoreEntries?: FindingPolicy["ignoreEntries"];
  /** Also report inline suppressions that suppress nothing. */
  reportUnusedSuppressions?: boolean;
  /** Compute fixes for the findings (default true). */
  fixes?: boolean;
  /** Replaces files' bytes (the fixer re-lints edited text without writing it). */
  overrides?: Map<string, Uint8Array>;
  /** Leave unused `ignore-findings` entries to the caller (a run over several repositories). */
  deferIgnoreEntries?: boolean;
}

export interface LintResult {
  graph: ProjectGraph;
  /** Live findings: after levels, dedupe, ignores and suppressions. */
  findings: Finding[];
  /** Findings an inline suppression or an `ignore-findings` entry hides, with the reason. */
  suppressed: Array<{ finding: Finding; reason: string }>;
  files: SourceFile[];
  rules: readonly Rule[];
  /** Rules that threw: a bug in credflow, reported with exit code 2. */
  internalErrors: string[];
  roots: string[];
}

/** What one lint covers: the files and folders of some repositories, in the order discovery found them. */
export interface LintPart {
  targets: Target[];
  scopes: Discovery["scopes"];
  empty: Discovery["empty"];
  notices: Discovery["notices"];
  roots: string[];
  /** The repositories this part lies in (directory and file arguments alike), in run order. */
  repositories: string[];
  /** Whether `trust-policies:` (relative to the first repository of the run) is read here. */
  trustPolicies: boolean;
}

/** The part of a discovery that lies in the given repositories (all of it without `roots`). */
export function partOf(found: Discovery, roots?: ReadonlySet<string>): LintPart {
  const mine = (root: string) => roots === undefined || roots.has(root);
  return {
    targets: found.targets.filter((t) => mine(t.root)),
    scopes: found.scopes.filter((s) => mine(s.root)),
    empty: found.empty.filter((e) => mine(e.root)),
    notices: found.notices.filter((n) => mine(n.root)),
    roots: found.roots.filter(mine),
    repositories: found.order.filter(mine),
    trustPolicies: found.scopes.length > 0 && mine(found.scopes[0]!.root),
  };
}

/** Extra knobs of one lint that the run over several repositories (and the cache) needs. */
export interface CoreOptions {
  /** Steps and jobs earlier repositories of the run gained through calls (the budget is run-wide). */
  expansionSpent?: number;
  /** Told of every file the graph loads, with the top-level file that asked (see buildGraph). */
  onAccess?: GraphInput["onAccess"];
  /** The loader to read through (the cache reads files before deciding what to lint). */
  loader?: FileLoader;
  /**
   * Told when the lint moves on to reading the targets, building the graph (whose looks `onAccess`
   * attributes to workflows) and reading infrastructure code: the cache attributes each look at the
   * disk to what made it.
   */
  onStage?: (stage: LintStage) => void;
}

export type LintStage = "targets" | "graph" | "trust" | "done";

/** A lint's result with what a run over several repositories combines. */
export interface CoreResult extends LintResult {
  usedEntries: Set<string>;
  activeRules: Set<string>;
  loader: FileLoader;
  /** Directory arguments with nothing to lint, as the error each would be. */
  emptyFailures: Array<{ index: number; error: UsageError }>;
}

export async function lint(req: LintRequest): Promise<LintResult> {
  let core: CoreResult;
  if (req.stdin) {
    core = await lintCore(req, undefined);
  } else {
    const found = discover(req.paths, req.cwd);
    core = await lintCore(req, partOf(found));
  }
  if (core.emptyFailures.length > 0) throw core.emptyFailures[0]!.error;
  return core;
}

/** One lint of `part` (standard input when undefined): every file in one graph. */
export async function lintCore(req: LintRequest, part: LintPart | undefined, opts: CoreOptions = {}): Promise<CoreResult> {
  const loader = opts.loader ?? new FileLoader(req.cwd, req.overrides);
  const top: ParsedFile[] = [];
  const accessDiagnostics: FileDiagnostic[] = [];
  const zero = { start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 1, offset: 0 } };
  const stub = (absPath: string): SourceFile => ({
    path: loader.display(absPath),
    repoPath: loader.display(absPath),
    absPath,
    kind: "workflow",
    text: "",
  });
  let roots: string[] = [];
  let emptyPaths: LintPart["empty"] = [];
  let scopes: LintPart["scopes"] = [];

  if (!part) {
    const stdin = req.stdin!;
    const abs = path.resolve(req.cwd, stdin.filename);
    // The repository the name puts it in, so `uses: ./…` resolves as it would on disk.
    const root = findRoot(abs, req.cwd);
    const repoPath = path.relative(root, abs).split(path.sep).join("/");
    top.push(loader.loadText(loader.display(abs), repoPath, kindOf(abs), stdin.bytes, root));
  } else {
    roots = part.roots;
    emptyPaths = part.empty;
    scopes = part.scopes;
    for (const n of part.notices) accessDiagnostics.push({ file: stub(n.absPath), ruleId: "file-access", message: n.message, range: zero });
    const raws: RawInput[] = [];
    opts.onStage?.("targets");
    for (const t of part.targets) {
      const repoPath = path.relative(t.root, t.absPath).split(path.sep).join("/");
      if (req.ignorePath?.(repoPath)) continue;
      const res = loader.readRaw(t.absPath, t.kind, t.root);
      if (res.ok) raws.push(res.raw);
      else accessDiagnostics.push({ file: stub(t.absPath), ruleId: "file-access", message: res.message.replace(/^[^:]*: /, ""), range: zero });
    }
    // Parse, model and schema-check every file up front.
    for (const raw of raws) {
      const p = await prepareFile(raw);
      loader.register(p.file.absPath!, p);
      top.push(p);
    }
  }

  // The repository's own `owner/name/path@ref` references are followed as its local files.
  opts.onStage?.("graph");
  const graph = buildGraph({
    loader,
    files: top,
    repository: req.settings.repository,
    ...(opts.onAccess ? { onAccess: opts.onAccess } : {}),
    ...(opts.expansionSpent ? { expansionSpent: opts.expansionSpent } : {}),
  });
  graph.diagnostics.push(...accessDiagnostics);
  // IAM trust policies in the repository's infrastructure code (directories linted as a whole).
  opts.onStage?.("trust");
  if (scopes.length > 0) {
    graph.trust = await loadTrust({
      scopes,
      loader,
      ...(req.settings.trustPolicies && part?.trustPolicies ? { trustPolicies: req.settings.trustPolicies } : {}),
      ...(req.ignorePath ? { ignorePath: req.ignorePath } : {}),
    });
    const known = new Set(graph.files.map((f) => f.path));
    for (const f of graph.trust.files) if (!known.has(f.path)) graph.files.push(f);
  }
  opts.onStage?.("done");
  const emptyFailures: CoreResult["emptyFailures"] = [];
  for (const [index, e] of emptyPaths.entries()) {
    // A folder with no workflow, no action and no trust policy: nothing for credflow here.
    if (!graph.trust?.files.some((f) => f.absPath !== undefined && isInside(e.dir, f.absPath))) emptyFailures.push({ index, error: new UsageError(`${e.arg}: nothing to lint here; ${LOOKS_FOR}`) });
  }
  const rules = req.rules ?? RULES;
  const base = { graph, files: graph.files, rules, roots, loader, emptyFailures };
  // Nothing is reported when an argument is wrong: the run stops with that error.
  if (emptyFailures.length > 0) return { ...base, findings: [], suppressed: [], internalErrors: [], usedEntries: new Set(), activeRules: new Set() };
  for (const parsed of loader.parsed) {
    for (const d of parsed.diagnostics) graph.diagnostics.push({ file: parsed.file, ...d });
    const schema = parsed.schema ?? (parsed.usable && parsed.expandable ? await validateSchema(parsed.file) : []);
    for (const d of schema) graph.diagnostics.push({ file: parsed.file, ...d });
  }

  // Developer aid for profiling (`CREDFLOW_TIMING=1`); never set in normal use.
  const timing = !!process.env.CREDFLOW_TIMING;
  const registry = new FindingRegistry({
    ruleLevel: req.ruleLevel,
    ignorePath: req.ignorePath,
    ignoredFinding: req.ignoredFinding,
    ignoreEntries: req.ignoreEntries,
    reportUnusedSuppressions: req.reportUnusedSuppressions,
    fixes: req.fixes,
    deferIgnoreEntries: req.deferIgnoreEntries,
  });
  const active = new Set<string>();
  for (const rule of rules) {
    if (!registry.enabled(rule)) continue;
    active.add(rule.id);
    const started = timing ? performance.now() : 0;
    try {
      const ctx: RuleContext = {
        graph,
        settings: req.settings,
        pins: req.pins,
        // Defaults from the rule's metadata, then the options given; an invalid one fails the rule.
        options: resolveRuleOptions(rule, req.ruleOptions?.(rule.id)),
        report: registry.reporterFor(rule),
      };
      rule.check(ctx);
      if (timing) process.stderr.write(`rule ${rule.id}: ${(performance.now() - started).toFixed(1)} ms\n`);
    } catch (err) {
      registry.ruleFailed(rule, err);
    }
  }
  const settled = registry.settle(graph, active);
  return {
    ...base,
    findings: sortFindings(settled.findings),
    suppressed: settled.suppressed,
    internalErrors: settled.internalErrors,
    usedEntries: settled.usedEntries,
    activeRules: active,
  };
}

export function sortFindings(findings: Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      (a.location.path < b.location.path ? -1 : a.location.path > b.location.path ? 1 : 0) ||
      a.location.range.start.line - b.location.range.start.line ||
      a.location.range.start.column - b.location.range.start.column ||
      (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0),
  );
}
