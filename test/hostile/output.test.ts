/**
 * `--output FILE` in CI writes into the checked-out pull request (the README's code-scanning job
 * writes `credflow.sarif` there). A pull request that adds that name as a symbolic link, or as a
 * FIFO, must not make credflow write outside the repository or hang.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { tempRepo } from "../helpers/temp-repo.js";
import { changes, expectSane, outsideDir, runCli, runProcess, snapshot } from "../fuzz/harness.js";

const WF = { ".github/workflows/w.yml": "on: push\njobs:\n  j:\n    runs-on: [ubuntu\n" };

describe("--output into a hostile repository", () => {
  it("a symbolic link at the report's path is not written through", async () => {
    const out = outsideDir();
    fs.writeFileSync(path.join(out, "victim"), "precious\n");
    for (const target of [path.join(out, "victim"), path.join(out, "new-file")]) {
      const dir = tempRepo(WF);
      fs.symlinkSync(target, path.join(dir, "credflow.sarif"));
      const before = snapshot(out);
      for (const args of [["--format", "sarif", "--output", "credflow.sarif", "--exit-zero", "."], ["graph", "--output", "credflow.sarif", "."]]) {
        const r = await runCli(args, dir);
        expectSane(r, { codes: [2] });
        expect(r.stderr).toBe("credflow: credflow.sarif: is a symbolic link; the report is not written through it\n");
      }
      expect(changes(before, snapshot(out))).toEqual([]);
    }
  });

  it("a FIFO at the report's path does not hang the run", async () => {
    const dir = tempRepo(WF);
    execFileSync("mkfifo", [path.join(dir, "credflow.sarif")]);
    const r = await runProcess(["--format", "sarif", "--output", "credflow.sarif", "."], dir, 10_000);
    expectSane(r, { codes: [2] });
    expect(r.stderr).toMatch(/^credflow: credflow\.sarif: /);
  });

  it("a directory at the report's path is a one-line error", async () => {
    const dir = tempRepo(WF);
    fs.mkdirSync(path.join(dir, "credflow.sarif"));
    const r = await runCli(["--format", "sarif", "--output", "credflow.sarif", "."], dir);
    expectSane(r, { codes: [2] });
    expect(r.stderr).toBe("credflow: credflow.sarif: not a regular file\n");
  });

  it("a linked folder on the report's path is not written through", async () => {
    const out = outsideDir();
    const dir = tempRepo(WF);
    fs.symlinkSync(out, path.join(dir, "reports"));
    const before = snapshot(out);
    const r = await runCli(["--format", "sarif", "--output", "reports/credflow.sarif", "."], dir);
    expectSane(r, { codes: [2] });
    expect(r.stderr).toBe("credflow: reports/credflow.sarif: its folder links outside the working directory; the report is not written there\n");
    expect(changes(before, snapshot(out))).toEqual([]);
  });

  it("regular files are still created and replaced, and paths outside the working directory are the user's", async () => {
    const dir = tempRepo({ ...WF, "old.sarif": "x".repeat(100_000) });
    expectSane(await runCli(["--format", "sarif", "--output", "new.sarif", "--exit-zero", "."], dir), { codes: [0] });
    expectSane(await runCli(["--format", "sarif", "--output", "old.sarif", "--exit-zero", "."], dir), { codes: [0] });
    for (const f of ["new.sarif", "old.sarif"]) expect((JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")) as { version: string }).version).toBe("2.1.0");
    expectSane(await runCli(["--output", "/dev/null", "--exit-zero", "."], dir), { codes: [0] });
    const elsewhere = path.join(outsideDir(), "report.json");
    expectSane(await runCli(["--format", "json", "--output", elsewhere, "--exit-zero", "."], dir), { codes: [0] });
    expect(fs.existsSync(elsewhere)).toBe(true);
    // A symbolic link outside the working directory (like /dev/stdout) is the user's: followed.
    const other = outsideDir();
    fs.writeFileSync(path.join(other, "real.json"), "");
    fs.symlinkSync(path.join(other, "real.json"), path.join(other, "link.json"));
    expectSane(await runCli(["--format", "json", "--output", path.join(other, "link.json"), "--exit-zero", "."], dir), { codes: [0] });
    expect((JSON.parse(fs.readFileSync(path.join(other, "real.json"), "utf8")) as { version: number }).version).toBe(1);
  });
});
