/**
 * Loading `.credflow.yml`: read, parse with `yaml` (keeping ranges), validate with ajv against
 * `schema/credflow.schema.json`, and report every problem at its line and column.
 */
import * as fs from "node:fs";
import { readFileSafely, type Refusal } from "../fs/safe-read.js";
import * as nodePath from "node:path";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from "yaml";
import type { Level, PinPolicy, Visibility } from "../rules/types.js";
import { closestName } from "../rules/support/closest.js";
import { configSchema, EDITOR_KEYWORDS, KNOWN_RULE_IDS } from "./schema.js";
import { emptyConfig, type CredflowConfig, type IgnoredFinding, type LoadedConfig, type RuleConfig } from "./types.js";

export type { CredflowConfig, LoadedConfig } from "./types.js";

/** File names looked up at the repository root, in order. */
export const CONFIG_FILE_NAMES: readonly string[] = [".credflow.yml", ".credflow.yaml"];

/** One problem found in a configuration file (1-based line and column, UTF-16 columns). */
export interface ConfigProblem {
  line?: number;
  column?: number;
  /** What is wrong, naming the bad key or value (without the path and position prefix). */
  message: string;
}

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
    const problems = describeErrors(validate.errors ?? [], doc, lineCounter);
    throw new ConfigError(displayPath, problems);
  }
  return toConfig(data as RawConfig);
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
  if (compiled === undefined) {
    const ajv = new Ajv({ allErrors: true, verbose: true, allowUnionTypes: true });
    ajv.addVocabulary([...EDITOR_KEYWORDS]);
    compiled = ajv.compile(configSchema);
  }
  return compiled;
}

type SchemaObject = Record<string, unknown>;

function resolveRef(schema: unknown): SchemaObject | undefined {
  if (typeof schema !== "object" || schema === null) return undefined;
  const s = schema as SchemaObject;
  const ref = s.$ref;
  if (typeof ref !== "string" || !ref.startsWith("#/")) return s;
  let node: unknown = configSchema;
  for (const seg of ref.slice(2).split("/")) {
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as SchemaObject)[unescapePointer(seg)];
  }
  return typeof node === "object" && node !== null ? (node as SchemaObject) : undefined;
}

function unescapePointer(seg: string): string {
  return seg.replace(/~1/g, "/").replace(/~0/g, "~");
}

type JsonType = "null" | "boolean" | "integer" | "number" | "string" | "array" | "object";

function jsonType(value: unknown): JsonType {
  if (value === null || value === undefined) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  if (typeof value === "boolean") return "boolean";
  if (typeof value === "string") return "string";
  return "object";
}

function schemaTypes(schema: SchemaObject): string[] | undefined {
  const t = schema.type;
  if (typeof t === "string") return [t];
  if (Array.isArray(t)) return t.filter((x): x is string => typeof x === "string");
  return undefined;
}

function typeFits(schema: SchemaObject, t: JsonType): boolean {
  const types = schemaTypes(schema);
  if (types === undefined) return true;
  return types.includes(t) || (t === "integer" && types.includes("number"));
}

const TYPE_WORDS: Record<string, string> = {
  string: "a string",
  integer: "an integer",
  number: "a number",
  boolean: "true or false",
  object: "a mapping",
  array: "a list",
  null: "nothing",
};

function describeTypes(types: string[]): string {
  // `null` is accepted only to let a key stand empty; do not advertise it.
  const shown = types.length > 1 ? types.filter((t) => t !== "null") : types;
  return joinOr(shown.map((t) => TYPE_WORDS[t] ?? t));
}

function describeSchema(schema: SchemaObject): string {
  if (Array.isArray(schema.enum)) return `one of ${schema.enum.map((v) => String(v)).join(", ")}`;
  const types = schemaTypes(schema);
  return types ? describeTypes(types) : "a valid value";
}

function joinOr(items: string[]): string {
  if (items.length <= 1) return items[0] ?? "";
  return `${items.slice(0, -1).join(", ")} or ${items[items.length - 1]}`;
}

function describeValue(value: unknown): string {
  switch (jsonType(value)) {
    case "null":
      return "an empty value";
    case "array":
      return "a list";
    case "object":
      return "a mapping";
    case "string":
      return `"${truncate(String(value))}"`;
    default:
      return String(value);
  }
}

/** Longest excerpt of a value from the file quoted in a message. */
const EXCERPT_CHARS = 40;

/**
 * A short, printable excerpt of text from the configuration file: control, line-separator and
 * bidirectional-override characters escaped, at most `max` characters (`...` marks a cut). Messages
 * never quote more of the file than this.
 */
