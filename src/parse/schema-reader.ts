/**
 * Reads a `yaml` node tree against a compiled template schema (schema-def.ts) and returns light
 * tokens plus diagnostics. It follows @actions/workflow-parser's `readTemplate` step by step — the same
 * one-of narrowing, loose keys, duplicate checks, `${{ }}` splitting and context checks, the same
 * messages and positions — without its event generator, token classes or per-node DefinitionInfo
 * allocations. Constructs that reader handles only by accident (circular aliases, non-string keys, keys
 * named like Object.prototype members, ...) raise `Fallback` in strict mode, where the caller may use
 * workflow-parser itself; the lenient schemas read them the way GitHub's YAML does (LENIENCY).
 */
import { Lexer, Parser } from "@actions/expressions";
import { Scalar, type Alias, type Document, type LineCounter, type Node, type Pair } from "yaml";
import { isAlias, isMap, isPair, isScalar, isSeq } from "./yaml-nodes.js";
import { Kind, type Def, type Schema } from "./schema-def.js";

export const enum T {
  String = 0,
  Sequence = 1,
  Mapping = 2,
  BasicExpression = 3,
  InsertExpression = 4,
  Boolean = 5,
  Number = 6,
  Null = 7,
}

const TYPE_NAMES = [
  "StringToken",
  "SequenceToken",
  "MappingToken",
  "BasicExpressionToken",
  "InsertExpressionToken",
  "BooleanToken",
  "NumberToken",
  "NullToken",
];

export function typeName(t: T): string {
  return TYPE_NAMES[t]!;
}

/** A template token: what workflow-parser's TemplateToken tree holds, reduced to what checks read. */
export class Tok {
  /** Children of a sequence. */
  items: Tok[] | undefined = undefined;
  /** Keys and values of a mapping, in order. */
  keys: Tok[] | undefined = undefined;
  vals: Tok[] | undefined = undefined;
  /** Expression text of a BasicExpression token. */
  expr = "";
  /** The definition context the token was validated under (its `definitionInfo`), if any. */
  info: Info | undefined = undefined;
  /** Its `${{ }}` did not parse (already reported by the reader). */
  bad = false;
  constructor(
    public t: T,
    /** Offsets of the node's range (start, value end). */
    public s: number,
    public e: number,
    public v: string | number | boolean | null = null,
  ) {}
  get isExpression(): boolean {
    return this.t === T.BasicExpression || this.t === T.InsertExpression;
  }
  get isLiteral(): boolean {
    return this.t === T.String || this.t === T.Boolean || this.t === T.Number || this.t === T.Null;
  }
  get isScalar(): boolean {
    return this.t !== T.Sequence && this.t !== T.Mapping;
  }
  /** workflow-parser's toString(). */
  text(): string {
    switch (this.t) {
      case T.Null:
        return "";
      case T.Boolean:
        return this.v ? "true" : "false";
      case T.Number:
        return `${this.v as number}`;
      case T.String:
        return this.v as string;
      case T.BasicExpression:
        return `\${{ ${this.expr} }}`;
      case T.InsertExpression:
        return "${{ insert }}";
      default:
        return "";
    }
  }
}

const ROOTS = new WeakMap<Schema, Map<string, Info>>();

