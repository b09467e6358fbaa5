/**
 * `uses:` of remote actions, reusable workflows and docker images that do not name immutable code:
 * branches (error), tags (warning), image tags (warning). Fix: pin the commit a tag names (safe)
 * or the newest release's commit instead of a branch (unsafe), with the ref in a `# comment`.
 */
import { looksLikeVersion, BRANCH_LIKE_NAMES, type RefInfo } from "../knowledge/pins.js";
import type { UsesRef } from "../model/types.js";
import type { Fix, Level, PinPolicy, Report, Rule, RuleContext } from "./types.js";
import { nameOf, repoOf, rewriteUsesRef, type RemoteRef, type UsesSite, usesSites } from "./support/uses-sites.js";
import { capitalize } from "./support/wording.js";

const RULE_ID = "unpinned-ref";
/** Owners whose version tags the default `sha` policy accepts: GitHub's own actions. */
const GITHUB_OWNERS: ReadonlySet<string> = new Set(["actions", "github"]);
const DIGEST = /^sha256:[0-9a-f]{64}$/i;

type DockerRef = Extract<UsesRef, { kind: "docker" }>;

/** Option `policy`: the engine fills in the default and has checked the value against its schema. */
function policyOf(ctx: RuleContext): PinPolicy {
  return ctx.options.policy as PinPolicy;
}

function short(sha: string): string {
  return sha.slice(0, 12);
}

const NO_PIN_NOTE = "no pin known offline; run with --online to resolve it, or pin a full commit SHA by hand";

export const unpinnedRef: Rule = {
  id: RULE_ID,
  title: "Action, reusable workflow or image not pinned to a commit SHA or digest",
  description:
    "Reports `uses:` of remote actions, reusable workflows and `docker://` images whose ref can change under the workflow: branches (error), tags and image tags (warning).",
  defaultLevel: "warning",
  tags: ["security", "supply-chain"],
  securitySeverity: "5.0",
  precision: "high",
  fixable: "both",
  options: {
    policy: {
      description: "Which references must be pinned to a commit SHA.",
      schema: {
        type: "string",
        enum: ["sha", "sha-all", "tag", "off"],
        enumDescriptions: [
          "Require commit SHAs, except version tags of GitHub's own actions (actions/*, github/*).",
          "Require commit SHAs for every action, including GitHub-owned ones.",
          "Accept version tags and image tags; report branches and other mutable refs only.",
          "Do not check references.",
        ],
      },
      default: "sha",
    },
  },
  check(ctx) {
    const policy = policyOf(ctx);
    if (policy === "off") return [];
    for (const site of usesSites(ctx.graph)) {
      const ref = site.uses.ref;
      const report =
        ref.kind === "remote" ? remoteFinding(ctx, site, ref, policy) : ref.kind === "docker" ? dockerFinding(site, ref, policy) : undefined;
      if (report) ctx.report(report);
    }
  },
};

/** Whether the policy accepts this ref as it is. */
function accepted(info: RefInfo, ref: RemoteRef, policy: PinPolicy): boolean {
  if (info.kind === "sha") return true;
  if (info.kind !== "tag") return false; // branches, frozen or ambiguous tags, abbreviated SHAs
  if (policy === "tag") return true;
  return policy === "sha" && GITHUB_OWNERS.has(ref.owner.toLowerCase()) && looksLikeVersion(ref.ref);
}

