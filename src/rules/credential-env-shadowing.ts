/**
 * credential-env-shadowing: an explicit step `env:` that sets AWS credential variables where a
 * configure call inside a local composite action exports new ones. The runner applies explicit step
 * env (of the step and of every enclosing call site) over the job environment on every runner
 * version, so the composite's later steps run with the explicit values, not the assumed role.
 */
import { allJobNodes } from "../graph/build-graph.js";
import type { ConfigureCall, TimelineStep } from "../graph/types.js";
import type { Entry } from "../model/types.js";
import type { Report, Rule } from "./types.js";
import { identityOf } from "./composite-role-conflict.js";
import { stepLabel, where } from "./support/labels.js";

/** Variables that decide which credentials AWS SDKs and the CLI use. */
export const SHADOWING_KEYS: ReadonlySet<string> = new Set([
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_PROFILE",
  "AWS_DEFAULT_PROFILE",
  "AWS_SHARED_CREDENTIALS_FILE",
  "AWS_CONFIG_FILE",
]);

const PROFILE_KEYS = new Set(["AWS_PROFILE", "AWS_DEFAULT_PROFILE"]);
const OUTPUT_REF = /steps\.([A-Za-z_][\w-]*)\.outputs\.aws-(?:access-key-id|secret-access-key|session-token)\b/g;

/**
 * True when the value hands on the active call's own credentials rather than other ones: it reads
 * that call's `output-credentials` outputs (same file, so `steps.<id>` names the call), or names the
 * profile the call itself wrote with `aws-profile`.
 */
function passesActiveCredentials(key: string, value: string, holder: TimelineStep, active: TimelineStep): boolean {
  const refs = [...value.matchAll(OUTPUT_REF)].map((m) => m[1]);
  const id = active.step.id?.value;
  if (refs.length > 0 && id && holder.file === active.file && refs.every((r) => r === id)) return true;
  const profile = active.with.get("aws-profile")?.trim();
  return PROFILE_KEYS.has(key) && !!profile && value.trim() === profile;
}

export const credentialEnvShadowing: Rule = {
  id: "credential-env-shadowing",
  title: "Step env overrides credentials assumed inside a composite action",
  description:
    "Reports explicit step-level env (AWS_ACCESS_KEY_ID, AWS_SESSION_TOKEN, AWS_PROFILE, ...) on a composite call or a composite's step that overrides credentials a configure-aws-credentials call inside the composite exports.",
  defaultLevel: "error",
  tags: ["correctness", "aws", "composite"],
  precision: "high",
  fixable: false,
  check(ctx) {
    for (const node of allJobNodes(ctx.graph)) {
      if (node.configureCalls.length === 0) continue;
      const tl = node.timeline;
      const configureAt = new Map<number, ConfigureCall>(node.configureCalls.map((c) => [c.timelineIndex, c]));

      for (const holder of tl) {
        const entries = holder.step.env.entries.filter((e) => SHADOWING_KEYS.has(e.key));
        if (entries.length === 0 || configureAt.has(holder.index) || holder.skipped) continue;
        // The steps this env reaches: the step itself, or every step inside the composite it calls.
        const own = node.callSteps.get(holder.index);
        const targets: TimelineStep[] = [];
        if (own) {
          for (let j = holder.index + 1; j <= own.end; j++) {
            if (!node.callSteps.has(j) && !configureAt.has(j) && !tl[j]!.skipped) targets.push(tl[j]!);
          }
        } else {
          targets.push(holder);
        }
        // Only credentials exported inside the same workflow-level composite invocation count: that is
        // the composite case. Top-level steps after a direct call are the ordinary job environment.
        const root = holder.chain.length > 0 ? node.invocations.get(holder.chain[0]!.invocation) : own;
        if (!root) continue;
        const masked = targets.filter((t) => {
          const active = node.activeCredentials[t.index];
          return active !== undefined && active.timelineIndex > root.callIndex && active.timelineIndex <= root.end;
        });
        if (masked.length === 0) continue;
        const call = node.activeCredentials[masked[0]!.index]!;
        const callTs = tl[call.timelineIndex]!;
        const id = identityOf(node, call);
        const identity = id?.text ?? "the credentials it assumes";
        const short = id?.short ?? "the credentials it assumes";

        for (const entry of entries) {
          const value = holder.env.get(entry.key) ?? entry.value?.value ?? "";
          if (passesActiveCredentials(entry.key, value, holder, callTs)) continue;
          // One finding per env key, however many jobs reach the composite.
          ctx.report({ ...finding(entry, holder, callTs, identity, short, masked, !!own), key: "shadowing", via: { node, step: holder } });
        }
      }
    }
  },
};

function finding(entry: Entry, holder: TimelineStep, callTs: TimelineStep, identity: string, short: string, masked: TimelineStep[], isCall: boolean): Report {
  const path = holder.file.path;
  const callAt = where(path, callTs.file.path, callTs.step.uses!.node.range.start.line);
  const n = masked.length;
  const subject = isCall
    ? `the ${n === 1 ? "step" : `${n} steps`} of \`${holder.step.uses!.node.value}\` after that call (${n === 1 ? "" : "first: "}${stepLabel(masked[0]!)}) run${n === 1 ? "s" : ""}`
    : "this step runs";
  const message =
    `\`${entry.key}\` in this step's \`env:\` overrides the credentials configure-aws-credentials exports at ${callAt} (${identity}): ` +
    `explicit step env wins over exported variables on every runner version (v2.295.0 fixed only the composite start snapshot), ` +
    `so ${subject} with this \`${entry.key}\` instead of ${identity}. Remove the key from this step.`;
  return {
    message,
    headline: `\`${entry.key}\` in step \`env:\` overrides ${short}, assumed inside the composite`,
    why: `explicit step env wins over exported variables on every runner version, so ${subject} with this \`${entry.key}\``,
    hint: `remove \`${entry.key}\` from this step's \`env:\``,
    label: `overrides ${short}`,
    location: { path, range: entry.keyRange },
    related: [
      { path: callTs.file.path, range: callTs.step.uses!.node.range, message: `exports ${short}, which the env overrides` },
      ...(isCall ? [{ path: masked[0]!.file.path, range: masked[0]!.step.range, message: `first step that runs with this \`${entry.key}\`` }] : []),
    ],
  };
}
