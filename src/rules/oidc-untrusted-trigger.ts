/**
 * oidc-untrusted-trigger: an OIDC role assumption in a job that runs on an event outsiders can
 * start with the base repository's privileges (pull_request_target, workflow_run, issue_comment),
 * worse when the job checks out the pull request's code; and, as a note, OIDC calls on
 * pull_request-like events, where pull requests from forks get no id-token at all.
 */
import { allJobNodes } from "../graph/build-graph.js";
import type { ConfigureCall, JobNode, TimelineStep } from "../graph/types.js";
import type { Job, Range, Workflow } from "../model/types.js";
import { stepLabel } from "./support/labels.js";
import { joinList } from "./support/wording.js";
import { parseVersion } from "../knowledge/version.js";
import type { Level, RelatedLocation, Report, Rule, RuleContext } from "./types.js";

const RULE_ID = "oidc-untrusted-trigger";

/** Events that run with the base repository's secrets and id-token while outsiders control the input. */
const PRIVILEGED: Readonly<Record<string, string>> = {
  pull_request_target:
    "`pull_request_target` runs with the base repository's secrets and id-token for every pull request, forks included",
  workflow_run:
    "`workflow_run` runs with the repository's privileges after a workflow that pull requests (forks included) can trigger, and that run's `head_sha`, `head_branch` and artifacts come from the pull request",
  issue_comment:
    "`issue_comment` runs on the default branch with the repository's privileges whenever anyone comments on an issue or pull request (forks' pull requests included)",
};

/**
 * Events whose runs for pull requests from forks get a read-only token and no secrets: no
 * id-token, so the OIDC call fails for those pull requests (GitHub docs, "Workflows in forked
 * repositories", which applies to the review events as well).
 */
const FORK_LIMITED = ["pull_request", "pull_request_review", "pull_request_review_comment"];

/** `ref:` values of actions/checkout that name the pull request's commits (a fork's too). */
const HEAD_COMMIT =
  /github\.event\.pull_request\.head\.sha|github\.event\.pull_request\.merge_commit_sha|refs\/pull\/|github\.event\.workflow_run\.(?:head_sha|head_commit\.id)/;
/** `repository:` values that name the fork itself; with those, branch names (`head.ref`) are the fork's too. */
const HEAD_REPOSITORY = /github\.event\.pull_request\.head\.repo\.(?:full_name|clone_url)|github\.event\.workflow_run\.head_repository\.full_name/;

/** Shell commands that fetch or switch to the pull request's code. */
const HEAD_RUN =
  /\bgh\s+pr\s+checkout\b|\bhub\s+pr\s+checkout\b|\bgit\s+fetch\b[^\n]*\b(?:refs\/)?pull\/|\bgit\s+(?:checkout|switch|reset\s+--hard)\b[^\n]*(?:head\.sha|head\.ref|head_ref|head_sha|head_branch|FETCH_HEAD|pull\/)/;

/** Events an outsider can cause; a `workflow_run` after a workflow on one of these carries outsider input. */
const OUTSIDER_EVENTS = new Set([
  "pull_request",
  "pull_request_target",
  "pull_request_review",
  "pull_request_review_comment",
  "issue_comment",
  "issues",
  "discussion",
  "discussion_comment",
  "fork",
  "watch",
  "workflow_run",
]);

/** `if:` conditions that keep forks' pull requests out. */
const FORK_GUARD =
  /head(?:_repository|\.repo)\.full_name\s*==\s*github\.repository\b|github\.repository\s*==\s*github\.event\.[\w.]*head(?:_repository|\.repo)\.full_name|head\.repo\.fork\s*==\s*false|!\s*github\.event\.pull_request\.head\.repo\.fork\b|head\.repo\.fork\s*!=\s*true/;

