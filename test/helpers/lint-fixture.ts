/** Runs the engine in-process over a fixture repository, the way the CLI does (without config files). */
import * as path from "node:path";
import { lint, type LintResult } from "../../src/engine/lint.js";
import { offlinePins } from "../../src/knowledge/pins.js";
import type { Settings } from "../../src/rules/types.js";

export const FIXTURES = path.resolve(__dirname, "..", "fixtures");
export { SHARED } from "./shared.js";

/** Repository facts, and rule options by rule id (`rules.<id>.<option>` in `.credflow.yml`). */
export type LintSetup = Partial<Settings> & { options?: Record<string, Record<string, unknown>> };

export async function lintDir(dir: string, setup: LintSetup = {}, paths: string[] = ["."]): Promise<LintResult> {
  const { options, ...settings } = setup;
  return lint({
    paths,
    cwd: dir,
    settings: { visibility: "unknown", ...settings },
    pins: offlinePins(),
    ruleOptions: (id) => options?.[id] ?? {},
  });
}

export interface Expectation {
  path: string;
  line: number;
  level?: string;
}

/** Findings of one rule as comparable {path, line, level} rows, sorted. */
export function rows(result: LintResult, ruleId: string): Expectation[] {
  return result.findings
    .filter((f) => f.ruleId === ruleId)
    .map((f) => ({ path: f.location.path, line: f.location.range.start.line, level: f.level }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.line - b.line));
}
