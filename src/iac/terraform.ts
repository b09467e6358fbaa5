/**
 * Terraform: `aws_iam_role` resources and their `assume_role_policy`, evaluated per module instance.
 *
 * A folder of `.tf` files is a module. Folders no local `module` block calls are roots: their
 * variables take `terraform.tfvars` / `*.auto.tfvars` values, else their defaults (recorded as
 * assumptions: a deployment may pass others). A local module call (`source = "./…"`) instantiates the
 * called folder with the arguments the caller passes, evaluated in the caller. The policy may be
 * `jsonencode({...})`, a heredoc or quoted JSON string, or `data.aws_iam_policy_document.X.json`.
 * Locals, string templates and a few pure functions are evaluated; anything else (resource
 * attributes known after apply, `file()`, `for` expressions, remote modules) stays unknown, with why.
 */
import * as path from "node:path";
import type { SourceFile } from "../model/types.js";
import { named, type HNode, type HclTree } from "./hcl-tree.js";
import { JsonTextError, parseJsonText } from "./json-text.js";
import { GITHUB_HOST, readPolicy } from "./policy.js";
import { located } from "./source.js";
import type { Located, PEntry, PolicyString, PValue, RoleName, Segment, TrustRole } from "./types.js";
import { concatStrings, knownText, pushSegment } from "./types.js";

export interface TfFile {
  file: SourceFile;
  tree: HclTree;
  /** Absolute folder (of the path as found, links not resolved). */
  dir: string;
}

/** Module instances nested deeper than this are not followed (Terraform has no limit; real code nests 2–4). */
const MAX_MODULE_DEPTH = 12;
/** Evaluation steps per repository: a guard against pathological code, far above real use. */
const MAX_STEPS = 2_000_000;

interface Block {
  type: string;
  labels: string[];
  body?: HNode;
  node: HNode;
  file: SourceFile;
}

interface Attr {
  name: string;
  expr: HNode;
  node: HNode;
  file: SourceFile;
}

interface Module {
  dir: string;
  files: TfFile[];
  variables: Map<string, Block>;
  locals: Map<string, Attr>;
  resources: Map<string, Block>;
  data: Map<string, Block>;
  modules: Map<string, Block>;
  outputs: Map<string, Block>;
  tfvars: Map<string, Attr>;
}

function text(file: SourceFile, n: HNode): string {
  return file.text.slice(n.start, n.end);
}

function blocksOf(file: SourceFile, body: HNode | undefined): Block[] {
  const out: Block[] = [];
  for (const c of named(body)) {
    if (c.type !== "block") continue;
    const kids = named(c);
    const type = kids[0]?.type === "identifier" ? text(file, kids[0]) : "";
    const labels: string[] = [];
    let blockBody: HNode | undefined;
    for (const k of kids.slice(1)) {
      if (k.type === "string_lit") labels.push(literalText(file, k) ?? "");
      else if (k.type === "identifier") labels.push(text(file, k));
      else if (k.type === "body") blockBody = k;
    }
    out.push({ type, labels, node: c, file, ...(blockBody ? { body: blockBody } : {}) });
  }
  return out;
}

function attrsOf(file: SourceFile, body: HNode | undefined): Map<string, Attr> {
  const out = new Map<string, Attr>();
  for (const c of named(body)) {
    if (c.type !== "attribute") continue;
    const kids = named(c);
    const id = kids[0];
    const expr = kids[kids.length - 1];
    if (!id || !expr || id === expr) continue;
    out.set(text(file, id), { name: text(file, id), expr, node: c, file });
  }
  return out;
}

/** The text of a string literal without interpolations (escapes decoded), else undefined. */
function literalText(file: SourceFile, n: HNode): string | undefined {
  let s = "";
  for (const c of n.children) {
    if (c.type === "quoted_template_start" || c.type === "quoted_template_end") continue;
    if (c.type !== "template_literal") return undefined;
    s += unescapeQuoted(text(file, c), c.start).text;
  }
  return s;
}

/** HCL quoted-string escapes, with the file offset of each output unit. */
function unescapeQuoted(raw: string, base: number): { text: string; offsets: number[]; plain: boolean } {
  let out = "";
  const offsets: number[] = [];
  let plain = true;
  for (let i = 0; i < raw.length; ) {
    const c = raw[i]!;
    const push = (s: string, at: number) => {
      for (let k = 0; k < s.length; k++) offsets.push(at);
      out += s;
    };
    if (c === "\\") {
      plain = false;
      const e = raw[i + 1];
      const map: Record<string, string> = { n: "\n", r: "\r", t: "\t", '"': '"', "\\": "\\" };
      if (e !== undefined && map[e] !== undefined) {
        push(map[e]!, base + i);
        i += 2;
        continue;
      }
      const u = e === "u" ? /^[0-9a-fA-F]{4}/.exec(raw.slice(i + 2)) : e === "U" ? /^[0-9a-fA-F]{8}/.exec(raw.slice(i + 2)) : null;
      if (u) {
        push(String.fromCodePoint(parseInt(u[0], 16)), base + i);
        i += 2 + u[0].length;
        continue;
      }
    }
    if ((c === "$" || c === "%") && raw[i + 1] === c && raw[i + 2] === "{") {
      plain = false;
      push(`${c}{`, base + i);
      i += 3;
      continue;
    }
    offsets.push(base + i);
    out += c;
    i++;
  }
  return { text: out, offsets, plain };
}

