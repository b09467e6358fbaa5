/** Small typed helpers over `yaml` nodes: lookups, ranges and scalar text. */
import type { Document, LineCounter, Node, Pair, YAMLMap } from "yaml";
import { isAlias, isMap, isScalar, isSeq } from "./yaml-nodes.js";
import type { Entry, EntryMap, Range, ScalarNode } from "../model/types.js";
import { positionAt } from "./position.js";

export type YNode = Node | null | undefined;

/** Converts string offsets to ranges for one file. */
export class Locator {
  constructor(
    private readonly lc: LineCounter,
    private readonly doc: Document,
    private readonly hasBom = false,
  ) {}

  pos(offset: number): Range["start"] {
    return positionAt(this.lc, this.hasBom, offset);
  }

  span(start: number, end: number): Range {
    return { start: this.pos(start), end: this.pos(end) };
  }

  private lastNode: Node | undefined;
  private lastRange: Range | undefined;

  /**
   * Range of a node's value (without trailing comments). The model keeps every range for the whole
   * run, and the same node's is often asked for twice in a row (an entry's value range, then its
   * scalar's): that one is shared. Nothing mutates a Range once made.
   */
  range(node: YNode): Range {
    const r = node?.range;
    if (!r) return this.span(0, 0);
    if (node === this.lastNode) return this.lastRange!;
    this.lastNode = node;
    return (this.lastRange = this.span(r[0], r[1]));
  }

  /** Follows an alias to its anchored node (bounded: aliases never chain far). */
  deref(node: YNode): YNode {
    let n = node;
    for (let i = 0; i < 8 && n && isAlias(n); i++) n = n.resolve(this.doc) as YNode;
    return n && isAlias(n) ? undefined : n;
  }

  /** The pair of a mapping whose scalar key equals `key`. */
  pair(map: YNode, key: string): Pair<Node, YNode> | undefined {
    const m = this.deref(map);
    if (!m || !isMap(m)) return undefined;
    for (const item of (m as YAMLMap<Node, YNode>).items) {
      const k = item.key;
      if (isScalar(k) && String(k.value) === key) return item;
    }
    return undefined;
  }

  get(map: YNode, key: string): YNode {
    return this.deref(this.pair(map, key)?.value);
  }

  keyRange(pair: Pair<Node, YNode>): Range {
    return this.range(pair.key);
  }

  /** Scalar text of a node, or undefined when it is not a scalar. Numbers/bools keep their source text. */
  scalar(node: YNode): ScalarNode | undefined {
    const n = this.deref(node);
    if (!n || !isScalar(n)) return undefined;
    const v = n.value;
    let text: string;
    if (v === null || v === undefined) text = "";
    else if (typeof v === "string") text = v;
    else text = n.source !== undefined && n.type === "PLAIN" ? String(n.source) : String(v);
    return {
      value: text,
      range: this.range(n),
      isExpression: text.includes("${{"),
      style: n.type ?? undefined,
    };
  }

  /** Entries of a mapping whose values are scalars (others kept with their range only). */
  entries(node: YNode): Entry[] {
    const m = this.deref(node);
    if (!m || !isMap(m)) return [];
    const out: Entry[] = [];
    for (const item of (m as YAMLMap<Node, YNode>).items) {
      const k = item.key;
      if (!isScalar(k)) continue;
      const keyRange = this.range(k);
      const valueNode = this.deref(item.value);
      const valueRange = valueNode ? this.range(valueNode) : undefined;
      out.push({
        key: String(k.value),
        keyRange,
        value: this.scalar(valueNode),
        valueRange,
        range: { start: keyRange.start, end: valueRange?.end ?? keyRange.end },
      });
    }
    return out;
  }

  entryMap(pair: Pair<Node, YNode> | undefined): EntryMap {
    if (!pair) return { dynamic: false, entries: [] };
    const value = this.deref(pair.value);
    return {
      keyRange: this.keyRange(pair),
      range: value ? this.range(value) : undefined,
      dynamic: !!value && isScalar(value) && String(value.value ?? "").includes("${{"),
      flow: !!value && isMap(value) && !!value.flow,
      entries: this.entries(value),
    };
  }

  /** Items of a sequence (aliases resolved). */
  items(node: YNode): YNode[] {
    const s = this.deref(node);
    if (!s || !isSeq(s)) return [];
    return s.items.map((i) => this.deref(i as YNode));
  }

  /** A scalar or a sequence of scalars, as strings. */
  stringList(node: YNode): string[] | undefined {
    const n = this.deref(node);
    if (!n) return undefined;
    if (isScalar(n)) return [this.scalar(n)?.value ?? ""];
    if (isSeq(n)) return this.items(n).flatMap((i) => (isScalar(i) ? [this.scalar(i)?.value ?? ""] : []));
    return undefined;
  }
}

/** JSON-ish string of a node for matrix value comparison (scalars as their text). */
export function nodeKey(loc: Locator, node: YNode): string {
  const s = loc.scalar(node);
  if (s) return s.value;
  const n = loc.deref(node);
  if (!n) return "";
  try {
    return JSON.stringify(n.toJSON());
  } catch {
    return "?";
  }
}
