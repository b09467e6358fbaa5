/**
 * Both sides of the OIDC handshake, as graph facts the trust rules share:
 *
 * - the OIDC subjects a job can present (`subjectClasses`): its `environment:` first; otherwise one
 *   class per way the job's workflow (for a called reusable workflow: the top caller's) can start —
 *   `pull_request`, the branches and tags of `push` filters, `release` tags, `workflow_dispatch` on
 *   any branch or tag, the default branch for `schedule` and most other events — narrowed by the
 *   `if:` conditions on the way (job, callers, the step and its composite call sites) where
 *   GitHub's expression engine can decide them for that event and ref;
 * - the token's `sub` and `aud` claims built from a class (`claimsFor`): the subject format
 *   (names or immutable ids) and a customised claim template;
 * - which role of the repository's infrastructure code a configure call assumes (`roleLinks`):
 *   its `role-to-assume` (through composite inputs, reusable-workflow inputs and literal `env:`)
 *   matched by ARN or name; roles from secrets or variables stay unknown.
 */
import { decide, knownInputs, type Decision } from "./conditions.js";
import type { SubjectPart, TokenClaims } from "../iac/iam.js";
import type { TrustRole } from "../iac/types.js";
import { knownText } from "../iac/types.js";
import type { ConfigureCall, JobNode, ProjectGraph, TimelineStep } from "./types.js";
import { substitute, type InputValues } from "./substitute.js";
import { effectiveInput } from "./configure.js";
import { allJobNodes } from "./build-graph.js";
import { envAt } from "./values.js";

// ---------- subjects ----------

/** The repository facts subjects depend on (the engine's Settings has them). */
export interface Settings {
  visibility: string;
  repository?: { owner: string; name: string };
  defaultBranch?: { name: string };
  subjectFormat?: { format: "names" | "immutable-ids"; ownerId?: string; repositoryId?: string };
  subjectClaimKeys?: readonly string[];
}

export interface SubjectClass {
  /** How the job gets this subject, for messages: "on push to `main`", "on workflow_dispatch (any branch or tag)". */
  origin: string;
  event: string;
  /** The `context` part of the default subject: `ref:refs/heads/main`, `pull_request`, `environment:prod`. */
  context: SubjectPart[];
  /** The run's `ref` claim. */
  ref: SubjectPart[];
  ref_type?: "branch" | "tag";
  environment?: SubjectPart[];
  /** The job node that runs the configure call (for `job_workflow_ref`). */
  node: JobNode;
}

const BRANCH_HOLE = (label: string): SubjectPart => ({ hole: "any", varies: true, label });

/** Events whose runs use the default branch (GITHUB_REF is the default branch). */
const DEFAULT_BRANCH_EVENTS = new Set([
  "schedule",
  "workflow_run",
  "repository_dispatch",
  "issues",
  "issue_comment",
  "discussion",
  "discussion_comment",
  "watch",
  "fork",
  "label",
  "milestone",
  "page_build",
  "project",
  "project_card",
  "project_column",
  "public",
  "gollum",
  "delete",
  "branch_protection_rule",
  "status",
  "registry_package",
  "check_run",
  "check_suite",
]);

/**
 * A GitHub filter glob (`release/*`, `v[0-9]+.*`, `**`) as subject parts: `*` any run without `/`,
 * anything else that is not a plain character any run. Wider than the filter, never narrower.
 */
function filterParts(prefix: string, glob: string, label: string): SubjectPart[] {
  const out: SubjectPart[] = [{ lit: prefix }];
  let lit = "";
  const flush = () => {
    if (lit) out.push({ lit });
    lit = "";
  };
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "*") {
      flush();
      const double = glob[i + 1] === "*";
      if (double) i++;
      const last = out[out.length - 1]!;
      if (!("hole" in last)) out.push({ hole: double ? "any" : "noslash", varies: true, label });
      else if (double) out[out.length - 1] = { hole: "any", varies: true, label };
    } else if (c === "?" || c === "+" || c === "[" || c === "]" || c === "\\") {
      flush();
      // Character classes and repetitions: a run of anything (the filter may allow less).
      let j = i;
      if (c === "[") while (j < glob.length && glob[j] !== "]") j++;
      i = j;
      const last = out[out.length - 1]!;
      if (!("hole" in last)) out.push({ hole: "any", varies: true, label });
      else out[out.length - 1] = { hole: "any", varies: true, label };
    } else lit += c;
  }
  flush();
  return out;
}

