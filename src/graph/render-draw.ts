/**
 * What `credflow graph` draws, independent of the output language: clusters, nodes made of text rows
 * with a tone each, and edges. render-write.ts turns a drawing into DOT or Mermaid.
 *
 * A drawing is made of sections, each adding top-level clusters and edges: today the workflows
 * (`workflowsSection`); a section for other kinds of nodes (IAM roles, say) adds its own function and
 * is appended in `drawGraph`.
 *
 * Two levels of detail:
 * - "steps" (a picture of one workflow, or `--workflow`/`--job`): one cluster per job, one node per
 *   step, composite calls expanded into nested clusters, `needs:` edges between job clusters.
 * - "jobs" (a picture of several workflows): one cluster per workflow, one node per job listing its
 *   own steps as rows, composite calls collapsed to one row with their step count.
 * - "summary" (only when a Mermaid picture of "jobs" passes Mermaid's limits): one node per job with
 *   its step count, the roles it assumes and what needs attention.
 */
import type { CredView, GraphView, JobView, RoleView, StepView, WorkflowView } from "./render-view.js";
import { RUNNER_FIX_VERSION } from "./role-conflicts.js";

export type Detail = "steps" | "jobs" | "summary";

/** How a row, node or cluster is shown: colours and borders are the writer's choice. */
export type Tone = "plain" | "title" | "job" | "workflow" | "configure" | "composite" | "remote" | "stale" | "unresolved" | "skipped" | "called" | "role";

export interface Row {
  text: string;
  tone?: Tone;
  bold?: boolean;
}

export interface DrawNode {
  kind: "node";
  id: string;
  rows: Row[];
  tone: Tone;
}

export interface DrawCluster {
  kind: "cluster";
  id: string;
  title: Row[];
  tone: Tone;
  items: DrawItem[];
}

export type DrawItem = DrawNode | DrawCluster;

export interface DrawEdge {
  /** A node or cluster id. */
  from: string;
  to: string;
  /**
   * "order": step after step; "needs": a job after the jobs it needs; "calls": a job calling a
   * reusable workflow; "assumes": a configure step (or its job) to the repository role it assumes.
   */
  kind: "order" | "needs" | "calls" | "assumes";
}

export interface Drawing {
  /** TB: steps top to bottom (detail "steps"); LR: jobs left to right in `needs:` order. */
  direction: "TB" | "LR";
  /**
   * How DOT arranges unconnected parts (workflows, or the jobs of one workflow that do not need each
   * other) instead of one long row: "tight" packs parts of any size into a rectangle, "grid" puts
   * similar parts in rows in their order. DOT draws a lone top-level cluster's title as the
   * picture's title, so that the parts inside it can be packed.
   */
  pack: "tight" | "grid";
  items: DrawItem[];
  edges: DrawEdge[];
}

/** Marks that keep their meaning without colour (Mermaid rows have none). */
export const MARK = { stale: "⚠", unresolved: "✗" } as const;

const OLD_RUNNERS = `runners older than v${RUNNER_FIX_VERSION}`;

/** Labels keep a line's worth of a name; the rest is in the JSON format and the files. */
function clip(text: string, max = 70): string {
  if (text.length <= max) return text;
  // Never cut a surrogate pair in two.
  const end = /[\ud800-\udbff]/.test(text[max - 2]!) ? max - 2 : max - 1;
  return `${text.slice(0, end)}…`;
}

function who(c: CredView): string {
  return c.role ?? (c.mode === "static-keys" ? "static keys" : "(no role)");
}

export function credText(c: CredView | null): string {
  if (!c) return "no AWS credentials";
  return `${who(c)} · ${c.mode} · ${c.version}`;
}

function countText(n: number | "unknown" | "overflow"): string {
  if (n === "overflow") return "over 2^53";
  return typeof n === "number" ? n.toLocaleString("en-US") : n;
}

class Ids {
  private n = 0;
  next(prefix: string): string {
    return `${prefix}${this.n++}`;
  }
}

