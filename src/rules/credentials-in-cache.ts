/**
 * credentials-in-cache: actions/cache, actions/cache/save and actions/upload-artifact steps whose
 * `path:` takes a file that holds credentials. Caches can be restored by pull requests (from forks
 * too) and artifacts downloaded by anyone who can read the repository.
 *
 * Levels (docs/rules/credentials-in-cache.md, "Levels"):
 * - a credential that outlives the job, written by a step of the job (or a checkout's `token:`
 *   secret): error when the repository is public, warning otherwise (private/internal: only people
 *   with access can take it; unknown: the message says credflow does not know the visibility);
 * - a home-directory credential file no step writes, on a runner that may keep files between jobs
 *   (self-hosted, or chosen at run time): warning naming the runner;
 * - a token that dies with the job (the GITHUB_TOKEN, a revoked app token): a note in an
 *   actions/cache (saved in its post step, when the token is about to die), a warning in an
 *   actions/cache/save cache or an upload-artifact v4+ artifact (usable until the job ends), nothing
 *   in an artifact before v4 (available only after the run);
 * - a token whose kind the files do not show: warning;
 * - a file with no secret in it (a kubeconfig from `aws eks update-kubeconfig`), or a `$HOME` line
 *   the action does not expand: note.
 */
import { allJobNodes } from "../graph/build-graph.js";
import type { JobNode, TimelineStep } from "../graph/types.js";
import type { Range } from "../model/types.js";
import { locateInValue } from "../graph/values.js";
import { LEVEL_RANK, type Level, type RelatedLocation, type Report, type Rule, type RuleContext, type Visibility } from "./types.js";
import {
  HOME,
  coverage,
  displayPath,
  intendedCoverage,
  matchInOrder,
  parsePathInput,
  splitPath,
  type CoverMode,
  type Coverage,
  type PathPattern,
} from "./support/cred-paths.js";
import { CredentialFiles, releaseOf, type Place } from "./support/credential-files.js";
import { stepLabel } from "./support/labels.js";
import { joinList, plural } from "./support/wording.js";

const RULE_ID = "credentials-in-cache";

type SaveKind = "cache" | "cache-save" | "artifact";

function saveKind(ts: TimelineStep): SaveKind | undefined {
  const ref = ts.step.uses?.ref;
  if (ref?.kind !== "remote" || ref.owner.toLowerCase() !== "actions") return undefined;
  const repo = ref.repo.toLowerCase();
  const sub = (ref.subpath ?? "").toLowerCase().replace(/\/+$/, "");
  if (repo === "cache" && sub === "") return "cache";
  if (repo === "cache" && sub === "save") return "cache-save";
  if (repo === "upload-artifact" && sub === "") return "artifact";
  return undefined;
}

export const credentialsInCache: Rule = {
  id: RULE_ID,
  title: "Credentials saved into a cache or an artifact",
  description:
    "Reports actions/cache, actions/cache/save and actions/upload-artifact steps whose `path:` takes a file that holds credentials a step of the job wrote (AWS keys, registry logins, secrets written to files, a checkout's persisted token) or that a self-hosted runner may keep from earlier jobs (~/.aws, ~/.docker/config.json, ~/.m2/settings.xml, …).",
  defaultLevel: "error",
  tags: ["security"],
  securitySeverity: "8.0",
  precision: "high",
  fixable: false,
  check(ctx) {
    for (const node of allJobNodes(ctx.graph)) {
      if (!node.timeline.some((ts) => saveKind(ts))) continue;
      const job = new JobScan(ctx, node);
      for (const ts of node.timeline) {
        const kind = saveKind(ts);
        if (!kind || ts.skipped) continue;
        // One finding per `path:` line, the worst of the jobs that reach it.
        for (const r of job.check(ts, kind)) ctx.report({ ...r, key: "cache-path" });
      }
    }
  },
};

/** Why a location counts, which decides the level. */
type HitKind = "lasting" | "leftover" | "job" | "unknown" | "none";

interface Hit {
  place: Place;
  cov: Coverage;
  kind: HitKind;
  level: Level;
}

/** What the save step is and when what it saves can be read. */
interface SaveInfo {
  kind: SaveKind;
  action: string;
  /** upload-artifact's major version, when known. */
  major?: number;
  /** Steps that still run after this one (not statically skipped). */
  after: number;
}

/** The save steps of one job, checked against where credentials are on the runner. */
class JobScan {
  private readonly files: CredentialFiles;

  constructor(
    private readonly ctx: RuleContext,
    private readonly node: JobNode,
  ) {
    this.files = new CredentialFiles(node, ctx.pins);
  }

