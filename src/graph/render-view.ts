/**
 * The facts `credflow graph` draws, read from the graph once: workflows, jobs with `needs:`, each
 * job's expanded timeline with the credentials active before every step on current runners and, where
 * they differ, on runners older than v2.295.0 (`JobNode.roleConflicts`), composite calls with their
 * step counts, local actions that could not be resolved (`graph.issues`) and remote actions. This is
 * also the JSON format (docs/graph.md); the pictures are drawn from it (render-draw.ts).
 */
import * as path from "node:path";
import type { ConfigureCall, GraphIssue, JobNode, ProjectGraph, TimelineStep } from "./types.js";
import { runnerKind } from "./runner.js";
import { roleLinks, type RoleLink } from "./oidc.js";
import type { TrustRole } from "../iac/types.js";

export interface CredView {
  role: string | null;
  region: string | null;
  version: string;
  mode: "oidc" | "static-keys" | "role-chaining" | "other";
  path: string;
  line: number;
}

export type StepKind = "run" | "configure" | "action" | "docker" | "composite" | "local-action" | "unresolved" | "other";

export interface StepView {
  /** Position in the job's expanded timeline. */
  index: number;
  path: string;
  line: number;
  label: string;
  /** The step's `name:` (or `id:`), null without one. */
  name: string | null;
  /** The `uses: ./…` calls from the job's own step down to the composite holding this step. */
  chain: Array<{ path: string; line: number; uses: string }>;
  kind: StepKind;
  uses: string | null;
  /** The step statically cannot run (its `if:` or a calling step's is false for the inputs passed). */
  skipped: boolean;
  /** Credentials in effect before the step runs (the last configure call before it). */
  credentials: CredView | null;
  /** The credentials this step exports, for configure-aws-credentials steps. */
  configures: CredView | null;
  /**
   * On runners older than v2.295.0, when they differ from `credentials`: the earlier role the step
   * still runs as (rule composite-role-conflict). Null everywhere else.
   */
  oldRunnerCredentials: CredView | null;
  /** A resolved local composite action: its file, its steps (at any depth, call steps left out) and its last timeline index. */
  composite?: { path: string | null; steps: number; end: number };
  /** A local action that is not a composite (`runs.using` node20, docker, …): not expanded. */
  localAction?: { path: string; using: string | null };
  /** A local action or reusable workflow credflow could not follow, and why. */
  unresolved?: { reason: UnresolvedReason; message: string };
  /** For an OIDC configure call: the repository role it assumes (`role` = RoleView.key), or why that is unknown. */
  assumes?: { role: string } | { unknown: string; text: string };
}

/** An IAM role read from the repository's infrastructure code, with the jobs that assume it. */
export interface RoleView {
  key: string;
  name: string;
  source: TrustRole["source"];
  path: string;
  line: number;
  policy: { path: string; line: number } | null;
  /** Why credflow cannot read the trust policy, when it cannot. */
  policyUnknown: string | null;
  jobs: Array<{ path: string; job: string; line: number }>;
}

export type UnresolvedReason = GraphIssue["kind"] | "invalid" | "not-followed";

export interface RoleConflictView {
  /** The job's own `uses: ./…` step whose composite assumes the second role; `line` is its `uses:` line, where composite-role-conflict reports. */
  at: { index: number; path: string; line: number };
  /** The configure call inside the composite (`line`: its `uses:` line). */
  configure: { index: number; path: string; line: number };
  /** What the stale steps still run as on runners older than v2.295.0. */
  earlier: CredView;
  /** What they run as on newer runners. */
  assumed: CredView;
  /** Timeline indexes of the steps that see `earlier` on old runners. */
  stale: number[];
}

export interface IssueView {
  kind: GraphIssue["kind"];
  path: string;
  line: number;
  message: string;
}

export interface JobView {
  id: string;
  name: string | null;
  path: string;
  line: number;
  needs: string[];
  /** The `runs-on` labels as written, null without `runs-on`. */
  runsOn: string | null;
  runner: "self-hosted" | "github-hosted" | "codebuild" | "unknown";
  /** The job's `if:` is false for the inputs its reusable-workflow caller passes. */
  skipped: boolean;
  /** Counts past 2^53 (floating-point approximations) or past the largest double are "overflow". */
  matrix: { count: number | "unknown" | "overflow"; concurrency: number | "unknown" | "overflow"; maxParallel: number | null };
  /** A job-level `uses:` (reusable workflow): local, remote, or local but not followed. */
  uses: { ref: string; kind: "local" | "remote" | "unresolved"; unresolved?: { reason: UnresolvedReason; message: string } } | null;
  timeline: StepView[];
  roleConflicts: RoleConflictView[];
  /** Problems found while expanding this job that no drawn step carries (expansion cut short). */
  issues: IssueView[];
  calls?: { path: string; jobs: JobView[] };
}