function unresolvedText(u: NonNullable<StepView["unresolved"]>): string {
  return `${MARK.unresolved} not followed: ${u.message}`;
}

/** The job's title rows: id (and name), runner, matrix, skipped, needs when the other jobs are not drawn. */
function jobTitle(job: JobView, opts: { needs: boolean }): Row[] {
  const rows: Row[] = [{ text: `job ${clip(job.id, 60)}${job.name && job.name !== job.id ? ` (${clip(job.name, 50)})` : ""}`, bold: true, tone: "title" }];
  const facts: string[] = [];
  if (job.runsOn) facts.push(`runs-on ${clip(job.runsOn, 50)}`);
  if (job.matrix.count !== 1) facts.push(`matrix ${countText(job.matrix.count)}, ${countText(job.matrix.concurrency)} at once`);
  if (opts.needs && job.needs.length) facts.push(`needs ${clip(job.needs.join(", "), 60)}`);
  if (facts.length) rows.push({ text: facts.join(" · ") });
  if (job.skipped) rows.push({ text: "skipped: its if: is false for the caller's inputs", tone: "skipped" });
  for (const i of job.issues) rows.push({ text: `${MARK.unresolved} ${clip(i.message, 90)}`, tone: "unresolved" });
  if (job.uses) {
    if (job.uses.kind === "remote") rows.push({ text: `calls ${clip(job.uses.ref)} (remote workflow, not followed)`, tone: "remote" });
    else if (job.uses.unresolved) rows.push({ text: `calls ${clip(job.uses.ref)} ${unresolvedText(job.uses.unresolved)}`, tone: "unresolved" });
    else rows.push({ text: `calls ${clip(job.uses.ref)}`, tone: "called" });
  }
  return rows;
}

/** The role a collapsed composite leaves active, when it assumes one inside. */
function assumedInside(job: JobView, step: StepView): CredView | null {
  if (!step.composite) return null;
  let last: CredView | null = null;
  for (let j = step.index + 1; j <= step.composite.end; j++) {
    const s = job.timeline[j];
    if (s?.configures && !s.skipped) last = s.configures;
  }
  return last;
}

/** What kind of step this is, said after its label. */
function kindTag(step: StepView): string {
  switch (step.kind) {
    case "action":
      return " (remote)";
    case "docker":
      return " (docker image)";
    case "composite":
      return ` (composite, ${step.composite!.steps} step${step.composite!.steps === 1 ? "" : "s"})`;
    case "local-action":
      return ` (local ${step.localAction!.using ?? "non-composite"} action)`;
    default:
      return "";
  }
}

function stepTone(step: StepView): Tone {
  if (step.skipped) return "skipped";
  if (step.unresolved) return "unresolved";
  if (step.oldRunnerCredentials) return "stale";
  if (step.kind === "configure") return "configure";
  if (step.kind === "action" || step.kind === "docker") return "remote";
  if (step.kind === "composite") return "composite";
  return "plain";
}

/** `owner/repo@<40 hex digits>` with the commit shortened to 7 digits, as GitHub shows it. */
function shortRef(uses: string): string {
  return uses.replace(/@([0-9a-f]{7})[0-9a-f]{33}$/i, "@$1…");
}

/** A step in one row: its name, else what it runs; with the action it uses. */
function rowLabel(step: StepView): string {
  if (step.uses === null) return step.name ? clip(step.name, 40) : step.label.startsWith("run ") ? clip(step.label, 40) : step.label;
  return step.name ? `${clip(step.name, 30)}: ${clip(shortRef(step.uses), 50)}` : clip(shortRef(step.uses), 60);
}

