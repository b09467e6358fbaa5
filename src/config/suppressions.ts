/**
 * Inline suppressions: `# credflow: ignore[rule-id, other-id] reason`.
 *
 * A suppression written as a trailing comment covers its own line; one on a line of its own covers
 * the next line that is not a comment (several comment lines may stack above a line). When the
 * covered line starts a block scalar (`run: |`), the scalar's lines are covered too, since they
 * cannot hold comments of their own.
 *
 * Comments are found by a line scanner, not the YAML parser: a `#` counts when it starts the line
 * or follows whitespace, outside quoted scalars (also multi-line ones) and outside block scalars,
 * whose extent is judged from indentation as YAML does. Limitations: tabs are not counted as
 * indentation, and a plain multi-line scalar continued by a line that is only `|` or `>` would be
 * taken for a block scalar header.
 */
import type { Range, SourceFile } from "../model/types.js";
import type { Finding, RuleMeta, TextEdit } from "../rules/types.js";
import { isKnownRuleId } from "./schema.js";

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

export const UNUSED_SUPPRESSION_RULE_ID = "unused-suppression";

/** Metadata for the findings `unusedSuppressionFindings` produces. */
export const unusedSuppressionMeta: RuleMeta = {
  id: UNUSED_SUPPRESSION_RULE_ID,
  title: "Unused suppression comment",
  description: "A `# credflow: ignore[…]` comment names a rule that reported nothing on the line it covers.",
  defaultLevel: "warning",
  tags: ["maintainability"],
  precision: "very-high",
  fixable: "safe",
};

// ---------------------------------------------------------------------------------------------
// Scanning

interface ScannedLine {
  /** 1-based line number. */
  number: number;
  /** Offset of the line's first character (after a BOM on line 1). */
  start: number;
  /** Offset just after the line break (or the end of the text). */
  next: number;
  text: string;
  /** Index in `text` of a real comment's `#`, or -1. */
  comment: number;
  /** Nothing but blanks before the comment (or no content at all). */
  commentOnly: boolean;
  blank: boolean;
  /** A line inside a block scalar's content. */
  inBlock: boolean;
  /** The line ends with a block scalar header (`|`, `>-`, …): the content lines that follow. */
  blockLines: number[];
}

const DIRECTIVE = /^#\s*credflow:\s*ignore(?![\w-])(?:\s*\[([^\]]*)\])?(.*)$/;

function isBlank(c: string | undefined): boolean {
  return c === " " || c === "\t";
}

function isBlankOrEnd(c: string | undefined): boolean {
  return c === undefined || c === " " || c === "\t";
}

/** Index just after the closing quote, or -1 when the quote does not close on this line. */
function scanQuoted(text: string, from: number, quote: string): number {
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (quote === '"' && c === "\\") {
      i++;
    } else if (c === quote) {
      if (quote === "'" && text[i + 1] === "'") i++;
      else return i + 1;
    }
  }
  return -1;
}

function splitLines(text: string): Array<{ start: number; next: number; text: string }> {
  const lines: Array<{ start: number; next: number; text: string }> = [];
  let start = text.startsWith("\uFEFF") ? 1 : 0;
  const re = /\r\n|\n|\r/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    lines.push({ start, next: m.index + m[0].length, text: text.slice(start, m.index) });
    start = m.index + m[0].length;
  }
  if (start < text.length || lines.length === 0) lines.push({ start, next: text.length, text: text.slice(start) });
  return lines;
}

function indentOf(text: string): number {
  let i = 0;
  while (text[i] === " ") i++;
  return i;
}

