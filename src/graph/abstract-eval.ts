/**
 * Expressions evaluated over partly known contexts, with GitHub's own parser and the semantics of its
 * expression engine (`@actions/expressions`): a value is either known, one of a few known values, or
 * described by what is known about it — a login or repository name that none of the workflow's
 * literals names (a stranger's), this repository, a string with a known prefix and suffix
 * (`refs/pull/…/merge`) — or unknown. Logic is three-valued: `false && x` is false whatever `x` is,
 * `x == 'a'` is unknown when `x` is. Values computed at run time by a script that a gate job runs
 * carry a taint naming that gate, so a caller can tell "never" from "only when that check says no".
 *
 * Used by `graph/guards.ts` to decide whether a job or step can run for an untrusted event; anything
 * it cannot decide is "unknown", which every caller treats as "may run".
 */
import { Lexer, Parser, data, wellKnownFunctions } from "@actions/expressions";
import type { Expr } from "@actions/expressions";
import { Binary, ContextAccess, FunctionCall, Grouping, IndexAccess, Literal, Logical, Star, Unary } from "@actions/expressions/ast";
import { TokenType } from "@actions/expressions/lexer";
import { equals, falsy, greaterThan, lessThan } from "@actions/expressions/result";

/** A run-time check whose answer an abstract value depends on (a gate job's script, an action's own permission check). */
export interface Taint {
  /** What decides it, for messages: "job `check-author`'s permission check". */
  by: string;
  kind: "actor" | "fork";
}

interface Base {
  taint?: readonly Taint[];
}

/** What is known about a value. */
export type Abstract = Base &
  (
    | { kind: "known"; value: data.ExpressionData }
    | { kind: "oneOf"; values: data.ExpressionData[] }
    /** A login or repository name of someone outside: equal to no literal of the workflow and not this repository. */
    | { kind: "stranger" }
    /** A person's login: any name but a bot's (`…[bot]`). */
    | { kind: "human" }
    /** This repository (`owner/name`) or its owner, when the settings do not know the name. */
    | { kind: "self"; what: "repository" | "owner" }
    /** A string that starts with `prefix` and ends with `suffix` (compared case-insensitively). */
    | { kind: "affixed"; prefix: string; suffix: string }
    | { kind: "unknown"; truth?: boolean }
  );

export type Truth = boolean | undefined;

/** Looks up a context path (lower-cased segments, `*` for a filter); undefined when nothing is known about it. */
export type Resolver = (path: readonly string[]) => Abstract | undefined;

export interface EvalOptions {
  resolve: Resolver;
  /** Results of the status functions where they are known (`always()` is always true). */
  status?: { success?: boolean; failure?: boolean; cancelled?: boolean };
}

export const UNKNOWN: Abstract = { kind: "unknown" };
export const known = (value: data.ExpressionData, taint?: readonly Taint[]): Abstract => ({ kind: "known", value, ...(taint?.length ? { taint } : {}) });
export const str = (s: string): Abstract => known(new data.StringData(s));
export const bool = (b: boolean): Abstract => known(new data.BooleanData(b));
export const NULL: Abstract = known(new data.Null());

/** A plain JSON-like value as expression data. */
export function fromJS(v: unknown): data.ExpressionData {
  if (v === null || v === undefined) return new data.Null();
  if (typeof v === "string") return new data.StringData(v);
  if (typeof v === "number") return new data.NumberData(v);
  if (typeof v === "boolean") return new data.BooleanData(v);
  if (Array.isArray(v)) return new data.Array(...v.map(fromJS));
  const d = new data.Dictionary();
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) d.add(k, fromJS(x));
  return d;
}

const CONTEXTS = ["github", "inputs", "needs", "env", "vars", "secrets", "matrix", "steps", "job", "jobs", "runner", "strategy"];
const STATUS_FUNCTIONS = [
  { name: "success", minArgs: 0, maxArgs: 0 },
  { name: "always", minArgs: 0, maxArgs: 0 },
  { name: "failure", minArgs: 0, maxArgs: 0 },
  { name: "cancelled", minArgs: 0, maxArgs: 0 },
  { name: "hashFiles", minArgs: 1, maxArgs: 255 },
];
/** Most values compared in one cross product before giving up (unknown). */
const MAX_COMBINATIONS = 64;

const PARSED = new Map<string, Expr | null>();

