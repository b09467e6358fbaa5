/**
 * dist/credflow.mjs is committed (the GitHub Action and the pre-commit hook run it without a
 * build), so it must be exactly the build of the current sources. This builds the bundle with the
 * options of scripts/build.mjs into a temporary file and compares the bytes.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { build } from "esbuild";
import { buildOptions, OUTFILE, ROOT } from "../../scripts/build.mjs";

const tracked = spawnSync("git", ["ls-files", "--", "dist/credflow.mjs"], { cwd: ROOT, encoding: "utf8" });

describe("dist/credflow.mjs", () => {
  it("is committed (the Action and the pre-commit hook run it without a build)", () => {
    expect(tracked.status).toBe(0);
    expect(tracked.stdout.trim()).toBe("dist/credflow.mjs");
  });

  it("is the build of the current sources (run `npm run build` and commit dist/)", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "credflow-dist-"));
    try {
      const outfile = path.join(dir, "credflow.mjs");
      await build(buildOptions({ outfile }));
      const fresh = fs.readFileSync(outfile);
      expect(fs.existsSync(OUTFILE), `${OUTFILE} is missing`).toBe(true);
      const current = fs.readFileSync(OUTFILE);
      if (!fresh.equals(current)) {
        const a = fresh.toString("utf8").split("\n");
        const b = current.toString("utf8").split("\n");
        let line = 0;
        while (line < a.length && a[line] === b[line]) line++;
        expect.fail(
          `dist/credflow.mjs is not the build of the current sources (first difference at line ${line + 1}: ` +
            `built ${JSON.stringify(a[line]?.slice(0, 120))}, committed ${JSON.stringify(b[line]?.slice(0, 120))}). ` +
            "Run `npm run build` and commit dist/credflow.mjs.",
        );
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("is built from options that do not depend on the working directory", () => {
    const options = buildOptions({ outfile: "/tmp/x.mjs" });
    expect(options.absWorkingDir).toBe(ROOT);
    expect(options.outfile).toBe("/tmp/x.mjs");
    expect(buildOptions().outfile).toBe(OUTFILE);
    expect(options.target).toBe("node20");
  });
});
