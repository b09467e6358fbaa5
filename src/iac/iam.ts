/**
 * IAM condition semantics for GitHub's OIDC claims, exactly as STS evaluates a trust policy:
 * statements are ORed (a matching `Deny` wins), the keys of one statement are ANDed, the values of
 * one key are ORed; `StringEquals` compares literally and case-sensitively (`*` is an asterisk),
 * `StringLike` expands `*` (any run of characters, `/` and `:` included) and `?` (one character);
 * `…IgnoreCase` folds case; `StringNot…` negates; `ForAnyValue:` / `ForAllValues:` on the
 * single-valued `sub` and `aud` claims behave like the plain operator; `…IfExists` changes nothing for
 * claims every token has.
 *
 * A subject is a template: literal text and holes. A "varying" hole is a part the job's runs really
 * vary over (the branch of a `workflow_dispatch`); an "unknown" hole is one value credflow does not
 * know (the repository, an environment from an expression). A pattern may hold unknown parts too (a
 * variable without a value). The verdict for a subject template:
 *   all      every value the template stands for is accepted;
 *   none     no value is accepted;
 *   some     some runs are accepted and some refused (only varying holes, every pattern known);
 *   unknown  the answer depends on something credflow does not know.
 */
import type { PolicyString, TrustCondition, TrustStatement } from "./types.js";
import { GITHUB_HOST } from "./policy.js";

export type CharClass = "any" | "noslash" | "digits";

export type SubjectPart = { lit: string } | { hole: CharClass; varies: boolean; label: string };

export type Verdict = "all" | "some" | "none" | "unknown";

// ---------- operators ----------

export interface Operator {
  base: "Equals" | "Like";
  negated: boolean;
  ignoreCase: boolean;
  /** `ForAnyValue:` / `ForAllValues:` as written (no effect on single-valued claims). */
  set?: "ForAnyValue" | "ForAllValues";
  ifExists: boolean;
}

/** A string operator, or undefined for anything else (`ArnLike`, `Null`, `Bool`, …). Operator names are case-insensitive. */
export function parseOperator(op: string): Operator | undefined {
  const m = /^(?:(ForAnyValue|ForAllValues):)?String(Not)?(Equals|Like)(IgnoreCase)?(IfExists)?$/i.exec(op.trim());
  if (!m) return undefined;
  const set = m[1] ? (m[1].toLowerCase() === "foranyvalue" ? "ForAnyValue" : "ForAllValues") : undefined;
  if (m[3]!.toLowerCase() === "like" && m[4]) return undefined; // StringLikeIgnoreCase does not exist
  return { base: m[3]!.toLowerCase() === "like" ? "Like" : "Equals", negated: !!m[2], ignoreCase: !!m[4], ...(set ? { set } : {}), ifExists: !!m[5] };
}

/** The GitHub claim a condition key names (`sub`, `aud`, …), or undefined for another key. Keys are case-insensitive. */
export function githubClaim(key: string | undefined): string | undefined {
  if (!key) return undefined;
  const k = key.toLowerCase();
  const prefix = `${GITHUB_HOST}:`;
  return k.startsWith(prefix) ? k.slice(prefix.length) : undefined;
}

// ---------- patterns ----------

type PUnit = { c: string } | { star: true } | { one: true } | { unknown: true };

function patternUnits(s: PolicyString, like: boolean, fold: boolean): PUnit[] {
  const out: PUnit[] = [];
  for (const seg of s.segments) {
    if ("unknown" in seg) {
      out.push({ unknown: true });
      continue;
    }
    const text = fold ? seg.text.toLowerCase() : seg.text;
    for (const c of text) {
      if (like && c === "*") out.push({ star: true });
      else if (like && c === "?") out.push({ one: true });
      else out.push({ c });
    }
  }
  return out;
}

type SUnit = { c: string } | { hole: CharClass; varies: boolean };

function subjectUnits(parts: readonly SubjectPart[], fold: boolean): SUnit[] {
  const out: SUnit[] = [];
  for (const p of parts) {
    if ("hole" in p) out.push({ hole: p.hole, varies: p.varies });
    else for (const c of fold ? p.lit.toLowerCase() : p.lit) out.push({ c });
  }
  return out;
}

function inClass(c: string, k: CharClass): boolean {
  if (k === "digits") return c >= "0" && c <= "9";
  if (k === "noslash") return c !== "/";
  return true;
}

/** Some value of the subject matches the pattern (unknown pattern parts match anything). */
function may(s: SUnit[], p: PUnit[]): boolean {
  // Breadth-first search over (subject unit, inside that hole, pattern unit).
  const seen = new Set<number>();
  const key = (i: number, h: number, j: number) => (i * 2 + h) * (p.length + 1) + j;
  const stack: Array<[number, number, number]> = [[0, 0, 0]];
  while (stack.length > 0) {
    const [i, h, j] = stack.pop()!;
    const k = key(i, h, j);
    if (seen.has(k)) continue;
    seen.add(k);
    const pu = p[j];
    // Epsilon moves: skip a star (or an unknown part); leave a hole that has taken a character.
    if (pu && ("star" in pu || "unknown" in pu)) stack.push([i, h, j + 1]);
    if (h === 1) stack.push([i + 1, 0, j]);
    if (i === s.length && j === p.length) return true;
    const su = s[i];
    if (!su || !pu) continue;
    const pStay = "star" in pu || "unknown" in pu;
    const nextJ = pStay ? j : j + 1;
    if ("c" in su) {
      if ("c" in pu && pu.c !== su.c) continue;
      stack.push([i + 1, 0, nextJ]);
    } else {
      if ("c" in pu && !inClass(pu.c, su.hole)) continue;
      stack.push([i, 1, nextJ]);
    }
  }
  return false;
}

