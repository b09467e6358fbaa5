/**
 * Output for people and for editors.
 *
 * `text` (the default): each finding as `level[rule-id]: headline`, its location, the source line
 * with markers under the span and the finding's label, related locations as labelled excerpts, then
 * `= why:` and `= fix:` lines; fitted to a width (80 columns unless the terminal says otherwise).
 * Findings with the same rule, level and headline are printed once in full, the other places as
 * location and excerpt only.
 *
 * `concise`: one gcc-style line per finding, `path:line:col: level: message [rule-id]`, for grep and
 * problem matchers; below it one line per related place, `    related: path:line:col: label
 * [rule-id at path:line:col]` (the finding's own place in the brackets, so the line stands alone).
 *
 * Both end with a summary: counts by level, then what `--fix` can do.
 */
import type { Finding, RelatedLocation } from "../rules/types.js";
import { countFindings, lineIndexLookup, oneLine, reportPath, sortFindings, summarize } from "./common.js";
import { excerpt, textWidth, wrap } from "./excerpt.js";
import { countFixable, fixableSummary, fixFlag, present } from "./present.js";
import type { LineIndex } from "./positions.js";
import type { ReportInput } from "./types.js";

export interface TextOptions {
  color: boolean;
  /** Columns to fit the output into (default 80). */
  width?: number;
}

export const DEFAULT_WIDTH = 80;
/** Related locations shown as excerpts; the rest are counted. */
export const MAX_RELATED_EXCERPTS = 3;

/** What a VS Code problem matcher for credflow uses; every primary line of `--format concise` (without colour) matches it. */
export const PROBLEM_MATCHER_REGEXP = /^(.+?):(\d+):(\d+): (error|warning|note): (.*) \[([a-z0-9-]+)\]$/;

/**
 * The second matcher's pattern: every related-location line of `--format concise` (without colour)
 * matches it, and no finding line does (those start with their path, not with the prefix). Groups:
 * 1 path, 2 line, 3 column, 4 label, 5 the finding it belongs to (`rule-id at path:line:col`).
 * Neither pattern matches the other's lines: a related line ends in `[rule-id at …]`, which the
 * finding pattern's `\[([a-z0-9-]+)\]$` cannot take.
 */
export const RELATED_MATCHER_REGEXP = /^    related: (.+?):(\d+):(\d+): (.*) \[([a-z0-9-]+ at .+:\d+:\d+)\]$/;

const ANSI = {
  bold: "\x1b[1m",
  dim: "\x1b[2m",
  red: "\x1b[31m",
  yellow: "\x1b[33m",
  blue: "\x1b[34m",
  cyan: "\x1b[36m",
  reset: "\x1b[0m",
} as const;

const LEVEL_COLOR = { error: ANSI.red, warning: ANSI.yellow, note: ANSI.cyan } as const;

type Paint = (code: string, s: string) => string;

function painter(color: boolean): Paint {
  return (code, s) => (color && s !== "" ? `${code}${s}${ANSI.reset}` : s);
}

/** The summary lines shared by both forms: counts by level (and suppressed), then what is fixable. */
function summaryLines(input: ReportInput, findings: readonly Finding[], paint: Paint): string[] {
  const out = [paint(ANSI.bold, summarize(countFindings(findings), input.suppressed?.length ?? 0))];
  const fixable = fixableSummary(countFixable(findings));
  if (fixable) out.push(fixable);
  return out;
}

// ---------------------------------------------------------------------------------------------
// concise

function fixHint(f: Finding): string {
  if (!f.fix) return "";
  return f.fix.safe ? " (fixable)" : " (fixable with --unsafe-fixes)";
}

/** Related locations by place (`path:line:col`), in order of first appearance, with their distinct one-line labels. */
function relatedPlaces(related: readonly RelatedLocation[], cwd: string | undefined): Map<string, string[]> {
  const places = new Map<string, string[]>();
  for (const r of related) {
    const rs = r.range.start;
    const place = `${oneLine(reportPath(r.path, cwd))}:${rs.line}:${rs.column}`;
    const label = oneLine(r.message).trim() || "related location";
    const labels = places.get(place) ?? [];
    if (!labels.includes(label)) labels.push(label);
    places.set(place, labels);
  }
  return places;
}