export interface WorkflowView {
  path: string;
  name: string | null;
  jobs: JobView[];
}

export interface GraphView {
  version: 1;
  workflows: WorkflowView[];
  /** Roles defined in the repository's infrastructure code (Terraform, CloudFormation, …). */
  roles: RoleView[];
  issues: IssueView[];
}

function firstLine(text: string): string {
  const line = text.split(/\r\n|\r|\n/)[0] ?? "";
  return line.length > 40 ? `${line.slice(0, 39)}…` : line;
}

function stepLabel(ts: TimelineStep): string {
  const s = ts.step;
  const name = s.name?.value ?? s.id?.value;
  const what = s.uses ? `uses ${s.uses.node.value}` : s.run ? `run ${firstLine(s.run.value)}` : "step";
  return name ? `${name}: ${what}` : what;
}

function cred(node: JobNode, call: ConfigureCall | undefined): CredView | null {
  if (!call) return null;
  const ts = node.timeline[call.timelineIndex] ?? call.step;
  return {
    role: call.role ?? null,
    region: call.region ?? null,
    version: call.version.tag ?? call.version.ref,
    mode: call.oidc ? "oidc" : call.staticKeys ? "static-keys" : call.roleChaining ? "role-chaining" : "other",
    path: ts.file.path,
    line: ts.step.range.start.line,
  };
}

/** A count JSON can carry exactly: integers up to 2^53; larger ones (or Infinity, which JSON prints as null) are "overflow". */
function exactCount(n: number | "unknown" | undefined): number | "unknown" | "overflow" {
  if (n === undefined || n === "unknown") return "unknown";
  return Number.isSafeInteger(n) ? n : "overflow";
}

/** Graph issues by the file and offset they point at (a `uses:` value). */
type IssueIndex = Map<string, GraphIssue>;

function issueKey(filePath: string, offset: number): string {
  return `${filePath}\0${offset}`;
}

function indexIssues(graph: ProjectGraph): IssueIndex {
  const out: IssueIndex = new Map();
  for (const i of graph.issues) {
    const key = issueKey(i.file.path, i.range.start.offset);
    if (!out.has(key)) out.set(key, i);
  }
  return out;
}

function issueView(i: GraphIssue): IssueView {
  return { kind: i.kind, path: i.file.path, line: i.range.start.line, message: i.message };
}

/** What a `uses: ./…` step that was not expanded is: a local non-composite action, or something credflow could not follow. */
function localTarget(graph: ProjectGraph, issues: IssueIndex, ts: TimelineStep): Pick<StepView, "kind" | "localAction" | "unresolved" | "composite"> {
  const uses = ts.step.uses!;
  const issue = issues.get(issueKey(ts.file.path, uses.node.range.start.offset));
  if (issue) return { kind: "unresolved", unresolved: { reason: issue.kind, message: issue.message } };
  const rel = uses.ref.kind === "local" ? uses.ref.path : "";
  const root = ts.file.root;
  if (root) {
    for (const name of ["action.yml", "action.yaml"]) {
      const abs = path.resolve(root, rel, name);
      const model = graph.actions.get(abs);
      if (model) {
        if (model.using === "composite") return { kind: "composite", composite: { path: model.file.path, steps: 0, end: ts.index } };
        return { kind: "local-action", localAction: { path: model.file.path, using: model.using ?? null } };
      }
      const file = graph.files.find((f) => f.absPath === abs);
      if (file) return { kind: "unresolved", unresolved: { reason: "parse", message: `${file.path} could not be read as an action` } };
    }
  }
  return { kind: "unresolved", unresolved: { reason: "not-followed", message: `\`${rel}\` has no action.yml here to follow (another repository's checkout, a submodule, or a container action built from its Dockerfile); not followed` } };
}