function partsText(parts: readonly SubjectPart[]): string {
  return parts.map((p) => ("hole" in p ? `<${p.label}>` : p.lit)).join("");
}

function concrete(parts: readonly SubjectPart[]): string | undefined {
  let s = "";
  for (const p of parts) {
    if ("hole" in p) return undefined;
    s += p.lit;
  }
  return s;
}

/** The event classes of a top-level workflow, before conditions and environments. */
function eventClasses(top: JobNode, node: JobNode, settings: Settings): SubjectClass[] {
  const wf = top.workflow;
  const out: SubjectClass[] = [];
  const branch = (parts: SubjectPart[], origin: string, event: string) =>
    out.push({ origin, event, context: [{ lit: "ref:" }, ...parts], ref: parts, ref_type: "branch", node });
  const tag = (parts: SubjectPart[], origin: string, event: string) =>
    out.push({ origin, event, context: [{ lit: "ref:" }, ...parts], ref: parts, ref_type: "tag", node });
  const anyBranch = () => [{ lit: "refs/heads/" }, BRANCH_HOLE("branch")];
  const anyTag = () => [{ lit: "refs/tags/" }, BRANCH_HOLE("tag")];
  for (const event of new Set(wf.triggers)) {
    switch (event) {
      case "push": {
        const f = wf.pushFilters ?? {};
        const hasB = f.branches !== undefined || f.branchesIgnore !== undefined;
        const hasT = f.tags !== undefined || f.tagsIgnore !== undefined;
        if (hasB || !hasT) {
          const positive = f.branches?.filter((b) => !b.startsWith("!"));
          if (f.branches && !f.branchesIgnore && positive && positive.length > 0) {
            for (const b of positive) {
              const parts = filterParts("refs/heads/", b, "branch");
              branch(parts, `on push to ${concrete(parts) !== undefined ? `\`${b}\`` : `a branch matching \`${b}\``}`, event);
            }
          } else branch(anyBranch(), "on push to any branch", event);
        }
        if (hasT || !hasB) {
          const positive = f.tags?.filter((t) => !t.startsWith("!"));
          if (f.tags && !f.tagsIgnore && positive && positive.length > 0) {
            for (const t of positive) tag(filterParts("refs/tags/", t, "tag"), `on push of a tag matching \`${t}\``, event);
          } else tag(anyTag(), "on push of any tag", event);
        }
        break;
      }
      case "pull_request":
        out.push({ origin: "on pull_request", event, context: [{ lit: "pull_request" }], ref: [{ lit: "refs/pull/" }, { hole: "digits", varies: true, label: "number" }, { lit: "/merge" }], ref_type: "branch", node });
        break;
      case "release":
        tag(anyTag(), "on release (any tag)", event);
        break;
      case "create":
        branch(anyBranch(), "on create (any branch)", event);
        tag(anyTag(), "on create (any tag)", event);
        break;
      case "workflow_dispatch":
        branch(anyBranch(), "on workflow_dispatch from any branch", event);
        tag(anyTag(), "on workflow_dispatch from any tag", event);
        break;
      case "merge_group":
        branch([{ lit: "refs/heads/gh-readonly-queue/" }, BRANCH_HOLE("merge queue branch")], "on merge_group", event);
        break;
      case "workflow_call":
        // Callers in this repository are nodes of their own; other repositories' are not known.
        break;
      default:
        if (DEFAULT_BRANCH_EVENTS.has(event)) {
          const name = settings.defaultBranch?.name;
          const parts: SubjectPart[] = name !== undefined ? [{ lit: `refs/heads/${name}` }] : [{ lit: "refs/heads/" }, { hole: "any", varies: false, label: "the default branch" }];
          branch(parts, `on ${event} (runs on the default branch${name !== undefined ? ` \`${name}\`` : ""})`, event);
        } else {
          // pull_request_target, deployment, pull_request_review, …: subject not stated here.
          out.push({ origin: `on ${event}`, event, context: [{ hole: "any", varies: false, label: `the subject of a ${event} run` }], ref: [{ hole: "any", varies: false, label: "the ref" }], node });
        }
    }
  }
  return out;
}

/** Input values a called workflow's job sees: its caller's `with:` over the declared defaults, through every level. */
export function callerInputs(node: JobNode): InputValues | undefined {
  const caller = node.caller;
  if (!caller) return undefined;
  const above = callerInputs(caller);
  const values: InputValues = new Map();
  for (const [name, def] of node.workflow.callInputs) values.set(name.toLowerCase(), def.default ?? "");
  for (const e of caller.job.with.entries) values.set(e.key.toLowerCase(), substitute(e.value?.value ?? "", above));
  return values;
}

/** The environment a job declares (after caller inputs), as subject parts; undefined when it has none. */
function environmentOf(node: JobNode): { parts: SubjectPart[]; text: string; dynamic?: boolean } | undefined {
  const env = node.job.environment;
  if (!env) return undefined;
  const text = substitute(env.value, callerInputs(node)).trim();
  if (text === "") return undefined;
  if (!text.includes("${{")) return { parts: [{ lit: text }], text };
  return { parts: [{ hole: "any", varies: false, label: `environment \`${text}\`` }], text, dynamic: true };
}

