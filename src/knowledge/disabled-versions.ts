/**
 * Versions of GitHub's own actions that github.com switched off: a run that uses one fails before
 * the step does anything ("This request has been automatically failed because it uses a
 * deprecated version of `actions/cache: v2`"). Decided by the release whose code a ref or pinned
 * SHA runs, read from the ref table (pins.ts / data/refs.json), never from the ref's name: a SHA
 * between releases is placed by refs.json's commit map of these three repositories.
 *
 * Dates and ranges, checked against the repositories (mirrors read 2026-12-06) and GitHub's
 * announcements:
 *
 * - actions/upload-artifact, actions/download-artifact v1 and v2: the README of both repositories
 *   (upload-artifact e63ea67, download-artifact d98334b, 2024-04-16, "Update readme with v3/v2/v1
 *   deprecation notice") says "v1/v2 are scheduled for deprecation on June 30, 2024", after
 *   https://github.blog/changelog/2024-02-13-deprecation-notice-v1-and-v2-of-the-artifact-actions/.
 *   Runs failing with "uses a deprecated version of `actions/upload-artifact: v2`" are reported
 *   from 2024-09-10 (AlexAplin/nndownload#193, netascode/ansible-dc-vxlan#186). So v1–v2 were off
 *   well before 2025-01-30 (the date shared/knowledge/github-semantics.md gives for v1–v3).
 * - the same two, v3: the READMEs still say "scheduled for deprecation on November 30, 2024"; the
 *   date was moved (e-mails of November 2024 said December 5, with brownouts on November 14 and
 *   21), and the changelog https://github.blog/changelog/2024-04-16-deprecation-notice-v3-of-the-artifact-actions/
 *   ended as "Starting January 30th, 2025, GitHub Actions customers will no longer be able to use
 *   v3" (quoted in e.g. reposense/RepoSense#2273, 2025-01-31). The READMEs add "This deprecation
 *   will not impact any existing versions of GitHub Enterprise Server": download-artifact v3.1.0
 *   (2026-03-17, node24) and the `v3-node20` tags are v3 code (@actions/artifact 1.x, the old
 *   service) made for GHES, and are off on github.com like every other v3.
 * - actions/cache: v1–v2, and v3 before v3.4.0 and v4 before v4.2.0. RELEASES.md and the README
 *   (commits faf6392/882d7ce, 2024-12-04/05): "If you are using pinned SHAs, please use the SHAs
 *   of versions `v4.2.0` or `v3.4.0`"; those are the first releases on @actions/cache 4.0.0 (the
 *   cache service v2): package.json has ^3.2.3 at v3.3.3 and v4.1.2, ^4.0.0 at v3.4.0 and v4.2.0.
 *   The README gives February 1st, 2025 as the start of the roll-out and of the legacy service's
 *   sunset (brownouts in February); the changelog
 *   https://github.blog/changelog/2024-12-05-notice-of-upcoming-releases-and-breaking-changes-for-github-actions/#actions-cache-v1-v2-and-actions-toolkit-cache-package-closing-down
 *   says "The action and cache package will be fully retired on March 1st" (quoted in
 *   NASA-IMPACT/veda-config#683), so: since 2025-03-01.
 *   Grey zone: commits after v4.1.2 (or v3.3.3) on the way to v4.2.0 (v3.4.0), eleven and one of
 *   them, already depend on @actions/cache 4.0.0 but belong to no fixed release; they are reported
 *   as "before v4.2.0" (the rule GitHub published is per release).
 */
import { actionKey, type PinResolver, type RefInfo } from "./pins.js";

export interface DisabledVersion {
  /** Day (YYYY-MM-DD) since which github.com fails runs that use it (GitHub's announced date). */
  since: string;
  /** When runs are known to fail later than the announced date: the first failure on record. */
  failingSince?: string;
  /** The switched-off line, for messages: "v1–v2", "v3", "v2 and older", "v3 before v3.4.0". */
  line: string;
  /** The first release that works again on github.com (the floor of an upgrade). */
  fixedIn: string;
  /** One sentence for a message: which code the ref runs and why it no longer runs. */
  reason: string;
  /** Where GitHub announced it. */
  source: string;
}

/**
 * One switched-off range of releases: `[from, before)` by semantic version of the release whose
 * code a ref runs. The single source of every range and date (docs/rules/outdated-action-runtime.md
 * quotes it).
 */
export interface DisabledRange {
  action: "actions/cache" | "actions/upload-artifact" | "actions/download-artifact";
  /** First release of the range (inclusive), "v0.0.0" for everything before `before`. */
  from: string;
  /** First release after the range (exclusive). */
  before: string;
  line: string;
  fixedIn: string;
  since: string;
  failingSince?: string;
  source: string;
  /** Why runs fail, after "<which code>: ". */
  why: string;
}

