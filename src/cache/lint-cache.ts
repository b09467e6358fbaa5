/**
 * `--cache`: a repository's lint result, reused group of workflows by group while nothing it was
 * computed from has changed.
 *
 * An entry covers one repository of the run (engine/run.ts lints them one after another), split
 * into groups of workflows that can be linted apart (groups.ts). It is considered only when these
 * are as they were (else the repository is linted again):
 *
 * - the run key: credflow's version and a hash of the running code, Node's version, the working
 *   directory (paths are shown relative to it), the settings (flags, `.credflow.yml`, the
 *   repository identity from `--repository`, GITHUB_REPOSITORY or the git remote, the default
 *   branch), the parsed configuration with where each entry is written, the rule options given on
 *   the command line and `--report-unused-suppressions`;
 * - the repository's part of the discovery other than its list of files (folders, notices) and
 *   the expansion budget earlier repositories of the run spent.
 *
 * A group is reused when every look its lint took at the disk finds what it found — each file
 * read (its bytes' hash, or why it could not be read), each file only looked for (a Dockerfile:
 * there or not), each small text (`.gitmodules`), including looks that found nothing (a composite
 * that was missing must still be missing) — and none of its workflows was removed; the rest (the
 * repository-level part) also needs the infrastructure-code walks to find the same files. The
 * other groups and any new workflow are linted again together, and kept only when they fit beside
 * the reused groups as one lint of everything would have judged them (groups.ts, `fits`);
 * otherwise the whole repository is linted again.
 *
 * A lint whose expansion budget ran out, that had an internal error or an argument with nothing to
 * lint, or that saw a file change while it read it, is not stored. A stored result holds the
 * findings and the file texts they point into (as a reference to a file whose bytes the check
 * re-reads anyway), never the parse trees.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import type { SourceFile } from "../model/types.js";
import type { TrustRole } from "../iac/types.js";
import type { Discovery } from "../discover/discover.js";
import { FileLoader, type DiskLook } from "../discover/loader.js";
import { MAX_TEMPLATE_BYTES, mayHoldTrustTemplate, trustCandidates } from "../iac/load.js";
import { isInside } from "../fs/paths.js";
import { MAX_FILE_BYTES } from "../parse/parse-file.js";
import { lintCore, type CoreResult, type LintPart, type LintRequest, type LintStage } from "../engine/lint.js";
import type { RunSource } from "../graph/upstream.js";
import { fits, splitLint, type Attribution, type Group } from "./groups.js";
import { outcomeOf, type Outcome, type PartLinter } from "../engine/run.js";
import { VERSION } from "../version.js";
import { isObject, readCache, sha256, writeCache } from "./store.js";
import { pack, unpack, type PackedFindings } from "./findings-codec.js";

/** One look: kind, absolute path, file kind (reads), repository root bounding it, what it found. */
type Look = [kind: "read" | "exists" | "text", absPath: string, fileKind: string, root: string | null, state: string];

interface StoredFile {
  path: string;
  repoPath: string;
  kind: SourceFile["kind"];
  absPath?: string;
  root?: string;
  /** The text, unless it is exactly the decoded bytes of the file read at `absPath` (then absent). */
  text?: string;
}

/** One group of workflows (groups.ts) as stored: its share of the entry's findings, files and looks. */
interface StoredGroup {
  /** Indices into the entry's targets. */
  targets: number[];
  rest: boolean;
  /** Indices into the entry's looks: those its workflows made (`claimed`), and the ones it depends on. */
  claimed: number[];
  looks: number[];
  /** [start, end) into the entry's packed findings, and into its suppressed ones. */
  findings: [number, number];
  suppressed: [number, number];
  /** Indices into the entry's files. */
  files: number[];
  usedEntries: string[];
  repoPaths: Array<[string, string]>;
  /** What matching roles across repositories needs of them (rolesNamed): name and configured key. */
  roles: Array<Pick<TrustRole, "name" | "configured">>;
  arns: string[];
  oidc: boolean;
  /** Its top-level workflows as `workflow_run` triggers see them: [index into targets, source]. */
  runSources: Array<[number, RunSource]>;
  spent: number;
}

export interface Entry {
  /** Hash of the run key, the repository's part of the discovery without its targets, and the budget spent before it. */
  base: string;
  /** The part's targets (workflow and action files), each as JSON. */
  targets: string[];
  /** Hash of what the infrastructure-code walks found (the rest's). */
  walks: string;
  looks: Look[];
  /** The findings and the suppressed ones of every group, group after group (findings-codec.ts). */
  packed: PackedFindings;
  files: StoredFile[];
  activeRules: string[];
  groups: StoredGroup[];
}

