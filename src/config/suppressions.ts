/**
 * Inline suppressions: `# credflow: ignore[rule-id, other-id] reason`.
 *
 * A suppression written as a trailing comment covers its own line; one on a line of its own covers
 * the next line that is not a comment (several comment lines may stack above a line). When the
 * covered line starts a block scalar (`run: |`), the scalar's lines are covered too, since they
 * cannot hold comments of their own.
 *
 * Comments and block scalars come from `yaml`'s concrete syntax tree, so a `#` counts exactly when
 * YAML reads a comment (not inside quoted or block scalars, not without a blank before it).
 */
import { Parser } from "yaml";
import type { Range, SourceFile } from "../model/types.js";
import type { Finding, Location, TextEdit } from "../rules/types.js";
import { UNUSED_SUPPRESSION_RULE_ID } from "../rules/builtin/unused-suppression.js";
import { suggestion } from "./messages.js";
import { isKnownRuleId, KNOWN_RULE_IDS } from "./schema.js";

export { UNUSED_SUPPRESSION_RULE_ID };

/** Where a suppression comment is: 1-based line and columns (UTF-16; a BOM is not counted) and string offsets into `SourceFile.text`. */
export interface SuppressionRange {
  line: number;
  column: number;
  /** Column just after the comment's last non-blank character. */
  endColumn: number;
  offset: number;
  endOffset: number;
}

export interface Suppression {
  /** Display path of the file (matches `Finding.location.path`). */
  path: string;
  /** Line the comment is on. */
  line: number;
  /** Finding lines it covers (empty when nothing follows an own-line comment). */
  appliesTo: number[];
  /** Rule ids in the brackets (empty for a malformed `# credflow: ignore` without them). */
  rules: string[];
  /** Text after the brackets, trimmed (may be empty). */
  reason: string;
  range: SuppressionRange;
  /** True when the comment is alone on its line. */
  ownLine: boolean;
  /** Offsets of the text to delete to remove the comment cleanly (its line, or the comment with the blanks before it). */
  removal: { start: number; end: number };
  /** Offsets of the text between the brackets (for rewriting the list). */
  list?: { start: number; end: number };
}

/** A suppression that suppressed nothing for some of its rule ids. */
export interface UnusedSuppression extends Suppression {
  /** The rule ids that suppressed nothing (all of `rules`, or a part of them). */
  unusedRules: string[];
}

// ---------------------------------------------------------------------------------------------
// Finding the comments

const DIRECTIVE = /^#\s*credflow:\s*ignore(?![\w-])(?:\s*\[([^\]]*)\])?(.*)$/;

/** What the suppressions need from a file's YAML concrete syntax tree. */
interface Scan {
  /** Comments, with string offsets into the text (and their text: `#` up to the line's end). */
  comments: Array<{ offset: number; source: string }>;
  /** Header line of each block scalar (`run: |`) → the lines of its content. */
  blockLines: Map<number, number[]>;
  /** Every line inside a block scalar's content. */
  inBlock: Set<number>;
}

/** Offsets of line starts (a BOM is not part of line 1); lines break at `\n` as YAML's do. */
function lineStarts(text: string): number[] {
  const starts = [text.startsWith("\uFEFF") ? 1 : 0];
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  return starts;
}

/** 1-based line of an offset. */
function lineOf(starts: readonly number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] as number) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

/**
 * Comments and block scalars from `yaml`'s CST (`Parser`), so that what counts as a comment is what
 * YAML says: a `#` inside a quoted or block scalar is text. The walk is iterative: a hostile file may
 * nest thousands of levels deep.
 */
function scan(text: string, starts: readonly number[]): Scan {
  const result: Scan = { comments: [], blockLines: new Map(), inBlock: new Set() };
  const stack: unknown[] = [...new Parser().parse(text)];
  while (stack.length > 0) {
    const t = stack.pop();
    if (typeof t !== "object" || t === null) continue;
    if (Array.isArray(t)) {
      for (const x of t) stack.push(x);
      continue;
    }
    const token = t as { type?: unknown; offset?: unknown; source?: unknown; props?: unknown };
    if (token.type === "comment" && typeof token.offset === "number" && typeof token.source === "string") {
      result.comments.push({ offset: token.offset, source: token.source });
    } else if (token.type === "block-scalar" && typeof token.offset === "number" && typeof token.source === "string") {
      // The content follows the header's props (`|`, a comment, the line break).
      const props = Array.isArray(token.props) ? (token.props as Array<{ offset: number; source: string }>) : [];
      const last = props[props.length - 1];
      const contentStart = last ? last.offset + last.source.length : token.offset;
      if (token.source.length > 0) {
        const header = lineOf(starts, token.offset);
        const lines = result.blockLines.get(header) ?? [];
        for (let l = lineOf(starts, contentStart); l <= lineOf(starts, contentStart + token.source.length - 1); l++) {
          lines.push(l);
          result.inBlock.add(l);
        }
        result.blockLines.set(header, lines);
      }
    }
    for (const v of Object.values(token)) if (typeof v === "object" && v !== null) stack.push(v);
  }
  result.comments.sort((a, b) => a.offset - b.offset);
  return result;
}

