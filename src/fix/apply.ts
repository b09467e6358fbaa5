/**
 * Applying text edits. Every edit addresses the ORIGINAL text by string offsets, so a pass applies
 * a set of mutually compatible edits at once; edits that conflict with an earlier one are handed
 * back ("deferred") for a later pass, after the caller has re-parsed and re-run the rules.
 */
import type { Fix, TextEdit } from "../rules/types.js";

export interface ApplyEditsResult {
  text: string;
  /** Edits that were applied, in application (offset) order; identical duplicates appear once. */
  applied: TextEdit[];
  /** Edits that overlap an applied edit; retry them on the new text in a later pass. */
  deferred: TextEdit[];
}

export interface ApplyFixesResult {
  text: string;
  applied: Fix[];
  deferred: Fix[];
}

export interface ApplyFixesToFilesResult {
  /** New text of every file a fix changed (files no applied fix touched are absent). */
  texts: Map<string, string>;
  applied: Fix[];
  deferred: Fix[];
  /** Fixes that edit a file missing from the input: they can never apply in this run. */
  skipped: Fix[];
}

function sameEdit(a: TextEdit, b: TextEdit): boolean {
  return a.start === b.start && a.end === b.end && a.text === b.text;
}

/**
 * Whether two edits cannot both apply. Touching edits are compatible: an insertion at the start or
 * end of a replacement lands just before or after it, and insertions at one offset stack up.
 */
export function editsConflict(a: TextEdit, b: TextEdit): boolean {
  if (sameEdit(a, b)) return false;
  return a.start < b.end && b.start < a.end;
}

function checkBounds(text: string, edit: TextEdit): void {
  const { start, end } = edit;
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start || end > text.length) {
    // A rule produced an impossible edit: that is a bug, so fail loudly instead of corrupting the file.
    throw new RangeError(
      `invalid edit [${start}, ${end}) for ${edit.path} (text length ${text.length})`,
    );
  }
}

/**
 * Offset order; at one offset, insertions come before a replacement starting there (the
 * insertion text belongs before the replaced span); otherwise the input order is kept.
 */
function sortEdits(edits: readonly TextEdit[]): TextEdit[] {
  return edits
    .map((edit, index) => ({ edit, index }))
    .sort(
      (x, y) =>
        x.edit.start - y.edit.start ||
        Number(x.edit.end !== x.edit.start) - Number(y.edit.end !== y.edit.start) ||
        x.edit.end - y.edit.end ||
        x.index - y.index,
    )
    .map((x) => x.edit);
}

/** Splices already compatible, sorted edits into `text`. */
function splice(text: string, sorted: readonly TextEdit[]): string {
  const parts: string[] = [];
  let pos = 0;
  for (const edit of sorted) {
    parts.push(text.slice(pos, edit.start), edit.text);
    pos = edit.end;
  }
  parts.push(text.slice(pos));
  return parts.join("");
}

/**
 * Applies every edit that does not overlap an earlier one (in offset order) in one pass.
 * Identical edits collapse to one. Throws a RangeError for an edit outside the text.
 */
export function applyEdits(text: string, edits: readonly TextEdit[]): ApplyEditsResult {
  for (const edit of edits) checkBounds(text, edit);
  const seen = new Set<string>();
  const unique = edits.filter((e) => {
    const key = JSON.stringify([e.start, e.end, e.text]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const applied: TextEdit[] = [];
  const deferred: TextEdit[] = [];
  let lastEnd = 0;
  for (const edit of sortEdits(unique)) {
    if (edit.start < lastEnd) {
      deferred.push(edit);
      continue;
    }
    applied.push(edit);
    lastEnd = edit.end;
  }
  return { text: splice(text, applied), applied, deferred };
}

/** Throws when a fix's own edits overlap each other: such a fix can never apply. */
function checkFixConsistent(fix: Fix): void {
  for (let i = 0; i < fix.edits.length; i++) {
    for (let j = i + 1; j < fix.edits.length; j++) {
      const a = fix.edits[i]!;
      const b = fix.edits[j]!;
      if (a.path === b.path && editsConflict(a, b)) {
        throw new RangeError(`fix "${fix.description}" has overlapping edits in ${a.path}`);
      }
    }
  }
}

/** Path, then offset order of edits (code-unit string order: independent of the locale). */
function compareEdits(a: TextEdit, b: TextEdit): number {
  return (a.path < b.path ? -1 : a.path > b.path ? 1 : 0) || a.start - b.start || a.end - b.end;
}

/**
 * Fix order for "first one wins": by each fix's earliest edit in path and offset order (as
 * `applyEdits` orders single edits), then input order. Fixes without edits go last.
 */
function sortFixes(fixes: readonly Fix[]): Fix[] {
  return fixes
    .map((fix, index) => ({ fix, index, first: [...fix.edits].sort(compareEdits)[0] }))
    .sort((x, y) => {
      if (!x.first || !y.first) return Number(!x.first) - Number(!y.first) || x.index - y.index;
      return compareEdits(x.first, y.first) || x.index - y.index;
    })
    .map((x) => x.fix);
}

/**
 * Applies whole fixes to several files: all edits of one fix apply together (across files) or not
 * at all. A fix conflicting with an already accepted one is deferred.
 */
export function applyFixesToFiles(
  texts: ReadonlyMap<string, string>,
  fixes: readonly Fix[],
): ApplyFixesToFilesResult {
  const accepted = new Map<string, TextEdit[]>();
  const applied: Fix[] = [];
  const deferred: Fix[] = [];
  const skipped: Fix[] = [];
  for (const fix of sortFixes(fixes)) {
    if (fix.edits.some((e) => !texts.has(e.path))) {
      skipped.push(fix);
      continue;
    }
    for (const edit of fix.edits) checkBounds(texts.get(edit.path)!, edit);
    checkFixConsistent(fix);
    const conflicts = fix.edits.some((edit) => (accepted.get(edit.path) ?? []).some((a) => editsConflict(a, edit)));
    if (conflicts) {
      deferred.push(fix);
      continue;
    }
    for (const edit of fix.edits) {
      const list = accepted.get(edit.path) ?? [];
      list.push(edit);
      accepted.set(edit.path, list);
    }
    applied.push(fix);
  }
  const out = new Map<string, string>();
  for (const [path, edits] of accepted) {
    const result = applyEdits(texts.get(path)!, edits);
    // Accepted edits are pairwise compatible, so nothing can be deferred here.
    if (result.deferred.length > 0) throw new Error(`internal: compatible edits deferred in ${path}`);
    out.set(path, result.text);
  }
  return { texts: out, applied, deferred, skipped };
}

/**
 * Applies whole fixes to one text; every edit of every fix is taken to address `text` (whatever
 * its `path`). For fixes spanning several files use `applyFixesToFiles`.
 */
export function applyFixes(text: string, fixes: readonly Fix[]): ApplyFixesResult {
  const key = "\0text";
  // Re-home the edits onto one key so multi-path fixes are treated as edits of this one text.
  const rehomed = fixes.map((fix) => ({ ...fix, edits: fix.edits.map((e) => ({ ...e, path: key })) }));
  const original = new Map(rehomed.map((r, i) => [r, fixes[i]!] as const));
  const result = applyFixesToFiles(new Map([[key, text]]), rehomed);
  return {
    text: result.texts.get(key) ?? text,
    applied: result.applied.map((f) => original.get(f)!),
    deferred: result.deferred.map((f) => original.get(f)!),
  };
}