/** What the lint reads besides files: everything in the run key. */
export interface RunKeyInput {
  cwd: string;
  settings: unknown;
  config: { path?: string; config: unknown };
  cliOptions: unknown;
  reportUnusedSuppressions: boolean;
}

/**
 * How each field of a lint request reaches an entry's key. The type check fails here when
 * `LintRequest` gains a field, so whoever adds one decides how the cache sees it.
 */
export const REQUEST_FIELDS = {
  paths: "discovery: the repository's part (folders, notices) is in the entry key; its files decide which groups are reused",
  cwd: "run key",
  stdin: "the cache is not used",
  settings: "run key",
  pins: "offline tables of this build (build hash); --online does not use the cache",
  rules: "the CLI lints with every rule of this build (build hash)",
  ruleLevel: "from the configuration (run key)",
  ruleOptions: "from the configuration and the command-line options (run key)",
  ignorePath: "from the configuration (run key)",
  ignoredFinding: "from the configuration (run key)",
  ignoreEntries: "from the configuration (run key)",
  reportUnusedSuppressions: "run key",
  fixes: "the CLI's default: fixes computed",
  overrides: "the cache is not used (--fix, --diff, suggestions)",
  deferIgnoreEntries: "always set by lintRun",
} as const satisfies Record<keyof LintRequest, string>;

let buildHash: string | undefined;

/** What the launcher (src/cli/launcher.ts) hands the bundle it runs: its SHA-256, fixed at build time. */
export const CORE_IDENTITY = Symbol.for("credflow.core-identity");
export interface CoreIdentity {
  path: string;
  sha256: string;
}

/**
 * A hash of the code that runs: the bundle (dist/credflow-core.cjs) when credflow runs from it, else the
 * module's own file (a development run from the sources), so a rebuilt credflow of the same
 * version never reuses an older build's results. Run by the launcher, the bundle's SHA-256 is the
 * one the build wrote into the launcher, with the file's size and modification time (a bundle
 * changed after the build changes them); reading and hashing 3 MB costs a warm run 8 ms.
 */
export function buildId(): string {
  if (buildHash === undefined) {
    const self = fileURLToPath(import.meta.url);
    const given = (globalThis as Record<symbol, unknown>)[CORE_IDENTITY] as CoreIdentity | undefined;
    if (given && typeof given.sha256 === "string" && given.path === self) {
      try {
        const st = fs.statSync(self);
        buildHash = `${given.sha256}:${st.size}:${st.mtimeMs}`;
      } catch {
        // hashed below
      }
    }
    if (buildHash === undefined) {
      let bytes: Uint8Array;
      try {
        bytes = fs.readFileSync(self);
      } catch {
        bytes = new TextEncoder().encode(String(Date.now()) + Math.random());
      }
      buildHash = sha256(bytes);
    }
  }
  return `${VERSION}+${buildHash}`;
}

export function runKey(input: RunKeyInput): string {
  return sha256(JSON.stringify({ build: buildId(), node: process.version, platform: process.platform, ...input }));
}

const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** What a look found, as a short string: equal strings mean the lint would see the same thing. */
function lookState(look: DiskLook): string {
  switch (look.kind) {
    case "read": {
      const r = look.result;
      if (!r.ok) return `no:${r.message}`;
      return r.raw.size !== undefined ? `size:${r.raw.size}` : `h:${sha256(r.raw.bytes)}`;
    }
    case "exists":
      return look.found ? "yes" : "no";
    case "text":
      return look.text === undefined ? "none" : `h:${sha256(look.text)}`;
  }
}

function lookOf(look: DiskLook): Look {
  return [look.kind, look.absPath, look.kind === "read" ? look.fileKind : "", look.root ?? null, lookState(look)];
}

/**
 * What the infrastructure-code walks find, without the cache file itself: a cache kept inside the
 * repository (`--cache-location`) is JSON, which the walk takes for a possible template; it holds
 * no IAM role, so it cannot change the findings (short of a repository with nearly 64 MB of
 * templates, whose reading budget it shares), and counting it would make every run a miss.
 */
function walksHash(req: LintRequest, part: LintPart, cacheFile: string): string {
  const found = part.scopes.length > 0 ? trustCandidates(part.scopes, req.ignorePath) : [];
  for (const c of found) c.templates = c.templates.filter((t) => t !== cacheFile);
  return sha256(JSON.stringify(found));
}

