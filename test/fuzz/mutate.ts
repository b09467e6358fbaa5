/**
 * Random, reproducible mutations of YAML text for the fuzz tests: line edits (delete, duplicate,
 * reindent), value edits (swap scalars, wrong shapes, anchors and aliases, merge keys), syntax noise
 * (YAML indicators, line endings, BOMs), truncation and raw bytes. Every mutation is plain data
 * drawn by fast-check, so a failing case prints (and shrinks to) the exact edits that broke it.
 */
import fc from "fast-check";
import { isMap, isScalar, isSeq, parseDocument, type Node } from "yaml";

export type Mutation =
  | { op: "delete-line"; line: number }
  | { op: "duplicate-line"; line: number }
  | { op: "reindent"; line: number; delta: number; tab: boolean }
  | { op: "swap-scalars"; a: number; b: number }
  | { op: "wrong-shape"; line: number; shape: string }
  | { op: "anchor-alias"; from: number; to: number }
  | { op: "merge-key"; from: number; at: number }
  | { op: "insert-token"; at: number; token: string }
  | { op: "truncate"; at: number }
  | { op: "line-endings"; style: "crlf" | "cr" | "bom" | "bom-crlf" }
  | { op: "insert-bytes"; at: number; bytes: number[] }
  | { op: "yaml-set"; path: number; value: unknown };

const TOKENS = [
  "{", "}", "[", "]", ",", '"', "'", "|", ">-", "*x", "&x ", "!!str ", "!!map ", "!custom ", "? ", "- ", ": ",
  "#", "\t", "\r", "\n", "\r\n", "\ufeff", "${{", "}}", "${{ inputs.role }}", "---\n", "...\n", "%YAML 1.2\n",
  "<<: ", "~", "null", "true", "0x1F", "1e3", ".inf", "\\", "\u2028", "\u0085", "😀", "\u0001",
  " # credflow: ignore[unpinned-ref] why", " # credflow: ignore[", " # credflow: ignore[] x", " # credflow: ignore[*, nope]",
];

const SHAPES = ["[]", "{}", "~", "[a, b]", "{a: b}", "[{a: b}]", "{a: {b: c}}", "${{ fromJSON(inputs.x) }}", "''", "|\n  block", "!!binary aGk=", "*nowhere", "12345678901234567890"];

/** Values a structure-aware edit puts in place of any node. */
const VALUES: unknown[] = [
  "x", "", 0, -1, 1e21, true, null, "${{ fromJSON(inputs.x) }}", "${{ github.event.pull_request.head.sha }}",
  [], ["a", "b"], [{ a: "b" }], [[1, [2]]], {}, { a: "b" }, { uses: "./act", with: { x: ["y"] } },
  { "role-to-assume": { a: 1 }, "aws-region": ["us-east-1"] }, { "id-token": "write" }, "write-all", "read-all",
  "aws-actions/configure-aws-credentials@v4", "./", "./../../x", "docker://alpine",
];

/** Weighted towards edits that keep the YAML readable, so most cases reach the rules and the fixer. */
export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { arbitrary: fc.record({ op: fc.constant("delete-line" as const), line: fc.nat() }), weight: 3 },
  { arbitrary: fc.record({ op: fc.constant("duplicate-line" as const), line: fc.nat() }), weight: 3 },
  { arbitrary: fc.record({ op: fc.constant("reindent" as const), line: fc.nat(), delta: fc.integer({ min: -4, max: 4 }), tab: fc.boolean() }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant("swap-scalars" as const), a: fc.nat(), b: fc.nat() }), weight: 4 },
  { arbitrary: fc.record({ op: fc.constant("wrong-shape" as const), line: fc.nat(), shape: fc.constantFrom(...SHAPES) }), weight: 5 },
  { arbitrary: fc.record({ op: fc.constant("anchor-alias" as const), from: fc.nat(), to: fc.nat() }), weight: 3 },
  { arbitrary: fc.record({ op: fc.constant("merge-key" as const), from: fc.nat(), at: fc.nat() }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant("insert-token" as const), at: fc.nat(), token: fc.constantFrom(...TOKENS) }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant("truncate" as const), at: fc.nat() }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant("line-endings" as const), style: fc.constantFrom("crlf" as const, "cr" as const, "bom" as const, "bom-crlf" as const) }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant("insert-bytes" as const), at: fc.nat(), bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 8 }) }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant("yaml-set" as const), path: fc.nat(), value: fc.constantFrom(...VALUES) }), weight: 5 },
);

export const mutations: fc.Arbitrary<Mutation[]> = fc.array(mutation, { minLength: 1, maxLength: 5 });

