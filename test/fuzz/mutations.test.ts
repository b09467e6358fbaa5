/**
 * Property tests over random mutations of real workflows and composite actions
 * (../shared/corpus/realworld-aws/, and actionlint's 1,503-workflow dataset when present):
 *
 * - lint never throws and no rule throws (no internalErrors);
 * - linting twice gives identical findings (fixes included);
 * - the fixer's output (runFixes, unsafe fixes too) parses with no more YAML errors than its input,
 *   and fixing the fixed files again changes nothing.
 *
 * Short by default (CI); `npm run fuzz` runs a long campaign (CREDFLOW_FUZZ_RUNS). A failure prints
 * the seed and the shrunk mutations; replay with CREDFLOW_FUZZ_SEED=<seed>.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { lint, type LintRequest, type LintResult } from "../../src/engine/lint.js";
import type { Settings } from "../../src/rules/types.js";
import { runFixes } from "../../src/engine/fix-run.js";
import { offlinePins } from "../../src/knowledge/pins.js";
import { datasetWorkflows, fuzzRuns, fuzzSeed, realworldRepos, type CorpusRepo } from "./corpus.js";
import { applyMutations, mutations, type Mutation } from "./mutate.js";
import { expectSane, runCli } from "./harness.js";
import { describeShared, NEEDS } from "../helpers/shared.js";

const RUNS = fuzzRuns(60);
/** Per-test time: generous for the long campaign, a hang still fails. */
const TIMEOUT = Math.max(60_000, RUNS * 2_000);

interface Target {
  /** Working copy the case runs in. */
  dir: string;
  /** The file to mutate (repository-relative). */
  file: string;
  /** What to lint: the file, plus workflows that call it when it is a composite action. */
  paths: string[];
  original: Buffer;
}

let work: string;
/** How many cases got as far as each check, to show that the fix properties were exercised. */
const stats = { cases: 0, refused: 0, fixed: 0 };
const targets: Target[] = [];

/** Copies `src` to `dst`, files writable (the corpus is read-only). */
function copyTree(src: string, dst: string): void {
  fs.cpSync(src, dst, { recursive: true, dereference: false });
  const walk = (p: string): void => {
    const st = fs.lstatSync(p);
    if (st.isSymbolicLink()) return;
    fs.chmodSync(p, st.isDirectory() ? 0o755 : 0o644);
    if (st.isDirectory()) for (const n of fs.readdirSync(p)) walk(path.join(p, n));
  };
  walk(dst);
}

/** Workflows of the repository whose text names `./<dir of the action>`. */
function callersOf(repo: CorpusRepo, actionFile: string): string[] {
  const dir = path.posix.dirname(actionFile);
  const needle = new RegExp(`uses:\\s*['"]?\\./${dir.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}/?['"]?\\s*(#|$)`, "m");
  return repo.files.filter((f) => f.startsWith(".github/workflows/") && needle.test(fs.readFileSync(path.join(repo.dir, f), "utf8"))).slice(0, 2);
}

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), "credflow-fuzz-"));
  for (const repo of realworldRepos()) {
    const dir = path.join(work, repo.name);
    copyTree(repo.dir, dir);
    for (const file of repo.files) {
      const paths = file.startsWith(".github/workflows/") ? [file] : [file, ...callersOf(repo, file)];
      targets.push({ dir, file, paths, original: fs.readFileSync(path.join(dir, file)) });
    }
  }
  // actionlint's dataset: each workflow alone in a scratch repository.
  const dataset = await datasetWorkflows();
  const scratch = path.join(work, "dataset");
  fs.mkdirSync(path.join(scratch, ".github", "workflows"), { recursive: true });
  dataset.forEach((w, i) => {
    const file = `.github/workflows/d${i}.yml`;
    fs.writeFileSync(path.join(scratch, file), w.text);
    targets.push({ dir: scratch, file, paths: [file], original: Buffer.from(w.text) });
  });
}, 120_000);

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

/** Repository facts and rule options (by rule id) a run gets. */
interface Run {
  settings: Settings;
  options: Record<string, Record<string, unknown>>;
}

