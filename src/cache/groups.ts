/**
 * Splits one repository's lint into groups of workflows whose findings can be stored and reused
 * apart (the lint cache's unit), and says when a group linted again still fits beside the groups
 * kept from the last run.
 *
 * Two workflows (or lone actions) belong together when a lint of one cannot give the findings a
 * lint of both gives:
 *
 * - they reach a common file (a composite action, a called workflow, a Dockerfile looked for):
 *   findings there are reported once, with every caller as a related place;
 * - a finding of one points at a file of the other (related places, fix edits);
 * - a `workflow_run` trigger of one is judged by the names and triggers of the other;
 * - the repository's infrastructure code defines roles and the workflow assumes a role through
 *   OIDC (trust policies are matched against every such job): they join the "rest" — the
 *   repository-level part (trust-policy files, discovery's notices, the infrastructure-code walks).
 *
 * Anything the split cannot attribute (a look at the disk no workflow made, a finding in a file no
 * group holds) puts the whole repository in one group: correct, only less reusable.
 */
import type { Finding } from "../rules/types.js";
import type { SourceFile } from "../model/types.js";
import type { TrustRole } from "../iac/types.js";
import { allJobNodes } from "../graph/build-graph.js";
import { roleLinks } from "../graph/oidc.js";
import { runSourceOf, upstreamEvents, type RunSource } from "../graph/upstream.js";
import { filePlaces, referencedFiles } from "../engine/run.js";
import type { CoreResult, LintPart } from "../engine/lint.js";

/** What a lint's looks at the disk were made for (filled in by the cache while the lint runs). */
export interface Attribution {
  /** The targets (workflow and action files of the lint), absolute paths in discovery order. */
  targets: string[];
  /** Top-level file → every absolute path its expansion looked at (its own path included). */
  claims: Map<string, Set<string>>;
  /** A look that neither a target's expansion nor the infrastructure-code reading made. */
  unattributed: boolean;
  /** Display path → absolute path of files the lint reported on without reading them (discovery notices, unreadable targets). */
  stubs: Map<string, string>;
}

/** A group's share of a lint: what the run keeps of it, and what the cache needs to check it. */
export interface Group {
  /** Its targets (absolute paths); empty for a group that is only the rest. */
  targets: string[];
  /** Whether it holds the repository-level part (trust policies, notices, the walks). */
  rest: boolean;
  /** Absolute paths its workflows' expansions looked at (own files included). */
  claimed: Set<string>;
  findings: Finding[];
  suppressed: Array<{ finding: Finding; reason: string }>;
  files: SourceFile[];
  usedEntries: string[];
  repoPaths: Array<[string, string]>;
  /** Roles defined here (the rest only). */
  roles: TrustRole[];
  arns: string[];
  /** Whether a job of its workflows assumes a role through OIDC. */
  oidc: boolean;
  /** Its top-level workflows as `workflow_run` triggers see them, with their file. */
  runSources: Array<{ absPath: string; source: RunSource }>;
  spent: number;
}

class UnionFind {
  private readonly parent: number[];
  constructor(n: number) {
    this.parent = Array.from({ length: n }, (_, i) => i);
  }
  find(i: number): number {
    let r = i;
    while (this.parent[r] !== r) r = this.parent[r]!;
    while (this.parent[i] !== r) {
      const next = this.parent[i]!;
      this.parent[i] = r;
      i = next;
    }
    return r;
  }
  union(a: number, b: number): boolean {
    const x = this.find(a);
    const y = this.find(b);
    if (x === y) return false;
    // The smaller index stays the root: groups keep discovery order.
    if (x < y) this.parent[y] = x;
    else this.parent[x] = y;
    return true;
  }
}

/** The top-level file a job node's expansion started from. */
function topFile(node: ReturnType<typeof allJobNodes>[number]): string | undefined {
  let n = node;
  while (n.caller) n = n.caller;
  return n.workflow.file.absPath;
}

/**
 * The lint's groups, in discovery order of their first target (the rest last). `core` is the lint
 * of exactly the attributed targets.
 */
