/**
 * The life of a finding, in one place and in this order: a rule reports; the engine applies the
 * configured level, checks the fix against the rule's metadata, dedupes one problem reached through
 * several jobs (keeping every path that reaches it), adds those paths as related locations, then
 * drops findings in ignored files, applies `ignore-findings` and inline suppressions, and only then
 * hands the live findings to consumers (reporters, `--fix`, `--diff`, SARIF fixes).
 */
import type { Finding, Fix, Level, Location, NoFix, RelatedLocation, Report, Rule, RuleMeta, Via } from "../rules/types.js";
import { LEVEL_RANK } from "../rules/types.js";
import { applySuppressions, suppressionFindings, unusedIgnoreEntryFindings, UNUSED_SUPPRESSION_RULE_ID } from "../config/suppressions.js";
import type { ProjectGraph } from "../graph/types.js";
import { callersByFile, type Caller } from "../graph/reach.js";

/** At most this many calls are listed as "reached through" for a file many jobs use. */
const MAX_CALLERS = 10;

/** A finding whose level and place are settled but whose fix may not be computed yet. */
interface Pending {
  rule: RuleMeta;
  finding: Finding;
  fix?: Report["fix"];
  /** The rule said which job reaches the location (else the file's callers are listed). */
  hasVia: boolean;
  /** Call sites and callers that reach the location, in the order first seen. */
  through: RelatedLocation[];
  throughKeys: Set<string>;
}

export interface FindingPolicy {
  /** Level configured for a rule ("off" disables it); undefined keeps the rule's own levels. */
  ruleLevel?: (id: string) => Level | "off" | undefined;
  /** Repository-relative paths whose findings are dropped (the file is not linted at all). */
  ignorePath?: (repoPath: string) => boolean;
  /** An `ignore-findings` entry covering the finding, described for the "suppressed" list. */
  ignoredFinding?: (ruleId: string, repoPath: string, line: number) => string | undefined;
  /** Every `ignore-findings` entry, described as `ignoredFinding` describes it, and where it is written. */
  ignoreEntries?: ReadonlyArray<{ reason: string; rule?: string; location?: Location }>;
  /** Report inline suppressions and `ignore-findings` entries that suppress nothing (`--report-unused-suppressions`). */
  reportUnusedSuppressions?: boolean;
  /** Compute fixes (call the rules' fix functions). Off for consumers that never show them. */
  fixes?: boolean;
  /**
   * Leave the `ignore-findings` entries that hid nothing to the caller (`unusedEntryFindings`): a
   * run over several repositories judges an entry by all of them.
   */
  deferIgnoreEntries?: boolean;
}

export interface SettledFindings {
  findings: Finding[];
  suppressed: Array<{ finding: Finding; reason: string }>;
  /** Rules that broke the contract (a fix from a rule that does not fix): bugs in credflow. */
  internalErrors: string[];
  /** The `ignore-findings` entries (as `ignoredFinding` describes them) that hid a finding. */
  usedEntries: Set<string>;
}

const locationKey = (path: string, offset: number): string => `${path}\0${offset}`;

export class FindingRegistry {
  private readonly pending = new Map<string, Pending>();
  private readonly internalErrors: string[] = [];

  constructor(private readonly policy: FindingPolicy = {}) {}

  /** Whether the rule runs at all. */
  enabled(rule: RuleMeta): boolean {
    return this.policy.ruleLevel?.(rule.id) !== "off";
  }

  /** The `report` function a rule's context gets. */
  reporterFor(rule: RuleMeta): (report: Report) => void {
    const configured = this.policy.ruleLevel?.(rule.id);
    return (r) => {
      const level = configured && configured !== "off" ? configured : (r.level ?? rule.defaultLevel);
      const key = `${rule.id}\0${r.location.path}\0${r.location.range.start.offset}\0${r.location.range.end.offset}\0${r.key ?? r.message}`;
      const finding: Finding = { ruleId: rule.id, level, message: r.message, location: r.location, related: r.related ?? [] };
      if (r.headline !== undefined) finding.headline = r.headline;
      if (r.why !== undefined) finding.why = r.why;
      if (r.hint !== undefined) finding.hint = r.hint;
      if (r.label !== undefined) finding.label = r.label;
      if (r.fixNote !== undefined) finding.fixNote = r.fixNote;
      const through = reachedThrough(r.via, finding);
      const prev = this.pending.get(key);
      if (!prev) {
        const p: Pending = { rule, finding, fix: r.fix, hasVia: !!r.via, through: [], throughKeys: new Set() };
        addThrough(p, through);
        this.pending.set(key, p);
        return;
      }
      // The same problem reached again (another job, another call of one composite): keep the worse
      // report, and every path that reaches it.
      if (LEVEL_RANK[level] > LEVEL_RANK[prev.finding.level]) {
        prev.finding = finding;
        prev.fix = r.fix;
      }
      addThrough(prev, through);
    };
  }

