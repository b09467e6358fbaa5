/**
 * The README's quick start, exactly as written, in a clean clone: this repository's HEAD cloned
 * into a temporary folder with no `../shared` beside it, each command of the README's
 * "Quick start" block run there with `sh -c`. `npm ci && npm test` runs the whole suite again
 * (15 minutes on a shared 2-core machine), so it runs only with CREDFLOW_QUICKSTART=1, which .ci/run
 * sets for a second vitest run after `npm test` (side by side, the two suites would compete for CPU).
 *
 * Also checks what the clean run prints: one line per test file that needs ../shared (and none of
 * them failing), and no source-map warnings. And that the README's install from a clone
 * (`npm link`) works there before any `npm ci`.
 *
 * It tests the commit at HEAD: uncommitted changes are not in the clone.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, expect, it } from "vitest";
import { describeWhen } from "../helpers/shared.js";
import { onPath, ROOT, run, shown } from "../helpers/npm.js";

const ENABLED = process.env.CREDFLOW_QUICKSTART === "1";
/** Bounds one quick-start command; the second runs the whole test suite. */
const COMMAND_TIMEOUT = 45 * 60_000;
const README = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");

/** The commands of the README's quick-start block, as written (comments included: `sh` drops them). */
export function quickStartCommands(readme: string): string[] {
  const section = /^## Quick start\n([\s\S]*?)^## /m.exec(readme)?.[1] ?? "";
  const block = /^```sh\n([\s\S]*?)^```$/m.exec(section)?.[1] ?? "";
  return block.split("\n").filter((l) => l.trim() !== "" && !l.trim().startsWith("#"));
}

/** The environment of a user's shell: nothing from this test run (no CREDFLOW_*, npm_*, VITEST*). */
function userEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(CREDFLOW_|npm_|NPM_|VITEST|GIT_DIR|GIT_WORK_TREE|GIT_INDEX_FILE|INIT_CWD|NODE_OPTIONS|FORCE_COLOR)/.test(k)) continue;
    env[k] = v;
  }
  // npm's cache answers what it can (same lockfile, same packages): the clone installs in seconds.
  return { ...env, npm_config_prefer_offline: "true", npm_config_audit: "false", npm_config_fund: "false", npm_config_update_notifier: "false", NO_COLOR: "1", ...extra };
}

it("the README's quick start is two commands", () => {
  expect(quickStartCommands(README)).toEqual([
    "npm ci && npm start     # lints examples/, a small repository that reproduces each problem",
    "npm ci && npm test      # type-checks and runs the test suite",
  ]);
});

describeWhen(
  ENABLED && onPath("git"),
  ENABLED ? "needs git on PATH" : "runs only with CREDFLOW_QUICKSTART=1 (.ci/run sets it after npm test): the README's quick start in a clean clone, as long as the whole suite",
  "the README's quick start in a clean clone without ../shared",
  () => {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "credflow-quickstart-"));
    const clone = path.join(scratch, "credflow");
    afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

    it("clones HEAD where no ../shared lies beside it", () => {
      const head = run("git", ["rev-parse", "HEAD"], { cwd: ROOT }).stdout.trim();
      const r = run("git", ["clone", "--quiet", ROOT, clone], { cwd: scratch, env: userEnv() });
      expect(r.code, shown(r)).toBe(0);
      expect(run("git", ["checkout", "--quiet", head], { cwd: clone, env: userEnv() }).code).toBe(0);
      expect(fs.existsSync(path.join(clone, "..", "shared"))).toBe(false);
      expect(fs.existsSync(path.join(clone, "node_modules"))).toBe(false);
    });

    it("installs from the clone with `npm link`, before any `npm ci`", () => {
      const prefix = path.join(scratch, "prefix");
      const r = run("npm", ["link"], { cwd: clone, env: userEnv({ npm_config_prefix: prefix }), timeout: 5 * 60_000 });
      expect(r.code, shown(r)).toBe(0);
      const v = run("credflow", ["--version"], { cwd: scratch, env: userEnv({ PATH: `${path.join(prefix, "bin")}${path.delimiter}${process.env.PATH ?? ""}` }) });
      expect(v.code, shown(v)).toBe(0);
      expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
      expect(fs.existsSync(path.join(clone, "node_modules"))).toBe(false);
    });

    const [start, test] = quickStartCommands(README);

    it(
      `${start}`,
      () => {
        const r = run("sh", ["-c", start!], { cwd: clone, env: userEnv(), timeout: COMMAND_TIMEOUT });
        expect(r.code, shown(r)).toBe(0);
        // The text format: a finding opens with `level[rule-id]: headline`, then its place.
        expect(r.stdout).toMatch(/^(error|warning|note)\[composite-role-conflict\]: /m);
        expect(r.stdout).toMatch(/^ --> examples\/\.github\//m);
        expect(r.stdout).toMatch(/\d+ errors?, \d+ warnings?, \d+ notes? in \d+ files?/);
      },
      COMMAND_TIMEOUT,
    );

    it(
      `${test}`,
      () => {
        const started = Date.now();
        const r = run("sh", ["-c", test!], { cwd: clone, env: userEnv(), timeout: COMMAND_TIMEOUT });
        const out = `${r.stdout}\n${r.stderr}`;
        console.log(`quick start: \`${test}\` in a clean clone took ${Math.round((Date.now() - started) / 1000)} s`);
        expect(r.code, shown(r)).toBe(0);
        expect(out).toMatch(/Test Files\s+\d+ passed/);
        expect(out).not.toMatch(/Test Files\s+.*failed/);
        // No source-map noise (vitest.config.ts strips @actions' source-map comments).
        expect(out).not.toMatch(/source ?map/i);
        // Each test file that needs ../shared says so in one line.
        // Files that import the helpers (test/install/require-shared.test.ts only writes them into a generated file).
        const needing = testFilesUsing(path.join(clone, "test"), /^import \{[^}]*\b(describeShared|itShared)\b[^}]*\} from "\.\.\/helpers\/shared\.js";$/m);
        expect(needing.length).toBeGreaterThan(5);
        const skipLines = out.split("\n").filter((l) => l.startsWith(" ↓ "));
        for (const file of needing) {
          const lines = skipLines.filter((l) => l.startsWith(` ↓ ${file}: skipped, needs ../shared/`));
          expect(lines.length, `${file}: a line saying what it needs`).toBeGreaterThan(0);
        }
        // One line per file and need, not one per test.
        expect(new Set(skipLines).size).toBe(skipLines.length);
      },
      COMMAND_TIMEOUT,
    );
  },
);

/** Test files (repository-relative) whose text matches `re`. */
function testFilesUsing(dir: string, re: RegExp): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".test.ts") && re.test(fs.readFileSync(p, "utf8"))) out.push(path.relative(path.dirname(dir), p).split(path.sep).join("/"));
    }
  };
  walk(dir);
  return out.sort();
}
