/**
 * Decodes and parses one file, once. The `yaml` Document is shared by the model builder, the schema
 * validator and the fixer, so nothing parses the same text twice.
 */
import { Composer, LineCounter, parseDocument, Parser, YAMLParseError, type CST, type Document, type Node } from "yaml";
import { isAlias, isCollection, isMap, isPair, isScalar } from "./yaml-nodes.js";
import type { ActionModel, FileKind, Range, SourceFile, Workflow } from "../model/types.js";
import { positionAt } from "./position.js";

/** Files above this size are refused with a finding rather than parsed (workflows are rarely > 100 KB). */
export const MAX_FILE_BYTES = 8 * 1024 * 1024;
/**
 * Collections nested deeper than this are refused before composing: the YAML composer recurses per
 * level, and a stack overflow there floods the report with one error per level or, when V8 happens to
 * compile a regular expression near the end of the stack, aborts the whole process.
 */
export const MAX_NESTING = 500;
/** Alias expansion beyond this many nodes is treated as an alias bomb. */
export const MAX_EXPANDED_NODES = 200_000;

export interface ParseDiagnostic {
  ruleId: "yaml-syntax" | "workflow-schema";
  message: string;
  range: Range;
  /** Level of this diagnostic when it differs from the rule's default (keys GitHub ignores: warning). */
  level?: "error" | "warning";
}

export interface ParsedFile {
  file: SourceFile;
  diagnostics: ParseDiagnostic[];
  /** True when the document is usable for the model (a mapping without fatal syntax errors). */
  usable: boolean;
  /** Whether the schema validator may walk the tree (false for alias bombs: it expands aliases). */
  expandable: boolean;
  /** The model, when it was built ahead of the graph (in a worker thread). */
  model?: Workflow | ActionModel;
  /** GitHub schema diagnostics, when they were computed ahead of the graph. */
  schema?: ParseDiagnostic[];
}

const ZERO: Range = { start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 1, offset: 0 } };

export interface RawInput {
  path: string;
  repoPath: string;
  absPath?: string;
  root?: string;
  kind: FileKind;
  bytes: Uint8Array;
  /** Size on disk when the bytes were not read because the file is too large (`bytes` is then empty). */
  size?: number;
}

const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