/** Rows of one job for detail "jobs": its own steps, composites collapsed. */
function jobRows(job: JobView): Row[] {
  const rows = jobTitle(job, { needs: false });
  let n = 0;
  for (const step of job.timeline) {
    if (step.chain.length) continue;
    n++;
    const label = `${n}. ${step.skipped ? "skipped: " : ""}${rowLabel(step)}`;
    if (step.unresolved) {
      rows.push({ text: `${label} ${unresolvedText(step.unresolved)}`, tone: step.skipped ? "skipped" : "unresolved" });
      continue;
    }
    let text = `${label}${kindTag(step)}`;
    if (step.configures) text += ` → ${clip(who(step.configures), 50)} (${step.configures.mode})`;
    const inside = assumedInside(job, step);
    if (inside) text += ` → ${clip(who(inside), 50)} inside`;
    rows.push({ text: clip(text, 110), tone: step.skipped ? "skipped" : step.kind === "configure" ? "configure" : inside ? "configure" : undefined });
    for (const c of job.roleConflicts) {
      if (c.at.index !== step.index) continue;
      rows.push({
        text: `   ${MARK.stale} on ${OLD_RUNNERS}, ${c.stale.length === 1 ? "1 step inside still runs" : `${c.stale.length} steps inside still run`} as ${clip(who(c.earlier), 60)}`,
        tone: "stale",
      });
    }
  }
  return rows;
}

/** Rows of one job for detail "summary": its id and step count, the roles it assumes, its marks. */
function summaryRows(job: JobView): Row[] {
  const facts: string[] = [];
  const own = job.timeline.filter((s) => s.chain.length === 0).length;
  const all = job.timeline.filter((s) => !s.composite).length;
  if (job.timeline.length) facts.push(`${own} step${own === 1 ? "" : "s"}${all !== own ? ` (${all} with composites)` : ""}`);
  if (job.skipped) facts.push("skipped");
  const rows: Row[] = [{ text: `job ${clip(job.id, 40)}${facts.length ? ` · ${facts.join(" · ")}` : ""}`, bold: true, tone: "title" }];
  if (job.uses) rows.push({ text: `calls ${clip(job.uses.ref, 60)}${job.uses.kind === "remote" ? " (remote)" : ""}`, tone: job.uses.unresolved ? "unresolved" : undefined });
  const roles = [...new Set(job.timeline.filter((s) => s.configures && !s.skipped).map((s) => who(s.configures!)))];
  if (roles.length) rows.push({ text: `→ ${clip(roles.join(", "), 70)}`, tone: "configure" });
  const stale = job.roleConflicts.reduce((a, c) => a + c.stale.length, 0);
  if (stale) rows.push({ text: `${MARK.stale} ${stale} step${stale === 1 ? "" : "s"} see an earlier role on old runners`, tone: "stale" });
  const unresolved = job.timeline.filter((s) => s.unresolved).length + (job.uses?.unresolved ? 1 : 0);
  if (unresolved) rows.push({ text: `${MARK.unresolved} ${unresolved} not followed`, tone: "unresolved" });
  return rows;
}

function worstTone(rows: Row[], fallback: Tone): Tone {
  if (rows.some((r) => r.tone === "stale")) return "stale";
  if (rows.some((r) => r.tone === "unresolved")) return "unresolved";
  return fallback;
}

/** For a job drawn as one node that calls a local reusable workflow: what the called jobs do with this caller's inputs. */
function calledRows(job: JobView): Row[] {
  if (!job.calls) return [];
  const called: JobView[] = [];
  const walk = (j: JobView): void => {
    called.push(j);
    j.calls?.jobs.forEach(walk);
  };
  job.calls.jobs.forEach(walk);
  const rows: Row[] = [];
  const roles = [...new Set(called.flatMap((j) => j.timeline.filter((s) => s.configures && !s.skipped).map((s) => who(s.configures!))))];
  if (roles.length) rows.push({ text: `   with its inputs the called jobs assume ${clip(roles.join(", "), 70)}`, tone: "configure" });
  for (const j of called) {
    const stale = j.roleConflicts.reduce((a, c) => a + c.stale.length, 0);
    if (!stale) continue;
    const earlier = [...new Set(j.roleConflicts.map((c) => who(c.earlier)))].join(", ");
    rows.push({ text: `   ${MARK.stale} on ${OLD_RUNNERS}, ${stale} step${stale === 1 ? "" : "s"} of job ${clip(j.id, 30)} still run${stale === 1 ? "s" : ""} as ${clip(earlier, 60)}`, tone: "stale" });
  }
  for (const j of called) {
    const unresolved = j.timeline.filter((s) => s.unresolved).length;
    if (unresolved) rows.push({ text: `   ${MARK.unresolved} job ${clip(j.id, 40)}: ${unresolved} local action${unresolved === 1 ? "" : "s"} not followed`, tone: "unresolved" });
  }
  return rows;
}