/** A group of an entry brought back: what the run keeps of it, as groups.ts splits a fresh lint. */
type Kept = Group & { stored: StoredGroup };

/** What a lint (or the check of an entry) read: looks with what made them, and file bytes. */
interface Reading {
  looks: Map<string, Look>;
  /** Keys of the looks the infrastructure-code reading made. */
  trustLooks: Set<string>;
  bytes: Map<string, Uint8Array>;
  consistent: boolean;
  at: Attribution;
}

/**
 * The state of a candidate CloudFormation template the trust-policy reading skipped because its
 * text names no IAM role or not GitHub's OIDC host (mayHoldTrustTemplate): any edit that keeps it
 * so changes nothing (every YAML file outside `.github/workflows` is such a candidate, composites
 * included). Used only while the candidates stay under the reading budget, which the check also
 * compares.
 */
const NOT_TEMPLATE = "not-template";

/** Groups with workflows (the rest alone, with only infrastructure code, is not counted). */
const counted = (groups: ReadonlyArray<Group>): number => groups.filter((g) => g.targets.length > 0).length;
const lookKey = (l: Look): string => `${l[0]}\u0000${l[1]}\u0000${l[2]}\u0000${l[3]}`;
const targetJson = (t: LintPart["targets"][number]): string => JSON.stringify([t.absPath, t.kind, t.root]);

/** A run's cache: read once, consulted per repository, written once at the end when it changed. */
export class LintCache {
  private readonly entries: Map<string, Entry>;
  private readonly writable: boolean;
  private readonly used = new Set<string>();
  private changed = false;
  /** Repositories answered wholly from the cache, and linted (partly or wholly); groups of workflows reused and linted. */
  readonly stats = { hits: 0, misses: 0, groupsReused: 0, groupsLinted: 0 };

  constructor(
    private readonly file: string,
    private readonly key: string,
    private readonly log: (line: string) => void,
  ) {
    const loaded = readCache(file, validEntry, (reason) => log(`ignoring cache ${file}: ${reason}`));
    this.entries = loaded.entries;
    this.writable = loaded.writable;
  }

  /** The part linter for engine/run.ts's `lintRun`. */
  readonly lintPart: PartLinter = async (req, part, spent, found) => {
    const id = part.repositories.join("\n");
    const base = sha256(JSON.stringify([this.key, { ...part, targets: undefined }, spent]));
    this.used.add(id);
    const entry = this.entries.get(id);
    if (entry && entry.base === base) {
      const answer = await this.reuse(entry, req, part, spent, found, id, base);
      if (answer) return answer;
    }
    this.stats.misses++;
    return this.lint(req, part, spent, found, id, base);
  };