/** `key: value` lines: where a value starts and ends (comments excluded). */
const VALUE_LINE = /^(\s*(?:- )?[^\s#:][^:#]*?:[ \t]+)([^\s#][^#\r\n]*?)([ \t]+#.*)?$/;

function splitLines(text: string): string[] {
  return text.split("\n");
}

function pick<T>(items: readonly T[], n: number): T | undefined {
  return items.length ? items[n % items.length] : undefined;
}

/** Indexes of lines holding `key: value` with a value on the line. */
function valueLines(lines: string[]): number[] {
  return lines.flatMap((l, i) => (VALUE_LINE.test(l.replace(/\r$/, "")) ? [i] : []));
}

function setValue(line: string, value: string): string {
  const cr = line.endsWith("\r") ? "\r" : "";
  const m = VALUE_LINE.exec(line.replace(/\r$/, ""));
  if (!m) return line;
  return `${m[1]}${value}${m[3] ?? ""}${cr}`;
}

function getValue(line: string): string | undefined {
  return VALUE_LINE.exec(line.replace(/\r$/, ""))?.[2];
}

/** Replaces the value at the `n`-th node path of the parsed text (map values and sequence items, any depth). */
function yamlSet(text: string, n: number, value: unknown): string {
  const doc = parseDocument(text, { uniqueKeys: false });
  if (doc.errors.length) return text;
  const paths: Array<Array<string | number>> = [];
  const walk = (node: unknown, p: Array<string | number>): void => {
    if (isMap(node)) {
      for (const item of node.items) {
        if (!isScalar(item.key)) continue;
        const q = [...p, String(item.key.value)];
        paths.push(q);
        walk(item.value, q);
      }
    } else if (isSeq(node)) node.items.forEach((item, i) => (paths.push([...p, i]), walk(item, [...p, i])));
  };
  walk(doc.contents, []);
  const target = pick(paths, n);
  if (!target) return text;
  try {
    doc.setIn(target, doc.createNode(value) as Node);
    return doc.toString({ lineWidth: 0 });
  } catch {
    // Paths through aliases or odd keys cannot be set; leave the text as it is.
    return text;
  }
}

/** Applies one text-level mutation. */
function applyText(text: string, m: Exclude<Mutation, { op: "insert-bytes" }>): string {
  const lines = splitLines(text);
  const at = (n: number) => (text.length ? n % (text.length + 1) : 0);
  switch (m.op) {
    case "delete-line":
      if (lines.length) lines.splice(m.line % lines.length, 1);
      return lines.join("\n");
    case "duplicate-line":
      if (lines.length) {
        const i = m.line % lines.length;
        lines.splice(i, 0, lines[i]!);
      }
      return lines.join("\n");
    case "reindent": {
      if (!lines.length) return text;
      const i = m.line % lines.length;
      const l = lines[i]!;
      const indent = /^[ \t]*/.exec(l)![0].length;
      const next = Math.max(0, indent + m.delta);
      lines[i] = (m.tab ? "\t" : "") + " ".repeat(next) + l.slice(indent);
      return lines.join("\n");
    }
    case "swap-scalars": {
      const vl = valueLines(lines);
      const a = pick(vl, m.a);
      const b = pick(vl, m.b);
      if (a === undefined || b === undefined || a === b) return text;
      const va = getValue(lines[a]!)!;
      const vb = getValue(lines[b]!)!;
      lines[a] = setValue(lines[a]!, vb);
      lines[b] = setValue(lines[b]!, va);
      return lines.join("\n");
    }
    case "wrong-shape": {
      const i = pick(valueLines(lines), m.line);
      if (i === undefined) return text;
      lines[i] = setValue(lines[i]!, m.shape);
      return lines.join("\n");
    }
    case "anchor-alias": {
      const vl = valueLines(lines);
      const a = pick(vl, m.from);
      const b = pick(vl, m.to);
      if (a === undefined || b === undefined) return text;
      lines[a] = setValue(lines[a]!, `&fz ${getValue(lines[a]!)}`);
      if (a !== b) lines[b] = setValue(lines[b]!, "*fz");
      return lines.join("\n");
    }
    case "merge-key": {
      // Anchor a mapping-valued key (a line ending in ":"), merge it elsewhere at that line's indentation.
      const keys = lines.flatMap((l, i) => (/^\s*[\w-]+:\s*$/.test(l.replace(/\r$/, "")) ? [i] : []));
      const a = pick(keys, m.from);
      const b = pick(keys, m.at);
      if (a === undefined || b === undefined) return text;
      lines[a] = lines[a]!.replace(/:(\s*)$/, ": &fzm$1");
      const indent = /^\s*/.exec(lines[b + 1] ?? "")![0];
      lines.splice(b + 1, 0, `${indent}<<: *fzm`);
      return lines.join("\n");
    }
    case "insert-token": {
      const i = at(m.at);
      return text.slice(0, i) + m.token + text.slice(i);
    }
    case "truncate":
      return text.slice(0, at(m.at));
    case "yaml-set":
      return yamlSet(text, m.path, m.value);
    case "line-endings": {
      const crlf = text.replace(/\r?\n/g, "\r\n");
      if (m.style === "crlf") return crlf;
      if (m.style === "cr") return text.replace(/\r?\n/g, "\r");
      if (m.style === "bom") return `\ufeff${text}`;
      return `\ufeff${crlf}`;
    }
  }
}

/** Applies the mutations in order; raw-byte insertions work on the UTF-8 bytes of the text so far. */
export function applyMutations(text: string, ms: readonly Mutation[]): Uint8Array {
  let current: string | Uint8Array = text;
  for (const m of ms) {
    if (m.op === "insert-bytes") {
      const bytes: Uint8Array = typeof current === "string" ? new TextEncoder().encode(current) : current;
      const i = bytes.length ? m.at % (bytes.length + 1) : 0;
      current = Uint8Array.from([...bytes.subarray(0, i), ...m.bytes, ...bytes.subarray(i)]);
    } else {
      // Text edits on bytes that are no longer UTF-8 go through a lossless Latin-1 view.
      if (typeof current === "string") current = applyText(current, m);
      else current = Uint8Array.from(Buffer.from(applyText(Buffer.from(current).toString("latin1"), m), "latin1"));
    }
  }
  return typeof current === "string" ? new TextEncoder().encode(current) : current;
}
