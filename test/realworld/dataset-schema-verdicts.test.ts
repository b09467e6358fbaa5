/**
 * The recorded verdicts on credflow's workflow-schema and yaml-syntax findings over actionlint's
 * real-world dataset (dataset-schema-verdicts.tsv): a finding judged false must not come back, and
 * every finding on the dataset must have been judged (a new one needs a row and a reason).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { prepareFile } from "../../src/engine/prepare.js";
import { datasetInputs } from "./corpus-files.js";
import { itShared, NEEDS } from "../helpers/shared.js";

interface Row {
  file: string;
  line: number;
  rule: string;
  level: string;
  verdict: "true" | "false";
  why: string;
  message: string;
}

function readVerdicts(): Row[] {
  const text = fs.readFileSync(path.join(__dirname, "dataset-schema-verdicts.tsv"), "utf8");
  const lines = text.split("\n").filter((l) => l && !l.startsWith("#"));
  const header = lines.shift()!.split("\t");
  expect(header).toEqual(["file", "line", "rule", "level", "verdict", "why", "message"]);
  return lines.map((l) => {
    const [file, line, rule, level, verdict, why, message] = l.split("\t");
    return { file: file!, line: Number(line), rule: rule!, level: level!, verdict: verdict as Row["verdict"], why: why!, message: message! };
  });
}

const key = (r: { file: string; line: number; rule: string; level: string; message: string }) => `${r.file}:${r.line} ${r.rule} ${r.level}: ${r.message}`;

describe("verdicts on the dataset's schema findings", () => {
  it("every row has a verdict and a reason", () => {
    const rows = readVerdicts();
    expect(rows.length).toBeGreaterThan(100);
    for (const r of rows) {
      expect(["true", "false"], key(r)).toContain(r.verdict);
      expect(r.why.length, key(r)).toBeGreaterThan(10);
    }
  });

  itShared(
    NEEDS.dataset,
    "no finding judged false comes back, and every finding is judged",
    async () => {
      const rows = readVerdicts();
      const current: Array<{ file: string; line: number; rule: string; level: string; message: string }> = [];
      for (const input of await datasetInputs()) {
        const parsed = await prepareFile(input);
        for (const d of [...parsed.diagnostics, ...(parsed.schema ?? [])]) {
          current.push({ file: input.path, line: d.range.start.line, rule: d.ruleId, level: d.level ?? "error", message: d.message });
        }
      }
      const now = new Set(current.map(key));
      const judgedTrue = new Set(rows.filter((r) => r.verdict === "true").map(key));
      const back = rows.filter((r) => r.verdict === "false" && now.has(key(r))).map((r) => `${key(r)} (judged false: ${r.why})`);
      expect(back, "findings judged false are reported again").toEqual([]);
      const unjudged = current.filter((c) => !judgedTrue.has(key(c))).map(key);
      expect(unjudged, "findings without a verdict: judge them in dataset-schema-verdicts.tsv").toEqual([]);
    },
    300_000,
  );
});
