/**
 * composite-role-conflict: a local composite action that starts while one role's credentials are
 * exported, then assumes a different role and runs more steps. Runners older than v2.295.0 reset
 * every variable that existed when the composite started for all steps inside it, so those steps
 * still run as the earlier role (aws-actions/configure-aws-credentials#307, actions/runner#1794).
 */
import { allJobNodes } from "../graph/build-graph.js";
import type { JobNode, TimelineStep } from "../graph/types.js";
import { RUNNER_FIX_VERSION } from "../graph/role-conflicts.js";
import { runnerKind } from "../graph/runner.js";
import { stepLabel, where } from "./support/labels.js";
import { atLeast, parseVersion } from "../knowledge/version.js";
import type { Level, RelatedLocation, RuleContext, Rule } from "./types.js";

// Which steps see the earlier role is a graph fact (`JobNode.roleConflicts`), shared with `credflow graph`.
export { RUNNER_FIX_VERSION, identityOf, shortRole } from "../graph/role-conflicts.js";

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
    // Self-hosted runners update themselves unless told not to: their version is a fact the files
    // cannot show, so the finding names it (min-runner-version settles it either way).
    return {
      level: "warning",
      why: `The job runs on self-hosted runners (${runner.text}): those older than v${RUNNER_FIX_VERSION} are affected; set \`min-runner-version\` to the oldest version you run to settle it.`,
      hint: UPGRADE,
      short: `, if this job's self-hosted runners (${runner.text}) are older`,
    };
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
      for (const { call, started, depth, before, earlierIdentity: oldId, newIdentity: newId, stale } of node.roleConflicts) {
        const ts = tl[call.timelineIndex]!;
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