/** A definition as seen from one place: workflow-parser's DefinitionInfo (definition + allowed context). */
export class Info {
  private readonly kids = new Map<Def, Info>();
  private readonly kidsByName = new Map<string, Info>();
  /** Validation results of expressions under this context: message, or null when valid. */
  readonly expressions = new Map<string, string | null>();
  /** `if` conditions under this context, as the converter wraps them (ensureStatusFunction). */
  readonly conditions = new Map<string, string>();
  private lowerNamed: Set<string> | undefined;
  private split: { named: string[]; funcs: Array<{ name: string; minArgs: number; maxArgs: number }> } | undefined;
  readonly key: string;
  constructor(
    readonly schema: Schema,
    readonly def: Def,
    readonly ctx: readonly string[],
  ) {
    this.key = ctx.join(",");
  }
  /** The root definition's Info, shared by every file: its children and expression caches persist. */
  static root(schema: Schema, name: string): Info {
    let roots = ROOTS.get(schema);
    if (!roots) ROOTS.set(schema, (roots = new Map()));
    let info = roots.get(name);
    if (!info) {
      const def = schema.get(name);
      roots.set(name, (info = new Info(schema, def, def.context)));
    }
    return info;
  }
  child(def: Def | string): Info {
    if (typeof def === "string") {
      let byName = this.kidsByName.get(def);
      if (!byName) {
        byName = this.child(this.schema.get(def));
        this.kidsByName.set(def, byName);
      }
      return byName;
    }
    const d = def;
    let c = this.kids.get(d);
    if (c) return c;
    let ctx = this.ctx;
    if (d.context.length > 0) {
      const merged = [...this.ctx];
      const seen = new Set(this.ctx.map((x) => x.toUpperCase()));
      for (const x of d.context) {
        const u = x.toUpperCase();
        if (!seen.has(u)) {
          merged.push(x);
          seen.add(u);
        }
      }
      ctx = merged;
    }
    c = new Info(this.schema, d, ctx);
    this.kids.set(d, c);
    return c;
  }
  isNamedContext(name: string): boolean {
    this.lowerNamed ??= new Set(this.contexts().named.map((n) => n.toLowerCase()));
    return this.lowerNamed.has(name.toLowerCase());
  }
  /** splitAllowedContext of workflow-parser. */
  contexts() {
    if (!this.split) {
      const named: string[] = [];
      const funcs: Array<{ name: string; minArgs: number; maxArgs: number }> = [];
      for (const item of this.ctx) {
        const m = /^([a-zA-Z0-9_]+)\(([0-9]+),([0-9]+|MAX)\)$/.exec(item);
        if (m) funcs.push({ name: m[1]!, minArgs: Number.parseInt(m[2]!), maxArgs: m[3] === "MAX" ? Number.MAX_SAFE_INTEGER : Number.parseInt(m[3]!) });
        else named.push(item);
      }
      this.split = { named, funcs };
    }
    return this.split;
  }
}

/** A diagnostic before positions are resolved: either a token range (offsets) or a line/column range. */
export interface RawError {
  message: string;
  /** Offsets of the token range, or undefined for a file-level error. */
  s?: number;
  e?: number;
  /** Line/column range (1-based), for sub-ranges computed the way workflow-parser does. */
  lc?: { sl: number; sc: number; el: number; ec: number };
  level?: "warning";
  /** Which stage reported it (the converter repeats the reader's complaints about the same token). */
  stage: "read" | "convert";
}

/** Thrown when the file uses a construct this reader does not reproduce; the caller falls back. */
export class Fallback extends Error {}

/** `a.b-c.d`: a named value and property names, the commonest expression by far. */
const PATH = /^([A-Za-z_][A-Za-z0-9_-]*)(?:\.[A-Za-z_][A-Za-z0-9_-]*){0,20}$/;
const KEYWORDS = new Set(["true", "false", "null", "NaN", "Infinity"]);
const NO_CONTEXT = new Map<string, string | null>();

/**
 * Validates an expression the way workflow-parser's ExpressionToken.validateExpression does: lexer
 * and parser of @actions/expressions with the allowed contexts and functions. A plain property path
 * whose first name is an allowed context is valid without parsing; everything else is parsed once per
 * context (workflows repeat the same expressions endlessly).
 */