const subjectCache = new WeakMap<JobNode, WeakMap<TimelineStep | JobNode, SubjectClass[]>>();

/**
 * The subjects a configure call at `ts` in `node` can present: the event classes of the top caller,
 * narrowed by the `if:` of the jobs on the way and of the step (and its composite call sites), then
 * the job's environment, which replaces the context whatever the event.
 */
export function subjectClasses(node: JobNode, ts: TimelineStep | undefined, settings: Settings): SubjectClass[] {
  let byStep = subjectCache.get(node);
  if (!byStep) subjectCache.set(node, (byStep = new WeakMap()));
  const cached = byStep.get(ts ?? node);
  if (cached) return cached;
  let top = node;
  const conditions: Array<{ text: string; inputs?: InputValues }> = [];
  for (let n: JobNode | undefined = node; n; n = n.caller) {
    top = n;
    if (n.job.if) conditions.push({ text: n.job.if.value, inputs: callerInputs(n) });
  }
  if (ts) {
    if (ts.if !== undefined) conditions.push({ text: ts.if, inputs: callerInputs(node) });
    for (const site of ts.chain) {
      const stepIf = node.timeline[site.timelineIndex]?.if;
      if (stepIf !== undefined) conditions.push({ text: stepIf, inputs: callerInputs(node) });
    }
  }
  let classes = eventClasses(top, node, settings);
  for (const c of conditions) classes = narrow(classes, c.text, c.inputs);
  const env = environmentOf(node);
  if (env && classes.length > 0) {
    classes = [
      {
        origin: `in environment \`${env.text}\``,
        event: classes.map((c) => c.event).join(", "),
        // An expression may also yield "" (no environment): then the run presents its ref instead.
        context: env.dynamic ? [{ hole: "any", varies: false, label: `environment \`${env.text}\` (or, when it is empty, the ref)` }] : [{ lit: "environment:" }, ...env.parts],
        ref: classes.length === 1 ? classes[0]!.ref : [{ hole: "any", varies: true, label: "the ref" }],
        environment: env.parts,
        node,
      },
    ];
  }
  byStep.set(ts ?? node, classes);
  return classes;
}

// ---------- conditions ----------

/** A condition for one concrete event and ref, after everything before it succeeded; unknown when it reads anything else. */
function decideFor(condition: string, event: string, ref: string | undefined, inputs: InputValues | undefined): Decision {
  return decide(condition, { run: { event, ref }, succeeded: true, ...(inputs ? { inputs: knownInputs(inputs) } : {}) });
}

