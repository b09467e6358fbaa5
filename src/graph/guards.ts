/**
 * Who can start a job, and whether its guards keep outsiders off: for a job node (or one of its
 * steps) and each kind of untrusted run its workflow's triggers allow, can it run?
 *
 * An untrusted run is a {@link Scenario}: the event, who started it (an outsider; a maintainer acting on
 * an outsider's content; any pull request from a fork) and what GitHub puts in the `github` context
 * then — `head.repo.fork` is true for a fork's pull request, `github.ref` is `refs/pull/N/merge` on
 * `pull_request` but the base branch on `pull_request_target`, `github.event.ref` is null outside
 * push-like events, an outsider's login or repository is none of the names a workflow spells out,
 * their author association is not OWNER/MEMBER/COLLABORATOR. Conditions are evaluated with GitHub's
 * expression parser over those partly known contexts (`graph/abstract-eval.ts`): a job's own `if:`,
 * the inputs its reusable-workflow caller or composite call site passes (themselves expressions of
 * the event), the `needs` it waits for (a skipped need skips it unless its `if:` calls a status
 * function), and the outputs of gate jobs — computed from an expression of the event, or by a script
 * that checks for forks or the actor's permission (then the job is "gated": kept off only if that
 * run-time check does what it says). Anything undecided counts as "may run".
 *
 * `workflow_run` inherits the trust of the workflows it names (their triggers in this repository,
 * recursively; a name that matches none of them is treated as outsider-startable).
 */
import type { Job, Step, Workflow } from "../model/types.js";
import type { JobNode, ProjectGraph, TimelineStep } from "./types.js";
import { type Abstract, type Resolver, type Taint, NULL, UNKNOWN, bool, evaluateCondition, evaluateTemplate, fromJS, known, str, truthOf, usesStatusFunction } from "./abstract-eval.js";
import { data } from "@actions/expressions";
import { FORK_LIMITED_EVENTS, OUTSIDER_EVENTS } from "./events.js";
import { upstreamEvents, runSourceOf } from "./upstream.js";

export { FORK_LIMITED_EVENTS, OUTSIDER_EVENTS } from "./events.js";

/** Events that carry a pull request in `github.event.pull_request`. */
const PR_EVENTS = new Set(["pull_request", "pull_request_target", "pull_request_review", "pull_request_review_comment"]);
/** Author associations of someone who is neither owner, member nor collaborator. */
const OUTSIDER_ASSOCIATIONS = ["CONTRIBUTOR", "FIRST_TIME_CONTRIBUTOR", "FIRST_TIMER", "NONE", "MANNEQUIN"];

/**
 * Who started an untrusted run:
 * - `fork`: a pull request from a fork on `pull_request` or a review event (any author; the run gets
 *   no id-token, so an OIDC call fails there);
 * - `outsider`: someone without write access, alone (no maintainer labelled, approved or commented);
 * - `maintainer`: the same event on an outsider's content, after a maintainer acted (labelled, merged,
 *   commented, reviewed) — a human gate.
 */
export type Origin = "fork" | "outsider" | "maintainer";

export interface Scenario {
  event: string;
  origin: Origin;
  /** For `workflow_run`: the event of the triggering run. */
  upstreamEvent?: string;
  /** For `workflow_run`: names of triggering workflows not found here (their events are assumed). */
  upstreamUnknown?: readonly string[];
  /** A review event on a pull request from a branch of this repository (reviewed by an outsider). */
  sameRepository?: boolean;
  /** Activity types (`github.event.action`) the run can have; undefined when any. */
  types?: readonly string[];
  /** Human-readable: "a pull request from a fork on `pull_request_target`". */
  description: string;
  /** What GitHub puts in the `github` context for such a run. */
  resolve: Resolver;
}

/** Whether a job or step can run in a scenario. */
export interface Reach {
  /** False when the guards keep it off: for certain without `gate`, or only if the run-time checks in `gate` work. */
  may: boolean;
  gate?: readonly Taint[];
}

const MAY: Reach = { may: true };
const NEVER: Reach = { may: false };

export interface GuardSettings {
  /** `owner/name` of the linted repository, when known. */
  repository?: string;
}

