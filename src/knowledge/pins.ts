/**
 * Ref → commit resolution for remote actions: whether `owner/repo@ref` names a tag or a branch
 * (a fact of the action's repository, read from its refs, never guessed from the name), the commit,
 * its date and the `runs.using` of the code there. Offline tables here; optional online API in
 * online.ts.
 *
 * Two generated tables, imported so that the bundle needs no data files at run time:
 * - data/refs.json (scripts/refresh-refs.mjs, from git mirrors): every tag and branch of ~170
 *   actions with per-commit dates and runtimes. Wins for every action it has.
 * - data/pins.json (scripts/refresh-pins.mjs, from ../shared/data or the REST API): tags, branches
 *   and a runtime per major; used for actions refs.json lacks or lists as unavailable.
 */
import rawRefs from "./data/refs.json" with { type: "json" };
import rawPins from "./data/pins.json" with { type: "json" };
import { CONFIGURE_ACTION, resolveConfigureVersion } from "./configure-aws-credentials.js";

export interface RefInfo {
  kind: "sha" | "tag" | "branch" | "tag-and-branch" | "frozen-tag" | "unknown";
  /** "owner/repo", lower-cased as in the table. */
  action: string;
  ref: string;
  /** Peeled commit the ref names (tags, frozen tags; for branches the branch head if known). */
  commit?: string;
  /**
   * The vX.Y.Z release whose commit this is: for a sha, the release it equals; for a tag, the
   * release on the same commit (v4 → v4.3.1); for a branch, the release on its head commit, if
   * any. Useful for a `# vX.Y.Z` comment next to a pin.
   */
  tag?: string;
  /**
   * For a commit that is no release's commit: the newest vX.Y.Z release it contains (an ancestor).
   * Known for the repositories whose every commit refs.json maps (actions/cache, upload-artifact,
   * download-artifact), so that a pinned SHA between releases can still be placed.
   */
  basedOn?: string;
  /** For branches / unknown refs of a known action: the newest release tag and its commit (what a fix pins to). */
  newestRelease?: { tag: string; commit: string };
  /** runs.using of the code the ref names (node12/16/20/24, composite, docker), when known. */
  runtime?: string;
  /** Committer date (UTC day, YYYY-MM-DD) of `commit`, when the table has it. */
  date?: string;
  /** Human explanation, e.g. "a frozen tag at v2.0.0 code on node16" / "both a tag and a branch". */
  note?: string;
  /** "shape": classified by the ref's form only (not in any table). */
  source: "table" | "online" | "shape";
}

export interface PinResolver {
  /**
   * `action` = "owner/repo" or "owner/repo/sub/dir", case-insensitive in owner/repo. The subpath
   * only selects whose `runs.using` is reported (github/codeql-action/init); without one, the
   * root's, or the runtime the used subpaths share when the root is not an action people use.
   */
  resolve(action: string, ref: string): RefInfo;
  knows(action: string): boolean;
  /**
   * The newest release line: `major` is the floating tag ("v4") when the table has it, else the
   * release tag itself; `tag` is the newest vX.Y.Z release.
   */
  newestMajor(action: string): { major: string; tag: string; runtime?: string } | undefined;
  runtimeOf(action: string, ref: string): string | undefined;
}

const FULL_SHA = /^[0-9a-f]{40}$/i;
/** Abbreviated SHAs: 7–39 hex digits with at least one digit, so all-letter words (`deadbeef`) stay names. */
const SHORT_SHA = /^(?=[0-9a-f]*\d)[0-9a-f]{7,39}$/i;
const RELEASE_NAME = /^v(\d+)\.(\d+)\.(\d+)$/;
const VERSION_SHAPE = /^v?\d+(?:\.\d+){0,2}$|^v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;
/** Names that read as branches (used for messages and for tags named like a branch). */
export const BRANCH_LIKE_NAMES: ReadonlySet<string> = new Set(["master", "main", "develop", "dev", "trunk", "HEAD"]);
/** The only names taken for branches when no table lists the ref: every other name is "unknown". */
export const CONVENTIONAL_BRANCHES: ReadonlySet<string> = new Set(["main", "master", "develop", "trunk"]);
/** The note of a ref that no table lists and that is not a conventional branch name. */
export const NOT_IN_TABLE_NOTE = "tag or branch — not in credflow's table; `--online` decides";
const PREFIX = 12;
/**
 * Tags known to be frozen: named like a branch, no such branch, never moved. configure-aws-credentials
 * kept `master` as a tag when the branch was renamed to `main` (2023-03-06); it holds v2.0.0 code.
 * Other branch-named tags in the table (setup-php@master, install-action@trunk) are recent, so
 * they are plain tags with a note.
 */