/** Literal strings of a condition (candidate refs and names). */
function literalsOf(condition: string): string[] {
  const out: string[] = [];
  for (const m of condition.matchAll(/'((?:[^']|'')*)'/g)) out.push(m[1]!.replace(/''/g, "'"));
  return out;
}

/**
 * Keeps the classes a condition may let through. A class with a concrete ref is decided directly; a
 * class whose ref varies is tried with the refs the condition names (exactly, and as a prefix) and
 * with a ref it names nowhere: when that one passes, the class stays whole; otherwise it narrows to
 * the named refs that pass. Anything undecidable keeps the class.
 */
function narrow(classes: SubjectClass[], condition: string, inputs: InputValues | undefined): SubjectClass[] {
  const out: SubjectClass[] = [];
  for (const c of classes) {
    const ref = concrete(c.ref);
    if (ref !== undefined || !c.ref.some((p) => "hole" in p && p.varies)) {
      if (decideFor(condition, c.event, ref, inputs) !== "false") out.push(c);
      continue;
    }
    const prefix = c.ref[0] && !("hole" in c.ref[0]) ? c.ref[0].lit : "";
    const other = `${prefix}credflow-other-ref`;
    const otherDecision = decideFor(condition, c.event, other, inputs);
    if (otherDecision !== "false") {
      out.push(c);
      continue;
    }
    const kept: SubjectClass[] = [];
    for (const lit of literalsOf(condition)) {
      const full = lit.startsWith("refs/") ? lit : `${prefix}${lit}`;
      if (!full.startsWith(prefix) || full === prefix) continue;
      const exact: SubjectPart[] = [{ lit: full }];
      // A prefix the condition lets through (`startsWith`) stands for every ref under it, itself included.
      if (decideFor(condition, c.event, `${full}credflow-x`, inputs) === "true") {
        const parts: SubjectPart[] = [{ lit: full }, { hole: "any", varies: true, label: "ref" }];
        kept.push({ ...c, origin: `${c.origin} (refs starting \`${full}\`)`, context: [{ lit: "ref:" }, ...parts], ref: parts });
      } else if (!full.endsWith("/") && decideFor(condition, c.event, full, inputs) === "true" && matchesTemplate(c.ref, full)) {
        kept.push({ ...c, origin: `${c.origin.replace(/ from any (branch|tag)$/, "")} from \`${full.replace(/^refs\/(heads|tags)\//, "")}\``, context: [{ lit: "ref:" }, ...exact], ref: exact });
      }
    }
    const seen = new Set<string>();
    for (const k of kept) {
      const key = partsText(k.ref);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(k);
    }
  }
  return out;
}

function matchesTemplate(parts: readonly SubjectPart[], text: string): boolean {
  let re = "^";
  for (const p of parts) re += "hole" in p ? (p.hole === "noslash" ? "[^/]+" : p.hole === "digits" ? "[0-9]+" : ".+") : p.lit.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`${re}$`).test(text);
}

// ---------- claims ----------

export type SubjectFormat = "names" | "immutable-ids";

/** The repository part of `repo:` in the subject. */
function repoParts(settings: Settings, format: SubjectFormat): SubjectPart[] {
  const repo = settings.repository;
  const owner: SubjectPart = repo ? { lit: repo.owner } : { hole: "noslash", varies: false, label: "owner" };
  const name: SubjectPart = repo ? { lit: repo.name } : { hole: "noslash", varies: false, label: "repository" };
  if (format === "names") return [owner, { lit: "/" }, name];
  const ids = settings.subjectFormat;
  const ownerId: SubjectPart = ids?.ownerId ? { lit: ids.ownerId } : { hole: "digits", varies: false, label: "owner id" };
  const repoId: SubjectPart = ids?.repositoryId ? { lit: ids.repositoryId } : { hole: "digits", varies: false, label: "repository id" };
  return [owner, { lit: "@" }, ownerId, { lit: "/" }, name, { lit: "@" }, repoId];
}