/** The guard facts of one graph, computed lazily and memoised. */
export class Guards {
  private readonly scenarioMemo = new WeakMap<Workflow, Scenario[]>();
  private readonly reachMemo = new WeakMap<Scenario, WeakMap<object, Map<JobNode, Reach>>>();
  private readonly scopeMemo = new WeakMap<JobNode, Scope>();
  private readonly stepScopeMemo = new WeakMap<JobNode, Map<number, Scope>>();
  private readonly inputMemo = new WeakMap<Scope, WeakMap<Scenario, Map<string, Abstract>>>();
  private readonly outputMemo = new WeakMap<Scenario, WeakMap<JobNode, Map<string, Abstract>>>();
  private readonly byIdMemo = new WeakMap<object, Map<string, JobNode>>();
  private readonly orderMemo = new WeakMap<object, JobNode[]>();
  private readonly foldMemo = new WeakMap<Scenario, Map<string, WeakMap<object, Map<JobNode, unknown>>>>();

  constructor(
    readonly graph: ProjectGraph,
    readonly settings: GuardSettings = {},
  ) {}

  /** The untrusted runs a workflow's triggers allow (none for push, schedule, dispatch, ... or a workflow only called). */
  scenarios(workflow: Workflow): Scenario[] {
    let s = this.scenarioMemo.get(workflow);
    if (!s) {
      s = this.buildScenarios(workflow, new Set());
      this.scenarioMemo.set(workflow, s);
    }
    return s;
  }

  /** Can the job run in the scenario (its callers' `if:`, its own, its `needs`)? */
  jobReach(node: JobNode, s: Scenario): Reach {
    const key: object = node.caller ?? node.workflow;
    let byGroup = this.reachMemo.get(s);
    if (!byGroup) this.reachMemo.set(s, (byGroup = new WeakMap()));
    let group = byGroup.get(key);
    if (!group) {
      group = this.computeGroup(node, s);
      byGroup.set(key, group);
    }
    return group.get(node) ?? MAY;
  }

  /** Can the step run in the scenario, given that its job runs (its own `if:` and those of the composite calls around it)? */
  stepReach(node: JobNode, ts: TimelineStep, s: Scenario): Reach {
    if (ts.skipped) return NEVER;
    const steps = [...ts.chain.map((c) => node.timeline[c.timelineIndex]!), ts];
    let gate: Taint[] | undefined;
    for (const step of steps) {
      const cond = step.step.if?.value;
      if (cond === undefined) continue;
      const v = evaluateCondition(cond, { resolve: this.resolver(s, this.stepScope(node, step), this.needsOutside(node, s)), status: {} });
      if (truthOf(v) !== false) continue;
      if (!v.taint?.length) return NEVER;
      gate = [...(gate ?? []), ...v.taint];
    }
    return gate ? { may: false, gate } : MAY;
  }

  /** A step-level value (`continue-on-error:`, a `with:` value) in the scenario. */
  stepValue(node: JobNode, ts: TimelineStep, text: string, s: Scenario): Abstract {
    return evaluateTemplate(text, { resolve: this.resolver(s, this.stepScope(node, ts), this.needsOutside(node, s)) });
  }

  /** A job-level value (`environment:`, `continue-on-error:`) in the scenario. */
  jobValue(node: JobNode, text: string, s: Scenario): Abstract {
    return evaluateTemplate(text, { resolve: this.resolver(s, this.jobScope(node), this.needsOutside(node, s)) });
  }

  /**
   * Jobs that must succeed before this one runs, with itself first: its `needs`, transitively, not
   * through a job whose `if:` calls `always()`, `failure()` or `cancelled()` (it runs after a failed
   * or skipped need), and for a job of a called workflow the caller's chain. Breadth first, each job once.
   */
  waitsFor(node: JobNode): JobNode[] {
    const out: JobNode[] = [];
    for (let n: JobNode | undefined = node; n; n = n.caller) {
      const byId = this.byId(n);
      const seen = new Set<JobNode>([n]);
      const queue = [n];
      for (let i = 0; i < queue.length; i++) {
        const cur = queue[i]!;
        out.push(cur);
        if (runsRegardless(cur.job.if?.value)) continue;
        for (const id of cur.job.needs) {
          const dep = byId.get(id);
          if (dep && !seen.has(dep)) {
            seen.add(dep);
            queue.push(dep);
          }
        }
      }
    }
    return out;
  }

  // ---- scenarios ----