export function splitLint(core: CoreResult, at: Attribution): Group[] {
  const graph = core.graph;
  const n = at.targets.length;
  const REST = n;
  const uf = new UnionFind(n + 1);
  let single = at.unattributed;
  const targetIndex = new Map(at.targets.map((t, i) => [t, i]));

  // Files reached in common.
  const owner = new Map<string, number>();
  for (const [top, paths] of at.claims) {
    const i = targetIndex.get(top);
    if (i === undefined) {
      single = true;
      continue;
    }
    for (const p of paths) {
      const o = owner.get(p);
      if (o === undefined) owner.set(p, i);
      else uf.union(o, i);
    }
  }

  // Trust policies: their files, and the jobs they are matched against.
  const trust = graph.trust;
  for (const f of trust?.files ?? []) {
    const o = f.absPath !== undefined ? owner.get(f.absPath) : undefined;
    if (o !== undefined) uf.union(REST, o);
  }
  const oidcTops = new Set<string>();
  for (const node of allJobNodes(graph)) {
    if (!node.configureCalls.some((c) => c.oidc)) continue;
    const top = topFile(node);
    if (top !== undefined) oidcTops.add(top);
  }
  if ((trust?.roles.length ?? 0) > 0) {
    for (const top of oidcTops) {
      const i = targetIndex.get(top);
      if (i === undefined) single = true;
      else uf.union(REST, i);
    }
  }

  // Which member a display path (a finding's file) belongs to.
  const byPath = new Map<string, number>();
  for (const f of graph.files) {
    if (f.absPath === undefined) continue;
    const o = owner.get(f.absPath);
    if (o !== undefined) byPath.set(f.path, o);
  }
  for (const f of trust?.files ?? []) if (!byPath.has(f.path)) byPath.set(f.path, REST);
  for (const f of trust?.problems ?? []) if (!byPath.has(f.file.path)) byPath.set(f.file.path, REST);
  for (const [shown, abs] of at.stubs) byPath.set(shown, targetIndex.get(abs) ?? REST);
  const memberOfFinding = (f: Finding): number | undefined => {
    const m = byPath.get(f.location.path);
    if (m === undefined) return undefined;
    // Places it points at elsewhere: their groups are judged together.
    for (const r of f.related) {
      const o = byPath.get(r.path);
      if (o === undefined) return undefined;
      uf.union(m, o);
    }
    for (const e of f.fix?.edits ?? []) {
      const o = byPath.get(e.path);
      if (o === undefined) return undefined;
      uf.union(m, o);
    }
    return m;
  };
  const findingMember = new Map<Finding, number>();
  for (const f of [...core.findings, ...core.suppressed.map((s) => s.finding)]) {
    const m = memberOfFinding(f);
    if (m === undefined) single = true;
    else findingMember.set(f, m);
  }

  // `workflow_run` triggers: judged by the workflows of their group as by all of them.
  const sources: Array<{ member: number; absPath: string; source: RunSource }> = [];
  for (const w of graph.workflows) {
    const abs = w.file.absPath;
    const i = abs !== undefined ? targetIndex.get(abs) : undefined;
    if (abs === undefined || i === undefined) {
      single = true;
      continue;
    }
    sources.push({ member: i, absPath: abs, source: runSourceOf(w) });
  }
  for (let round = 0; !single; round++) {
    if (round > n + 1) {
      single = true;
      break;
    }
    let merged = false;
    for (const s of sources) {
      if (!s.source.triggers.includes("workflow_run")) continue;
      const mine = sources.filter((o) => uf.find(o.member) === uf.find(s.member));
      const matched = new Set<(typeof sources)[number]>();
      if (sameUpstream(s, mine, sources, matched)) continue;
      let joined = false;
      for (const m of matched) if (uf.union(s.member, m.member)) joined = true;
      // Every workflow it reads is already with it, and still the answers differ: no split.
      if (!joined) single = true;
      merged ||= joined;
    }
    if (!merged) break;
  }

  if (single) for (let i = 0; i < n; i++) uf.union(i, REST);

  // The groups, in order of their smallest member.
  const groups = new Map<number, Group>();
  const groupOf = (m: number): Group => {
    const root = uf.find(m);
    let g = groups.get(root);
    if (!g) {
      g = { targets: [], rest: false, claimed: new Set(), findings: [], suppressed: [], files: [], usedEntries: [], repoPaths: [], roles: [], arns: [], oidc: false, runSources: [], spent: 0 };
      groups.set(root, g);
    }
    return g;
  };
  at.targets.forEach((t, i) => {
    const g = groupOf(i);
    g.targets.push(t);
    for (const p of at.claims.get(t) ?? []) g.claimed.add(p);
    if (oidcTops.has(t)) g.oidc = true;
  });
  const rest = groupOf(REST);
  rest.rest = true;
  rest.roles = trust?.roles ?? [];
  for (const f of core.findings) groupOf(findingMember.get(f) ?? REST).findings.push(f);
  for (const s of core.suppressed) groupOf(findingMember.get(s.finding) ?? REST).suppressed.push(s);
  const places = filePlaces(graph.files);
  for (const g of groups.values()) {
    g.files = referencedFiles(graph.files, g.findings, g.suppressed, places);
    const used = new Set(g.suppressed.map((s) => s.reason).filter((r) => core.usedEntries.has(r)));
    g.usedEntries = [...used];
  }
  for (const f of graph.files) groupOf(byPath.get(f.path) ?? REST).repoPaths.push([f.path, f.repoPath]);
  for (const s of sources) groupOf(s.member).runSources.push({ absPath: s.absPath, source: s.source });
  if (core.emptyFailures.length === 0 && graph.jobs.length > 0) {
    const arns = new Map<Group, Set<string>>();
    for (const l of roleLinks(graph)) {
      if (!l.arn) continue;
      const top = topFile(l.node);
      const i = top !== undefined ? targetIndex.get(top) : undefined;
      const g = groupOf(i ?? REST);
      if (!arns.has(g)) arns.set(g, new Set());
      arns.get(g)!.add(l.arn);
    }
    for (const [g, set] of arns) g.arns = [...set];
  }
  for (const [file, spent] of graph.expansion?.byFile ?? []) {
    const i = file.absPath !== undefined ? targetIndex.get(file.absPath) : undefined;
    groupOf(i ?? REST).spent += spent;
  }
  return [...groups.entries()].sort((a, b) => a[0] - b[0]).map(([, g]) => g);
}

