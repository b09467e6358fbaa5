/**
 * Path logic for credentials-in-cache: which files a `path:` input of actions/cache or
 * actions/upload-artifact takes, on a model of a GitHub-hosted Linux runner's file system.
 *
 * Both actions match their patterns with `@actions/glob` (minimatch with `dot: true`, no braces;
 * `~` expands to the home directory; nothing else is expanded: `$HOME` stays literal text,
 * actions/cache#1332). They differ in what a match means:
 *  - actions/cache globs without implicit descendants and hands the matches to `tar`, which takes a
 *    matched directory whole; a `!` pattern only removes items it matches exactly, so it cannot cut
 *    a file out of a directory that is saved whole (actions/toolkit#713).
 *  - actions/upload-artifact globs with implicit descendants and uploads files one by one, so a `!`
 *    pattern removes everything under what it matches. From v3.2.0 / v4.4.0 it also skips every item
 *    whose name starts with a dot while walking down from each search root, the root included,
 *    unless `include-hidden-files: true`.
 * In both, patterns apply in order: a later positive pattern takes back what an earlier `!` removed.
 */
import * as posix from "node:path/posix";

/** The runner account's home directory on GitHub-hosted Linux runners. */
export const HOME = "/home/runner";
/** Stands for the repository name in the workspace path: wildcards match it, literal text does not. */
export const REPO = "\u27e8repo\u27e9";
/** `github.workspace`: `/home/runner/work/<repo>/<repo>`. */
export const WORKSPACE = `${HOME}/work/${REPO}/${REPO}`;
/** `runner.temp`. */
export const RUNNER_TEMP = `${HOME}/work/_temp`;
const TOOL_CACHE = "/opt/hostedtoolcache";

/** Where other runner images and container jobs put the same directories. */
const ALIASES: ReadonlyArray<[string, string]> = [
  ["/github/home", HOME],
  ["/github/workspace", WORKSPACE],
  ["/github/runner_temp", RUNNER_TEMP],
  ["/Users/runner", HOME],
];

/** One line of a `path:` input, resolved to an absolute pattern on the runner. */
export interface PathPattern {
  /** The line as the action read it (after expression substitution), trimmed. */
  text: string;
  negate: boolean;
  /** Absolute pattern, `/`-separated, normalised (`.`/`..` removed). */
  pattern: string;
  segments: string[];
  /**
   * Set when the line starts with a shell variable (`$HOME`, `${RUNNER_TEMP}`…). The actions do not
   * expand it, so the line names a directory called `$HOME` in the workspace and matches nothing;
   * `pattern` is what the author meant, for a warning about intent.
   */
  unexpandedVariable?: string;
}

/** Resolves `${{ … }}` expressions in a line; undefined when the value cannot be known. */
export type ExpressionResolver = (expr: string) => string | undefined;

const SHELL_ROOTS: Readonly<Record<string, string>> = {
  HOME,
  GITHUB_WORKSPACE: WORKSPACE,
  RUNNER_TEMP,
  PWD: WORKSPACE,
};

/** `github.workspace`, `runner.temp`, `runner.tool_cache`; anything else is for the caller. */
export function builtinExpression(expr: string): string | undefined {
  const e = expr.trim();
  if (e === "github.workspace") return WORKSPACE;
  if (e === "runner.temp") return RUNNER_TEMP;
  if (e === "runner.tool_cache") return TOOL_CACHE;
  return undefined;
}

/** Replaces every `${{ … }}`; undefined when one of them cannot be resolved. */
export function substituteExpressions(text: string, resolve: ExpressionResolver): string | undefined {
  let unknown = false;
  const out = text.replace(/\$\{\{([\s\S]*?)\}\}/g, (_whole, inner: string) => {
    const v = builtinExpression(inner) ?? resolve(inner.trim());
    if (v === undefined) unknown = true;
    return v ?? "";
  });
  return unknown ? undefined : out;
}

/**
 * Splits a `path:` input into patterns, the way both actions read it: one per line, empty lines and
 * `#` comments dropped, `! x` read as `!x`. Lines whose expressions cannot be resolved, and Windows
 * paths, are returned in `unresolved`.
 */
