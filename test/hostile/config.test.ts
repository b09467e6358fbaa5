/**
 * The configuration file is part of the repository too: a hostile `.credflow.yml` (alias bomb, deep
 * nesting, garbage, a directory, a FIFO, a link to a device or to a file outside the repository) must
 * end the run with a one-line message, never a hang, and must never make credflow print what lies
 * outside the repository.
 *
 * The file at the root must be a regular file whose real path is inside the repository, at most
 * 1 MiB, checked before it is opened; anything else is refused with one line naming why.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { tempRepo } from "../helpers/temp-repo.js";
import { expectSane, outsideDir, pseudoRandomBytes, runCli, runProcess } from "../fuzz/harness.js";

const CLEAN = "on: push\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n";
const repo = (config?: string | Uint8Array) => tempRepo({ ".github/workflows/w.yml": CLEAN, ...(config === undefined ? {} : { ".credflow.yml": config }) });

const bomb = [
  "a0: &a0 [x, x, x, x, x, x, x, x, x, x]",
  ...Array.from({ length: 11 }, (_, i) => `a${i + 1}: &a${i + 1} [${Array(10).fill(`*a${i}`).join(", ")}]`),
  "rules: *a11",
  "ignore: *a11",
  "",
].join("\n");

const hostile: Record<string, string | Uint8Array> = {
  "an alias bomb": bomb,
  "20,000 nested flow sequences": `rules: ${"[".repeat(20_000)}${"]".repeat(20_000)}\n`,
  "20,000 nested block sequences": `${"- ".repeat(20_000)}x\n`,
  "binary garbage": pseudoRandomBytes(256 * 1024, 3),
  "Latin-1": Uint8Array.from([0x72, 0x75, 0x6c, 0x65, 0x73, 0x3a, 0x20, 0xe9, 0x0a]),
  "a list": "- a\n- b\n",
  "null": "null\n",
  "wrong shapes everywhere": "rules: [a]\nignore: {a: b}\nsettings: x\nvisibility: {a: [b]}\n",
};

describe("hostile .credflow.yml", () => {
  for (const [name, content] of Object.entries(hostile)) {
    it(name, async () => {
      const dir = repo(content);
      const r = await runProcess(["."], dir, 20_000);
      expectSane(r, { codes: [0, 1, 2] });
      if (r.code === 2) expect(r.stderr).toMatch(/^credflow: \.credflow\.yml(:\d+:\d+)?: .+\n$/);
    });
  }

  it("a directory named .credflow.yml", async () => {
    const dir = repo();
    fs.mkdirSync(path.join(dir, ".credflow.yml"));
    const r = await runCli(["."], dir);
    expectSane(r, { codes: [2] });
    expect(r.stderr).toMatch(/^credflow: \.credflow\.yml: /);
  });

  it("a FIFO named .credflow.yml is not opened (no hang)", async () => {
    const dir = repo();
    execFileSync("mkfifo", [path.join(dir, ".credflow.yml")]);
    const r = await runProcess(["."], dir, 3_000);
    expectSane(r, { codes: [2] });
  }, 20_000);

  it(".credflow.yml linking to /dev/zero is not read (no hang)", async () => {
    const dir = repo();
    fs.symlinkSync("/dev/zero", path.join(dir, ".credflow.yml"));
    const r = await runProcess(["."], dir, 3_000, ["--max-old-space-size=256"]);
    expectSane(r, { codes: [2] });
  }, 20_000);

  // A pull request adding `.credflow.yml -> /proc/self/environ` must not print the CI's environment.
  it(".credflow.yml linking outside the repository is not read, and nothing of it is printed", async () => {
    const out = outsideDir();
    fs.writeFileSync(path.join(out, "secret.yml"), "CANARY_SECRET_7f3a: 1\n");
    const dir = repo();
    fs.symlinkSync(path.join(out, "secret.yml"), path.join(dir, ".credflow.yml"));
    const r = await runProcess(["."], dir, 20_000);
    expectSane(r, { codes: [0, 1, 2] });
    expect(r.stdout + r.stderr).not.toContain("CANARY_SECRET_7f3a");

    fs.rmSync(path.join(dir, ".credflow.yml"));
    fs.symlinkSync("/proc/self/environ", path.join(dir, ".credflow.yml"));
    const env = await runProcess(["."], dir, 20_000, [], { AAAA_CANARY: "CANARY_ENV_5c1d" });
    expect(env.stdout + env.stderr).not.toContain("CANARY_ENV_5c1d");
  });
});