interface Context {
  ids: Ids;
  edges: DrawEdge[];
  detail: Detail;
  /** Paths of the workflows drawn as top-level clusters: a job calling one of them says so instead of drawing it again. */
  drawn: Set<string>;
  /** Jobs focused with `--job`: their title lists what they need. */
  focusedJob: boolean;
  /** The folder all drawn workflows share (with its `/`), left out of their titles when there are several. */
  folder: string;
  /** Role nodes by role key, or by "?<text>\0<why>" for roles credflow could not link; filled as steps point at them. */
  roles: Map<string, { id: string; rows: Row[] }>;
  roleViews: RoleView[];
}

/** The node a configure step's `assumes` points at (created on first use; drawn by rolesSection). */
function roleNode(assumes: NonNullable<StepView["assumes"]>, ctx: Context): string {
  const key = "role" in assumes ? assumes.role : `?${assumes.text}\0${assumes.unknown}`;
  let r = ctx.roles.get(key);
  if (!r) {
    let rows: Row[];
    if ("role" in assumes) {
      const view = ctx.roleViews.find((x) => x.key === assumes.role);
      rows = view ? roleRows(view) : [{ text: clip(`role ${assumes.role}`), bold: true }];
    } else rows = [{ text: clip(`role ${assumes.text || "(none)"}`), bold: true }, { text: clip(`unknown: ${assumes.unknown}`, 90) }];
    r = { id: ctx.ids.next("r"), rows };
    ctx.roles.set(key, r);
  }
  return r.id;
}

function roleRows(r: RoleView): Row[] {
  const policy = r.policy ? `policy ${r.policy.path}:${r.policy.line}` : "no policy";
  return [
    { text: clip(`role ${r.name}`), bold: true },
    { text: clip(`${r.source} ${r.path}:${r.line}`, 90) },
    { text: clip(r.policyUnknown ? `${policy} (not readable: ${r.policyUnknown})` : policy, 90) },
  ];
}

/** The repository's roles (those no drawn job assumes too, with their policy file), one cluster. */
function rolesSection(view: GraphView, ctx: Context): DrawItem[] {
  for (const r of view.roles) roleNode({ role: r.key }, ctx);
  if (ctx.roles.size === 0) return [];
  return [
    {
      kind: "cluster",
      id: ctx.ids.next("w"),
      title: [{ text: "IAM roles", bold: true }],
      tone: "workflow",
      items: [...ctx.roles.values()].map((r): DrawNode => ({ kind: "node", id: r.id, rows: r.rows, tone: "role" })),
    },
  ];
}