export function parseSourceFile(input: RawInput): ParsedFile {
  const base = {
    path: input.path,
    repoPath: input.repoPath,
    absPath: input.absPath,
    root: input.root,
    kind: input.kind,
    bytes: input.bytes,
  };
  const fail = (message: string, text = ""): ParsedFile => ({
    file: { ...base, text },
    diagnostics: [{ ruleId: "yaml-syntax", message, range: ZERO }],
    usable: false,
    expandable: false,
  });
  const size = input.size ?? input.bytes.length;
  if (size > MAX_FILE_BYTES) {
    return fail(`file is ${size} bytes, above credflow's limit of ${MAX_FILE_BYTES} bytes; not linted`);
  }
  let text: string;
  try {
    // ignoreBOM keeps a leading U+FEFF in the string, so edits and offsets cover every original byte.
    text = decoder.decode(input.bytes);
  } catch {
    return fail("file is not valid UTF-8; GitHub requires UTF-8 workflow files");
  }
  if (text.includes("\u0000")) return fail("file contains NUL bytes; it is not a YAML text file", text);

  const bound = nestingBound(text);
  // Past the bound (a few files in a thousand) the exact depth is measured on the CST, and that
  // same CST is then composed: the file is lexed and parsed once either way.
  const tokens = bound <= MAX_NESTING ? undefined : Array.from(new Parser().parse(text));
  const tooDeep = tokens ? nestingPastLimit(tokens, text, MAX_NESTING) : undefined;
  if (tooDeep !== undefined) {
    const range = { start: tooDeep, end: tooDeep };
    return {
      file: { ...base, text },
      diagnostics: [{ ruleId: "yaml-syntax", message: `collections nested more than ${MAX_NESTING} levels deep; not linted`, range }],
      usable: false,
      expandable: false,
    };
  }

  const lineCounter = linesOf(text);
  let doc;
  try {
    doc = tokens ? composeDocument(tokens, text) : parseDocument(text, PARSE_OPTIONS);
  } catch (err) {
    // The composer recurses per nesting level; absurd nesting exhausts the stack.
    const why = err instanceof RangeError ? "nesting is too deep to parse" : "the YAML parser failed";
    return fail(`${why}; not linted`, text);
  }
  const file: SourceFile = { ...base, text, doc, lineCounter };
  const hasBom = text.charCodeAt(0) === 0xfeff;
  const pos = (offset: number) => positionAt(lineCounter, hasBom, offset);
  const diagnostics: ParseDiagnostic[] = [];
  // Errors at the end of the text ("missing closing quote") span one character past it.
  const clamp = (offset: number) => Math.min(Math.max(offset, 0), text.length);
  // One finding per file: after the first syntax error the parser's view of the rest is unreliable,
  // and what follows is mostly that one error seen again (one misindented line gave 68 errors).
  const first = doc.errors[0];
  if (first) {
    let message = first.message.split("\n")[0] ?? "YAML syntax error";
    if (first.code === "MISSING_CHAR" && message.startsWith('Missing closing "quote') && lessIndentedNextLine(text, first.pos[0])) {
      message += ": the string continues on a line indented less than its key, which ends it there (GitHub rejects this since 2022)";
    }
    const more = doc.errors.length - 1;
    if (more > 0) message += ` (and ${more} more YAML syntax ${more === 1 ? "error" : "errors"} after it, most likely caused by it)`;
    diagnostics.push({
      ruleId: "yaml-syntax",
      message,
      range: { start: pos(clamp(first.pos[0])), end: pos(clamp(Math.max(first.pos[0], first.pos[1]))) },
    });
  }
  if (diagnostics.length > 0) return { file, diagnostics, usable: false, expandable: false };

  // Most files cannot hold an alias or nest deep enough to matter: skip the walk that counts them.
  const expanded = mayExpand(text, bound) ? expandedSize(doc.contents as Node | null, doc, MAX_EXPANDED_NODES) : 0;
  if (expanded === "deep") {
    diagnostics.push({ ruleId: "yaml-syntax", message: "nesting is too deep to analyse; not linted", range: ZERO });
    return { file, diagnostics, usable: false, expandable: false };
  }
  const expandable = expanded <= MAX_EXPANDED_NODES;
  if (!expandable) {
    diagnostics.push({
      ruleId: "yaml-syntax",
      message: `aliases expand to more than ${MAX_EXPANDED_NODES} nodes (an alias bomb?); schema validation skipped`,
      range: ZERO,
    });
  }
  const contents = doc.contents;
  if (!contents || isScalar(contents) && (contents.value === null || contents.value === "")) {
    diagnostics.push({ ruleId: "workflow-schema", message: `${input.kind === "action" ? "action" : "workflow"} file is empty`, range: ZERO });
    return { file, diagnostics, usable: false, expandable: false };
  }
  if (!isMap(contents)) {
    diagnostics.push({
      ruleId: "workflow-schema",
      message: `the document must be a mapping, not ${isScalar(contents) ? "a scalar" : "a list"}`,
      range: { start: pos(contents.range?.[0] ?? 0), end: pos(contents.range?.[1] ?? 0) },
    });
    return { file, diagnostics, usable: false, expandable: false };
  }
  return { file, diagnostics, usable: true, expandable };
}

const PARSE_OPTIONS = { uniqueKeys: false, prettyErrors: false } as const;

/**
 * `parseDocument(text, PARSE_OPTIONS)` over CST tokens already parsed from `text`: the first
 * document, and the error `parseDocument` adds when another one follows.
 */
function composeDocument(tokens: readonly CST.Token[], text: string): Document.Parsed {
  let doc: Document.Parsed | undefined;
  for (const next of new Composer(PARSE_OPTIONS).compose(tokens, true, text.length)) {
    if (!doc) doc = next;
    else {
      doc.errors.push(new YAMLParseError([next.range[0], next.range[1]], "MULTIPLE_DOCS", "Source contains multiple documents; please use YAML.parseAllDocuments()"));
      break;
    }
  }
  // compose(…, forceDoc = true) always yields a document.
  return doc!;
}

/**
 * Whether the line after `offset`'s line is indented less than that line: a double-quoted scalar
 * continued there is cut off ("Missing closing quote"), which the YAML parser reports at the break.
 */
function lessIndentedNextLine(text: string, offset: number): boolean {
  const lineStart = text.lastIndexOf("\n", Math.max(0, offset - 1)) + 1;
  const lineEnd = text.indexOf("\n", offset);
  if (lineEnd < 0) return false;
  const indent = (from: number) => {
    let i = from;
    while (text[i] === " ") i++;
    return i - from;
  };
  const next = lineEnd + 1;
  if (next >= text.length || text[next + indent(next)] === "\n" || text[next + indent(next)] === "\r") return false;
  return indent(next) < indent(lineStart);
}

/**
 * Line starts read from the text itself. The parser's newline callbacks (`lineCounter` option) skip
 * the line breaks inside tokens it cannot place (text after a broken flow collection at the top),
 * which moved every later position up by those lines.
 */
function linesOf(text: string): LineCounter {
  const lc = new LineCounter();
  lc.addNewLine(0);
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) lc.addNewLine(i + 1);
  return lc;
}