export function expressionError(expression: string, info: Info | undefined): string | undefined {
  const cache = info ? info.expressions : NO_CONTEXT;
  const hit = cache.get(expression);
  if (hit !== undefined) return hit ?? undefined;
  const path = PATH.exec(expression);
  if (path && info && !KEYWORDS.has(path[1]!) && info.isNamedContext(path[1]!)) return undefined;
  let message: string | null = null;
  try {
    const { named, funcs } = info ? info.contexts() : { named: [], funcs: [] };
    const lexer = new Lexer(expression);
    const result = lexer.lex();
    new Parser(result.tokens, named, funcs).parse();
  } catch (err) {
    message = err instanceof Error ? err.message : String(err);
  }
  if (cache.size > 5_000) cache.clear();
  cache.set(expression, message);
  return message ?? undefined;
}

const OPEN = "${{";
const CLOSE = "}}";
const WHITESPACE = /\s/;
const BACKGROUND_STEP_PROPERTIES = new Set(["background", "wait", "wait-all", "cancel"]);
const BACKGROUND_STEP_ONLY = new Set(["wait", "wait-all", "cancel"]);

export interface ReaderOptions {
  /** The file's line counter (workflow-parser's YamlObjectReader reads positions through it). */
  lineCounter: LineCounter;
  /** Stop collecting after this many errors (workflow-parser's TemplateValidationErrors limit). */
  maxErrors: number;
}

export class SchemaReader {
  readonly errors: RawError[] = [];
  private readonly aliasStack: Node[] = [];
  constructor(
    private readonly doc: Document,
    private readonly schema: Schema,
    private readonly opts: ReaderOptions,
  ) {}

  error(message: string, tok: Tok | undefined, level?: "warning"): void {
    this.push({ message, s: tok?.s, e: tok?.e, level, stage: "read" });
  }

  push(err: RawError): void {
    if (this.errors.length < this.opts.maxErrors) this.errors.push(err);
  }

  read(rootType: string): Tok {
    return this.readValue(this.doc.contents, Info.root(this.schema, rootType));
  }

  /**
   * Follows an alias the way YamlObjectReader does. A circular one yields nothing there, which shifts
   * every later event: not reproduced (strict: Fallback; lenient: undefined, reported by the caller).
   */
  private target(alias: Alias): Node | undefined {
    const target = alias.resolve(this.doc) as Node | undefined;
    if (!target || this.aliasStack.includes(target) || isAlias(target)) {
      if (!this.schema.lenient) throw new Fallback("unresolved or circular alias");
      return undefined;
    }
    return target;
  }

  private literal(node: Scalar): Tok {
    const r = node.range!;
    const v = node.value;
    if (v === null || v === undefined) return new Tok(T.Null, r[0], r[1]);
    switch (typeof v) {
      case "number":
        return new Tok(T.Number, r[0], r[1], v);
      case "boolean":
        return new Tok(T.Boolean, r[0], r[1], v);
      case "string":
        return new Tok(T.String, r[0], r[1], v);
      default:
        // `!!binary` and other tags the core schema resolves to objects: GitHub reads the text.
        if (!this.schema.lenient) throw new Fallback(`scalar of type ${typeof v}`);
        return new Tok(T.String, r[0], r[1], String(node.source ?? v));
    }
  }

  /** The key of a pair as workflow-parser's StringToken, or undefined (lenient) for a key that is not a scalar. */
  private keyToken(pair: Pair): Tok | undefined {
    const k = pair.key;
    if (isScalar(k) && typeof k.value === "string" && k.range && pair.value !== null && pair.value !== undefined) {
      return new Tok(T.String, k.range[0], k.range[1], k.value);
    }
    if (!this.schema.lenient) throw new Fallback("key that is not a string, or a pair without a value");
    // GitHub reads `1:` or `true:` as the key "1" or "true" (workflow-parser stops: "raw.indexOf is not a function").
    if (isScalar(k) && k.range) return new Tok(T.String, k.range[0], k.range[1], k.source !== undefined ? String(k.source) : String(k.value ?? ""));
    const at = (k as Node | null)?.range ?? (pair.value as Node | null)?.range;
    this.error("A mapping key must be a string", new Tok(T.Null, at?.[0] ?? 0, at?.[1] ?? 0));
    return undefined;
  }

