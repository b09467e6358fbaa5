/** `credflow graph`: the call graph with each job's credential timeline, as Mermaid, DOT or JSON. */
import type { ConfigureCall, JobNode, ProjectGraph, TimelineStep } from "./types.js";
import { allJobNodes } from "./build-graph.js";
import { roleLinks, type RoleLink } from "./oidc.js";
import type { TrustRole } from "../iac/types.js";

export type GraphFormat = "mermaid" | "dot" | "json";

interface StepView {
  index: number;
  path: string;
  line: number;
  label: string;
  chain: Array<{ path: string; line: number; uses: string }>;
  credentials: CredView | null;
  configures: CredView | null;
  /** For an OIDC configure call: the repository role it assumes (`role` = RoleView.key), or why that is unknown. */
  assumes?: { role: string } | { unknown: string; text: string };
}

/** An IAM role read from the repository's infrastructure code, with the jobs that assume it. */
interface RoleView {
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

interface CredView {
  role: string | null;
  region: string | null;
  version: string;
  mode: "oidc" | "static-keys" | "role-chaining" | "other";
  path: string;
  line: number;
}

interface JobView {
  id: string;
  path: string;
  line: number;
  /** Counts past 2^53 (floating-point approximations) or past the largest double are "overflow". */
  matrix: { count: number | "unknown" | "overflow"; concurrency: number | "unknown" | "overflow"; maxParallel: number | null };
  timeline: StepView[];
  calls?: { path: string; jobs: JobView[] };
}

function stepLabel(ts: TimelineStep): string {
  const s = ts.step;
  const name = s.name?.value ?? s.id?.value;
  const what = s.uses ? `uses ${s.uses.node.value}` : s.run ? `run ${firstLine(s.run.value)}` : "step";
  return name ? `${name}: ${what}` : what;
}

function firstLine(text: string): string {
  const line = text.split("\n")[0] ?? "";
  return line.length > 40 ? `${line.slice(0, 39)}…` : line;
}

function cred(node: JobNode, call: ConfigureCall | undefined): CredView | null {
  if (!call) return null;
  const ts = node.timeline[call.timelineIndex]!;
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

function roleKey(r: TrustRole): string {
  return `${r.at.file.path}:${r.at.range.start.line}:${r.id}:${r.instance ?? ""}`;
}

function roleDisplayName(r: TrustRole): string {
  const n = r.name;
  return n.kind === "name" ? n.value : n.kind === "prefix" ? `${n.value}…` : n.kind === "generated" ? `<stack>-${n.logicalId}-<suffix>` : r.id;
}

function linksOf(graph: ProjectGraph): Map<TimelineStep, RoleLink> {
  const calls = allJobNodes(graph).flatMap((node) => node.configureCalls.map((call) => ({ node, ts: call.step, call })));
  return new Map(roleLinks(graph, calls).map((l) => [l.ts, l]));
}

function jobView(node: JobNode, links: Map<TimelineStep, RoleLink>): JobView {
  const callAt = new Map(node.configureCalls.map((c) => [c.timelineIndex, c]));
  const view: JobView = {
    id: node.job.id,
    path: node.workflow.file.path,
    line: node.job.idRange.start.line,
    matrix: {
      count: exactCount(node.matrix.count),
      concurrency: exactCount(node.matrix.concurrency),
      maxParallel: node.matrix.maxParallel ?? null,
    },
    timeline: node.timeline.map((ts) => {
      const step: StepView = {
        index: ts.index,
        path: ts.file.path,
        line: ts.step.range.start.line,
        label: stepLabel(ts),
        chain: ts.chain.map((c) => ({ path: c.file.path, line: c.step.range.start.line, uses: c.step.uses?.node.value ?? "" })),
        credentials: cred(node, node.activeCredentials[ts.index]),
        configures: cred(node, callAt.get(ts.index)),
      };
      const link = links.get(ts);
      if (link) step.assumes = link.roles[0] ? { role: roleKey(link.roles[0]) } : { unknown: link.unknownWhy ?? "not known", text: link.roleText };
      return step;
    }),
  };
  if (node.called) view.calls = { path: node.called.workflow.file.path, jobs: node.called.jobs.map((j) => jobView(j, links)) };
  return view;
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

export function graphView(graph: ProjectGraph): {
  version: 1;
  workflows: Array<{ path: string; jobs: JobView[] }>;
  roles: RoleView[];
  issues: Array<{ path: string; line: number; message: string }>;
} {
  const links = linksOf(graph);
  return {
    version: 1,
    workflows: graph.workflows
      .filter((w) => graph.jobsByWorkflow.has(w.file.path))
      .map((w) => ({ path: w.file.path, jobs: (graph.jobsByWorkflow.get(w.file.path) ?? []).map((j) => jobView(j, links)) })),
    roles: roleViews(graph, links),
    issues: [
      ...graph.issues.map((i) => ({ path: i.file.path, line: i.range.start.line, message: i.message })),
      ...(graph.trust?.problems ?? []).map((p) => ({ path: p.file.path, line: p.range.start.line, message: p.message })),
    ],
  };
}

function countText(n: number | "unknown" | "overflow"): string {
  if (n === "overflow") return "over 2^53";
  return typeof n === "number" ? n.toLocaleString("en-US") : n;
}

function credText(c: CredView | null): string {
  if (!c) return "no AWS credentials";
  return `${c.role ?? "(no role)"} · ${c.mode} · ${c.version}`;
}

export function renderGraph(graph: ProjectGraph, format: GraphFormat): string {
  const view = graphView(graph);
  if (format === "json") return `${JSON.stringify(view, null, 2)}\n`;
  let n = 0;
  const id = () => `n${n++}`;
  const lines: string[] = [];
  // Labels hold names from the repository: quotes, backslashes and line breaks must not end them.
  const esc =
    format === "mermaid"
      ? (s: string) => s.replace(/"/g, "#quot;").replace(/\r\n|\r|\n/g, "<br/>")
      : (s: string) => s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\r\n|\r|\n/g, "\\n");
  const node = (nid: string, label: string) =>
    lines.push(format === "mermaid" ? `  ${nid}["${esc(label)}"]` : `  ${nid} [label="${esc(label)}"];`);
  const edge = (a: string, b: string, label?: string) =>
    lines.push(
      format === "mermaid"
        ? `  ${a} -->${label ? `|${esc(label)}|` : ""} ${b}`
        : `  ${a} -> ${b}${label ? ` [label="${esc(label)}"]` : ""};`,
    );
  // Roles of the repository, drawn once; steps that assume them point there.
  const roleIds = new Map<string, string>();
  const unknownRoles = new Map<string, string>();
  const roleNode = (key: string): string => {
    let rid = roleIds.get(key);
    if (!rid) {
      rid = id();
      roleIds.set(key, rid);
      const r = view.roles.find((x) => x.key === key)!;
      const policy = r.policy ? `policy ${r.policy.path}:${r.policy.line}` : "no policy";
      node(rid, `role ${r.name}\n${r.source} ${r.path}:${r.line}\n${r.policyUnknown ? `${policy} (not readable: ${r.policyUnknown})` : policy}`);
    }
    return rid;
  };
  const unknownRoleNode = (text: string, why: string): string => {
    const k = `${text}\0${why}`;
    let rid = unknownRoles.get(k);
    if (!rid) {
      rid = id();
      unknownRoles.set(k, rid);
      node(rid, `role ${text || "(none)"}\nunknown: ${why}`);
    }
    return rid;
  };
  const emitJob = (parent: string, job: JobView) => {
    const jid = id();
    const m = job.matrix.count === 1 ? "" : ` · matrix ${countText(job.matrix.count)}, ${countText(job.matrix.concurrency)} at once`;
    node(jid, `job ${job.id}${m}`);
    edge(parent, jid);
    let prev = jid;
    for (const step of job.timeline) {
      const sid = id();
      const depth = step.chain.length ? ` (in ${step.chain.map((c) => c.uses).join(" → ")})` : "";
      const creds = step.configures ? `configures ${credText(step.configures)}` : credText(step.credentials);
      node(sid, `${step.index}. ${step.label}${depth}\n${creds}`);
      edge(prev, sid);
      if (step.assumes) edge(sid, "role" in step.assumes ? roleNode(step.assumes.role) : unknownRoleNode(step.assumes.text, step.assumes.unknown), "assumes");
      prev = sid;
    }
    if (job.calls) {
      const wid = id();
      node(wid, `workflow ${job.calls.path}`);
      edge(jid, wid, "calls");
      for (const j of job.calls.jobs) emitJob(wid, j);
    }
  };
  lines.push(format === "mermaid" ? "flowchart TD" : "digraph credflow {\n  node [shape=box];");
  for (const wf of view.workflows) {
    const wid = id();
    node(wid, `workflow ${wf.path}`);
    for (const job of wf.jobs) emitJob(wid, job);
  }
  // Roles no job of the repository assumes still appear, with their policy file.
  for (const r of view.roles) roleNode(r.key);
  if (format === "dot") lines.push("}");
  return `${lines.join("\n")}\n`;
}