function remoteFinding(ctx: RuleContext, site: UsesSite, ref: RemoteRef, policy: PinPolicy): Report | undefined {
  const info = ctx.pins.resolve(repoOf(ref), ref.ref);
  if (accepted(info, ref, policy)) return undefined;
  const subject = site.kind === "job" || ref.isWorkflow ? "reusable workflow" : "action";
  const shown = `${subject} \`${nameOf(ref)}@${ref.ref}\``;
  const r = `\`${ref.ref}\``;
  const known = info.source !== "shape";

  let level: Level = "error";
  let what: string;
  let why: string | undefined;
  /** What to pin to; `advice` is the sentence for the message, `extra` follows the comment hint. */
  let pin: { commit: string; comment: string; safe: boolean; advice: string; extra?: string } | undefined;
  switch (info.kind) {
    case "tag":
      level = "warning";
      what = known
        ? `the tag ${r}${info.tag && info.tag !== ref.ref ? ` (${info.tag} today)` : ""}`
        : `${r}, a version tag by its name (${ctx.pins.knows(repoOf(ref)) ? "not in the offline table" : `the offline table does not list \`${repoOf(ref)}\``})`;
      why = "a tag can be moved to other code at any time, so what runs can change without any change to this file";
      if (info.commit) pin = { commit: info.commit, comment: ref.ref, safe: true, advice: `Pin the commit the tag names, ${info.commit}` };
      break;
    case "frozen-tag":
      what = `${r}, ${info.note ?? "a frozen tag named like a branch"}`;
      why = "readers take it for a branch that gets fixes, but it runs old code, and a tag can still be moved";
      if (info.commit) {
        const extra = info.newestRelease ? `; or upgrade to ${info.newestRelease.tag}` : undefined;
        pin = { commit: info.commit, comment: ref.ref, safe: true, advice: `Pin the commit it names, ${info.commit} (same code)`, extra };
      }
      break;
    case "tag-and-branch":
      what = `${r}, ${info.note ?? "both a tag and a branch"}`;
      why = "the branch moves, and a reader cannot tell which of the two a run used";
      if (info.commit) {
        const code = info.tag ? `, ${info.tag} code` : "";
        pin = { commit: info.commit, comment: ref.ref, safe: true, advice: `Pin the commit the tag names, ${info.commit}${code} (what runs today)` };
      }
      break;
    case "branch": {
      if (known) what = `the branch ${r}${info.note ? ` (${info.note})` : ""}`;
      else what = `${r}, ${BRANCH_LIKE_NAMES.has(ref.ref) ? "a branch name" : "not a version number, so taken for a branch"}`;
      why = "every push to it changes the code this workflow runs";
      const rel = info.newestRelease;
      if (rel) pin = { commit: rel.commit, comment: rel.tag, safe: false, advice: `Pin the commit of a release instead, e.g. ${rel.tag} (${rel.commit})` };
      break;
    }
    default:
      // "unknown": abbreviated SHAs and refs an online lookup could not find.
      what = info.note ? `${r}, which ${info.note}` : `${r}, a ref credflow cannot classify`;
      why = info.note ? undefined : "only a full 40-character commit SHA names fixed code";
      break;
  }

  // A comment naming a known ref of the action (`# master`) describes the old ref: replace it.
  const knownRef = (word: string): boolean => ctx.pins.resolve(repoOf(ref), word).source !== "shape";
  const rewrite = pin ? rewriteUsesRef(site, ref, pin.commit, pin.comment, knownRef) : undefined;
  let fix: Fix | undefined;
  let fixNote: string | undefined;
  let advice: string;
  if (pin && rewrite) {
    const flowNote = rewrite.commentDropped
      ? " (no comment: the value is inside a flow mapping)"
      : rewrite.directiveKept
        ? " (no ref comment: the line's comment is a tool directive, kept as it is)"
        : "";
    fix = {
      description: `Pin ${nameOf(ref)}@${ref.ref} to ${short(pin.commit)}… # ${pin.comment}${flowNote}${pin.safe ? "" : " (a release, not the branch's current code)"}`,
      safe: pin.safe,
      edits: [rewrite.edit],
    };
    advice = `${pin.advice}, with \`# ${pin.comment}\` as a comment${pin.extra ?? ""}.`;
  } else if (pin) {
    fixNote = "the `uses:` value is a block or multi-line scalar; not rewritten automatically";
    advice = `${pin.advice}${pin.extra ?? ""}.`;
  } else if (info.kind === "unknown") {
    fixNote = "credflow does not expand abbreviated or unknown refs; write the full 40-character commit SHA";
    advice = "Write the full commit SHA.";
  } else {
    fixNote = `${NO_PIN_NOTE} (\`${repoOf(ref)}@${ref.ref}\`)`;
    advice = `No autofix: ${NO_PIN_NOTE}.`;
  }

  const report: Report = {
    level,
    message: `${capitalize(shown)} is not pinned to a commit: it names ${what}${why ? `; ${why}` : ""}. ${advice}`,
    location: { path: site.file.path, range: site.uses.node.range },
  };
  if (fix) report.fix = fix;
  if (fixNote) report.fixNote = fixNote;
  return report;
}

function dockerFinding(site: UsesSite, ref: DockerRef, policy: PinPolicy): Report | undefined {
  if (ref.digest !== undefined && DIGEST.test(ref.digest)) return undefined;
  const latest = ref.tag === undefined || ref.tag === "latest";
  // Under `tag`, image tags are accepted like action tags; an implicit or explicit `latest` is not a version.
  if (policy === "tag" && !latest && ref.digest === undefined) return undefined;
  const shown = `\`${ref.raw.trim()}\``;
  let what: string;
  if (ref.digest !== undefined) what = `the digest \`${ref.digest}\`, which is not a sha256 image digest`;
  else if (ref.tag === undefined) what = "neither a tag nor a digest, so it runs whatever `latest` is when the job starts";
  else what = `the image tag \`${ref.tag}\`; a tag can be pushed again with a different image`;
  return {
    level: "warning",
    message: `Docker image ${shown} is not pinned to a digest: it names ${what}. Pin the digest: \`docker://${ref.image}${ref.tag ? `:${ref.tag}` : ""}@sha256:<digest>\`.`,
    location: { path: site.file.path, range: site.uses.node.range },
    fixNote: "credflow does not resolve image digests; pin `@sha256:` by hand",
  };
}