  /** A pair's value node; a key without one (`? key`, `{ a }`) reads as null. */
  private valueOf(pair: Pair, key: Tok): unknown {
    if (pair.value !== null && pair.value !== undefined) return pair.value;
    const empty = new Scalar(null);
    empty.range = [key.e, key.e, key.e];
    return empty;
  }

  readValue(node: unknown, info: Info): Tok {
    if (isAlias(node)) {
      const target = this.target(node);
      if (!target) {
        const r = node.range!;
        const tok = new Tok(T.Null, r[0], r[1]);
        const defined = !!node.resolve(this.doc);
        this.error(
          defined ? `The alias '${node.source}' is circular: it refers to a node that contains it` : `The alias '${node.source}' refers to no anchor defined before it`,
          tok,
        );
        return tok;
      }
      this.aliasStack.push(target);
      try {
        return this.readValue(target, info);
      } finally {
        this.aliasStack.pop();
      }
    }
    if (isScalar(node)) {
      const literal = this.literal(node);
      const before = this.errors.length;
      const tok = this.parseScalar(literal, info);
      // An expression that does not parse leaves the raw text, which the definition then rejects
      // as a value ("Unexpected value '${{ a == b }}'"): one problem, reported once (LENIENCY).
      if (this.schema.lenient && tok === literal && this.errors.length > before && literal.t === T.String) {
        tok.bad = true;
        return tok;
      }
      return this.validate(tok, info);
    }
    if (isSeq(node)) {
      const r = node.range!;
      const tok = new Tok(T.Sequence, r[0], r[1]);
      tok.items = [];
      const seqDef = info.def.seq;
      if (seqDef) {
        const itemInfo = info.child(seqDef.itemType);
        for (const item of node.items) {
          if (item === null || item === undefined || isPair(item)) throw new Fallback("sequence item that is not a node");
          tok.items.push(this.readValue(item, itemInfo));
        }
        // (yaml turns `[a: 1]` into a one-pair mapping: sequence items are always nodes in practice.)
      } else {
        this.error("A sequence was not expected", tok);
        this.skip(node);
      }
      tok.info = info;
      return tok;
    }
    if (isMap(node)) {
      const r = node.range!;
      const tok = new Tok(T.Mapping, r[0], r[1]);
      tok.keys = [];
      tok.vals = [];
      const maps = info.def.maps;
      if (maps.length > 0) {
        const first = maps[0]!;
        if (maps.length > 1 || first.properties.size > 0 || !first.looseKeyType) {
          // matchPropertyAndFilter narrows the list in place: copy it when there is something to narrow.
          this.wellKnown(info, maps.length > 1 ? maps.slice() : maps, node.items as Pair[], tok);
        } else this.allLoose(info, info.child(first.looseKeyType), info.child(first.looseValueType), node.items as Pair[], tok);
      } else if (this.schema.lenient && info.def.ignoredKeys?.none) {
        // An event that takes no filters, given a mapping: `status: {}` is accepted, keys are ignored.
        for (const pair of node.items as Pair[]) {
          const key = this.keyToken(pair);
          if (key) this.error(ignoredMessage(String(key.v), info.def, undefined), key, "warning");
          this.skip(pair.value);
        }
      } else {
        this.error("A mapping was not expected", tok);
        this.skip(node);
      }
      tok.info = info;
      return tok;
    }
    throw new Fallback("node that is not a scalar, sequence or mapping");
  }