export const oidcUntrustedTrigger: Rule = {
  id: RULE_ID,
  title: "OIDC role assumed on a trigger that outsiders control",
  description:
    "Reports OIDC configure-aws-credentials calls in jobs that run on pull_request_target, workflow_run or issue_comment (error when the job checks out the pull request's code), and notes OIDC calls on pull_request events, which fail for pull requests from forks.",
  defaultLevel: "error",
  tags: ["security"],
  securitySeverity: "8.5",
  precision: "high",
  fixable: false,
  check(ctx) {
    for (const node of allJobNodes(ctx.graph)) {
      const calls = node.configureCalls.filter((c) => c.oidc);
      if (!calls.length) continue;
      const root = rootOf(node);
      const chain = [...callerChain(node)];
      let events = root.workflow.triggers.filter((t) => t !== "workflow_call");
      // A reusable workflow on its own: its callers' triggers decide, and their nodes are checked.
      if (!node.caller && !events.length) continue;
      if (events.includes("workflow_run") && !workflowRunCarriesOutsiderInput(ctx, root.workflow)) events = events.filter((e) => e !== "workflow_run");
      for (const n of chain) events = narrowByEventName(events, n.job.if?.value ?? "");
      const jobForkGuarded = chain.some((n) => forkGuarded(n.workflow, n.job));
      for (const call of calls) {
        const ts = node.timeline[call.timelineIndex]!;
        const stepEvents = narrowByEventName(events, ts.if ?? "");
        const guarded = jobForkGuarded || FORK_GUARD.test(ts.if ?? "");
        const report = judge(ctx, node, root, call, ts, stepEvents, guarded);
        // One finding per place, the worst of the jobs that reach it.
        if (report) ctx.report({ ...report, key: "untrusted-trigger" });
      }
    }
  },
};

function judge(ctx: RuleContext, node: JobNode, root: JobNode, call: ConfigureCall, ts: TimelineStep, events: string[], guarded: boolean): Report | undefined {
  // A fork guard keeps forks out of every event but issue_comment, where the commenter, not the pull request, starts the run.
  const privileged = events.filter((e) => PRIVILEGED[e] && !(guarded && e !== "issue_comment"));
  const limited = guarded ? [] : events.filter((e) => FORK_LIMITED.includes(e));
  if (!privileged.length && !limited.length) return undefined;
  const role = call.role ? `\`${call.role}\`` : "the role";
  const where = node.caller ? ` (in reusable workflow ${node.workflow.file.path}, called from ${root.workflow.file.path})` : "";
  const job = `job \`${node.job.id}\`${where}`;
  const related: RelatedLocation[] = [];
  const location = locate(node, root, ts, related);
  if (root.workflow.triggersRange) related.push({ path: root.workflow.file.path, range: root.workflow.triggersRange, message: `the workflow's triggers: ${root.workflow.triggers.join(", ")}` });
  let environment: EnvironmentGate | undefined;
  for (const n of callerChain(node)) environment ??= environmentGate(n, n.job);

  let level: Level;
  let message: string;
  if (privileged.length) {
    // Pull request code matters next to the role when it is there before the call, or when a step runs after it.
    const heads = node.timeline.filter((h) => (h.index < ts.index || h.index < node.timeline.length - 1) && h.index !== ts.index);
    const effective = privileged
      .map((e) => ({ event: e, head: heads.find((h) => checksOutHead(ctx, h, e)) }))
      .filter((x): x is { event: string; head: TimelineStep } => !!x.head);
    const reasons = privileged.map((e) => PRIVILEGED[e]!).join("; ");
    if (effective.length) {
      const h = effective[0]!.head;
      level = environment ? "warning" : "error";
      related.push({ path: h.file.path, range: h.step.uses?.node.range ?? h.step.run?.range ?? h.step.range, message: "checks out the pull request's code" });
      const when = h.index < ts.index ? "before the role is assumed" : "after the role is assumed, with steps after it";
      message =
        `OIDC role ${role} is assumed in ${job}, which runs on ${list(effective.map((x) => x.event))} and checks out the pull request's code (${headLabel(h)}) ${when}: ` +
        `code from any pull request, a fork's included, runs in the same job as the role's credentials and can read them from the environment. ` +
        `${reasons}.${gate(environment)} Build and test pull request code in a \`pull_request\` workflow without AWS access, and assume the role only in a job that never runs it.`;
    } else {
      level = environment ? "note" : "warning";
      message =
        `OIDC role ${role} is assumed in ${job}, which runs on ${list(privileged)}: anyone who can open a pull request or comment can start a run that assumes the role. ` +
        `${reasons}.${gate(environment)} Keep such jobs free of pull request code and input, restrict the role's trust policy to the \`sub\` of trusted branches or environments, or assume the role from a \`push\` or \`workflow_dispatch\` workflow instead.`;
    }
  } else {
    level = "note";
    message =
      `OIDC role ${role} is assumed in ${job}, which runs on ${list(limited)}: pull requests from forks get a read-only token without \`id-token: write\`, so for them this step fails with "Credentials could not be loaded". ` +
      `Skip the job for forks with \`if: github.event.pull_request.head.repo.full_name == github.repository\`, or assume the role only on \`push\`.`;
  }
  return { level, message, location, related };
}