  /** Records a rule that threw. */
  ruleFailed(rule: RuleMeta, err: unknown): void {
    this.internalErrors.push(`rule ${rule.id} failed: ${err instanceof Error ? err.message : String(err)}`);
  }

  /** Applies ignores and suppressions; resolves fixes for the live findings. */
  settle(graph: ProjectGraph, activeRules: ReadonlySet<string>): SettledFindings {
    const files = graph.files;
    const byPath = new Map(files.map((f) => [f.path, f]));
    const live: Pending[] = [];
    const suppressed: Array<{ finding: Finding; reason: string }> = [];
    const callers = callersByFile(graph);
    const usedEntries = new Set<string>();
    for (const p of this.pending.values()) {
      const f = p.finding;
      if (!p.hasVia) addThrough(p, fileCallers(callers.get(f.location.path)));
      f.related = mergeRelated(f, p.through);
      const repoPath = byPath.get(f.location.path)?.repoPath ?? f.location.path;
      if (this.policy.ignorePath?.(repoPath)) continue;
      const entry = this.policy.ignoredFinding?.(f.ruleId, repoPath, f.location.range.start.line);
      if (entry !== undefined) {
        usedEntries.add(entry);
        suppressed.push({ finding: f, reason: entry });
        continue;
      }
      live.push(p);
    }
    const inline = applySuppressions(
      live.map((p) => p.finding),
      [...files],
      { activeRules },
    );
    const kept = new Set(inline.kept);
    suppressed.push(...inline.suppressed);
    const findings: Finding[] = [];
    for (const p of live) {
      if (!kept.has(p.finding)) continue;
      if (this.policy.fixes !== false) this.resolveFix(p);
      findings.push(p.finding);
    }
    // The `unused-suppression` rule's findings come from what the suppressions above did (its own
    // `check` does nothing): a rule id in a comment that no rule has, always (a misspelt id would
    // silently suppress nothing); with --report-unused-suppressions, every comment and every
    // `ignore-findings` entry (of a rule that ran) that hid no finding.
    const unusedLevel = this.policy.ruleLevel?.(UNUSED_SUPPRESSION_RULE_ID);
    if (unusedLevel !== "off") {
      const reportUnused = !!this.policy.reportUnusedSuppressions;
      const comments = suppressionFindings(inline.unused, { reportUnused });
      const entries = this.policy.deferIgnoreEntries ? [] : unusedEntryFindings(this.policy, usedEntries, activeRules, (p) => byPath.get(p)?.repoPath);
      for (const f of comments) {
        const file = byPath.get(f.location.path);
        if (file && this.policy.ignorePath?.(file.repoPath)) continue;
        if (unusedLevel) f.level = unusedLevel;
        if (this.policy.fixes === false) delete f.fix;
        findings.push(f);
      }
      findings.push(...entries);
    }
    return { findings, suppressed, internalErrors: this.internalErrors, usedEntries };
  }