/** Every value of the subject matches the pattern (sound: holes must fall inside one `*`). */
function covers(s: SUnit[], p: PUnit[]): boolean {
  if (p.some((u) => "unknown" in u)) return false;
  const memo = new Map<number, boolean>();
  const go = (i: number, j: number): boolean => {
    const k = i * (p.length + 1) + j;
    const m = memo.get(k);
    if (m !== undefined) return m;
    memo.set(k, false);
    let r: boolean;
    const pu = p[j];
    if (i === s.length) r = p.slice(j).every((u) => "star" in u);
    else if (!pu) r = false;
    else {
      const su = s[i]!;
      if ("star" in pu) r = go(i + 1, j) || go(i, j + 1);
      else if ("hole" in su) r = false;
      else if ("one" in pu) r = go(i + 1, j + 1);
      else r = "c" in pu && pu.c === su.c && go(i + 1, j + 1);
    }
    memo.set(k, r);
    return r;
  };
  return go(0, 0);
}

/** How a set of values (ORed) under one operator judges a subject template. */
export function judgeValues(subject: readonly SubjectPart[], values: readonly PolicyString[], op: Operator): Verdict {
  const s = subjectUnits(subject, op.ignoreCase);
  let any = false;
  let all = false;
  let unknownPattern = false;
  for (const v of values) {
    const p = patternUnits(v, op.base === "Like", op.ignoreCase);
    if (p.some((u) => "unknown" in u)) unknownPattern = true;
    if (may(s, p)) any = true;
    if (covers(s, p)) all = true;
  }
  let verdict: Verdict;
  if (all) verdict = "all";
  else if (!any) verdict = "none";
  else if (unknownPattern || s.some((u) => "hole" in u && !u.varies)) verdict = "unknown";
  else verdict = "some";
  if (!op.negated) return verdict;
  return verdict === "all" ? "none" : verdict === "none" ? "all" : verdict;
}

// ---------- statements and policies ----------

/** The claims of one job run as templates. `claims` holds the ones credflow can state (`sub`, `aud`). */
export interface TokenClaims {
  sub: SubjectPart[];
  aud: SubjectPart[];
}

export function and(a: Verdict, b: Verdict): Verdict {
  if (a === "none" || b === "none") return "none";
  if (a === "unknown" || b === "unknown") return "unknown";
  if (a === "some" || b === "some") return "some";
  return "all";
}

export function or(a: Verdict, b: Verdict): Verdict {
  if (a === "all" || b === "all") return "all";
  if (a === "unknown" || b === "unknown") return "unknown";
  if (a === "some" || b === "some") return "some";
  return "none";
}

/** Whether a statement concerns GitHub's OIDC provider: its principal, or (principal unknown) its condition keys. */
export function concernsGithub(st: TrustStatement): boolean | "unknown" {
  if (st.provider.kind === "github") return true;
  if (st.provider.kind === "other") return false;
  return st.conditions.some((c) => githubClaim(c.key) !== undefined) ? true : "unknown";
}

/** One condition against the claims. */
export function judgeCondition(c: TrustCondition, claims: TokenClaims): Verdict {
  const claim = githubClaim(c.key);
  const op = parseOperator(c.operator);
  if (claim !== "sub" && claim !== "aud") return "unknown";
  if (!op || !Array.isArray(c.values)) return "unknown";
  return judgeValues(claim === "sub" ? claims.sub : claims.aud, c.values, op);
}

/** A statement's verdict for the claims, as an `Allow` would grant (Effect handled by the caller). */
export function judgeStatement(st: TrustStatement, claims: TokenClaims): Verdict {
  const github = concernsGithub(st);
  if (github === false || st.webIdentity === false) return "none";
  let v: Verdict = github === "unknown" || st.webIdentity === "unknown" || st.opaque ? "unknown" : "all";
  for (const c of st.conditions) v = and(v, judgeCondition(c, claims));
  if (!st.conditionsComplete && v !== "none") v = "unknown";
  return v;
}

/** The policy's verdict: Allow statements ORed, then Deny statements taken away. */
export function judgePolicy(statements: readonly TrustStatement[], claims: TokenClaims): Verdict {
  let allow: Verdict = "none";
  let deny: Verdict = "none";
  for (const st of statements) {
    const v = judgeStatement(st, claims);
    if (st.effect === "Allow") allow = or(allow, v);
    else if (st.effect === "Deny") deny = or(deny, v);
    else allow = or(allow, v === "none" ? "none" : "unknown");
  }
  if (deny === "none") return allow;
  if (deny === "all" || allow === "none") return "none";
  return "unknown";
}
