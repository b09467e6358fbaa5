/** `credflow graph`: the call graph with each job's credential timeline, as Mermaid, DOT or JSON. */
import type { ConfigureCall, JobNode, ProjectGraph, TimelineStep } from "./types.js";

export type GraphFormat = "mermaid" | "dot" | "json";

interface StepView {
  index: number;
  path: string;
  line: number;
  label: string;
  chain: Array<{ path: string; line: number; uses: string }>;
  credentials: CredView | null;
  configures: CredView | null;
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

function jobView(node: JobNode): JobView {
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
    timeline: node.timeline.map((ts) => ({
      index: ts.index,
      path: ts.file.path,
      line: ts.step.range.start.line,
      label: stepLabel(ts),
      chain: ts.chain.map((c) => ({ path: c.file.path, line: c.step.range.start.line, uses: c.step.uses?.node.value ?? "" })),
      credentials: cred(node, node.activeCredentials[ts.index]),
      configures: cred(node, callAt.get(ts.index)),
    })),
  };
  if (node.called) view.calls = { path: node.called.workflow.file.path, jobs: node.called.jobs.map(jobView) };
  return view;
}

export function graphView(graph: ProjectGraph): { version: 1; workflows: Array<{ path: string; jobs: JobView[] }>; issues: Array<{ path: string; line: number; message: string }> } {
  return {
    version: 1,
    workflows: graph.workflows
      .filter((w) => graph.jobsByWorkflow.has(w.file.path))
      .map((w) => ({ path: w.file.path, jobs: (graph.jobsByWorkflow.get(w.file.path) ?? []).map(jobView) })),
    issues: graph.issues.map((i) => ({ path: i.file.path, line: i.range.start.line, message: i.message })),
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
  if (format === "dot") lines.push("}");
  return `${lines.join("\n")}\n`;
}