/** Finds every `# credflow: ignore[…]` comment in a file. */
export function parseSuppressions(file: SourceFile): Suppression[] {
  // Most files have no directive: skip the parse for them.
  if (!/credflow\s*:/i.test(file.text)) return [];
  const text = file.text;
  const starts = lineStarts(text);
  const { comments, blockLines, inBlock } = scan(text, starts);
  const lineText = (line: number) => text.slice(starts[line - 1], (starts[line] ?? text.length + 1) - 1).replace(/\r$/, "");
  const blank = (s: string) => /^[ \t]*$/.test(s);
  // Lines holding nothing but a comment: an own-line suppression looks past them.
  const commentOnly = new Set<number>();
  for (const c of comments) {
    const line = lineOf(starts, c.offset);
    if (blank(text.slice(starts[line - 1], c.offset))) commentOnly.add(line);
  }

  const result: Suppression[] = [];
  for (const c of comments) {
    const commentText = c.source.replace(/\s+$/, "");
    const m = DIRECTIVE.exec(commentText);
    if (!m) continue;
    const line = lineOf(starts, c.offset);
    const lineStart = starts[line - 1] as number;
    const ownLine = commentOnly.has(line);

    let appliesTo: number[];
    if (!ownLine) {
      appliesTo = [line, ...(blockLines.get(line) ?? [])];
    } else {
      let target = line + 1;
      while (commentOnly.has(target)) target++;
      appliesTo = target <= starts.length && !blank(lineText(target)) && !inBlock.has(target) ? [target, ...(blockLines.get(target) ?? [])] : [];
    }

    const rules = [...new Set((m[1] ?? "").split(/[\s,]+/).filter((s) => s.length > 0))];
    const offset = c.offset;
    const endOffset = offset + commentText.length;
    let removal: { start: number; end: number };
    if (ownLine) {
      removal = { start: lineStart, end: starts[line] ?? text.length };
    } else {
      let s = offset;
      while (s > lineStart && (text[s - 1] === " " || text[s - 1] === "\t")) s--;
      removal = { start: s, end: endOffset };
    }
    const column = offset - lineStart + 1;
    const suppression: Suppression = {
      path: file.path,
      line,
      appliesTo,
      rules,
      reason: (m[2] ?? "").trim(),
      range: { line, column, endColumn: column + commentText.length, offset, endOffset },
      ownLine,
      removal,
    };
    if (m[1] !== undefined) {
      const open = commentText.indexOf("[");
      suppression.list = { start: offset + open + 1, end: offset + open + 1 + m[1].length };
    }
    result.push(suppression);
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Applying

export interface SuppressionResult {
  kept: Finding[];
  suppressed: Array<{ finding: Finding; reason: string }>;
  /** Suppressions with rule ids that suppressed nothing (`unusedRules`), in file order. */
  unused: UnusedSuppression[];
}

/**
 * Splits findings into kept and suppressed. A finding is suppressed when a suppression in the file
 * of its primary location (`location.path`) covers `location.range.start.line` and names its rule.
 * `activeRules`, when given, limits unused reports to rules that ran (unknown ids are always
 * reported, being typos); `unused-suppression` itself is never reported as unused.
 */
export function applySuppressions(
  findings: Finding[],
  files: SourceFile[],
  opts: { activeRules?: ReadonlySet<string> } = {},
): SuppressionResult {
  const byPath = new Map<string, Suppression[]>();
  for (const file of files) {
    if (!byPath.has(file.path)) byPath.set(file.path, parseSuppressions(file));
  }
  const used = new Map<Suppression, Set<string>>();
  const kept: Finding[] = [];
  const suppressed: Array<{ finding: Finding; reason: string }> = [];

  for (const finding of findings) {
    const line = finding.location.range.start.line;
    const matches = (byPath.get(finding.location.path) ?? []).filter(
      (s) => s.appliesTo.includes(line) && s.rules.includes(finding.ruleId),
    );
    if (matches.length === 0) {
      kept.push(finding);
      continue;
    }
    for (const s of matches) {
      let set = used.get(s);
      if (!set) used.set(s, (set = new Set()));
      set.add(finding.ruleId);
    }
    suppressed.push({ finding, reason: (matches.find((s) => s.reason !== "") ?? (matches[0] as Suppression)).reason });
  }

  const unused: UnusedSuppression[] = [];
  for (const list of byPath.values()) {
    for (const s of list) {
      const usedRules = used.get(s);
      const unusedRules = s.rules.filter(
        (r) =>
          r !== UNUSED_SUPPRESSION_RULE_ID &&
          !usedRules?.has(r) &&
          (opts.activeRules === undefined || opts.activeRules.has(r) || !isKnownRuleId(r)),
      );
      if (unusedRules.length > 0 || s.rules.length === 0) unused.push({ ...s, unusedRules });
    }
  }
  return { kept, suppressed, unused };
}

/**
 * The `unused-suppression` findings (src/rules/builtin/unused-suppression.ts) for the comments: with
 * `reportUnused` (`--report-unused-suppressions`), every comment, or the part of its list, that
 * suppressed nothing; without it, only rule ids that do not exist — a misspelt id silently suppresses
 * nothing — each named with the closest known id.
 */
export function suppressionFindings(unused: UnusedSuppression[], opts: { reportUnused: boolean }): Finding[] {
  if (opts.reportUnused) return unusedSuppressionFindings(unused);
  const out: Finding[] = [];
  for (const s of unused) {
    const unknown = s.unusedRules.filter((r) => !isKnownRuleId(r));
    if (unknown.length === 0) continue;
    const names = unknown.map((r) => `"${r}"${suggestion(r, KNOWN_RULE_IDS)}`).join(", ");
    const one = unknown.length === 1;
    out.push({
      ruleId: UNUSED_SUPPRESSION_RULE_ID,
      level: "warning",
      message: `Suppression names ${one ? "an unknown rule id" : "unknown rule ids"} ${names}: ${one ? "it suppresses" : "they suppress"} nothing.`,
      location: { path: s.path, range: commentRange(s) },
      related: [],
    });
  }
  return out;
}

/** `unused-suppression` findings (level warning) on the comments, with a fix that removes what is unused. */
export function unusedSuppressionFindings(unused: Suppression[]): Finding[] {
  return unused.map((s) => {
    const unusedRules = (s as Partial<UnusedSuppression>).unusedRules ?? s.rules;
    const finding: Finding = {
      ruleId: UNUSED_SUPPRESSION_RULE_ID,
      level: "warning",
      message: unusedMessage(s, unusedRules),
      location: { path: s.path, range: commentRange(s) },
      related: [],
    };
    const fix = removalFix(s, unusedRules);
    if (fix) finding.fix = fix;
    return finding;
  });
}

/**
 * `unused-suppression` findings for `ignore-findings` entries that hid no finding, at the entry in the
 * configuration file (`--report-unused-suppressions`). `reason` is the entry as `ignoringEntry`
 * describes it (`ignore-findings: rule:path:line`).
 */
export function unusedIgnoreEntryFindings(entries: ReadonlyArray<{ reason: string; location?: Location }>): Finding[] {
  const out: Finding[] = [];
  for (const e of entries) {
    if (!e.location) continue;
    const entry = e.reason.replace(/^ignore-findings: /, "");
    out.push({
      ruleId: UNUSED_SUPPRESSION_RULE_ID,
      level: "warning",
      message: `Unused ignore-findings entry "${entry}": it hides no finding.`,
      location: e.location,
      related: [],
    });
  }
  return out;
}

function commentRange(s: Suppression): Range {
  return {
    start: { line: s.range.line, column: s.range.column, offset: s.range.offset },
    end: { line: s.range.line, column: s.range.endColumn, offset: s.range.endOffset },
  };
}

function unusedMessage(s: Suppression, unusedRules: string[]): string {
  if (s.rules.length === 0) {
    return 'Suppression comment names no rule: write "# credflow: ignore[rule-id] reason".';
  }
  const ids = unusedRules.join(", ");
  const where =
    s.appliesTo.length === 0
      ? "it is not directly above a line"
      : `no such finding on line ${s.appliesTo[0]}${s.appliesTo.length > 1 ? ` (or in the block scalar below it)` : ""}`;
  const unknown = unusedRules.filter((r) => !isKnownRuleId(r));
  const unknownNote =
    unknown.length > 0
      ? ` ${unknown.map((r) => `"${r}"${suggestion(r, KNOWN_RULE_IDS)}`).join(", ")} ${unknown.length > 1 ? "are not known rule ids" : "is not a known rule id"}.`
      : "";
  return `Unused suppression of ${ids}: ${where}.${unknownNote}`;
}

function removalFix(s: Suppression, unusedRules: string[]): Finding["fix"] | undefined {
  const remaining = s.rules.filter((r) => !unusedRules.includes(r));
  let edit: TextEdit;
  if (remaining.length === 0) {
    edit = { path: s.path, start: s.removal.start, end: s.removal.end, text: "" };
  } else if (s.list) {
    edit = { path: s.path, start: s.list.start, end: s.list.end, text: remaining.join(", ") };
  } else {
    return undefined;
  }
  return {
    description: remaining.length === 0 ? "Remove the suppression comment" : `Remove ${unusedRules.join(", ")} from the suppression`,
    safe: true,
    edits: [edit],
  };
}
