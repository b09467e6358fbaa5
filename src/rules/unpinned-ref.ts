/**
 * `uses:` of remote actions, reusable workflows and docker images that do not name immutable code.
 * Whether a ref is a tag or a branch is a fact of the action's repository (credflow's ref table, or
 * the GitHub API with `--online`), never read from its name. Levels: an abbreviated SHA or a ref the
 * API says does not exist fails the run (error); a branch, a tag or a ref the table does not list is
 * a supply-chain risk that bites only if someone moves it (warning); the repository's own actions
 * by their remote name run that ref, not the commit being linted (note). Fix: pin the commit a tag
 * names (safe) or the newest release's commit instead of a branch (unsafe), with the ref in a
 * `# comment`; where outdated-action-runtime's upgrade owns the `uses:`, no fix here.
 */
import { looksLikeAbbreviatedSha, looksLikeVersion, SHORT_SHA_REMOVED, type RefInfo } from "../knowledge/pins.js";
import { selfReferencePath } from "../graph/self-reference.js";
import type { UsesRef } from "../model/types.js";
import type { Fix, Level, PinPolicy, Report, Rule, RuleContext } from "./types.js";
import { upgradeOwnsFix } from "./support/runtime-upgrade.js";
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
    "Reports `uses:` of remote actions, reusable workflows and `docker://` images whose ref can change under the workflow: branches, tags, refs not in credflow's table and image tags (warning), abbreviated SHAs (error), and the repository's own actions called by remote name (note).",
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
  if (info.kind !== "tag") return false; // branches, frozen or ambiguous tags, unknown refs
  if (policy === "tag") return true;
  return policy === "sha" && GITHUB_OWNERS.has(ref.owner.toLowerCase()) && looksLikeVersion(ref.ref);
}

/** Who can change what a mutable ref runs: the condition a warning names. */
function moverOf(ref: RemoteRef): string {
  return `whoever can push to \`${repoOf(ref)}\` (its maintainers, or anyone who takes over their accounts)`;
}

