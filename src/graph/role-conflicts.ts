/**
 * Which steps see a stale role on old runners. Runners older than v2.295.0 reset every variable that
 * existed when a composite action started for all steps inside it (actions/runner#1794,
 * aws-actions/configure-aws-credentials#307): a composite that starts while one role's credentials
 * are exported, then assumes a different role, runs its later steps as the first role. The new role
 * takes effect only when the composite returns.
 *
 * Computed once per job when the graph is built (`JobNode.roleConflicts`); the rule
 * composite-role-conflict reports each conflict, `credflow graph` marks its steps.
 */
import type { ConfigureCall, InvocationSpan, JobNode, TimelineStep } from "./types.js";

/** The runner release that stopped laying the composite's start snapshot over later exports. */
export const RUNNER_FIX_VERSION = "2.295.0";

/** What credentials a configure call sets, for comparison (`key`) and messages (`text`). */
export interface CredentialIdentity {
  key: string;
  /** For messages, in full (`role \`arn:…\``). */
  text: string;
  /** For headlines and labels (a role ARN's name). */
  short: string;
}

/** A composite that assumes a second role while the first one's credentials were exported when it started. */
export interface RoleConflict {
  /** The configure call inside the composite that assumes the new role. */
  call: ConfigureCall;
  /** The outermost invocation on the call's chain that started while credentials were already exported. */
  started: InvocationSpan;
  /** Position of `started` on the call's chain: 0 when it is the job's own `uses: ./…` step. */
  depth: number;
  /** The call whose credentials were exported when `started` began: what the stale steps still see. */
  before: ConfigureCall;
  earlierIdentity: CredentialIdentity;
  newIdentity: CredentialIdentity;
  /**
   * Steps inside `started` after `call` and before the next configure call that still run as
   * `before` on runners older than v2.295.0: steps that can run, not composite call steps (which
   * only wrap their own steps). Never empty.
   */
  stale: TimelineStep[];
}

/** What credentials a configure call sets; undefined when unclear (an expression role, no role and no keys). */
export function identityOf(node: JobNode, call: ConfigureCall): CredentialIdentity | undefined {
  if (call.role) return { key: `role:${call.role}`, text: `role \`${call.role}\``, short: `role \`${shortRole(call.role)}\`` };
  const keyId = node.timeline[call.timelineIndex]?.with.get("aws-access-key-id")?.trim();
  if (keyId) return { key: `keys:${keyId}`, text: `static keys \`${keyId}\``, short: "static keys" };
  return undefined;
}

/** `arn:aws:iam::123456789012:role/path/deploy` → `deploy`; anything else as written. */
export function shortRole(role: string): string {
  const m = /^arn:aws[\w-]*:iam::[^:]*:role\/(?:.*\/)?([^/]+)$/.exec(role.trim());
  return m ? m[1]! : role.trim();
}

/** The role conflicts of a job whose timeline facts (`invocations`, `callSteps`, `configureCalls`, `activeCredentials`) are filled. */
export function findRoleConflicts(node: JobNode): RoleConflict[] {
  const out: RoleConflict[] = [];
  const tl = node.timeline;
  if (node.configureCalls.length < 2) return out;
  const configureAt = new Set(node.configureCalls.map((c) => c.timelineIndex));
  for (const call of node.configureCalls) {
    const ts = tl[call.timelineIndex]!;
    if (ts.chain.length === 0) continue; // a direct workflow step: the runner bug cannot apply
    // The outermost composite on the chain that started while credentials were already exported:
    // its start snapshot is what steps inside it keep seeing on old runners.
    const depth = ts.chain.findIndex((site) => {
      const span = node.invocations.get(site.invocation);
      return span !== undefined && span.callIndex >= 0 && node.activeCredentials[span.callIndex] !== undefined;
    });
    if (depth < 0) continue;
    const started = node.invocations.get(ts.chain[depth]!.invocation)!;
    const before = node.activeCredentials[started.callIndex]!;
    const earlierIdentity = identityOf(node, before);
    const newIdentity = identityOf(node, call);
    if (!earlierIdentity || !newIdentity || earlierIdentity.key === newIdentity.key) continue;

    // Steps inside that invocation that run after this call and before the next configure call;
    // composite call steps only wrap their own steps, which are counted themselves.
    const stale: TimelineStep[] = [];
    for (let j = call.timelineIndex + 1; j <= started.end; j++) {
      if (configureAt.has(j)) break;
      if (!node.callSteps.has(j) && !tl[j]!.skipped) stale.push(tl[j]!);
    }
    if (stale.length === 0) continue;
    out.push({ call, started, depth, before, earlierIdentity, newIdentity, stale });
  }
  return out;
}