export function excerpt(s: string, max = EXCERPT_CHARS): string {
  const pieces = Array.from(s, escapeChar);
  if (pieces.reduce((n, p) => n + p.length, 0) <= max) return pieces.join("");
  let out = "";
  for (const piece of pieces) {
    if (out.length + piece.length > max - 3) break;
    out += piece;
  }
  return `${out}...`;
}

function escapeChar(ch: string): string {
  const c = ch.codePointAt(0) ?? 0;
  if (ch === "\n") return "\\n";
  if (ch === "\r") return "\\r";
  if (ch === "\t") return "\\t";
  if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return `\\x${c.toString(16).padStart(2, "0")}`;
  if ((c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) || c === 0x2028 || c === 0x2029 || c === 0x200e || c === 0x200f || c === 0xfeff || (c >= 0xd800 && c <= 0xdfff)) {
    return `\\u${c.toString(16).padStart(4, "0")}`;
  }
  return ch;
}

function truncate(s: string): string {
  return excerpt(s);
}

function keyPathOf(instancePath: string): string[] {
  return instancePath === "" ? [] : instancePath.slice(1).split("/").map(unescapePointer);
}

/** `rules.unpinned-ref.policy`, `ignore-findings[0].line`. */
function displayKeyPath(segments: string[]): string {
  let out = "";
  for (const seg of segments) {
    if (/^\d+$/.test(seg)) out += `[${seg}]`;
    else out += out === "" ? excerpt(seg) : `.${excerpt(seg)}`;
  }
  return out;
}

/** ` (did you mean "x"?)` for a misspelt key, value or rule id; empty when nothing stands out. */
export function suggestion(word: string, candidates: readonly string[]): string {
  // A unique completion of a shortened word (`warn` → `warning`) first.
  const lower = word.toLowerCase();
  const prefixed = lower.length >= 3 ? candidates.filter((c) => c.toLowerCase().startsWith(lower)) : [];
  if (prefixed.length === 1) return ` (did you mean "${prefixed[0]}"?)`;
  const best = closestName(word, candidates, { maxDistance: Math.max(2, Math.floor(word.length / 3)) });
  return best ? ` (did you mean "${best.name}"?)` : "";
}