const FROZEN_TAGS: ReadonlyMap<string, ReadonlySet<string>> = new Map([[CONFIGURE_ACTION, new Set(["master"])]]);

/** A full 40-character hexadecimal commit SHA (the only ref form that pins a commit). */
export function isFullSha(ref: string): boolean {
  return FULL_SHA.test(ref.trim());
}

/**
 * GitHub stopped resolving abbreviated commit SHAs in `uses:` on 2021-02-15
 * (https://github.blog/changelog/2021-01-21-github-actions-short-sha-deprecation/): a run that
 * names one fails to resolve the action, unless a tag or branch happens to carry that name.
 */
export const SHORT_SHA_REMOVED = {
  since: "2021-02-15",
  source: "https://github.blog/changelog/2021-01-21-github-actions-short-sha-deprecation/",
} as const;

/** 7–39 hex digits with at least one digit, not version-shaped: an abbreviated commit SHA. */
export function looksLikeAbbreviatedSha(ref: string): boolean {
  const r = ref.trim();
  return SHORT_SHA.test(r) && !looksLikeVersion(r);
}

/**
 * Version-shaped refs: `v1`, `v1.2`, `v1.2.3`, `1`, `1.2.3`, and semver pre-release/build forms
 * of a full version (`v1.2.3-rc.1`). Suffixed names such as `v1-node16` are NOT version-shaped.
 * A name's shape says nothing about whether it is a tag or a branch; only the tables do.
 */
export function looksLikeVersion(ref: string): boolean {
  return VERSION_SHAPE.test(ref.trim());
}

/** Normalises "Owner/Repo/sub/dir" to "owner/repo". */
export function actionKey(action: string): string {
  return action.trim().split("/").slice(0, 2).join("/").toLowerCase();
}

/** "Owner/Repo/./sub/dir/" → "sub/dir"; undefined for none. Case is kept: paths in git are case-sensitive. */
function subpathOf(action: string): string | undefined {
  const rest = action.trim().split("/").slice(2).filter((p) => p !== "" && p !== ".");
  return rest.length ? rest.join("/") : undefined;
}

// ---------- tables ----------

interface RefsRow {
  branches: Record<string, number>;
  commits: string[];
  default?: string;
  paths: string[];
  releaseOf?: Record<string, string>;
  rootUnused?: boolean;
  tags: Record<string, number>;
}

interface RefsTable {
  format: number;
  actions: Record<string, RefsRow | { unavailable: string }>;
}

interface PinsRow {
  defaultBranch?: string;
  runtimeByMajor: Record<string, string>;
  branches: Record<string, string>;
  tags: Record<string, string>;
}

interface PinsTable {
  generated: string | null;
  actions: Record<string, PinsRow>;
}

interface CommitRow {
  date?: string;
  /** runs.using per path of `paths` (undefined: no action file / unreadable). */
  runtimes: Array<string | undefined>;
}

interface ActionIndex {
  defaultBranch?: string;
  tags: Map<string, string>;
  branches: Map<string, string>;
  /** commit → newest vX.Y.Z on it. */
  releaseByCommit: Map<string, string>;
  /** Every commit a tag or branch names. */
  commits: Set<string>;
  newest?: { tag: string; commit: string; major: number };
  /** refs.json rows: per-commit date and runtimes. */
  refs?: { paths: string[]; rootUnused: boolean; rows: Map<string, CommitRow | string>; releaseOf?: Record<string, string>; basedOn?: Map<string, string> };
  /** pins.json rows: runtime per major only. */
  runtimeByMajor?: Record<string, string>;
}

let table: Map<string, ActionIndex> | undefined;
let unavailable: Map<string, string> | undefined;

function semverOf(name: string): [number, number, number] | undefined {
  const m = RELEASE_NAME.exec(name);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

function newer(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i]! > b[i]!;
  return false;
}

function indexRefs(tags: Map<string, string>, branches: Map<string, string>): Pick<ActionIndex, "releaseByCommit" | "commits" | "newest"> {
  const releaseByCommit = new Map<string, string>();
  let newest: ActionIndex["newest"];
  let newestVer: [number, number, number] | undefined;
  for (const [name, commit] of tags) {
    const ver = semverOf(name);
    if (!ver) continue;
    const prev = releaseByCommit.get(commit);
    if (!prev || newer(ver, semverOf(prev)!)) releaseByCommit.set(commit, name);
    // Newest by semver, not date: backport releases (v3.1.0 after v8.0.1) carry later dates.
    if (!newestVer || newer(ver, newestVer)) {
      newestVer = ver;
      newest = { tag: name, commit, major: ver[0] };
    }
  }
  return { releaseByCommit, commits: new Set([...tags.values(), ...branches.values()]), newest };
}