const DEFAULT_RUN: Run = { settings: { visibility: "public" }, options: {} };

/**
 * Every setting and rule option the rules read, in every value the configuration allows (and the
 * edge values it allows). Values the option schemas refuse never reach a rule: the engine rejects them.
 */
const runs: fc.Arbitrary<Run> = fc
  .record(
    {
      visibility: fc.constantFrom("public" as const, "private" as const, "internal" as const, "unknown" as const),
      threshold: fc.constantFrom(2, 3, 1000),
      policy: fc.constantFrom("sha", "sha-all", "tag", "off"),
      minRunnerVersion: fc.constantFrom("0.0.0", "2.200.0", "2.330.0", "9.9.9"),
    },
    { requiredKeys: ["visibility", "threshold", "policy"] },
  )
  .map((r) => ({
    settings: { visibility: r.visibility },
    options: {
      "oidc-fanout-no-retry": { threshold: r.threshold },
      "unpinned-ref": { policy: r.policy },
      ...(r.minRunnerVersion === undefined ? {} : { "composite-role-conflict": { "min-runner-version": r.minRunnerVersion } }),
    },
  }));

function request(t: Target, run: Run = DEFAULT_RUN): LintRequest {
  return { paths: t.paths, cwd: t.dir, settings: run.settings, pins: offlinePins(), ruleOptions: (id) => run.options[id] ?? {} };
}

function yamlErrors(text: string): number {
  return parseDocument(text, { uniqueKeys: false }).errors.length;
}

/** Findings as comparable data (positions, messages, fixes), in order. */
function fingerprint(findings: unknown): string {
  return JSON.stringify(findings);
}

/** Line and column of a string offset as credflow defines them: 1-based, UTF-16, a leading BOM is no column. */
function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  const lineStart = before.lastIndexOf("\n") + 1;
  const bom = line === 1 && text.charCodeAt(0) === 0xfeff && offset > 0 ? 1 : 0;
  return { line, column: offset - lineStart + 1 - bom };
}

/** Every finding and related location names a linted file, and its offsets, lines and columns agree. */
function expectPositionsValid(result: LintResult): void {
  const texts = new Map(result.files.map((f) => [f.path, f.text]));
  for (const f of result.findings) {
    for (const loc of [f.location, ...f.related]) {
      const text = texts.get(loc.path);
      if (text === undefined) continue; // a path that could not be read (file-access findings)
      const { start, end } = loc.range;
      const where = `${f.ruleId} ${loc.path}:${start.line}:${start.column} [${start.offset}, ${end.offset}) of ${text.length}`;
      expect(0 <= start.offset && start.offset <= end.offset && end.offset <= text.length, where).toBe(true);
      expect({ line: start.line, column: start.column }, where).toEqual(lineColumn(text, start.offset));
      expect({ line: end.line, column: end.column }, where).toEqual(lineColumn(text, end.offset));
    }
    for (const e of f.fix?.edits ?? []) {
      const text = texts.get(e.path);
      expect(text, `${f.ruleId}: fix edits unknown file ${e.path}`).toBeDefined();
      expect(0 <= e.start && e.start <= e.end && e.end <= text!.length, `${f.ruleId}: edit [${e.start}, ${e.end}) of ${text!.length}`).toBe(true);
    }
  }
}

const FORMATS = ["text", "json", "sarif", "rdjsonl", "github"];

interface Extra {
  format?: string;
  run?: Run;
  /** A second file of the same repository, mutated too (its callers and callees are linted with it). */
  second?: { target: Target; mutations: Mutation[] };
}

