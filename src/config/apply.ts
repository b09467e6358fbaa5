/** Applying a loaded configuration: settings, rule levels, ignored paths and findings. */
import picomatch from "picomatch/posix.js";
import type { Level, Location, Settings } from "../rules/types.js";
import { normalizeRepoPath } from "./load.js";
import { defaultBranchOf, resolveRepository } from "../discover/repository.js";
import type { CredflowConfig, IgnoredFinding } from "./types.js";

export const DEFAULT_SETTINGS: Readonly<Settings> = { visibility: "unknown" };

/**
 * Settings for rules: a CLI flag (a defined value of `cli`) wins over the file; the repository's
 * identity falls back to `GITHUB_REPOSITORY` and the checkout's `origin` remote (`env`, `root`).
 */
export function settingsFromConfig(
  config: CredflowConfig,
  cli: Partial<Pick<Settings, "visibility" | "defaultTokenPermissions">> & { repository?: string } = {},
  context: { env?: string; root?: string } = {},
): Settings {
  const settings: Settings = { visibility: cli.visibility ?? config.visibility ?? DEFAULT_SETTINGS.visibility };
  const tokens = cli.defaultTokenPermissions ?? config.defaultTokenPermissions;
  if (tokens) settings.defaultTokenPermissions = tokens;
  const repository = resolveRepository({ flag: cli.repository, config: config.repository, env: context.env, root: context.root });
  if (repository) settings.repository = repository;
  const branch = config.defaultBranch ?? (context.root ? defaultBranchOf(context.root) : undefined);
  if (branch) settings.defaultBranch = { name: branch, source: config.defaultBranch ? "config" : "origin remote" };
  if (config.subjectFormat) {
    settings.subjectFormat = { format: config.subjectFormat };
    if (config.ownerId) settings.subjectFormat.ownerId = config.ownerId;
    if (config.repositoryId) settings.subjectFormat.repositoryId = config.repositoryId;
  }
  if (config.subjectClaimKeys) settings.subjectClaimKeys = [...config.subjectClaimKeys];
  if (config.trustPolicies) settings.trustPolicies = { ...config.trustPolicies };
  return settings;
}

/**
 * The level configured for `ruleId` (`off` disables it), else `defaultLevel` (undefined when no
 * default is passed and the file sets no level).
 */
export function ruleLevel(config: CredflowConfig, ruleId: string, defaultLevel: Level): Level | "off";
export function ruleLevel(config: CredflowConfig, ruleId: string, defaultLevel?: Level): Level | "off" | undefined;
export function ruleLevel(config: CredflowConfig, ruleId: string, defaultLevel?: Level): Level | "off" | undefined {
  const rule = Object.hasOwn(config.rules, ruleId) ? config.rules[ruleId] : undefined;
  return rule?.level ?? defaultLevel;
}

/**
 * The options configured for `ruleId` (`rules.<id>.<option>`, top-level shorthands folded in by the
 * loader) under the command line's (`cli`, keyed by rule id); empty when none. The engine adds the
 * defaults from the rule's metadata and checks every value against the option's schema.
 */
export function ruleOptions(config: CredflowConfig, ruleId: string, cli: Readonly<Record<string, Record<string, unknown>>> = {}): Record<string, unknown> {
  const rule = Object.hasOwn(config.rules, ruleId) ? config.rules[ruleId] : undefined;
  const flags = Object.hasOwn(cli, ruleId) ? cli[ruleId] : undefined;
  return { ...rule?.options, ...flags };
}

/** Whether `repoPath` (relative to the repository root) matches one of the `ignore` globs. */
export function isIgnoredPath(config: CredflowConfig, repoPath: string): boolean {
  if (config.ignore.length === 0) return false;
  const path = normalizeRepoPath(repoPath);
  return config.ignore.some((glob) => cachedGlob(glob).test(path));
}

/**
 * Whether an `ignore-findings` entry covers a finding of `ruleId` starting on `line` of the file
 * at `repoPath` (relative to the repository root). Entry paths may be globs.
 */
export function isIgnoredFinding(config: CredflowConfig, ruleId: string, repoPath: string, line: number): boolean {
  return ignoringEntry(config, ruleId, repoPath, line) !== undefined;
}

/** The `ignore-findings` entry that covers a finding, written as `rule:path:line` (undefined when none). */
export function ignoringEntry(config: CredflowConfig, ruleId: string, repoPath: string, line: number): string | undefined {
  if (config.ignoreFindings.length === 0) return undefined;
  const path = normalizeRepoPath(repoPath);
  const entry = config.ignoreFindings.find(
    (e) => (e.rule === undefined || e.rule === ruleId) && (e.line === undefined || e.line === line) && cachedGlob(e.path).test(path),
  );
  return entry ? describeEntry(entry) : undefined;
}