/** `*name` after a separator: a possible alias (glob and cron stars rarely look like this). */
const ALIAS_CANDIDATE = /(^|[\s,[{:-])\*[^\s,[\]{}]/m;

/**
 * Whether expandedSize can report anything for this text. Without an alias, the count is at most
 * about one node per character (under the limit below 100,000 characters), and its depth (two per
 * mapping level) stays under MAX_DEPTH when the nesting bound is at most 240.
 */
function mayExpand(text: string, bound: number): boolean {
  return text.length > 100_000 || bound > 240 || ALIAS_CANDIDATE.test(text);
}

/**
 * Where collections first nest deeper than `limit`, or undefined when they never do. A linear scan
 * gives an upper bound first (every flow level needs its own `[` or `{`; a block level needs more
 * indentation or an indicator on its line); only when that bound is past the limit (a few files in a
 * thousand) is the exact depth measured here, on the CST of the iterative parser.
 */
function nestingPastLimit(tokens: readonly CST.Token[], text: string, limit: number): Range["start"] | undefined {
  const stack: Array<{ token: CST.Token | null | undefined; depth: number }> = [];
  for (const token of tokens) stack.push({ token, depth: 0 });
  while (stack.length > 0) {
    const { token, depth } = stack.pop()!;
    if (!token) continue;
    if (token.type === "document") stack.push({ token: token.value, depth });
    else if (token.type === "block-map" || token.type === "block-seq" || token.type === "flow-collection") {
      if (depth + 1 > limit) return positionAt(linesOf(text), text.charCodeAt(0) === 0xfeff, token.offset);
      for (const item of token.items as CST.CollectionItem[]) {
        stack.push({ token: item.key, depth: depth + 1 }, { token: item.value, depth: depth + 1 });
      }
    }
  }
  return undefined;
}

/** Upper bound of collection nesting, without parsing (see exactNestingBound). */
export function nestingBound(text: string): number {
  // Every character adds at most two to its line's count and every `[`/`{` one more: twice the
  // longest line plus the brackets is a looser bound that native searches find three times faster.
  // Only files with a line over 250 characters (5% of the dataset) need the walk below.
  let longest = 0;
  for (let at = 0; at < text.length; ) {
    const nl = text.indexOf("\n", at);
    const end = nl === -1 ? text.length : nl;
    if (end - at > longest) longest = end - at;
    at = end + 1;
  }
  let open = 0;
  for (let i = text.indexOf("["); i !== -1; i = text.indexOf("[", i + 1)) open++;
  for (let i = text.indexOf("{"); i !== -1; i = text.indexOf("{", i + 1)) open++;
  const loose = 2 * longest + 1 + open;
  return loose <= MAX_NESTING ? loose : exactNestingBound(text);
}

/**
 * The tighter bound. Flow levels: every `[` and `{` of the text. Block levels on a line: twice its
 * indentation plus the `-`, `?` and `:` indicators on it (a sequence may sit at its parent
 * mapping's indentation), plus one.
 */
function exactNestingBound(text: string): number {
  let brackets = 0;
  let maxLine = 0;
  let line = 0;
  let indenting = true;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) {
      if (line > maxLine) maxLine = line;
      line = 0;
      indenting = true;
      continue;
    }
    if (c === 91 || c === 123) brackets++;
    if (indenting && (c === 32 || c === 9)) {
      line += 2;
      continue;
    }
    indenting = false;
    if (c === 45 || c === 63 || c === 58) line += 2;
  }
  if (line > maxLine) maxLine = line;
  return maxLine + 1 + brackets;
}

const MAX_DEPTH = 500;

/**
 * Counts nodes as they would be after alias expansion, memoised per anchored node, stopping early
 * past `limit`. Returns "deep" when nesting exceeds what the recursive consumers can take.
 */
function expandedSize(root: Node | null, doc: { contents: unknown }, limit: number): number | "deep" {
  const memo = new Map<Node, number>();
  let deep = false;
  const visit = (node: unknown, depth: number, resolving: Set<Node>): number => {
    if (deep) return 0;
    if (depth > MAX_DEPTH) {
      deep = true;
      return 0;
    }
    if (!node || typeof node !== "object") return 1;
    if (isAlias(node)) {
      const target = node.resolve(doc as never) as Node | undefined;
      if (!target || resolving.has(target)) return 1;
      const cached = memo.get(target);
      if (cached !== undefined) return cached;
      resolving.add(target);
      const size = visit(target, depth + 1, resolving);
      resolving.delete(target);
      memo.set(target, size);
      return size;
    }
    if (isPair(node)) return visit(node.key, depth + 1, resolving) + visit(node.value, depth + 1, resolving);
    if (isCollection(node)) {
      let total = 1;
      for (const item of node.items) {
        total += visit(item, depth + 1, resolving);
        if (total > limit) return total;
      }
      if (node.anchor) memo.set(node as Node, total);
      return total;
    }
    return 1;
  };
  const n = visit(root, 0, new Set());
  return deep ? "deep" : n;
}