  private buildScenarios(workflow: Workflow, visiting: Set<Workflow>): Scenario[] {
    const out: Scenario[] = [];
    const repo = this.settings.repository;
    for (const event of new Set(workflow.triggers)) {
      const listed = workflow.triggerTypes?.get(event);
      if ((FORK_LIMITED_EVENTS as readonly string[]).includes(event)) {
        out.push(makeScenario({ event, origin: "fork", types: listed, repo }));
      }
      const who = OUTSIDER_EVENTS[event];
      if (who) {
        const all = listed ?? who.defaults;
        const outsiderTypes = all ? all.filter((t) => who.outsider.includes(t)) : who.outsider.length ? [...who.outsider] : undefined;
        const sameRepository = event === "pull_request_review" || event === "pull_request_review_comment";
        if (!all || !outsiderTypes || outsiderTypes.length || event === "fork") {
          out.push(makeScenario({ event, origin: "outsider", types: event === "fork" ? undefined : outsiderTypes, repo, sameRepository }));
        }
        if (!sameRepository && event !== "fork" && event !== "watch") out.push(makeScenario({ event, origin: "maintainer", types: all, repo }));
      }
      if (event === "workflow_run") {
        const unknown: string[] = [];
        for (const up of this.upstreamEvents(workflow, visiting, unknown)) {
          out.push(makeScenario({ event, origin: "outsider", upstreamEvent: up, upstreamUnknown: unknown, types: listed, repo }));
        }
      }
    }
    return out;
  }

  /**
   * The events outsiders can start the workflows a `workflow_run` trigger names with (their own
   * `workflow_run` triggers followed). A name that matches no workflow here, or a trigger without
   * names, counts as any outsider event.
   */
  upstreamEvents(workflow: Workflow, visiting = new Set<Workflow>(), unknown: string[] = []): string[] {
    return upstreamEvents(workflow, this.graph.workflows, runSourceOf, { visiting, unknown });
  }

  // ---- reachability of a group of sibling jobs ----

  private siblings(node: JobNode): JobNode[] {
    return node.caller ? (node.caller.called?.jobs ?? [node]) : (this.graph.jobsByWorkflow.get(node.workflow.file.path) ?? [node]);
  }

  private computeGroup(node: JobNode, s: Scenario): Map<JobNode, Reach> {
    const out = new Map<JobNode, Reach>();
    const callerReach = node.caller ? this.jobReach(node.caller, s) : MAY;
    if (!callerReach.may) {
      for (const n of this.siblings(node)) out.set(n, callerReach);
      return out;
    }
    const byId = this.byId(node);
    for (const n of this.needsOrder(node)) out.set(n, this.ownReach(n, s, byId, out));
    return out;
  }

  /**
   * The jobs of a node's group in `needs` order (Kahn's), each after the jobs it needs; jobs left on a
   * cycle (GitHub rejects those) come last. Computed once per group.
   */
  private needsOrder(node: JobNode): JobNode[] {
    const key: object = node.caller ?? node.workflow;
    const cached = this.orderMemo.get(key);
    if (cached) return cached;
    const nodes = this.siblings(node);
    const byId = this.byId(node);
    const waiting = new Map<JobNode, number>();
    const dependents = new Map<JobNode, JobNode[]>();
    for (const n of nodes) {
      let count = 0;
      for (const id of new Set(n.job.needs)) {
        const dep = byId.get(id);
        if (!dep || dep === n) continue;
        count++;
        let list = dependents.get(dep);
        if (!list) dependents.set(dep, (list = []));
        list.push(n);
      }
      waiting.set(n, count);
    }
    const order = nodes.filter((n) => waiting.get(n) === 0);
    for (let i = 0; i < order.length; i++) {
      for (const d of dependents.get(order[i]!) ?? []) {
        const left = waiting.get(d)! - 1;
        waiting.set(d, left);
        if (left === 0) order.push(d);
      }
    }
    if (order.length < nodes.length) {
      const placed = new Set(order);
      for (const n of nodes) if (!placed.has(n)) order.push(n);
    }
    this.orderMemo.set(key, order);
    return order;
  }

  /**
   * A value of every job of the node's group, computed in `needs` order from the job and the values
   * of the jobs it needs (those already computed; on a cycle some are missing). Memoised per tag,
   * scenario and group: `tag` must name one `f`.
   */
  foldNeeds<T>(tag: string, node: JobNode, s: Scenario, f: (n: JobNode, needs: T[]) => T): T {
    let byTag = this.foldMemo.get(s);
    if (!byTag) this.foldMemo.set(s, (byTag = new Map()));
    let byGroup = byTag.get(tag);
    if (!byGroup) byTag.set(tag, (byGroup = new WeakMap()));
    const key: object = node.caller ?? node.workflow;
    let values = byGroup.get(key) as Map<JobNode, T> | undefined;
    if (!values) {
      values = new Map<JobNode, T>();
      const byId = this.byId(node);
      for (const n of this.needsOrder(node)) {
        const needs: T[] = [];
        for (const id of n.job.needs) {
          const dep = byId.get(id);
          if (dep && values.has(dep)) needs.push(values.get(dep)!);
        }
        values.set(n, f(n, needs));
      }
      byGroup.set(key, values);
    }
    return values.get(node) as T;
  }