  /** skipValue(): walks the node without checks (aliases still resolved, as the generator does). */
  private skip(node: unknown): void {
    if ((node === null || node === undefined) && this.schema.lenient) return;
    if (isAlias(node)) {
      const target = this.target(node);
      if (!target) return;
      this.aliasStack.push(target);
      try {
        this.skip(target);
      } finally {
        this.aliasStack.pop();
      }
      return;
    }
    if (isScalar(node)) return;
    if (isSeq(node)) {
      for (const item of node.items) {
        if (item === null || item === undefined || isPair(item)) throw new Fallback("sequence item that is not a node");
        this.skip(item);
      }
      return;
    }
    if (isMap(node)) {
      for (const pair of node.items as Pair[]) {
        if (pair.key === null || pair.key === undefined || pair.value === null || pair.value === undefined) {
          if (!this.schema.lenient) throw new Fallback("pair without key or value node");
          if (pair.value === null || pair.value === undefined) continue;
        }
        this.skip(pair.value);
      }
      return;
    }
    throw new Fallback("node that is not a scalar, sequence or mapping");
  }

  private wellKnown(info: Info, maps: Def[], pairs: Pair[], mapping: Tok): void {
    const first = maps[0]!;
    const looseKeyType = first.looseKeyType;
    const looseValueType = first.looseValueType;
    let looseKeyInfo: Info | undefined;
    let looseValueInfo: Info | undefined;
    const upperKeys = new Set<string>();
    let hasExpressionKey = false;
    for (const pair of pairs) {
      const rawKey = this.keyToken(pair);
      if (!rawKey) {
        this.skip(pair.value);
        continue;
      }
      const keyScalar = this.parseScalar(rawKey, info);
      const value = this.valueOf(pair, rawKey);
      if (keyScalar.isExpression) {
        hasExpressionKey = true;
        if (info.ctx.length > 0) {
          mapping.keys!.push(keyScalar);
          mapping.vals!.push(this.readValue(value, info.child("any")));
        } else {
          this.error("A template expression is not allowed in this context", keyScalar);
          this.skip(value);
        }
        continue;
      }
      const key = keyScalar;
      const name = key.v as string;
      if (name) {
        const upper = name.toUpperCase();
        if (upperKeys.has(upper)) {
          this.error(`'${name}' is already defined`, key);
          this.skip(value);
          continue;
        }
        upperKeys.add(upper);
      }
      // workflow-parser looks properties up in a plain object: `constructor:` there stops its reader.
      if (!this.schema.lenient && name in Object.prototype) throw new Fallback("key named like an Object.prototype member");
      const prop = matchPropertyAndFilter(maps, name);
      if (prop) {
        if (BACKGROUND_STEP_PROPERTIES.has(name)) {
          this.error(`Unexpected value '${name}'`, key);
          this.skip(value);
          continue;
        }
        const valueInfo = info.child(prop.type);
        mapping.keys!.push(key);
        mapping.vals!.push(this.readValue(value, valueInfo));
        continue;
      }
      if (looseKeyType) {
        looseKeyInfo ??= info.child(looseKeyType);
        looseValueInfo ??= info.child(looseValueType);
        this.validate(key, looseKeyInfo);
        mapping.keys!.push(key);
        mapping.vals!.push(this.readValue(value, looseValueInfo));
        continue;
      }
      const ignored = this.schema.lenient ? maps.find((m) => m.ignoredKeys)?.ignoredKeys : undefined;
      if (ignored) this.error(ignoredMessage(name, undefined, maps), key, "warning");
      else this.error(`Unexpected value '${name}'`, key);
      this.skip(value);
    }
    if (maps.length > 1) {
      const hitCount = new Map<string, number>();
      for (const m of maps) for (const k of m.properties.keys()) hitCount.set(k, (hitCount.get(k) ?? 0) + 1);
      const props: string[] = [];
      for (const [k, n] of hitCount) if (n === 1 && !BACKGROUND_STEP_ONLY.has(k)) props.push(k);
      this.error(`There's not enough info to determine what you meant. Add one of these properties: ${props.sort().join(", ")}`, mapping);
    } else if (maps.length === 1 && !hasExpressionKey) {
      for (const [propName, prop] of maps[0]!.properties) {
        if (prop.required && !upperKeys.has(propName.toUpperCase())) this.error(`Required property is missing: ${propName}`, mapping);
      }
    }
  }

