/**
 * SARIF 2.1.0 for GitHub code scanning (and reviewdog -f=sarif). upload-sarif validates the whole
 * log against the schema and rejects it on any error, so every optional block is built to it.
 */
import type { Finding, Fix, Location, RuleMeta } from "../rules/types.js";
import {
  compareEdits,
  compareFindings,
  INFORMATION_URI,
  reportPath,
  ruleHelpUri,
  ruleMap,
  stringifyJson,
  jsonArrayElements,
  TOOL_NAME,
  lineIndexLookup,
} from "./common.js";
import type { ReportInput } from "./types.js";
import type { LineIndex } from "./positions.js";
import { shortText } from "./present.js";

export const SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json";
const MAX_DESCRIPTION = 1024;
const MAX_TAGS = 10;

export interface SarifMessage {
  text: string;
  markdown?: string;
}

export interface SarifRegion {
  startLine?: number;
  startColumn?: number;
  endLine?: number;
  endColumn?: number;
  charOffset?: number;
  charLength?: number;
  /** The region's text (SARIF multitool's SARIF2010 asks for it). */
  snippet?: { text: string };
}

export interface SarifPhysicalLocation {
  artifactLocation: { uri: string };
  region: SarifRegion;
  /** The lines around the region, with their text (SARIF multitool's SARIF2011). */
  contextRegion?: SarifRegion;
}

export interface SarifLocation {
  id?: number;
  physicalLocation: SarifPhysicalLocation;
  message?: SarifMessage;
}

export interface SarifFix {
  description: SarifMessage;
  artifactChanges: Array<{
    artifactLocation: { uri: string };
    replacements: Array<{ deletedRegion: SarifRegion; insertedContent: { text: string } }>;
  }>;
}

export interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: "error" | "warning" | "note";
  message: SarifMessage;
  locations: SarifLocation[];
  relatedLocations?: SarifLocation[];
  fixes?: SarifFix[];
  suppressions?: Array<{ kind: "inSource"; justification: string }>;
}

export interface SarifRule {
  id: string;
  name: string;
  shortDescription: SarifMessage;
  fullDescription?: SarifMessage;
  help?: SarifMessage & { markdown: string };
  helpUri: string;
  defaultConfiguration?: { level: "error" | "warning" | "note" };
  properties?: { tags: string[]; precision: RuleMeta["precision"]; "security-severity"?: string };
}

export interface SarifLog {
  $schema: string;
  version: "2.1.0";
  runs: Array<{
    tool: {
      driver: {
        name: string;
        version: string;
        semanticVersion: string;
        informationUri: string;
        rules: SarifRule[];
      };
    };
    automationDetails: { id: string };
    columnKind: "utf16CodeUnits";
    results: SarifResult[];
  }>;
}

/** "unpinned-action" → "UnpinnedAction". */
export function pascalCase(id: string): string {
  return id
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join("");
}

function truncate(s: string, max: number): string {
  if (s.length <= max) return s;
  let cut = max - 1;
  // Do not split a surrogate pair.
  if (/[\uD800-\uDBFF]/.test(s[cut - 1] ?? "")) cut--;
  return `${s.slice(0, cut)}…`;
}

/** Relative, percent-encoded URI of a display path (no `./`). */
export function artifactUri(p: string, cwd?: string): string {
  return reportPath(p, cwd)
    .split("/")
    .map((seg) => encodeURIComponent(seg))
    .join("/");
}

/**
 * Plain-text SARIF messages treat `[text](n)` as a link to related location n, so literal
 * brackets (and a backslash before one) are escaped as the specification asks.
 */
function escapeMessage(s: string): string {
  return s.replace(/\\(?=[[\]])/g, "\\\\").replace(/[[\]]/g, (c) => `\\${c}`);
}

function region(loc: Location): SarifRegion {
  const { start, end } = loc.range;
  const startLine = Math.max(1, start.line);
  const startColumn = Math.max(1, start.column);
  const endLine = Math.max(startLine, end.line);
  // SARIF forbids an end before the start; a model glitch must not make the whole upload fail.
  const endColumn = endLine === startLine ? Math.max(startColumn, end.column) : Math.max(1, end.column);
  return { startLine, startColumn, endLine, endColumn };
}