interface EnvironmentGate {
  name: string;
  /** The job that deploys to it, when it is a job this one needs rather than the job itself. */
  via?: string;
}

function gate(environment: EnvironmentGate | undefined): string {
  if (!environment) return "";
  const who = environment.via ? `The job waits for job \`${environment.via}\`, which deploys` : "The job deploys";
  return ` ${who} to environment \`${environment.name}\`: if that environment requires reviewers, each run waits for an approval, which must come only after reading the pull request's current code.`;
}

/** The environment of the job, or of a job it needs (and does not run without), with `${{ inputs.x }}` read from the caller. */
function environmentGate(node: JobNode, job: Job): EnvironmentGate | undefined {
  const found = firstThroughNeeds(ENVIRONMENT, node.workflow, job, (j) => (j.environment?.value ? j : undefined));
  if (!found) return undefined;
  const own = found.environment!.value!;
  const input = /^\$\{\{\s*inputs\.([\w-]+)\s*\}\}$/.exec(own.trim());
  const passed = input && node.caller ? node.caller.job.with.entries.find((e) => e.key === input[1])?.value?.value : undefined;
  return { name: passed ?? own, via: found === node.job ? undefined : found.id };
}

/** A `needs` edge that does not hold the job back: it runs after its needs fail or are skipped. */
const RUNS_REGARDLESS = /\b(?:always|failure|cancelled)\s*\(/;

type Memo<T> = WeakMap<Workflow, Map<Job, T | undefined>>;
const ENVIRONMENT: Memo<Job> = new WeakMap();
const GUARDED: Memo<true> = new WeakMap();

/**
 * The first answer `own` gives for `start` or, unless its `if:` runs it regardless, for the jobs it
 * needs, depth first in `needs` order. Iterative, and memoised per workflow so every job is settled
 * once (a job met again on a `needs` cycle, which GitHub rejects, answers nothing).
 */
function firstThroughNeeds<T>(memo: Memo<T>, workflow: Workflow, start: Job, own: (job: Job) => T | undefined): T | undefined {
  let known = memo.get(workflow);
  if (!known) memo.set(workflow, (known = new Map()));
  let byId = JOBS_BY_ID.get(workflow);
  if (!byId) {
    byId = new Map();
    // The first job of an id, as `jobs.find` picked.
    for (const j of workflow.jobs) if (!byId.has(j.id)) byId.set(j.id, j);
    JOBS_BY_ID.set(workflow, byId);
  }
  if (known.has(start)) return known.get(start);
  const open = new Set<Job>();
  const stack: Array<{ job: Job; next: number }> = [];
  /** Settles a job without looking at its needs when it can; otherwise opens it. */
  const enter = (job: Job): { done: true; value: T | undefined } | { done: false } => {
    const value = own(job);
    if (value !== undefined || RUNS_REGARDLESS.test(job.if?.value ?? "")) {
      known.set(job, value);
      return { done: true, value };
    }
    open.add(job);
    stack.push({ job, next: 0 });
    return { done: false };
  };
  const first = enter(start);
  if (first.done) return first.value;
  let result: T | undefined;
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    if (result !== undefined || frame.next >= frame.job.needs.length) {
      // Found below (every open job above inherits it), or no need answered.
      known.set(frame.job, result);
      open.delete(frame.job);
      stack.pop();
      continue;
    }
    const dep = byId.get(frame.job.needs[frame.next++]!);
    if (!dep || open.has(dep)) continue;
    if (known.has(dep)) {
      result = known.get(dep);
      continue;
    }
    const r = enter(dep);
    if (r.done) result = r.value;
  }
  return known.get(start);
}

const JOBS_BY_ID = new WeakMap<Workflow, Map<string, Job>>();

/** The configure step's `uses`; for composites, the workflow's call site; for reusable workflows, the root caller's `uses:`. */
function locate(node: JobNode, root: JobNode, ts: TimelineStep, related: RelatedLocation[]): { path: string; range: Range } {
  const inner = { path: ts.file.path, range: ts.step.uses!.node.range, message: "the configure-aws-credentials call" };
  if (node.caller && root.job.uses) {
    related.push(inner);
    return { path: root.workflow.file.path, range: root.job.uses.node.range };
  }
  if (ts.chain.length) {
    related.push(inner);
    const site = ts.chain[0]!;
    return { path: site.file.path, range: site.step.uses?.node.range ?? site.step.range };
  }
  return { path: inner.path, range: inner.range };
}

