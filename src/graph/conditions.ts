/**
 * `if:` conditions decided statically with GitHub's own expression engine, wherever the values a
 * condition reads are known before the run: inputs a composite call site or a reusable-workflow caller
 * passes, and literals. Anything else (other contexts, status and hash functions) stays "unknown",
 * which every rule treats as "may run".
 */
import { Evaluator, Lexer, Parser, data } from "@actions/expressions";
import { TokenType } from "@actions/expressions/lexer";
import { falsy } from "@actions/expressions/result";

export type Decision = "true" | "false" | "unknown";

/** A value known before the run: composite inputs are strings; reusable-workflow inputs keep their type. */
export type KnownValue = string | boolean | number;

/** Values known for a condition, keyed by lower-cased name. */
export interface KnownContexts {
  inputs?: ReadonlyMap<string, KnownValue>;
  /**
   * One concrete run: its event (`github.event_name`) and, when known, its ref (`github.ref`,
   * `github.ref_name`, `github.ref_type`). Other `github.*` values stay unknown.
   */
  run?: { event: string; ref: string | undefined };
  /** The step or job runs after everything before it succeeded: success() and always() are true, cancelled() false. */
  succeeded?: boolean;
}

// Functions whose result depends only on their arguments; status functions and hashFiles do not.
const PURE_FUNCTIONS = new Set(["contains", "startswith", "endswith", "format", "join", "tojson", "fromjson"]);
const STATUS = [
  [/\bsuccess\(\s*\)/g, "true"],
  [/\balways\(\s*\)/g, "true"],
  [/\bcancelled\(\s*\)/g, "false"],
] as const;
const RUN_KEYS = new Set(["event_name", "ref", "ref_name", "ref_type"]);

/**
 * What a condition evaluates to before the run. `${{ }}` around the whole condition is optional, as
 * in GitHub's `if:`; a condition with text outside one wrapper is unknown.
 */
export function decide(condition: string | undefined, known: KnownContexts): Decision {
  if (condition === undefined) return "unknown";
  let text = condition.trim();
  if (text === "") return "unknown";
  const wrapped = /^\$\{\{([\s\S]*)\}\}$/.exec(text);
  if (wrapped) text = wrapped[1]!;
  if (text.includes("${{") || text.includes("}}")) return "unknown";
  if (known.succeeded) {
    if (/\bfailure\(/.test(text)) return "unknown";
    for (const [re, value] of STATUS) text = text.replace(re, value);
  }
  try {
    const { tokens } = new Lexer(text).lex();
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i]!;
      if (t.type !== TokenType.IDENTIFIER || tokens[i - 1]?.type === TokenType.DOT) continue;
      const name = t.lexeme.toLowerCase();
      if (tokens[i + 1]?.type === TokenType.LEFT_PAREN) {
        if (!PURE_FUNCTIONS.has(name)) return "unknown";
        continue;
      }
      const next = tokens[i + 1];
      const key = next?.type === TokenType.DOT || next?.type === TokenType.LEFT_BRACKET ? tokens[i + 2] : undefined;
      const keyName = key?.type === TokenType.IDENTIFIER || key?.type === TokenType.STRING ? String(key.value ?? key.lexeme).toLowerCase() : undefined;
      // Only what `known` holds can be known before the run.
      if (name === "inputs") {
        if (!keyName || !known.inputs?.has(keyName)) return "unknown";
        continue;
      }
      if (name === "github" && known.run) {
        if (!keyName || !RUN_KEYS.has(keyName)) return "unknown";
        const after = tokens[i + 3];
        if (after?.type === TokenType.DOT || after?.type === TokenType.LEFT_BRACKET) return "unknown";
        if (keyName !== "event_name" && known.run.ref === undefined) return "unknown";
        continue;
      }
      return "unknown";
    }
    const expr = new Parser(tokens, ["github", "inputs"], []).parse();
    const inputs = new data.Dictionary();
    for (const [k, v] of known.inputs ?? []) inputs.add(k, toData(v));
    const github = new data.Dictionary();
    if (known.run) {
      const { event, ref } = known.run;
      github.add("event_name", new data.StringData(event));
      if (ref !== undefined) {
        github.add("ref", new data.StringData(ref));
        const m = /^refs\/(heads|tags)\/(.*)$/.exec(ref) ?? /^refs\/(pull)\/(.*)$/.exec(ref);
        github.add("ref_name", new data.StringData(m ? m[2]! : ref));
        github.add("ref_type", new data.StringData(m?.[1] === "tags" ? "tag" : "branch"));
      }
    }
    const result = new Evaluator(expr, new data.Dictionary({ key: "github", value: github }, { key: "inputs", value: inputs })).evaluate();
    return falsy(result) ? "false" : "true";
  } catch {
    return "unknown";
  }
}

function toData(v: KnownValue): data.ExpressionData {
  if (typeof v === "boolean") return new data.BooleanData(v);
  if (typeof v === "number") return new data.NumberData(v);
  return new data.StringData(v);
}

/**
 * Typed input values from raw texts: values still holding an expression are unknown (left out);
 * reusable-workflow inputs declared `boolean`/`number` take that type when the text is one.
 */
export function knownInputs(values: ReadonlyMap<string, string>, types?: ReadonlyMap<string, string | undefined>): Map<string, KnownValue> {
  const out = new Map<string, KnownValue>();
  for (const [k, v] of values) {
    if (v.includes("${{")) continue;
    const type = types?.get(k);
    if (type === "boolean") {
      const t = v.trim().toLowerCase();
      if (t === "true" || t === "false") out.set(k, t === "true");
      continue;
    }
    if (type === "number") {
      const n = Number(v.trim());
      if (v.trim() !== "" && Number.isFinite(n)) out.set(k, n);
      continue;
    }
    out.set(k, v);
  }
  return out;
}

/** False only when the condition is decided false by the (string) inputs given; true when it runs or cannot be told. */
export function mayRun(condition: string | undefined, inputs: ReadonlyMap<string, string> | undefined): boolean {
  if (!inputs) return true;
  return decide(condition, { inputs: knownInputs(inputs) }) !== "false";
}
