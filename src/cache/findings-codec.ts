/**
 * Findings as the cache stores them: tuples whose strings are indices into one table. A real
 * repository repeats its messages (the dataset's 8,000 findings have 3.2 MB of messages, 0.3 MB of
 * them distinct), so the file is a third of the plain JSON's size and reading it costs a third.
 *
 * `pack` refuses (throws) a finding with a field it does not know, so a field added to `Finding`
 * later cannot be dropped silently: that result is then not stored. `unpack` checks every index and
 * number and returns undefined for anything malformed.
 */
import type { Finding, RelatedLocation } from "../rules/types.js";
import type { Range } from "../model/types.js";
import type { Fix, TextEdit } from "../edit/types.js";

export interface PackedFindings {
  strings: string[];
  findings: unknown[];
  /** [finding, reason] */
  suppressed: unknown[];
}

const FINDING_KEYS = new Set(["ruleId", "level", "message", "location", "related", "headline", "why", "hint", "label", "fix", "fixNote"]);
const OPTIONAL = ["headline", "why", "hint", "label"] as const;
const LEVELS = new Set(["error", "warning", "note"]);

class Strings {
  readonly list: string[] = [];
  private readonly index = new Map<string, number>();
  of(s: string): number {
    if (typeof s !== "string") throw new Error("the cache stores only text here");
    let i = this.index.get(s);
    if (i === undefined) {
      i = this.list.length;
      this.list.push(s);
      this.index.set(s, i);
    }
    return i;
  }
}

function known(o: object, keys: ReadonlySet<string>, what: string): void {
  // A for-in over own plain-object keys: Object.entries built two arrays per object (a third of pack's time).
  for (const k in o) {
    if (!keys.has(k) && (o as Record<string, unknown>)[k] !== undefined) throw new Error(`the cache does not know the ${what} field \`${k}\``);
  }
}

const LOCATION_KEYS = new Set(["path", "range"]);
const RELATED_KEYS = new Set(["path", "range", "message"]);
const FIX_KEYS = new Set(["description", "safe", "edits"]);
const EDIT_KEYS = new Set(["path", "start", "end", "text"]);
const RANGE_KEYS = new Set(["start", "end"]);
const POSITION_KEYS = new Set(["line", "column", "offset"]);

export function pack(findings: readonly Finding[], suppressed: ReadonlyArray<{ finding: Finding; reason: string }>): PackedFindings {
  const t = new Strings();
  const range = (r: Range): number[] => {
    known(r, RANGE_KEYS, "range");
    known(r.start, POSITION_KEYS, "position");
    known(r.end, POSITION_KEYS, "position");
    return [r.start.line, r.start.column, r.start.offset, r.end.line, r.end.column, r.end.offset];
  };
  const finding = (f: Finding): unknown[] => {
    known(f, FINDING_KEYS, "finding");
    known(f.location, LOCATION_KEYS, "location");
    const related = f.related.map((r) => {
      known(r, RELATED_KEYS, "related location");
      return [t.of(r.path), ...range(r.range), t.of(r.message)];
    });
    let fix: unknown = 0;
    if (f.fix) {
      if (typeof f.fix !== "object") throw new Error("the cache stores computed fixes only");
      known(f.fix, FIX_KEYS, "fix");
      fix = [
        t.of(f.fix.description),
        f.fix.safe ? 1 : 0,
        f.fix.edits.map((e) => {
          known(e, EDIT_KEYS, "edit");
          return [t.of(e.path), e.start, e.end, t.of(e.text)];
        }),
      ];
    }
    return [
      t.of(f.ruleId),
      t.of(f.level),
      t.of(f.message),
      t.of(f.location.path),
      ...range(f.location.range),
      related,
      ...OPTIONAL.map((k) => (f[k] === undefined ? -1 : t.of(f[k]!))),
      fix,
      f.fixNote === undefined ? -1 : t.of(f.fixNote),
    ];
  };
  const packed = findings.map(finding);
  const sup = suppressed.map((s) => [finding(s.finding), t.of(s.reason)]);
  return { strings: t.list, findings: packed, suppressed: sup };
}

const int = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v);

/** The findings back, or undefined when anything in `p` is malformed. */
export function unpack(p: unknown): { findings: Finding[]; suppressed: Array<{ finding: Finding; reason: string }> } | undefined {
  if (typeof p !== "object" || p === null) return undefined;
  const { strings, findings, suppressed } = p as Partial<PackedFindings>;
  if (!Array.isArray(strings) || !Array.isArray(findings) || !Array.isArray(suppressed)) return undefined;
  for (const s of strings) if (typeof s !== "string") return undefined;
  const str = (v: unknown): string => {
    if (!int(v) || v < 0 || v >= strings.length) throw new Malformed();
    return strings[v]!;
  };
  const opt = (v: unknown): string | undefined => (v === -1 ? undefined : str(v));
  const num = (v: unknown): number => {
    if (!int(v)) throw new Malformed();
    return v;
  };
  const range = (a: unknown[], at: number): Range => ({
    start: { line: num(a[at]), column: num(a[at + 1]), offset: num(a[at + 2]) },
    end: { line: num(a[at + 3]), column: num(a[at + 4]), offset: num(a[at + 5]) },
  });
  const finding = (v: unknown): Finding => {
    if (!Array.isArray(v) || v.length !== 17) throw new Malformed();
    const level = str(v[1]);
    if (!LEVELS.has(level)) throw new Malformed();
    const relatedIn = v[10];
    if (!Array.isArray(relatedIn)) throw new Malformed();
    const related: RelatedLocation[] = relatedIn.map((r) => {
      if (!Array.isArray(r) || r.length !== 8) throw new Malformed();
      return { path: str(r[0]), range: range(r, 1), message: str(r[7]) };
    });
    const f: Finding = { ruleId: str(v[0]), level: level as Finding["level"], message: str(v[2]), location: { path: str(v[3]), range: range(v, 4) }, related };
    OPTIONAL.forEach((k, i) => {
      const s = opt(v[11 + i]);
      if (s !== undefined) f[k] = s;
    });
    const fixIn = v[15];
    if (fixIn !== 0) {
      if (!Array.isArray(fixIn) || fixIn.length !== 3 || !Array.isArray(fixIn[2]) || (fixIn[1] !== 0 && fixIn[1] !== 1)) throw new Malformed();
      const edits: TextEdit[] = (fixIn[2] as unknown[]).map((e) => {
        if (!Array.isArray(e) || e.length !== 4) throw new Malformed();
        return { path: str(e[0]), start: num(e[1]), end: num(e[2]), text: str(e[3]) };
      });
      const fix: Fix = { description: str(fixIn[0]), safe: fixIn[1] === 1, edits };
      f.fix = fix;
    }
    const note = opt(v[16]);
    if (note !== undefined) f.fixNote = note;
    return f;
  };
  try {
    return {
      findings: findings.map(finding),
      suppressed: suppressed.map((s) => {
        if (!Array.isArray(s) || s.length !== 2) throw new Malformed();
        return { finding: finding(s[0]), reason: str(s[1]) };
      }),
    };
  } catch (err) {
    if (err instanceof Malformed) return undefined;
    throw err;
  }
}

class Malformed extends Error {}