function stepKind(graph: ProjectGraph, issues: IssueIndex, node: JobNode, ts: TimelineStep, configureAt: Set<number>): Pick<StepView, "kind" | "localAction" | "unresolved" | "composite"> {
  const ref = ts.step.uses?.ref;
  if (!ref) return { kind: ts.step.run ? "run" : "other" };
  if (configureAt.has(ts.index)) return { kind: "configure" };
  switch (ref.kind) {
    case "remote":
      return { kind: "action" };
    case "docker":
      return { kind: "docker" };
    case "invalid":
      return { kind: "unresolved", unresolved: { reason: "invalid", message: ref.reason } };
    case "local": {
      const span = node.callSteps.get(ts.index);
      if (!span) return localTarget(graph, issues, ts);
      let steps = 0;
      for (let j = span.callIndex + 1; j <= span.end; j++) if (!node.callSteps.has(j)) steps++;
      return { kind: "composite", composite: { path: node.timeline[span.callIndex + 1]?.file.path ?? null, steps, end: span.end } };
    }
  }
}

function roleKey(r: TrustRole): string {
  return `${r.at.file.path}:${r.at.range.start.line}:${r.id}:${r.instance ?? ""}`;
}

function roleDisplayName(r: TrustRole): string {
  const n = r.name;
  return n.kind === "name" ? n.value : n.kind === "prefix" ? `${n.value}…` : n.kind === "generated" ? `<stack>-${n.logicalId}-<suffix>` : r.id;
}

/** Which repository role each configure call assumes (the trust rules' own linking). */
function linksOf(graph: ProjectGraph): Map<TimelineStep, RoleLink> {
  // Without roles in the repository's infrastructure code every role is unknown: nothing to draw.
  if (!graph.trust || graph.trust.roles.length === 0) return new Map();
  return new Map(roleLinks(graph).map((l) => [l.ts, l]));
}

function roleViews(graph: ProjectGraph, links: Map<TimelineStep, RoleLink>): RoleView[] {
  return (graph.trust?.roles ?? []).map((r) => {
    const jobs = new Map<string, RoleView["jobs"][number]>();
    for (const l of links.values()) {
      if (!l.roles.includes(r)) continue;
      jobs.set(`${l.node.workflow.file.path}:${l.node.job.id}`, { path: l.node.workflow.file.path, job: l.node.job.id, line: l.node.job.idRange.start.line });
    }
    return {
      key: roleKey(r),
      name: roleDisplayName(r),
      source: r.source,
      path: r.at.file.path,
      line: r.at.range.start.line,
      policy: r.policyAt ? { path: r.policyAt.file.path, line: r.policyAt.range.start.line } : null,
      policyUnknown: "unknown" in r.policy ? r.policy.unknown : null,
      jobs: [...jobs.values()],
    };
  });
}