  /**
   * The environment that the job, or a job it waits for (not through a job whose `if:` runs it after
   * failed or skipped needs), deploys to in the scenario; for a job of a called workflow, also its
   * caller's. An environment whose name is empty in the scenario does not count.
   */
  environment(node: JobNode, s: Scenario): { name: string; job: JobNode } | undefined {
    type Env = { name: string; job: JobNode } | null;
    const own = this.foldNeeds<Env>("environment", node, s, (n, needs) => {
      const text = n.job.environment?.value;
      if (text !== undefined) {
        const v = this.jobValue(n, text, s);
        if (!(v.kind === "known" && v.value.coerceString().trim() === "")) return { name: v.kind === "known" ? v.value.coerceString() : text, job: n };
      }
      if (runsRegardless(n.job.if?.value)) return null;
      return needs.find((x) => x) ?? null;
    });
    return own ?? (node.caller ? this.environment(node.caller, s) : undefined);
  }

  /**
   * Does a job the node waits for (directly or through its needs, or through its caller's) satisfy
   * `test`? Memoised per tag, scenario and group: `tag` must name one `test`.
   */
  upstream(tag: string, node: JobNode, s: Scenario, test: (n: JobNode) => boolean): boolean {
    const v = this.foldNeeds<{ self: boolean; up: boolean }>(tag, node, s, (n, needs) => ({ self: test(n), up: needs.some((x) => x.self || x.up) }));
    return v.up || (node.caller ? this.upstream(tag, node.caller, s, test) : false);
  }

  private ownReach(n: JobNode, s: Scenario, byId: Map<string, JobNode>, known: Map<JobNode, Reach>): Reach {
    const cond = n.job.if?.value;
    const skipped: Reach[] = [];
    for (const id of n.job.needs) {
      const dep = byId.get(id);
      const r = dep ? known.get(dep) : undefined;
      if (r && !r.may) skipped.push(r);
    }
    if (cond === undefined || !usesStatusFunction(cond)) {
      // `success() &&` is implied: a skipped need skips the job.
      if (skipped.length) return skipped.some((r) => !r.gate?.length) ? NEVER : { may: false, gate: skipped.flatMap((r) => r.gate ?? []) };
      if (cond === undefined) return MAY;
    }
    const v = evaluateCondition(cond, {
      resolve: this.resolver(s, this.jobScope(n), this.needsResolver(n, s, byId, (d) => known.get(d) ?? MAY)),
      status: skipped.length ? { success: false } : {},
    });
    if (truthOf(v) !== false) return MAY;
    return v.taint?.length ? { may: false, gate: v.taint } : NEVER;
  }

  /** The jobs of a node's group by id (the first of an id), computed once per group. */
  private byId(node: JobNode): Map<string, JobNode> {
    const key: object = node.caller ?? node.workflow;
    let byId = this.byIdMemo.get(key);
    if (!byId) {
      byId = new Map<string, JobNode>();
      for (const x of this.siblings(node)) if (!byId.has(x.job.id)) byId.set(x.job.id, x);
      this.byIdMemo.set(key, byId);
    }
    return byId;
  }

  /** The `needs` context of a job whose group is settled. */
  private needsOutside(node: JobNode, s: Scenario): NeedsResolver {
    return this.needsResolver(node, s, this.byId(node), (d) => this.jobReach(d, s));
  }