export function formatConcise(input: ReportInput, opts: { color: boolean }): string {
  const paint = painter(opts.color);
  const lines: string[] = [];
  const findings = sortFindings(input.findings);
  for (const f of findings) {
    const { start } = f.location.range;
    const where = `${oneLine(reportPath(f.location.path, input.cwd))}:${start.line}:${start.column}:`;
    lines.push(
      `${paint(ANSI.bold, where)} ${paint(LEVEL_COLOR[f.level], `${f.level}:`)} ${oneLine(f.message)}${fixHint(f)} ${paint(ANSI.dim, `[${f.ruleId}]`)}`,
    );
    // One line per related place (labels of one place joined), each naming its finding, so that a
    // problem matcher, which sees one line at a time, can link it back.
    const owner = `[${f.ruleId} at ${oneLine(reportPath(f.location.path, input.cwd))}:${start.line}:${start.column}]`;
    for (const [place, labels] of relatedPlaces(f.related, input.cwd)) {
      lines.push(`    ${paint(ANSI.cyan, "related:")} ${place}: ${labels.join("; ")} ${paint(ANSI.dim, owner)}`);
    }
    if (f.fixNote) lines.push(`    ${paint(ANSI.dim, `no fix: ${oneLine(f.fixNote)}`)}`);
  }
  if (lines.length > 0) lines.push("");
  lines.push(...summaryLines(input, findings, paint));
  return `${lines.join("\n")}\n`;
}

// ---------------------------------------------------------------------------------------------
// text

interface Group {
  first: Finding;
  /** Other places with the same rule, level and headline. */
  others: Finding[];
}

/** Findings grouped by rule, level and headline, in the order their first member sorts. */
function groupFindings(findings: readonly Finding[]): Group[] {
  const groups = new Map<string, Group>();
  for (const f of sortFindings(findings)) {
    const key = `${f.ruleId}\0${f.level}\0${present(f).headline}`;
    const g = groups.get(key);
    if (g) g.others.push(f);
    else groups.set(key, { first: f, others: [] });
  }
  return [...groups.values()];
}

interface Ctx {
  input: ReportInput;
  width: number;
  paint: Paint;
  index: (path: string) => LineIndex | undefined;
}

function where(ctx: Ctx, loc: { path: string; range: Finding["location"]["range"] }): string {
  const s = loc.range.start;
  return `${oneLine(reportPath(loc.path, ctx.input.cwd))}:${s.line}:${s.column}`;
}

/** Source row and marker row (with label) of one location; `[]` when the file text is unknown. */
function excerptRows(ctx: Ctx, gutter: number, loc: { path: string; range: Finding["location"]["range"] }, marker: "^" | "-", label: string | undefined, markColor: string): string[] {
  const idx = ctx.index(loc.path);
  if (!idx) return [];
  const bar = ctx.paint(ANSI.blue, `${" ".repeat(gutter)} |`);
  const room = Math.max(20, ctx.width - gutter - 3);
  const ex = excerpt(idx, loc.range, room, marker);
  // An empty line (a file that could not be read, a place at its very start) shows nothing worth quoting.
  if (!ex || ex.source === "") return [];
  const num = ctx.paint(ANSI.blue, `${String(loc.range.start.line).padStart(gutter)} |`);
  const out = [`${num} ${ex.source}`];
  const markerRow = `${ex.pad}${ex.markers}`;
  const text = label ? oneLine(label).replace(/\s+/g, " ").trim() : "";
  if (text === "") {
    out.push(`${bar} ${ex.pad}${ctx.paint(markColor, ex.markers)}`);
    return out;
  }
  if (textWidth(markerRow) + 1 + textWidth(text) <= room) {
    out.push(`${bar} ${ex.pad}${ctx.paint(markColor, `${ex.markers} ${text}`)}`);
    return out;
  }
  // The label goes below the markers: under the span when it fits there, else from the gutter.
  out.push(`${bar} ${ex.pad}${ctx.paint(markColor, ex.markers)}`);
  const indent = ex.markerStart + Math.min(24, textWidth(text)) <= room ? ex.markerStart : 0;
  for (const row of wrap(text, room - indent)) out.push(`${bar} ${" ".repeat(indent)}${ctx.paint(markColor, row)}`);
  return out;
}

function gutterFor(locs: ReadonlyArray<{ range: Finding["location"]["range"] }>): number {
  return Math.max(2, ...locs.map((l) => String(l.range.start.line).length));
}

