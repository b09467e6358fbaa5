/**
 * Loading `.credflow.yml`: read, parse with `yaml` (keeping ranges), validate with ajv against
 * `schema/credflow.schema.json`, and report every problem at its line and column.
 */
import * as fs from "node:fs";
import { readFileSafely, type Refusal } from "../fs/safe-read.js";
import * as nodePath from "node:path";
import type { ValidateFunction } from "ajv";
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from "yaml";
import type { Level, Location, Visibility } from "../rules/types.js";
import { describeErrors, excerpt, type ConfigProblem, type Located } from "./messages.js";
import { configSchema, newAjv, OPTION_ALIASES } from "./schema.js";
import { emptyConfig, type CredflowConfig, type IgnoredFinding, type LoadedConfig, type RuleConfig } from "./types.js";

export type { CredflowConfig, LoadedConfig } from "./types.js";
export type { ConfigProblem } from "./messages.js";
export { excerpt } from "./messages.js";

/** File names looked up at the repository root, in order. */
export const CONFIG_FILE_NAMES: readonly string[] = [".credflow.yml", ".credflow.yaml"];

/**
 * A configuration file that cannot be read, parsed or validated. `message` is one line,
 * `<display path>:<line>:<col>: <what is wrong>` for the first problem (by position);
 * `problems` lists all of them.
 */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  /** Display path of the configuration file. */
  readonly path: string;
  readonly line?: number;
  readonly column?: number;
  readonly problems: ConfigProblem[];

  constructor(path: string, problems: ConfigProblem[]) {
    const first = problems[0] ?? { message: "invalid configuration" };
    super(formatProblem(path, first));
    this.path = path;
    if (first.line !== undefined) this.line = first.line;
    if (first.column !== undefined) this.column = first.column;
    this.problems = problems;
  }
}

/** `path:line:col: message` (or `path: message` without a position). */
export function formatProblem(path: string, p: ConfigProblem): string {
  const where = p.line !== undefined ? `${path}:${p.line}:${p.column ?? 1}` : path;
  return `${where}: ${p.message}`;
}

/** Configuration files larger than this are refused from their size on disk, unread. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/**
 * Finds and loads the configuration: `explicitPath` (relative to `cwd`, default the current
 * directory) when given, else the first of `CONFIG_FILE_NAMES` at `root`. No file (and no
 * `explicitPath`) is an empty configuration. The display path is relative to `cwd`. Throws
 * `ConfigError`.
 *
 * A discovered file comes with the repository (a pull request may have added it): it must be a
 * regular file whose real path is inside `root`. An explicit file is the user's choice and may live
 * anywhere, but must be a regular file too. Either is refused above `MAX_CONFIG_BYTES`.
 */
export function loadConfig(opts: { root: string; explicitPath?: string; cwd?: string }): LoadedConfig {
  const cwd = opts.cwd ?? process.cwd();
  let abs: string | undefined;
  if (opts.explicitPath !== undefined) {
    abs = nodePath.resolve(cwd, opts.explicitPath);
  } else {
    abs = CONFIG_FILE_NAMES.map((name) => nodePath.resolve(opts.root, name)).find(exists);
    if (abs === undefined) return { config: emptyConfig() };
  }
  const display = displayPath(abs, cwd);
  // A discovered file is bounded by the repository; an explicit one is the user's choice.
  const read = readFileSafely(abs, { root: opts.explicitPath === undefined ? opts.root : undefined, maxBytes: MAX_CONFIG_BYTES });
  if (!read.ok) throw new ConfigError(display, [{ message: refusalMessage(read) }]);
  return { path: display, config: parseConfigText(read.bytes.toString("utf8"), display) };
}

/** Whether anything (a dangling link too) is at `abs`. */
function exists(abs: string): boolean {
  try {
    fs.lstatSync(abs);
    return true;
  } catch {
    return false;
  }
}

function refusalMessage(r: Refusal): string {
  const mib = `${MAX_CONFIG_BYTES / (1024 * 1024)} MiB`;
  switch (r.reason) {
    case "missing":
    case "error":
      return `cannot read configuration file (${r.code === "ENOENT" ? "no such file" : r.code === "EISDIR" ? "is a directory" : r.code})`;
    case "dangling-link":
      return `symbolic link to a missing or unreadable file (${r.code}); not read`;
    case "link":
    case "outside":
      return "symbolic link points outside the repository; not read";
    case "directory":
      return "cannot read configuration file (is a directory)";
    case "not-regular":
      return `not a regular file (${r.kind}); not read`;
    case "too-large":
      return r.size === undefined ? `larger than ${mib}; not read` : `larger than ${mib} (${r.size} bytes); not read`;
    case "changed":
      return "changed while being read; not read";
  }
}