  /**
   * `needs.<id>.result` and `needs.<id>.outputs.<name>` of a job's direct needs, as far as they are
   * known: a skipped need has result `skipped` and empty outputs; an output is its expression over the
   * event, or the answer of the gate script that sets it. Outputs are computed when asked, once.
   */
  private needsResolver(n: JobNode, s: Scenario, byId: Map<string, JobNode>, reachOf: (dep: JobNode) => Reach, depth = 0): NeedsResolver {
    return (path) => {
      const id = path[1];
      if (id === undefined) return UNKNOWN;
      const need = n.job.needs.find((x) => x.toLowerCase() === id);
      const dep = need === undefined ? undefined : byId.get(need);
      if (!dep) return path.length <= 3 ? UNKNOWN : undefined;
      const r = reachOf(dep);
      if (!r.may) {
        const taint = r.gate?.length ? r.gate : undefined;
        if (path.length === 3 && path[2] === "result") return known(new data.StringData("skipped"), taint);
        if (path.length === 3 && path[2] === "outputs") return known(new data.Dictionary(), taint);
        return path.length === 2 ? UNKNOWN : undefined;
      }
      if (path[2] !== "outputs" || path.length !== 4 || dep.job.uses) return path.length <= 3 ? UNKNOWN : undefined;
      const entry = dep.job.outputs?.entries.find((e) => e.key.toLowerCase() === path[3]);
      if (!entry) return str("");
      return this.outputValue(dep, entry.key, entry.value?.value ?? "", s, byId, reachOf, depth);
    };
  }

  /** A gate job's output: its expression over the event, or the answer of the script step that sets it. */
  private outputValue(job: JobNode, name: string, text: string, s: Scenario, byId: Map<string, JobNode>, reachOf: (dep: JobNode) => Reach, depth: number): Abstract {
    let byScenario = this.outputMemo.get(s);
    if (!byScenario) this.outputMemo.set(s, (byScenario = new WeakMap()));
    let byName = byScenario.get(job);
    if (!byName) byScenario.set(job, (byName = new Map()));
    const cached = byName.get(name);
    if (cached) return cached;
    // Outputs passed down a long chain of jobs stay unknown past a bound.
    if (depth > MAX_OUTPUT_DEPTH) return UNKNOWN;
    byName.set(name, UNKNOWN);
    const base = this.resolver(s, this.jobScope(job), this.needsResolver(job, s, byId, reachOf, depth + 1));
    const resolve: Resolver = (path) => {
      if (path[0] === "steps" && path.length === 4 && path[2] === "outputs") {
        const step = job.job.steps.find((st) => st.id?.value.toLowerCase() === path[1]);
        return step ? scriptGate(job.job, step, name, s) : UNKNOWN;
      }
      return base(path);
    };
    const v = evaluateTemplate(text, { resolve });
    byName.set(name, v);
    return v;
  }

  // ---- input scopes ----

  /** The inputs a job reads: for a job of a called workflow, the caller's `with:` (and the declared defaults). */
  private jobScope(node: JobNode): Scope | undefined {
    if (!node.caller) return undefined;
    let scope = this.scopeMemo.get(node);
    if (!scope) {
      const inputs = new Map<string, ScopeInput>();
      for (const [name, def] of node.workflow.callInputs) {
        inputs.set(name.toLowerCase(), { text: def.default, scope: undefined, type: def.type, declared: true });
      }
      const callerScope = this.jobScope(node.caller);
      for (const e of node.caller.job.with.entries) {
        const key = e.key.toLowerCase();
        inputs.set(key, { text: e.value?.value ?? "", scope: callerScope, type: inputs.get(key)?.type, declared: true });
      }
      scope = { inputs, closed: true };
      this.scopeMemo.set(node, scope);
    }
    return scope;
  }

  /** The inputs a timeline step reads: its composite call site's `with:` and the action's defaults, or the job's. */
  private stepScope(node: JobNode, ts: TimelineStep): Scope | undefined {
    const site = ts.chain[ts.chain.length - 1];
    if (!site) return this.jobScope(node);
    let memo = this.stepScopeMemo.get(node);
    if (!memo) this.stepScopeMemo.set(node, (memo = new Map()));
    let scope = memo.get(site.invocation);
    if (!scope) {
      const inputs = new Map<string, ScopeInput>();
      const action = this.graph.actions.get(ts.file.absPath ?? ts.file.path);
      for (const [name, def] of action?.inputs ?? []) inputs.set(name.toLowerCase(), { text: def.default, scope: undefined, declared: true });
      const callStep = node.timeline[site.timelineIndex]!;
      const outer = this.stepScope(node, callStep);
      for (const e of site.step.with.entries) inputs.set(e.key.toLowerCase(), { text: e.value?.value ?? "", scope: outer, declared: true });
      scope = { inputs, closed: !!action };
      memo.set(site.invocation, scope);
    }
    return scope;
  }

