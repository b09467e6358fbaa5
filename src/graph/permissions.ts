/**
 * Effective GITHUB_TOKEN permissions of a job, as far as `id-token` goes.
 *
 * A job's `permissions:` replaces the workflow's; with neither, the repository default applies, and
 * the default never includes `id-token`. A job of a called reusable workflow gets at most what its
 * caller job grants: its own block (or its workflow's) can only narrow that.
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
  /** `lostAt` is the job whose declaration (or lack of one) withholds the scope. */
  | { state: "missing"; lostAt: JobNode; declared: Declared };

/** Whether `id-token: write` reaches a job, and if not, which job in the caller chain withholds it. */
export function idTokenFor(node: JobNode): IdTokenVerdict {
  const d = declaredPermissions(node.workflow, node.job);
  if (d.state === "unknown") return { state: "unknown" };
  if (d.state === "missing" && d.where !== "default") return { state: "missing", lostAt: node, declared: d };
  // Granted by its own declaration, or nothing declared: what the caller grants is the ceiling.
  if (node.caller) return idTokenFor(node.caller);
  if (d.where === "default") {
    if (onlyWorkflowCall(node.workflow)) return { state: "caller-decides" };
    return { state: "missing", lostAt: node, declared: d };
  }
  return { state: "granted" };
}