function unescapeHeredoc(raw: string, base: number): { text: string; offsets: number[] } {
  let out = "";
  const offsets: number[] = [];
  for (let i = 0; i < raw.length; ) {
    const c = raw[i]!;
    if ((c === "$" || c === "%") && raw[i + 1] === c && raw[i + 2] === "{") {
      out += `${c}{`;
      offsets.push(base + i, base + i);
      i += 3;
      continue;
    }
    out += c;
    offsets.push(base + i);
    i++;
  }
  return { text: out, offsets };
}

/**
 * The top-level bodies of a file: its `body`, or, in a file with a syntax error, the `ERROR` nodes
 * under which tree-sitter keeps the blocks and attributes it could still read.
 */
function topBodies(root: HNode): HNode[] {
  const out: HNode[] = [];
  const visit = (n: HNode, depth: number) => {
    if (n.type === "body") {
      out.push(n);
      return;
    }
    if (n.type === "ERROR" || n === root) {
      if (n.children.some((c) => c.type === "block" || c.type === "attribute")) out.push(n);
      if (depth < 4) for (const c of n.children) if (c.type === "ERROR" || c.type === "body") visit(c, depth + 1);
    }
  };
  visit(root, 0);
  return out;
}

function loadModule(dir: string, files: TfFile[]): Module {
  const m: Module = { dir, files, variables: new Map(), locals: new Map(), resources: new Map(), data: new Map(), modules: new Map(), outputs: new Map(), tfvars: new Map() };
  for (const f of files) {
    const isVars = /\.tfvars$/.test(f.file.path);
    const bodies = topBodies(f.tree.root);
    if (isVars) {
      if (/(^|\/)terraform\.tfvars$|\.auto\.tfvars$/.test(f.file.path)) for (const body of bodies) for (const [k, a] of attrsOf(f.file, body)) m.tfvars.set(k, a);
      continue;
    }
    for (const b of bodies.flatMap((body) => blocksOf(f.file, body))) {
      const [l0, l1] = b.labels;
      switch (b.type) {
        case "variable":
          if (l0) m.variables.set(l0, b);
          break;
        case "locals":
          for (const [k, a] of attrsOf(f.file, b.body)) m.locals.set(k, a);
          break;
        case "resource":
          if (l0 && l1) m.resources.set(`${l0}.${l1}`, b);
          break;
        case "data":
          if (l0 && l1) m.data.set(`${l0}.${l1}`, b);
          break;
        case "module":
          if (l0) m.modules.set(l0, b);
          break;
        case "output":
          if (l0) m.outputs.set(l0, b);
          break;
      }
    }
  }
  return m;
}

/** A local module source (`./x`, `../x`) → absolute folder; undefined for registry and git sources. */
function localSource(mod: Module, block: Block): string | undefined {
  const src = attrsOf(block.file, block.body).get("source");
  const lit = src ? stringLiteralOf(block.file, src.expr) : undefined;
  if (lit === undefined || !/^\.\.?(\/|$)/.test(lit)) return undefined;
  return path.resolve(mod.dir, lit);
}