/** The parsed expression (inside `${{ }}` or bare, as `if:` allows), or undefined when GitHub's parser rejects it. */
export function parseExpression(text: string): Expr | undefined {
  let cached = PARSED.get(text);
  if (cached === undefined) {
    try {
      const { tokens } = new Lexer(text).lex();
      cached = new Parser(tokens, CONTEXTS, STATUS_FUNCTIONS).parse();
    } catch {
      cached = null;
    }
    if (PARSED.size > 50_000) PARSED.clear();
    PARSED.set(text, cached);
  }
  return cached ?? undefined;
}

/** The expression of a condition: `${{ }}` around the whole text is optional; text outside one wrapper is not an expression. */
export function conditionExpression(condition: string): string | undefined {
  let text = condition.trim();
  if (text === "") return undefined;
  const wrapped = /^\$\{\{([\s\S]*)\}\}$/.exec(text);
  if (wrapped) text = wrapped[1]!;
  if (text.includes("${{") || text.includes("}}")) return undefined;
  return text;
}

/** Does the condition call a status function (`always()`, `failure()`, `cancelled()`, `success()`)? */
export function usesStatusFunction(condition: string | undefined): boolean {
  return /\b(?:always|failure|cancelled|success)\s*\(/i.test(condition ?? "");
}

/** Evaluates an `if:`-style condition (wrapper optional). Unparsable conditions are unknown. */
export function evaluateCondition(condition: string, options: EvalOptions): Abstract {
  const text = conditionExpression(condition);
  const expr = text === undefined ? undefined : parseExpression(text);
  if (!expr) return UNKNOWN;
  return new AbstractEvaluator(options).eval(expr);
}

/**
 * The value of a text that may hold `${{ }}` expressions, as the runner computes a `with:`/`env:`
 * value: a single expression keeps its type, anything else is a string.
 */
export function evaluateTemplate(text: string, options: EvalOptions): Abstract {
  if (!text.includes("${{")) return str(text);
  const parts: Array<string | Abstract> = [];
  let rest = text;
  while (rest.length) {
    const start = rest.indexOf("${{");
    if (start < 0) {
      parts.push(rest);
      break;
    }
    const end = rest.indexOf("}}", start + 3);
    if (end < 0) return UNKNOWN;
    if (start > 0) parts.push(rest.slice(0, start));
    const expr = parseExpression(rest.slice(start + 3, end));
    parts.push(expr ? new AbstractEvaluator(options).eval(expr) : UNKNOWN);
    rest = rest.slice(end + 2);
  }
  if (parts.length === 1 && typeof parts[0] !== "string") return parts[0]!;
  let prefix = "";
  let suffix = "";
  let open = false;
  const taint: Taint[] = [];
  for (const p of parts) {
    const s = typeof p === "string" ? p : p.kind === "known" ? p.value.coerceString() : undefined;
    if (typeof p !== "string") taint.push(...(p.taint ?? []));
    if (s === undefined) {
      open = true;
      suffix = "";
      continue;
    }
    if (open) suffix += s;
    else prefix += s;
  }
  if (!open) return known(new data.StringData(prefix), taint);
  return prefix || suffix ? { kind: "affixed", prefix, suffix, ...(taint.length ? { taint } : {}) } : { kind: "unknown", ...(taint.length ? { taint } : {}) };
}

/** Truthiness: true, false, or undefined when the value can be either. */
export function truthOf(v: Abstract): Truth {
  switch (v.kind) {
    case "known":
      return !falsy(v.value);
    case "oneOf": {
      const ts = new Set(v.values.map((x) => !falsy(x)));
      return ts.size === 1 ? [...ts][0] : undefined;
    }
    case "stranger":
    case "human":
    case "self":
      return true;
    case "affixed":
      return v.prefix !== "" || v.suffix !== "" ? true : undefined;
    case "unknown":
      return v.truth;
  }
}

function withTaint(v: Abstract, ...from: Array<Abstract | undefined>): Abstract {
  const taint = [...(v.taint ?? [])];
  for (const f of from) for (const t of f?.taint ?? []) if (!taint.includes(t)) taint.push(t);
  return taint.length ? { ...v, taint } : v;
}

function unknownTruth(truth: Truth, ...from: Abstract[]): Abstract {
  return withTaint(truth === undefined ? UNKNOWN : { kind: "unknown", truth }, ...from);
}

/** The possible concrete values, when there are few. */
function concrete(v: Abstract): data.ExpressionData[] | undefined {
  if (v.kind === "known") return [v.value];
  if (v.kind === "oneOf") return v.values;
  return undefined;
}

function fromValues(values: data.ExpressionData[], ...from: Abstract[]): Abstract {
  const distinct: data.ExpressionData[] = [];
  for (const x of values) if (!distinct.some((d) => d.kind === x.kind && equals(d, x) && d.coerceString() === x.coerceString())) distinct.push(x);
  if (distinct.length === 0) return withTaint(UNKNOWN, ...from);
  return withTaint(distinct.length === 1 ? known(distinct[0]!) : { kind: "oneOf", values: distinct }, ...from);
}

const upper = (s: string) => s.toUpperCase();

/** `a == b` where at least one side is not a known value. */
function abstractEquals(a: Abstract, b: Abstract): Truth {
  const ca = concrete(a);
  const cb = concrete(b);
  if (ca && cb) {
    const rs = new Set<boolean>();
    for (const x of ca) for (const y of cb) rs.add(equals(x, y));
    return rs.size === 1 ? [...rs][0] : undefined;
  }
  if (!ca && !cb) {
    if (a.kind === "self" && b.kind === "self") return a.what === b.what ? true : undefined;
    if ((a.kind === "stranger" && b.kind === "self") || (a.kind === "self" && b.kind === "stranger")) return false;
    return undefined;
  }
  const [abs, values] = ca ? [b, ca] : [a, cb!];
  const rs = new Set<Truth>(values.map((k) => equalsKnown(abs, k)));
  return rs.size === 1 ? [...rs][0] : undefined;
}

/** An abstract string against one concrete value. */
function equalsKnown(abs: Abstract, k: data.ExpressionData): Truth {
  switch (abs.kind) {
    case "stranger":
      // Nobody outside owns a name the workflow spells out; against non-strings the number coercion decides, unknown here.
      return k.kind === data.Kind.String || k.kind === data.Kind.Null ? false : undefined;
    case "human":
      if (k.kind === data.Kind.Null) return false;
      return k.kind === data.Kind.String && /\[bot\]$/i.test(k.coerceString()) ? false : undefined;
    case "self":
      return k.kind === data.Kind.String ? undefined : k.kind === data.Kind.Null ? false : undefined;
    case "affixed": {
      if (k.kind === data.Kind.Null) return false;
      if (k.kind !== data.Kind.String) return undefined;
      const s = upper(k.coerceString());
      const p = upper(abs.prefix);
      const x = upper(abs.suffix);
      return s.length >= p.length + x.length && s.startsWith(p) && s.endsWith(x) ? undefined : false;
    }
    default:
      return undefined;
  }
}

/** The value behind a path of literal indices (`github.event.pull_request.head.sha`), or undefined for other shapes. */
function pathOf(e: Expr, ev: AbstractEvaluator): string[] | undefined {
  const out: string[] = [];
  let cur: Expr = e;
  for (;;) {
    if (cur instanceof ContextAccess) {
      out.unshift(cur.name.lexeme.toLowerCase());
      return out;
    }
    if (!(cur instanceof IndexAccess)) return undefined;
    if (cur.index instanceof Star) out.unshift("*");
    else {
      const idx = ev.eval(cur.index);
      if (idx.kind !== "known" || !idx.value.primitive) return undefined;
      out.unshift(idx.value.coerceString().toLowerCase());
    }
    cur = cur.expr;
  }
}

const FILTERED = new WeakSet<data.ExpressionData>();

/** GitHub's indexing of a known value (property names case-insensitive; `*` filters). */
function indexKnown(v: data.ExpressionData, key: string): data.ExpressionData {
  const filtered = FILTERED.has(v);
  if (key === "*") {
    const out = new data.Array();
    if (v.kind === data.Kind.Array) for (const x of (v as data.Array).values()) filtered ? pushAll(out, x) : out.add(x);
    else if (v.kind === data.Kind.Dictionary) for (const x of (v as data.Dictionary).values()) out.add(x);
    FILTERED.add(out);
    return out;
  }
  if (filtered) {
    const out = new data.Array();
    for (const x of (v as data.Array).values()) {
      const r = indexKnown(x, key);
      if (r.kind !== data.Kind.Null) out.add(r);
    }
    FILTERED.add(out);
    return out;
  }
  if (v.kind === data.Kind.Dictionary) {
    const d = v as data.Dictionary;
    for (const p of d.pairs()) if (p.key.toLowerCase() === key) return p.value;
    return new data.Null();
  }
  if (v.kind === data.Kind.Array && /^\d+$/.test(key)) {
    const a = v as data.Array;
    const i = Number(key);
    return i < a.values().length ? a.get(i) : new data.Null();
  }
  return new data.Null();
}

function pushAll(out: data.Array, x: data.ExpressionData): void {
  if (x.kind === data.Kind.Array) for (const y of (x as data.Array).values()) out.add(y);
  else if (x.kind === data.Kind.Dictionary) for (const y of (x as data.Dictionary).values()) out.add(y);
}

class AbstractEvaluator {
  constructor(private readonly options: EvalOptions) {}

  eval(e: Expr): Abstract {
    if (e instanceof Literal) return known(e.literal);
    if (e instanceof Grouping) return this.eval(e.group);
    if (e instanceof Unary) {
      const v = this.eval(e.expr);
      const t = truthOf(v);
      return t === undefined ? unknownTruth(undefined, v) : withTaint(bool(!t), v);
    }
    if (e instanceof Logical) return this.logical(e);
    if (e instanceof Binary) return this.binary(e);
    if (e instanceof FunctionCall) return this.call(e);
    if (e instanceof ContextAccess || e instanceof IndexAccess) return this.access(e);
    return UNKNOWN;
  }

  private logical(e: Logical): Abstract {
    const and = e.operator.type === TokenType.AND;
    const seen: Abstract[] = [];
    let undecided = false;
    for (const arg of e.args) {
      const v = this.eval(arg);
      const t = truthOf(v);
      // `a && b` is the first falsy operand (or the last); `a || b` the first truthy one (or the last).
      // Once one operand decides, the result has its truthiness whatever the undecided ones before it were.
      if (t === !and) return undecided ? unknownTruth(!and, v) : v;
      if (t === undefined) undecided = true;
      seen.push(v);
    }
    if (!undecided) return withTaint(seen[seen.length - 1] ?? UNKNOWN, ...seen);
    return unknownTruth(undefined, ...seen);
  }

  private binary(e: Binary): Abstract {
    const l = this.eval(e.left);
    const r = this.eval(e.right);
    const op = e.operator.type;
    const cl = concrete(l);
    const cr = concrete(r);
    if (cl && cr && cl.length * cr.length <= MAX_COMBINATIONS) {
      const results = new Set<boolean>();
      for (const x of cl) for (const y of cr) results.add(compare(op, x, y));
      return results.size === 1 ? withTaint(bool([...results][0]!), l, r) : unknownTruth(undefined, l, r);
    }
    if (op === TokenType.EQUAL_EQUAL || op === TokenType.BANG_EQUAL) {
      const eq = abstractEquals(l, r);
      if (eq === undefined) return unknownTruth(undefined, l, r);
      return withTaint(bool(op === TokenType.EQUAL_EQUAL ? eq : !eq), l, r);
    }
    return unknownTruth(undefined, l, r);
  }

  private call(e: FunctionCall): Abstract {
    const name = e.functionName.lexeme.toLowerCase();
    const status = this.options.status ?? {};
    if (name === "always") return bool(true);
    if (name === "success" || name === "failure" || name === "cancelled") {
      const v = status[name];
      return v === undefined ? UNKNOWN : bool(v);
    }
    const f = wellKnownFunctions[name];
    if (!f) return UNKNOWN;
    const args = e.args.map((a) => this.eval(a));
    const sets = args.map(concrete);
    if (sets.every((s) => s !== undefined) && sets.reduce((n, s) => n * s!.length, 1) <= MAX_COMBINATIONS) {
      const out: data.ExpressionData[] = [];
      for (const combo of product(sets as data.ExpressionData[][])) {
        try {
          out.push(f.call(...combo));
        } catch {
          // An error fails the expression: that combination runs nothing, so it adds no value.
        }
      }
      if (out.length === 0) return withTaint(UNKNOWN, ...args);
      return fromValues(out, ...args);
    }
    if (name === "contains") return withTaint(containsAbstract(args[0]!, args[1]!), ...args);
    if (name === "startswith" || name === "endswith") return withTaint(affixAbstract(name === "startswith", args[0]!, args[1]!), ...args);
    return withTaint(UNKNOWN, ...args);
  }

  private access(e: Expr): Abstract {
    const path = pathOf(e, this);
    if (!path) {
      if (e instanceof IndexAccess) {
        const base = this.eval(e.expr);
        if (base.kind === "known" && !(e.index instanceof Star)) {
          const idx = this.eval(e.index);
          if (idx.kind === "known" && idx.value.primitive) return withTaint(known(indexKnown(base.value, idx.value.coerceString().toLowerCase())), base, idx);
        }
      }
      return UNKNOWN;
    }
    // The longest prefix something is known about, then GitHub's indexing for the rest.
    for (let n = path.length; n >= 1; n--) {
      const v = this.options.resolve(path.slice(0, n));
      if (v === undefined) continue;
      if (n === path.length) return v;
      if (v.kind !== "known") return v.kind === "oneOf" ? fromValues(v.values.map((x) => indexAll(x, path.slice(n))), v) : withTaint(UNKNOWN, v);
      return withTaint(known(indexAll(v.value, path.slice(n))), v);
    }
    return UNKNOWN;
  }
}

function indexAll(v: data.ExpressionData, rest: readonly string[]): data.ExpressionData {
  let cur = v;
  for (const k of rest) cur = indexKnown(cur, k);
  return cur;
}

function compare(op: TokenType, x: data.ExpressionData, y: data.ExpressionData): boolean {
  switch (op) {
    case TokenType.EQUAL_EQUAL:
      return equals(x, y);
    case TokenType.BANG_EQUAL:
      return !equals(x, y);
    case TokenType.GREATER:
      return greaterThan(x, y);
    case TokenType.GREATER_EQUAL:
      return equals(x, y) || greaterThan(x, y);
    case TokenType.LESS:
      return lessThan(x, y);
    case TokenType.LESS_EQUAL:
      return equals(x, y) || lessThan(x, y);
    default:
      return false;
  }
}

function* product(sets: data.ExpressionData[][]): Generator<data.ExpressionData[]> {
  if (sets.length === 0) {
    yield [];
    return;
  }
  const [first, ...rest] = sets;
  for (const x of first!) for (const tail of product(rest)) yield [x, ...tail];
}

/** `contains(search, item)` with an abstract side. */
function containsAbstract(search: Abstract, item: Abstract): Abstract {
  const cs = concrete(search);
  if (cs) {
    const rs = new Set<Truth>();
    for (const s of cs) {
      if (s.kind === data.Kind.Array) {
        const els = (s as data.Array).values();
        if (els.length === 0) rs.add(false);
        else {
          const hits = new Set(els.map((el) => (concrete(item) ? abstractEquals(known(el), item) : equalsKnown(item, el))));
          rs.add(hits.has(true) ? true : hits.has(undefined) ? undefined : false);
        }
      } else rs.add(undefined);
    }
    return rs.size === 1 && [...rs][0] !== undefined ? bool([...rs][0]!) : UNKNOWN;
  }
  const ci = concrete(item);
  if (search.kind === "affixed" && ci?.every((x) => x.primitive)) {
    const hay = upper(search.prefix + "\u0000" + search.suffix);
    if (ci.every((x) => hay.includes(upper(x.coerceString())) && x.coerceString() !== "")) return bool(true);
  }
  return UNKNOWN;
}

/** `startsWith`/`endsWith` of a string with a known prefix/suffix. */
function affixAbstract(start: boolean, s: Abstract, part: Abstract): Abstract {
  const cp = concrete(part);
  if (s.kind !== "affixed" || !cp || !cp.every((x) => x.primitive)) return UNKNOWN;
  const rs = new Set<Truth>();
  for (const x of cp) {
    const want = upper(x.coerceString());
    const have = upper(start ? s.prefix : s.suffix);
    if (start ? have.startsWith(want) : have.endsWith(want)) rs.add(true);
    else if (start ? want.startsWith(have) : want.endsWith(have)) rs.add(undefined);
    else rs.add(false);
  }
  return rs.size === 1 && [...rs][0] !== undefined ? bool([...rs][0]!) : UNKNOWN;
}