/** One node per job (details "jobs" and "summary"); a called workflow not drawn on its own is nested in the caller's cluster. */
function jobNodes(jobs: JobView[], ctx: Context): DrawItem[] {
  const items: DrawItem[] = [];
  const byId = new Map<string, string>();
  const pending: Array<{ job: JobView; id: string }> = [];
  for (const job of jobs) {
    const rows = [...(ctx.detail === "summary" ? summaryRows(job) : jobRows(job)), ...(ctx.detail === "jobs" && job.calls && ctx.drawn.has(job.calls.path) ? calledRows(job) : [])];
    const id = ctx.ids.next("j");
    byId.set(job.id, id);
    items.push({ kind: "node", id, rows, tone: job.skipped ? "skipped" : worstTone(rows, "job") });
    pending.push({ job, id });
    const targets = new Set<string>();
    for (const step of job.timeline) if (step.assumes) targets.add(roleNode(step.assumes, ctx));
    for (const to of targets) ctx.edges.push({ from: id, to, kind: "assumes" });
  }
  for (const { job, id } of pending) {
    for (const need of job.needs) {
      const from = byId.get(need);
      if (from) ctx.edges.push({ from, to: id, kind: "needs" });
    }
    // A called workflow drawn on its own is named in the job's rows (with what it does for these
    // inputs); one that is not drawn (outside the selection) is drawn inside the caller's cluster.
    if (!job.calls || ctx.drawn.has(job.calls.path)) continue;
    const cid = ctx.ids.next("c");
    items.push({
      kind: "cluster",
      id: cid,
      title: [{ text: clip(job.calls.path, 90), bold: true }, { text: `as job ${clip(job.id, 40)} calls it` }],
      tone: "called",
      items: jobNodes(job.calls.jobs, ctx),
    });
    ctx.edges.push({ from: id, to: cid, kind: "calls" });
  }
  return items;
}

/** A step in a node of its own: its name and what it runs or uses. */
function stepTitle(step: StepView): string {
  const what = step.uses !== null ? shortRef(step.uses) : step.label.slice(step.name ? step.name.length + 2 : 0);
  return clip(step.name ? `${step.name}: ${what}` : what);
}

/** The rows of one step node for detail "steps". */
function stepRows(step: StepView): Row[] {
  const rows: Row[] = [{ text: `${step.index + 1}. ${stepTitle(step)}${kindTag(step)}`, bold: step.kind === "configure" }];
  if (step.skipped) rows.push({ text: "skipped: its if: is false for the inputs passed", tone: "skipped" });
  if (step.unresolved) rows.push({ text: clip(unresolvedText(step.unresolved), 110), tone: "unresolved" });
  if (step.configures) rows.push({ text: `configures ${credText(step.configures)}`, tone: "configure" });
  else rows.push({ text: credText(step.credentials) });
  if (step.oldRunnerCredentials) {
    rows.push({ text: `${MARK.stale} on ${OLD_RUNNERS}: ${credText(step.oldRunnerCredentials)}`, tone: "stale" });
  }
  return rows;
}

