/**
 * CloudFormation and SAM templates (YAML with the short-form tags, or JSON, CDK's
 * `cdk.out/*.template.json` included): `AWS::IAM::Role` resources with their `RoleName` and
 * `AssumeRolePolicyDocument`. Intrinsic functions are evaluated where the template decides them:
 * `Ref`/`!Ref` to parameters (their `Default`, recorded as an assumption: a deployment may pass
 * another value) and to OIDC provider resources, `Fn::Sub`, `Fn::Join`, `Fn::If` with decidable
 * conditions, `Fn::Select`, `Fn::Split`, `Fn::FindInMap`, `Fn::GetAtt …Arn` of a provider.
 * `Fn::ImportValue`, pseudo parameters and other resources' attributes stay unknown.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type Scalar } from "yaml";
import type { SourceFile } from "../model/types.js";
import { readPolicy } from "./policy.js";
import { located } from "./source.js";
import type { Located, PEntry, PolicyString, PValue, RoleName, TrustRole, TrustSource } from "./types.js";
import { concatStrings, knownText, pushSegment } from "./types.js";
import type { Segment } from "./types.js";

const NO_VALUE = "\0AWS::NoValue";
/** Nodes visited per template (aliases may multiply them): a guard far above real templates. */
const MAX_VISITS = 200_000;

/** Parses a template; undefined when it is not a mapping (then it is no template). */
export function parseTemplate(file: SourceFile): { doc: Document; problem?: { message: string; offset: number } } | undefined {
  const lineCounter = new LineCounter();
  const doc = parseDocument(file.text, { lineCounter, uniqueKeys: false, strict: false, prettyErrors: false });
  if (!isMap(doc.contents)) return undefined;
  const err = doc.errors[0];
  return err ? { doc, problem: { message: err.message.split("\n")[0] ?? "syntax error", offset: err.pos[0] } } : { doc };
}

type YNode = Node | null | undefined;

function get(map: YNode, key: string): YNode {
  if (!isMap(map)) return undefined;
  let found: YNode;
  for (const p of map.items) if (isScalar(p.key) && String(p.key.value) === key) found = p.value as YNode;
  return found;
}

function scalarText(n: YNode): string | undefined {
  return isScalar(n) && n.value !== null && typeof n.value !== "object" ? String(n.value) : undefined;
}

export class Template {
  private visits = 0;
  private readonly params = new Map<string, YNode>();
  private readonly resources = new Map<string, YNode>();
  private readonly conditions = new Map<string, YNode>();
  private readonly condBusy = new Set<string>();
  private readonly mappings: YNode;

  constructor(
    readonly file: SourceFile,
    private readonly doc: Document,
    readonly source: TrustSource,
  ) {
    const root = doc.contents as YNode;
    const each = (section: string, into: Map<string, YNode>) => {
      const m = this.deref(get(root, section));
      if (isMap(m)) for (const p of m.items) if (isScalar(p.key)) into.set(String(p.key.value), p.value as YNode);
    };
    each("Parameters", this.params);
    each("Resources", this.resources);
    each("Conditions", this.conditions);
    this.mappings = this.deref(get(root, "Mappings"));
  }

  /** Whether the template defines an `AWS::IAM::Role` at all. */
  hasRoles(): boolean {
    for (const r of this.resources.values()) if (scalarText(get(this.deref(r), "Type")) === "AWS::IAM::Role") return true;
    return false;
  }

  roles(): TrustRole[] {
    const out: TrustRole[] = [];
    const root = this.deref(get(this.doc.contents as YNode, "Resources"));
    if (!isMap(root)) return out;
    for (const pair of root.items) {
      if (!isScalar(pair.key)) continue;
      const id = String(pair.key.value);
      const res = this.deref(pair.value as YNode);
      if (scalarText(get(res, "Type")) !== "AWS::IAM::Role") continue;
      const props = this.deref(get(res, "Properties"));
      const at = this.at(pair.key as Node);
      let name: RoleName = { kind: "generated", logicalId: id };
      const rn = get(props, "RoleName");
      if (rn !== undefined) {
        const v = this.eval(rn);
        const t = v.t === "str" ? knownText(v.s) : undefined;
        name = t !== undefined && v.t === "str" ? { kind: "name", value: t, assumptions: v.s.assumptions } : { kind: "unknown", why: v.t === "unknown" ? v.why : v.t === "str" ? (v.s.segments.find((s): s is { unknown: string } => "unknown" in s)?.unknown ?? "not known") : "not a string" };
      }
      const role: TrustRole = { source: this.source, id, at, name, policy: { unknown: "no `AssumeRolePolicyDocument`" } };
      const docNode = get(props, "AssumeRolePolicyDocument");
      if (docNode) {
        role.policyAt = this.at(docNode);
        let v = this.eval(docNode);
        if (v.t === "str") v = { t: "unknown", why: "the policy is given as a string", at: v.s.at };
        role.policy = readPolicy(v);
      }
      out.push(role);
    }
    return out;
  }

