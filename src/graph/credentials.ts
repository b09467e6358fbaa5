/**
 * The credential timeline of a job: which configure-aws-credentials call is in effect at each step.
 * The action exports AWS_* to the job environment, so the last call before a step wins, and calls
 * inside a composite stay in effect after it returns.
 */
import type { UsesRef } from "../model/types.js";
import { isConfigureAction, resolveConfigureVersion } from "../knowledge/configure-aws-credentials.js";
import type { ConfigureCall, TimelineStep } from "./types.js";

export function isConfigureRef(ref: UsesRef | undefined): ref is Extract<UsesRef, { kind: "remote" }> {
  return ref?.kind === "remote" && isConfigureAction(ref.owner, ref.repo, ref.subpath);
}

/** Reads a configure call's inputs from a (substituted) `with:` map. */
export function configureCall(ts: TimelineStep): ConfigureCall | undefined {
  const ref = ts.step.uses?.ref;
  if (!isConfigureRef(ref)) return undefined;
  // The runner matches input names case-insensitively.
  const w = new Map<string, string>();
  for (const [k, v] of ts.with) w.set(k.toLowerCase(), v);
  const role = nonEmpty(w.get("role-to-assume"));
  const keyId = nonEmpty(w.get("aws-access-key-id"));
  const tokenFile = nonEmpty(w.get("web-identity-token-file"));
  const roleChaining = (w.get("role-chaining") ?? "").trim().toLowerCase() === "true";
  return {
    timelineIndex: ts.index,
    version: resolveConfigureVersion(ref.ref),
    role,
    region: nonEmpty(w.get("aws-region")),
    oidc: !!role && !keyId && !tokenFile && !roleChaining,
    staticKeys: !!keyId,
    roleChaining,
  };
}

export function credentialTimeline(timeline: TimelineStep[]): {
  calls: ConfigureCall[];
  active: Array<ConfigureCall | undefined>;
} {
  const calls: ConfigureCall[] = [];
  const active: Array<ConfigureCall | undefined> = [];
  let current: ConfigureCall | undefined;
  for (const ts of timeline) {
    active.push(current);
    const call = configureCall(ts);
    if (call) {
      calls.push(call);
      current = call;
    }
  }
  return { calls, active };
}

function nonEmpty(v: string | undefined): string | undefined {
  const t = v?.trim();
  return t ? t : undefined;
}