  // ---------- checking one save step ----------

  check(ts: TimelineStep, kind: SaveKind): Report[] {
    const value = ts.with.get("path");
    if (!value?.trim()) return [];
    const { patterns } = parsePathInput(value, this.files.resolver(ts));
    if (!patterns.length) return [];
    const ref = ts.step.uses!.ref;
    const refName = ref.kind === "remote" ? ref.ref : "";
    const release = kind === "artifact" && ref.kind === "remote" ? releaseOf(this.ctx.pins, "actions/upload-artifact", refName) : undefined;
    const save: SaveInfo = {
      kind,
      action: kind === "artifact" ? "actions/upload-artifact" : kind === "cache-save" ? "actions/cache/save" : "actions/cache",
      major: release?.[0],
      after: this.node.timeline.filter((s) => s.index > ts.index && !s.skipped).length,
    };
    const mode: CoverMode = {
      kind: kind === "artifact" ? "artifact" : "cache",
      excludeHidden: kind === "artifact" ? hiddenExcluded(release, ts.with.get("include-hidden-files")) : false,
    };
    const places = this.files.placesAt(ts.index, kind === "cache");
    const byLine = new Map<string, { pattern: PathPattern; hits: Hit[]; intent: boolean }>();
    for (const place of places) {
      let cov = coverage(patterns, place, mode);
      let intent = false;
      if (!cov) {
        cov = intendedCoverage(patterns, place, mode);
        intent = !!cov;
      }
      if (!cov) continue;
      const judged = this.judge(place, save);
      if (!judged) continue;
      const key = cov.pattern.text;
      const entry = byLine.get(key) ?? { pattern: cov.pattern, hits: [], intent };
      entry.hits.push({ place, cov, ...judged });
      byLine.set(key, entry);
    }
    const out: Report[] = [];
    for (const { pattern, hits, intent } of byLine.values()) {
      out.push(this.finding(ts, save, patterns, pattern, hits, intent));
    }
    return out;
  }

  /** The level one credential location deserves in this save, or undefined when it is no risk here. */
  private judge(place: Place, save: SaveInfo): { kind: HitKind; level: Level } | undefined {
    const candidates: Array<{ kind: HitKind; level: Level }> = [];
    const w = place.writer;
    if (w) {
      if (w.lifetime === "lasting") candidates.push({ kind: "lasting", level: this.ctx.settings.visibility === "public" ? "error" : "warning" });
      else if (w.lifetime === "unknown") candidates.push({ kind: "unknown", level: "warning" });
      else if (w.lifetime === "none") candidates.push({ kind: "none", level: "note" });
      else if (save.kind === "cache") candidates.push({ kind: "job", level: "note" });
      else if (save.kind === "cache-save") candidates.push({ kind: "job", level: "warning" });
      // Before v4 an artifact can be downloaded only once the whole run has finished: the token is dead.
      else if (save.major === undefined || save.major >= 4) candidates.push({ kind: "job", level: "warning" });
    }
    if (place.leftover) candidates.push({ kind: "leftover", level: "warning" });
    return candidates.sort((a, b) => LEVEL_RANK[b.level] - LEVEL_RANK[a.level])[0];
  }

