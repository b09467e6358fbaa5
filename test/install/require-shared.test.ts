/**
 * test/helpers/shared.ts and its reporter, on a throwaway test file run by a separate vitest: a
 * missing shared file skips with one line per file and need, and CREDFLOW_REQUIRE_SHARED=1 (set by
 * .ci/run) turns the same skips into failures.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ROOT, run, shown } from "../helpers/npm.js";

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "credflow-require-shared-"));
const helper = path.join(ROOT, "test", "helpers", "shared.ts").split(path.sep).join("/");

const FILE = `
import { expect, it } from "vitest";
import { describeShared, itShared, sharedFileOrNote } from ${JSON.stringify(helper)};
const MISSING = { rel: "no/such/file.json", what: "nothing at all" };
describeShared(MISSING, "a suite", () => {
  it("one", () => {});
  it("two", () => {});
});
itShared(MISSING, "a test", () => {});
it("runs without one check", () => {
  expect(sharedFileOrNote(MISSING)).toBeUndefined();
});
it("needs nothing", () => {});
`;

/** vitest on the throwaway file, with the shared reporter, outside this run's environment. */
function vitest(extra: NodeJS.ProcessEnv) {
  const env: NodeJS.ProcessEnv = { NO_COLOR: "1" };
  for (const [k, v] of Object.entries(process.env)) if (!/^(VITEST|CREDFLOW_|npm_|NODE_OPTIONS|FORCE_COLOR)/.test(k)) env[k] = v;
  return run(
    process.execPath,
    [path.join(ROOT, "node_modules", "vitest", "vitest.mjs"), "run", "--root", scratch, "--reporter=default", `--reporter=${path.join(ROOT, "test", "helpers", "shared-reporter.ts")}`],
    { cwd: scratch, env: { ...env, ...extra }, timeout: 120_000 },
  );
}

beforeAll(() => {
  fs.writeFileSync(path.join(scratch, "needs.test.ts"), FILE);
});

afterAll(() => {
  fs.rmSync(scratch, { recursive: true, force: true });
});

it("without the file: skipped, one line per file and need, and the test that needs nothing runs", () => {
  const r = vitest({});
  expect(r.code, shown(r)).toBe(0);
  const lines = r.stdout.split("\n").filter((l) => l.startsWith(" ↓ "));
  expect(lines).toEqual([
    " ↓ needs.test.ts: 1 test ran without a check that needs ../shared/no/such/file.json (nothing at all)",
    " ↓ needs.test.ts: skipped, needs ../shared/no/such/file.json (nothing at all)",
  ]);
  expect(r.stdout).toMatch(/Tests\s+2 passed \| 2 skipped \(4\)/);
});

it("with CREDFLOW_REQUIRE_SHARED=1: each of them fails, saying why", () => {
  const r = vitest({ CREDFLOW_REQUIRE_SHARED: "1" });
  expect(r.code, shown(r)).toBe(1);
  expect(`${r.stdout}${r.stderr}`).toContain("needs ../shared/no/such/file.json (nothing at all): absent, and CREDFLOW_REQUIRE_SHARED=1 (set by .ci/run) does not allow skipping it");
  expect(r.stdout).toMatch(/Tests\s+3 failed \| 1 passed \(4\)/);
});