  private deref(n: YNode): YNode {
    let cur = n;
    for (let i = 0; i < 16 && isAlias(cur); i++) cur = cur.resolve(this.doc) as YNode;
    return isAlias(cur) ? undefined : cur;
  }

  at(n: Node): Located {
    const r = n.range;
    return located(this.file, r?.[0] ?? 0, r?.[1] ?? r?.[0] ?? 0);
  }

  private str(text: string, at: Located, assumptions: string[] = []): PValue {
    return { t: "str", s: { segments: [{ text }], at, assumptions } };
  }

  eval(input: YNode): PValue {
    const n = this.deref(input);
    const at = n ? this.at(n) : located(this.file, 0, 0);
    if (++this.visits > MAX_VISITS) return { t: "unknown", why: "the template is too large to evaluate", at };
    if (!n) return { t: "unknown", why: "an empty value", at };
    const tag = n.tag && n.tag.startsWith("!") ? n.tag.slice(1) : undefined;
    if (tag) return this.intrinsic(tag === "Ref" || tag === "Condition" ? tag : `Fn::${tag}`, n, at, true);
    if (isScalar(n)) {
      if (n.value === null) return { t: "unknown", why: "null", at };
      return this.str(String(n.value), at);
    }
    if (isSeq(n)) {
      const items = n.items.map((i) => this.eval(i as YNode)).filter((v) => !(v.t === "unknown" && v.why === NO_VALUE));
      return { t: "list", items, at };
    }
    if (isMap(n)) {
      if (n.items.length === 1 && isScalar(n.items[0]!.key)) {
        const k = String(n.items[0]!.key.value);
        if (k === "Ref" || k.startsWith("Fn::")) return this.intrinsic(k, n.items[0]!.value as YNode, at, false);
      }
      const entries: PEntry[] = [];
      for (const p of n.items) {
        if (!isPair(p) || !isScalar(p.key)) continue;
        const value = this.eval(p.value as YNode);
        if (value.t === "unknown" && value.why === NO_VALUE) continue;
        const key = p.key as Scalar;
        const kat = this.at(key);
        const entry: PEntry = { key: { segments: [{ text: String(key.value) }], at: kat, assumptions: [] }, value };
        const edit = this.keySpan(key);
        if (edit) entry.keyEdit = { file: this.file, ...edit };
        entries.push(entry);
      }
      return { t: "obj", entries, at };
    }
    return { t: "unknown", why: "an unreadable value", at };
  }

  /** The key's text span (quotes excluded) when the source spells the value plainly. */
  private keySpan(key: Scalar): { start: number; end: number } | undefined {
    const r = key.range;
    if (!r) return undefined;
    const src = this.file.text.slice(r[0], r[1]);
    const value = String(key.value);
    if (src === value) return { start: r[0], end: r[1] };
    if ((src.startsWith('"') || src.startsWith("'")) && src.slice(1, -1) === value) return { start: r[0] + 1, end: r[1] - 1 };
    return undefined;
  }