function scanLines(text: string): ScannedLine[] {
  const raw = splitLines(text);
  const out: ScannedLine[] = [];
  let quote: string | null = null;
  let flowDepth = 0;
  let block: { parent: number; explicit?: number; content?: number; header: ScannedLine } | null = null;

  raw.forEach((r, idx) => {
    const line: ScannedLine = {
      number: idx + 1,
      start: r.start,
      next: r.next,
      text: r.text,
      comment: -1,
      commentOnly: true,
      blank: /^[ \t]*$/.test(r.text),
      inBlock: false,
      blockLines: [],
    };
    out.push(line);

    if (block) {
      if (line.blank) {
        line.inBlock = true;
        block.header.blockLines.push(line.number);
        return;
      }
      const indent = indentOf(r.text);
      if (block.content === undefined) {
        if (block.explicit !== undefined) block.content = Math.max(block.parent, 0) + block.explicit;
        else if (indent > block.parent) block.content = indent;
      }
      if (block.content !== undefined && indent >= block.content) {
        line.inBlock = true;
        block.header.blockLines.push(line.number);
        return;
      }
      block = null;
    }

    const t = r.text;
    let i = 0;
    let atValueStart = true;
    let tokenStart = -1;
    // Indentation of the node whose value starts here (for a block scalar header).
    let parentCol = -1;
    if (quote !== null) {
      const end = scanQuoted(t, 0, quote);
      line.commentOnly = false;
      if (end === -1) {
        line.blank = false;
        return;
      }
      quote = null;
      atValueStart = false;
      i = end;
    }
    for (; i < t.length; i++) {
      const c = t[i] as string;
      if (isBlank(c)) continue;
      if (c === "#" && (i === 0 || isBlank(t[i - 1]))) {
        line.comment = i;
        break;
      }
      line.commentOnly = false;
      if (atValueStart) {
        if (c === '"' || c === "'") {
          tokenStart = i;
          const end = scanQuoted(t, i + 1, c);
          if (end === -1) {
            quote = c;
            break;
          }
          i = end - 1;
          atValueStart = false;
          continue;
        }
        if (c === "&" || c === "!") {
          // An anchor or a tag before the value: the value still starts after it.
          while (i + 1 < t.length && !isBlank(t[i + 1])) i++;
          continue;
        }
        if ((c === "-" || c === "?") && isBlankOrEnd(t[i + 1]) && flowDepth === 0) {
          parentCol = i;
          continue;
        }
        if ((c === "|" || c === ">") && flowDepth === 0) {
          const m = /^[|>]([1-9][+-]?|[+-][1-9]?)?(?=[ \t]|$)/.exec(t.slice(i));
          const rest = m ? t.slice(i + m[0].length) : "";
          const restComment = /^[ \t]*(#.*)?$/.exec(rest);
          if (m && restComment) {
            const digit = /[1-9]/.exec(m[1] ?? "");
            block = { parent: parentCol, header: line, ...(digit ? { explicit: Number(digit[0]) } : {}) };
            if (restComment[1] !== undefined) line.comment = i + m[0].length + rest.indexOf("#");
            break;
          }
        }
        if (c === "[" || c === "{") {
          flowDepth++;
          continue;
        }
        if ((c === "]" || c === "}") && flowDepth > 0) {
          flowDepth--;
          atValueStart = false;
          continue;
        }
        if (c === "," && flowDepth > 0) continue;
        tokenStart = i;
        atValueStart = false;
      }
      if (c === ":" && (isBlankOrEnd(t[i + 1]) || (flowDepth > 0 && ",]}".includes(t[i + 1] as string)))) {
        parentCol = tokenStart;
        atValueStart = true;
        continue;
      }
      if (flowDepth > 0) {
        if (c === ",") atValueStart = true;
        else if (c === "]" || c === "}") flowDepth--;
      }
    }
  });
  return out;
}

/** Finds every `# credflow: ignore[…]` comment in a file. */
export function parseSuppressions(file: SourceFile): Suppression[] {
  // Most files have no directive: skip the line scanner for them.
  if (!/credflow\s*:/i.test(file.text)) return [];
  const lines = scanLines(file.text);
  const result: Suppression[] = [];
  for (let idx = 0; idx < lines.length; idx++) {
    const line = lines[idx] as ScannedLine;
    if (line.comment < 0) continue;
    const commentText = line.text.slice(line.comment).replace(/\s+$/, "");
    const m = DIRECTIVE.exec(commentText);
    if (!m) continue;

    let appliesTo: number[];
    if (!line.commentOnly) {
      appliesTo = [line.number, ...line.blockLines];
    } else {
      let j = idx + 1;
      while (j < lines.length && (lines[j] as ScannedLine).commentOnly && (lines[j] as ScannedLine).comment >= 0) j++;
      const target = lines[j];
      appliesTo = target && !target.blank && !target.inBlock ? [target.number, ...target.blockLines] : [];
    }

    const rules = [...new Set((m[1] ?? "").split(/[\s,]+/).filter((s) => s.length > 0))];
    const offset = line.start + line.comment;
    const endOffset = offset + commentText.length;
    let removal: { start: number; end: number };
    if (line.commentOnly) {
      removal = { start: line.start, end: line.next };
    } else {
      let s = line.comment;
      while (s > 0 && isBlank(line.text[s - 1])) s--;
      removal = { start: line.start + s, end: endOffset };
    }
    const suppression: Suppression = {
      path: file.path,
      line: line.number,
      appliesTo,
      rules,
      reason: (m[2] ?? "").trim(),
      range: {
        line: line.number,
        column: line.comment + 1,
        endColumn: line.comment + 1 + commentText.length,
        offset,
        endOffset,
      },
      ownLine: line.commentOnly,
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

/** `unused-suppression` findings (level warning) on the comments, with a fix that removes what is unused. */
export function unusedSuppressionFindings(unused: Suppression[]): Finding[] {
  return unused.map((s) => {
    const unusedRules = (s as Partial<UnusedSuppression>).unusedRules ?? s.rules;
    const range: Range = {
      start: { line: s.range.line, column: s.range.column, offset: s.range.offset },
      end: { line: s.range.line, column: s.range.endColumn, offset: s.range.endOffset },
    };
    const finding: Finding = {
      ruleId: UNUSED_SUPPRESSION_RULE_ID,
      level: "warning",
      message: unusedMessage(s, unusedRules),
      location: { path: s.path, range },
      related: [],
    };
    const fix = removalFix(s, unusedRules);
    if (fix) finding.fix = fix;
    return finding;
  });
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
    unknown.length > 0 ? ` ${unknown.map((r) => `"${r}"`).join(", ")} ${unknown.length > 1 ? "are not known rule ids" : "is not a known rule id"}.` : "";
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