interface Located {
  line: number;
  column: number;
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

function describeErrors(errors: ErrorObject[], doc: Document, lineCounter: LineCounter): ConfigProblem[] {
  const dropped = new Set<ErrorObject>();
  const synthetic: Array<{ instancePath: string; message: string }> = [];

  // `anyOf` (a level string or a mapping; a string or a mapping item): keep only the errors of
  // the alternatives whose type fits the value, or say which types were expected.
  for (const e of errors) {
    if (e.keyword !== "anyOf") continue;
    dropped.add(e);
    const branches = (Array.isArray(e.schema) ? e.schema : []).map(resolveRef).filter((b): b is SchemaObject => !!b);
    const t = jsonType(e.data);
    const fitting = branches.filter((b) => typeFits(b, t));
    const unfit = new Set<unknown>(branches.filter((b) => !typeFits(b, t)));
    for (const x of errors) {
      if (x === e || x.instancePath !== e.instancePath) continue;
      if (unfit.has(x.parentSchema) || (x.keyword === "type" && fitting.length > 0 && !typeFitsParams(x, t))) dropped.add(x);
    }
    if (fitting.length === 0) {
      const where = displayKeyPath(keyPathOf(e.instancePath)) || "top level";
      synthetic.push({
        instancePath: e.instancePath,
        message: `${where}: expected ${joinOr(branches.map(describeSchema))}, got ${describeValue(e.data)}`,
      });
    }
  }

  const problems: ConfigProblem[] = [];
  for (const s of synthetic) {
    problems.push({ ...locate(doc, lineCounter, keyPathOf(s.instancePath)), message: s.message });
  }
  for (const e of errors) {
    if (dropped.has(e)) continue;
    const segments = keyPathOf(e.instancePath);
    if (e.keyword === "additionalProperties") {
      const key = String((e.params as { additionalProperty?: unknown }).additionalProperty);
      problems.push({ ...locate(doc, lineCounter, segments, key), message: unknownKeyMessage(segments, key, e) });
      continue;
    }
    problems.push({ ...locate(doc, lineCounter, segments), message: errorMessage(segments, e) });
  }

  const seen = new Set<string>();
  return problems
    .filter((p) => {
      const id = `${p.line}:${p.column}:${p.message}`;
      if (seen.has(id)) return false;
      seen.add(id);
      return true;
    })
    .sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}

function typeList(value: unknown): string[] {
  if (typeof value === "string") return value.split(",");
  return Array.isArray(value) ? value.map(String) : [];
}

function typeFitsParams(e: ErrorObject, t: JsonType): boolean {
  const types = typeList((e.params as { type?: unknown }).type);
  return types.includes(t) || (t === "integer" && types.includes("number"));
}

function unknownKeyMessage(segments: string[], key: string, e: ErrorObject): string {
  const parent = e.parentSchema as SchemaObject | undefined;
  const allowed = Object.keys((parent?.properties as SchemaObject | undefined) ?? {});
  if (segments.length === 0) return `unknown key "${excerpt(key)}"${suggestion(key, allowed)}`;
  if (segments.length === 1 && segments[0] === "rules") {
    return `unknown rule id "${excerpt(key)}"${suggestion(key, KNOWN_RULE_IDS)}`;
  }
  const where = displayKeyPath(segments);
  if (segments.length === 2 && segments[0] === "rules") {
    const options = allowed.filter((k) => k !== "level");
    const known = options.length > 0 ? `; known options: level, ${options.join(", ")}` : "; only level can be set";
    return `${where}: unknown option "${excerpt(key)}"${suggestion(key, allowed)}${known}`;
  }
  return `${where}: unknown key "${excerpt(key)}"${suggestion(key, allowed)}`;
}

function errorMessage(segments: string[], e: ErrorObject): string {
  const where = displayKeyPath(segments) || "top level";
  const params = e.params as Record<string, unknown>;
  const parent = (e.parentSchema ?? {}) as SchemaObject;
  switch (e.keyword) {
    case "type": {
      const expected = typeList(params.type);
      return `${where}: expected ${describeTypes(expected)}, got ${describeValue(e.data)}`;
    }
    case "enum": {
      const allowed = Array.isArray(params.allowedValues) ? params.allowedValues.map(String) : [];
      const hint = typeof e.data === "string" ? suggestion(e.data, allowed) : "";
      if (allowed.length === KNOWN_RULE_IDS.length && allowed.every((v, i) => v === KNOWN_RULE_IDS[i])) {
        return `${where}: unknown rule id ${describeValue(e.data)}${hint}`;
      }
      return `${where}: invalid value ${describeValue(e.data)}${hint}; expected one of ${allowed.join(", ")}`;
    }
    case "pattern": {
      if (segments[0] === "ignore-findings" && typeof e.data === "string") {
        const parts = e.data.split(":");
        const id = parts[0] ?? "";
        if (parts.length >= 3 && !KNOWN_RULE_IDS.includes(id)) {
          return `${where}: unknown rule id "${excerpt(id)}"${suggestion(id, KNOWN_RULE_IDS)} in "${truncate(e.data)}"`;
        }
      }
      const custom = typeof parent.patternErrorMessage === "string" ? parent.patternErrorMessage : `must match ${String(params.pattern)}`;
      return `${where}: invalid value ${describeValue(e.data)}; ${custom}`;
    }
    case "minimum":
      return `${where}: must be at least ${String(params.limit)}, got ${describeValue(e.data)}`;
    case "minLength":
      return `${where}: must not be empty`;
    case "required":
      return `${where}: missing required key "${String(params.missingProperty)}"`;
    default:
      return `${where}: ${e.message ?? "invalid value"}`;
  }
}

// ---------------------------------------------------------------------------------------------
// Conversion (the data has passed the schema)

interface RawConfig {
  rules?: Record<string, string | Record<string, unknown>> | null;
  visibility?: Exclude<Visibility, "unknown">;
  "min-runner-version"?: string;
  "fanout-threshold"?: number;
  "unpinned-ref-policy"?: PinPolicy;
  ignore?: string[] | null;
  "ignore-findings"?: Array<string | { rule?: string; path: string; line?: number }> | null;
}

function toConfig(raw: RawConfig): CredflowConfig {
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

  const minRunner = config.rules["composite-role-conflict"]?.options["min-runner-version"] ?? raw["min-runner-version"];
  if (typeof minRunner === "string") config.minRunnerVersion = minRunner;
  const threshold = config.rules["oidc-fanout-no-retry"]?.options.threshold ?? raw["fanout-threshold"];
  if (typeof threshold === "number") config.fanoutThreshold = threshold;
  const policy = config.rules["unpinned-ref"]?.options.policy ?? raw["unpinned-ref-policy"];
  if (typeof policy === "string") config.pinPolicy = policy as PinPolicy;

  config.ignore = (raw.ignore ?? []).map(normalizeRepoPath);
  config.ignoreFindings = (raw["ignore-findings"] ?? []).map(parseIgnoredFinding);
  return config;
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
