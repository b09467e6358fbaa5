/**
 * Actions whose resolved code GitHub no longer runs as written: versions github.com switched off
 * (every run fails: error) and code declaring `runs.using: node12` or `node16` (runners run it on a
 * newer Node.js it was never tested with: warning). One finding per `uses:`; a switched-off version
 * is that error only.
 */
import { isRetiredRuntime, RETIRED_RUNTIMES } from "../knowledge/node-runtimes.js";
import type { Report, Rule, RuleContext } from "./types.js";
import { actionCode, isOutdated, pinnedByUnpinnedRef, upgradeFix, type ActionCode } from "./support/runtime-upgrade.js";
import { nameOf, repoOf, type RemoteRef, type UsesSite, usesSites } from "./support/uses-sites.js";
import { capitalize } from "./support/wording.js";

const RULE_ID = "outdated-action-runtime";

export const outdatedActionRuntime: Rule = {
  id: RULE_ID,
  title: "Action version GitHub switched off, or on a Node.js version runners no longer ship",
  description:
    "Reports actions whose pinned ref resolves to a version github.com switched off (artifact actions v1–v3, actions/cache before v3.4.0/v4.2.0: error) or to code declaring `runs.using: node12` or `node16` (warning), and names the newest major and its runtime.",
  defaultLevel: "warning",
  tags: ["maintenance", "compatibility"],
  precision: "high",
  fixable: "unsafe",
  check(ctx) {
    for (const site of usesSites(ctx.graph)) {
      const ref = site.uses.ref;
      // Reusable workflows and docker images have no Node.js runtime of their own.
      if (ref.kind !== "remote" || ref.isWorkflow || site.kind !== "step") continue;
      const report = check(ctx, site, ref);
      if (report) ctx.report(report);
    }
  },
};

/** " (v3.7.0 code)", " (the commit of v3.7.0)", or "" when the ref is the release itself or unknown. */
function codeOf(ref: RemoteRef, code: ActionCode): string {
  const { info, release } = code;
  if (!release) return "";
  if (info.kind === "sha") return info.tag ? ` (the commit of ${info.tag})` : ` (${release} code)`;
  return release !== ref.ref ? ` (${release} code)` : "";
}

function check(ctx: RuleContext, site: UsesSite, ref: RemoteRef): Report | undefined {
  const code = actionCode(ctx.pins, ref);
  if (!isOutdated(code)) return undefined;
  const { info, runtime, disabled } = code;
  const shown = `\`${nameOf(ref)}@${ref.ref}\``;
  const note = info.note && info.kind !== "sha" ? `; \`${ref.ref}\` is ${info.note}` : "";
  const newest = ctx.pins.newestMajor(repoOf(ref));
  let upgrade: string;
  if (!newest) upgrade = disabled ? `Move to ${disabled.fixedIn} or later.` : "Move to a release of the action that runs on node20 or later.";
  else if (newest.runtime && isRetiredRuntime(newest.runtime)) upgrade = `Its newest major, ${newest.major} (${newest.tag}), still runs on ${newest.runtime}; consider another action.`;
  else upgrade = `The newest major is ${newest.major} (${newest.tag})${newest.runtime ? ` on ${newest.runtime}` : ""}; a major upgrade may change inputs and behaviour, so read its release notes.`;

  const location = { path: site.file.path, range: site.uses.node.range };
  const fix = pinnedByUnpinnedRef(info)
    ? {
        note: `unpinned-ref's safe fix pins the commit \`${ref.ref}\` names first (the same code); the upgrade is offered for that SHA on the next pass`,
      }
    : () => upgradeFix(ctx.pins, site, ref, code);

  if (disabled) {
    const when = disabled.failingSince ? `announced for ${disabled.since}; runs fail since at least ${disabled.failingSince}` : `since ${disabled.since}`;
    return {
      level: "error",
      headline: `${shown} is a version GitHub switched off: every run of this step fails`,
      why: `${capitalize(disabled.reason)}.`,
      hint: newest && newest.runtime && !isRetiredRuntime(newest.runtime) ? `Upgrade to ${newest.major} (${newest.tag}), or at least ${disabled.fixedIn}.` : `Upgrade to ${disabled.fixedIn} or later.`,
      label: `switched off (${when})`,
      message: `${shown} is a version GitHub switched off (${when}): ${disabled.reason}. Every run that reaches this step fails. ${upgrade}`,
      location,
      fix,
    };
  }

  const retired = RETIRED_RUNTIMES.get(runtime!)!;
  return {
    level: "warning",
    headline: `${shown} runs on ${runtime}, which runners no longer ship`,
    why: `Runners run it on a newer Node.js it was never tested with (${runtime} deprecated ${retired.announced}); whether its code still works there is not something the workflow shows.`,
    hint: newest && newest.runtime && !isRetiredRuntime(newest.runtime) ? `Upgrade to ${newest.major} (${newest.tag}, ${newest.runtime}) after reading its release notes.` : upgrade,
    label: `${runtime} code${code.release ? ` (${code.release})` : ""}`,
    message:
      `${shown} runs on ${runtime}${codeOf(ref, code)}${note}. Runners no longer ship ${runtime}: they run the action on a newer Node.js ` +
      `it was never tested with, so it works only as far as its code and dependencies do on that version (the run shows a deprecation warning). ${upgrade}`,
    location,
    fix,
  };
}

