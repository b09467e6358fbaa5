/**
 * Inputs for the fuzz tests: the real repositories of ../shared/corpus/realworld-aws/ and, when
 * present, the 1,503 workflows of actionlint's real-world dataset (a ZIP).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { SHARED } from "../helpers/lint-fixture.js";

export const REALWORLD = path.join(SHARED, "corpus", "realworld-aws");
export const DATASET_ZIP = path.join(SHARED, "corpus", "peers", "actionlint", "testdata", "realworld", "dataset.zip");
const UNZIP = path.resolve(__dirname, "..", "..", "scripts", "lib", "unzip.mjs");

/**
 * Number of fast-check runs: `CREDFLOW_FUZZ_RUNS` when set (the long campaign of `npm run fuzz`),
 * else `short` (the CI default).
 */
export function fuzzRuns(short: number): number {
  const n = Number(process.env.CREDFLOW_FUZZ_RUNS);
  return Number.isInteger(n) && n > 0 ? n : short;
}

/** A fixed seed when CREDFLOW_FUZZ_SEED is set (to replay a failure); fast-check picks one otherwise. */
export function fuzzSeed(): number | undefined {
  const n = Number(process.env.CREDFLOW_FUZZ_SEED);
  return process.env.CREDFLOW_FUZZ_SEED !== undefined && Number.isInteger(n) ? n : undefined;
}

export interface CorpusRepo {
  name: string;
  dir: string;
  /** Repository-relative paths of its workflows and action files. */
  files: string[];
}

function yamlFilesUnder(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && /\.ya?ml$/i.test(e.name)) out.push(path.relative(root, p).split(path.sep).join("/"));
    }
  };
  walk(root);
  return out.sort();
}

/** The real-world repositories (empty when the corpus is absent). */
export function realworldRepos(): CorpusRepo[] {
  if (!fs.existsSync(REALWORLD)) return [];
  return fs
    .readdirSync(REALWORLD)
    .filter((d) => fs.statSync(path.join(REALWORLD, d)).isDirectory())
    .sort()
    .map((name) => {
      const dir = path.join(REALWORLD, name);
      const files = yamlFilesUnder(dir).filter((f) => f.startsWith(".github/workflows/") || /(^|\/)action\.ya?ml$/.test(f));
      return { name, dir, files };
    })
    .filter((r) => r.files.length > 0);
}

/** Workflows of actionlint's dataset, as text (empty when absent). */
export async function datasetWorkflows(): Promise<Array<{ name: string; text: string }>> {
  if (!fs.existsSync(DATASET_ZIP)) return [];
  // scripts/lib/unzip.mjs is plain JavaScript without type declarations: type its one export here.
  const mod = (await import(UNZIP)) as { readZip(file: string): Array<{ name: string; data: Buffer }> };
  return mod
    .readZip(DATASET_ZIP)
    .filter((e) => /\.ya?ml$/i.test(e.name))
    .map((e) => ({ name: e.name, text: e.data.toString("utf8") }));
}