  /**
   * The entry's answer: all of it when nothing changed; else its unchanged groups with the rest
   * linted again, when the two still fit together (groups.ts). Undefined: lint the repository.
   */
  private async reuse(entry: Entry, req: LintRequest, part: LintPart, spent: number, found: Discovery, id: string, base: string): Promise<Outcome | undefined> {
    const dirty = new Set<number>();
    const restIndex = entry.groups.findIndex((g) => g.rest);
    // Taken before any lint: a file added while the lint runs then fails the next run's comparison.
    const walks = walksHash(req, part, this.file);
    if (walks !== entry.walks) dirty.add(restIndex);
    const byLook = new Map<number, number[]>();
    entry.groups.forEach((g, gi) => {
      for (const l of g.looks) {
        const list = byLook.get(l);
        if (list) list.push(gi);
        else byLook.set(l, [gi]);
      }
    });
    const sizes = new Map<number, number>();
    const bytes = this.check(
      entry,
      req,
      (li) => {
        for (const gi of byLook.get(li) ?? []) dirty.add(gi);
      },
      sizes,
    );
    // Templates stored as NOT_TEMPLATE hold only while the reading budget is not reached.
    if (entry.groups[restIndex]!.looks.reduce((n, li) => n + (sizes.get(li) ?? 0), 0) >= MAX_TEMPLATE_BYTES) dirty.add(restIndex);
    // Targets removed (their group is linted again without them) and added.
    const now = part.targets.map(targetJson);
    const nowSet = new Set(now);
    const stored = new Map(entry.targets.map((t, i) => [t, i]));
    const groupOfTarget = new Map<number, number>();
    entry.groups.forEach((g, gi) => g.targets.forEach((t) => groupOfTarget.set(t, gi)));
    entry.targets.forEach((t, i) => {
      if (!nowSet.has(t)) dirty.add(groupOfTarget.get(i) ?? restIndex);
    });
    const added = now.filter((t) => !stored.has(t));
    const kept: Kept[] = [];
    for (const [gi, g] of entry.groups.entries()) {
      if (dirty.has(gi)) continue;
      const k = restoreGroup(entry, g, bytes);
      if (!k) return undefined;
      kept.push(k);
    }
    if (dirty.size === 0 && added.length === 0) {
      this.stats.hits++;
      this.stats.groupsReused += counted(kept);
      return merged(part, entry.activeRules, kept);
    }
    // Everything changed, or an argument might have nothing to lint: a plain lint.
    if (kept.length === 0 || part.empty.length > 0) return undefined;

    const restDirty = dirty.has(restIndex);
    const again = new Set<string>(added);
    for (const gi of dirty) for (const t of entry.groups[gi]!.targets) again.add(entry.targets[t]!);
    const sub: LintPart = {
      ...part,
      targets: part.targets.filter((t) => again.has(targetJson(t))),
      scopes: restDirty ? part.scopes : [],
      notices: restDirty ? part.notices : [],
      empty: [],
      trustPolicies: restDirty && part.trustPolicies,
    };
    const keptSpent = kept.reduce((n, k) => n + k.spent, 0);
    const fresh = await this.read(req, sub, spent + keptSpent);
    if (!fresh.storable) {
      // A spent budget or a failing rule makes lintRun lint everything together.
      const outcomeFresh = outcomeOf(fresh.core, found, sub);
      if (outcomeFresh.exhausted || outcomeFresh.internalErrors.length > 0) {
        this.stats.misses++;
        return outcomeFresh;
      }
      return undefined;
    }
    let groups = splitLint(fresh.core, fresh.reading.at);
    if (!restDirty) {
      // The kept rest stays the rest: the lint again read no infrastructure code and no notices.
      groups = groups.filter((g) => !(g.rest && g.targets.length === 0 && g.findings.length === 0 && g.suppressed.length === 0));
      for (const g of groups) g.rest = false;
    }
    if (!fits(kept, groups, part)) return undefined;
    this.stats.misses++;
    this.stats.groupsReused += counted(kept);
    this.stats.groupsLinted += counted(groups);
    const all: Array<Kept | Group> = [...kept, ...groups];
    this.remember(id, base, walks, part, all, fresh.reading, fresh.core.activeRules, entry, new Map([...bytes, ...fresh.reading.bytes]));
    return merged(part, [...fresh.core.activeRules], all);
  }

  /**
   * Re-reads every look of the entry; `changed` gets the index of each that finds something else.
   * Returns the bytes read (the texts of stored files are those bytes).
   */
  private check(entry: Entry, req: LintRequest, changed: (look: number) => void, sizes: Map<number, number>): Map<string, Uint8Array> {
    const loader = new FileLoader(req.cwd);
    const bytes = new Map<string, Uint8Array>();
    loader.onDisk = (look) => {
      if (look.kind === "read" && look.result.ok && look.result.raw.size === undefined) bytes.set(look.absPath, look.result.raw.bytes);
    };
    const quick = new QuickReader();
    entry.looks.forEach(([kind, absPath, fileKind, root, state], li) => {
      const r = root ?? undefined;
      let now: string;
      if (kind === "read") {
        let b = r === undefined ? undefined : quick.read(absPath, r);
        if (b) {
          bytes.set(absPath, b);
          now = `h:${sha256(b)}`;
        } else {
          const result = loader.readRaw(absPath, fileKind as "workflow" | "action", r);
          if (result.ok && result.raw.size === undefined) b = result.raw.bytes;
          now = lookState({ kind, absPath, fileKind: fileKind as "workflow" | "action", root: r, result });
        }
        if (b) sizes.set(li, b.length);
        if (state === NOT_TEMPLATE && b) {
          const text = decodes(b);
          if (text !== undefined && !mayHoldTrustTemplate(text)) now = NOT_TEMPLATE;
        }
      } else if (kind === "exists") {
        now = lookState({ kind, absPath, root: r, found: loader.exists(absPath, r) });
      } else {
        now = lookState({ kind, absPath, root: r, text: loader.readText(absPath, r) });
      }
      if (now !== state) changed(li);
    });
    return bytes;
  }

