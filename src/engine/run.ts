/**
 * A lint run over the command line's paths, one repository after another: each is linted on its
 * own and released before the next, and only its findings (with the text of the files they point
 * into) are kept, so memory follows the largest repository rather than the run.
 *
 * The result is the one a single lint of everything gives. What one repository's findings could
 * owe to another is settled here: `ignore-findings` entries are judged over all repositories; the
 * run-wide expansion budget is carried from one repository to the next; repositories whose jobs
 * assume roles defined in another are linted again together (trust policies are matched across the
 * run); and nested repositories, a rule that fails or a spent expansion budget make the whole run
 * one lint, as before.
 */
import * as v8 from "node:v8";
import * as vm from "node:vm";
import type { SourceFile } from "../model/types.js";
import type { Finding } from "../rules/types.js";
import type { TrustRole } from "../iac/types.js";
import { RULES } from "../rules/index.js";
import { discover, type Discovery } from "../discover/discover.js";
import { isInside } from "../fs/paths.js";
import { roleLinks, rolesNamed } from "../graph/oidc.js";
import { runSourceOf, upstreamEvents, type RunSource } from "../graph/upstream.js";
import { unusedEntryFindings } from "./findings.js";
import { lint, lintCore, partOf, sortFindings, type CoreResult, type LintPart, type LintRequest, type LintResult } from "./lint.js";

/** What a run's report needs: the live and suppressed findings and the files they are in. */
export type RunResult = Omit<LintResult, "graph">;

/** One repository (or several linted together), reduced to what the report needs. */
export interface Outcome {
  /** The repositories it covers. */
  repositories: string[];
  /** Directory arguments' repositories (LintResult.roots). */
  roots: string[];
  findings: Finding[];
  suppressed: Array<{ finding: Finding; reason: string }>;
  internalErrors: string[];
  usedEntries: Set<string>;
  activeRules: Set<string>;
  /** Display path → repository path of every linted file (for `ignore:` of unused entries). */
  repoPaths: Map<string, string>;
  /** The files findings point into, without their parse trees. */
  files: SourceFile[];
  /** Roles defined here, and the role ARNs jobs here assume: to find roles matched across repositories. */
  roles: TrustRole[];
  arns: string[];
  /** The top-level workflows, as `workflow_run` triggers see them: to find triggers that name another repository's. */
  runSources: RunSource[];
  /** Steps and jobs gained through calls, and whether the run-wide budget ran out. */
  spent: number;
  exhausted: boolean;
  /** Directory arguments with nothing to lint, by their place among all of the run's. */
  emptyFailures: CoreResult["emptyFailures"];
}

/** Lints one repository's part of the run (the cache brings its own); `found` is the run's discovery. */
export type PartLinter = (req: LintRequest, part: LintPart, spent: number, found: Discovery) => Promise<Outcome>;

export async function lintRun(req: LintRequest, opts: { lintPart?: PartLinter } = {}): Promise<RunResult> {
  if (req.stdin || req.overrides) return lint(req);
  const found = discover(req.paths, req.cwd);
  // `ignore-findings` entries are judged once all repositories are linted.
  const deferred: LintRequest = { ...req, deferIgnoreEntries: true };
  const together = async (part: LintPart): Promise<Outcome> => outcomeOf(await lintCore(deferred, part), found, part);
  const whole = async (): Promise<RunResult> => finish(req, [await together(partOf(found))]);
  if (nested(found.order)) return whole();
  const lintPart: PartLinter = opts.lintPart ?? (async (r, part, spent) => outcomeOf(await lintCore(r, part, { expansionSpent: spent }), found, part));
  const outcomes: Outcome[] = [];
  let spent = 0;
  for (const root of found.order) {
    const outcome = await lintPart(deferred, partOf(found, new Set([root])), spent, found);
    // Past the run-wide budget each workflow's analysis depends on the ones before it; a rule that
    // fails stops for the whole run. Either way: one lint of everything, as it always was.
    if (outcome.exhausted || outcome.internalErrors.length > 0) return whole();
    spent += outcome.spent;
    outcomes.push(outcome);
    if (found.order.length > 1) collectGarbage();
  }
  const failures = outcomes.flatMap((o) => o.emptyFailures).sort((a, b) => a.index - b.index);
  if (failures.length > 0) throw failures[0]!.error;
  // Jobs that assume a role defined in another repository of the run, `workflow_run` triggers that
  // a workflow of another repository answers: those repositories together.
  for (const set of crossLinked(outcomes)) {
    const merged = await together(partOf(found, new Set(set)));
    const at = outcomes.findIndex((o) => o.repositories.some((r) => set.includes(r)));
    const rest = outcomes.filter((o) => !o.repositories.some((r) => set.includes(r)));
    rest.splice(at, 0, merged);
    outcomes.splice(0, outcomes.length, ...rest);
  }
  return finish(req, outcomes);
}

/**
 * A full garbage collection between repositories. V8 sizes its heap after the largest it has
 * needed and collects lazily, so without one the next repository's parse grows the heap on top of
 * the previous one's dead models: three dataset-sized repositories then peak at 1.4-1.6 times one.
 * `gc` is only reachable with --expose-gc; the flag is turned on here (V8 accepts it at run time).
 */
let gcFunction: (() => void) | undefined | null = null;
function collectGarbage(): void {
  if (gcFunction === null) {
    try {
      v8.setFlagsFromString("--expose-gc");
      gcFunction = vm.runInNewContext("gc") as () => void;
    } catch {
      gcFunction = undefined;
    }
  }
  gcFunction?.();
}

/** Whether one repository of the run lies inside another (their files would be linted twice). */
function nested(roots: readonly string[]): boolean {
  return roots.some((a) => roots.some((b) => a !== b && isInside(a, b)));
}

