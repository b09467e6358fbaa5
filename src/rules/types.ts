/** What a rule is and what it returns. Rules never read files, print, or decide exit codes. */
import type { Range, SourceFile } from "../model/types.js";
import type { ProjectGraph } from "../graph/types.js";
import type { PinResolver } from "../knowledge/pins.js";

export type Level = "error" | "warning" | "note";

export const LEVEL_RANK: Record<Level, number> = { note: 1, warning: 2, error: 3 };

export interface Location {
  /** Display path (relative to the current directory, `/` separators). */
  path: string;
  range: Range;
}

export interface RelatedLocation extends Location {
  message: string;
}

/** A replacement of `[start, end)` (string offsets into the file's text) by `text`. */
export interface TextEdit {
  path: string;
  start: number;
  end: number;
  text: string;
}

export interface Fix {
  description: string;
  /** Safe: the same code runs afterwards. Unsafe: behaviour may change. */
  safe: boolean;
  edits: TextEdit[];
}

export interface Finding {
  ruleId: string;
  level: Level;
  message: string;
  location: Location;
  related: RelatedLocation[];
  fix?: Fix;
  /** Set when a fix could have been offered but was not (e.g. a ref missing from the pin table). */
  fixNote?: string;
}

export type Visibility = "public" | "private" | "internal" | "unknown";
export type PinPolicy = "sha" | "sha-all" | "tag" | "off";

/** Settings that rules read; filled from CLI flags and the configuration file. */
export interface Settings {
  visibility: Visibility;
  /** Lowest runner version the team runs (for composite-role-conflict), e.g. "2.290.0". */
  minRunnerVersion?: string;
  fanoutThreshold: number;
  pinPolicy: PinPolicy;
}

export interface RuleContext {
  graph: ProjectGraph;
  settings: Settings;
  pins: PinResolver;
  /** Options from the configuration file for this rule (`rules.<id>.<option>`). */
  options: Record<string, unknown>;
  /** File lookup by display path, for rules that compute edits. */
  file(path: string): SourceFile | undefined;
}

export interface RuleMeta {
  id: string;
  title: string;
  /** One sentence: what the rule finds. */
  description: string;
  defaultLevel: Level;
  tags: string[];
  /** "0.0"–"10.0" for security rules; makes SARIF results security alerts. */
  securitySeverity?: string;
  precision: "very-high" | "high" | "medium" | "low";
  /** Whether the rule may attach fixes. */
  fixable: boolean;
}

export interface Rule extends RuleMeta {
  check(ctx: RuleContext): Finding[];
}

/** A finding before the engine fills in level defaults. */
export type FindingInput = Omit<Finding, "ruleId" | "level" | "related"> &
  Partial<Pick<Finding, "level" | "related">>;
