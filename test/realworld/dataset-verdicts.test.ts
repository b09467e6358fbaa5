/**
 * Recorded verdicts on findings credflow reports over actionlint's 1,503 real workflows
 * (../shared/corpus/peers/actionlint/testdata/realworld/dataset.zip), one file per rule under
 * test/realworld/dataset/<rule-id>.tsv with the columns file, line, rule, expected_level (error,
 * warning, note or none), verdict (true, false, conditional, missed) and why. Every row must be met:
 * a finding judged false does not come back at the level it had, a true one keeps its level.
 * Rows are a reading of the findings (all errors and warnings of the rule, a sample of notes),
 * not a snapshot: findings without a row are allowed.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { lint } from "../../src/engine/lint.js";
import { offlinePins } from "../../src/knowledge/pins.js";
import type { Finding } from "../../src/rules/types.js";
import { datasetInputs } from "./corpus-files.js";
import { itShared, NEEDS } from "../helpers/shared.js";

const DIR = path.join(__dirname, "dataset");
const LEVELS = ["error", "warning", "note", "none"];

interface Row {
  source: string;
  file: string;
  line: number;
  rule: string;
  expected: string;
  verdict: string;
  why: string;
}

function rows(): Row[] {
  if (!fs.existsSync(DIR)) return [];
  const out: Row[] = [];
  for (const name of fs.readdirSync(DIR).filter((n) => n.endsWith(".tsv")).sort()) {
    const lines = fs.readFileSync(path.join(DIR, name), "utf8").split("\n").filter((l) => l.trim() && !l.startsWith("#"));
    const header = lines.shift()!.split("\t");
    expect(header, name).toEqual(["file", "line", "rule", "expected_level", "verdict", "why"]);
    for (const l of lines) {
      const [file, line, rule, expected, verdict, why] = l.split("\t");
      out.push({ source: name, file: file!, line: Number(line), rule: rule!, expected: expected!, verdict: verdict!, why: why ?? "" });
    }
  }
  return out;
}

const label = (r: Row) => `${r.source}: ${r.file}:${r.line} ${r.rule}`;

describe("verdicts on the dataset's findings", () => {
  it("every row is complete", () => {
    for (const r of rows()) {
      expect(LEVELS, label(r)).toContain(r.expected);
      expect(["true", "false", "conditional", "missed"], label(r)).toContain(r.verdict);
      expect(r.why.length, label(r)).toBeGreaterThan(10);
      expect(r.source, label(r)).toBe(`${r.rule}.tsv`);
    }
  });

  itShared(NEEDS.dataset, "credflow meets every recorded verdict", async () => {
    const all = rows();
    if (all.length === 0) return;
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "credflow-dataset-"));
    try {
      const wf = path.join(tmp, ".github", "workflows");
      fs.mkdirSync(wf, { recursive: true });
      for (const input of await datasetInputs()) fs.writeFileSync(path.join(wf, input.path), input.bytes);
      const result = await lint({ paths: ["."], cwd: tmp, settings: { visibility: "unknown" }, pins: offlinePins(), fixes: false });
      const at = new Map<string, Finding[]>();
      for (const f of result.findings) {
        const k = `${f.location.path.replace(/^\.github\/workflows\//, "")}:${f.location.range.start.line} ${f.ruleId}`;
        let list = at.get(k);
        if (!list) at.set(k, (list = []));
        list.push(f);
      }
      const unmet: string[] = [];
      for (const r of all) {
        const found = at.get(`${r.file}:${r.line} ${r.rule}`) ?? [];
        const got = found.length === 0 ? "none" : found.some((f) => f.level === "error") ? "error" : found.some((f) => f.level === "warning") ? "warning" : "note";
        if (got !== r.expected) unmet.push(`${label(r)}: expected ${r.expected}, got ${got} (${r.verdict}: ${r.why.slice(0, 100)})`);
      }
      expect(unmet).toEqual([]);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }, 300_000);
});