  private inputValue(scope: Scope, name: string, s: Scenario): Abstract {
    let byScenario = this.inputMemo.get(scope);
    if (!byScenario) this.inputMemo.set(scope, (byScenario = new WeakMap()));
    let values = byScenario.get(s);
    if (!values) byScenario.set(s, (values = new Map()));
    const cached = values.get(name);
    if (cached) return cached;
    values.set(name, UNKNOWN); // a value that refers to itself stays unknown
    const input = scope.inputs.get(name);
    let v: Abstract;
    if (!input) v = scope.closed ? str("") : UNKNOWN;
    else if (input.text === undefined) v = input.type === "boolean" ? bool(false) : input.type === "number" ? known(new data.NumberData(0)) : str("");
    else v = typed(evaluateTemplate(input.text, { resolve: this.resolver(s, input.scope, undefined) }), input.type);
    values.set(name, v);
    return v;
  }

  /** Resolves a path in a scenario: inputs from the scope, `needs` from the map, the event's context from the scenario. */
  private resolver(s: Scenario, scope: Scope | undefined, needs: NeedsResolver | undefined): Resolver {
    return (path) => {
      const head = path[0];
      if (head === "inputs") {
        // A workflow's own jobs: none of these events has dispatch inputs.
        if (!scope) return path.length === 1 ? known(new data.Dictionary()) : path.length === 2 ? str("") : undefined;
        return path.length === 1 ? UNKNOWN : path.length === 2 ? this.inputValue(scope, path[1]!, s) : undefined;
      }
      if (head === "needs") return needs ? needs(path) : UNKNOWN;
      return s.resolve(path);
    };
  }
}

/** Looks up `needs.…` paths of one job. */
type NeedsResolver = (path: readonly string[]) => Abstract | undefined;

/** Jobs an output may be passed through before it counts as unknown. */
const MAX_OUTPUT_DEPTH = 64;