  private finding(ts: TimelineStep, save: SaveInfo, patterns: PathPattern[], pattern: PathPattern, hits: Hit[], intent: boolean): Report {
    const visibility = this.ctx.settings.visibility;
    const level: Level = intent ? "note" : hits.map((h) => h.level).sort((a, b) => LEVEL_RANK[b] - LEVEL_RANK[a])[0]!;
    const uses = ts.step.uses!.node.value;
    const { kind, action } = save;
    const verb = kind === "artifact" ? "uploads" : "saves";
    const into = kind === "artifact" ? "into an artifact" : "into a cache";
    // The locations at the finding's level carry the explanation; the others are listed after it.
    const main = intent ? hits : hits.filter((h) => h.level === level);
    const rest = intent ? [] : hits.filter((h) => h.level !== level);
    const mainKind = main[0]!.kind;
    const root = literalRoot(pattern);
    const whole = main.length > 1 && main.every((h) => h.place.path.startsWith(`${root}/`));
    const list = describeAll(main, ts);
    const subject = whole ? `${root === HOME ? "the whole home directory " : ""}\`${displayPath(root)}\`, which holds ${list},` : list;
    const exclusion = kind !== "artifact" ? uselessExclusion(patterns, hits) : undefined;
    const exclusionText = exclusion
      ? ` (\`${exclusion}\` does not remove it: actions/cache saves a matched directory whole and a \`!\` line only drops paths it matches exactly)`
      : "";
    const first = main[0]!.place;
    const shortPaths = joinList(main.slice(0, 2).map((h) => `\`${displayPath(h.place.path)}\``)) + (main.length > 2 ? ` and ${main.length - 2} more` : "");

    let headline: string;
    // `why` is the one sentence reporters show next to the headline; `detail` the full account for the message.
    let why: string;
    let detail: string;
    let hint: string;
    let message: string;
    const it = main.length === 1 ? "it" : "them";
    if (intent) {
      headline = `\`${pattern.text}\` matches nothing: ${action} does not expand \`${pattern.unexpandedVariable}\``;
      why = `Written as the path it means, it would put ${shortPaths} ${into}.`;
      detail = why;
      hint = "Name the directories you want cached instead of a credential location.";
      message =
        `\`${pattern.text}\`: ${action} does not expand \`${pattern.unexpandedVariable}\`, so today this line matches nothing; ` +
        `written as the path it means, it would put ${subject} ${into}; ${audience(kind, visibility)}. ${hint}`;
    } else {
      const lead = `${action} ${verb} ${subject} ${into}${exclusionText}`;
      hint = advice(kind, main);
      switch (mainKind) {
        case "lasting":
          headline = `${action} ${verb} ${main.length === 1 ? `${credentialName(first)} (${shortPaths})` : `credentials (${shortPaths})`} ${into}`;
          detail = `${main.length === 1 ? "It stays" : "They stay"} valid after the job; ${audience(kind, visibility)}${visibilityNote(visibility)}.`;
          why = `${main.length === 1 ? "It stays" : "They stay"} valid after the job, and ${kind === "artifact" ? "anyone who can read the repository can download the artifact" : "any workflow run in the repository can restore the cache"}.`;
          break;
        case "leftover": {
          const d = first.leftover!;
          const one = main.length === 1;
          const runner =
            d.kind === "self-hosted"
              ? `the self-hosted runner ${d.runsOn} can keep files from earlier jobs or its owner's set-up`
              : `the runner ${d.runsOn} is decided at run time and, if it is self-hosted, can keep files from earlier jobs or its owner's set-up (GitHub-hosted runners start every job with an empty home directory)`;
          headline = `${action} ${verb} ${shortPaths}, which ${d.kind === "self-hosted" ? "a self-hosted runner" : "the runner"} may hold from earlier jobs`;
          detail =
            `No step of this job writes ${one ? "it" : "them"}, but ${runner}: if the runner's home directory holds ${one ? "it" : "them"} ` +
            `(ephemeral runners start empty), ${audience(kind, visibility)}${visibilityNote(visibility)}.`;
          why = `No step of this job writes ${it}, but ${d.kind === "self-hosted" ? "a self-hosted runner" : "the runner, if it is self-hosted,"} can keep ${it} from earlier jobs.`;
          hint = leftoverAdvice(kind, main, pattern);
          break;
        }
        case "job": {
          const token = first.writer!.what ?? "the GITHUB_TOKEN";
          const ends = first.writer!.because ?? "the GITHUB_TOKEN expires when the job ends";
          if (kind === "cache") {
            headline = `${action} saves ${jobTokenName(first)} (${shortPaths}) into a cache after it has expired`;
            why = `actions/cache saves in its post step, at the end of the job, and ${ends}: nobody can restore the cache while the token works.`;
            detail = why;
            hint = `${hint.replace(/\.$/, "")}: a save that moves earlier (actions/cache/save) would hand out a live token.`;
          } else {
            const window =
              save.after > 0
                ? `before the job ends (${plural(save.after, "more step")} ${save.after === 1 ? "runs" : "run"} after this one)`
                : "before the job ends (only post steps run after this one)";
            headline = `${action} ${verb} ${jobTokenName(first)} (${shortPaths}) while the job, and the token, still run`;
            const version =
              kind === "artifact" && save.major === undefined
                ? `credflow cannot tell which upload-artifact version \`${uses}\` runs; from v4 on, an`
                : "An";
            detail =
              kind === "artifact"
                ? `${version} artifact can be downloaded as soon as its upload step finishes, and ${ends}: ${artifactReaders(visibility)} can download it ${window} and use ${token} (Unit 42's "ArtiPACKED").`
                : `The cache can be restored as soon as this step saves it, and ${ends}: a workflow run that restores it ${window} — in a public repository one a fork's pull request starts — can use ${token}.`;
            why =
              kind === "artifact"
                ? `${version === "An" ? "An" : "From upload-artifact v4 on, an"} artifact can be downloaded as soon as its upload step finishes, while ${token} still works.`
                : `The cache can be restored as soon as this step saves it, while ${token} still works.`;
          }
          break;
        }
        case "unknown": {
          const w = first.writer!;
          headline = `${action} ${verb} ${w.what ?? "a token"} (${shortPaths}) ${into}; credflow cannot tell how long it lives`;
          detail =
            `${w.because ? `${capital(w.because)}: ` : ""}if it outlives the job (a personal access token, an app token that is not revoked), it leaks, as ${audience(kind, visibility)}; ` +
            `if it is the GITHUB_TOKEN, it expires when the job ends${visibilityNote(visibility)}.`;
          why = "It leaks if it outlives the job (a personal access token, an app token that is not revoked); the GITHUB_TOKEN expires when the job ends.";
          break;
        }
        case "none":
          headline = `${action} ${verb} ${shortPaths} ${into}: it names the cluster but holds no token`;
          why = `${capital(first.writer!.how)} writes the cluster's endpoint and CA and a command that fetches a token when kubectl needs one, so the copy lets nobody in.`;
          detail = why;
          hint = "Leave it out of `path:` if the cluster's endpoint and the role should stay private.";
          break;
      }
      message = `${lead}. ${detail} ${hint}`;
      if (rest.length) message += ` It also takes ${describeAll(rest, ts)} (${rest.map((h) => kindWord(h.kind)).filter((v, i, a) => a.indexOf(v) === i).join("; ")}).`;
    }
    const related: RelatedLocation[] = [];
    const seenWriters = new Set<number>();
    for (const h of hits) {
      const w = h.place.writer;
      if (!w || seenWriters.has(w.index)) continue;
      seenWriters.add(w.index);
      related.push({ path: w.ts.file.path, range: stepRange(w.ts), message: `${w.how} writes ${w.what ?? h.place.what} to \`${displayPath(h.place.path)}\`` });
    }
    const location = locatePattern(this.ctx, this.node, ts, pattern.text);
    if (location.path !== ts.file.path) related.push({ path: ts.file.path, range: ts.step.uses!.node.range, message: `the \`${uses}\` step that reads this value` });
    if (ts.chain.length) {
      const site = ts.chain[0]!;
      related.push({ path: site.file.path, range: site.step.uses?.node.range ?? site.step.range, message: `the job \`${this.node.job.id}\` reaches the \`${uses}\` step through this call` });
    }
    const label = intent ? `matches nothing; meant ${displayPath(first.path)}` : `takes ${displayPath(first.path)}${main.length > 1 ? ` and ${main.length - 1} more` : ""}`;
    return { level, message, headline, why, hint, label, location, related };
  }
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** "the secret `X`", "AWS access keys": the credential of one location, for a headline. */
function credentialName(place: Place): string {
  const what = place.writer?.what ?? place.what;
  return what.replace(/ \(.*$/, "");
}

function jobTokenName(place: Place): string {
  const what = place.writer?.what ?? "the GITHUB_TOKEN";
  return /GITHUB_TOKEN/.test(what) ? "the job's GITHUB_TOKEN" : what.replace(/ \(.*$/, "");
}

function kindWord(kind: HitKind): string {
  switch (kind) {
    case "lasting":
      return "credentials that outlive the job";
    case "leftover":
      return "files the runner may keep from earlier jobs";
    case "job":
      return "a token that dies with the job";
    case "unknown":
      return "a token of unknown lifetime";
    case "none":
      return "no secret";
  }
}

function describeAll(hits: Hit[], at: TimelineStep): string {
  const described = hits.slice(0, 4).map((h) => describePlace(h.place, at));
  if (hits.length > 4) described.push(`${hits.length - 4} more credential location${hits.length - 4 === 1 ? "" : "s"}`);
  return joinList(described);
}

function describePlace(place: Place, at: TimelineStep): string {
  const p = `\`${displayPath(place.path)}\``;
  const w = place.writer;
  if (!w) return `${p} (${place.what}, if the runner has them)`;
  const later = w.index > at.index ? "; that step runs later, but actions/cache saves at the end of the job" : "";
  return `${p} (${w.what ?? place.what}, put there by ${w.how} in ${stepLabel(w.ts, { from: at.file })}${later})`;
}

/** Who can read what the step saves, by visibility; an unknown visibility says both cases. */
function audience(kind: SaveKind, visibility: Visibility): string {
  if (kind === "artifact") {
    if (visibility === "private" || visibility === "internal") return "anyone with read access to the repository can download it while the artifact is kept";
    if (visibility === "public") return "anyone signed in to GitHub can download it while the artifact is kept (90 days by default), since the repository is public";
    return "anyone with read access to the repository can download it while the artifact is kept (90 days by default), and if the repository is public that is anyone signed in to GitHub";
  }
  if (visibility === "private" || visibility === "internal") return "any workflow run in the repository can restore the cache and read it";
  if (visibility === "public") return "anyone who can open a pull request (from a fork too) can restore the cache in a workflow run of their own and read it, since the repository is public";
  return "any workflow run in the repository can restore the cache and read it, and if the repository is public that includes runs anyone can start with a pull request from a fork";
}

function artifactReaders(visibility: Visibility): string {
  if (visibility === "public") return "anyone signed in to GitHub";
  if (visibility === "private" || visibility === "internal") return "anyone with read access to the repository";
  return "anyone with read access to the repository (anyone signed in to GitHub, if it is public)";
}

/** What settles an unknown visibility. */
function visibilityNote(visibility: Visibility): string {
  return visibility === "unknown" ? " (credflow does not know the repository's visibility: set `visibility:` in .credflow.yml or pass `--visibility`)" : "";
}

function advice(kind: SaveKind, hits: Hit[]): string {
  if (hits.some((h) => h.place.path.endsWith("/.git/config") || /\/git-credentials-[^/]*\.config$/.test(h.place.path))) {
    return "Set `persist-credentials: false` on the checkout, or narrow `path:` to the directories you need.";
  }
  return kind === "artifact" ? "Narrow `path:` to the files the artifact needs." : "Narrow `path:` to the dependency or build directories you mean to cache.";
}

function leftoverAdvice(kind: SaveKind, hits: Hit[], pattern: PathPattern): string {
  if (kind !== "artifact" && hits.some((h) => h.place.path === `${HOME}/.m2/settings.xml`) && /^\/home\/runner\/\.m2\/?$/.test(pattern.pattern)) {
    return "Cache `~/.m2/repository` (the downloaded dependencies) rather than all of `~/.m2`.";
  }
  return kind === "artifact" ? "Narrow `path:` to the files the artifact needs." : "Narrow `path:` to the dependency or build directories you mean to cache.";
}

/** A `!` line aimed at a covered location that actions/cache ignores because a directory above it is saved whole. */
function uselessExclusion(patterns: PathPattern[], hits: Array<{ place: Place; cov: Coverage }>): string | undefined {
  for (const neg of patterns.filter((p) => p.negate)) {
    for (const h of hits) {
      const segs = splitPath(h.place.path);
      for (let n = 1; n <= segs.length; n++) {
        if (matchInOrder([{ ...neg, negate: false }], segs.slice(0, n), true) && splitPath(h.cov.item).length < n) return neg.text;
      }
    }
  }
  return undefined;
}

/** The pattern's part before its first wildcard: where the globber starts walking. */
function literalRoot(p: PathPattern): string {
  const i = p.segments.findIndex((s) => /[*?[]/.test(s));
  return "/" + (i < 0 ? p.segments : p.segments.slice(0, i)).join("/");
}

/** upload-artifact skips dot-files from v3.2.0 (where the input was ignored) and v4.4.0, unless `include-hidden-files: true`. */
function hiddenExcluded(v: [number, number, number] | undefined, includeHidden: string | undefined): boolean {
  if (v && v[0] === 3 && v[1] === 2 && v[2] === 0) return true;
  const input = (includeHidden ?? "").trim();
  // An expression may say true: do not count on the default.
  if (input.includes("${{")) return false;
  if (/^true$/i.test(input)) return false;
  // Unknown refs: assume the current default (every release since September 2024 skips dot-files).
  if (!v) return true;
  if (v[0] >= 5) return true;
  if (v[0] === 4) return v[1] >= 4;
  if (v[0] === 3) return v[1] >= 2;
  return false;
}

// ---------- locations ----------

function stepRange(ts: TimelineStep): Range {
  return ts.step.uses?.node.range ?? ts.step.run?.range ?? ts.step.range;
}

/** The line of `path:` that holds the pattern, where the user wrote it; else the `path` key. */
function locatePattern(ctx: RuleContext, node: JobNode, ts: TimelineStep, text: string): { path: string; range: Range } {
  const hit = locateInValue(ctx.graph, node, ts, "path", text);
  if (hit) return { path: hit.file.path, range: hit.range };
  const entry = ts.step.with.entries.find((e) => e.key === "path");
  return { path: ts.file.path, range: entry?.keyRange ?? ts.step.range };
}
