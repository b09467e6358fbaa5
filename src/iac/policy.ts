/**
 * A trust policy document (as a value tree from any source) → its statements, with the GitHub
 * provider recognised and every condition value kept with its location.
 */
import type { Located, PEntry, PolicyString, PValue, ProviderRef, TrustCondition, TrustStatement } from "./types.js";
import { knownText, shownText, unknownString } from "./types.js";

export const GITHUB_HOST = "token.actions.githubusercontent.com";
const PROVIDER_ARN = /^arn:(aws|aws-cn|aws-us-gov):iam::[^:]*:oidc-provider\/(.+)$/;

/** The entry of an object whose known key is `name` (last one wins, as JSON readers do). */
export function entry(v: PValue | undefined, name: string): PEntry | undefined {
  if (v?.t !== "obj") return undefined;
  let found: PEntry | undefined;
  for (const e of v.entries) if (knownText(e.key) === name) found = e;
  return found;
}

/** A value as a list (a single value is a list of one). */
function asList(v: PValue): PValue[] {
  return v.t === "list" ? v.items : [v];
}

export function readPolicy(doc: PValue): { statements: TrustStatement[] } | { unknown: string } {
  if (doc.t === "unknown") return { unknown: doc.why };
  const st = entry(doc, "Statement");
  if (!st) return { unknown: doc.t === "obj" ? "the document has no `Statement`" : "the document is not a JSON object" };
  if (st.value.t === "unknown") return { unknown: st.value.why };
  const statements: TrustStatement[] = [];
  for (const s of asList(st.value)) {
    if (s.t === "unknown") {
      // A statement credflow cannot read (a `dynamic` block, a merged document): it may accept anything.
      statements.push({ at: s.at, effect: "unknown", provider: { kind: "unknown", why: s.why }, webIdentity: "unknown", conditions: [], conditionsComplete: false, opaque: s.why });
      continue;
    }
    if (s.t !== "obj") continue;
    statements.push(readStatement(s));
  }
  return { statements };
}

function readStatement(s: Extract<PValue, { t: "obj" }>): TrustStatement {
  const effectEntry = entry(s, "Effect");
  const effectText = effectEntry?.value.t === "str" ? knownText(effectEntry.value.s) : undefined;
  const effect: TrustStatement["effect"] = effectText === "Allow" || effectText === "Deny" ? effectText : "unknown";
  const out: TrustStatement = {
    at: s.at,
    effect,
    provider: readProvider(entry(s, "Principal")?.value),
    webIdentity: readActions(entry(s, "Action")?.value),
    conditions: [],
    conditionsComplete: true,
  };
  if (entry(s, "NotPrincipal")) out.opaque = "`NotPrincipal`";
  if (entry(s, "NotAction")) out.opaque = "`NotAction`";
  const cond = entry(s, "Condition");
  if (cond) {
    out.conditionAt = cond.value.t === "obj" ? cond.value.at : cond.key.at;
    readConditions(cond.value, out);
  }
  return out;
}

function readConditions(v: PValue, out: TrustStatement): void {
  if (v.t !== "obj") {
    out.conditionsComplete = false;
    return;
  }
  const operators = v.entries.map((e) => knownText(e.key)).filter((x): x is string => x !== undefined);
  for (const op of v.entries) {
    const operator = knownText(op.key);
    if (operator === undefined || op.value.t !== "obj") {
      out.conditionsComplete = false;
      continue;
    }
    for (const k of op.value.entries) {
      const c: TrustCondition = {
        operator,
        operatorAt: op.key.at,
        siblingOperators: op.separate ? [] : operators.filter((o) => o !== operator),
        keyAt: k.key.at,
        values: readValues(k.value),
      };
      if (op.keyEdit) c.operatorEdit = op.keyEdit;
      const key = knownText(k.key);
      if (key !== undefined) c.key = key;
      out.conditions.push(c);
    }
  }
}

function readValues(v: PValue): PolicyString[] | { unknown: string; at: Located } {
  if (v.t === "unknown") return { unknown: v.why, at: v.at };
  if (v.t === "obj") return { unknown: "the value is an object", at: v.at };
  const out: PolicyString[] = [];
  for (const item of asList(v)) {
    if (item.t === "str") out.push(item.s);
    else if (item.t === "unknown") out.push(unknownString(item.why, item.at));
    else out.push(unknownString("a nested value", item.at));
  }
  return out;
}

function readActions(v: PValue | undefined): boolean | "unknown" {
  if (!v) return false;
  let unknown = false;
  for (const item of asList(v)) {
    if (item.t !== "str") {
      unknown = true;
      continue;
    }
    const text = knownText(item.s);
    if (text === undefined) {
      unknown = true;
      continue;
    }
    // Action names are case-insensitive and may hold wildcards (`sts:*`, `*`).
    const re = new RegExp(`^${text.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "i");
    if (re.test("sts:AssumeRoleWithWebIdentity")) return true;
  }
  return unknown ? "unknown" : false;
}

function readProvider(v: PValue | undefined): ProviderRef {
  if (!v) return { kind: "other", text: "no principal" };
  if (v.t === "unknown") return { kind: "unknown", why: v.why };
  if (v.t !== "obj") return { kind: "other", text: v.t === "str" ? shownText(v.s) : "a list" };
  const fed = entry(v, "Federated");
  if (!fed) return { kind: "other", text: "no federated principal" };
  let unknown: ProviderRef | undefined;
  for (const item of asList(fed.value)) {
    if (item.t === "unknown") {
      unknown ??= { kind: "unknown", why: item.why };
      continue;
    }
    if (item.t !== "str") continue;
    const p = classifyProvider(item.s);
    if (p.kind === "github") return p;
    if (p.kind === "unknown") unknown ??= p;
  }
  return unknown ?? { kind: "other", text: "another identity provider" };
}

/** Whether a federated principal string is GitHub's OIDC provider (`…:oidc-provider/token.actions.githubusercontent.com`). */
export function classifyProvider(s: PolicyString): ProviderRef {
  const text = knownText(s);
  if (text !== undefined) {
    const m = PROVIDER_ARN.exec(text);
    if (m && m[2] === GITHUB_HOST) return { kind: "github", partition: m[1] as "aws", at: s.at };
    return { kind: "other", text };
  }
  const last = s.segments[s.segments.length - 1];
  if (last && !("unknown" in last) && last.text.endsWith(`:oidc-provider/${GITHUB_HOST}`)) {
    const first = s.segments[0];
    const head = first && !("unknown" in first) ? /^arn:(aws|aws-cn|aws-us-gov):/.exec(first.text)?.[1] : undefined;
    return { kind: "github", partition: (head as "aws" | undefined) ?? "unknown", at: s.at };
  }
  if (last && !("unknown" in last) && /oidc-provider\//.test(last.text)) return { kind: "other", text: shownText(s) };
  const why = s.segments.find((x): x is { unknown: string } => "unknown" in x)?.unknown ?? "not known";
  return { kind: "unknown", why };
}