  private intrinsic(fn: string, arg: YNode, at: Located, short: boolean): PValue {
    const a = this.deref(arg);
    const unknown = (why: string): PValue => ({ t: "unknown", why, at });
    const name = short ? `!${fn.replace(/^Fn::/, "")}` : fn;
    switch (fn) {
      case "Ref": {
        const target = scalarText(a);
        return target === undefined ? unknown(`\`${name}\` of a non-name`) : this.ref(target, at);
      }
      case "Fn::GetAtt": {
        const parts = isSeq(a) ? a.items.map((i) => scalarText(this.deref(i as YNode))) : (scalarText(a)?.split(".") ?? []);
        const [res, attr] = parts;
        if (res && attr === "Arn" && this.isProvider(res)) return this.providerArn(res, at);
        return unknown(`\`${res ?? "?"}.${attr ?? "?"}\` is known only after the stack is created`);
      }
      case "Fn::Sub":
        return this.sub(a, at);
      case "Fn::Join": {
        if (!isSeq(a) || a.items.length !== 2) return unknown(`a malformed \`${name}\``);
        const d = this.eval(a.items[0] as YNode);
        const list = this.eval(a.items[1] as YNode);
        const delim = d.t === "str" ? knownText(d.s) : undefined;
        if (delim === undefined || list.t !== "list") return unknown(`\`${name}\` over values that are not known`);
        const parts: PolicyString[] = [];
        list.items.forEach((item, i) => {
          if (i > 0) parts.push({ segments: [{ text: delim }], at, assumptions: [] });
          parts.push(item.t === "str" ? item.s : { segments: [{ unknown: item.t === "unknown" ? item.why : "a nested list" }], at, assumptions: [] });
        });
        return { t: "str", s: concatStrings(parts, at) };
      }
      case "Fn::If": {
        if (!isSeq(a) || a.items.length !== 3) return unknown(`a malformed \`${name}\``);
        const cond = scalarText(this.deref(a.items[0] as YNode));
        const decided = cond === undefined ? undefined : this.condition(cond);
        if (decided === undefined) return unknown(`condition \`${cond ?? "?"}\` is decided at deployment`);
        return this.eval(a.items[decided ? 1 : 2] as YNode);
      }
      case "Fn::Select": {
        if (!isSeq(a) || a.items.length !== 2) return unknown(`a malformed \`${name}\``);
        const i = this.eval(a.items[0] as YNode);
        const list = this.eval(a.items[1] as YNode);
        const idx = i.t === "str" ? Number(knownText(i.s)) : NaN;
        if (list.t === "list" && Number.isInteger(idx) && list.items[idx]) return list.items[idx]!;
        return unknown(`\`${name}\` over values that are not known`);
      }
      case "Fn::Split": {
        if (!isSeq(a) || a.items.length !== 2) return unknown(`a malformed \`${name}\``);
        const d = this.eval(a.items[0] as YNode);
        const s = this.eval(a.items[1] as YNode);
        const delim = d.t === "str" ? knownText(d.s) : undefined;
        const text = s.t === "str" ? knownText(s.s) : undefined;
        if (delim === undefined || text === undefined || s.t !== "str") return unknown(`\`${name}\` over values that are not known`);
        return { t: "list", items: text.split(delim).map((p) => this.str(p, at, s.s.assumptions)), at };
      }
      case "Fn::FindInMap": {
        if (!isSeq(a) || a.items.length < 3) return unknown(`a malformed \`${name}\``);
        const keys = a.items.slice(0, 3).map((i) => {
          const v = this.eval(i as YNode);
          return v.t === "str" ? knownText(v.s) : undefined;
        });
        if (keys.some((k) => k === undefined)) return unknown(`\`${name}\` with keys known only at deployment`);
        const v = get(this.deref(get(this.deref(get(this.mappings, keys[0]!)), keys[1]!)), keys[2]!);
        return v === undefined ? unknown(`\`${name}\`: no such mapping entry`) : this.eval(v);
      }
      case "Fn::ImportValue":
        return unknown("the value another stack exports (`Fn::ImportValue`)");
      default:
        return unknown(`\`${name}\` is not evaluated`);
    }
  }

  private isProvider(logicalId: string): boolean {
    return scalarText(get(this.deref(this.resources.get(logicalId)), "Type")) === "AWS::IAM::OIDCProvider";
  }