function stringLiteralOf(file: SourceFile, expr: HNode): string | undefined {
  let n: HNode | undefined = expr;
  while (n && (n.type === "expression" || n.type === "literal_value" || n.type === "template_expr") && named(n).length === 1) n = named(n)[0];
  if (n?.type === "string_lit" || n?.type === "quoted_template") return literalText(file, n);
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Evaluation

type Lazy = () => PValue;

class Instance {
  private readonly localCache = new Map<string, PValue>();
  private readonly localBusy = new Set<string>();
  private readonly children = new Map<string, Instance | null>();
  constructor(
    readonly reader: TerraformReader,
    readonly mod: Module,
    readonly path: string,
    /** Argument values from the calling module block; undefined for a root. */
    readonly args: Map<string, Lazy> | undefined,
    readonly depth: number,
    readonly rootDir: string,
  ) {}

  variable(name: string, at: Located): PValue {
    const passed = this.args?.get(name);
    if (passed) return passed();
    if (!this.args) {
      const tv = this.mod.tfvars.get(name);
      if (tv) return this.eval(tv.expr, tv.file);
    }
    const def = this.mod.variables.get(name);
    const dflt = def ? attrsOf(def.file, def.body).get("default") : undefined;
    if (!def) return { t: "unknown", why: `variable \`${name}\` is not declared`, at };
    if (!dflt) return { t: "unknown", why: `variable \`${name}\` has no default and no value in the repository`, at };
    const v = this.eval(dflt.expr, dflt.file);
    // A root module's default can be overridden (-var, TF_VAR_…); a called module's is what it gets.
    if (this.args) return v;
    return withAssumption(v, `variable \`${name}\` keeps its default (${this.reader.display(def.file)}:${located(def.file, def.node.start, def.node.start).range.start.line})`);
  }

  local(name: string, at: Located): PValue {
    const cached = this.localCache.get(name);
    if (cached) return cached;
    const a = this.mod.locals.get(name);
    if (!a) return { t: "unknown", why: `local \`${name}\` is not defined`, at };
    if (this.localBusy.has(name)) return { t: "unknown", why: `local \`${name}\` refers to itself`, at };
    this.localBusy.add(name);
    const v = this.eval(a.expr, a.file);
    this.localBusy.delete(name);
    this.localCache.set(name, v);
    return v;
  }

  child(name: string): Instance | undefined {
    if (this.children.has(name)) return this.children.get(name) ?? undefined;
    this.children.set(name, null);
    const block = this.mod.modules.get(name);
    const dir = block ? localSource(this.mod, block) : undefined;
    const mod = dir ? this.reader.modules.get(dir) : undefined;
    if (!block || !mod || this.depth >= MAX_MODULE_DEPTH) return undefined;
    const args = new Map<string, Lazy>();
    for (const [k, a] of attrsOf(block.file, block.body)) {
      if (k === "source" || k === "version" || k === "providers" || k === "count" || k === "for_each" || k === "depends_on") continue;
      let memo: PValue | undefined;
      args.set(k, () => (memo ??= this.eval(a.expr, a.file)));
    }
    const inst = new Instance(this.reader, mod, `${this.path ? `${this.path}.` : ""}module.${name}`, args, this.depth + 1, this.rootDir);
    this.children.set(name, inst);
    return inst;
  }

  eval(n: HNode, file: SourceFile): PValue {
    return this.reader.evaluate(this, n, file);
  }
}

function withAssumption(v: PValue, assumption: string): PValue {
  switch (v.t) {
    case "str":
      return { t: "str", s: { ...v.s, assumptions: v.s.assumptions.includes(assumption) ? v.s.assumptions : [...v.s.assumptions, assumption] } };
    case "list":
      return { ...v, items: v.items.map((i) => withAssumption(i, assumption)), assumptions: [...(v.assumptions ?? []), assumption] };
    case "obj":
      return { ...v, entries: v.entries.map((e) => ({ ...e, value: withAssumption(e.value, assumption) })) };
    default:
      return v;
  }
}

/** A value's text as one string, when it is a string, number or boolean. */
function asString(v: PValue): PolicyString | undefined {
  return v.t === "str" ? v.s : undefined;
}

/** Drops per-character offsets (a value spliced into another file's text). */
function detach(s: PolicyString): Segment[] {
  return s.segments.map((seg) => ("unknown" in seg ? seg : { text: seg.text }));
}

export class TerraformReader {
  readonly modules = new Map<string, Module>();
  private steps = 0;

  constructor(
    files: TfFile[],
    readonly display: (f: SourceFile) => string,
  ) {
    const byDir = new Map<string, TfFile[]>();
    for (const f of files) {
      const list = byDir.get(f.dir) ?? [];
      list.push(f);
      byDir.set(f.dir, list);
    }
    for (const [dir, list] of byDir) this.modules.set(dir, loadModule(dir, list));
  }

  /** Every `aws_iam_role` of every module instance reachable from a root module. */
  roles(): TrustRole[] {
    const called = new Set<string>();
    for (const m of this.modules.values()) {
      for (const b of m.modules.values()) {
        const dir = localSource(m, b);
        if (dir && dir !== m.dir) called.add(dir);
      }
    }
    const out: TrustRole[] = [];
    const seen = new Set<string>();
    const visit = (inst: Instance) => {
      for (const [key, block] of inst.mod.resources) {
        if (!key.startsWith("aws_iam_role.")) continue;
        const role = this.role(inst, key, block);
        const k = `${role.id}\0${role.at.file.path}\0${role.at.range.start.offset}\0${JSON.stringify(role.name)}`;
        if (!seen.has(k)) {
          seen.add(k);
          out.push(role);
        }
      }
      for (const name of inst.mod.modules.keys()) {
        const child = inst.child(name);
        if (child) visit(child);
      }
    };
    for (const m of [...this.modules.values()].sort((a, b) => (a.dir < b.dir ? -1 : 1))) {
      if (called.has(m.dir)) continue;
      if (![...m.files].some((f) => /\.tf$/.test(f.file.path))) continue;
      visit(new Instance(this, m, "", undefined, 0, m.dir));
    }
    return out;
  }

  private role(inst: Instance, key: string, block: Block): TrustRole {
    const attrs = attrsOf(block.file, block.body);
    const at = located(block.file, block.node.start, firstLineEnd(block));
    let name: RoleName = { kind: "unknown", why: "Terraform generates the name (no `name` or `name_prefix`)" };
    const nameAttr = attrs.get("name");
    const prefixAttr = attrs.get("name_prefix");
    if (nameAttr) {
      const v = inst.eval(nameAttr.expr, nameAttr.file);
      const s = asString(v);
      const t = s ? knownText(s) : undefined;
      name = t !== undefined && s ? { kind: "name", value: t, assumptions: s.assumptions } : { kind: "unknown", why: v.t === "unknown" ? v.why : s ? (firstUnknown(s) ?? "not a string") : "not a string" };
    } else if (prefixAttr) {
      const s = asString(inst.eval(prefixAttr.expr, prefixAttr.file));
      const t = s ? knownText(s) : undefined;
      name = t !== undefined ? { kind: "prefix", value: t } : { kind: "unknown", why: "the name prefix is not known" };
    }
    const role: TrustRole = {
      source: "terraform",
      id: `${inst.path ? `${inst.path}.` : ""}${key}`,
      at,
      name,
      policy: { unknown: "no `assume_role_policy`" },
    };
    if (inst.path) role.instance = `${inst.path} in ${this.relDir(inst.rootDir)}`;
    const pol = attrs.get("assume_role_policy");
    if (pol) {
      role.policyAt = located(pol.file, pol.expr.start, pol.expr.end);
      role.policy = readPolicy(this.documentOf(inst.eval(pol.expr, pol.file)));
    }
    return role;
  }

  private relDir(dir: string): string {
    const any = this.modules.get(dir)?.files[0];
    if (!any) return dir;
    const shown = this.display(any.file);
    const slash = shown.lastIndexOf("/");
    return slash < 0 ? "." : shown.slice(0, slash);
  }

  /** A policy value: an object as is, a string parsed as JSON. */
  private documentOf(v: PValue): PValue {
    if (v.t !== "str") return v;
    const s = v.s;
    const t = knownText(s);
    if (t !== undefined && !t.trimStart().startsWith("{")) return { t: "unknown", why: "the policy is not a JSON document", at: s.at };
    if (s.segments.length === 1 && "unknown" in s.segments[0]!) return { t: "unknown", why: s.segments[0].unknown, at: s.at };
    try {
      return parseJsonText(s, s.at.file);
    } catch (err) {
      if (err instanceof JsonTextError) return { t: "unknown", why: `the policy JSON does not parse: ${err.message}`, at: s.at };
      throw err;
    }
  }

  evaluate(inst: Instance, n: HNode, file: SourceFile): PValue {
    const at = located(file, n.start, n.end);
    if (++this.steps > MAX_STEPS) return { t: "unknown", why: "evaluation budget exhausted", at };
    switch (n.type) {
      case "expression":
        return this.expression(inst, n, file, at);
      case "literal_value":
      case "collection_value":
      case "template_expr": {
        const k = named(n)[0];
        return k ? this.evaluate(inst, k, file) : { t: "unknown", why: "an empty expression", at };
      }
      case "string_lit":
      case "quoted_template":
        return { t: "str", s: this.template(inst, n, file, at, false) };
      case "heredoc_template":
        return { t: "str", s: this.template(inst, n, file, at, true) };
      case "numeric_lit":
        return { t: "str", s: { segments: [{ text: String(Number(text(file, n))) }], at, assumptions: [] } };
      case "bool_lit":
        return { t: "str", s: { segments: [{ text: text(file, n).trim() }], at, assumptions: [] } };
      case "null_lit":
        return { t: "unknown", why: "null", at };
      case "tuple":
        return { t: "list", items: named(n).filter((c) => c.type === "expression").map((c) => this.evaluate(inst, c, file)), at };
      case "object":
        return this.object(inst, n, file, at);
      case "function_call":
        return this.call(inst, n, file, at);
      case "conditional": {
        const [c, a, b] = named(n).filter((x) => x.type === "expression");
        if (!c || !a || !b) return { t: "unknown", why: "a conditional", at };
        const cv = this.evaluate(inst, c, file);
        const ct = cv.t === "str" ? knownText(cv.s) : undefined;
        if (ct === "true") return this.evaluate(inst, a, file);
        if (ct === "false") return this.evaluate(inst, b, file);
        return { t: "unknown", why: `the condition \`${text(file, c)}\` is not known`, at };
      }
      case "variable_expr":
        return this.reference(inst, [text(file, n)], at);
      default:
        return { t: "unknown", why: `\`${clip(text(file, n))}\` is not evaluated`, at };
    }
  }

  private expression(inst: Instance, n: HNode, file: SourceFile, at: Located): PValue {
    const kids = n.children;
    let i = 0;
    let v: PValue;
    if (kids[0]?.type === "(") {
      const inner = kids.find((k) => k.type === "expression");
      v = inner ? this.evaluate(inst, inner, file) : { t: "unknown", why: "an empty expression", at };
      i = kids.findIndex((k) => k.type === ")") + 1;
    } else {
      const first = named(n)[0];
      if (!first) return { t: "unknown", why: "an empty expression", at };
      i = kids.indexOf(first) + 1;
      if (first.type === "variable_expr") {
        // A reference: collect the attribute path (and literal indexes) that follows.
        const parts: Array<string | number> = [text(file, first)];
        let j = i;
        for (; j < kids.length; j++) {
          const k = kids[j]!;
          if (k.type === "get_attr") {
            const id = named(k).find((x) => x.type === "identifier");
            if (!id) break;
            parts.push(text(file, id));
          } else if (k.type === "index") {
            const idx = indexValue(file, k);
            if (idx === undefined) break;
            parts.push(idx);
          } else break;
        }
        v = this.reference(inst, parts, at);
        i = j;
      } else {
        v = this.evaluate(inst, first, file);
      }
    }
    for (; i < kids.length; i++) {
      const k = kids[i]!;
      if (!k.named) continue;
      if (k.type === "get_attr") {
        const id = named(k).find((x) => x.type === "identifier");
        const e = id && v.t === "obj" ? [...v.entries].reverse().find((en) => knownText(en.key) === text(file, id)) : undefined;
        v = e ? e.value : { t: "unknown", why: `\`${clip(text(file, n))}\` is not evaluated`, at };
      } else if (k.type === "index") {
        const idx = indexValue(file, k);
        if (typeof idx === "number" && v.t === "list" && v.items[idx]) v = v.items[idx]!;
        else if (typeof idx === "string" && v.t === "obj") v = [...v.entries].reverse().find((en) => knownText(en.key) === idx)?.value ?? { t: "unknown", why: `no key \`${idx}\``, at };
        else v = { t: "unknown", why: `\`${clip(text(file, n))}\` is not evaluated`, at };
      } else {
        v = { t: "unknown", why: `\`${clip(text(file, n))}\` is not evaluated`, at };
      }
    }
    return v;
  }

  private reference(inst: Instance, parts: Array<string | number>, at: Located): PValue {
    const [root, a, b, ...rest] = parts;
    const shown = parts.map((p) => (typeof p === "number" ? `[${p}]` : `.${p}`)).join("").slice(1);
    const unknown = (why = `\`${shown}\` is known only when Terraform runs`): PValue => ({ t: "unknown", why, at });
    if (root === "var" && typeof a === "string") return this.follow(inst.variable(a, at), [b, ...rest], at, shown);
    if (root === "local" && typeof a === "string") return this.follow(inst.local(a, at), [b, ...rest], at, shown);
    if (root === "module" && typeof a === "string") {
      const child = inst.child(a);
      if (!child || typeof b !== "string") return unknown(`module \`${a}\` is not a local module credflow can read`);
      const out = child.mod.outputs.get(b);
      const value = out ? attrsOf(out.file, out.body).get("value") : undefined;
      if (!value) return unknown(`module \`${a}\` has no output \`${b}\``);
      return this.follow(child.eval(value.expr, value.file), rest, at, shown);
    }
    if (root === "data" && typeof a === "string" && typeof b === "string") {
      const block = inst.mod.data.get(`${a}.${b}`);
      const attr = rest.find((p): p is string => typeof p === "string");
      if (!block) return unknown(`data source \`${a}.${b}\` is not defined in this module`);
      if (a === "aws_iam_policy_document" && (attr === "json" || attr === "minified_json")) return this.policyDocument(inst, block);
      if (a === "aws_iam_openid_connect_provider" && attr === "arn") return this.providerArn(inst, block, at);
      return unknown();
    }
    if (typeof root === "string" && typeof a === "string" && /^[a-z][a-z0-9_]*$/.test(root) && !["path", "terraform", "each", "count", "self"].includes(root)) {
      const block = inst.mod.resources.get(`${root}.${a}`);
      const attr = [b, ...rest].find((p): p is string => typeof p === "string");
      if (block && root === "aws_iam_openid_connect_provider" && attr === "arn") return this.providerArn(inst, block, at);
      return unknown();
    }
    return unknown();
  }

  private follow(v: PValue, path: Array<string | number | undefined>, at: Located, shown: string): PValue {
    let cur = v;
    for (const p of path) {
      if (p === undefined) break;
      if (typeof p === "number" && cur.t === "list" && cur.items[p]) cur = cur.items[p]!;
      else if (typeof p === "string" && cur.t === "obj") {
        const e = [...cur.entries].reverse().find((en) => knownText(en.key) === p);
        if (!e) return { t: "unknown", why: `\`${shown}\` is not evaluated`, at };
        cur = e.value;
      } else if (cur.t === "unknown") return cur;
      else return { t: "unknown", why: `\`${shown}\` is not evaluated`, at };
    }
    return cur;
  }

  /** `arn:<partition>:iam::<account>:oidc-provider/<host>` of a provider resource or data source. */
  private providerArn(inst: Instance, block: Block, at: Located): PValue {
    const attrs = attrsOf(block.file, block.body);
    const arn = attrs.get("arn");
    if (arn) return inst.eval(arn.expr, arn.file);
    const url = attrs.get("url");
    if (!url) return { t: "unknown", why: "the provider's URL is not in the repository", at };
    const u = asString(inst.eval(url.expr, url.file));
    const t = u ? knownText(u) : undefined;
    if (t === undefined) return { t: "unknown", why: "the provider's URL is not known", at };
    const host = t.replace(/^https:\/\//, "").replace(/\/+$/, "");
    return {
      t: "str",
      s: { segments: [{ text: "arn:" }, { unknown: "the partition" }, { text: ":iam::" }, { unknown: "the account" }, { text: `:oidc-provider/${host}` }], at, assumptions: u?.assumptions ?? [] },
    };
  }

  /** `data "aws_iam_policy_document"` as the JSON document it renders. */
  private policyDocument(inst: Instance, block: Block): PValue {
    const file = block.file;
    const at = located(file, block.node.start, firstLineEnd(block));
    const statements: PValue[] = [];
    const attrs = attrsOf(file, block.body);
    for (const extra of ["source_policy_documents", "override_policy_documents", "source_json", "override_json"]) {
      if (attrs.has(extra)) statements.push({ t: "unknown", why: `the document merges \`${extra}\``, at });
    }
    for (const b of blocksOf(file, block.body)) {
      if (b.type === "dynamic" && b.labels[0] === "statement") {
        statements.push({ t: "unknown", why: "a `dynamic \"statement\"` block", at: located(file, b.node.start, firstLineEnd(b)) });
        continue;
      }
      if (b.type !== "statement") continue;
      statements.push(this.statementBlock(inst, b));
    }
    const key = (k: string): PolicyString => ({ segments: [{ text: k }], at, assumptions: [] });
    return { t: "obj", entries: [{ key: key("Version"), value: { t: "str", s: key("2012-10-17") } }, { key: key("Statement"), value: { t: "list", items: statements, at } }], at };
  }

  private statementBlock(inst: Instance, b: Block): PValue {
    const file = b.file;
    const at = located(file, b.node.start, firstLineEnd(b));
    const attrs = attrsOf(file, b.body);
    const k = (t: string, where: Located = at): PolicyString => ({ segments: [{ text: t }], at: where, assumptions: [] });
    const entries: PEntry[] = [];
    const effect = attrs.get("effect");
    entries.push({ key: k("Effect"), value: effect ? inst.eval(effect.expr, file) : { t: "str", s: k("Allow") } });
    const actions = attrs.get("actions");
    if (actions) entries.push({ key: k("Action"), value: inst.eval(actions.expr, file) });
    if (attrs.has("not_actions")) entries.push({ key: k("NotAction"), value: { t: "unknown", why: "`not_actions`", at } });
    const principals: PEntry[] = [];
    for (const p of blocksOf(file, b.body)) {
      if (p.type === "principals") {
        const pa = attrsOf(file, p.body);
        const type = pa.get("type");
        const typeText = type ? knownText(asString(inst.eval(type.expr, file)) ?? k("")) : undefined;
        const ids = pa.get("identifiers");
        const pat = located(file, p.node.start, firstLineEnd(p));
        principals.push({ key: k(typeText ?? "?", pat), value: ids ? inst.eval(ids.expr, file) : { t: "unknown", why: "no identifiers", at: pat } });
      } else if (p.type === "not_principals") {
        entries.push({ key: k("NotPrincipal"), value: { t: "unknown", why: "`not_principals`", at } });
      } else if (p.type === "dynamic" && p.labels[0] === "principals") {
        principals.push({ key: k("Federated"), value: { t: "unknown", why: "a `dynamic \"principals\"` block", at } });
      }
    }
    if (principals.length > 0) entries.push({ key: k("Principal"), value: { t: "obj", entries: principals, at } });
    const conditions: PEntry[] = [];
    let conditionAt: Located | undefined;
    for (const c of blocksOf(file, b.body)) {
      if (c.type === "dynamic" && c.labels[0] === "condition") {
        conditions.push({ key: { segments: [{ unknown: "a `dynamic \"condition\"` block" }], at, assumptions: [] }, value: { t: "unknown", why: "a `dynamic \"condition\"` block", at } });
        continue;
      }
      if (c.type !== "condition") continue;
      conditionAt ??= located(file, c.node.start, firstLineEnd(c));
      const ca = attrsOf(file, c.body);
      const test = ca.get("test");
      const variable = ca.get("variable");
      const values = ca.get("values");
      const cat = located(file, c.node.start, firstLineEnd(c));
      const testValue = test ? asString(inst.eval(test.expr, file)) : undefined;
      const varValue = variable ? asString(inst.eval(variable.expr, file)) : undefined;
      const entry: PEntry = {
        key: testValue ?? { segments: [{ unknown: "the test is not known" }], at: cat, assumptions: [] },
        value: {
          t: "obj",
          entries: [{ key: varValue ?? { segments: [{ unknown: "the variable is not known" }], at: cat, assumptions: [] }, value: values ? inst.eval(values.expr, file) : { t: "unknown", why: "no values", at: cat } }],
          at: cat,
        },
        separate: true,
      };
      const edit = test ? literalSpan(file, test.expr) : undefined;
      if (edit) entry.keyEdit = { file, ...edit };
      conditions.push(entry);
    }
    if (conditions.length > 0) entries.push({ key: k("Condition", conditionAt ?? at), value: { t: "obj", entries: conditions, at: conditionAt ?? at } });
    return { t: "obj", entries, at };
  }

  private object(inst: Instance, n: HNode, file: SourceFile, at: Located): PValue {
    const entries: PEntry[] = [];
    for (const el of named(n)) {
      if (el.type !== "object_elem") continue;
      const [kx, vx] = named(el).filter((c) => c.type === "expression");
      if (!kx || !vx) continue;
      const kat = located(file, kx.start, kx.end);
      // A bare identifier key is its own name; a quoted key is a string; `(expr)` is evaluated.
      const inner = named(kx);
      let key: PolicyString;
      let edit: { start: number; end: number } | undefined;
      if (inner.length === 1 && inner[0]!.type === "variable_expr" && kx.children.length === 1) {
        key = { segments: [{ text: text(file, inner[0]!) }], at: kat, assumptions: [] };
        edit = { start: inner[0]!.start, end: inner[0]!.end };
      } else {
        const kv = this.evaluate(inst, kx, file);
        key = kv.t === "str" ? { ...kv.s, at: kat } : { segments: [{ unknown: kv.t === "unknown" ? kv.why : "a key that is not a string" }], at: kat, assumptions: [] };
        edit = literalSpan(file, kx);
      }
      const entry: PEntry = { key, value: this.evaluate(inst, vx, file) };
      if (edit) entry.keyEdit = { file, ...edit };
      entries.push(entry);
    }
    return { t: "obj", entries, at };
  }

  private template(inst: Instance, n: HNode, file: SourceFile, at: Located, heredoc: boolean): PolicyString {
    const parts: PolicyString[] = [];
    const segments: Segment[] = [];
    const assumptions: string[] = [];
    for (const c of n.children) {
      if (c.type === "template_literal") {
        const raw = text(file, c);
        const u = heredoc ? unescapeHeredoc(raw, c.start) : unescapeQuoted(raw, c.start);
        pushSegment(segments, { text: u.text, offsets: u.offsets });
      } else if (c.type === "template_interpolation") {
        const e = named(c).find((x) => x.type === "expression");
        const v = e ? this.evaluate(inst, e, file) : undefined;
        if (v?.t === "str") {
          const inSameFile = v.s.at.file === file;
          for (const seg of inSameFile ? v.s.segments : detach(v.s)) pushSegment(segments, seg);
          for (const a of v.s.assumptions) if (!assumptions.includes(a)) assumptions.push(a);
        } else {
          pushSegment(segments, { unknown: v?.t === "unknown" ? v.why : `\`${clip(text(file, c))}\` is not a string` });
        }
      } else if (c.type === "template_directive") {
        pushSegment(segments, { unknown: "a `%{ }` template directive" });
      }
    }
    parts.push({ segments, at, assumptions });
    return concatStrings(parts, at);
  }

  private call(inst: Instance, n: HNode, file: SourceFile, at: Located): PValue {
    const kids = named(n);
    const name = kids[0] ? text(file, kids[0]) : "";
    const argsNode = kids.find((k) => k.type === "function_arguments");
    const argNodes = named(argsNode).filter((k) => k.type === "expression");
    const expanded = argsNode?.children.some((k) => k.type === "...") ?? false;
    const args = () => argNodes.map((a) => this.evaluate(inst, a, file));
    const unknown = (why = `\`${name}(…)\` is not evaluated`): PValue => ({ t: "unknown", why, at });
    if (expanded) return unknown();
    const str = (v: PValue | undefined) => (v && v.t === "str" ? knownText(v.s) : undefined);
    const mk = (s: string, from: PValue[]): PValue => ({ t: "str", s: { segments: [{ text: s }], at, assumptions: assumptionsOf(from) } });
    switch (name) {
      case "jsonencode":
      case "tolist":
      case "toset":
      case "tomap":
      case "tostring":
      case "sensitive":
      case "nonsensitive": {
        const [v] = args();
        return v ?? unknown();
      }
      case "jsondecode": {
        const [v] = args();
        if (v?.t !== "str") return unknown();
        try {
          return parseJsonText(v.s, v.s.at.file);
        } catch {
          return unknown("the JSON does not parse");
        }
      }
      case "lower":
      case "upper":
      case "trimspace": {
        const a = args();
        const t = str(a[0]);
        if (t === undefined) return unknown();
        return mk(name === "lower" ? t.toLowerCase() : name === "upper" ? t.toUpperCase() : t.trim(), a);
      }
      case "format": {
        const a = args();
        const f = str(a[0]);
        if (f === undefined) return unknown();
        let k = 1;
        let ok = true;
        const out = f.replace(/%([%sdv])/g, (_m, c: string) => {
          if (c === "%") return "%";
          const t = str(a[k++]);
          if (t === undefined) ok = false;
          return t ?? "";
        });
        return ok ? mk(out, a) : unknown();
      }
      case "join": {
        const a = args();
        const sep = str(a[0]);
        const lists = a.slice(1);
        if (sep === undefined || lists.some((l) => l.t !== "list")) return unknown();
        const items = lists.flatMap((l) => (l.t === "list" ? l.items : []));
        const texts = items.map(str);
        if (texts.some((t) => t === undefined)) return unknown();
        return mk(texts.join(sep), a);
      }
      case "split": {
        const a = args();
        const sep = str(a[0]);
        const t = str(a[1]);
        if (sep === undefined || t === undefined) return unknown();
        return { t: "list", items: t.split(sep).map((p) => mk(p, a)), at };
      }
      case "concat":
      case "flatten": {
        const a = args();
        if (a.some((l) => l.t !== "list")) return unknown();
        const items = a.flatMap((l) => (l.t === "list" ? l.items : []));
        return { t: "list", items: name === "flatten" ? items.flatMap((i) => (i.t === "list" ? i.items : [i])) : items, at };
      }
      case "distinct":
      case "compact": {
        const [l] = args();
        if (l?.t !== "list") return unknown();
        const seen = new Set<string>();
        const items = l.items.filter((i) => {
          const t = str(i);
          if (name === "compact" && t === "") return false;
          if (t === undefined) return true;
          if (seen.has(t)) return false;
          seen.add(t);
          return true;
        });
        return { t: "list", items, at };
      }
      case "replace": {
        const a = args();
        const [s, from, to] = a.map(str);
        if (s === undefined || from === undefined || to === undefined || /^\/.*\/$/.test(from)) return unknown();
        return mk(s.split(from).join(to), a);
      }
      case "regex": {
        const a = args();
        const [pattern, s] = a.map(str);
        if (pattern === undefined || s === undefined) return unknown();
        let re: RegExp;
        try {
          // RE2 and JavaScript agree on the simple patterns real configurations use; anything else is unknown.
          if (/\(\?[^:]|\\[pPzZ]|\[\[:/.test(pattern)) return unknown();
          re = new RegExp(pattern);
        } catch {
          return unknown();
        }
        const m = re.exec(s);
        if (!m) return unknown(`\`regex\` does not match`);
        if (m.length === 1) return mk(m[0], a);
        if (m.groups && Object.keys(m.groups).length > 0) return unknown();
        return { t: "list", items: m.slice(1).map((g) => mk(g ?? "", a)), at };
      }
      case "element": {
        const a = args();
        const i = Number(str(a[1]));
        if (a[0]?.t !== "list" || !Number.isInteger(i) || a[0].items.length === 0) return unknown();
        return a[0].items[i % a[0].items.length]!;
      }
      case "lookup": {
        const a = args();
        const key = str(a[1]);
        if (a[0]?.t !== "obj" || key === undefined) return unknown();
        return [...a[0].entries].reverse().find((e) => knownText(e.key) === key)?.value ?? a[2] ?? unknown(`no key \`${key}\``);
      }
      case "merge": {
        const a = args();
        if (a.some((o) => o.t !== "obj")) return unknown();
        return { t: "obj", entries: a.flatMap((o) => (o.t === "obj" ? o.entries : [])), at };
      }
      case "coalesce":
      case "try": {
        for (const v of args()) {
          if (v.t === "unknown") {
            if (name === "try") continue;
            return unknown();
          }
          if (name === "coalesce" && str(v) === "") continue;
          return v;
        }
        return unknown();
      }
      default:
        return unknown();
    }
  }
}

function assumptionsOf(vs: PValue[]): string[] {
  const out: string[] = [];
  for (const v of vs) {
    const list = v.t === "str" ? v.s.assumptions : v.t === "list" ? (v.assumptions ?? []) : [];
    for (const a of list) if (!out.includes(a)) out.push(a);
  }
  return out;
}

function firstUnknown(s: PolicyString): string | undefined {
  for (const seg of s.segments) if ("unknown" in seg) return seg.unknown;
  return undefined;
}

function indexValue(file: SourceFile, k: HNode): string | number | undefined {
  const inner = named(k)[0];
  const e = inner?.type === "new_index" || inner?.type === "legacy_index" ? named(inner).find((x) => x.type === "expression") : named(k).find((x) => x.type === "expression");
  if (!e) {
    const legacy = inner?.type === "legacy_index" ? /\.(\d+)$/.exec(text(file, inner)) : null;
    return legacy ? Number(legacy[1]) : undefined;
  }
  const t = text(file, e).trim();
  if (/^\d+$/.test(t)) return Number(t);
  const s = stringLiteralOf(file, e);
  return s;
}

/** The span of a string literal's text (quotes excluded), when it is written plainly (no escapes, no interpolation). */
function literalSpan(file: SourceFile, expr: HNode): { start: number; end: number } | undefined {
  let n: HNode | undefined = expr;
  while (n && (n.type === "expression" || n.type === "literal_value" || n.type === "template_expr") && named(n).length === 1) n = named(n)[0];
  if (n?.type !== "string_lit" && n?.type !== "quoted_template") return undefined;
  const lits = n.children.filter((c) => c.type === "template_literal");
  if (lits.length !== 1 || n.children.some((c) => c.type === "template_interpolation" || c.type === "template_directive")) return undefined;
  const lit = lits[0]!;
  if (!unescapeQuoted(text(file, lit), lit.start).plain) return undefined;
  return { start: lit.start, end: lit.end };
}

function firstLineEnd(b: Block): number {
  const nl = b.file.text.indexOf("\n", b.node.start);
  return nl < 0 || nl > b.node.end ? b.node.end : nl;
}

function clip(s: string): string {
  const one = s.replace(/\s+/g, " ").trim();
  return one.length > 60 ? `${one.slice(0, 59)}…` : one;
}

export { GITHUB_HOST };
