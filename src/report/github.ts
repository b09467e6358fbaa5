/**
 * GitHub Actions output: workflow-command annotations (capped the way GitHub displays them) and a
 * Markdown table of every finding for `$GITHUB_STEP_SUMMARY`.
 */
import type { Finding, Level } from "../rules/types.js";
import {
  compareFindings,
  countFindings,
  lineIndexLookup,
  oneLine,
  reportPath,
  safeMultiline,
  summarize,
  TOOL_NAME,
  visibleControls,
} from "./common.js";
import type { ReportInput } from "./types.js";
import { asSentence, shortText } from "./present.js";
import { pickSuggestions } from "./suggestions.js";

export interface GithubOutput {
  /** Workflow commands for stdout, one per line. */
  annotations: string;
  /** Markdown to append to `$GITHUB_STEP_SUMMARY`. */
  summary: string;
}

/** GitHub shows at most this many annotations of each level per step, and this many per job. */
export const MAX_PER_LEVEL = 10;
export const MAX_TOTAL = 50;
/** The step summary is limited to 1 MiB; keep a margin for the trailing lines. */
const MAX_SUMMARY_BYTES = 1024 * 1024 - 4096;

const COMMAND: Record<Level, string> = { error: "error", warning: "warning", note: "notice" };
const RANK: Record<Level, number> = { error: 0, warning: 1, note: 2 };

/** Escapes a workflow-command message. */
export function escapeData(s: string): string {
  return visibleControls(s).replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

/** Escapes a workflow-command property value. */
export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

function bySeverity(a: Finding, b: Finding): number {
  return RANK[a.level] - RANK[b.level] || compareFindings(a, b);
}

/** Which findings become annotations, given the caps. */
function pick(sorted: Finding[], noteCap: number, totalCap: number): Finding[] {
  const caps: Record<Level, number> = { error: MAX_PER_LEVEL, warning: MAX_PER_LEVEL, note: noteCap };
  const used: Record<Level, number> = { error: 0, warning: 0, note: 0 };
  const out: Finding[] = [];
  for (const f of sorted) {
    if (out.length >= totalCap) break;
    if (used[f.level] >= caps[f.level]) continue;
    used[f.level]++;
    out.push(f);
  }
  return out;
}

function annotation(f: Finding, cwd: string | undefined, offered: boolean): string {
  const { start, end } = f.location.range;
  const props = [`file=${escapeProperty(reportPath(f.location.path, cwd))}`, `line=${start.line}`, `endLine=${end.line}`];
  if (start.line === end.line) props.push(`col=${start.column}`, `endColumn=${end.column}`);
  props.push(`title=${escapeProperty(f.ruleId)}`);
  // What GitHub lists: the headline and the one-sentence why; only a safe fix is offered.
  let message = shortText(f);
  if (offered && f.fix) message += ` Fix (credflow --fix): ${asSentence(f.fix.description)}`;
  for (const r of f.related) {
    message += `\n${reportPath(r.path, cwd)}:${r.range.start.line}:${r.range.start.column}: ${r.message}`;
  }
  return `::${COMMAND[f.level]} ${props.join(",")}::${escapeData(message)}\n`;
}

/** A Markdown table cell: no line breaks, no cell separators, no raw HTML. */
function cell(s: string): string {
  return safeMultiline(s)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/\|/g, "\\|")
    .replace(/\n/g, "<br>");
}

export function formatGithub(input: ReportInput): GithubOutput {
  const sorted = [...input.findings].sort(bySeverity);
  let shown = pick(sorted, MAX_PER_LEVEL, MAX_TOTAL);
  if (shown.length < sorted.length) {
    // The closing notice takes a notice slot and a job slot itself, or it would be hidden too.
    shown = pick(sorted, MAX_PER_LEVEL - 1, MAX_TOTAL - 1);
  }
  const omitted = sorted.length - shown.length;
  // The fixes offered are the ones reviewdog would get as suggestions: safe, one per line.
  const offers = pickSuggestions(input.findings, lineIndexLookup(input));
  let annotations = shown.map((f) => annotation(f, input.cwd, offers.has(f))).join("");
  if (omitted > 0) {
    const what = omitted === 1 ? "1 more finding is" : `${omitted} more findings are`;
    annotations += `::notice title=${TOOL_NAME}::${escapeData(
      `${what} not shown as annotations (GitHub shows at most ${MAX_PER_LEVEL} per level and ${MAX_TOTAL} per job); see the job summary for all ${sorted.length}.`,
    )}\n`;
  }

  const head = [`## ${TOOL_NAME}`, "", summarize(countFindings(sorted), input.suppressed?.length ?? 0), ""];
  if (sorted.length === 0) return { annotations, summary: head.join("\n") };

  const levelWord: Record<Level, string> = { error: "Error", warning: "Warning", note: "Note" };
  head.push("| Severity | File:line | Rule | Message |", "| --- | --- | --- | --- |");
  const rows: string[] = [];
  let bytes = Buffer.byteLength(head.join("\n"));
  let cut = 0;
  for (const f of sorted) {
    const row = `| ${levelWord[f.level]} | ${cell(`${reportPath(f.location.path, input.cwd)}:${f.location.range.start.line}`)} | \`${cell(oneLine(f.ruleId))}\` | ${cell(f.message)} |`;
    bytes += Buffer.byteLength(row) + 1;
    if (bytes > MAX_SUMMARY_BYTES) {
      cut = sorted.length - rows.length;
      break;
    }
    rows.push(row);
  }
  const tail: string[] = [""];
  if (cut > 0) tail.push(`${cut} more ${cut === 1 ? "finding" : "findings"} left out: the step summary is limited to 1 MiB.`, "");
  if (omitted > 0) {
    tail.push(`${omitted} of ${sorted.length} findings were not shown as annotations (GitHub caps them per level and per job).`, "");
  }
  return { annotations, summary: [...head, ...rows, ...tail].join("\n") };
}
