/**
 * `credflow explain <rule-id>`: a rule's doc page (docs/rules/<id>.md) rendered for a terminal:
 * headings in capitals, paragraphs and list items wrapped to the width, code blocks indented as
 * they are, tables aligned (or one row per paragraph when too wide), links as "text (url)".
 */
import type { RuleMeta } from "../rules/types.js";
import { textWidth, wrap } from "../report/excerpt.js";
import { oneLine } from "../report/common.js";

const BOLD = "\x1b[1m";
const DIM = "\x1b[2m";
const CYAN = "\x1b[36m";
const RESET = "\x1b[0m";

export interface ExplainOptions {
  width: number;
  color: boolean;
}

/** Inline Markdown as plain text: links as "text (url)", emphasis markers dropped, code kept in backticks. */
export function inlineText(s: string): string {
  return s
    .replace(/\[([^\]]+)\]\((?:\.\.?\/)?[^)\s]*?\.md(?:#[^)]*)?\)/g, "$1") // links to other doc pages: their text
    .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, "$1 ($2)")
    .replace(/\*\*([^*]+)\*\*/g, "$1")
    .replace(/(^|[\s(])\*([^*\s][^*]*)\*(?=[\s).,;:]|$)/g, "$1$2")
    .replace(/<!--.*?-->/g, "");
}

function splitRow(line: string): string[] {
  return line
    .trim()
    .replace(/^\|/, "")
    .replace(/\|$/, "")
    .split(/(?<!\\)\|/)
    .map((c) => inlineText(c.trim().replace(/\\\|/g, "|")));
}

/** The Markdown of a doc page for a terminal. */
export function renderDoc(markdown: string, opts: ExplainOptions): string {
  const paint = (code: string, s: string) => (opts.color && s !== "" ? `${code}${s}${RESET}` : s);
  const width = Math.max(40, opts.width);
  const body = width - 2;
  const out: string[] = [];
  const lines = markdown.replace(/\r\n?/g, "\n").split("\n");
  let para: string[] = [];
  const blank = () => {
    if (out.length > 0 && out[out.length - 1] !== "") out.push("");
  };
  const flush = () => {
    if (para.length === 0) return;
    const text = inlineText(para.join(" ").replace(/\s+/g, " ").trim());
    para = [];
    const item = /^([-*]|\d+\.) (.*)$/.exec(text);
    if (item) {
      const lead = `  ${item[1] === "*" ? "-" : item[1]} `;
      const rows = wrap(item[2]!, width - lead.length);
      out.push(`${lead}${rows[0]}`, ...rows.slice(1).map((r) => `${" ".repeat(lead.length)}${r}`));
      return;
    }
    blank();
    out.push(...wrap(text, body).map((r) => `  ${r}`));
  };
  for (let i = 0; i < lines.length; i++) {
    const raw = oneLine(lines[i]!);
    const line = raw.trimEnd();
    const fence = /^\s*(```|~~~)/.exec(line);
    if (fence) {
      flush();
      blank();
      for (i++; i < lines.length && !lines[i]!.trimStart().startsWith(fence[1]!); i++) {
        out.push(paint(CYAN, `    ${oneLine(lines[i]!).trimEnd()}`).trimEnd());
      }
      out.push("");
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading) {
      flush();
      blank();
      const text = inlineText(heading[2]!);
      if (heading[1]!.length === 1) out.push(...wrap(text, width).map((r) => paint(BOLD, r)));
      else out.push(...wrap(heading[1]!.length === 2 ? text.toUpperCase() : text, width).map((r) => paint(BOLD, r)));
      out.push("");
      continue;
    }
    if (/^\s*\|.*\|\s*$/.test(line)) {
      flush();
      const rows: string[][] = [];
      for (; i < lines.length && /^\s*\|.*\|\s*$/.test(lines[i]!); i++) {
        if (/^\s*\|[\s:|-]+\|\s*$/.test(lines[i]!)) continue; // the separator row
        rows.push(splitRow(oneLine(lines[i]!)));
      }
      i--;
      out.push(...table(rows, width, paint));
      out.push("");
      continue;
    }
    if (line.trim() === "") {
      flush();
      continue;
    }
    // A new list item starts a new paragraph; a continuation line joins the current one.
    if (/^\s*([-*]|\d+\.) /.test(line) && para.length > 0) flush();
    para.push(line.trim());
  }
  flush();
  while (out.length > 0 && out[out.length - 1] === "") out.pop();
  return `${out.join("\n")}\n`;
}

function table(rows: string[][], width: number, paint: (code: string, s: string) => string): string[] {
  if (rows.length === 0) return [];
  const n = Math.max(...rows.map((r) => r.length));
  const widths = Array.from({ length: n }, (_, c) => Math.max(...rows.map((r) => textWidth(r[c] ?? ""))));
  const total = 2 + widths.reduce((a, w) => a + w, 0) + 2 * (n - 1);
  if (total <= width) {
    return rows.map((r, k) => {
      const cells = widths.map((w, c) => {
        const cell = r[c] ?? "";
        return c === n - 1 ? cell : cell + " ".repeat(w - textWidth(cell));
      });
      const line = `  ${cells.join("  ")}`.trimEnd();
      return k === 0 ? paint(DIM, line) : line;
    });
  }
  // Too wide: one item per row, "first cell: the others".
  const [head, ...body] = rows;
  const out: string[] = [];
  for (const r of body) {
    const rest = r.slice(1).map((cell, c) => (head && head[c + 1] ? `${head[c + 1]}: ${cell}` : cell)).join("; ");
    const text = `${r[0] ?? ""}${rest ? ` — ${rest}` : ""}`;
    const rowsWrapped = wrap(text, width - 4);
    out.push(`  - ${rowsWrapped[0]}`, ...rowsWrapped.slice(1).map((x) => `    ${x}`));
  }
  return out;
}

/** The text `credflow explain` prints for a rule: its doc page, or its metadata when the page is missing. */
export function explainRule(rule: RuleMeta, doc: string | undefined, opts: ExplainOptions): string {
  if (doc && doc.trim() !== "") return renderDoc(doc, opts);
  return renderDoc(`# ${rule.id}: ${rule.title}\n\n${rule.description}\n\nDefault level: ${rule.defaultLevel}.\n`, opts);
}