function ruleDescriptor(id: string, meta: RuleMeta | undefined, input: ReportInput): SarifRule {
  if (!meta) return { id, name: pascalCase(id), shortDescription: { text: id }, helpUri: ruleHelpUri(id) };
  const doc = input.ruleDoc?.(id);
  const help = doc && doc.trim() !== "" ? doc : meta.description;
  const properties: NonNullable<SarifRule["properties"]> = {
    tags: meta.tags.slice(0, MAX_TAGS),
    precision: meta.precision,
  };
  if (meta.securitySeverity !== undefined) properties["security-severity"] = meta.securitySeverity;
  return {
    id,
    name: pascalCase(id),
    shortDescription: { text: meta.title },
    fullDescription: { text: truncate(meta.description, MAX_DESCRIPTION) },
    help: { text: help, markdown: help },
    helpUri: ruleHelpUri(id),
    defaultConfiguration: { level: meta.defaultLevel },
    properties,
  };
}

/** `category`: the code-scanning category; `automationDetails.id` is `<category>/` (default `credflow/`). */
export function buildSarif(input: ReportInput, opts: { category?: string } = {}): SarifLog {
  const { log, entries, result } = sarifParts(input, opts);
  log.runs[0]!.results = entries.map(result);
  return log;
}

type SarifEntry = { finding: Finding; justification?: string };

/** The log without its results, the findings in result order, and their conversion. */
function sarifParts(input: ReportInput, opts: { category?: string }): { log: SarifLog; entries: SarifEntry[]; result: (e: SarifEntry) => SarifResult } {
  const metas = ruleMap(input);
  const lineIndex = lineIndexLookup(input);

  const entries: Array<{ finding: Finding; justification?: string }> = [
    ...input.findings.map((finding) => ({ finding })),
    ...(input.suppressed ?? []).map((s) => ({ finding: s.finding, justification: s.reason })),
  ].sort((a, b) => compareFindings(a.finding, b.finding));

  const ruleIds = [...new Set(entries.map((e) => e.finding.ruleId))].sort();
  const ruleIndex = new Map(ruleIds.map((id, i) => [id, i]));
  const rules = ruleIds.map((id) => ruleDescriptor(id, metas.get(id), input));

  const physical = (loc: Location, withText = false): SarifPhysicalLocation => {
    const out: SarifPhysicalLocation = { artifactLocation: { uri: artifactUri(loc.path, input.cwd) }, region: region(loc) };
    const idx = withText ? lineIndex(loc.path) : undefined;
    if (idx) addSnippets(out, idx);
    return out;
  };

  const fix = (f: Fix): SarifFix => {
    const byFile = new Map<string, Fix["edits"]>();
    for (const e of [...f.edits].sort(compareEdits)) {
      const list = byFile.get(e.path) ?? [];
      list.push(e);
      byFile.set(e.path, list);
    }
    return {
      description: { text: f.safe ? f.description : `${f.description} (unsafe: behaviour may change)` },
      artifactChanges: [...byFile].map(([path, edits]) => {
        const idx = lineIndex(path);
        return {
          artifactLocation: { uri: artifactUri(path, input.cwd) },
          replacements: edits.map((e) => {
            let deletedRegion: SarifRegion;
            if (idx) {
              const s = idx.at(e.start);
              const t = idx.at(e.end);
              deletedRegion = { startLine: s.line, startColumn: s.column, endLine: t.line, endColumn: t.column };
            } else {
              deletedRegion = { charOffset: e.start, charLength: e.end - e.start };
            }
            return { deletedRegion, insertedContent: { text: e.text } };
          }),
        };
      }),
    };
  };

  const result = ({ finding: f, justification }: SarifEntry): SarifResult => {
    // What GitHub lists: the headline and the one-sentence why; the rule's help has the rest.
    let message = escapeMessage(shortText(f));
    if (f.related.length > 0) {
      message += ` Related: ${f.related.map((r, i) => `[${escapeMessage(r.message)}](${i + 1})`).join(", ")}.`;
    }
    const result: SarifResult = {
      ruleId: f.ruleId,
      ruleIndex: ruleIndex.get(f.ruleId)!,
      level: f.level,
      message: { text: message },
      locations: [{ physicalLocation: physical(f.location, true) }],
    };
    if (f.related.length > 0) {
      result.relatedLocations = f.related.map((r, i) => ({
        id: i + 1,
        physicalLocation: physical(r),
        message: { text: r.message },
      }));
    }
    if (f.fix && f.fix.edits.length > 0) result.fixes = [fix(f.fix)];
    if (justification !== undefined) result.suppressions = [{ kind: "inSource", justification }];
    return result;
  };

  const log: SarifLog = {
    $schema: SARIF_SCHEMA_URI,
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: TOOL_NAME,
            version: input.toolVersion,
            semanticVersion: input.toolVersion,
            informationUri: INFORMATION_URI,
            rules,
          },
        },
        automationDetails: { id: `${opts.category?.replace(/\/+$/, "") || TOOL_NAME}/` },
        columnKind: "utf16CodeUnits",
        results: [],
      },
    ],
  };
  return { log, entries, result };
}