/** The token's `sub` (default or customised template) and `aud` for one subject class. */
export function claimsFor(c: SubjectClass, settings: Settings, format: SubjectFormat, audience: SubjectPart[]): TokenClaims {
  const keys = settings.subjectClaimKeys ?? ["repo", "context"];
  const sub: SubjectPart[] = [];
  const repo = repoParts(settings, format);
  const unknown = (label: string): SubjectPart[] => [{ hole: "any", varies: false, label }];
  keys.forEach((k, i) => {
    if (i > 0) sub.push({ lit: ":" });
    if (k === "context") {
      sub.push(...c.context);
      return;
    }
    sub.push({ lit: `${k}:` });
    switch (k) {
      case "repo":
      case "repository":
        sub.push(...repo);
        break;
      case "repository_owner":
        sub.push(repo[0]!);
        break;
      case "repository_owner_id":
        sub.push(settings.subjectFormat?.ownerId ? { lit: settings.subjectFormat.ownerId } : { hole: "digits", varies: false, label: "owner id" });
        break;
      case "repository_id":
        sub.push(settings.subjectFormat?.repositoryId ? { lit: settings.subjectFormat.repositoryId } : { hole: "digits", varies: false, label: "repository id" });
        break;
      case "ref":
        sub.push(...c.ref);
        break;
      case "ref_type":
        sub.push(...(c.ref_type ? [{ lit: c.ref_type }] : unknown("ref type")));
        break;
      case "event_name":
        sub.push(...(c.event.includes(",") ? unknown("event") : [{ lit: c.event }]));
        break;
      case "environment":
        sub.push(...(c.environment ?? unknown("environment")));
        break;
      case "job_workflow_ref": {
        const r = settings.repository;
        sub.push(...(r ? [{ lit: `${r.owner}/${r.name}` }] : unknown("repository")), { lit: `/${c.node.workflow.file.repoPath}@` }, ...c.ref);
        break;
      }
      case "repository_visibility":
        sub.push(...(settings.visibility !== "unknown" ? [{ lit: settings.visibility }] : unknown("visibility")));
        break;
      default:
        sub.push(...unknown(k));
    }
  });
  return { sub, aud: audience };
}

export function subjectText(parts: readonly SubjectPart[]): string {
  return partsText(parts);
}

// ---------- job ↔ role ----------

export interface RoleLink {
  node: JobNode;
  ts: TimelineStep;
  call: ConfigureCall;
  /** The role as the job passes it, after substitution (may still hold `${{ }}`). */
  roleText: string;
  /** The role's name, when the ARN is known. */
  roleName?: string;
  arn?: string;
  /** Roles of the repository it names (several when names repeat across stacks or module instances). */
  roles: TrustRole[];
  /** How the link was made, for messages. */
  how?: "name" | "arn" | "generated name" | "name prefix";
  /** Why the role is not known (a secret, a variable, an expression). */
  unknownWhy?: string;
  /** The audience the job asks for. */
  audience: SubjectPart[];
}

const ROLE_ARN = /^arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}):role\/(?:[\x21-\x7e]*\/)?([\w+=,.@-]+)$/;
const ENV_EXPR = /\$\{\{\s*env\.([A-Za-z_]\w*)\s*\}\}/g;

/** `${{ env.X }}` replaced by literal `env:` values at the step (at most a few rounds). */
function resolveEnv(node: JobNode, ts: TimelineStep, text: string): string {
  let out = text;
  for (let round = 0; round < 4 && out.includes("${{"); round++) {
    const env = envAt(node, ts);
    const next = out.replace(ENV_EXPR, (whole, name: string) => env.get(name)?.text ?? whole);
    if (next === out) break;
    out = next;
  }
  return out;
}

