/**
 * composite-role-conflict: a local composite action that starts while one role's credentials are
 * exported, then assumes a different role and runs more steps. Runners older than v2.295.0 reset
 * every variable that existed when the composite started for all steps inside it, so those steps
 * still run as the earlier role (aws-actions/configure-aws-credentials#307, actions/runner#1794).
 */
import { allJobNodes } from "../graph/build-graph.js";
import type { ConfigureCall, JobNode, TimelineStep } from "../graph/types.js";
import { runnerKind } from "../graph/runner.js";
import { stepLabel, where } from "./support/labels.js";
import { atLeast, parseVersion } from "../knowledge/version.js";
import type { Level, RelatedLocation, RuleContext, Rule } from "./types.js";

/** The runner release that stopped laying the composite's start snapshot over later exports. */
export const RUNNER_FIX_VERSION = "2.295.0";

/**
 * What credentials a configure call sets, for comparison and messages (`text` in full, `short` for
 * headlines: a role ARN's name); undefined when unclear.
 */
export function identityOf(node: JobNode, call: ConfigureCall): { key: string; text: string; short: string } | undefined {
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

/** Where a configure call is, seen from `from`: its line, or the workflow call site that led to it. */
function describeCall(from: string, ts: TimelineStep): string {
  const at = where(from, ts.file.path, ts.step.uses!.node.range.start.line);
  const top = ts.chain[0];
  if (!top) return at;
  return `by \`${top.step.uses!.node.value}\` at ${where(from, top.file.path, top.step.uses!.node.range.start.line)}, configure call at ${at}`;
}

/** The level for a job, and the sentence that explains it. */
function levelFor(node: JobNode, ctx: RuleContext): { level: Level; why: string; hint: string; short: string } {
  const configured = ctx.options["min-runner-version"];
  const min = parseVersion(configured);
  const fix = parseVersion(RUNNER_FIX_VERSION)!;
  const fixed = "steps inside the composite see the new role, and it stays active for the caller's later steps after the composite returns.";
  if (min) {
    return !atLeast(min, fix)
      ? { level: "error", why: `The configured minimum runner version ${String(configured)} is older than v${RUNNER_FIX_VERSION}, so this job is affected.`, hint: UPGRADE, short: `, and the configured minimum runner version ${String(configured)} is older` }
      : { level: "note", why: `The configured minimum runner version ${String(configured)} has the runner fix: ${fixed}`, hint: NOTHING, short: `; the configured minimum runner version ${String(configured)} has the fix` };
  }
  const runner = runnerKind(node);
  if (runner.kind === "self-hosted") {
    return { level: "error", why: `The job runs on self-hosted runners (${runner.text}): unless all of them are v${RUNNER_FIX_VERSION} or newer, it is affected.`, hint: UPGRADE, short: `, and this job runs on self-hosted runners (${runner.text})` };
  }
  if (runner.kind === "codebuild") {
    return {
      level: "warning",
      why: `The job runs on AWS CodeBuild-hosted runners (${runner.text}), whose runner version CodeBuild chooses: those older than v${RUNNER_FIX_VERSION} are affected.`,
      hint: MOVE,
      short: ", and CodeBuild chooses the runner version of this job",
    };
  }
  if (runner.kind === "github-hosted") {
    return { level: "note", why: `The job runs on GitHub-hosted runners (${runner.text}), which have the fix: ${fixed}`, hint: NOTHING, short: `; GitHub-hosted runners (${runner.text}) have the fix` };
  }
  return {
    level: "warning",
    why: `The runner is decided at run time (${runner.text}): self-hosted or GHES runners older than v${RUNNER_FIX_VERSION} are affected, GitHub-hosted ones are not.`,
    hint: UPGRADE,
    short: `, and the runner is decided at run time (${runner.text})`,
  };
}

const UPGRADE = `upgrade self-hosted runners to v${RUNNER_FIX_VERSION} or later (then set \`min-runner-version\`), or assume the second role in the caller, after the composite returns`;
const MOVE = `assume the second role in the caller, after the composite returns, or pin runners to v${RUNNER_FIX_VERSION} or later`;
const NOTHING = "nothing to change on these runners; move the second role to the caller if the workflow also runs on older self-hosted runners";

export const compositeRoleConflict: Rule = {
  id: "composite-role-conflict",
  title: "Composite action assumes a second role while the first one's credentials are exported",
  description:
    "Reports a local composite action that starts after one role was exported, assumes a different role inside, and runs further steps: on runners older than v2.295.0 those steps still run as the first role.",
  defaultLevel: "error",
  tags: ["correctness", "aws", "composite"],
  precision: "high",
  fixable: false,
  options: {
    "min-runner-version": {
      description:
        "Lowest GitHub Actions runner version your jobs run on (self-hosted or GitHub Enterprise Server runners); when unset, each job's `runs-on` decides.",
      schema: {
        type: "string",
        pattern: "^[0-9]+\\.[0-9]+\\.[0-9]+$",
        patternErrorMessage: 'expected a runner version such as "2.295.0"',
        examples: ["2.295.0"],
      },
    },
  },
  check(ctx) {
    for (const node of allJobNodes(ctx.graph)) {
      const tl = node.timeline;
      if (node.configureCalls.length < 2) continue;
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
        const oldId = identityOf(node, before);
        const newId = identityOf(node, call);
        if (!oldId || !newId || oldId.key === newId.key) continue;

        // Steps inside that invocation that run after this call and before the next configure call;
        // composite call steps only wrap their own steps, which are counted themselves.
        const stale: TimelineStep[] = [];
        for (let j = call.timelineIndex + 1; j <= started.end; j++) {
          if (configureAt.has(j)) break;
          if (!node.callSteps.has(j) && !tl[j]!.skipped) stale.push(tl[j]!);
        }
        if (stale.length === 0) continue;

        const top = ts.chain[0]!;
        const topUses = top.step.uses!;
        const path = top.file.path;
        const earlierTs = tl[before.timelineIndex]!;
        const { level, why } = levelFor(node, ctx);
        const startedText =
          depth === 0
            ? `\`${topUses.node.value}\` (this call) starts`
            : `\`${topUses.node.value}\` calls \`${started.site.step.uses!.node.value}\` (${where(path, started.site.file.path, started.site.step.uses!.node.range.start.line)}), which starts`;
        const firstStale = stale[0]!;
        const n = stale.length;
        const message =
          `In job \`${node.job.id}\`, ${startedText} while ${oldId.text} is exported (${describeCall(path, earlierTs)}), ` +
          `then assumes ${newId.text} inside (${where(path, ts.file.path, ts.step.uses!.node.range.start.line)}). ` +
          `On runners older than v${RUNNER_FIX_VERSION} the ${n === 1 ? "step" : `${n} steps`} after that configure call inside the composite ` +
          `(${n === 1 ? "" : "first: "}${stepLabel(firstStale)}) still run${n === 1 ? "s" : ""} as ${oldId.text}; the new role takes effect only when the composite returns. ${why}`;

        const related: RelatedLocation[] = [
          { path: ts.file.path, range: ts.step.uses!.node.range, message: `assumes ${newId.short} inside the composite` },
          { path: earlierTs.file.path, range: earlierTs.step.uses!.node.range, message: `exports ${oldId.short} before the composite starts` },
        ];
        if (depth > 0) {
          related.push({
            path: started.site.file.path,
            range: started.site.step.uses!.node.range,
            message: `nested composite call that starts while ${oldId.short} is exported`,
          });
        }
        related.push({
          path: firstStale.file.path,
          range: firstStale.step.range,
          message: `still runs as ${oldId.short} on runners older than v${RUNNER_FIX_VERSION}`,
        });
        const { hint, short } = levelFor(node, ctx);
        ctx.report({
          level,
          message,
          headline: `composite \`${topUses.node.value}\` assumes ${newId.short} while ${oldId.short} is exported`,
          why: `on runners older than v${RUNNER_FIX_VERSION} the ${n === 1 ? "step" : `${n} steps`} after it inside the composite still run${n === 1 ? "s" : ""} as ${oldId.short}${short}`,
          hint,
          label: `starts while ${oldId.short} is exported`,
          location: { path, range: topUses.node.range },
          related,
          via: { node, step: ts },
        });
      }
    }
  },
};
