import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { writeFileAtomic } from "../../src/fix/write.js";

let root: string;
let outside: string;

beforeEach(() => {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), "credflow-write-"));
  root = path.join(base, "repo");
  outside = path.join(base, "elsewhere");
  fs.mkdirSync(path.join(root, ".github", "workflows"), { recursive: true });
  fs.mkdirSync(outside);
});

afterEach(() => {
  const base = path.dirname(root);
  // Restore permissions so the temp tree can be removed.
  for (const dir of [root, path.join(root, ".github", "workflows")]) fs.chmodSync(dir, 0o755);
  fs.rmSync(base, { recursive: true, force: true });
});

function file(rel: string, text: string, mode = 0o644): string {
  const p = path.join(root, rel);
  fs.writeFileSync(p, text);
  fs.chmodSync(p, mode);
  return p;
}

const leftovers = (dir: string): string[] => fs.readdirSync(dir).filter((n) => n.includes("credflow-tmp"));

describe("writeFileAtomic", () => {
  it("replaces the file, keeps its mode and writes UTF-8 with the BOM and CRLF intact", () => {
    const p = file(".github/workflows/ci.yml", "\uFEFFon: push\r\n", 0o640);
    const expectedBytes = fs.readFileSync(p);
    const text = "\uFEFFon: push\r\npermissions: {}\r\n# é🚀\r\n";
    expect(writeFileAtomic(p, text, { expectedBytes, root })).toEqual({ ok: true });
    const bytes = fs.readFileSync(p);
    expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(bytes.toString("utf8")).toBe(text);
    expect(fs.statSync(p).mode & 0o7777).toBe(0o640);
    expect(leftovers(path.dirname(p))).toEqual([]);
  });

  it("keeps an executable mode exactly", () => {
    const p = file("run.yml", "a\n", 0o751);
    expect(writeFileAtomic(p, "b\n", {}).ok).toBe(true);
    expect(fs.statSync(p).mode & 0o7777).toBe(0o751);
  });

  it("refuses a file that changed since it was read, leaving it alone", () => {
    const p = file("a.yml", "on: push\n");
    const expectedBytes = new Uint8Array(fs.readFileSync(p));
    fs.writeFileSync(p, "on: pull_request\n");
    const r = writeFileAtomic(p, "fixed\n", { expectedBytes, root });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.reason).toMatch(/changed since it was read/);
      expect(r.reason).not.toContain("\n");
    }
    expect(fs.readFileSync(p, "utf8")).toBe("on: pull_request\n");
    expect(leftovers(root)).toEqual([]);
  });

  it("refuses a file that disappeared since it was read", () => {
    const r = writeFileAtomic(path.join(root, "gone.yml"), "x\n", { expectedBytes: new Uint8Array([1]) });
    expect(r.ok).toBe(false);
    expect(fs.existsSync(path.join(root, "gone.yml"))).toBe(false);
  });

  it("refuses paths outside the root, directly, via .. and via a symlink", () => {
    const target = path.join(outside, "victim.yml");
    fs.writeFileSync(target, "keep\n");
    for (const p of [target, path.join(root, "..", "elsewhere", "victim.yml")]) {
      const r = writeFileAtomic(p, "x\n", { root });
      expect(r).toMatchObject({ ok: false });
      if (!r.ok) expect(r.reason).toMatch(/outside/);
    }
    const link = path.join(root, "link.yml");
    fs.symlinkSync(target, link);
    expect(writeFileAtomic(link, "x\n", { root })).toMatchObject({ ok: false });
    expect(fs.readFileSync(target, "utf8")).toBe("keep\n");
    // A sibling directory whose name merely starts with the root's name is outside too.
    const sibling = `${root}-other`;
    fs.mkdirSync(sibling);
    fs.writeFileSync(path.join(sibling, "a.yml"), "keep\n");
    expect(writeFileAtomic(path.join(sibling, "a.yml"), "x\n", { root })).toMatchObject({ ok: false });
  });

  it("writes through a symlink inside the root and keeps the link", () => {
    const real = file("real.yml", "a\n");
    const link = path.join(root, "link.yml");
    fs.symlinkSync("real.yml", link);
    expect(writeFileAtomic(link, "b\n", { root, expectedBytes: Buffer.from("a\n") }).ok).toBe(true);
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(real, "utf8")).toBe("b\n");
  });

  it("refuses a read-only file (by its mode bits, which hold even for root)", () => {
    const p = file("ro.yml", "a\n", 0o444);
    const r = writeFileAtomic(p, "b\n", { root });
    expect(r).toMatchObject({ ok: false });
    if (!r.ok) expect(r.reason).toMatch(/read-only/);
    expect(fs.readFileSync(p, "utf8")).toBe("a\n");
  });

  it("refuses a file in a read-only directory", () => {
    const p = file(".github/workflows/ci.yml", "a\n");
    fs.chmodSync(path.dirname(p), 0o555);
    const r = writeFileAtomic(p, "b\n", { root });
    expect(r).toMatchObject({ ok: false });
    if (!r.ok) expect(r.reason).toMatch(/read-only/);
    expect(fs.readFileSync(p, "utf8")).toBe("a\n");
  });

  it("refuses a directory", () => {
    expect(writeFileAtomic(path.join(root, ".github"), "x", { root })).toMatchObject({ ok: false });
  });

  it("creates a missing file when no expected bytes are given", () => {
    const p = path.join(root, "new.yml");
    expect(writeFileAtomic(p, "on: push\n", { root }).ok).toBe(true);
    expect(fs.readFileSync(p, "utf8")).toBe("on: push\n");
  });
});