function jobView(graph: ProjectGraph, issues: IssueIndex, node: JobNode, links: Map<TimelineStep, RoleLink>): JobView {
  const tl = node.timeline;
  const callAt = new Map(node.configureCalls.map((c) => [c.timelineIndex, c]));
  const configureAt = new Set([...node.configureCalls, ...node.skippedConfigureCalls].map((c) => c.timelineIndex));
  const oldRunner = new Map<number, CredView>();
  const conflicts: RoleConflictView[] = [];
  for (const c of node.roleConflicts) {
    const earlier = cred(node, c.before)!;
    for (const s of c.stale) oldRunner.set(s.index, earlier);
    const callTs = tl[c.call.timelineIndex]!;
    const top = tl[callTs.chain[0]!.timelineIndex]!;
    conflicts.push({
      at: { index: top.index, path: top.file.path, line: top.step.uses!.node.range.start.line },
      configure: { index: callTs.index, path: callTs.file.path, line: callTs.step.uses!.node.range.start.line },
      earlier,
      assumed: cred(node, c.call)!,
      stale: c.stale.map((s) => s.index),
    });
  }
  const drawn = new Set<GraphIssue>();
  const timeline = tl.map((ts): StepView => {
    const kind = stepKind(graph, issues, node, ts, configureAt);
    if (kind.unresolved) {
      const issue = issues.get(issueKey(ts.file.path, ts.step.uses!.node.range.start.offset));
      if (issue) drawn.add(issue);
    }
    const link = links.get(ts);
    const assumes: StepView["assumes"] = link ? (link.roles[0] ? { role: roleKey(link.roles[0]) } : { unknown: link.unknownWhy ?? "not known", text: link.roleText }) : undefined;
    return {
      ...(assumes ? { assumes } : {}),
      index: ts.index,
      path: ts.file.path,
      line: ts.step.range.start.line,
      label: stepLabel(ts),
      name: ts.step.name?.value ?? ts.step.id?.value ?? null,
      chain: ts.chain.map((c) => ({ path: c.file.path, line: c.step.range.start.line, uses: c.step.uses?.node.value ?? "" })),
      ...kind,
      uses: ts.step.uses?.node.value ?? null,
      skipped: ts.skipped,
      credentials: cred(node, node.activeCredentials[ts.index]),
      configures: cred(node, callAt.get(ts.index)),
      oldRunnerCredentials: oldRunner.get(ts.index) ?? null,
    };
  });

  let uses: JobView["uses"] = null;
  const ju = node.job.uses;
  if (ju) {
    if (ju.ref.kind !== "local") uses = { ref: ju.node.value, kind: "remote" };
    else if (node.called) uses = { ref: ju.node.value, kind: "local" };
    else {
      const issue = issues.get(issueKey(node.workflow.file.path, ju.node.range.start.offset));
      if (issue) drawn.add(issue);
      uses = {
        ref: ju.node.value,
        kind: node.skipped ? "local" : "unresolved",
        ...(node.skipped ? {} : { unresolved: issue ? { reason: issue.kind, message: issue.message } : { reason: "parse" as const, message: `\`${ju.node.value}\` could not be read as a workflow` } }),
      };
    }
  }

  // Issues inside the job's own text that no step shows (an expansion cut short).
  const start = node.job.range.start.offset;
  const end = node.job.range.end.offset;
  const jobIssues = graph.issues
    .filter((i) => !drawn.has(i) && i.file === node.workflow.file && i.range.start.offset >= start && i.range.start.offset <= end && !timelineHolds(tl, i))
    .map(issueView);

  const runner = runnerKind(node);
  const runsOn = node.job.runsOn;
  const view: JobView = {
    id: node.job.id,
    name: node.job.name?.value ?? null,
    path: node.workflow.file.path,
    line: node.job.idRange.start.line,
    needs: [...node.job.needs],
    runsOn: runsOn ? [runsOn.group ? `group ${runsOn.group}` : "", ...runsOn.labels].filter(Boolean).join(", ") : null,
    runner: runner.kind,
    skipped: node.skipped,
    matrix: {
      count: exactCount(node.matrix.count),
      concurrency: exactCount(node.matrix.concurrency),
      maxParallel: node.matrix.maxParallel ?? null,
    },
    uses,
    timeline,
    roleConflicts: conflicts,
    issues: jobIssues,
  };
  if (node.called) view.calls = { path: node.called.workflow.file.path, jobs: node.called.jobs.map((j) => jobView(graph, issues, j, links)) };
  return view;
}

/** True when the issue sits on a step's `uses:` in the timeline (shown by that step). */
function timelineHolds(tl: readonly TimelineStep[], issue: GraphIssue): boolean {
  return tl.some((ts) => ts.file === issue.file && ts.step.uses?.node.range.start.offset === issue.range.start.offset);
}

export function graphView(graph: ProjectGraph): GraphView {
  const issues = indexIssues(graph);
  const links = linksOf(graph);
  return {
    version: 1,
    workflows: graph.workflows
      .filter((w) => graph.jobsByWorkflow.has(w.file.path))
      .map((w) => ({ path: w.file.path, name: w.name?.value ?? null, jobs: (graph.jobsByWorkflow.get(w.file.path) ?? []).map((n) => jobView(graph, issues, n, links)) })),
    roles: roleViews(graph, links),
    issues: [
      ...graph.issues.map(issueView),
      // Trust policies credflow found but could not read (kind "parse": the file's content).
      ...(graph.trust?.problems ?? []).map((p): IssueView => ({ kind: "parse", path: p.file.path, line: p.range.start.line, message: p.message })),
    ],
  };
}

/** The files a workflow's jobs read (the workflow, its composites, the workflows it calls): to keep the issues of a focused view. */
export function filesOf(wf: WorkflowView): Set<string> {
  const out = new Set<string>([wf.path]);
  const walk = (j: JobView): void => {
    out.add(j.path);
    for (const s of j.timeline) out.add(s.path);
    j.calls?.jobs.forEach(walk);
  };
  wf.jobs.forEach(walk);
  return out;
}