  private allLoose(info: Info, keyInfo: Info, valueInfo: Info, pairs: Pair[], mapping: Tok): void {
    const upperKeys = new Set<string>();
    for (const pair of pairs) {
      const rawKey = this.keyToken(pair);
      if (!rawKey) {
        this.skip(pair.value);
        continue;
      }
      const keyScalar = this.parseScalar(rawKey, info);
      const value = this.valueOf(pair, rawKey);
      if (keyScalar.isExpression) {
        if (info.ctx.length > 0) {
          keyScalar.info = keyInfo;
          mapping.keys!.push(keyScalar);
          mapping.vals!.push(this.readValue(value, valueInfo));
        } else {
          this.error("A template expression is not allowed in this context", keyScalar);
          this.skip(value);
        }
        continue;
      }
      const key = keyScalar;
      const name = key.v as string;
      if (name) {
        const upper = name.toUpperCase();
        if (upperKeys.has(upper)) {
          this.error(`'${name}' is already defined`, key);
          this.skip(value);
          continue;
        }
        upperKeys.add(upper);
      }
      this.validate(key, keyInfo);
      mapping.keys!.push(key);
      mapping.vals!.push(this.readValue(value, valueInfo));
    }
  }

  /** TemplateReader.validate: a literal matches one of the definition's scalar types, or is reported. */
  private validate(tok: Tok, info: Info): Tok {
    switch (tok.t) {
      case T.Null:
      case T.Boolean:
      case T.Number:
      case T.String: {
        const scalars = info.def.scalars;
        if (scalars.some((d) => isMatch(d, tok.t, tok.v))) {
          tok.info = info;
          return tok;
        }
        if (tok.t !== T.String) {
          const asString = tok.text();
          if (scalars.some((d) => isMatch(d, T.String, asString))) {
            const s = new Tok(T.String, tok.s, tok.e, asString);
            s.info = info;
            return s;
          }
        }
        if (this.schema.lenient && tok.t === T.String) {
          const activity = info.def.activity;
          if (activity) {
            this.error(activityMessage(tok.v as string, activity), tok, "warning");
            return tok;
          }
        }
        this.error(`Unexpected value '${tok.text()}'`, tok);
        return tok;
      }
      case T.BasicExpression:
        if (info.ctx.length === 0) this.error("A template expression is not allowed in this context", tok);
        return tok;
      default:
        this.error(`Unexpected value '${tok.text()}'`, tok);
        return tok;
    }
  }