export function parsePathInput(value: string, resolve: ExpressionResolver = () => undefined): { patterns: PathPattern[]; unresolved: string[] } {
  const patterns: PathPattern[] = [];
  const unresolved: string[] = [];
  for (const raw of value.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const p = resolvePattern(line, resolve);
    if (p) patterns.push(p);
    else unresolved.push(line);
  }
  return { patterns, unresolved };
}

/** Resolves one line; undefined when it holds an unknown expression or is not a Linux path. */
export function resolvePattern(line: string, resolve: ExpressionResolver = () => undefined): PathPattern | undefined {
  let text = line.trim();
  let negate = false;
  // @actions/glob: each leading `!` flips the pattern.
  while (text.startsWith("!")) {
    negate = !negate;
    text = text.slice(1).trim();
  }
  const substituted = substituteExpressions(text, resolve);
  if (substituted === undefined) return undefined;
  let body = substituted.trim();
  if (!body || /^[A-Za-z]:[\\/]/.test(body) || body.includes("\\")) return undefined;
  let unexpandedVariable: string | undefined;
  const v = /^\$(?:\{([A-Za-z_]\w*)\}|([A-Za-z_]\w*))(?=\/|$)/.exec(body);
  if (v) {
    const name = (v[1] ?? v[2])!;
    const root = SHELL_ROOTS[name];
    if (!root) return undefined;
    unexpandedVariable = `$${name}`;
    body = root + body.slice(v[0].length);
  }
  let abs: string;
  if (body === "~" || body.startsWith("~/")) abs = HOME + body.slice(1);
  else if (body.startsWith("/")) abs = body;
  else abs = `${WORKSPACE}/${body}`;
  const pattern = normalize(abs);
  return { text: line.trim(), negate, pattern, segments: splitPath(pattern), unexpandedVariable };
}

/**
 * Resolves a path the way a shell (and the AWS CLI, for AWS_SHARED_CREDENTIALS_FILE) would:
 * quotes removed, `~`, `$HOME`, `$GITHUB_WORKSPACE`, `$RUNNER_TEMP` and variables from `env`
 * expanded, relative paths taken from the workspace. Undefined when a part cannot be known.
 */
