/**
 * `--cache`: a repository's lint result, reused while nothing it was computed from has changed.
 *
 * An entry covers one repository of the run (engine/run.ts lints them one after another) and is
 * used only when all of these are as they were:
 *
 * - the run key: credflow's version and a hash of the running code, Node's version, the working
 *   directory (paths are shown relative to it), the settings (flags, `.credflow.yml`, the
 *   repository identity from `--repository`, GITHUB_REPOSITORY or the git remote, the default
 *   branch), the parsed configuration with where each entry is written, the rule options given on
 *   the command line and `--report-unused-suppressions`;
 * - the repository's part of the discovery (which workflow and action files, which folders, the
 *   notices) and the expansion budget earlier repositories of the run spent;
 * - every look the lint took at the disk, with what it found: each file read (its bytes' hash, or
 *   why it could not be read), each file only looked for (a Dockerfile: there or not), each small
 *   text (`.gitmodules`), including looks that found nothing (a composite that was missing must
 *   still be missing);
 * - what the walks for infrastructure code find (a Terraform file or a template added or removed).
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
import { trustCandidates } from "../iac/load.js";
import { isInside } from "../fs/paths.js";
import { MAX_FILE_BYTES } from "../parse/parse-file.js";
import { lintCore, type LintPart, type LintRequest } from "../engine/lint.js";
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

interface StoredOutcome extends Omit<Outcome, "findings" | "suppressed" | "usedEntries" | "activeRules" | "repoPaths" | "files" | "roles" | "emptyFailures"> {
  /** The findings and the suppressed ones (findings-codec.ts). */
  packed: PackedFindings;
  usedEntries: string[];
  activeRules: string[];
  repoPaths: Array<[string, string]>;
  files: StoredFile[];
  /** What matching roles across repositories needs of them (rolesNamed): name and configured key. */
  roles: Array<Pick<TrustRole, "name" | "configured">>;
}