function fromRefsRow(row: RefsRow): ActionIndex {
  const shas: string[] = [];
  // Each commit's line is read when that commit is asked about (a few of the thousands listed).
  const rows = new Map<string, CommitRow | string>();
  for (const line of row.commits) {
    const space = line.indexOf(" ");
    const sha = space < 0 ? line : line.slice(0, space);
    shas.push(sha);
    rows.set(sha, line);
  }
  const named = (refs: Record<string, number>) => new Map(Object.entries(refs).map(([n, i]) => [n, shas[i]!] as const));
  const tags = named(row.tags);
  const branches = named(row.branches);
  return {
    defaultBranch: row.default,
    tags,
    branches,
    ...indexRefs(tags, branches),
    refs: { paths: row.paths, rootUnused: row.rootUnused === true, rows, releaseOf: row.releaseOf },
  };
}

function fromPinsRow(row: PinsRow): ActionIndex {
  const lower = (o: Record<string, string>) => new Map(Object.entries(o).map(([n, c]) => [n, c.toLowerCase()] as const));
  const tags = lower(row.tags);
  const branches = lower(row.branches);
  return { defaultBranch: row.defaultBranch, tags, branches, ...indexRefs(tags, branches), runtimeByMajor: row.runtimeByMajor };
}

/** Raw rows, indexed per action on first use. */
let raw: Map<string, () => ActionIndex> | undefined;

function rows(): Map<string, () => ActionIndex> {
  if (raw) return raw;
  raw = new Map();
  unavailable = new Map();
  for (const [name, row] of Object.entries((rawPins as unknown as PinsTable).actions)) raw.set(name.toLowerCase(), () => fromPinsRow(row));
  // refs.json wins for every action it has; an unavailable repository keeps the pins.json row, if any.
  for (const [name, row] of Object.entries((rawRefs as unknown as RefsTable).actions)) {
    if ("unavailable" in row) unavailable.set(name.toLowerCase(), row.unavailable);
    else raw.set(name.toLowerCase(), () => fromRefsRow(row));
  }
  return raw;
}

function lookup(action: string): ActionIndex | undefined {
  table ??= new Map();
  let ix = table.get(action);
  if (ix) return ix;
  const make = rows().get(action);
  if (!make) return undefined;
  ix = make();
  table.set(action, ix);
  return ix;
}

/** Why refs.json has no refs for `action` ("owner/repo"), when it lists it as unavailable. */
export function unavailableReason(action: string): string | undefined {
  rows();
  return unavailable!.get(actionKey(action));
}

// ---------- runtimes ----------

function majorRuntime(ix: ActionIndex, ref: string): string | undefined {
  const m = /^v?(\d+)(?:[.-]|$)/.exec(ref);
  return m ? ix.runtimeByMajor?.[`v${m[1]}`] : undefined;
}

/**
 * runs.using at `commit` (refs.json), for `subpath` when given, else the root's — or, when the
 * root is not what people use (rootUnused), the value every used subpath shares.
 */
function commitRuntime(ix: ActionIndex, commit: string, subpath: string | undefined): string | undefined {
  const refs = ix.refs!;
  const row = commitRow(refs, commit);
  if (!row) return undefined;
  if (subpath !== undefined) {
    const i = refs.paths.indexOf(subpath);
    return i < 0 ? undefined : row.runtimes[i];
  }
  if (!refs.rootUnused) return row.runtimes[0];
  const used = row.runtimes.slice(1);
  return used.every((r) => r === used[0]) ? used[0] : undefined;
}

/** Runtime of the code a tag/branch/sha names: refs.json per commit, else pins.json per major. */
function runtimeAt(action: string, ix: ActionIndex, commit: string, name: string | undefined, subpath: string | undefined): string | undefined {
  if (ix.refs) return commitRuntime(ix, commit, subpath);
  if (action === CONFIGURE_ACTION && name !== undefined) {
    const v = resolveConfigureVersion(name);
    if (v.runtime) return v.runtime;
  }
  return name === undefined ? undefined : majorRuntime(ix, name);
}

function dateOf(ix: ActionIndex, commit: string | undefined): string | undefined {
  return commit === undefined || !ix.refs ? undefined : commitRow(ix.refs, commit)?.date;
}