function remoteFinding(ctx: RuleContext, site: UsesSite, ref: RemoteRef, policy: PinPolicy): Report | undefined {
  const subject = site.kind === "job" || ref.isWorkflow ? "reusable workflow" : "action";
  const shown = `${subject} \`${nameOf(ref)}@${ref.ref}\``;
  const r = `\`${ref.ref}\``;
  const location = { path: site.file.path, range: site.uses.node.range };

  // An abbreviated SHA fails to resolve, whatever repository it names.
  if (looksLikeAbbreviatedSha(ref.ref)) {
    return {
      level: "error",
      headline: `${capitalize(shown)} names an abbreviated commit SHA, which GitHub does not resolve`,
      why: `GitHub resolves only full 40-character commit SHAs in \`uses:\` since ${SHORT_SHA_REMOVED.since}, so the job fails to start this step (unless a tag or branch is named exactly ${r}).`,
      hint: "Write the full 40-character commit SHA.",
      label: "abbreviated SHA",
      message: `${capitalize(shown)} is not pinned to a commit: ${r} looks like an abbreviated commit SHA, and GitHub resolves only full 40-character SHAs since ${SHORT_SHA_REMOVED.since} (${SHORT_SHA_REMOVED.source}); the run fails with "Unable to resolve action" unless a tag or branch is named exactly ${r}. Write the full commit SHA.`,
      location,
      fixNote: "credflow does not expand abbreviated SHAs; write the full 40-character commit SHA",
    };
  }

  const info = ctx.pins.resolve(repoOf(ref), ref.ref);
  const self = selfReferencePath(ref, ctx.settings.repository);
  if (self !== undefined) return info.kind === "sha" ? undefined : selfFinding(ctx, ref, shown, self, location);
  if (accepted(info, ref, policy)) return undefined;
  const known = info.source !== "shape";

  let level: Level = "warning";
  let what: string;
  let why: string;
  let headline: string;
  let label: string;
  /** What to pin to; `advice` is the sentence for the message, `extra` follows the comment hint. */
  let pin: { commit: string; comment: string; safe: boolean; advice: string; extra?: string } | undefined;
  switch (info.kind) {
    case "tag":
      what = `the tag ${r}${info.tag && info.tag !== ref.ref ? ` (${info.tag} today)` : ""}${info.note ? ` — ${info.note}` : ""}`;
      why = `a tag can be moved to other code by ${moverOf(ref)}, and the next run executes it without any change to this file`;
      headline = `${capitalize(shown)} names the tag ${r}, not a commit`;
      label = `tag ${r}`;
      if (info.commit) pin = { commit: info.commit, comment: ref.ref, safe: true, advice: `Pin the commit the tag names, ${info.commit}` };
      break;
    case "frozen-tag":
      what = `${r}, ${info.note ?? "a frozen tag named like a branch"}`;
      why = `readers take it for a branch that gets fixes, but it runs old code, and ${moverOf(ref)} can still move it`;
      headline = `${capitalize(shown)} names a frozen tag that looks like a branch`;
      label = `frozen tag ${r}`;
      if (info.commit) {
        const extra = info.newestRelease ? `; or upgrade to ${info.newestRelease.tag}` : undefined;
        pin = { commit: info.commit, comment: ref.ref, safe: true, advice: `Pin the commit it names, ${info.commit} (same code)`, extra };
      }
      break;
    case "tag-and-branch":
      what = `${r}, ${info.note ?? "both a tag and a branch"}`;
      why = `the branch moves with every push by ${moverOf(ref)}, and a reader cannot tell which of the two a run used`;
      headline = `${capitalize(shown)} names both a tag and a branch`;
      label = `tag and branch ${r}`;
      if (info.commit) {
        const code = info.tag ? `, ${info.tag} code` : "";
        pin = { commit: info.commit, comment: ref.ref, safe: true, advice: `Pin the commit the tag names, ${info.commit}${code} (what runs today)` };
      }
      break;
    case "branch": {
      what = known
        ? `the branch ${r}${info.note ? ` (${info.note})` : ""}`
        : `${r}, a branch by its conventional name (${ctx.pins.knows(repoOf(ref)) ? "not in credflow's table" : `credflow's table does not list \`${repoOf(ref)}\``})`;
      why = `every push to it by ${moverOf(ref)} changes the code this workflow runs, with its token and secrets`;
      headline = `${capitalize(shown)} names the branch ${r}, not a commit`;
      label = `branch ${r}`;
      const rel = info.newestRelease;
      if (rel) pin = { commit: rel.commit, comment: rel.tag, safe: false, advice: `Pin the commit of a release instead, e.g. ${rel.tag} (${rel.commit})` };
      break;
    }
    default:
      if (info.source === "online" && info.note) {
        // The API found the repository but no tag or branch of that name: the run cannot resolve it.
        level = "error";
        what = `${r}, but ${info.note}`;
        why = "the runner cannot resolve the action, so the job fails at this step";
        headline = `${capitalize(shown)} names a ref that does not exist`;
        label = "no such tag or branch";
      } else {
        const note = info.note ?? "tag or branch — not in credflow's table; `--online` decides";
        what = `${r} (${note})`;
        why = `if it is a branch, every push by ${moverOf(ref)} changes what runs; if it is a tag, it can be moved`;
        headline = `${capitalize(shown)}: ${note}`;
        label = "tag or branch? not in the table";
      }
      break;
  }

  // A comment naming a known ref of the action (`# master`) describes the old ref: replace it.
  const knownRef = (word: string): boolean => ctx.pins.resolve(repoOf(ref), word).source !== "shape";
  // A tag whose code outdated-action-runtime upgrades: that rule's fix owns this `uses:` (upgrade
  // first, then pin); a second, different edit of the same text would conflict with it.
  const yieldToUpgrade = pin !== undefined && info.kind === "tag" && upgradeOwnsFix(ctx.pins, site, ref);
  const rewrite = pin && !yieldToUpgrade ? rewriteUsesRef(site, ref, pin.commit, pin.comment, knownRef) : undefined;
  let fix: Fix | undefined;
  let fixNote: string | undefined;
  let advice: string;
  if (pin && yieldToUpgrade) {
    fixNote = "outdated-action-runtime's upgrade fix owns this `uses:` (the tag runs code GitHub no longer runs as written); upgrade first, then pin the new release";
    advice = `${pin.advice}, or better the commit of the release outdated-action-runtime suggests.`;
  } else if (pin && rewrite) {
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
  } else if (level === "error") {
    fixNote = "the ref does not exist upstream; name an existing tag's full commit SHA";
    advice = "Use an existing release, pinned by its full commit SHA.";
  } else if (info.kind === "unknown") {
    fixNote = `${NO_PIN_NOTE} (\`${repoOf(ref)}@${ref.ref}\`)`;
    advice = "No pin known offline: run with `--online` to learn whether it is a tag or a branch, or pin the full commit SHA by hand.";
  } else {
    fixNote = `${NO_PIN_NOTE} (\`${repoOf(ref)}@${ref.ref}\`)`;
    advice = `No autofix: ${NO_PIN_NOTE}.`;
  }

  const report: Report = {
    level,
    headline,
    why: `${capitalize(why)}.`,
    hint: level === "error" ? advice : pin ? `${pin.advice}.` : "Pin a full commit SHA (with the tag in a `# comment`).",
    label,
    message: `${capitalize(shown)} is not pinned to a commit: it names ${what}; ${why}. ${advice}`,
    location,
  };
  if (fix) report.fix = fix;
  if (fixNote) report.fixNote = fixNote;
  return report;
}

const SOURCE_WORDS: Record<NonNullable<RuleContext["settings"]["repository"]>["source"], string> = {
  config: "`repository:` in .credflow.yml",
  flag: "`--repository`",
  GITHUB_REPOSITORY: "GITHUB_REPOSITORY",
  "origin remote": "the origin remote",
};

/** `owner/this-repo/path@ref`: runs the code at `ref`, not the commit being linted (a note). */
function selfFinding(ctx: RuleContext, ref: RemoteRef, shown: string, self: string, location: Report["location"]): Report {
  const repo = ctx.settings.repository!;
  const local = self === "./" ? "`./`" : `\`${self}\``;
  const how = ref.isWorkflow ? local : `${local} (after a checkout)`;
  return {
    level: "note",
    headline: `${capitalize(shown)} calls this repository at \`${ref.ref}\`, not the commit being linted`,
    why: `GitHub fetches \`${repoOf(ref)}\` at \`${ref.ref}\`, so a run uses that ref's copy of \`${ref.subpath ?? "the root action"}\`, which can differ from the one in this commit (credflow follows the local copy).`,
    hint: `Use ${how} to run the copy of the same commit, or pin a full commit SHA if a fixed version is meant.`,
    label: `this repository at \`${ref.ref}\``,
    message:
      `${capitalize(shown)} names this repository (${repo.owner}/${repo.name}, from ${SOURCE_WORDS[repo.source]}) at \`${ref.ref}\`: ` +
      `a run uses that ref's copy, not the one in the commit being linted (credflow follows the local copy). Whoever can push \`${ref.ref}\` can already change these workflows, so this is no third-party risk; ` +
      `use ${how} to run the same commit's copy, or pin a full commit SHA if a fixed version is meant.`,
    location,
    fixNote: "credflow does not rewrite a repository's references to itself: `./path` and a pinned SHA mean different things",
  };
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