/** Runs one case on the mutated target(s); restores every file it wrote. */
async function check(t: Target, ms: Mutation[], extra: Extra = {}): Promise<void> {
  const written = new Map<string, Buffer>();
  const write = (file: string, bytes: Uint8Array | string) => {
    if (!written.has(file)) written.set(file, fs.readFileSync(file));
    fs.writeFileSync(file, bytes);
  };
  const format = extra.format ?? "text";
  try {
    write(path.join(t.dir, t.file), applyMutations(t.original.toString("utf8"), ms));
    let paths = t.paths;
    const other = extra.second;
    if (other && other.target.dir === t.dir && other.target.file !== t.file) {
      write(path.join(t.dir, other.target.file), applyMutations(other.target.original.toString("utf8"), other.mutations));
      paths = [...new Set([...t.paths, ...other.target.paths])];
    }
    const req = { ...request(t, extra.run), paths };

    const first = await lint(req);
    stats.cases++;
    if (!first.graph.workflows.length && !first.graph.actions.size) stats.refused++;
    expect(first.internalErrors).toEqual([]);
    const second = await lint(req);
    expect(fingerprint(second.findings)).toBe(fingerprint(first.findings));
    expectPositionsValid(first);
    // The whole CLI, with a reporter, on the same files.
    expectSane(await runCli(["--format", format, ...paths], t.dir), { codes: [0, 1] });

    const fixed = await runFixes(req, { write: false, unsafe: true });
    expect(fixed.result.internalErrors).toEqual([]);
    // Files whose text the fixes changed, against the text the first lint read.
    const seen = new Map(first.files.map((f) => [f.absPath, f.text]));
    const changedFiles = fixed.result.files.filter((f) => f.absPath && seen.has(f.absPath) && f.text !== seen.get(f.absPath));
    if (changedFiles.length === 0) {
      expect(fixed.diff).toBe("");
      return;
    }
    for (const f of changedFiles) {
      const before = seen.get(f.absPath)!;
      expect(yamlErrors(f.text), `${f.path}: the fixed text parses worse\n${fixed.diff}`).toBeLessThanOrEqual(yamlErrors(before));
      if (before.startsWith("\ufeff")) expect(f.text.startsWith("\ufeff")).toBe(true);
    }
    stats.fixed++;
    // Idempotence: put the fixed texts on disk and fix again.
    for (const f of changedFiles) write(f.absPath!, f.text);
    const again = await runFixes(req, { write: false, unsafe: true });
    expect(again.result.internalErrors).toEqual([]);
    expect(again.diff, `a second fix changed the fixed files\nfirst diff:\n${fixed.diff}`).toBe("");
  } finally {
    for (const [file, bytes] of written) fs.writeFileSync(file, bytes);
  }
}

describeShared(NEEDS.realworld, "mutated real workflows", () => {
  it("has inputs", () => {
    expect(targets.length).toBeGreaterThan(100);
  });

  it(
    `lint is total and deterministic, and fixes re-parse and settle (${RUNS} cases)`,
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.nat(), mutations, fc.constantFrom(...FORMATS), async (n, ms, format) => {
          await check(targets[n % targets.length]!, ms, { format });
        }),
        { numRuns: RUNS, seed: fuzzSeed() },
      );
      console.log(`fuzz: ${stats.cases} cases, ${stats.refused} not analysable after mutation, ${stats.fixed} with fixes re-checked`);
    },
    TIMEOUT,
  );

  it(
    `two files of one real repository mutated at once, under any settings (${Math.ceil(RUNS / 2)} cases)`,
    async () => {
      // Real repositories only (the dataset's workflows stand alone).
      const real = targets.filter((t) => path.basename(t.dir) !== "dataset");
      await fc.assert(
        fc.asyncProperty(fc.nat(), fc.nat(), mutations, mutations, runs, async (a, b, ms1, ms2, s) => {
          const t = real[a % real.length]!;
          const siblings = real.filter((x) => x.dir === t.dir && x.file !== t.file);
          const second = siblings.length ? { target: siblings[b % siblings.length]!, mutations: ms2 } : undefined;
          await check(t, ms1, { run: s, ...(second ? { second } : {}) });
        }),
        { numRuns: Math.ceil(RUNS / 2), seed: fuzzSeed() },
      );
    },
    TIMEOUT,
  );

  it(
    `unmutated files settle after one fix (${Math.min(RUNS, 60)} files)`,
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.nat(), async (n) => {
          await check(targets[n % targets.length]!, []);
        }),
        { numRuns: Math.min(RUNS, 60), seed: fuzzSeed() },
      );
    },
    TIMEOUT,
  );
});