  /** Lints `part`, recording every look at the disk and what made it. */
  private async read(req: LintRequest, part: LintPart, spent: number): Promise<{ core: CoreResult; reading: Reading; storable: boolean }> {
    const loader = new FileLoader(req.cwd);
    const targets = new Set(part.targets.map((t) => t.absPath));
    const reading: Reading = {
      looks: new Map(),
      trustLooks: new Set(),
      bytes: new Map(),
      consistent: true,
      at: { targets: part.targets.map((t) => t.absPath), claims: new Map(), unattributed: false, stubs: new Map() },
    };
    const at = reading.at;
    const claim = (owner: string, abs: string) => {
      let set = at.claims.get(owner);
      if (!set) at.claims.set(owner, (set = new Set()));
      set.add(abs);
    };
    let stage: LintStage | undefined;
    const graphLooks: string[] = [];
    // Looks some other stage also made keep their exact state (see NOT_TEMPLATE).
    const strict = new Set<string>();
    loader.onDisk = (look) => {
      // The cache file read as a possible template (see walksHash): not an input of the findings.
      if (look.absPath === this.file) return;
      const l = lookOf(look);
      const k = lookKey(l);
      const before = reading.looks.get(k);
      // The same file read twice with different bytes: it changed under the lint; not stored.
      if (before && before[4] !== l[4]) reading.consistent = false;
      if (!before) reading.looks.set(k, l);
      if (look.kind === "read" && look.result.ok && look.result.raw.size === undefined && !reading.bytes.has(look.absPath)) reading.bytes.set(look.absPath, look.result.raw.bytes);
      if (stage === "targets" && targets.has(look.absPath)) claim(look.absPath, look.absPath);
      else if (stage === "graph") graphLooks.push(look.absPath);
      else if (stage === "trust") reading.trustLooks.add(k);
      else at.unattributed = true;
      if (stage !== "trust") strict.add(k);
    };
    const core = await lintCore(req, part, {
      expansionSpent: spent,
      loader,
      onStage: (s) => (stage = s),
      onAccess: (owner, access) => {
        if (owner.absPath !== undefined) claim(owner.absPath, access.absPath);
        else at.unattributed = true;
      },
    });
    loader.onDisk = undefined;
    // Under the reading budget every candidate is read, so only which ones can hold a role matters.
    const trust = core.graph.trust;
    if (trust?.allTemplatesRead && trust.skippedTemplates.length > 0) {
      const skipped = new Set(trust.skippedTemplates);
      for (const k of reading.trustLooks) {
        const l = reading.looks.get(k)!;
        if (l[0] === "read" && skipped.has(l[1]) && !strict.has(k)) l[4] = NOT_TEMPLATE;
      }
    }
    const claimed = new Set([...at.claims.values()].flatMap((s) => [...s]));
    if (graphLooks.some((p) => !claimed.has(p))) at.unattributed = true;
    for (const n of part.notices) at.stubs.set(loader.display(n.absPath), n.absPath);
    for (const t of part.targets) at.stubs.set(loader.display(t.absPath), t.absPath);
    const storable = reading.consistent && !(core.graph.expansion?.exhausted ?? false) && core.internalErrors.length === 0 && core.emptyFailures.length === 0;
    return { core, reading, storable };
  }

  private async lint(req: LintRequest, part: LintPart, spent: number, found: Discovery, id: string, base: string): Promise<Outcome> {
    // The walks first: a file added while the lint runs then fails the next run's comparison.
    const walks = walksHash(req, part, this.file);
    const { core, reading, storable } = await this.read(req, part, spent);
    if (!storable) {
      if (this.entries.delete(id)) this.changed = true;
      return outcomeOf(core, found, part);
    }
    const groups = splitLint(core, reading.at);
    this.stats.groupsLinted += counted(groups);
    this.remember(id, base, walks, part, groups, reading, core.activeRules, undefined, reading.bytes);
    return merged(part, [...core.activeRules], groups);
  }

  /** Stores the groups of a repository (kept ones bring their looks from `old`); nothing when they cannot be stored exactly. */
  private remember(id: string, base: string, walks: string, part: LintPart, groups: ReadonlyArray<Kept | Group>, reading: Reading, activeRules: ReadonlySet<string>, old: Entry | undefined, bytes: ReadonlyMap<string, Uint8Array>): void {
    const entry = storeEntry(base, walks, part, groups, reading, [...activeRules], old, bytes);
    if (entry) this.entries.set(id, entry);
    else this.entries.delete(id);
    this.changed = true;
  }

  /** Writes the file when a repository was linted again (entries of repositories not in this run are dropped). */
  save(): void {
    for (const id of [...this.entries.keys()]) {
      if (!this.used.has(id)) {
        this.entries.delete(id);
        this.changed = true;
      }
    }
    if (!this.changed || !this.writable) return;
    const problem = writeCache(this.file, this.entries);
    if (problem) this.log(`cannot write cache ${this.file}: ${problem}`);
  }
}

