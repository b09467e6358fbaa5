/**
 * dist/ is committed (the GitHub Action and the pre-commit hook run it without a build), so it must
 * be exactly the build of the current sources. This builds the bundle and its launcher with the
 * options of scripts/build.mjs into a temporary folder and compares the bytes.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { buildBundle, buildOptions, CORE_OUTFILE, launcherOptions, OUTFILE, ROOT } from "../../scripts/build.mjs";

const FILES = ["dist/credflow.mjs", "dist/credflow-core.cjs"];
const tracked = spawnSync("git", ["ls-files", "--", ...FILES], { cwd: ROOT, encoding: "utf8" });

describe("dist/credflow.mjs and dist/credflow-core.cjs", () => {
  it("are committed (the Action and the pre-commit hook run them without a build)", () => {
    expect(tracked.status).toBe(0);
    expect(tracked.stdout.trim().split("\n").sort()).toEqual([...FILES].sort());
  });

  it("are the build of the current sources (run `npm run build` and commit dist/)", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "credflow-dist-"));
    try {
      await buildBundle({ outdir: dir });
      for (const committed of [OUTFILE, CORE_OUTFILE]) {
        const fresh = fs.readFileSync(path.join(dir, path.basename(committed)));
        expect(fs.existsSync(committed), `${committed} is missing`).toBe(true);
        const current = fs.readFileSync(committed);
        if (fresh.equals(current)) continue;
        const a = fresh.toString("utf8").split("\n");
        const b = current.toString("utf8").split("\n");
        let line = 0;
        while (line < a.length && a[line] === b[line]) line++;
        expect.fail(
          `${path.relative(ROOT, committed)} is not the build of the current sources (first difference at line ${line + 1}: ` +
            `built ${JSON.stringify(a[line]?.slice(0, 120))}, committed ${JSON.stringify(b[line]?.slice(0, 120))}). ` +
            "Run `npm run build` and commit dist/.",
        );
      }
      // The launcher is executable: it is the package's bin.
      expect(fs.statSync(path.join(dir, "credflow.mjs")).mode & 0o111).not.toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("are built from options that do not depend on the working directory", () => {
    const options = buildOptions({ outfile: "/tmp/x.cjs" });
    expect(options.absWorkingDir).toBe(ROOT);
    expect(options.outfile).toBe("/tmp/x.cjs");
    expect(buildOptions().outfile).toBe(CORE_OUTFILE);
    expect(options.target).toBe("node20");
    expect(launcherOptions("0".repeat(64)).outfile).toBe(OUTFILE);
    expect(launcherOptions("0".repeat(64)).absWorkingDir).toBe(ROOT);
  });
});
