/**
 * JSON inside a string whose pieces come from a file (a Terraform heredoc or quoted string, with
 * `${…}` interpolations): a small position-aware reader. Each character keeps the file offset it was
 * written at, so condition values point at their exact line and column. An interpolation credflow
 * cannot evaluate becomes an unknown part of the string it sits in, or an unknown value when it
 * stands outside a JSON string.
 */
import type { SourceFile } from "../model/types.js";
import { located } from "./source.js";
import type { Located, PEntry, PolicyString, PValue, Segment } from "./types.js";
import { pushSegment } from "./types.js";

const HOLE = "\uE000";

interface Stream {
  text: string;
  offsets: Array<number | undefined>;
  /** Why each hole (by its index in `text`) is unknown. */
  holes: Map<number, string>;
}

function streamOf(s: PolicyString): Stream {
  let text = "";
  const offsets: Array<number | undefined> = [];
  const holes = new Map<number, string>();
  for (const seg of s.segments) {
    if ("unknown" in seg) {
      holes.set(text.length, seg.unknown);
      text += HOLE;
      offsets.push(undefined);
      continue;
    }
    for (let i = 0; i < seg.text.length; i++) offsets.push(seg.offsets?.[i]);
    text += seg.text;
  }
  return { text, offsets, holes };
}

export class JsonTextError extends Error {}

/**
 * Reads the JSON document in `s`. `file` holds the offsets; `fallback` is where values without a
 * position of their own are placed. Throws JsonTextError when the text is not JSON.
 */
export function parseJsonText(s: PolicyString, file: SourceFile): PValue {
  const st = streamOf(s);
  const { text } = st;
  let i = 0;
  const fallback = s.at;
  const at = (from: number, to: number): Located => {
    let a: number | undefined;
    let b: number | undefined;
    for (let k = from; k < to && a === undefined; k++) a = st.offsets[k];
    for (let k = to - 1; k >= from && b === undefined; k--) b = st.offsets[k];
    return a !== undefined && b !== undefined ? located(file, a, b + 1) : fallback;
  };
  const fail = (what: string): never => {
    const o = st.offsets[Math.min(i, st.offsets.length - 1)];
    const where = o !== undefined ? ` (line ${located(file, o, o).range.start.line})` : "";
    throw new JsonTextError(`${what}${where}`);
  };
  const ws = () => {
    while (i < text.length && (text[i] === " " || text[i] === "\t" || text[i] === "\n" || text[i] === "\r")) i++;
  };
  const str = (): { s: PolicyString; edit?: { start: number; end: number } } => {
    const start = i++;
    const segments: Segment[] = [];
    let plain = true;
    while (i < text.length && text[i] !== '"') {
      const c = text[i]!;
      if (c === HOLE) {
        pushSegment(segments, { unknown: st.holes.get(i) ?? "an interpolation" });
        plain = false;
        i++;
        continue;
      }
      if (c === "\\") {
        plain = false;
        const o = st.offsets[i];
        const e = text[i + 1];
        let out: string;
        let len = 2;
        switch (e) {
          case "n": out = "\n"; break;
          case "t": out = "\t"; break;
          case "r": out = "\r"; break;
          case "b": out = "\b"; break;
          case "f": out = "\f"; break;
          case "u": {
            const hex = text.slice(i + 2, i + 6);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail("bad \\u escape");
            out = String.fromCharCode(parseInt(hex, 16));
            len = 6;
            break;
          }
          case '"': case "\\": case "/": out = e; break;
          default: return fail("bad escape");
        }
        pushSegment(segments, o !== undefined ? { text: out, offsets: [o] } : { text: out });
        i += len;
        continue;
      }
      const o = st.offsets[i];
      pushSegment(segments, o !== undefined ? { text: c, offsets: [o] } : { text: c });
      i++;
    }
    if (i >= text.length) fail("unterminated string");
    i++;
    const loc = at(start, i);
    const ps: PolicyString = { segments, at: loc, assumptions: s.assumptions };
    // A key written plainly, one character per offset: a fix may replace its text.
    let edit: { start: number; end: number } | undefined;
    if (plain && segments.length === 1 && !("unknown" in segments[0]!)) {
      const offs = segments[0].offsets;
      if (offs && offs.length > 0 && offs.every((o, k) => o !== undefined && (k === 0 || o === offs[k - 1]! + 1))) edit = { start: offs[0]!, end: offs[offs.length - 1]! + 1 };
    }
    return edit ? { s: ps, edit } : { s: ps };
  };
  const value = (depth: number): PValue => {
    if (depth > 100) fail("nested too deeply");
    ws();
    const c = text[i];
    const start = i;
    if (c === '"') return { t: "str", s: str().s };
    if (c === HOLE) {
      const why = st.holes.get(i) ?? "an interpolation";
      i++;
      return { t: "unknown", why, at: at(start, i) };
    }
    if (c === "{") {
      i++;
      const entries: PEntry[] = [];
      ws();
      if (text[i] === "}") {
        i++;
        return { t: "obj", entries, at: at(start, i) };
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail("expected a string key");
        const k = str();
        ws();
        if (text[i] !== ":") fail("expected ':'");
        i++;
        const v = value(depth + 1);
        const entry: PEntry = { key: k.s, value: v };
        if (k.edit) entry.keyEdit = { file, ...k.edit };
        entries.push(entry);
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "}") {
          i++;
          break;
        }
        fail("expected ',' or '}'");
      }
      return { t: "obj", entries, at: at(start, i) };
    }
    if (c === "[") {
      i++;
      const items: PValue[] = [];
      ws();
      if (text[i] === "]") {
        i++;
        return { t: "list", items, at: at(start, i) };
      }
      for (;;) {
        items.push(value(depth + 1));
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "]") {
          i++;
          break;
        }
        fail("expected ',' or ']'");
      }
      return { t: "list", items, at: at(start, i) };
    }
    const m = /^(?:true|false|null|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(text.slice(i, i + 64));
    if (m) {
      i += m[0].length;
      const loc = at(start, i);
      return { t: "str", s: { segments: [{ text: m[0] }], at: loc, assumptions: s.assumptions } };
    }
    return fail(c === undefined ? "unexpected end" : `unexpected ${JSON.stringify(c)}`);
  };
  const v = value(0);
  ws();
  if (i < text.length) fail("text after the JSON document");
  return v;
}