/**
 * Does this step put the pull request's code (a fork's included) in the job on `event`?
 * actions/checkout v4.4.0, v5.1.0, v6.1.0 and v7 refuse fork pull request commits on
 * `pull_request_target` and `workflow_run` unless `allow-unsafe-pr-checkout: true`.
 */
export function checksOutHead(ctx: RuleContext, ts: TimelineStep, event: string): boolean {
  const ref = ts.step.uses?.ref;
  if (ref?.kind === "remote" && ref.owner.toLowerCase() === "actions" && ref.repo.toLowerCase() === "checkout" && !ref.subpath) {
    const r = ts.with.get("ref") ?? "";
    const repo = ts.with.get("repository") ?? "";
    if (!HEAD_COMMIT.test(r) && !HEAD_REPOSITORY.test(repo)) return false;
    if (event !== "pull_request_target" && event !== "workflow_run") return true;
    if ((ts.with.get("allow-unsafe-pr-checkout") ?? "").trim().toLowerCase() === "true") return true;
    return !refusesForkCheckout(ctx, ref.ref);
  }
  return !!ts.run && HEAD_RUN.test(ts.run);
}

function refusesForkCheckout(ctx: RuleContext, ref: string): boolean {
  const info = ctx.pins.resolve("actions/checkout", ref);
  const v = parseVersion(info.tag ?? info.newestRelease?.tag);
  if (!v) return false;
  const [major, minor] = v;
  return major >= 7 || ((major === 5 || major === 6) && minor >= 1) || (major === 4 && minor >= 4);
}

/** A job skipped for forks: its `if:` guards, or a job it needs does and it does not run regardless (`always()`...). */
export function forkGuarded(workflow: Workflow, job: Job): boolean {
  return firstThroughNeeds(GUARDED, workflow, job, (j) => (FORK_GUARD.test(j.if?.value ?? "") ? true : undefined)) === true;
}

/**
 * Does a `workflow_run` trigger follow a workflow that outsiders can start? Unknown names (a
 * workflow not in this repository, or a list the file does not spell out) count as yes.
 */
function workflowRunCarriesOutsiderInput(ctx: RuleContext, wf: Workflow): boolean {
  const names = wf.workflowRunWorkflows;
  if (!names?.length) return true;
  for (const name of names) {
    const upstream = ctx.graph.workflows.filter((w) => (w.name?.value ?? w.file.repoPath) === name || w.file.repoPath === name);
    if (!upstream.length) return true;
    if (upstream.some((w) => w.triggers.some((t) => OUTSIDER_EVENTS.has(t)))) return true;
  }
  return false;
}

function headLabel(ts: TimelineStep): string {
  const label = stepLabel(ts);
  const ref = ts.with.get("ref");
  return ref && ts.step.uses ? `${label}, \`ref: ${ref.trim()}\`` : label;
}

/**
 * Events left after an `if:` that compares `github.event_name`: `==` keeps only the named events
 * (when every `||` branch names one), `!=` drops the named event (when joined with `&&` only).
 */
export function narrowByEventName(events: string[], condition: string): string[] {
  const cond = condition.replace(/^\s*\$\{\{|\}\}\s*$/g, "");
  const eq = [...cond.matchAll(/github\.event_name\s*==\s*'([\w-]+)'|'([\w-]+)'\s*==\s*github\.event_name/g)].map((m) => (m[1] ?? m[2])!);
  const ne = [...cond.matchAll(/github\.event_name\s*!=\s*'([\w-]+)'|'([\w-]+)'\s*!=\s*github\.event_name/g)].map((m) => (m[1] ?? m[2])!);
  let out = events;
  if (eq.length) {
    const branches = cond.split("||");
    if (branches.every((b) => /github\.event_name\s*==|==\s*github\.event_name/.test(b))) out = out.filter((e) => eq.includes(e));
  }
  if (ne.length && !cond.includes("||")) out = out.filter((e) => !ne.includes(e));
  return out;
}

function* callerChain(node: JobNode): Generator<JobNode> {
  for (let n: JobNode | undefined = node; n; n = n.caller) yield n;
}

function rootOf(node: JobNode): JobNode {
  let n = node;
  while (n.caller) n = n.caller;
  return n;
}

function list(events: string[]): string {
  return joinList(events.map((e) => `\`${e}\``));
}