function audienceOf(node: JobNode, call: ConfigureCall): SubjectPart[] {
  const aud = effectiveInput(node, call, "audience");
  if (!aud) return [{ lit: "sts.amazonaws.com" }];
  const text = resolveEnv(node, call.step, aud.text).trim();
  if (text === "") return [{ lit: "sts.amazonaws.com" }];
  return text.includes("${{") ? [{ hole: "any", varies: false, label: `audience \`${text}\`` }] : [{ lit: text }];
}

/** Which repository role a role ARN names. */
export function rolesNamed(roles: readonly TrustRole[], arn: string): { roles: TrustRole[]; how?: RoleLink["how"] } {
  const m = ROLE_ARN.exec(arn);
  const name = m?.[3];
  const out: TrustRole[] = [];
  let how: RoleLink["how"];
  for (const r of roles) {
    if (r.configured !== undefined) {
      if (r.configured === arn || (name !== undefined && !r.configured.startsWith("arn:") && r.configured.toLowerCase() === name.toLowerCase())) {
        out.push(r);
        how ??= r.configured === arn ? "arn" : "name";
      }
      continue;
    }
    if (name === undefined) continue;
    const n = r.name;
    if (n.kind === "name" && n.value.toLowerCase() === name.toLowerCase()) {
      out.push(r);
      how ??= "name";
    } else if (n.kind === "prefix" && name.toLowerCase().startsWith(n.value.toLowerCase()) && name.length > n.value.length) {
      out.push(r);
      how ??= "name prefix";
    } else if (n.kind === "generated" && new RegExp(`^.+-${n.logicalId.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}-[A-Za-z0-9]{6,}$`).test(name)) {
      out.push(r);
      how ??= "generated name";
    }
  }
  return how ? { roles: out, how } : { roles: out };
}

const linkCache = new WeakMap<ProjectGraph, RoleLink[]>();

/**
 * Every OIDC configure call of every job, with the repository role it assumes (when it can be told).
 * Worked out once per graph: the three trust rules, the call-graph picture and the run's
 * cross-repository check all ask.
 */
export function roleLinks(graph: ProjectGraph): RoleLink[] {
  const cached = linkCache.get(graph);
  if (cached) return cached;
  const roles = graph.trust?.roles ?? [];
  const out: RoleLink[] = [];
  for (const node of allJobNodes(graph)) {
    for (const call of node.configureCalls) {
      if (!call.oidc) continue;
      const ts = call.step;
      const input = effectiveInput(node, call, "role-to-assume");
      const raw = (input?.text ?? call.role ?? "").trim();
      const text = resolveEnv(node, ts, raw);
      const link: RoleLink = { node, ts, call, roleText: text, roles: [], audience: audienceOf(node, call) };
      if (text.includes("${{")) {
        const what = /\$\{\{\s*(secrets|vars)\./.exec(text)?.[1];
        link.unknownWhy = what === "secrets" ? "the role comes from a secret" : what === "vars" ? "the role comes from a configuration variable" : `the role is \`${text}\`, known only at run time`;
      } else {
        const m = ROLE_ARN.exec(text);
        if (m) {
          link.arn = text;
          link.roleName = m[3]!;
          const found = rolesNamed(roles, text);
          link.roles = found.roles;
          if (found.how) link.how = found.how;
          if (found.roles.length === 0) link.unknownWhy = "no role of that name is defined in the repository";
        } else link.unknownWhy = "the role is not an ARN";
      }
      out.push(link);
    }
  }
  linkCache.set(graph, out);
  return out;
}

/** Whether any `sub` value of the role's GitHub statements is written for immutable ids (`owner@123/name@456`). */
export function policyUsesImmutableIds(role: TrustRole): boolean {
  if (!("statements" in role.policy)) return false;
  for (const st of role.policy.statements) {
    for (const c of st.conditions) {
      if (!Array.isArray(c.values) || !/:sub$/i.test(c.key ?? "")) continue;
      for (const v of c.values) {
        const t = knownText(v) ?? v.segments.map((s) => ("unknown" in s ? "" : s.text)).join("");
        if (/^repo:[^/:]*@(\d+|\*)\/[^/:]*@(\d+|\*)/.test(t)) return true;
      }
    }
  }
  return false;
}