/** One outcome of the repository from its groups. */
function merged(part: LintPart, activeRules: readonly string[], groups: ReadonlyArray<Group>): Outcome {
  const order = new Map(part.targets.map((t, i) => [t.absPath, i]));
  return {
    repositories: part.repositories,
    roots: part.roots,
    findings: groups.flatMap((g) => g.findings),
    suppressed: groups.flatMap((g) => g.suppressed),
    internalErrors: [],
    usedEntries: new Set(groups.flatMap((g) => g.usedEntries)),
    activeRules: new Set(activeRules),
    repoPaths: new Map(groups.flatMap((g) => g.repoPaths)),
    files: groups.flatMap((g) => g.files),
    roles: groups.flatMap((g) => g.roles),
    arns: [...new Set(groups.flatMap((g) => g.arns))],
    runSources: groups
      .flatMap((g) => g.runSources)
      .sort((a, b) => (order.get(a.absPath) ?? -1) - (order.get(b.absPath) ?? -1))
      .map((s) => s.source),
    spent: groups.reduce((n, g) => n + g.spent, 0),
    exhausted: false,
    emptyFailures: [],
  };
}

/**
 * Reads the common file quickly: a regular file, not a symbolic link itself, in a folder whose real
 * path lies inside the repository's, of at most the loader's size limit. For such a file the
 * loader's checks (fs/safe-read.ts) pass and its bytes are the ones read here; anything else
 * (undefined) goes through the loader, whose answer the cache compares exactly. Opening with
 * O_NOFOLLOW and asking the real path once per folder spares an lstat and a component-by-component
 * real path per file.
 */
class QuickReader {
  private readonly dirs = new Map<string, boolean>();
  private readonly roots = new Map<string, string>();

  read(absPath: string, root: string): Uint8Array | undefined {
    if (fs.constants.O_NOFOLLOW === undefined) return undefined;
    if (!this.inside(path.dirname(absPath), root)) return undefined;
    let fd: number;
    try {
      fd = fs.openSync(absPath, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0) | fs.constants.O_NOFOLLOW);
    } catch {
      return undefined;
    }
    try {
      const st = fs.fstatSync(fd);
      if (!st.isFile() || st.size > MAX_FILE_BYTES) return undefined;
      // One byte more than the size: a file that grew since is left to the loader. A regular file's
      // read returns less than asked for only at its end.
      const buf = Buffer.allocUnsafe(st.size + 1);
      let got = 0;
      for (;;) {
        const n = fs.readSync(fd, buf, got, buf.length - got, null);
        got += n;
        if (got === buf.length) return undefined;
        if (n === 0 || got === st.size) break;
      }
      return got > MAX_FILE_BYTES ? undefined : buf.subarray(0, got);
    } catch {
      return undefined;
    } finally {
      fs.closeSync(fd);
    }
  }

  /** Whether the folder's real path is inside the root's (as fs/safe-read.ts resolves both). */
  private inside(dir: string, root: string): boolean {
    const key = `${root}\u0000${dir}`;
    let ok = this.dirs.get(key);
    if (ok === undefined) {
      let realRoot = this.roots.get(root);
      if (realRoot === undefined) {
        try {
          realRoot = fs.realpathSync(root);
        } catch {
          realRoot = root;
        }
        this.roots.set(root, realRoot);
      }
      try {
        ok = isInside(realRoot, fs.realpathSync(dir));
      } catch {
        ok = false;
      }
      this.dirs.set(key, ok);
    }
    return ok;
  }
}

/** The findings of each entry read, unpacked when the file was checked. */
const unpacked = new WeakMap<Entry, NonNullable<ReturnType<typeof unpack>>>();

/** The absolute path of each of an entry's targets. */
const targetPaths = new WeakMap<Entry, string[]>();
function targetPathsOf(entry: Entry): string[] {
  let out = targetPaths.get(entry);
  if (!out) {
    out = entry.targets.map((t) => (JSON.parse(t) as [string])[0]);
    targetPaths.set(entry, out);
  }
  return out;
}

/**
 * The entry for these groups; undefined when something in them cannot be stored exactly (a field
 * the findings codec does not know). Kept groups bring their looks from `old`, which the check
 * found unchanged; `bytes` are the files' bytes as read (a stored file's text is left out when it
 * is exactly them).
 */