/**
 * Groups (of two or more) of repositories that a single lint of the run would have judged together:
 * a job assuming a role defined in another repository's infrastructure code, a `workflow_run`
 * trigger whose verdict changes with the workflows of other repositories.
 */
function crossLinked(outcomes: readonly Outcome[]): string[][] {
  if (outcomes.length < 2) return [];
  const parent = outcomes.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
  const union = (i: number, j: number): void => {
    parent[find(i)] = find(j);
  };
  outcomes.forEach((o, i) => {
    for (const arn of o.arns) {
      outcomes.forEach((other, j) => {
        if (j !== i && other.roles.length > 0 && rolesNamed(other.roles, arn).roles.length > 0) union(i, j);
      });
    }
  });
  const owner = new Map<RunSource, number>();
  outcomes.forEach((o, i) => o.runSources.forEach((w) => owner.set(w, i)));
  const all = outcomes.flatMap((o) => o.runSources);
  const id = (w: RunSource) => w;
  outcomes.forEach((o, i) => {
    for (const w of o.runSources) {
      if (!w.triggers.includes("workflow_run")) continue;
      const localUnknown: string[] = [];
      const local = upstreamEvents(w, o.runSources, id, { unknown: localUnknown });
      const globalUnknown: string[] = [];
      const matched = new Set<RunSource>();
      const global = upstreamEvents(w, all, id, { unknown: globalUnknown, matched });
      if (JSON.stringify([local, localUnknown]) === JSON.stringify([global, globalUnknown])) continue;
      for (const m of matched) union(i, owner.get(m)!);
    }
  });
  const groups = new Map<number, number[]>();
  outcomes.forEach((_, i) => groups.set(find(i), [...(groups.get(find(i)) ?? []), i]));
  return [...groups.values()].filter((g) => g.length > 1).map((g) => g.flatMap((i) => outcomes[i]!.repositories));
}

/** Reduces a lint to what the run keeps: its graph and models are dropped with it. */
export function outcomeOf(core: CoreResult, found: Discovery, part: LintPart): Outcome {
  const graph = core.graph;
  const arns = new Set<string>();
  if (core.emptyFailures.length === 0 && graph.jobs.length > 0) {
    for (const l of roleLinks(graph)) if (l.arn) arns.add(l.arn);
  }
  return {
    repositories: part.repositories,
    roots: core.roots,
    findings: core.findings,
    suppressed: core.suppressed,
    internalErrors: core.internalErrors,
    usedEntries: core.usedEntries,
    activeRules: core.activeRules,
    repoPaths: new Map(graph.files.map((f) => [f.path, f.repoPath])),
    files: referencedFiles(graph.files, core.findings, core.suppressed),
    roles: graph.trust?.roles ?? [],
    arns: [...arns],
    runSources: graph.workflows.map(runSourceOf),
    spent: graph.expansion?.spent ?? 0,
    exhausted: graph.expansion?.exhausted ?? false,
    emptyFailures: core.emptyFailures.map((f) => ({ index: found.empty.indexOf(part.empty[f.index]!), error: f.error })),
  };
}

/** Where each path is in a list of files (all of its places, in order). */
export function filePlaces(files: readonly SourceFile[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  files.forEach((f, i) => {
    const at = out.get(f.path);
    if (at) at.push(i);
    else out.set(f.path, [i]);
  });
  return out;
}

/**
 * The files findings point into (their location, related places, fix edits), text only, in the
 * order of `files`. `places` (filePlaces of `files`) spares a pass over all files per call.
 */
export function referencedFiles(files: readonly SourceFile[], findings: readonly Finding[], suppressed: ReadonlyArray<{ finding: Finding }>, places?: ReadonlyMap<string, number[]>): SourceFile[] {
  const wanted = new Set<string>();
  const note = (f: Finding) => {
    wanted.add(f.location.path);
    for (const r of f.related) wanted.add(r.path);
    for (const e of f.fix?.edits ?? []) wanted.add(e.path);
  };
  findings.forEach(note);
  suppressed.forEach((s) => note(s.finding));
  const at = places ? [...wanted].flatMap((p) => places.get(p) ?? []).sort((a, b) => a - b) : files.flatMap((f, i) => (wanted.has(f.path) ? [i] : []));
  return at.map((i) => {
    const f = files[i]!;
    return { path: f.path, repoPath: f.repoPath, kind: f.kind, text: f.text, ...(f.absPath !== undefined ? { absPath: f.absPath } : {}), ...(f.root !== undefined ? { root: f.root } : {}) };
  });
}

/** The run's result: every repository's findings, then the `ignore-findings` entries none of them used. */
function finish(req: LintRequest, outcomes: readonly Outcome[]): RunResult {
  const failures = outcomes.flatMap((o) => o.emptyFailures).sort((a, b) => a.index - b.index);
  if (failures.length > 0) throw failures[0]!.error;
  const used = new Set(outcomes.flatMap((o) => [...o.usedEntries]));
  const active = new Set(outcomes.flatMap((o) => [...o.activeRules]));
  const repoPaths = new Map(outcomes.flatMap((o) => [...o.repoPaths]));
  const findings = outcomes.flatMap((o) => o.findings);
  findings.push(...unusedEntryFindings(req, used, active, (p) => repoPaths.get(p)));
  return {
    findings: sortFindings(findings),
    suppressed: outcomes.flatMap((o) => o.suppressed),
    files: outcomes.flatMap((o) => o.files),
    rules: req.rules ?? RULES,
    internalErrors: outcomes.flatMap((o) => o.internalErrors),
    roots: outcomes.flatMap((o) => o.roots),
  };
}
