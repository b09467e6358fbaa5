/**
 * ajv's validation errors as one-line messages that name the key and quote (a short, escaped excerpt
 * of) the value: `rules.unpinned-ref: invalid value "warn" (did you mean "warning"?); expected one of
 * error, warning, note, off`.
 *
 * Where a value may take several forms, the schema chooses the form by the value's type
 * (`if: {type: string}, then: <a level>, else: <a mapping>`), so ajv reports only the errors of the
 * form that applies; a value of neither type is one `type` error in `else`, told as "expected <then>
 * or <else>".
 */
import type { ErrorObject } from "ajv";
import { closestName } from "../rules/support/closest.js";
import { KNOWN_RULE_IDS } from "./schema.js";

/** One problem found in a configuration file (1-based line and column, UTF-16 columns). */
export interface ConfigProblem {
  line?: number;
  column?: number;
  /** What is wrong, naming the bad key or value (without the path and position prefix). */
  message: string;
}

export interface Located {
  line: number;
  column: number;
}

type SchemaObject = Record<string, unknown>;

/**
 * Problems for ajv's errors (run with `allErrors` and `verbose`), sorted by position. `root` is the
 * schema validated against; `locate` finds the value at a key path (or the key `key` inside it).
 */
export function describeErrors(errors: ErrorObject[], root: SchemaObject, locate: (segments: string[], key?: string) => Located): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const e of errors) {
    // `if` only says that a branch failed; the branch's own errors say how.
    if (e.keyword === "if") continue;
    const segments = keyPathOf(e.instancePath);
    if (e.keyword === "additionalProperties") {
      const key = String((e.params as { additionalProperty?: unknown }).additionalProperty);
      problems.push({ ...locate(segments, key), message: unknownKeyMessage(segments, key, e) });
      continue;
    }
    problems.push({ ...locate(segments), message: valueProblem(displayKeyPath(segments) || "top level", e, root, segments) });
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

/** `<where>: <what is wrong with the value>` for one ajv error. */
export function valueProblem(where: string, e: ErrorObject, root: SchemaObject, segments: string[] = []): string {
  const params = e.params as Record<string, unknown>;
  const parent = (e.parentSchema ?? {}) as SchemaObject;
  switch (e.keyword) {
    case "type": {
      const expected = describeTypes(typeList(params.type));
      const other = typeChosenAlternative(e, root);
      return `${where}: expected ${other ? `${describeSchema(other)} or ${expected}` : expected}, got ${describeValue(e.data)}`;
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
          return `${where}: unknown rule id "${excerpt(id)}"${suggestion(id, KNOWN_RULE_IDS)} in "${excerpt(e.data)}"`;
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

/**
 * For a `type` error in the `else` of a schema that picks its form by the value's type, the `then`
 * form (resolved): the value fits neither, and the message names both.
 */
function typeChosenAlternative(e: ErrorObject, root: SchemaObject): SchemaObject | undefined {
  const m = /^#(.*)\/else\/type$/.exec(e.schemaPath);
  if (!m) return undefined;
  const holder = pointer(root, m[1] as string);
  const test = holder?.if as SchemaObject | undefined;
  if (!holder || !test || test.type === undefined || holder.then === undefined) return undefined;
  return resolveRef(holder.then, root);
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

/** ` (did you mean "x"?)` for a misspelt key, value or rule id; empty when nothing stands out. */
export function suggestion(word: string, candidates: readonly string[]): string {
  // A unique completion of a shortened word (`warn` → `warning`) first.
  const lower = word.toLowerCase();
  const prefixed = lower.length >= 3 ? candidates.filter((c) => c.toLowerCase().startsWith(lower)) : [];
  if (prefixed.length === 1) return ` (did you mean "${prefixed[0]}"?)`;
  const best = closestName(word, candidates, { maxDistance: Math.max(2, Math.floor(word.length / 3)) });
  return best ? ` (did you mean "${best.name}"?)` : "";
}

// ---------------------------------------------------------------------------------------------
// Schemas and values in words

function pointer(root: SchemaObject, path: string): SchemaObject | undefined {
  let node: unknown = root;
  for (const seg of path.split("/").slice(1)) {
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as SchemaObject)[unescapePointer(seg)];
  }
  return typeof node === "object" && node !== null ? (node as SchemaObject) : undefined;
}

function resolveRef(schema: unknown, root: SchemaObject): SchemaObject | undefined {
  if (typeof schema !== "object" || schema === null) return undefined;
  const ref = (schema as SchemaObject).$ref;
  return typeof ref === "string" && ref.startsWith("#/") ? pointer(root, ref.slice(1)) : (schema as SchemaObject);
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

function typeList(value: unknown): string[] {
  if (typeof value === "string") return value.split(",");
  return Array.isArray(value) ? value.map(String) : [];
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
  const t = schema.type;
  const types = typeof t === "string" ? [t] : Array.isArray(t) ? t.map(String) : undefined;
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
      return `"${excerpt(String(value))}"`;
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
