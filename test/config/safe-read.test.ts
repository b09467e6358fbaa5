/**
 * src/fs/safe-read.ts: the one way discovery, the configuration and the online cache read a file a
 * repository may have planted. Each caller's own wording is tested with the caller (load.test.ts,
 * test/hostile/filesystem.test.ts, test/output/online-cli.test.ts); this checks the refusals.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { inspectFile, readFileSafely } from "../../src/fs/safe-read.js";
import { tempRepo } from "../helpers/temp-repo.js";

const outside = tempRepo({ "secret.yml": "SECRET: 1\n" });
const root = tempRepo({ "a.yml": "a: 1\n", "dir/b.yml": "b: 2\n", "big.yml": "x".repeat(100) });
fs.symlinkSync("a.yml", path.join(root, "inner-link.yml"));
fs.symlinkSync(path.join(outside, "secret.yml"), path.join(root, "outer-link.yml"));
fs.symlinkSync(outside, path.join(root, "linked-dir"));
fs.symlinkSync("nowhere.yml", path.join(root, "dangling.yml"));
execFileSync("mkfifo", [path.join(root, "fifo.yml")]);
afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
  fs.rmSync(outside, { recursive: true, force: true });
});

const at = (rel: string) => path.join(root, rel);

describe("readFileSafely", () => {
  it("reads a regular file, through a link that stays inside the root", () => {
    const direct = readFileSafely(at("a.yml"), { root, maxBytes: 1024 });
    expect(direct.ok && direct.bytes.toString()).toBe("a: 1\n");
    const linked = readFileSafely(at("inner-link.yml"), { root, maxBytes: 1024 });
    expect(linked.ok && linked.bytes.toString()).toBe("a: 1\n");
    expect(linked.ok && linked.real).toBe(fs.realpathSync(at("a.yml")));
  });

  it("refuses links leaving the root, of the file or of a folder above it", () => {
    expect(readFileSafely(at("outer-link.yml"), { root, maxBytes: 1024 })).toEqual({ ok: false, reason: "outside" });
    expect(readFileSafely(at("linked-dir/secret.yml"), { root, maxBytes: 1024 })).toEqual({ ok: false, reason: "outside" });
    // Without a root a link is followed anywhere, unless links are refused.
    expect(readFileSafely(at("outer-link.yml"), { maxBytes: 1024 }).ok).toBe(true);
    expect(readFileSafely(at("inner-link.yml"), { links: "refuse", maxBytes: 1024 })).toEqual({ ok: false, reason: "link" });
  });

  it("says what is missing, dangling, a directory or not a regular file", () => {
    expect(readFileSafely(at("none.yml"), { root, maxBytes: 1024 })).toEqual({ ok: false, reason: "missing", code: "ENOENT" });
    expect(readFileSafely(at("dangling.yml"), { root, maxBytes: 1024 })).toEqual({ ok: false, reason: "dangling-link", code: "ENOENT" });
    expect(readFileSafely(at("dir"), { root, maxBytes: 1024 })).toEqual({ ok: false, reason: "directory" });
    // A FIFO is never opened: the read would wait for a writer forever.
    expect(readFileSafely(at("fifo.yml"), { root, maxBytes: 1024 })).toEqual({ ok: false, reason: "not-regular", kind: "a FIFO" });
    expect(readFileSafely("/dev/zero", { maxBytes: 1024 })).toEqual({ ok: false, reason: "not-regular", kind: "a character device" });
  });

  it("refuses a file above the limit from its size, and reads one at the limit", () => {
    expect(readFileSafely(at("big.yml"), { root, maxBytes: 99 })).toEqual({ ok: false, reason: "too-large", size: 100 });
    const exact = readFileSafely(at("big.yml"), { root, maxBytes: 100 });
    expect(exact.ok && exact.bytes.length).toBe(100);
  });
});

describe("inspectFile", () => {
  it("checks without reading", () => {
    const ok = inspectFile(at("big.yml"), { root, maxBytes: 100 });
    expect(ok.ok && ok.stat.size).toBe(100);
    expect(inspectFile(at("fifo.yml"), { maxBytes: 100 })).toEqual({ ok: false, reason: "not-regular", kind: "a FIFO" });
  });
});