function storeEntry(base: string, walks: string, part: LintPart, groups: ReadonlyArray<Kept | Group>, reading: Reading, activeRules: string[], old: Entry | undefined, bytes: ReadonlyMap<string, Uint8Array>): Entry | undefined {
  const findings = groups.flatMap((g) => g.findings);
  const suppressed = groups.flatMap((g) => g.suppressed);
  let packed: PackedFindings;
  try {
    packed = pack(findings, suppressed);
  } catch {
    return undefined;
  }
  const targets = part.targets.map(targetJson);
  const targetIndex = new Map(part.targets.map((t, i) => [t.absPath, i]));
  const looks: Look[] = [];
  const lookIndex = new Map<string, number>();
  const addLook = (l: Look): number => {
    const k = lookKey(l);
    let i = lookIndex.get(k);
    if (i === undefined) {
      i = looks.length;
      looks.push(l);
      lookIndex.set(k, i);
    }
    return i;
  };
  const files: StoredFile[] = [];
  const fileIndex = new Map<string, number>();
  const addFile = (f: SourceFile): number => {
    let i = fileIndex.get(f.path);
    if (i === undefined) {
      const out: StoredFile = { path: f.path, repoPath: f.repoPath, kind: f.kind };
      if (f.absPath !== undefined) out.absPath = f.absPath;
      if (f.root !== undefined) out.root = f.root;
      const b = f.absPath !== undefined ? bytes.get(f.absPath) : undefined;
      if (!(b && decodes(b) === f.text)) out.text = f.text;
      i = files.length;
      files.push(out);
      fileIndex.set(f.path, i);
    }
    return i;
  };
  // Fresh looks: to the groups whose workflows made them, and those of the infrastructure-code reading to the rest.
  const freshGroups = groups.filter((g): g is Group => !("stored" in g));
  const freshRest = freshGroups.find((g) => g.rest);
  const freshLooks = new Map<Group, Set<number>>(freshGroups.map((g) => [g, new Set()]));
  const freshClaimed = new Map<Group, Set<number>>(freshGroups.map((g) => [g, new Set()]));
  const claimedBy = new Map<string, Group[]>();
  for (const g of freshGroups) {
    for (const p of g.claimed) {
      const list = claimedBy.get(p);
      if (list) list.push(g);
      else claimedBy.set(p, [g]);
    }
  }
  for (const [k, l] of reading.looks) {
    const i = addLook(l);
    let placed = false;
    for (const g of claimedBy.get(l[1]) ?? []) {
      freshLooks.get(g)!.add(i);
      freshClaimed.get(g)!.add(i);
      placed = true;
    }
    if (reading.trustLooks.has(k) && freshRest) {
      freshLooks.get(freshRest)!.add(i);
      placed = true;
    }
    // Not attributed (groups.ts then made one group): every group depends on it.
    if (!placed) for (const g of freshGroups) freshLooks.get(g)!.add(i);
  }
  let at = 0;
  let atSuppressed = 0;
  const stored = groups.map((g): StoredGroup => {
    let claimed: number[];
    let gl: number[];
    if ("stored" in g) {
      claimed = g.stored.claimed.map((i) => addLook(old!.looks[i]!));
      gl = g.stored.looks.map((i) => addLook(old!.looks[i]!));
    } else {
      claimed = [...freshClaimed.get(g)!];
      gl = [...freshLooks.get(g)!];
    }
    const out: StoredGroup = {
      targets: g.targets.map((t) => targetIndex.get(t)!),
      rest: g.rest,
      claimed,
      looks: gl,
      findings: [at, (at += g.findings.length)],
      suppressed: [atSuppressed, (atSuppressed += g.suppressed.length)],
      files: g.files.map(addFile),
      usedEntries: g.usedEntries,
      repoPaths: g.repoPaths,
      roles: g.roles.map((r) => (r.configured !== undefined ? { name: r.name, configured: r.configured } : { name: r.name })),
      arns: g.arns,
      oidc: g.oidc,
      runSources: g.runSources.map((s): [number, RunSource] => [targetIndex.get(s.absPath)!, s.source]),
      spent: g.spent,
    };
    return out;
  });
  if (stored.some((g) => g.targets.some((t) => t === undefined) || g.runSources.some(([t]) => t === undefined))) return undefined;
  const entry: Entry = { base, targets, walks, looks, packed, files, activeRules, groups: stored };
  unpacked.set(entry, { findings, suppressed });
  return entry;
}