/** A commit's refs.json row: "sha date runtimes", runtimes one per path or one for all. */
function commitRow(refs: NonNullable<ActionIndex["refs"]>, commit: string): CommitRow | undefined {
  const row = refs.rows.get(commit);
  if (typeof row !== "string") return row;
  const [, date = "-", r = "-"] = row.split(" ");
  const values = r.split(",");
  const runtimes = refs.paths.map((_, i) => values[values.length === 1 ? 0 : i]).map((v) => (v === undefined || v === "-" || v === "?" ? undefined : v));
  const parsed: CommitRow = { date: date === "-" ? undefined : date, runtimes };
  refs.rows.set(commit, parsed);
  return parsed;
}

/** Newest release a commit contains, from refs.json's commit map (three repositories). */
function basedOnRelease(ix: ActionIndex, commit: string): string | undefined {
  const refs = ix.refs;
  if (!refs?.releaseOf) return undefined;
  if (!refs.basedOn) {
    refs.basedOn = new Map();
    for (const [release, list] of Object.entries(refs.releaseOf)) for (const p of list.split(" ")) refs.basedOn.set(p, release);
  }
  const r = refs.basedOn.get(commit.slice(0, PREFIX));
  return r === "-" ? undefined : r;
}

function newestOf(ix: ActionIndex | undefined): { tag: string; commit: string } | undefined {
  return ix?.newest ? { tag: ix.newest.tag, commit: ix.newest.commit } : undefined;
}

function withOptional(info: RefInfo): RefInfo {
  // Drop undefined members so results compare and serialise cleanly.
  for (const k of Object.keys(info) as Array<keyof RefInfo>) if (info[k] === undefined) delete info[k];
  return info;
}

// ---------- classification ----------

/**
 * A ref no table lists. Only its form decides, and only where the form is a fact: a full SHA
 * names a commit, an abbreviated one names nothing GitHub accepts, and main/master/develop/trunk
 * are branches by convention. Any other name may be a tag or a branch: "unknown".
 */
function classifyByShape(action: string, ref: string, ix?: ActionIndex): RefInfo {
  const r = ref.trim();
  if (r === "") return { kind: "unknown", action, ref, source: "shape", note: "empty ref" };
  if (FULL_SHA.test(r)) return { kind: "sha", action, ref: r, commit: r.toLowerCase(), source: "shape" };
  if (SHORT_SHA.test(r) && !looksLikeVersion(r)) {
    return {
      kind: "unknown",
      action,
      ref: r,
      source: "shape",
      note: "looks like an abbreviated commit SHA; only a full 40-character SHA pins a commit",
    };
  }
  if (CONVENTIONAL_BRANCHES.has(r)) return withOptional({ kind: "branch", action, ref: r, newestRelease: newestOf(ix), source: "shape" });
  return withOptional({ kind: "unknown", action, ref: r, newestRelease: newestOf(ix), note: NOT_IN_TABLE_NOTE, source: "shape" });
}

function frozenTagNote(action: string, r: string, release: string | undefined, runtime: string | undefined, date: string | undefined): { tag?: string; note: string } {
  const v = action === CONFIGURE_ACTION ? resolveConfigureVersion(r) : undefined;
  const tag = v?.tag ?? release;
  const rt = v?.runtime ?? runtime;
  const since = date ? `, unchanged since ${date}` : "";
  return { tag, note: `a frozen tag${tag ? ` at ${tag} code` : ""}${rt ? ` on ${rt}` : ""}: named like a branch but never updated${since}` };
}