  private resolveFix(p: Pending): void {
    if (p.fix === undefined) return;
    let outcome: Fix | NoFix | undefined;
    try {
      outcome = typeof p.fix === "function" ? p.fix() : p.fix;
    } catch (err) {
      this.internalErrors.push(`rule ${p.rule.id} failed computing a fix: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    if (!outcome) return;
    if ("note" in outcome) {
      p.finding.fixNote ??= outcome.note;
      return;
    }
    const allowed = p.rule.fixable;
    if (!allowed || (allowed === "safe" && !outcome.safe) || (allowed === "unsafe" && outcome.safe)) {
      // As ESLint does: a rule may only offer the fixes its metadata declares.
      const why = !allowed ? "its metadata says it does not fix" : `its metadata allows only ${allowed} fixes`;
      const msg = `rule ${p.rule.id} returned a${outcome.safe ? " safe" : "n unsafe"} fix, but ${why}`;
      if (!this.internalErrors.includes(msg)) this.internalErrors.push(msg);
      return;
    }
    if (outcome.edits.length > 0) p.finding.fix = outcome;
  }
}

/**
 * The `unused-suppression` findings for `ignore-findings` entries (of rules that ran) that hid no
 * finding, with --report-unused-suppressions. `repoPathOf` maps a linted file's display path to its
 * repository path (undefined for `.credflow.yml`, which is not linted).
 */
export function unusedEntryFindings(
  policy: FindingPolicy,
  usedEntries: ReadonlySet<string>,
  activeRules: ReadonlySet<string>,
  repoPathOf: (path: string) => string | undefined,
): Finding[] {
  const level = policy.ruleLevel?.(UNUSED_SUPPRESSION_RULE_ID);
  if (level === "off" || !policy.reportUnusedSuppressions) return [];
  const entries = (policy.ignoreEntries ?? []).filter((e) => !usedEntries.has(e.reason) && (e.rule === undefined || activeRules.has(e.rule)));
  const out: Finding[] = [];
  for (const f of unusedIgnoreEntryFindings(entries)) {
    const repoPath = repoPathOf(f.location.path);
    if (repoPath !== undefined && policy.ignorePath?.(repoPath)) continue;
    if (level) f.level = level;
    if (policy.fixes === false) delete f.fix;
    out.push(f);
  }
  return out;
}

/** The calls that reach a composite action or reusable workflow file, for a finding in it that no job was named for. */
function fileCallers(list: readonly Caller[] | undefined): RelatedLocation[] {
  if (!list) return [];
  return list.slice(0, MAX_CALLERS).map((c) => ({
    path: c.file.path,
    range: c.range,
    message: c.kind === "composite" ? `composite call in job \`${c.job}\` that reaches this file` : `job \`${c.job}\` calls this reusable workflow`,
  }));
}

function addThrough(p: Pending, through: RelatedLocation[]): void {
  for (const r of through) {
    const k = locationKey(r.path, r.range.start.offset);
    if (p.throughKeys.has(k)) continue;
    p.throughKeys.add(k);
    p.through.push(r);
  }
}

/** The rule's own related locations, then the paths that reach the finding (never the location itself). */
function mergeRelated(f: Finding, through: RelatedLocation[]): RelatedLocation[] {
  if (through.length === 0) return f.related;
  const seen = new Set([locationKey(f.location.path, f.location.range.start.offset), ...f.related.map((r) => locationKey(r.path, r.range.start.offset))]);
  const out = [...f.related];
  for (const r of through) {
    const k = locationKey(r.path, r.range.start.offset);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(r);
  }
  return out;
}

/**
 * The composite call sites and reusable-workflow callers above a finding's location: the calls that
 * lead into the file holding it. A finding at a workflow's own step, or at a call site itself, gets
 * only the calls above that point.
 */
function reachedThrough(via: Via | undefined, f: Finding): RelatedLocation[] {
  if (!via) return [];
  const at = f.location.path;
  const callers: RelatedLocation[] = [];
  let callerHolds = false;
  for (let n = via.node; n.caller; n = n.caller) {
    const c = n.caller;
    if (c.workflow.file.path === at) {
      // The location is in a calling workflow: only the callers above that one lead to it.
      callerHolds = true;
      callers.length = 0;
      continue;
    }
    callers.push({
      path: c.workflow.file.path,
      range: c.job.uses?.keyRange ?? c.job.idRange,
      message: `job \`${c.job.id}\` calls the reusable workflow holding job \`${n.job.id}\``,
    });
  }
  if (callerHolds || via.node.workflow.file.path === at) return callers;
  // Inside a composite: the calls from the workflow down to the file holding the location.
  const chain = via.step?.chain ?? [];
  const stop = chain.findIndex((site) => site.file.path === at);
  const sites: RelatedLocation[] = [];
  for (const site of stop < 0 ? chain : chain.slice(0, stop)) {
    const uses = site.step.uses;
    if (uses) sites.push({ path: site.file.path, range: uses.node.range, message: `composite call in job \`${via.node.job.id}\` that reaches this step` });
  }
  return [...sites, ...callers];
}

export { UNUSED_SUPPRESSION_RULE_ID };
export type { Rule };