const ARTIFACT_V1_V2 = {
  since: "2024-06-30",
  // AlexAplin/nndownload#193 (2024-09-10) is the earliest failing run found; the notice's date is kept as `since`.
  failingSince: "2024-09-10",
  source: "https://github.blog/changelog/2024-02-13-deprecation-notice-v1-and-v2-of-the-artifact-actions/",
};
const ARTIFACT_V3 = {
  since: "2025-01-30",
  source: "https://github.blog/changelog/2024-04-16-deprecation-notice-v3-of-the-artifact-actions/",
};
const CACHE = {
  since: "2025-03-01",
  source:
    "https://github.blog/changelog/2024-12-05-notice-of-upcoming-releases-and-breaking-changes-for-github-actions/#actions-cache-v1-v2-and-actions-toolkit-cache-package-closing-down",
};
const ARTIFACT_WHY = (action: string, line: string) =>
  `${line} of the artifact actions used the old artifact service, switched off on github.com (GitHub Enterprise Server still runs them); runs fail with "This request has been automatically failed because it uses a deprecated version of \`${action}\`"`;
const CACHE_WHY = (line: string) =>
  `actions/cache ${line} used the legacy cache service, which GitHub retired; runs fail with "This request has been automatically failed because it uses a deprecated version of \`actions/cache\`" (fixed in v3.4.0 and v4.2.0)`;

export const DISABLED_RANGES: readonly DisabledRange[] = [
  ...(["actions/upload-artifact", "actions/download-artifact"] as const).flatMap((action) => [
    { action, from: "v0.0.0", before: "v3.0.0", line: "v1–v2", fixedIn: "v4.0.0", ...ARTIFACT_V1_V2, why: ARTIFACT_WHY(action, "v1–v2") },
    { action, from: "v3.0.0", before: "v4.0.0", line: "v3", fixedIn: "v4.0.0", ...ARTIFACT_V3, why: ARTIFACT_WHY(action, "v3") },
  ]),
  { action: "actions/cache", from: "v0.0.0", before: "v3.0.0", line: "v2 and older", fixedIn: "v3.4.0", ...CACHE, why: CACHE_WHY("v2 and older") },
  { action: "actions/cache", from: "v3.0.0", before: "v3.4.0", line: "v3 before v3.4.0", fixedIn: "v3.4.0", ...CACHE, why: CACHE_WHY("before v3.4.0") },
  { action: "actions/cache", from: "v4.0.0", before: "v4.2.0", line: "v4 before v4.2.0", fixedIn: "v4.2.0", ...CACHE, why: CACHE_WHY("before v4.2.0") },
];

/** The actions this module knows switched-off versions of. */
export const ACTIONS_WITH_DISABLED_VERSIONS: ReadonlySet<string> = new Set(DISABLED_RANGES.map((r) => r.action));

const RELEASE = /^v(\d+)\.(\d+)\.(\d+)$/;

function semver(release: string): [number, number, number] | undefined {
  const m = RELEASE.exec(release);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

function compare(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

/** The vX.Y.Z release whose code `info` names: the release on its commit, else the newest one the commit contains. */
function releaseOf(info: RefInfo, action: string, resolver: PinResolver): string | undefined {
  if (info.tag || info.basedOn) return info.tag ?? info.basedOn;
  // An online answer carries the commit but not the commit map's placement: ask by commit.
  if (info.commit && info.kind !== "sha") {
    const byCommit = resolver.resolve(action, info.commit);
    return byCommit.tag ?? byCommit.basedOn;
  }
  return undefined;
}

function describe(ref: string, release: string, info: RefInfo): string {
  if (info.kind === "sha") return `commit ${ref.slice(0, 12)} is ${info.tag ? `the commit of ${release}` : `${release} code (the newest release it contains)`}`;
  if (ref === release) return release;
  return `\`${ref}\` is ${release} code${info.kind === "branch" ? " (the branch's head today)" : ""}`;
}

/**
 * Whether `action@ref` runs a version github.com switched off; undefined when it does not, or when
 * the tables cannot tell (a ref or commit they do not list: credflow does not guess).
 */
export function disabledVersion(action: string, ref: string, resolver: PinResolver): DisabledVersion | undefined {
  const key = actionKey(action);
  if (!ACTIONS_WITH_DISABLED_VERSIONS.has(key)) return undefined;
  const info = resolver.resolve(key, ref);
  const release = releaseOf(info, key, resolver);
  const ver = release ? semver(release) : undefined;
  if (!release || !ver) return undefined;
  const range = DISABLED_RANGES.find((r) => r.action === key && compare(ver, semver(r.from)!) >= 0 && compare(ver, semver(r.before)!) < 0);
  if (!range) return undefined;
  const out: DisabledVersion = {
    since: range.since,
    line: range.line,
    fixedIn: range.fixedIn,
    reason: `${describe(ref.trim(), release, info)}: ${range.why}`,
    source: range.source,
  };
  if (range.failingSince) out.failingSince = range.failingSince;
  return out;
}
