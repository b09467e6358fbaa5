/**
 * The bundled CLI prepares large batches on a worker thread too. Hostile files must fare the same
 * there (a worker has its own stack and heap): the report with the worker equals the report without.
 */
import { describe, expect, it } from "vitest";
import { tempRepo } from "../helpers/temp-repo.js";
import { expectSane, pseudoRandomBytes, runProcess } from "../fuzz/harness.js";

const GOOD = (i: number) =>
  `on: push\njobs:\n  j${i}:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: aws-actions/configure-aws-credentials@v4\n        with: {role-to-assume: "arn:aws:iam::123456789012:role/r${i}", aws-region: us-east-1}\n`;

const bomb = [
  "on: push",
  "a0: &a0 [x, x, x, x, x, x, x, x, x, x]",
  ...Array.from({ length: 11 }, (_, i) => `a${i + 1}: &a${i + 1} [${Array(10).fill(`*a${i}`).join(", ")}]`),
  "jobs: {}",
  "",
].join("\n");

const HOSTILE: Array<string | Uint8Array> = [
  `${"- ".repeat(20_000)}x\n`,
  `on: push\njobs: ${"[".repeat(20_000)}${"]".repeat(20_000)}\n`,
  `on: push\njobs: ${"{a: ".repeat(450)}1${"}".repeat(450)}\n`,
  bomb,
  pseudoRandomBytes(32 * 1024, 5),
  Uint8Array.from([0x6f, 0x6e, 0x3a, 0x20, 0xe9, 0x0a]),
  "",
  "null\n",
  "- a\n",
  "\ufeffon: push\r\njobs:\r\n  j:\r\n    runs-on: [x\r\n",
];

describe("hostile files prepared on the worker thread", () => {
  it("give the same report as on one thread", async () => {
    const files: Record<string, string | Uint8Array> = {};
    // Interleaved so that both threads get hostile files whatever the split.
    for (let i = 0; i < 60; i++) files[`.github/workflows/f${String(i).padStart(2, "0")}.yml`] = i % 3 === 0 ? HOSTILE[(i / 3) % HOSTILE.length]! : GOOD(i);
    const dir = tempRepo(files);
    const args = ["--format", "json", "."];
    const one = await runProcess(args, dir, 60_000, [], { CREDFLOW_WORKERS: "0" });
    const two = await runProcess(args, dir, 60_000, [], { CREDFLOW_WORKERS: "1" });
    expectSane(one, { codes: [1] });
    expectSane(two, { codes: [1] });
    expect(two.stdout).toBe(one.stdout);
    const paths = new Set((JSON.parse(two.stdout) as { findings: Array<{ path: string }> }).findings.map((f) => f.path));
    for (let i = 0; i < 60; i += 3) expect(paths.has(`.github/workflows/f${String(i).padStart(2, "0")}.yml`)).toBe(true);
  });
});
