/**
 * The YAML files of ../shared for the schema tests: actionlint's 1,503-workflow dataset (a ZIP) and
 * every YAML file under ../shared/corpus/ (realworld-aws and the peers' test data), as raw inputs.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { SHARED } from "../helpers/lint-fixture.js";
import { kindOf } from "../../src/discover/discover.js";
import type { RawInput } from "../../src/parse/parse-file.js";

export const CORPUS = path.join(SHARED, "corpus");
export const DATASET_ZIP = path.join(CORPUS, "peers", "actionlint", "testdata", "realworld", "dataset.zip");
const UNZIP = path.resolve(__dirname, "..", "..", "scripts", "lib", "unzip.mjs");

export interface CorpusInput extends RawInput {
  set: "dataset" | "corpus";
}

/** Workflows of the dataset, each as a `.github/workflows/<name>` file (empty when absent). */
export async function datasetInputs(): Promise<CorpusInput[]> {
  if (!fs.existsSync(DATASET_ZIP)) return [];
  // scripts/lib/unzip.mjs is plain JavaScript without type declarations: type its one export here.
  const mod = (await import(UNZIP)) as { readZip(file: string): Array<{ name: string; data: Buffer }> };
  return mod
    .readZip(DATASET_ZIP)
    .filter((e) => /\.ya?ml$/i.test(e.name))
    .map((e) => ({ set: "dataset", path: e.name, repoPath: `.github/workflows/${e.name}`, kind: "workflow", bytes: new Uint8Array(e.data) }));
}

/** Every YAML file under ../shared/corpus/, kind decided by its name as for a file argument. */
export function corpusInputs(): CorpusInput[] {
  if (!fs.existsSync(CORPUS)) return [];
  const out: CorpusInput[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && /\.ya?ml$/i.test(e.name)) {
        const rel = path.relative(CORPUS, p).split(path.sep).join("/");
        out.push({ set: "corpus", path: rel, repoPath: rel, kind: kindOf(p), bytes: new Uint8Array(fs.readFileSync(p)) });
      }
    }
  };
  walk(CORPUS);
  return out.sort((a, b) => (a.path < b.path ? -1 : 1));
}