function renderGroup(ctx: Ctx, g: Group): string[] {
  const f = g.first;
  const p = present(f);
  const merged = mergeSamePlace(f.related);
  const shownRelated = merged.slice(0, MAX_RELATED_EXCERPTS);
  const gutter = gutterFor([f.location, ...shownRelated, ...g.others.map((o) => o.location)]);
  const pad = " ".repeat(gutter);
  const bar = ctx.paint(ANSI.blue, `${pad} |`);
  const arrow = (s: string): string => `${ctx.paint(ANSI.blue, `${pad.slice(1)}-->`)} ${s}`;
  const noteIndent = `${pad} = `;
  const lines: string[] = [];

  // Header: level[rule-id]: headline, wrapped under the headline.
  const tag = `${f.level}[${f.ruleId}]`;
  const tagPlain = `${tag}: `;
  const tagPainted = `${ctx.paint(ANSI.bold + LEVEL_COLOR[f.level], tag)}${ctx.paint(ANSI.bold, ":")} `;
  const headline = oneLine(p.headline);
  const headIndent = " ".repeat(textWidth(tagPlain) <= 36 ? textWidth(tagPlain) : 4);
  const headRows = wrap(headline, ctx.width - textWidth(tagPlain), ctx.width - headIndent.length);
  lines.push(`${tagPainted}${ctx.paint(ANSI.bold, headRows[0]!)}`);
  for (const r of headRows.slice(1)) lines.push(`${headIndent}${ctx.paint(ANSI.bold, r)}`);

  lines.push(arrow(where(ctx, f.location)));
  const primary = excerptRows(ctx, gutter, f.location, "^", f.label, LEVEL_COLOR[f.level]);
  if (primary.length > 0) lines.push(bar, ...primary);

  for (const r of shownRelated) lines.push(...relatedRows(ctx, gutter, r));
  const hidden = merged.length - shownRelated.length;

  const note = (name: string, text: string): void => {
    const lead = `${noteIndent}${name}: `;
    const rows = wrap(oneLine(text), ctx.width - lead.length);
    lines.push(`${ctx.paint(ANSI.blue, `${pad} =`)} ${ctx.paint(ANSI.bold, `${name}:`)} ${rows[0]}`);
    for (const r of rows.slice(1)) lines.push(`${" ".repeat(lead.length)}${r}`);
  };
  if (hidden > 0) lines.push(`${ctx.paint(ANSI.blue, `${pad} =`)} ${hidden} more related location${hidden === 1 ? "" : "s"} (\`--format json\` lists all)`);
  if (p.why) note("why", p.why);
  const flag = fixFlag(f);
  const todo = p.hint ?? (f.fix ? f.fix.description : undefined);
  if (todo) note("fix", flag ? `${todo} (${flag})` : todo);
  if (p.details) note("note", p.details);
  if (f.fixNote) note("no fix", f.fixNote);

  if (g.others.length > 0) {
    const n = g.others.length;
    lines.push(`${ctx.paint(ANSI.blue, `${pad} =`)} the same at ${n} more place${n === 1 ? "" : "s"}:`);
    for (const o of g.others) {
      lines.push(arrow(where(ctx, o.location)));
      const label = o.label !== undefined && o.label !== f.label ? o.label : undefined;
      lines.push(...excerptRows(ctx, gutter, o.location, "^", label, LEVEL_COLOR[o.level]));
    }
  }
  return lines;
}

/** Related locations at one place shown once, their messages joined. */
function mergeSamePlace(related: readonly RelatedLocation[]): RelatedLocation[] {
  const out: RelatedLocation[] = [];
  const byPlace = new Map<string, RelatedLocation>();
  for (const r of related) {
    const k = `${r.path}\0${r.range.start.line}\0${r.range.start.column}\0${r.range.end.line}\0${r.range.end.column}`;
    const prev = byPlace.get(k);
    if (prev) {
      prev.message = `${prev.message}; ${r.message}`;
      continue;
    }
    const copy = { ...r };
    byPlace.set(k, copy);
    out.push(copy);
  }
  return out;
}

function relatedRows(ctx: Ctx, gutter: number, r: RelatedLocation): string[] {
  const pad = " ".repeat(gutter);
  const head = `${ctx.paint(ANSI.blue, `${pad.slice(1)}:::`)} ${where(ctx, r)}`;
  const rows = excerptRows(ctx, gutter, r, "-", r.message, ANSI.cyan);
  if (rows.length === 0) {
    // No text to quote: the message goes on its own line.
    const lead = `${pad} = `;
    return [head, ...wrap(oneLine(r.message), ctx.width - lead.length).map((t) => `${ctx.paint(ANSI.blue, lead)}${t}`)];
  }
  return [head, ...rows];
}

export function formatText(input: ReportInput, opts: TextOptions): string {
  const paint = painter(opts.color);
  const ctx: Ctx = { input, width: Math.max(40, opts.width ?? DEFAULT_WIDTH), paint, index: lineIndexLookup(input) };
  const lines: string[] = [];
  for (const g of groupFindings(input.findings)) lines.push(...renderGroup(ctx, g), "");
  lines.push(...summaryLines(input, input.findings, paint));
  return `${lines.join("\n")}\n`;
}
