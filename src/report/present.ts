/**
 * The short parts of a finding as every human-facing format shows them: a headline (what is wrong,
 * about 100 characters at most), one sentence of why, one sentence of what to do, and whether
 * `--fix` can do it. Rules fill `headline`, `why`, `hint` and `label`; a finding without them falls
 * back on its message (the first sentence, cut at a word).
 */
import type { Finding } from "../rules/types.js";

/** A headline longer than this is cut at a word (with "…"). */
export const HEADLINE_MAX = 100;

/** Sentence ends: ". " followed by something that starts a sentence (not "e.g. x", "v2.295.0"). */
const SENTENCE_END = /([.!?])\s+(?=[A-Z`"'(\[*])/g;

/** The first sentence of `text` (without its final period) and what follows it. */
export function firstSentence(text: string): { first: string; rest: string } {
  const t = text.trim();
  SENTENCE_END.lastIndex = 0;
  for (let m = SENTENCE_END.exec(t); m; m = SENTENCE_END.exec(t)) {
    const before = t.slice(0, m.index);
    // "e.g." / "i.e." / "etc." / "vs." / "cf." end no sentence.
    if (/(?:\be\.g|\bi\.e|\betc|\bvs|\bcf)$/i.test(before)) continue;
    return { first: stripPeriod(t.slice(0, m.index + 1)), rest: t.slice(m.index + m[0].length).trim() };
  }
  return { first: stripPeriod(t), rest: "" };
}

function stripPeriod(s: string): string {
  return s.replace(/\s*\.$/, "").trim();
}

/** `s` cut at a word boundary to at most `max` characters, "…" marking the cut. */
export function cutAtWord(s: string, max: number): string {
  if (s.length <= max) return s;
  const room = s.slice(0, max - 1);
  const space = room.lastIndexOf(" ");
  let cut = space >= max / 2 ? room.slice(0, space) : room;
  // Do not end inside a surrogate pair, or after a dangling separator.
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut.replace(/[\s,;:(]+$/, "")}…`;
}

export interface Presented {
  /** What is wrong, one line, no final period. */
  headline: string;
  /** Why it breaks or leaks (one sentence), when known. */
  why?: string;
  /** What to do (one sentence), when known. */
  hint?: string;
  /**
   * The rest of the message when the rule gave no headline/why/hint of its own: shown as a note so
   * nothing the message says is lost.
   */
  details?: string;
}

/** One-line text: whitespace runs (line breaks included) become one space. */
function flat(s: string): string {
  return s.replace(/\s+/g, " ").trim();
}

const presented = new WeakMap<Finding, Presented>();

/** The short parts of a finding (computed once per finding object). */
export function present(f: Finding): Presented {
  let p = presented.get(f);
  if (!p) {
    p = computePresented(f);
    presented.set(f, p);
  }
  return p;
}

function computePresented(f: Finding): Presented {
  const own = f.headline !== undefined && f.headline.trim() !== "";
  let headline: string;
  let details: string | undefined;
  if (own) {
    headline = cutAtWord(stripPeriod(flat(f.headline!)), HEADLINE_MAX + 20);
  } else {
    // Only a finding without a headline of its own needs its message read.
    const message = flat(f.message);
    const { first, rest } = firstSentence(message);
    headline = cutAtWord(first, HEADLINE_MAX);
    // Nothing the message says may be lost when the rule gave no parts of its own: a cut headline
    // continues ("…") in the details.
    if (f.why === undefined && f.hint === undefined) {
      if (headline !== first) {
        const shown = headline.slice(0, -1);
        details = `…${message.slice(shown.length).replace(/^\s+/, " ").trimEnd()}`.replace(/^… /, "…");
      } else if (rest) details = rest;
    }
  }
  const out: Presented = { headline };
  if (f.why?.trim()) out.why = flat(f.why);
  if (f.hint?.trim()) out.hint = flat(f.hint);
  if (details) out.details = details;
  return out;
}

/** "why it matters" as a sentence: capital first letter, final punctuation. */
export function asSentence(s: string): string {
  const t = s.trim();
  if (t === "") return t;
  // A plain first word is capitalised; a name (`aws-actions/x@v4`, `id-token`) is left as written.
  const cap = /^[a-z]+(?![\w\-/@.:])/.test(t) ? t[0]!.toUpperCase() + t.slice(1) : t;
  return /[.!?:)]$/.test(cap) || /[.!?]["'`]$/.test(cap) ? cap : `${cap}.`;
}

/**
 * What GitHub lists for a finding (SARIF `message.text`, annotations): the headline and the
 * one-sentence why, each a sentence. Without a why, the message's second sentence when it is short.
 */
export function shortText(f: Finding): string {
  const p = present(f);
  const parts = [asSentence(p.headline)];
  if (p.why) parts.push(asSentence(p.why));
  else if (p.details && !p.details.startsWith("…")) {
    const next = firstSentence(p.details).first;
    if (next) parts.push(asSentence(cutAtWord(next, 2 * HEADLINE_MAX)));
  }
  return parts.join(" ");
}

/** The flag that applies a finding's fix: "--fix", "--unsafe-fixes" (with --fix), or nothing. */
export function fixFlag(f: Finding): string | undefined {
  if (!f.fix || f.fix.edits.length === 0) return undefined;
  return f.fix.safe ? "--fix" : "--unsafe-fixes";
}

export interface FixCounts {
  safe: number;
  unsafe: number;
}

export function countFixable(findings: readonly Finding[]): FixCounts {
  const c: FixCounts = { safe: 0, unsafe: 0 };
  for (const f of findings) {
    if (!f.fix || f.fix.edits.length === 0) continue;
    if (f.fix.safe) c.safe++;
    else c.unsafe++;
  }
  return c;
}

/** "3 fixable with --fix, 2 more with --unsafe-fixes"; undefined when nothing is fixable. */
export function fixableSummary(c: FixCounts): string | undefined {
  if (c.safe === 0 && c.unsafe === 0) return undefined;
  if (c.unsafe === 0) return `${c.safe} fixable with --fix`;
  if (c.safe === 0) return `${c.unsafe} fixable with --fix --unsafe-fixes`;
  return `${c.safe} fixable with --fix, ${c.unsafe} more with --unsafe-fixes`;
}