/** Parses and validates configuration text; `displayPath` prefixes error messages. Throws `ConfigError`. */
export function parseConfigText(text: string, displayPath: string): CredflowConfig {
  // Strip a BOM so that columns on the first line match what editors show.
  const source = text.startsWith("\uFEFF") ? text.slice(1) : text;
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      displayPath,
      doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        const message = `YAML syntax error: ${oneLine(e.message)}`;
        return pos ? { line: pos.line, column: pos.col, message } : { message };
      }),
    );
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    throw new ConfigError(displayPath, [{ line: 1, column: 1, message: oneLine(String((err as Error).message ?? err)) }]);
  }
  if (data === null || data === undefined) return emptyConfig();

  const validate = validator();
  if (!validate(data)) {
    const problems = describeErrors(validate.errors ?? [], configSchema, (segments, key) => locate(doc, lineCounter, segments, key));
    throw new ConfigError(displayPath, problems);
  }
  return toConfig(data as RawConfig, (i) => entryLocation(doc, lineCounter, displayPath, i));
}

/** The first line of a parser message, without its position, escaped and capped (it may quote the file). */
function oneLine(message: string): string {
  const first = message.split("\n")[0] ?? message;
  return excerpt(first.replace(/ at line \d+, column \d+:?\s*$/, "").trim(), 160);
}

function displayPath(abs: string, cwd: string): string {
  const rel = nodePath.relative(cwd, abs);
  return (rel === "" ? abs : rel).split(nodePath.sep).join("/");
}

// ---------------------------------------------------------------------------------------------
// Validation

let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  compiled ??= newAjv().compile(configSchema);
  return compiled;
}

/** Position of the value at `segments` (or of `key` inside it); falls back to the nearest ancestor. */
function locate(doc: Document, lineCounter: LineCounter, segments: string[], key?: string): Located {
  let node: unknown = doc.contents;
  let keyOffset: number | undefined;
  let found = true;
  const steps = key === undefined ? segments : [...segments, key];
  for (let i = 0; i < steps.length; i++) {
    const seg = steps[i] as string;
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === seg);
      if (pair === undefined) {
        found = false;
        break;
      }
      const k = pair.key;
      keyOffset = isScalar(k) && k.range ? k.range[0] : keyOffset;
      if (key !== undefined && i === steps.length - 1) return position(lineCounter, keyOffset ?? 0);
      node = pair.value;
    } else if (isSeq(node)) {
      const item = node.items[Number(seg)];
      if (item === undefined) {
        found = false;
        break;
      }
      node = item;
      keyOffset = undefined;
    } else {
      found = false;
      break;
    }
  }
  const range = nodeRange(node);
  // An empty value (`key:` with nothing after it) is best shown at its key.
  const empty = isScalar(node) && node.value === null && node.source === "";
  if (found && range && !empty) return position(lineCounter, range[0]);
  if (keyOffset !== undefined) return position(lineCounter, keyOffset);
  if (range && !empty) return position(lineCounter, range[0]);
  return { line: 1, column: 1 };
}

function nodeRange(node: unknown): readonly number[] | undefined {
  if (typeof node !== "object" || node === null) return undefined;
  const range = (node as { range?: unknown }).range;
  return Array.isArray(range) && typeof range[0] === "number" ? (range as number[]) : undefined;
}

function position(lineCounter: LineCounter, offset: number): Located {
  const p = lineCounter.linePos(offset);
  return { line: p.line, column: p.col };
}

// ---------------------------------------------------------------------------------------------
// Conversion (the data has passed the schema)