/** One cluster per job, a node per step, composite invocations as nested clusters (detail "steps"). */
function jobClusters(jobs: JobView[], ctx: Context): DrawItem[] {
  const items: DrawItem[] = [];
  const byId = new Map<string, string>();
  const pending: Array<{ job: JobView; id: string }> = [];
  for (const job of jobs) {
    const id = ctx.ids.next("j");
    byId.set(job.id, id);
    const cluster: DrawCluster = { kind: "cluster", id, title: jobTitle(job, { needs: ctx.focusedJob }), tone: job.skipped ? "skipped" : "job", items: [] };
    items.push(cluster);
    pending.push({ job, id });
    // Open composite invocations, outermost first, each with the timeline index of its call step.
    const open: Array<{ index: number; end: number; cluster: DrawCluster }> = [];
    let prev: string | undefined;
    for (const step of job.timeline) {
      while (open.length && open[open.length - 1]!.end < step.index) open.pop();
      const parent = open.length ? open[open.length - 1]!.cluster : cluster;
      if (step.composite && step.composite.steps > 0) {
        // The credentials are on the steps inside; the title says what the call is and what it does to them.
        const rows = stepRows(step);
        const title = [rows[0]!, ...rows.slice(1).filter((r) => r.tone === "skipped" || r.tone === "unresolved")];
        for (const c of job.roleConflicts) {
          if (c.at.index !== step.index) continue;
          title.push({
            text: `${MARK.stale} assumes ${who(c.assumed)} inside; on ${OLD_RUNNERS}, ${c.stale.length === 1 ? "1 step" : `${c.stale.length} steps`} after it still run${c.stale.length === 1 ? "s" : ""} as ${who(c.earlier)}`,
            tone: "stale",
          });
        }
        const inner: DrawCluster = {
          kind: "cluster",
          id: ctx.ids.next("i"),
          title,
          tone: title.some((r) => r.tone === "stale") ? "stale" : step.skipped ? "skipped" : "composite",
          items: [],
        };
        parent.items.push(inner);
        open.push({ index: step.index, end: step.composite.end, cluster: inner });
        continue;
      }
      const id = ctx.ids.next("s");
      parent.items.push({ kind: "node", id, rows: stepRows(step), tone: stepTone(step) });
      if (prev) ctx.edges.push({ from: prev, to: id, kind: "order" });
      if (step.assumes) ctx.edges.push({ from: id, to: roleNode(step.assumes, ctx), kind: "assumes" });
      prev = id;
    }
    if (!job.timeline.length && !job.calls) {
      // A job without steps (a remote or unresolved reusable-workflow call, an empty job) still gets a node to hold its edges.
      cluster.items.push({ kind: "node", id: ctx.ids.next("s"), rows: [{ text: job.uses ? "no steps of its own" : "no steps" }], tone: "plain" });
    }
    if (job.calls) {
      const cid = ctx.ids.next("c");
      cluster.items.push({
        kind: "cluster",
        id: cid,
        title: [{ text: clip(job.calls.path, 90), bold: true }, { text: `as job ${clip(job.id, 40)} calls it` }],
        tone: "called",
        items: jobClusters(job.calls.jobs, ctx),
      });
    }
  }
  for (const { job, id } of pending) {
    for (const need of job.needs) {
      const from = byId.get(need);
      if (from) ctx.edges.push({ from, to: id, kind: "needs" });
    }
  }
  return items;
}

/** The workflows: one cluster each. */
function workflowsSection(view: GraphView, ctx: Context): DrawItem[] {
  const items: DrawItem[] = [];
  // Known before any job is drawn, so a caller drawn before its called workflow names it.
  const clusters = view.workflows.map((wf) => {
    const id = ctx.ids.next("w");
    if (ctx.detail !== "steps") ctx.drawn.add(wf.path);
    return { wf, id };
  });
  for (const { wf, id } of clusters) {
    items.push({
      kind: "cluster",
      id,
      title: workflowTitle(wf, ctx.folder),
      tone: "workflow",
      items: ctx.detail === "steps" ? jobClusters(wf.jobs, ctx) : jobNodes(wf.jobs, ctx),
    });
  }
  return items;
}

function workflowTitle(wf: WorkflowView, folder: string): Row[] {
  const rows: Row[] = [{ text: clip(wf.path.slice(folder.length), 100), bold: true }];
  if (wf.name) rows.push({ text: clip(wf.name, 80) });
  return rows;
}

/** The folder every path is in, with a trailing `/`; empty for fewer than two paths or none in common. */
function commonFolder(paths: string[]): string {
  if (paths.length < 2) return "";
  let prefix = paths[0]!.slice(0, paths[0]!.lastIndexOf("/") + 1);
  for (const p of paths) while (prefix && !p.startsWith(prefix)) prefix = prefix.slice(0, prefix.lastIndexOf("/", prefix.length - 2) + 1);
  return prefix;
}

export function drawGraph(view: GraphView, detail: Detail, opts: { focusedJob?: boolean } = {}): Drawing {
  const ctx: Context = {
    ids: new Ids(),
    edges: [],
    detail,
    drawn: new Set(),
    focusedJob: !!opts.focusedJob,
    folder: commonFolder(view.workflows.map((w) => w.path)),
    roles: new Map(),
    roleViews: view.roles,
  };
  const items = [...workflowsSection(view, ctx), ...rolesSection(view, ctx)];
  return { direction: detail === "steps" ? "TB" : "LR", pack: detail === "steps" ? "grid" : "tight", items, edges: ctx.edges };
}

/** Pixels per character and per row of a node label at DOT's 10-point font and 96 dpi (Graphviz 2.43 PNGs). */
const CHAR_PX = 6.2;
const ROW_PX = 17;