/**
 * Whether `w`'s `workflow_run` trigger gives the same answer over `mine` (the workflows linted with
 * it) as over `all`; `matched` collects the workflows the answer over `all` read.
 */
export function sameUpstream<S extends { source: RunSource }>(w: S, mine: readonly S[], all: readonly S[], matched?: Set<S>): boolean {
  const view = (s: S) => s.source;
  const localUnknown: string[] = [];
  const local = upstreamEvents(w, mine, view, { unknown: localUnknown });
  const globalUnknown: string[] = [];
  const global = upstreamEvents(w, all, view, matched ? { unknown: globalUnknown, matched } : { unknown: globalUnknown });
  return JSON.stringify([local, localUnknown]) === JSON.stringify([global, globalUnknown]);
}

/**
 * Whether groups linted again fit beside the kept ones, as one lint of the repository would have
 * judged them: no file reached by both, trust policies matched against every job that assumes a
 * role (a repository with roles keeps those jobs in the rest's group), and every `workflow_run`
 * trigger answered by its group as by all workflows.
 */
export function fits(kept: readonly Group[], fresh: readonly Group[], part: LintPart): boolean {
  const keptClaims = new Set(kept.flatMap((k) => [...k.claimed]));
  for (const g of fresh) {
    for (const p of g.claimed) if (keptClaims.has(p)) return false;
    // A finding pointing into a kept group's file (the split joins such groups; here they were apart).
    for (const f of g.files) if (f.absPath !== undefined && keptClaims.has(f.absPath)) return false;
  }
  for (const k of kept) for (const f of k.files) if (f.absPath !== undefined && fresh.some((g) => g.claimed.has(f.absPath!))) return false;
  const rest = [...kept, ...fresh].find((g) => g.rest);
  const restKept = kept.some((k) => k.rest);
  if (rest && rest.roles.length > 0) {
    const other = restKept ? fresh : kept;
    if (other.some((g) => g.oidc && !g.rest)) return false;
  }
  const order = new Map(part.targets.map((t, i) => [t.absPath, i]));
  const byOrder = (a: { absPath: string }, b: { absPath: string }) => (order.get(a.absPath) ?? -1) - (order.get(b.absPath) ?? -1);
  const all = [...kept, ...fresh].flatMap((g) => g.runSources).sort(byOrder);
  const freshSources = fresh.flatMap((g) => g.runSources).sort(byOrder);
  for (const g of kept) {
    const mine = [...g.runSources].sort(byOrder);
    for (const s of mine) if (s.source.triggers.includes("workflow_run") && !sameUpstream(s, mine, all)) return false;
  }
  for (const s of freshSources) if (s.source.triggers.includes("workflow_run") && !sameUpstream(s, freshSources, all)) return false;
  return true;
}