function resolveInTable(actionPath: string, ref: string): RefInfo {
  const action = actionKey(actionPath);
  const subpath = subpathOf(actionPath);
  const ix = lookup(action);
  const r = ref.trim();
  if (!ix) return classifyByShape(action, r);

  if (FULL_SHA.test(r)) {
    const commit = r.toLowerCase();
    const tag = ix.releaseByCommit.get(commit);
    const known = ix.commits.has(commit);
    const basedOn = tag ? undefined : basedOnRelease(ix, commit);
    let note: string | undefined;
    if (!known) note = basedOn ? `a commit no tag or branch names, after ${basedOn} (the newest release it contains)` : "a commit the table does not list";
    // configure-aws-credentials.ts knows which release's code a non-release commit of that action
    // holds (the frozen `master` tag's commit is v2.0.0 code): rules ask it when `runtime` is absent
    // here, and name that release in their messages.
    const deferToConfigure = action === CONFIGURE_ACTION && !tag;
    return withOptional({
      kind: "sha",
      action,
      ref: r,
      commit,
      tag,
      basedOn,
      runtime: known && !deferToConfigure ? runtimeAt(action, ix, commit, tag, subpath) : undefined,
      date: dateOf(ix, commit),
      note,
      source: known || basedOn ? "table" : "shape",
    });
  }

  const tagCommit = ix.tags.get(r);
  const branchHead = ix.branches.get(r);
  if (tagCommit !== undefined) {
    const release = ix.releaseByCommit.get(tagCommit);
    const runtime = runtimeAt(action, ix, tagCommit, r, subpath);
    const date = dateOf(ix, tagCommit);
    const frozen = branchHead === undefined && FROZEN_TAGS.get(action)?.has(r) === true;
    const both = branchHead !== undefined;
    let note: string | undefined;
    let tag = release;
    if (frozen) ({ tag, note } = frozenTagNote(action, r, release, runtime, date));
    else if (both) note = `both a tag and a branch (head ${branchHead.slice(0, 7)}): the runner takes the tag, the workflow cannot show which runs`;
    // shivammathur/setup-php@master, taiki-e/install-action@trunk: tags with recent commits, so
    // not known to be frozen; say only what the refs show.
    else if (BRANCH_LIKE_NAMES.has(r)) note = `a tag, though named like a branch (there is no branch \`${r}\`)${date ? `; its commit is from ${date}` : ""}`;
    return withOptional({
      kind: frozen ? "frozen-tag" : both ? "tag-and-branch" : "tag",
      action,
      ref: r,
      commit: tagCommit,
      tag,
      basedOn: tag ? undefined : basedOnRelease(ix, tagCommit),
      newestRelease: frozen || both ? newestOf(ix) : undefined,
      runtime,
      date,
      note,
      source: "table",
    });
  }
  if (branchHead !== undefined) {
    const isDefault = r === ix.defaultBranch;
    const date = dateOf(ix, branchHead);
    let note: string | undefined;
    if (isDefault) note = "the default branch: moves with every merge";
    else if (ix.defaultBranch && ix.refs) note = `not the default branch (\`${ix.defaultBranch}\`)${date ? `; last commit ${date}` : ""}`;
    const tag = ix.releaseByCommit.get(branchHead);
    return withOptional({
      kind: "branch",
      action,
      ref: r,
      commit: branchHead,
      tag,
      basedOn: tag ? undefined : basedOnRelease(ix, branchHead),
      newestRelease: newestOf(ix),
      runtime: ix.refs
        ? commitRuntime(ix, branchHead, subpath)
        : // pins.json knows runtimes per major only: the default branch carries at least the newest release's code.
          isDefault && ix.newest
          ? ix.runtimeByMajor?.[`v${ix.newest.major}`]
          : undefined,
      date,
      note,
      source: "table",
    });
  }
  return classifyByShape(action, r, ix);
}

/** The offline resolver over the generated tables. Indexes are built per action on first use. */
export function offlinePins(): PinResolver {
  // Several rules ask about every `uses:` of a run (thousands of steps, a few hundred distinct refs):
  // each answer is worked out once. Frozen, since every caller shares it.
  const answers = new Map<string, RefInfo>();
  const resolve = (action: string, ref: string): RefInfo => {
    const key = `${action}\n${ref}`;
    let info = answers.get(key);
    if (!info) answers.set(key, (info = Object.freeze(resolveInTable(action, ref))));
    return info;
  };
  // Asked for every outdated `uses:` and each of its fixes: also once per action (frozen likewise).
  const newest = new Map<string, Readonly<{ major: string; tag: string; runtime?: string }> | undefined>();
  return {
    resolve,
    knows: (action) => rows().has(actionKey(action)),
    newestMajor(action) {
      if (!newest.has(action)) newest.set(action, newestMajor(action));
      return newest.get(action);
    },
    runtimeOf: (action, ref) => resolve(action, ref).runtime,
  };
}

function newestMajor(action: string): Readonly<{ major: string; tag: string; runtime?: string }> | undefined {
  const key = actionKey(action);
  const ix = lookup(key);
  if (!ix?.newest) return undefined;
  const floating = `v${ix.newest.major}`;
  const major = ix.tags.has(floating) ? floating : ix.newest.tag;
  const result: { major: string; tag: string; runtime?: string } = { major, tag: ix.newest.tag };
  const runtime = ix.refs ? commitRuntime(ix, ix.tags.get(major)!, subpathOf(action)) : ix.runtimeByMajor?.[floating];
  if (runtime) result.runtime = runtime;
  return Object.freeze(result);
}
