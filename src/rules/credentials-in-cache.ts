/**
 * credentials-in-cache: actions/cache, actions/cache/save and actions/upload-artifact steps whose
 * `path:` takes a file that holds credentials. Caches can be restored by pull requests (from forks
 * too) and artifacts downloaded by anyone who can read the repository.
 */
import { allJobNodes } from "../graph/build-graph.js";
import type { JobNode, TimelineStep } from "../graph/types.js";
import { isConfigureRef } from "../graph/configure.js";
import type { Range } from "../model/types.js";
import { locateInValue } from "../graph/values.js";
import type { Level, RelatedLocation, Report, Rule, RuleContext, Visibility } from "./types.js";
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
import { CredentialFiles, type Place } from "./support/credential-files.js";
import { stepLabel } from "./support/labels.js";
import { parseVersion } from "../knowledge/version.js";
import { joinList } from "./support/wording.js";

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
    "Reports actions/cache, actions/cache/save and actions/upload-artifact steps whose `path:` takes a file that holds credentials (~/.aws, Docker and Kubernetes config, a checkout's persisted token, files written from secrets).",
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
        if (!kind) continue;
        // One finding per `path:` line, the worst of the jobs that reach it.
        for (const r of job.check(ts, kind)) ctx.report({ ...r, key: "cache-path" });
      }
    }
  },
};

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
    const mode: CoverMode = {
      kind: kind === "artifact" ? "artifact" : "cache",
      excludeHidden: kind === "artifact" && ref.kind === "remote" ? hiddenExcluded(this.ctx, ref.ref, ts.with.get("include-hidden-files")) : false,
    };
    const places = this.files.placesAt(ts.index, kind === "cache");
    const byLine = new Map<string, { pattern: PathPattern; hits: Array<{ place: Place; cov: Coverage }>; intent: boolean }>();
    for (const place of places) {
      let cov = coverage(patterns, place, mode);
      let intent = false;
      if (!cov) {
        cov = intendedCoverage(patterns, place, mode);
        intent = !!cov;
      }
      if (!cov) continue;
      const key = cov.pattern.text;
      const entry = byLine.get(key) ?? { pattern: cov.pattern, hits: [], intent };
      entry.hits.push({ place, cov });
      byLine.set(key, entry);
    }
    const out: Report[] = [];
    for (const { pattern, hits, intent } of byLine.values()) {
      out.push(this.finding(ts, kind, mode, patterns, pattern, hits, intent));
    }
    return out;
  }

  private finding(
    ts: TimelineStep,
    kind: SaveKind,
    mode: CoverMode,
    patterns: PathPattern[],
    pattern: PathPattern,
    hits: Array<{ place: Place; cov: Coverage }>,
    intent: boolean,
  ): Report {
    const visibility = this.ctx.settings.visibility;
    const level: Level = intent ? "note" : visibility === "private" || visibility === "internal" ? "warning" : "error";
    const uses = ts.step.uses!.node.value;
    const action = kind === "artifact" ? "actions/upload-artifact" : kind === "cache-save" ? "actions/cache/save" : "actions/cache";
    const verb = kind === "artifact" ? "uploads" : "saves";
    const into = kind === "artifact" ? "into an artifact" : "into a cache";
    const root = literalRoot(pattern);
    const whole = hits.length > 1 && hits.every((h) => h.place.path.startsWith(`${root}/`));
    const described = hits.slice(0, 4).map((h) => describePlace(h.place, ts));
    if (hits.length > 4) described.push(`${hits.length - 4} more credential location${hits.length - 4 === 1 ? "" : "s"}`);
    const list = joinList(described);
    const subject = whole ? `${root === HOME ? "the whole home directory " : ""}\`${displayPath(root)}\`, which holds ${list},` : list;
    const exclusion = kind !== "artifact" ? uselessExclusion(patterns, hits) : undefined;
    const hint = exclusion
      ? ` (\`${exclusion}\` does not remove it: actions/cache saves a matched directory whole and a \`!\` line only drops paths it matches exactly)`
      : "";
    let message: string;
    if (intent) {
      message =
        `\`${pattern.text}\`: ${action} does not expand \`${pattern.unexpandedVariable}\`, so today this line matches nothing; ` +
        `written as the path it means, it would put ${subject} ${into}; ${audience(kind, visibility)}. ` +
        `Name the directories you want cached instead of a credential location.`;
    } else {
      message = `${action} ${verb} ${subject} ${into}${hint}; ${audience(kind, visibility)}. ${advice(kind, hits)}`;
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
    return { level, message, location, related };
  }
}

function describePlace(place: Place, at: TimelineStep): string {
  const p = `\`${displayPath(place.path)}\``;
  const w = place.writer;
  if (!w) return `${p} (${place.what})`;
  const later = w.index > at.index ? "; that step runs later, but actions/cache saves at the end of the job" : "";
  return `${p} (${w.what ?? place.what}, put there by ${w.how} in ${stepLabel(w.ts, { from: at.file })}${later})`;
}

function audience(kind: SaveKind, visibility: Visibility): string {
  if (kind === "artifact") {
    if (visibility === "private" || visibility === "internal") return "anyone with read access to the repository can download it while the artifact is kept";
    const who = "anyone signed in to GitHub can download it while the artifact is kept (90 days by default)";
    return visibility === "public" ? `the repository is public, so ${who}` : `if this repository is public, ${who}`;
  }
  if (visibility === "private" || visibility === "internal") return "any workflow run in the repository can restore the cache and read them";
  const who = "anyone who can open a pull request (from a fork too) can restore the cache in a workflow run of their own and read them";
  return visibility === "public" ? `the repository is public, so ${who}` : `if this repository is public, ${who}`;
}

function advice(kind: SaveKind, hits: Array<{ place: Place }>): string {
  if (hits.some((h) => h.place.path.endsWith("/.git/config"))) {
    return "Set `persist-credentials: false` on the checkout, or narrow `path:` to the directories you need.";
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
function hiddenExcluded(ctx: RuleContext, ref: string, includeHidden: string | undefined): boolean {
  const info = ctx.pins.resolve("actions/upload-artifact", ref);
  const v = parseVersion(info.tag ?? info.newestRelease?.tag);
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
