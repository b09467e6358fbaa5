/**
 * Actions whose resolved code declares `runs.using: node12` or `node16`. Runners no longer ship
 * those Node.js versions and run such actions on a newer one they were never tested with.
 */
import { isConfigureRef } from "../graph/configure.js";
import { resolveConfigureVersion } from "../knowledge/configure-aws-credentials.js";
import type { RefInfo } from "../knowledge/pins.js";
import { isFullSha } from "../knowledge/version.js";
import type { Fix, Report, Rule, RuleContext } from "./types.js";
import { nameOf, repoOf, rewriteUsesRef, type RemoteRef, type UsesSite, usesSites } from "./support/uses-sites.js";

const RULE_ID = "outdated-action-runtime";
const OUTDATED: ReadonlySet<string> = new Set(["node12", "node16"]);

export const outdatedActionRuntime: Rule = {
  id: RULE_ID,
  title: "Action runs on a Node.js version runners no longer ship",
  description: "Reports actions whose pinned ref resolves to code declaring `runs.using: node12` or `node16`, and names the newest major and its runtime.",
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

/** The runtime of the code a ref runs and the release whose code that is, when the tables tell. */
function runtimeOf(ref: RemoteRef, info: RefInfo): { runtime?: string; code?: string } {
  if (info.runtime) return { runtime: info.runtime, code: info.tag };
  // The pin table maps a SHA to a runtime only through a release on that commit; the frozen
  // `master` tag's commit is no release, but the per-tag configure table knows its action.yml.
  if (isConfigureRef(ref) && info.kind === "sha") {
    const v = resolveConfigureVersion(ref.ref);
    return { runtime: v.runtime, code: v.tag };
  }
  return {};
}

function check(ctx: RuleContext, site: UsesSite, ref: RemoteRef): Report | undefined {
  const repo = repoOf(ref);
  const info = ctx.pins.resolve(repo, ref.ref);
  const { runtime, code: release } = runtimeOf(ref, info);
  if (!runtime || !OUTDATED.has(runtime)) return undefined;

  const shown = `\`${nameOf(ref)}@${ref.ref}\``;
  const sha = info.kind === "sha";
  const code = !release
    ? ""
    : sha
      ? info.tag
        ? ` (the commit of ${info.tag})`
        : ` (${release} code)`
      : release !== ref.ref
        ? ` (${release} code)`
        : "";
  const note = info.note && info.kind !== "sha" ? `; \`${ref.ref}\` is ${info.note}` : "";
  const newest = ctx.pins.newestMajor(repo);
  let upgrade: string;
  if (!newest) upgrade = "Move to a release of the action that runs on node20 or later.";
  else if (newest.runtime && OUTDATED.has(newest.runtime)) upgrade = `Its newest major, ${newest.major} (${newest.tag}), still runs on ${newest.runtime}; consider another action.`;
  else upgrade = `The newest major is ${newest.major} (${newest.tag})${newest.runtime ? ` on ${newest.runtime}` : ""}; a major upgrade may change inputs and behaviour, so read its release notes.`;

  return {
    message:
      `${shown} runs on ${runtime}${code}${note}. Runners no longer ship ${runtime}: they run the action on a newer Node.js ` +
      `it was never tested with (the run shows a deprecation warning). ${upgrade}`,
    location: { path: site.file.path, range: site.uses.node.range },
    fix: () => upgradeFix(ctx, site, ref, info, runtime),
  };
}

/**
 * Unsafe: moves to the newest major. A tag ref keeps its precision (`v3` → `v7`, `v3.5.2` → the
 * newest release); a SHA becomes the newest release's commit with `# vX.Y.Z`, so the pin stays a pin.
 */
function upgradeFix(ctx: RuleContext, site: UsesSite, ref: RemoteRef, info: RefInfo, runtime: string): Fix | undefined {
  const repo = repoOf(ref);
  const newest = ctx.pins.newestMajor(repo);
  if (!newest?.runtime || OUTDATED.has(newest.runtime)) return undefined;
  let target: string;
  let comment: string | undefined;
  if (isFullSha(ref.ref)) {
    const commit = ctx.pins.resolve(repo, newest.tag).commit;
    if (!commit) return undefined;
    target = commit;
    comment = newest.tag;
  } else if (/^v?\d+\.\d+/.test(ref.ref) && info.kind === "tag") {
    target = newest.tag;
  } else {
    target = newest.major;
  }
  // A comment naming a known ref of the action (`# master`) describes the old ref: replace it.
  const knownRef = (word: string): boolean => ctx.pins.resolve(repo, word).source !== "shape";
  const rewrite = rewriteUsesRef(site, ref, target, comment, knownRef);
  if (!rewrite) return undefined;
  return {
    description: `Upgrade ${nameOf(ref)}@${ref.ref} (${runtime}) to ${comment ? `${target.slice(0, 12)}… # ${comment}` : target} (${newest.runtime}); a new major may change inputs and behaviour`,
    safe: false,
    edits: [rewrite.edit],
  };
}