/** Each node's rank: the longest path to it over the edges between these nodes (an edge to a cluster reaches its nodes); nodes on a cycle keep rank 0. */
function ranks(nodes: DrawNode[], edges: DrawEdge[], clusterOf: Map<string, DrawNode[]>): Map<string, number> {
  const here = new Set(nodes.map((n) => n.id));
  const next = new Map<string, string[]>();
  const indegree = new Map(nodes.map((n) => [n.id, 0]));
  for (const e of edges) {
    if (!here.has(e.from)) continue;
    for (const t of clusterOf.get(e.to)?.map((n) => n.id) ?? [e.to]) {
      if (!here.has(t)) continue;
      const list = next.get(e.from);
      if (list) list.push(t);
      else next.set(e.from, [t]);
      indegree.set(t, indegree.get(t)! + 1);
    }
  }
  const rank = new Map(nodes.map((n) => [n.id, 0]));
  const queue = nodes.filter((n) => indegree.get(n.id) === 0).map((n) => n.id);
  for (let i = 0; i < queue.length; i++) {
    const u = queue[i]!;
    for (const t of next.get(u) ?? []) {
      rank.set(t, Math.max(rank.get(t)!, rank.get(u)! + 1));
      indegree.set(t, indegree.get(t)! - 1);
      if (indegree.get(t) === 0) queue.push(t);
    }
  }
  return rank;
}

/**
 * Roughly how many pixels a side the DOT picture of a drawing of job nodes (details "jobs" and
 * "summary") takes: each workflow cluster laid out in `needs:` order in the drawing's direction, the
 * clusters packed into a rectangle. Used to choose the detail and direction, never to lay anything out.
 */
export function estimateSide(d: Drawing): number {
  const nodeSize = (n: DrawNode) => ({ w: Math.max(...n.rows.map((r) => r.text.length)) * CHAR_PX + 20, h: n.rows.length * ROW_PX + 12 });
  const nodesIn = (items: DrawItem[]): DrawNode[] => items.flatMap((it) => (it.kind === "node" ? [it] : nodesIn(it.items)));
  const clusterOf = new Map<string, DrawNode[]>();
  const walkClusters = (items: DrawItem[]): void => {
    for (const it of items) if (it.kind === "cluster") {
      clusterOf.set(it.id, nodesIn(it.items));
      walkClusters(it.items);
    }
  };
  walkClusters(d.items);
  let area = 0;
  let longest = 0;
  for (const top of d.items) {
    const nodes = top.kind === "node" ? [top] : nodesIn(top.items);
    const rank = ranks(nodes, d.edges, clusterOf);
    // Per rank: the extent along the rank (the sum of the nodes side by side) and across it (the largest node).
    const lr = d.direction === "LR";
    const extent = new Map<number, { along: number; across: number }>();
    for (const n of nodes) {
      const r = rank.get(n.id) ?? 0;
      const size = nodeSize(n);
      const cur = extent.get(r) ?? { along: -24, across: 0 };
      extent.set(r, { along: cur.along + (lr ? size.h : size.w) + 24, across: Math.max(cur.across, lr ? size.w : size.h) });
    }
    let across = 0;
    let along = 0;
    for (const r of extent.values()) {
      across += r.across + 34;
      along = Math.max(along, r.along);
    }
    const title = top.kind === "cluster" ? top.title : [];
    const w = Math.max(...title.map((r) => r.text.length * CHAR_PX), lr ? across : along) + 16;
    const h = (lr ? along : across) + title.length * ROW_PX + 24;
    area += (w + 16) * (h + 16);
    longest = Math.max(longest, w, h);
  }
  // Graphviz leaves more room than the sum of the boxes (edges, cluster margins, packing): real
  // pictures of the corpus repositories measure 1.2 to 1.5 times this.
  return Math.round(1.4 * Math.max(Math.sqrt(area * 1.3), longest));
}