export function resolveShellPath(word: string, env: (name: string) => string | undefined = () => undefined, resolve: ExpressionResolver = () => undefined): string | undefined {
  const unquoted = substituteExpressions(word.trim(), resolve)?.replace(/^(["'])(.*)\1$/s, "$2");
  if (unquoted === undefined || unquoted === "") return undefined;
  let unknown = false;
  const expanded = unquoted.replace(/\$(?:\{([A-Za-z_]\w*)\}|([A-Za-z_]\w*))/g, (_w, a: string | undefined, b: string | undefined) => {
    const name = (a ?? b)!;
    const v = SHELL_ROOTS[name] ?? env(name);
    if (v === undefined) unknown = true;
    return v ?? "";
  });
  if (unknown || /[`$]/.test(expanded) || /^[A-Za-z]:[\\/]/.test(expanded)) return undefined;
  let abs: string;
  if (expanded === "~" || expanded.startsWith("~/")) abs = HOME + expanded.slice(1);
  else if (expanded.startsWith("/")) abs = expanded;
  else abs = `${WORKSPACE}/${expanded}`;
  return normalize(abs);
}

/** Absolute, `/`-separated, without `.`/`..` or a trailing slash; runner aliases mapped. */
export function normalize(abs: string): string {
  let p = posix.normalize(abs);
  if (p.length > 1 && p.endsWith("/")) p = p.slice(0, -1);
  for (const [from, to] of ALIASES) {
    if (p === from || p.startsWith(`${from}/`)) return to + p.slice(from.length);
  }
  return p;
}

export function splitPath(abs: string): string[] {
  return abs.split("/").filter((s) => s !== "");
}

/** A path for messages: `~/…`, `$GITHUB_WORKSPACE/…`, `$RUNNER_TEMP/…`. */
export function displayPath(abs: string): string {
  if (abs === WORKSPACE) return "$GITHUB_WORKSPACE";
  if (abs.startsWith(`${WORKSPACE}/`)) return `$GITHUB_WORKSPACE${abs.slice(WORKSPACE.length)}`;
  if (abs === RUNNER_TEMP) return "$RUNNER_TEMP";
  if (abs.startsWith(`${RUNNER_TEMP}/`)) return `$RUNNER_TEMP${abs.slice(RUNNER_TEMP.length)}`;
  if (abs === HOME) return "~";
  if (abs.startsWith(`${HOME}/`)) return `~${abs.slice(HOME.length)}`;
  return abs;
}

// ---------- glob matching ----------

/** One path segment against one glob segment: `*`, `?`, `[…]`, `\` escapes; dots are not special. */
export function segmentMatches(glob: string, name: string): boolean {
  return segmentRegex(glob).test(name);
}

const regexCache = new Map<string, RegExp>();

function segmentRegex(glob: string): RegExp {
  let re = regexCache.get(glob);
  if (re) return re;
  let src = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "\\" && i + 1 < glob.length) {
      src += escapeRegex(glob[++i]!);
    } else if (c === "*") {
      src += "[^/]*";
    } else if (c === "?") {
      src += "[^/]";
    } else if (c === "[") {
      const close = glob.indexOf("]", i + 2);
      if (close < 0) {
        src += "\\[";
        continue;
      }
      let body = glob.slice(i + 1, close);
      const negated = body.startsWith("!") || body.startsWith("^");
      if (negated) body = body.slice(1);
      src += `[${negated ? "^" : ""}${body.replace(/\\/g, "\\\\").replace(/\]/g, "\\]")}]`;
      i = close;
    } else {
      src += escapeRegex(c);
    }
  }
  re = new RegExp(`^${src}$`, "s");
  regexCache.set(glob, re);
  return re;
}

function escapeRegex(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

function isGlobSegment(seg: string): boolean {
  return /[*?[]/.test(seg);
}

/** Whole-path match; `**` spans any number of segments, none included. */
export function pathMatches(pattern: readonly string[], path: readonly string[]): boolean {
  const memo = new Map<number, boolean>();
  const go = (pi: number, li: number): boolean => {
    const key = pi * 10_000 + li;
    const cached = memo.get(key);
    if (cached !== undefined) return cached;
    let result: boolean;
    if (pi === pattern.length) result = li === path.length;
    else if (pattern[pi] === "**") result = go(pi + 1, li) || (li < path.length && go(pi, li + 1));
    else result = li < path.length && segmentMatches(pattern[pi]!, path[li]!) && go(pi + 1, li + 1);
    memo.set(key, result);
    return result;
  };
  return go(0, 0);
}

/**
 * A concrete path strictly below `dir` that `pattern` matches, if there can be one; wildcards are
 * filled with a made-up name. `~/.aws/*` gives `~/.aws/x` for `~/.aws`.
 */
export function witnessBelow(pattern: readonly string[], dir: readonly string[]): string[] | undefined {
  const go = (pi: number, li: number): string[] | undefined => {
    if (li === dir.length) {
      const rest = pattern.slice(pi).filter((s) => s !== "**");
      return rest.length ? [...dir, ...rest.map(instantiate)] : undefined;
    }
    if (pi === pattern.length) return undefined;
    if (pattern[pi] === "**") return go(pi, li + 1) ?? go(pi + 1, li);
    return segmentMatches(pattern[pi]!, dir[li]!) ? go(pi + 1, li + 1) : undefined;
  };
  return go(0, 0);
}

function instantiate(seg: string): string {
  if (!isGlobSegment(seg)) return seg.replace(/\\(.)/g, "$1");
  for (const candidate of [seg.replace(/\*/g, "").replace(/\?/g, "x").replace(/\[([^\]]*)\]/g, (_m, b: string) => (b.startsWith("!") || b.startsWith("^") ? "x" : b.charAt(0))), "x", "xx"]) {
    if (candidate && segmentMatches(seg, candidate)) return candidate;
  }
  return "x";
}

// ---------- coverage ----------

export interface CoverMode {
  /** `cache`: matched directories saved whole; `artifact`: files one by one. */
  kind: "cache" | "artifact";
  /** upload-artifact's default from v3.2.0 / v4.4.0: items named `.…` are skipped. */
  excludeHidden: boolean;
}

/** A credential location: a file, or a directory whose every file counts. */
export interface CredLocation {
  path: string;
  dir: boolean;
}

export interface Coverage {
  /** The positive pattern that brings (part of) the location in; the last one, as the globber applies them in order. */
  pattern: PathPattern;
  /** The item that is saved: the location, a directory above it, or a path below it. */
  item: string;
}

/**
 * Does this list of patterns save the location, or a file under it (for a directory location)?
 * Lines with an unexpanded shell variable are ignored here (they match nothing); see `intendedCoverage`.
 */
export function coverage(patterns: readonly PathPattern[], loc: CredLocation, mode: CoverMode): Coverage | undefined {
  return coverWith(patterns.filter((p) => !p.unexpandedVariable), loc, mode);
}

/**
 * What the lines with an unexpanded `$HOME`-style variable would save if the variable were expanded
 * (the author's intent); only lines of that kind can produce a result.
 */
export function intendedCoverage(patterns: readonly PathPattern[], loc: CredLocation, mode: CoverMode): Coverage | undefined {
  const c = coverWith(patterns, loc, mode);
  return c?.pattern.unexpandedVariable && !coverage(patterns, loc, mode) ? c : undefined;
}

function coverWith(patterns: readonly PathPattern[], loc: CredLocation, mode: CoverMode): Coverage | undefined {
  const positives = patterns.filter((p) => !p.negate);
  if (!positives.length) return undefined;
  const locSegs = splitPath(loc.path);
  const candidates: string[][] = [];
  if (mode.kind === "cache") {
    // A matched directory above the location goes into the tar whole.
    for (let n = 1; n <= locSegs.length; n++) candidates.push(locSegs.slice(0, n));
  } else {
    candidates.push(loc.dir ? [...locSegs, "\u27e8file\u27e9"] : locSegs);
  }
  if (loc.dir) {
    for (const p of positives) {
      const w = witnessBelow(p.segments, locSegs);
      if (w) candidates.push(w);
    }
  }
  const roots = mode.kind === "artifact" && mode.excludeHidden ? searchRoots(positives) : [];
  for (const item of candidates) {
    const by = matchInOrder(patterns, item, mode.kind === "artifact");
    if (!by) continue;
    if (roots.length && hiddenOnTheWay(roots, item)) continue;
    return { pattern: by, item: "/" + item.join("/") };
  }
  return undefined;
}

/**
 * The globber's verdict for one path: patterns in order, a positive one adds, a `!` one removes.
 * Returns the last positive pattern that matched when the path ends up included.
 */
export function matchInOrder(patterns: readonly PathPattern[], path: readonly string[], implicitDescendants: boolean): PathPattern | undefined {
  let by: PathPattern | undefined;
  for (const p of patterns) {
    const hit = pathMatches(p.segments, path) || (implicitDescendants && pathMatches([...p.segments, "**"], path));
    if (!hit) continue;
    by = p.negate ? undefined : p;
  }
  return by;
}

/** Literal prefixes of the positive patterns, without those inside another (as the globber dedupes them). */
export function searchRoots(positives: readonly PathPattern[]): string[][] {
  const roots = positives.map((p) => {
    const i = p.segments.findIndex(isGlobSegment);
    return i < 0 ? p.segments : p.segments.slice(0, i);
  });
  return roots.filter((r, i) => !roots.some((o, j) => j !== i && isPrefix(o, r) && (o.length < r.length || j < i)));
}

function isPrefix(prefix: readonly string[], path: readonly string[]): boolean {
  return prefix.length <= path.length && prefix.every((s, i) => s === path[i]);
}

/** True when the walk from the search root down to `item` passes an item named `.…` (root included). */
export function hiddenOnTheWay(roots: readonly string[][], item: readonly string[]): boolean {
  const root = roots.find((r) => isPrefix(r, item));
  if (!root) return false;
  const from = Math.max(root.length - 1, 0);
  return item.slice(from).some((s) => s.startsWith("."));
}
