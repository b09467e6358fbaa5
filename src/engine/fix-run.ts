/**
 * Autofix: lint, apply the fixes that do not overlap, re-parse and re-lint the edited text, repeat
 * for fixes that overlapped, then write atomically (or print a diff). A fix whose result no longer
 * parses is dropped.
 */
import { parseDocument } from "yaml";
import type { Finding, Fix } from "../rules/types.js";
import type { SourceFile } from "../model/types.js";
import { lint, type LintRequest, type LintResult } from "./lint.js";
import { applyFixes } from "../fix/apply.js";
import { unifiedDiff } from "../fix/diff.js";
import { writeFileAtomic } from "../fix/write.js";

const MAX_PASSES = 5;

export interface FixOptions {
  write: boolean;
  unsafe: boolean;
}

export interface FixRun {
  result: LintResult;
  diff: string;
  messages: string[];
  /** Display paths of files written. */
  written: string[];
  /**
   * Fixes applied, by display path: written to disk with `write`, else what the diff shows. A file
   * whose write was refused is not counted.
   */
  fixed: Map<string, number>;
}

function syntaxErrors(text: string): number {
  return parseDocument(text, { uniqueKeys: false }).errors.length;
}

export async function runFixes(request: LintRequest, opts: FixOptions): Promise<FixRun> {
  const overrides = new Map<string, Uint8Array>();
  const originals = new Map<string, SourceFile>();
  const messages: string[] = [];
  const rejected = new Set<string>();
  const fixed = new Map<string, number>();
  const encoder = new TextEncoder();
  let result = await lint({ ...request, overrides });

  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const byFile = new Map<string, { file: SourceFile; fixes: Fix[] }>();
    for (const f of result.findings) {
      const fix = usableFix(f, opts.unsafe);
      if (!fix || rejected.has(fixKey(fix))) continue;
      const file = result.files.find((x) => x.path === fix.edits[0]!.path);
      if (!file?.absPath) continue;
      const slot = byFile.get(file.path) ?? { file, fixes: [] };
      slot.fixes.push(fix);
      byFile.set(file.path, slot);
    }
    let changed = false;
    for (const { file, fixes } of byFile.values()) {
      const before = syntaxErrors(file.text);
      let text = file.text;
      let applied = 0;
      // Apply together; if the result breaks the YAML, retry one fix at a time to find the culprit.
      // Fixes that overlap an applied one wait for the next pass, on the re-linted text.
      const together = tryApply(text, fixes);
      if (together && syntaxErrors(together.text) <= before) {
        text = together.text;
        applied = together.applied;
      } else {
        for (const fix of fixes) {
          const one = tryApply(text, [fix]);
          if (one === undefined) {
            rejected.add(fixKey(fix));
            messages.push(`${file.path}: dropped fix "${fix.description}": its edits do not fit the file`);
          } else if (syntaxErrors(one.text) > before) {
            rejected.add(fixKey(fix));
            messages.push(`${file.path}: dropped fix "${fix.description}": the result would not parse`);
          } else {
            text = one.text;
            applied += one.applied;
          }
        }
      }
      if (text === file.text) continue;
      fixed.set(file.path, (fixed.get(file.path) ?? 0) + applied);
      if (!originals.has(file.absPath!)) originals.set(file.absPath!, file);
      overrides.set(file.absPath!, encoder.encode(text));
      changed = true;
    }
    if (!changed) break;
    result = await lint({ ...request, overrides });
  }

  let diff = "";
  const written: string[] = [];
  const changedPaths = new Set<string>();
  let changed = 0;
  for (const [abs, original] of [...originals].sort((a, b) => (a[1].path < b[1].path ? -1 : 1))) {
    const after = result.files.find((f) => f.absPath === abs)?.text ?? new TextDecoder().decode(overrides.get(abs));
    if (after === original.text) continue;
    changedPaths.add(original.path);
    diff += unifiedDiff(original.path, original.text, after);
    changed++;
    if (opts.write) {
      const res = writeFileAtomic(abs, after, { expectedBytes: original.bytes, root: original.root });
      if (res.ok) written.push(original.path);
      else {
        messages.push(`${original.path}: not fixed: ${res.reason}`);
        overrides.delete(abs);
        fixed.delete(original.path);
      }
    }
  }
  // The last lint saw the edited text; it matches the disk unless a write was refused.
  if (opts.write && written.length < changed) result = await lint(request);
  // Only files that end up different count (a later pass could, in principle, undo an edit).
  for (const p of [...fixed.keys()]) if (!changedPaths.has(p) || fixed.get(p) === 0) fixed.delete(p);
  return { result, diff, messages, written, fixed };
}

/** Applies fixes (and says how many applied); undefined when a rule produced edits that overlap each other or leave the text. */
function tryApply(text: string, fixes: Fix[]): { text: string; applied: number } | undefined {
  try {
    const r = applyFixes(text, fixes);
    return { text: r.text, applied: r.applied.length };
  } catch {
    return undefined;
  }
}

function usableFix(f: Finding, unsafe: boolean): Fix | undefined {
  const fix = f.fix;
  if (!fix || fix.edits.length === 0) return undefined;
  if (!fix.safe && !unsafe) return undefined;
  // A fix is applied as a unit within one file.
  const p = fix.edits[0]!.path;
  return fix.edits.every((e) => e.path === p) ? fix : undefined;
}

function fixKey(fix: Fix): string {
  return fix.edits.map((e) => `${e.path}:${e.start}:${e.end}:${e.text}`).join("|");
}
