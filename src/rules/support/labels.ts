/** How messages name a step: one wording for every rule. */
import type { SourceFile } from "../../model/types.js";
import type { TimelineStep } from "../../graph/types.js";

/**
 * A short human name for a step: its `name:` (or `id:`), else its `uses:`, else the first line of
 * `run:`, else its position; with `from`, a step in another file also gets `path:line`.
 */
export function stepLabel(ts: TimelineStep, opts: { from?: SourceFile } = {}): string {
  const name = (ts.step.name?.value ?? ts.step.id?.value)?.trim();
  let label: string;
  if (name) label = `\`${name}\``;
  else if (ts.step.uses) label = `\`uses: ${ts.step.uses.node.value}\``;
  else {
    const first = (ts.run ?? "").trim().split(/\r?\n/)[0] ?? "";
    label = first ? `\`run: ${first.length > 40 ? `${first.slice(0, 40)}…` : first}\`` : `step ${ts.step.index + 1}`;
  }
  return opts.from && opts.from.path !== ts.file.path ? `${label} (${ts.file.path}:${ts.step.range.start.line})` : label;
}

/** "line 12" in the same file, else "path:12". */
export function where(from: string, path: string, line: number): string {
  return from === path ? `line ${line}` : `${path}:${line}`;
}