/** A stored group back as the run keeps it; undefined when a file's text cannot be had. */
function restoreGroup(entry: Entry, g: StoredGroup, bytes: ReadonlyMap<string, Uint8Array>): Kept | undefined {
  const found = unpacked.get(entry) ?? unpack(entry.packed);
  if (!found) return undefined;
  unpacked.set(entry, found);
  const paths = targetPathsOf(entry);
  const files: SourceFile[] = [];
  for (const i of g.files) {
    const f = entry.files[i]!;
    let text = f.text;
    if (text === undefined) {
      const b = f.absPath !== undefined ? bytes.get(f.absPath) : undefined;
      text = b ? decodes(b) : undefined;
      if (text === undefined) return undefined;
    }
    const file: SourceFile = { path: f.path, repoPath: f.repoPath, kind: f.kind, text };
    if (f.absPath !== undefined) file.absPath = f.absPath;
    if (f.root !== undefined) file.root = f.root;
    files.push(file);
  }
  return {
    stored: g,
    targets: g.targets.map((t) => paths[t]!),
    rest: g.rest,
    claimed: new Set(g.claimed.map((i) => entry.looks[i]![1])),
    findings: found.findings.slice(g.findings[0], g.findings[1]),
    suppressed: found.suppressed.slice(g.suppressed[0], g.suppressed[1]),
    files,
    usedEntries: g.usedEntries,
    repoPaths: g.repoPaths,
    roles: g.roles as TrustRole[],
    arns: g.arns,
    oidc: g.oidc,
    runSources: g.runSources.map(([t, source]) => ({ absPath: paths[t]!, source })),
    spent: g.spent,
  };
}

function decodes(b: Uint8Array): string | undefined {
  try {
    return decoder.decode(b);
  } catch {
    return undefined;
  }
}

const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === "string");
const ints = (v: unknown, below: number): v is number[] => Array.isArray(v) && v.every((x) => Number.isInteger(x) && x >= 0 && x < below);
const span = (v: unknown, below: number): v is [number, number] => Array.isArray(v) && v.length === 2 && Number.isInteger(v[0]) && Number.isInteger(v[1]) && v[0] >= 0 && v[0] <= v[1] && v[1] <= below;

/** The shape of an entry, checked before any of it is used (a wrong one makes the whole file ignored). */
function validEntry(e: unknown): e is Entry {
  if (!isObject(e) || typeof e.base !== "string" || typeof e.walks !== "string" || !strings(e.targets) || !Array.isArray(e.looks) || !strings(e.activeRules)) return false;
  const targetCount = e.targets.length;
  for (const t of e.targets) {
    try {
      const v: unknown = JSON.parse(t);
      if (!Array.isArray(v) || typeof v[0] !== "string") return false;
    } catch {
      return false;
    }
  }
  for (const l of e.looks) {
    if (!Array.isArray(l) || l.length !== 5 || !["read", "exists", "text"].includes(l[0]) || typeof l[1] !== "string" || typeof l[2] !== "string" || !(l[3] === null || typeof l[3] === "string") || typeof l[4] !== "string") return false;
  }
  if (!Array.isArray(e.files) || !e.files.every((f) => isObject(f) && typeof f.path === "string" && typeof f.repoPath === "string" && typeof f.kind === "string" && (f.text === undefined || typeof f.text === "string"))) return false;
  const found = unpack(e.packed);
  if (!found) return false;
  if (!Array.isArray(e.groups) || e.groups.filter((g) => isObject(g) && g.rest === true).length !== 1) return false;
  for (const g of e.groups) {
    if (
      !(
        isObject(g) &&
        ints(g.targets, e.targets.length) &&
        typeof g.rest === "boolean" &&
        ints(g.claimed, e.looks.length) &&
        ints(g.looks, e.looks.length) &&
        span(g.findings, found.findings.length) &&
        span(g.suppressed, found.suppressed.length) &&
        ints(g.files, e.files.length) &&
        strings(g.usedEntries) &&
        Array.isArray(g.repoPaths) &&
        g.repoPaths.every((p) => Array.isArray(p) && p.length === 2 && typeof p[0] === "string" && typeof p[1] === "string") &&
        Array.isArray(g.roles) &&
        g.roles.every((r) => isObject(r) && isObject(r.name)) &&
        strings(g.arns) &&
        typeof g.oidc === "boolean" &&
        Array.isArray(g.runSources) &&
        g.runSources.every((s) => Array.isArray(s) && s.length === 2 && Number.isInteger(s[0]) && s[0] >= 0 && s[0] < targetCount && isObject(s[1]) && typeof s[1].repoPath === "string" && strings(s[1].triggers)) &&
        typeof g.spent === "number"
      )
    )
      return false;
  }
  unpacked.set(e as unknown as Entry, found);
  return true;
}