  private providerArn(logicalId: string, at: Located): PValue {
    const url = get(this.deref(get(this.deref(this.resources.get(logicalId)), "Properties")), "Url");
    const v = url === undefined ? undefined : this.eval(url);
    const t = v?.t === "str" ? knownText(v.s) : undefined;
    if (t === undefined) return { t: "unknown", why: `the URL of provider \`${logicalId}\` is not known`, at };
    const host = t.replace(/^https:\/\//, "").replace(/\/+$/, "");
    return { t: "str", s: { segments: [{ text: "arn:" }, { unknown: "the partition" }, { text: ":iam::" }, { unknown: "the account" }, { text: `:oidc-provider/${host}` }], at, assumptions: v?.t === "str" ? v.s.assumptions : [] } };
  }

  private ref(target: string, at: Located): PValue {
    if (target === "AWS::NoValue") return { t: "unknown", why: NO_VALUE, at };
    if (target.startsWith("AWS::")) return { t: "unknown", why: `the pseudo parameter \`${target}\``, at };
    if (this.params.has(target)) return this.param(target, at);
    if (this.isProvider(target)) return this.providerArn(target, at);
    if (this.resources.has(target)) return { t: "unknown", why: `the physical id of \`${target}\``, at };
    return { t: "unknown", why: `\`${target}\` is not defined in this template`, at };
  }

  private param(name: string, at: Located): PValue {
    const p = this.deref(this.params.get(name));
    const dflt = get(p, "Default");
    if (dflt === undefined) return { t: "unknown", why: `parameter \`${name}\` has no default: its value is set at deployment`, at };
    const v = this.eval(dflt);
    const text = v.t === "str" ? knownText(v.s) : undefined;
    const assumption = `parameter \`${name}\` keeps its default${text !== undefined ? ` \`${text}\`` : ""}`;
    const type = scalarText(get(p, "Type")) ?? "";
    if (text !== undefined && (type === "CommaDelimitedList" || /^List</.test(type))) {
      return { t: "list", items: text.split(",").map((s) => this.str(s.trim(), at, [assumption])), at, assumptions: [assumption] };
    }
    if (v.t === "str") return { t: "str", s: { ...v.s, at, assumptions: [...v.s.assumptions, assumption] } };
    return v;
  }

  /** A condition's value, or undefined when the deployment decides it. */
  private condition(name: string): boolean | undefined {
    if (this.condBusy.has(name) || !this.conditions.has(name)) return undefined;
    this.condBusy.add(name);
    try {
      return this.condValue(this.conditions.get(name));
    } finally {
      this.condBusy.delete(name);
    }
  }

  private condValue(input: YNode): boolean | undefined {
    const n = this.deref(input);
    let fn: string | undefined;
    let arg: YNode;
    if (n?.tag?.startsWith("!")) {
      fn = n.tag.slice(1);
      arg = n;
    } else if (isMap(n) && n.items.length === 1 && isScalar(n.items[0]!.key)) {
      fn = String(n.items[0]!.key.value).replace(/^Fn::/, "");
      arg = n.items[0]!.value as YNode;
    }
    const a = this.deref(arg);
    const items = isSeq(a) ? a.items.map((i) => i as YNode) : [];
    switch (fn) {
      case "Condition": {
        const c = scalarText(a);
        return c === undefined ? undefined : this.condition(c);
      }
      case "Equals": {
        if (items.length !== 2) return undefined;
        const [x, y] = items.map((i) => {
          const v = this.eval(i);
          return v.t === "str" ? knownText(v.s) : undefined;
        });
        return x === undefined || y === undefined ? undefined : x === y;
      }
      case "Not": {
        const v = items.length === 1 ? this.condValue(items[0]) : undefined;
        return v === undefined ? undefined : !v;
      }
      case "And":
      case "Or": {
        const vs = items.map((i) => this.condValue(i));
        if (fn === "And") return vs.includes(false) ? false : vs.includes(undefined) ? undefined : true;
        return vs.includes(true) ? true : vs.includes(undefined) ? undefined : false;
      }
      default:
        return undefined;
    }
  }

  private sub(a: YNode, at: Located): PValue {
    let tpl: YNode = a;
    const vars = new Map<string, YNode>();
    if (isSeq(a)) {
      tpl = this.deref(a.items[0] as YNode);
      const m = this.deref(a.items[1] as YNode);
      if (isMap(m)) for (const p of m.items) if (isScalar(p.key)) vars.set(String(p.key.value), p.value as YNode);
    }
    const text = scalarText(tpl);
    if (text === undefined) return { t: "unknown", why: "a `Fn::Sub` without a string", at };
    const segments: Segment[] = [];
    const assumptions: string[] = [];
    const re = /\$\{([^}]*)\}/g;
    let last = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      pushSegment(segments, { text: text.slice(last, m.index) });
      last = m.index + m[0].length;
      const name = m[1]!.trim();
      if (name.startsWith("!")) {
        pushSegment(segments, { text: `\${${name.slice(1)}}` });
        continue;
      }
      let v: PValue;
      if (vars.has(name)) v = this.eval(vars.get(name));
      else if (name.includes(".")) {
        const [res, attr] = name.split(".");
        v = res && attr === "Arn" && this.isProvider(res) ? this.providerArn(res, at) : { t: "unknown", why: `\`${name}\` is known only after the stack is created`, at };
      } else v = this.ref(name, at);
      if (v.t === "str") {
        for (const seg of v.s.segments) pushSegment(segments, "unknown" in seg ? seg : { text: seg.text });
        for (const x of v.s.assumptions) if (!assumptions.includes(x)) assumptions.push(x);
      } else pushSegment(segments, { unknown: v.t === "unknown" ? v.why : `\`${name}\` is a list` });
    }
    pushSegment(segments, { text: text.slice(last) });
    return { t: "str", s: { segments, at, assumptions } };
  }
}