/** Lines of context above and below a result's region in `contextRegion`. */
const CONTEXT_LINES = 2;

/** Text of lines `from`..`to` (1-based, inclusive) without the final line break. */
function linesText(idx: LineIndex, from: number, to: number): string {
  const start = idx.lineStart(from) ?? idx.text.length;
  const next = idx.lineStart(to + 1);
  return idx.text.slice(start, next === undefined ? idx.text.length : next - 1);
}

/**
 * `region.snippet` (the region's own text) and `contextRegion` (its lines with a few around them),
 * from the file's text; nothing when the region does not fit the text.
 */
function addSnippets(loc: SarifPhysicalLocation, idx: LineIndex): void {
  const r = loc.region;
  if (r.startLine === undefined || r.endLine === undefined) return;
  // The last "line" after a final line break is empty: it is no line to show.
  const lastLine = idx.lineCount - (idx.text.endsWith("\n") && idx.lineCount > 1 ? 1 : 0);
  if (r.startLine > lastLine) return;
  const offsetOf = (line: number, column: number): number | undefined => {
    const start = idx.lineStart(line);
    return start === undefined ? undefined : Math.min(start + column - 1, idx.text.length);
  };
  const from = offsetOf(r.startLine, r.startColumn ?? 1);
  const to = offsetOf(r.endLine, r.endColumn ?? 1);
  if (from === undefined || to === undefined || to < from) return;
  if (to > from) r.snippet = { text: idx.text.slice(from, to) };
  const startLine = Math.max(1, r.startLine - CONTEXT_LINES);
  const regionEnd = Math.min(idx.lineCount, Math.max(r.startLine, r.endLine));
  const endLine = Math.max(regionEnd, Math.min(lastLine, regionEnd + CONTEXT_LINES));
  loc.contextRegion = { startLine, endLine, snippet: { text: linesText(idx, startLine, endLine) } };
}

export function formatSarif(input: ReportInput, opts: { category?: string } = {}): string {
  return `${stringifyJson(buildSarif(input, opts), 2)}\n`;
}

/**
 * The SARIF log as chunks whose concatenation is `formatSarif`'s text, byte for byte: the results
 * (the bulk of a large run) are converted and written one at a time rather than held as one tree.
 */
export function* formatSarifChunks(input: ReportInput, opts: { category?: string } = {}): Generator<string> {
  const { log, entries, result } = sarifParts(input, opts);
  const frame = `${stringifyJson(log, 2)}\n`;
  // `results` is the run's last key; the run is the only element of `runs`.
  const marker = '"results": []';
  const at = frame.lastIndexOf(marker);
  yield frame.slice(0, at + marker.length - 2);
  if (entries.length === 0) yield "[]";
  else {
    yield "[\n";
    // Each result sits eight spaces deep in the log.
    yield* jsonArrayElements(entries, 8, result);
    yield "\n      ]";
  }
  yield frame.slice(at + marker.length);
}
