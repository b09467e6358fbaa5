/**
 * Human output, one gcc-style line per finding so editors and problem matchers can read it:
 * `path:line:col: level: message [rule-id]`, related locations indented below, then a summary.
 */
import type { Finding } from "../rules/types.js";
import { countFindings, oneLine, reportPath, sortFindings, summarize } from "./common.js";
import type { ReportInput } from "./types.js";

export interface TextOptions {
  color: boolean;
}

/** What a VS Code problem matcher for credflow uses; every primary line (without colour) matches it. */
export const PROBLEM_MATCHER_REGEXP = /^(.+?):(\d+):(\d+): (error|warning|note): (.*) \[([a-z0-9-]+)\]$/;

const ANSI = {
  bold: "\x1b[1m",
  dim: "\x1b[2m",
  red: "\x1b[31m",
  yellow: "\x1b[33m",
  cyan: "\x1b[36m",
  reset: "\x1b[0m",
} as const;

const LEVEL_COLOR = { error: ANSI.red, warning: ANSI.yellow, note: ANSI.cyan } as const;

function fixHint(f: Finding): string {
  if (!f.fix) return "";
  return f.fix.safe ? " (fixable)" : " (fixable with --unsafe-fixes)";
}

export function formatText(input: ReportInput, opts: TextOptions): string {
  const paint = (code: string, s: string): string => (opts.color ? `${code}${s}${ANSI.reset}` : s);
  const lines: string[] = [];
  const findings = sortFindings(input.findings);
  for (const f of findings) {
    const { start } = f.location.range;
    const where = `${oneLine(reportPath(f.location.path, input.cwd))}:${start.line}:${start.column}:`;
    lines.push(
      `${paint(ANSI.bold, where)} ${paint(LEVEL_COLOR[f.level], `${f.level}:`)} ${oneLine(f.message)}${fixHint(f)} ${paint(ANSI.dim, `[${f.ruleId}]`)}`,
    );
    for (const r of f.related) {
      let message = oneLine(r.message);
      // The indent already keeps a matcher anchored at column 0 from taking this for a finding
      // of its own; a message ending like "[rule-id]" would still fit a looser one, so mark it.
      if (/ \[[a-z0-9-]+\]$/.test(message)) message += " (related)";
      const rs = r.range.start;
      lines.push(`    ${oneLine(reportPath(r.path, input.cwd))}:${rs.line}:${rs.column}: ${paint(ANSI.cyan, "note:")} ${message}`);
    }
    if (f.fixNote) lines.push(`    ${paint(ANSI.dim, `no fix: ${oneLine(f.fixNote)}`)}`);
  }
  const summary = summarize(countFindings(findings), input.suppressed?.length ?? 0);
  if (lines.length > 0) lines.push("");
  lines.push(paint(ANSI.bold, summary));
  return `${lines.join("\n")}\n`;
}