/** `ignore-findings: rule:path:line` (the parts the entry has): how a hidden finding names its reason. */
function describeEntry(entry: IgnoredFinding): string {
  return `ignore-findings: ${[entry.rule, entry.path, entry.line].filter((x) => x !== undefined).join(":")}`;
}

/** Every `ignore-findings` entry with where it is written, described as `ignoringEntry` describes it. */
export function ignoreEntries(config: CredflowConfig): Array<{ reason: string; rule?: string; location?: Location }> {
  return config.ignoreFindings.map((e) => ({ reason: describeEntry(e), ...(e.rule ? { rule: e.rule } : {}), ...(e.location ? { location: e.location } : {}) }));
}

const globCache = new Map<string, RegExp>();

function cachedGlob(glob: string): RegExp {
  let re = globCache.get(glob);
  if (re === undefined) {
    re = globToRegExp(glob);
    if (globCache.size > 1000) globCache.clear();
    globCache.set(glob, re);
  }
  return re;
}

/**
 * picomatch, restricted to the documented glob language: `*`, `?`, `**` and `{a,b}`; no negation,
 * no `[...]` classes and no extglobs (`+(x)`), so those characters are literal. `dot`: `*` matches
 * dot files and folders too (`.github`). POSIX paths only (`picomatch/posix`), whatever the OS.
 */
const GLOB_OPTIONS: picomatch.PicomatchOptions = { dot: true, nobracket: true, noextglob: true, nonegate: true };

/**
 * Compiles a glob over repository-relative paths (`/` separators) to an anchored RegExp:
 * - `*` matches any characters except `/` (dot files included), `?` one character except `/`;
 * - `**` as a whole path segment matches any number of folders (`**‍/x.yml` matches `x.yml` and
 *   `a/b/x.yml`; a trailing `/**` matches everything below); elsewhere it acts as `*`;
 * - `{a,b}` matches either alternative (may nest; `*`, `?` work inside);
 * - a trailing `/` means everything below that folder; a leading `./` or `/` is ignored;
 *   backslashes are read as `/`; every other character is literal.
 * The glob is anchored at the root: `ci.yml` matches `ci.yml` only, not `sub/ci.yml`.
 */
export function globToRegExp(glob: string): RegExp {
  let g = normalizeRepoPath(glob).replace(/^\/+/, "");
  if (g.endsWith("/")) g += "**";
  if (g === "") return /^$/; // `./` alone: no file
  return picomatch.makeRe(toPicomatch(g), GLOB_OPTIONS);
}

/** Characters picomatch reads as regex or extglob syntax that are literal in credflow's globs. */
const PICOMATCH_SPECIAL = new Set(["(", ")", "[", "]", "!", "+", "@", "|", "^", "$"]);

/**
 * Spells a credflow glob the way picomatch reads it with the same meaning:
 * - escapes (with `\`, which never comes from the user: backslashes are read as `/`) what credflow
 *   takes literally but picomatch would not: the characters above, a brace without its partner, a
 *   brace pair without a comma inside (`{a}`), and a comma outside braces;
 * - a run of stars is `**` only as a whole segment, `*` anywhere else (picomatch would let
 *   `**{a,b}` cross folders);
 * - a trailing `/**` becomes `/**‍/*`: everything below the folder, not a file named like it.
 */
function toPicomatch(g: string): string {
  const literal = new Set<number>();
  const open: Array<{ at: number; comma: boolean }> = [];
  for (let i = 0; i < g.length; i++) {
    const c = g[i];
    if (c === "{") open.push({ at: i, comma: false });
    else if (c === "}") {
      const o = open.pop();
      if (!o) literal.add(i);
      else if (!o.comma) literal.add(o.at).add(i);
    } else if (c === ",") {
      const o = open[open.length - 1];
      if (o) o.comma = true;
      else literal.add(i);
    }
  }
  for (const o of open) literal.add(o.at);
  let out = "";
  for (let i = 0; i < g.length; ) {
    const c = g[i] as string;
    if (c === "*") {
      let j = i;
      while (g[j] === "*") j++;
      const segment = (i === 0 || g[i - 1] === "/") && (j === g.length || g[j] === "/");
      out += j - i >= 2 && segment ? (j === g.length && i > 0 ? "**/*" : "**") : "*";
      i = j;
      continue;
    }
    out += literal.has(i) || PICOMATCH_SPECIAL.has(c) ? `\\${c}` : c;
    i++;
  }
  return out;
}