export interface Entry {
  /** Hash of the run key, the repository's part of the discovery and the budget spent before it. */
  key: string;
  /** Hash of what the infrastructure-code walks found. */
  walks: string;
  looks: Look[];
  outcome: StoredOutcome;
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
  paths: "discovery: the repository's part (files, folders, notices) is in the entry key",
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

/**
 * A hash of the code that runs: the bundle (dist/credflow-core.cjs) when credflow runs from it, else the
 * module's own file (a development run from the sources), so a rebuilt credflow of the same
 * version never reuses an older build's results.
 */
export function buildId(): string {
  if (buildHash === undefined) {
    let bytes: Uint8Array;
    try {
      bytes = fs.readFileSync(fileURLToPath(import.meta.url));
    } catch {
      bytes = new TextEncoder().encode(String(Date.now()) + Math.random());
    }
    buildHash = sha256(bytes);
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

/** A run's cache: read once, consulted per repository, written once at the end when it changed. */
export class LintCache {
  private readonly entries: Map<string, Entry>;
  private readonly writable: boolean;
  private readonly used = new Set<string>();
  private changed = false;
  /** How many repositories were answered from the cache, and how many were linted. */
  readonly stats = { hits: 0, misses: 0 };

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
    const key = sha256(JSON.stringify([this.key, part, spent]));
    this.used.add(id);
    const entry = this.entries.get(id);
    if (entry && entry.key === key) {
      const hit = this.check(entry, req, part);
      if (hit) {
        this.stats.hits++;
        return hit;
      }
    }
    this.stats.misses++;
    return this.lint(req, part, spent, found, id, key);
  };

  /** The stored outcome when every look finds what it found, else undefined. */
  private check(entry: Entry, req: LintRequest, part: LintPart): Outcome | undefined {
    if (walksHash(req, part, this.file) !== entry.walks) return undefined;
    const loader = new FileLoader(req.cwd);
    const bytes = new Map<string, Uint8Array>();
    loader.onDisk = (look) => {
      if (look.kind === "read" && look.result.ok && look.result.raw.size === undefined) bytes.set(look.absPath, look.result.raw.bytes);
    };
    const quick = new QuickReader();
    for (const [kind, absPath, fileKind, root, state] of entry.looks) {
      const r = root ?? undefined;
      let now: string;
      if (kind === "read") {
        const b = r === undefined ? undefined : quick.read(absPath, r);
        if (b) {
          bytes.set(absPath, b);
          now = `h:${sha256(b)}`;
        } else {
          now = lookState({ kind, absPath, fileKind: fileKind as "workflow" | "action", root: r, result: loader.readRaw(absPath, fileKind as "workflow" | "action", r) });
        }
      } else if (kind === "exists") {
        now = lookState({ kind, absPath, root: r, found: loader.exists(absPath, r) });
      } else {
        now = lookState({ kind, absPath, root: r, text: loader.readText(absPath, r) });
      }
      if (now !== state) return undefined;
    }
    return restore(entry.outcome, bytes);
  }

  private async lint(req: LintRequest, part: LintPart, spent: number, found: Discovery, id: string, key: string): Promise<Outcome> {
    // The walks first: a file added while the lint runs then fails the next run's comparison.
    const walks = walksHash(req, part, this.file);
    const loader = new FileLoader(req.cwd);
    const looks = new Map<string, Look>();
    const bytes = new Map<string, Uint8Array>();
    let consistent = true;
    loader.onDisk = (look) => {
      // The cache file read as a possible template (see walksHash): not an input of the findings.
      if (look.absPath === this.file) return;
      const l = lookOf(look);
      const at = `${l[0]}\u0000${l[1]}\u0000${l[2]}\u0000${l[3]}`;
      const before = looks.get(at);
      // The same file read twice with different bytes: it changed under the lint; not stored.
      if (before && before[4] !== l[4]) consistent = false;
      if (!before) looks.set(at, l);
      if (look.kind === "read" && look.result.ok && look.result.raw.size === undefined && !bytes.has(look.absPath)) bytes.set(look.absPath, look.result.raw.bytes);
    };
    const core = await lintCore(req, part, { expansionSpent: spent, loader });
    loader.onDisk = undefined;
    const outcome = outcomeOf(core, found, part);
    const cacheable = consistent && !outcome.exhausted && outcome.internalErrors.length === 0 && outcome.emptyFailures.length === 0;
    const stored = cacheable ? store(outcome, bytes) : undefined;
    if (stored) {
      this.entries.set(id, { key, walks, looks: [...looks.values()], outcome: stored });
      this.changed = true;
    } else if (this.entries.delete(id)) {
      this.changed = true;
    }
    return outcome;
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

/** The outcome as stored; undefined when it holds something the cache cannot store exactly. */
function store(o: Outcome, bytes: ReadonlyMap<string, Uint8Array>): StoredOutcome | undefined {
  let packed: PackedFindings;
  try {
    packed = pack(o.findings, o.suppressed);
  } catch {
    return undefined;
  }
  const files = o.files.map((f): StoredFile => {
    const out: StoredFile = { path: f.path, repoPath: f.repoPath, kind: f.kind };
    if (f.absPath !== undefined) out.absPath = f.absPath;
    if (f.root !== undefined) out.root = f.root;
    const b = f.absPath !== undefined ? bytes.get(f.absPath) : undefined;
    if (!(b && decodes(b) === f.text)) out.text = f.text;
    return out;
  });
  return {
    repositories: o.repositories,
    roots: o.roots,
    packed,
    internalErrors: [],
    usedEntries: [...o.usedEntries],
    activeRules: [...o.activeRules],
    repoPaths: [...o.repoPaths],
    files,
    roles: o.roles.map((r) => (r.configured !== undefined ? { name: r.name, configured: r.configured } : { name: r.name })),
    arns: o.arns,
    runSources: o.runSources,
    spent: o.spent,
    exhausted: false,
  };
}

/** The findings of each entry read, unpacked when the file was checked. */
const unpacked = new WeakMap<StoredOutcome, NonNullable<ReturnType<typeof unpack>>>();

function restore(s: StoredOutcome, bytes: ReadonlyMap<string, Uint8Array>): Outcome | undefined {
  const found = unpacked.get(s) ?? unpack(s.packed);
  if (!found) return undefined;
  const files: SourceFile[] = [];
  for (const f of s.files) {
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
    repositories: s.repositories,
    roots: s.roots,
    findings: found.findings,
    suppressed: found.suppressed,
    internalErrors: [],
    usedEntries: new Set(s.usedEntries),
    activeRules: new Set(s.activeRules),
    repoPaths: new Map(s.repoPaths),
    files,
    roles: s.roles as TrustRole[],
    arns: s.arns,
    runSources: s.runSources,
    spent: s.spent,
    exhausted: false,
    emptyFailures: [],
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
/** The shape of an entry, checked before any of it is used (a wrong one makes the whole file ignored). */
function validEntry(e: unknown): e is Entry {
  if (!isObject(e) || typeof e.key !== "string" || typeof e.walks !== "string" || !Array.isArray(e.looks)) return false;
  for (const l of e.looks) {
    if (!Array.isArray(l) || l.length !== 5 || !["read", "exists", "text"].includes(l[0]) || typeof l[1] !== "string" || typeof l[2] !== "string" || !(l[3] === null || typeof l[3] === "string") || typeof l[4] !== "string") return false;
  }
  const o = e.outcome;
  if (!isObject(o)) return false;
  return (
    strings(o.repositories) &&
    strings(o.roots) &&
    strings(o.usedEntries) &&
    strings(o.activeRules) &&
    Array.isArray(o.repoPaths) &&
    o.repoPaths.every((p) => Array.isArray(p) && p.length === 2 && typeof p[0] === "string" && typeof p[1] === "string") &&
    Array.isArray(o.files) &&
    o.files.every((f) => isObject(f) && typeof f.path === "string" && typeof f.repoPath === "string" && typeof f.kind === "string" && (f.text === undefined || typeof f.text === "string")) &&
    Array.isArray(o.roles) &&
    o.roles.every((r) => isObject(r) && isObject(r.name)) &&
    strings(o.arns) &&
    Array.isArray(o.runSources) &&
    o.runSources.every((w) => isObject(w) && typeof w.repoPath === "string" && strings(w.triggers)) &&
    typeof o.spent === "number" &&
    decoded(o as unknown as StoredOutcome)
  );
}

/** Unpacks the findings (kept for `restore`); false when they are malformed. */
function decoded(o: StoredOutcome): boolean {
  const found = unpack(o.packed);
  if (found) unpacked.set(o, found);
  return found !== undefined;
}