/** A `needs` edge that does not hold the job back: it runs after its needs fail or are skipped. */
export function runsRegardless(condition: string | undefined): boolean {
  return /\b(?:always|failure|cancelled)\s*\(/i.test(condition ?? "");
}

interface ScopeInput {
  /** The value as written (may hold `${{ }}`), or undefined for a declared input without default. */
  text: string | undefined;
  /** Where `text` is evaluated. */
  scope: Scope | undefined;
  type?: string;
  declared: boolean;
}

interface Scope {
  inputs: Map<string, ScopeInput>;
  /** Every input is known (a name not listed is empty). */
  closed: boolean;
}

/** A value passed to a typed input: booleans and numbers of a reusable workflow's inputs, strings otherwise. */
function typed(v: Abstract, type: string | undefined): Abstract {
  if (v.kind !== "known") return v;
  const x = v.value;
  if (type === "boolean" || type === "number") {
    if (x.kind === data.Kind.String) {
      const t = x.coerceString().trim().toLowerCase();
      if (type === "boolean" && (t === "true" || t === "false")) return known(new data.BooleanData(t === "true"), v.taint);
      if (type === "number" && t !== "" && Number.isFinite(Number(t))) return known(new data.NumberData(Number(t)), v.taint);
    }
    return v;
  }
  return x.kind === data.Kind.String ? v : known(new data.StringData(x.coerceString()), v.taint);
}

// ---- gate jobs computed by a script ----

const FORK_CHECK = /head\.repo\.fork|head\.repo\.full_name|head_repository\.full_name|head\.repo\.owner|isCrossRepository|headRepositoryOwner/i;
const ACTOR_CHECK =
  /getCollaboratorPermissionLevel|checkCollaborator|collaborators\/[^\s'"]*\/permission|\/collaborators\/|author_association|authorAssociation|checkMembershipForUser|getMembershipForUserInOrg|orgs\/[^\s'"]*\/members|teams\/[^\s'"]*\/memberships|repos\.getCollaborator/i;
/** Actions that answer whether the actor has a permission or team membership. */
const ACTOR_CHECK_ACTIONS = /^(?:actions-cool\/check-user-permission|prince-chrismc\/check-actor-permissions-action|sushichop\/action-repository-permission|lannonbr\/repo-permission-check-action|themoddinginquisition\/actions-team-membership|tspascoal\/get-user-teams-membership|[\w.-]+\/[\w.-]+\/authorization-check)$/i;

/**
 * The value a script step gives an output in a scenario when the step checks for a fork (in a
 * run where the pull request comes from one) or the actor's permission (in an outsider's run):
 * the check's "no", tainted with the check so callers know it is a run-time answer. An output named
 * like the flag itself (`is_fork`, `external`) says yes; any other one `false` or empty.
 */
function scriptGate(job: Job, step: Step, output: string, s: Scenario): Abstract {
  const text = [step.run?.value ?? "", ...step.env.entries.map((e) => e.value?.value ?? ""), ...step.with.entries.map((e) => e.value?.value ?? "")].join("\n");
  const uses = step.uses?.ref.kind === "remote" ? `${step.uses.ref.owner}/${step.uses.ref.repo}${step.uses.ref.subpath ? `/${step.uses.ref.subpath}` : ""}` : "";
  const forkRun = s.origin === "fork" || (s.origin === "outsider" && (s.event === "pull_request_target" || (s.event === "workflow_run" && PR_EVENTS.has(s.upstreamEvent ?? ""))));
  let kind: Taint["kind"] | undefined;
  // A permission check of the pull request's or issue's author still says no when a maintainer acted on it.
  const checksAuthor = /\b(?:pull_request|issue)\.user\.login\b|\b(?:pull_request|issue)\.author_association\b/.test(text);
  if (forkRun && FORK_CHECK.test(text)) kind = "fork";
  else if ((s.origin === "outsider" || (s.origin === "maintainer" && checksAuthor)) && (ACTOR_CHECK.test(text) || ACTOR_CHECK_ACTIONS.test(uses))) kind = "actor";
  if (!kind) return UNKNOWN;
  const taint: Taint[] = [{ kind, by: `job \`${job.id}\`` }];
  const flag = /fork|extern|untrust|cross|outside/i.test(output);
  if (flag) return known(new data.StringData("true"), taint);
  return { kind: "oneOf", values: [new data.StringData("false"), new data.StringData("")], taint };
}

// ---- what GitHub puts in the context of an untrusted run ----

interface ScenarioSpec {
  event: string;
  origin: Origin;
  types?: readonly string[];
  upstreamEvent?: string;
  upstreamUnknown?: readonly string[];
  sameRepository?: boolean;
  repo?: string;
}

const STRANGER: Abstract = { kind: "stranger" };

function makeScenario(spec: ScenarioSpec): Scenario {
  const { event, origin, types, upstreamEvent, sameRepository, repo } = spec;
  const owner = repo?.split("/")[0];
  const self: Abstract = repo ? str(repo) : { kind: "self", what: "repository" };
  const selfOwner: Abstract = owner ? str(owner) : { kind: "self", what: "owner" };
  const outsider = origin === "outsider";
  const v = new Map<string, Abstract>();
  const set = (path: string, value: Abstract) => v.set(path, value);
  set("github.event_name", str(event));
  if (types?.length) set("github.event.action", types.length === 1 ? str(types[0]!) : { kind: "oneOf", values: types.map((t) => new data.StringData(t)) });
  set("github.repository", self);
  set("github.repository_owner", selfOwner);
  set("github.event.repository.full_name", self);
  set("github.event.repository.owner.login", selfOwner);
  // An outsider is none of the names a workflow spells out; a maintainer may be, but is not a bot.
  const actor: Abstract = outsider ? STRANGER : origin === "maintainer" ? { kind: "human" } : UNKNOWN;
  for (const p of ["github.actor", "github.triggering_actor", "github.event.sender.login"]) set(p, actor);
  // No push-like payload: `github.event.ref` is absent.
  set("github.event.ref", NULL);
  set("github.ref_type", str("branch"));
  const pr = PR_EVENTS.has(event);
  const onMerge = event !== "pull_request_target" && pr;
  if (onMerge) {
    set("github.ref", { kind: "affixed", prefix: "refs/pull/", suffix: "/merge" });
    set("github.ref_name", { kind: "affixed", prefix: "", suffix: "/merge" });
  } else {
    // The base branch (pull_request_target) or the default branch: a branch, name unknown.
    set("github.ref", { kind: "affixed", prefix: "refs/heads/", suffix: "" });
  }
  if (!pr) {
    set("github.head_ref", str(""));
    set("github.base_ref", str(""));
    set("github.event.pull_request", NULL);
  }
  const fromFork = pr && !sameRepository;
  if (pr) {
    set("github.event.pull_request.head.repo.fork", bool(fromFork));
    set("github.event.pull_request.head.repo.full_name", fromFork ? STRANGER : self);
    set("github.event.pull_request.head.repo.owner.login", fromFork ? STRANGER : selfOwner);
    if (event === "pull_request_target" && outsider) {
      set("github.event.pull_request.user.login", STRANGER);
      set("github.event.pull_request.author_association", oneOf(OUTSIDER_ASSOCIATIONS));
      // Nobody with triage access acted: no labels, not merged.
      set("github.event.pull_request.labels", known(fromJS([])));
      set("github.event.pull_request.merged", bool(false));
    }
    if (outsider && event === "pull_request_review") {
      set("github.event.review.user.login", STRANGER);
      set("github.event.review.author_association", oneOf(OUTSIDER_ASSOCIATIONS));
    }
    if (outsider && event === "pull_request_review_comment") {
      set("github.event.comment.user.login", STRANGER);
      set("github.event.comment.author_association", oneOf(OUTSIDER_ASSOCIATIONS));
    }
  }
  if (event === "issue_comment" && outsider) {
    set("github.event.comment.user.login", STRANGER);
    set("github.event.comment.author_association", oneOf(OUTSIDER_ASSOCIATIONS));
  }
  if (event === "issues") {
    set("github.event.comment", NULL);
    set("github.event.issue.pull_request", NULL);
    if (outsider) {
      set("github.event.issue.user.login", STRANGER);
      set("github.event.issue.author_association", oneOf(OUTSIDER_ASSOCIATIONS));
      if (types?.length && types.every((t) => t === "opened")) set("github.event.issue.labels", known(fromJS([])));
    }
  }
  if (event === "discussion" && outsider) {
    set("github.event.discussion.user.login", STRANGER);
    set("github.event.discussion.author_association", oneOf(OUTSIDER_ASSOCIATIONS));
  }
  if (event === "discussion_comment" && outsider) {
    set("github.event.comment.user.login", STRANGER);
    set("github.event.comment.author_association", oneOf(OUTSIDER_ASSOCIATIONS));
  }
  if (event === "workflow_run") {
    if (upstreamEvent) set("github.event.workflow_run.event", str(upstreamEvent));
    const upFork = upstreamEvent === "pull_request" || upstreamEvent === "pull_request_review" || upstreamEvent === "pull_request_review_comment";
    const upSelf = upstreamEvent !== undefined && !PR_EVENTS.has(upstreamEvent);
    if (upFork) {
      set("github.event.workflow_run.head_repository.full_name", STRANGER);
      set("github.event.workflow_run.head_repository.owner.login", STRANGER);
      set("github.event.workflow_run.head_repository.fork", bool(true));
    } else if (upSelf) {
      set("github.event.workflow_run.head_repository.full_name", self);
      set("github.event.workflow_run.head_repository.owner.login", selfOwner);
    }
    if (outsider) {
      set("github.event.workflow_run.actor.login", STRANGER);
      set("github.event.workflow_run.triggering_actor.login", STRANGER);
    }
  }
  const resolve: Resolver = (path) => v.get(path.join("."));
  return { event, origin, upstreamEvent, upstreamUnknown: spec.upstreamUnknown?.length ? spec.upstreamUnknown : undefined, sameRepository, types, resolve, description: describe(spec) };
}

function oneOf(values: readonly string[]): Abstract {
  return { kind: "oneOf", values: values.map((x) => new data.StringData(x)) };
}

function describe(spec: ScenarioSpec): string {
  const e = `\`${spec.event}\``;
  switch (spec.origin) {
    case "fork":
      return `a pull request from a fork on ${e}`;
    case "maintainer":
      return `${e} after a maintainer acted on an outsider's ${spec.event.startsWith("pull_request") ? "pull request" : spec.event.startsWith("discussion") ? "discussion" : "issue or pull request"}`;
    case "outsider":
      if (spec.event === "workflow_run") return `\`workflow_run\` after a \`${spec.upstreamEvent}\` run an outsider started`;
      if (spec.sameRepository) return `${e} by an outsider on a pull request from a branch of this repository`;
      if (spec.event === "pull_request_target") return `a pull request from a fork on ${e}`;
      return `${e} started by any GitHub user`;
  }
}

const GUARDS = new WeakMap<ProjectGraph, Map<string, Guards>>();

/** The guard facts of a graph (one instance per graph and repository name). */
export function guardsOf(graph: ProjectGraph, settings: GuardSettings = {}): Guards {
  let byRepo = GUARDS.get(graph);
  if (!byRepo) GUARDS.set(graph, (byRepo = new Map()));
  const key = settings.repository ?? "";
  let g = byRepo.get(key);
  if (!g) byRepo.set(key, (g = new Guards(graph, settings)));
  return g;
}
