/**
 * dist/credflow.mjs runs the bundle through V8's code cache (src/cli/launcher.ts). The cache may
 * make a run faster, never different: every case compares a real process's exit code, standard
 * output and standard error with a run without the cache, on examples/ (whose Terraform file
 * loads the tree-sitter runtime, the part of the bundle that used to import() Node modules).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { BUNDLE } from "../helpers/cli.js";

const ROOT = path.resolve(__dirname, "..", "..");
const ARGS = ["examples", "--format", "sarif"];

function run(env: NodeJS.ProcessEnv): { code: number | null; stdout: string; stderr: string } {
  const res = spawnSync(process.execPath, [BUNDLE, ...ARGS], { cwd: ROOT, encoding: "utf8", env: { PATH: process.env.PATH, HOME: "/nonexistent", ...env }, maxBuffer: 64 * 1024 * 1024 });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

let expected: ReturnType<typeof run>;
beforeAll(() => {
  expected = run({ CREDFLOW_NO_COMPILE_CACHE: "1" });
  expect(expected.code).toBe(1);
  expect(expected.stdout).toContain('"results"');
});

const cacheHome = () => fs.mkdtempSync(path.join(os.tmpdir(), "credflow-v8-"));
const binsIn = (home: string): string[] => {
  const dir = path.join(home, "credflow", "v8");
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith(".bin")) : [];
};

describe("the launcher's compile cache", () => {
  it("is written by the first run and used by the next, with the same result", () => {
    const home = cacheHome();
    expect(run({ XDG_CACHE_HOME: home })).toEqual(expected);
    const [bin] = binsIn(home);
    expect(bin).toMatch(new RegExp(`^[0-9a-f]{32}-${process.version.replace(/\./g, "\\.")}-${process.arch}\\.bin$`));
    const file = path.join(home, "credflow", "v8", bin!);
    expect(fs.statSync(file).mode & 0o077).toBe(0);
    const before = fs.readFileSync(file);
    expect(run({ XDG_CACHE_HOME: home })).toEqual(expected);
    // Accepted by V8, so not written again.
    expect(fs.readFileSync(file).equals(before)).toBe(true);
  });

  it("is not used or written with CREDFLOW_NO_COMPILE_CACHE or NODE_DISABLE_COMPILE_CACHE", () => {
    const home = cacheHome();
    expect(run({ XDG_CACHE_HOME: home, CREDFLOW_NO_COMPILE_CACHE: "1" })).toEqual(expected);
    expect(run({ XDG_CACHE_HOME: home, NODE_DISABLE_COMPILE_CACHE: "1" })).toEqual(expected);
    expect(fs.existsSync(path.join(home, "credflow"))).toBe(false);
  });

  it("replaces a damaged file, and removes the files of other builds", () => {
    const home = cacheHome();
    run({ XDG_CACHE_HOME: home });
    const dir = path.join(home, "credflow", "v8");
    const [bin] = binsIn(home);
    fs.writeFileSync(path.join(dir, bin!), Buffer.from("not V8's data at all, but the same name"));
    fs.writeFileSync(path.join(dir, `${"0".repeat(32)}-${process.version}-${process.arch}.bin`), "an older build's");
    expect(run({ XDG_CACHE_HOME: home })).toEqual(expected);
    expect(binsIn(home)).toEqual([bin]);
    expect(fs.statSync(path.join(dir, bin!)).size).toBeGreaterThan(100_000);
  });

  it("costs nothing but the compile when it cannot be written or read", () => {
    const home = cacheHome();
    const blocked = path.join(home, "a-file");
    fs.writeFileSync(blocked, "");
    expect(run({ XDG_CACHE_HOME: blocked })).toEqual(expected);
    // No home directory at all: nowhere to keep it.
    expect(run({ XDG_CACHE_HOME: "relative/not/used" })).toEqual(expected);
    // A folder where the file should be.
    const probe = cacheHome();
    run({ XDG_CACHE_HOME: probe });
    const [bin] = binsIn(probe);
    fs.mkdirSync(path.join(home, "credflow", "v8", bin!), { recursive: true });
    expect(run({ XDG_CACHE_HOME: home })).toEqual(expected);
    expect(fs.statSync(path.join(home, "credflow", "v8", bin!)).isDirectory()).toBe(true);
  });
});