interface RawConfig {
  rules?: Record<string, string | Record<string, unknown>> | null;
  visibility?: Exclude<Visibility, "unknown">;
  "default-token-permissions"?: "permissive" | "restricted";
  repository?: string;
  "default-branch"?: string;
  "subject-format"?: "names" | "immutable-ids";
  "owner-id"?: string;
  "repository-id"?: string;
  "subject-claim-keys"?: string[];
  "trust-policies"?: Record<string, string> | null;
  ignore?: string[] | null;
  "ignore-findings"?: Array<string | { rule?: string; path: string; line?: number }> | null;
  /** The option shorthands (`OPTION_ALIASES`). */
  [alias: string]: unknown;
}

function toConfig(raw: RawConfig, entryAt: (index: number) => Location | undefined): CredflowConfig {
  const config = emptyConfig();
  for (const [id, value] of Object.entries(raw.rules ?? {})) {
    const rule: RuleConfig = { options: {} };
    if (typeof value === "string") {
      rule.level = value as Level | "off";
    } else {
      for (const [k, v] of Object.entries(value)) {
        if (k === "level") rule.level = v as Level | "off";
        else rule.options[k] = v;
      }
    }
    config.rules[id] = rule;
  }
  if (raw.visibility !== undefined) config.visibility = raw.visibility;
  if (raw["default-token-permissions"] !== undefined) config.defaultTokenPermissions = raw["default-token-permissions"];
  if (raw.repository !== undefined) config.repository = raw.repository;
  if (raw["default-branch"] !== undefined) config.defaultBranch = raw["default-branch"];
  if (raw["subject-format"] !== undefined) config.subjectFormat = raw["subject-format"];
  if (raw["owner-id"] !== undefined) config.ownerId = raw["owner-id"];
  if (raw["repository-id"] !== undefined) config.repositoryId = raw["repository-id"];
  if (raw["subject-claim-keys"] !== undefined) config.subjectClaimKeys = [...raw["subject-claim-keys"]];
  if (raw["trust-policies"]) config.trustPolicies = { ...raw["trust-policies"] };
  // A top-level shorthand is the rule option it stands for, unless the rule sets that option itself.
  for (const [alias, { rule, option }] of Object.entries(OPTION_ALIASES)) {
    const value = raw[alias];
    if (value === undefined || value === null) continue;
    const target = (config.rules[rule] ??= { options: {} });
    if (!Object.hasOwn(target.options, option)) target.options[option] = value;
  }
  config.ignore = (raw.ignore ?? []).map(normalizeRepoPath);
  config.ignoreFindings = (raw["ignore-findings"] ?? []).map((item, i) => {
    const entry = parseIgnoredFinding(item);
    const at = entryAt(i);
    if (at) entry.location = at;
    return entry;
  });
  return config;
}

/** Where `ignore-findings[index]` is written (for findings about the entry itself). */
function entryLocation(doc: Document, lineCounter: LineCounter, path: string, index: number): Location | undefined {
  const node = doc.getIn(["ignore-findings", index], true);
  const range = nodeRange(node);
  if (!range) return undefined;
  const at = (offset: number) => ({ ...position(lineCounter, offset), offset });
  return { path, range: { start: at(range[0] as number), end: at(range[1] as number) } };
}

/** `rule-id:path:line`, `rule-id:path`, `path:line` or `path` (a path without `:`), or the mapping form. */
export function parseIgnoredFinding(item: string | { rule?: string; path: string; line?: number }): IgnoredFinding {
  if (typeof item !== "string") {
    const out: IgnoredFinding = { path: normalizeRepoPath(item.path) };
    if (item.rule !== undefined) out.rule = item.rule;
    if (item.line !== undefined) out.line = item.line;
    return out;
  }
  const parts = item.split(":");
  let rule: string | undefined;
  let path: string;
  let line: number | undefined;
  if (parts.length >= 3) {
    [rule, path] = [parts[0] as string, parts.slice(1, -1).join(":")];
    line = Number(parts[parts.length - 1]);
  } else if (parts.length === 2) {
    const [a, b] = parts as [string, string];
    if (/^\d+$/.test(b)) [path, line] = [a, Number(b)];
    else [rule, path] = [a, b];
  } else {
    path = item;
  }
  const out: IgnoredFinding = { path: normalizeRepoPath(path) };
  if (rule !== undefined) out.rule = rule;
  if (line !== undefined) out.line = line;
  return out;
}

/** `/` separators, no leading `./`. */
export function normalizeRepoPath(p: string): string {
  return p.replace(/\\/g, "/").replace(/^(?:\.\/)+/, "");
}
