/**
 * Effective GITHUB_TOKEN permissions of a job, as far as `id-token` goes.
 *
 * A job's `permissions:` replaces the workflow's; with neither, the repository default applies, and
 * the default never includes `id-token` (neither the permissive nor the restricted one). A job of a
 * called reusable workflow gets at most what its caller job grants: its own block (or its
 * workflow's) can only narrow that. When no job in the caller chain declares anything, the ceiling
 * is the repository's default setting, which the files do not show: with the permissive default a
 * called job that asks for `id-token: write` itself gets it, with the restricted default GitHub
 * rejects the run at startup (../shared/knowledge/github-semantics.md, "GITHUB_TOKEN permissions and
 * reusable workflows").
 */
import type { Job, Permissions, Workflow } from "../model/types.js";
import type { JobNode } from "./types.js";

/** What one `permissions:` value says about `id-token: write`. */
export type IdTokenState = "granted" | "missing" | "unknown";

export function idTokenIn(p: Permissions): IdTokenState {
  switch (p.kind) {
    case "write-all":
      return "granted";
    case "read-all":
      return "missing";
    case "map": {
      const entry = p.entries.find((e) => e.key === "id-token");
      if (!entry) return "missing";
      if (!entry.value || entry.value.isExpression) return entry.value ? "unknown" : "missing";
      return entry.value.value.trim() === "write" ? "granted" : "missing";
    }
    // An expression decides at run time; an invalid value is the schema rule's business.
    default:
      return "unknown";
  }
}

/** The permissions a job declares for itself: its own block, else its workflow's, else none. */
export interface Declared {
  where: "job" | "workflow" | "default";
  permissions?: Permissions;
  state: IdTokenState;
}

export function declaredPermissions(workflow: Workflow, job: Job): Declared {
  if (job.permissions) return { where: "job", permissions: job.permissions, state: idTokenIn(job.permissions) };
  if (workflow.permissions) return { where: "workflow", permissions: workflow.permissions, state: idTokenIn(workflow.permissions) };
  return { where: "default", state: "missing" };
}

/** True for a workflow that only runs when another workflow calls it. */
export function onlyWorkflowCall(workflow: Workflow): boolean {
  return workflow.triggers.length > 0 && workflow.triggers.every((t) => t === "workflow_call");
}

export type IdTokenVerdict =
  | { state: "granted" | "unknown" }
  /** A reusable workflow linted on its own that declares nothing: its callers decide. */
  | { state: "caller-decides" }
  /**
   * The job certainly runs without `id-token: write` (or, with `requestedBy`, the run is rejected at
   * startup). `lostAt` is the job whose declaration, or lack of one, withholds the scope.
   * `requestedBy`: the called job nearest below `lostAt` that asks for `id-token: write` in its own
   * declaration (job or workflow level): GitHub then rejects the whole run before it starts.
   */
  | { state: "missing"; lostAt: JobNode; declared: Declared; requestedBy?: JobNode }
  /**
   * No `permissions:` anywhere in the caller chain, and `requestedBy` (a called job, or a job between
   * it and the top) asks for `id-token: write` itself: the repository's default token setting decides
   * (permissive: granted; restricted: rejected at startup). `lostAt` is the top caller.
   */
  | { state: "default-decides"; lostAt: JobNode; declared: Declared; requestedBy: JobNode };

/** Whether `id-token: write` reaches a job, and if not, which job in the caller chain withholds it. */
export function idTokenFor(node: JobNode): IdTokenVerdict {
  let requestedBy: JobNode | undefined;
  for (let n: JobNode = node; ; n = n.caller!) {
    const d = declaredPermissions(n.workflow, n.job);
    if (d.state === "unknown") return { state: "unknown" };
    if (d.where !== "default") {
      if (d.state === "missing") return requestedBy ? { state: "missing", lostAt: n, declared: d, requestedBy } : { state: "missing", lostAt: n, declared: d };
      // Granted by its own declaration: what the caller grants is the ceiling GitHub checks it against.
      if (!n.caller) return { state: "granted" };
      requestedBy = n;
      continue;
    }
    // Nothing declared: the job inherits its caller's token.
    if (n.caller) continue;
    if (onlyWorkflowCall(n.workflow)) return { state: "caller-decides" };
    if (requestedBy) return { state: "default-decides", lostAt: n, declared: d, requestedBy };
    return { state: "missing", lostAt: n, declared: d };
  }
}

/** The repository's default GITHUB_TOKEN permissions, when the configuration says. */
export type DefaultTokenSetting = "permissive" | "restricted" | "unknown" | undefined;

/**
 * The verdict once the repository's default token setting is applied: permissive lets a called job
 * take the `id-token: write` it asks for, restricted rejects the run (a `missing` verdict with
 * `requestedBy`). Unknown settings leave `default-decides` as it is.
 */
export function idTokenWithSetting(verdict: IdTokenVerdict, setting: DefaultTokenSetting): IdTokenVerdict {
  if (verdict.state !== "default-decides") return verdict;
  if (setting === "permissive") return { state: "granted" };
  if (setting === "restricted") return { state: "missing", lostAt: verdict.lostAt, declared: verdict.declared, requestedBy: verdict.requestedBy };
  return verdict;
}
