/**
 * The output is byte-identical without the cache, with a cold one and with a warm one (and the warm
 * one reuses every repository): every fixture case, every format on one case of each rule and on
 * examples/, the real repositories of test/realworld, the corpus of ../shared (its repositories,
 * and the peers' files as file arguments, several repositories per run) and the 1,503-workflow
 * dataset (then three of its workflows edited: only their groups are linted again, same output).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { FIXTURES } from "../helpers/lint-fixture.js";
import { describeShared, itShared, NEEDS, sharedPath } from "../helpers/shared.js";
import { datasetInputs } from "../realworld/corpus-files.js";
import { cli } from "../helpers/cli.js";
import { cacheDir, FORMATS, groupReuse, stderrOf, threeWays, withCache } from "./helpers.js";

interface CaseSpec {
  settings?: { visibility?: string };
  options?: Record<string, Record<string, unknown>>;
}

/** Every fixture case with the flags that give its settings. */
function fixtureCases(): Array<{ name: string; dir: string; flags: string[] }> {
  const out: Array<{ name: string; dir: string; flags: string[] }> = [];
  for (const rule of fs.readdirSync(FIXTURES).sort()) {
    const ruleDir = path.join(FIXTURES, rule);
    if (!fs.statSync(ruleDir).isDirectory()) continue;
    for (const c of fs.readdirSync(ruleDir).sort()) {
      const spec = path.join(ruleDir, c, "case.json");
      if (!fs.existsSync(spec)) continue;
      const s = JSON.parse(fs.readFileSync(spec, "utf8")) as CaseSpec;
      const flags: string[] = [];
      if (s.settings?.visibility && s.settings.visibility !== "unknown") flags.push("--visibility", s.settings.visibility);
      const min = s.options?.["composite-role-conflict"]?.["min-runner-version"];
      if (typeof min === "string") flags.push("--min-runner-version", min);
      out.push({ name: `${rule}/${c}`, dir: path.join(ruleDir, c), flags });
    }
  }
  return out;
}

const CASES = fixtureCases();

describe("fixture cases: JSON without, cold and warm", () => {
  it("has cases", () => expect(CASES.length).toBeGreaterThan(100));
  const BATCH = 40;
  for (let i = 0; i < CASES.length; i += BATCH) {
    const batch = CASES.slice(i, i + BATCH);
    it(`cases ${i + 1}–${i + batch.length} of ${CASES.length}`, async () => {
      for (const c of batch) await threeWays([".", "--format", "json", "--fail-level", "none", ...c.flags], { cwd: c.dir });
    });
  }
});

describe("every format", () => {
  // The first flagged case of each rule, and examples/.
  const picked = new Map<string, { name: string; dir: string; flags: string[] }>();
  for (const c of CASES) {
    const rule = c.name.split("/")[0]!;
    if (!picked.has(rule) && !c.name.split("/")[1]!.startsWith("clean")) picked.set(rule, c);
  }
  const targets = [...picked.values(), { name: "examples", dir: path.resolve(__dirname, "..", "..", "examples"), flags: [] }];
  for (const t of targets) {
    it(t.name, async () => {
      for (const format of FORMATS) await threeWays([".", "--format", format, ...t.flags], { cwd: t.dir });
    });
  }
});

describe("test/realworld repositories", () => {
  const HERE = path.resolve(__dirname, "..", "realworld");
  const repos = fs.readdirSync(HERE).filter((d) => fs.existsSync(path.join(HERE, d, ".github")));
  it("has repositories", () => expect(repos.length).toBeGreaterThan(10));
  it("all of them, each alone", async () => {
    for (const r of repos) await threeWays([".", "--format", "json"], { cwd: path.join(HERE, r) });
  });
  it("all of them in one run (several repositories, one cache file)", async () => {
    await threeWays([...repos, "--format", "sarif"], { cwd: HERE });
  });
});

describeShared(NEEDS.realworld, "../shared corpus: real repositories", () => {
  const dir = sharedPath(NEEDS.realworld);
  it("each repository", async () => {
    for (const r of fs.readdirSync(dir).filter((d) => fs.statSync(path.join(dir, d)).isDirectory())) await threeWays([".", "--format", "json"], { cwd: path.join(dir, r) });
  });
});

describeShared(NEEDS.peers, "../shared corpus: the peers' files as file arguments", () => {
  const dir = sharedPath(NEEDS.peers);
  const files: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.ya?ml$/i.test(e.name)) files.push(path.relative(dir, p));
    }
  };
  walk(dir);
  files.sort();
  const BATCH = 200;
  for (let i = 0; i < files.length; i += BATCH) {
    const batch = files.slice(i, i + BATCH);
    it(`files ${i + 1}–${i + batch.length} of ${files.length}`, async () => {
      await threeWays([...batch, "--format", "json"], { cwd: dir });
    });
  }
});

describe("the dataset of 1,503 workflows", () => {
  itShared(NEEDS.dataset, "JSON without, cold and warm", async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "credflow-dataset-"));
    const wf = path.join(tmp, ".github", "workflows");
    fs.mkdirSync(wf, { recursive: true });
    for (const input of await datasetInputs()) fs.writeFileSync(path.join(wf, input.path), input.bytes);
    const cache = cacheDir();
    await threeWays([".", "--format", "json"], { cwd: tmp }, cache);
    // Three workflows edited (two pinned checkouts become branches, one comment): only their groups are linted again.
    const names = fs.readdirSync(wf).sort();
    const edited = names.filter((n) => /actions\/checkout@v\d/.test(fs.readFileSync(path.join(wf, n), "utf8"))).slice(0, 2);
    for (const n of edited) fs.writeFileSync(path.join(wf, n), fs.readFileSync(path.join(wf, n), "utf8").replace(/actions\/checkout@v\d+/, "actions/checkout@main"));
    fs.appendFileSync(path.join(wf, names[names.length - 1]!), "\n# edited\n");
    const plain = await cli([".", "--format", "json"], { cwd: tmp });
    const cached = await withCache([".", "--format", "json"], { cwd: tmp }, cache);
    expect(cached.stdout).toBe(plain.stdout);
    expect(stderrOf(cached)).toBe(plain.stderr);
    const g = groupReuse(cached);
    expect(g.reused).toBeGreaterThanOrEqual(g.total - 3);
    expect(g.reused).toBeLessThan(g.total);
    fs.rmSync(tmp, { recursive: true, force: true });
  }, 300_000);
});