  /** TemplateReader.parseScalar: splits `${{ }}` out of a string and checks each expression. */
  private parseScalar(token: Tok, info: Info): Tok {
    if (token.t !== T.String || !token.v) return token;
    const raw = token.v as string;
    let startExpression = raw.indexOf(OPEN);
    if (startExpression < 0) return token;
    const startPos = this.lineCol(token.s);
    const endPos = this.lineCol(token.e);
    const isSingleLine = startPos.line === endPos.line;
    let encounteredError = false;
    const segments: Array<{ str?: string; tok?: Tok; expr?: string; directive?: boolean }> = [];
    let i = 0;
    while (i < raw.length) {
      if (i === startExpression) {
        let endExpression = -1;
        let inString = false;
        for (i += OPEN.length; i < raw.length; i++) {
          if (raw[i] === "'") inString = !inString;
          else if (!inString && raw[i] === "}" && raw[i - 1] === "}") {
            endExpression = i;
            i++;
            break;
          }
        }
        if (endExpression < startExpression) {
          this.error("The expression is not closed. An unescaped ${{ sequence was found, but the closing }} sequence was not found.", token);
          return token;
        }
        const rawExpression = raw.substr(startExpression + OPEN.length, endExpression - startExpression + 1 - OPEN.length - CLOSE.length);
        let lc: RawError["lc"];
        if (isSingleLine) {
          lc = { sl: startPos.line, sc: startPos.col + startExpression, el: endPos.line, ec: startPos.col + endExpression + 1 };
        } else {
          const startRaw = raw.substring(0, startExpression);
          const adjustedStartLine = startRaw.split("\n").length;
          const beginningOfLine = startRaw.lastIndexOf("\n");
          const line = startPos.line + adjustedStartLine;
          lc = { sl: line, sc: startExpression - beginningOfLine, el: line, ec: endExpression - beginningOfLine + 1 };
        }
        const parsed = this.parseExpression(rawExpression, info);
        if (parsed.error !== undefined) {
          this.push({ message: parsed.error, lc, stage: "read" });
          encounteredError = true;
        } else {
          if (parsed.directive && (startExpression !== 0 || i < raw.length)) {
            this.error(
              "The directive 'insert' is not allowed in this context. Directives are not supported for expressions that are embedded within a string. Directives are only supported when the entire value is an expression.",
              token,
            );
            return token;
          }
          segments.push(parsed.directive ? { directive: true } : { expr: parsed.expr });
        }
        startExpression = raw.indexOf(OPEN, i);
      } else if (i < startExpression) {
        addString(segments, raw.substr(i, startExpression - i));
        i = startExpression;
      } else {
        addString(segments, raw.substr(i));
        break;
      }
    }
    if (encounteredError) return token;
    if (segments.length === 1 && segments[0]!.expr !== undefined) {
      const str = expressionString(segments[0]!.expr);
      if (str !== undefined) return new Tok(T.String, token.s, token.e, str);
    }
    if (segments.length === 1) {
      const seg = segments[0]!;
      if (seg.directive) {
        const t = new Tok(T.InsertExpression, token.s, token.e);
        t.info = info;
        return t;
      }
      if (seg.expr !== undefined) {
        const t = new Tok(T.BasicExpression, token.s, token.e);
        t.expr = seg.expr;
        t.info = info;
        return t;
      }
    }
    const format: string[] = [];
    const args: string[] = [];
    let argIndex = 0;
    for (const seg of segments) {
      if (seg.str !== undefined) format.push(seg.str.replace(/'/g, "''").replace(/\{/g, "{{").replace(/\}/g, "}}"));
      else {
        format.push(`{${argIndex}}`);
        argIndex++;
        args.push(", ");
        // An insert directive here was rejected above; only expressions reach this point.
        args.push(seg.expr ?? "");
      }
    }
    const t = new Tok(T.BasicExpression, token.s, token.e);
    t.expr = `format('${format.join("")}'${args.join("")})`;
    t.info = info;
    return t;
  }

  private parseExpression(value: string, info: Info): { error?: string; expr?: string; directive?: boolean } {
    const trimmed = value.trim();
    if (!trimmed) return { error: "An expression was expected" };
    const directive = matchInsert(trimmed);
    if (directive === true) return { directive: true };
    if (typeof directive === "string") return { error: directive };
    const error = expressionError(trimmed, info);
    if (error !== undefined) return { error };
    return { expr: trimmed };
  }

  /** 1-based line and column as YamlObjectReader computes them (a BOM counts as a column). */
  lineCol(offset: number): { line: number; col: number } {
    return this.opts.lineCounter.linePos(offset);
  }
}

function addString(segments: Array<{ str?: string }>, value: string): void {
  const last = segments[segments.length - 1];
  if (last && last.str !== undefined) last.str = `${last.str}${value}`;
  else segments.push({ str: value });
}

/** `${{ 'literal' }}`: the string when the expression is a single string literal, else undefined. */
function expressionString(trimmed: string): string | undefined {
  const result: string[] = [];
  let inString = false;
  for (let i = 0; i < trimmed.length; i++) {
    const c = trimmed[i]!;
    if (c === "'") {
      inString = !inString;
      if (inString && i !== 0) result.push(c);
    } else if (!inString) return undefined;
    else result.push(c);
  }
  return result.join("");
}

/** matchDirective(trimmed, "insert", 0): true on a match, an error message, or false. */
function matchInsert(trimmed: string): true | string | false {
  const directive = "insert";
  if (!(trimmed.startsWith(directive) && (trimmed.length === directive.length || WHITESPACE.test(trimmed[directive.length]!)))) return false;
  const parameters: string[] = [];
  let startIndex = directive.length;
  let inString = false;
  let parens = 0;
  for (let i = startIndex; i < trimmed.length; i++) {
    const c = trimmed[i]!;
    if (WHITESPACE.test(c) && !inString && parens === 0) {
      if (startIndex < 1) parameters.push(trimmed.substr(startIndex, i - startIndex));
      startIndex = i + 1;
    } else if (c === "'") inString = !inString;
    else if (c === "(" && !inString) parens++;
    else if (c === ")" && !inString) parens--;
  }
  if (startIndex < trimmed.length) parameters.push(trimmed.substr(startIndex));
  if (parameters.length !== 0) {
    return `Exactly 0 parameter(s) were expected following the directive '${directive}'. Actual parameter count: ${parameters.length}`;
  }
  return true;
}

function isMatch(def: Def, t: T, v: unknown): boolean {
  switch (def.kind) {
    case Kind.Null:
      return t === T.Null;
    case Kind.Boolean:
      return t === T.Boolean;
    case Kind.Number:
      return t === T.Number;
    case Kind.String: {
      if (t !== T.String) return false;
      const value = v as string;
      if (def.constant) return def.ignoreCase ? def.constant.toUpperCase() === value.toUpperCase() : def.constant === value;
      if (def.requireNonEmpty) return !!value;
      return true;
    }
    default:
      return false;
  }
}

/** TemplateSchema.matchPropertyAndFilter: finds the property and drops definitions without it. */
function matchPropertyAndFilter(maps: Def[], name: string) {
  let result;
  let notFoundInSome = false;
  for (const m of maps) {
    const p = m.properties.get(name);
    if (p) result = p;
    else notFoundInSome = true;
  }
  if (result && notFoundInSome) {
    for (let i = 0; i < maps.length; ) {
      if (maps[i]!.properties.has(name)) i++;
      else maps.splice(i, 1);
    }
  }
  return result;
}

/** Levenshtein distance, for "did you mean" suggestions (short strings only). */
export function distance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 3) return 99;
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

/** The closest candidate within two edits, if any. */
export function suggest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = 3;
  for (const c of candidates) {
    const d = distance(word, c);
    if (d < bestD) {
      best = c;
      bestD = d;
    }
  }
  return best;
}

function ignoredMessage(key: string, nullEvent: Def | undefined, maps: Def[] | undefined): string {
  if (nullEvent) {
    return `'${key}' is ignored by GitHub: the '${nullEvent.event}' trigger takes no filters`;
  }
  const owner = maps!.find((m) => m.ignoredKeys)!.ignoredKeys!.owner;
  const known = new Set<string>();
  for (const m of maps!) for (const k of m.properties.keys()) known.add(k);
  const hint = suggest(key, known);
  return `'${key}' is ignored by GitHub: ${owner} has no such key${hint ? ` (did you mean '${hint}'?)` : ` (it takes ${[...known].join(", ")})`}`;
}

function activityMessage(value: string, def: Def): string {
  const names = def.oneOf.map((n) => n.slice(def.name.length + 1));
  const hint = suggest(value, names);
  const of = def.activityOf ? ` of '${def.activityOf}'` : "";
  return `'${value}' is not an activity type${of}: GitHub accepts the workflow but no event of this type exists${hint ? ` (did you mean '${hint}'?)` : ""}`;
}
