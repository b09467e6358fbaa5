/**
 * What code a step's remote action runs, as far as the tables tell: the runtime its `action.yml`
 * declares at the ref, the release whose code that is, and whether GitHub switched that version off.
 * And the one upgrade fix for such a `uses:`, shared by outdated-action-runtime (which offers it)
 * and unpinned-ref (which leaves a `uses:` alone when this fix owns it; see
 * docs/rules/outdated-action-runtime.md, "Which rule fixes a `uses:`").
 */
import { isConfigureRef } from "../../graph/configure.js";
import { resolveConfigureVersion } from "../../knowledge/configure-aws-credentials.js";
import { disabledVersion, type DisabledVersion } from "../../knowledge/disabled-versions.js";
import { isRetiredRuntime } from "../../knowledge/node-runtimes.js";
import { isFullSha, type PinResolver, type RefInfo } from "../../knowledge/pins.js";
import type { Fix } from "../types.js";
import { nameOf, repoOf, rewriteUsesRef, type RemoteRef, type UsesSite } from "./uses-sites.js";

export interface ActionCode {
  info: RefInfo;
  /** runs.using of the code the ref names, when known. */
  runtime?: string;
  /** The release whose code it is, when known. */
  release?: string;
  /** Set when github.com fails every run of this version. */
  disabled?: DisabledVersion;
}

/** The code a step's remote action ref names. Reusable workflows and docker images have none. */
export function actionCode(pins: PinResolver, ref: RemoteRef): ActionCode {
  // The subpath selects whose runs.using is read (github/codeql-action/init); the root's otherwise.
  let info = pins.resolve(nameOf(ref), ref.ref);
  if (!info.runtime && ref.subpath) info = pins.resolve(repoOf(ref), ref.ref);
  const out: ActionCode = { info };
  if (info.runtime) {
    out.runtime = info.runtime;
    if (info.tag) out.release = info.tag;
  } else if (isConfigureRef(ref) && info.kind === "sha") {
    // The pin table maps a SHA to a runtime only through a release on that commit; the frozen
    // `master` tag's commit is no release, but the per-tag configure table knows its action.yml.
    const v = resolveConfigureVersion(ref.ref);
    if (v.runtime) out.runtime = v.runtime;
    if (v.tag) out.release = v.tag;
  }
  const disabled = disabledVersion(nameOf(ref), ref.ref, pins);
  if (disabled) out.disabled = disabled;
  return out;
}

/** Whether outdated-action-runtime reports this code: switched off, or on node12/node16. */
export function isOutdated(code: ActionCode): boolean {
  return code.disabled !== undefined || isRetiredRuntime(code.runtime);
}

/**
 * Refs whose fix belongs to unpinned-ref, which reports them under every policy but `off` and pins
 * the commit they name (the same code, a safe fix): the frozen `master` tag of
 * configure-aws-credentials and names that are both a tag and a branch. outdated-action-runtime
 * offers no fix there; once pinned, the SHA gets its upgrade fix on the next pass.
 */
export function pinnedByUnpinnedRef(info: RefInfo): boolean {
  return info.kind === "frozen-tag" || info.kind === "tag-and-branch";
}

/**
 * The unsafe upgrade to the newest release, or undefined when there is none (the newest major is
 * outdated too, its commit is unknown, the value cannot be rewritten in place). A tag keeps its
 * precision (`v3` → `v7`, `v3.5.2` → the newest release); a full SHA becomes the newest release's
 * commit with `# vX.Y.Z`; a branch becomes the newest release's commit too — exactly the edit
 * unpinned-ref's branch fix makes, so the two never conflict; other names go to the floating major.
 */
export function upgradeFix(pins: PinResolver, site: UsesSite, ref: RemoteRef, code: ActionCode): Fix | undefined {
  const repo = repoOf(ref);
  const newest = pins.newestMajor(repo);
  if (!newest?.runtime || isRetiredRuntime(newest.runtime)) return undefined;
  const { info } = code;
  let target: string;
  let comment: string | undefined;
  if (isFullSha(ref.ref) || info.kind === "branch") {
    const commit = info.kind === "branch" && info.newestRelease ? info.newestRelease.commit : pins.resolve(repo, newest.tag).commit;
    const tag = info.kind === "branch" && info.newestRelease ? info.newestRelease.tag : newest.tag;
    if (!commit) return undefined;
    target = commit;
    comment = tag;
  } else if (/^v?\d+\.\d+/.test(ref.ref) && info.kind === "tag") {
    target = newest.tag;
  } else {
    target = newest.major;
  }
  // A comment naming a known ref of the action (`# master`) describes the old ref: replace it.
  const knownRef = (word: string): boolean => pins.resolve(repo, word).source !== "shape";
  const rewrite = rewriteUsesRef(site, ref, target, comment, knownRef);
  if (!rewrite) return undefined;
  const from = code.disabled ? `switched off, ${code.disabled.line}` : code.runtime;
  const flowNote = comment && rewrite.commentDropped ? " (no comment: the value is inside a flow mapping)" : "";
  return {
    description: `Upgrade ${nameOf(ref)}@${ref.ref} (${from}) to ${comment ? `${target.slice(0, 12)}… # ${comment}` : target} (${newest.runtime})${flowNote}; a new major may change inputs and behaviour`,
    safe: false,
    edits: [rewrite.edit],
  };
}

/**
 * Whether outdated-action-runtime fixes this step's `uses:` with an upgrade that differs from
 * unpinned-ref's pin (a tag or an unknown name, not a branch): unpinned-ref then leaves it alone.
 */
export function upgradeOwnsFix(pins: PinResolver, site: UsesSite, ref: RemoteRef): boolean {
  if (site.kind !== "step" || ref.isWorkflow) return false;
  const code = actionCode(pins, ref);
  if (!isOutdated(code) || pinnedByUnpinnedRef(code.info) || code.info.kind === "branch") return false;
  return upgradeFix(pins, site, ref, code) !== undefined;
}
