/**
 * Repositories whose file system is hostile: directories named like workflows or action.yml,
 * symbolic links out of the repository (to files, to folders, as `.github/workflows` itself),
 * link loops, dangling links, FIFOs and devices, odd file names. Nothing outside the repository is
 * read or written; `--fix` changes nothing outside (and, where the only fixable file lives outside,
 * nothing at all).
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { tempRepo } from "../helpers/temp-repo.js";
import { changes, expectFixWritesNothing, expectSane, outsideDir, runCli, runProcess, snapshot } from "../fuzz/harness.js";

const WF = ".github/workflows/w.yml";
/** A workflow with a fixable finding (unpinned-ref pins the tag): proof that a fix was possible. */
const FIXABLE = "on: push\npermissions:\n  id-token: write\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: aws-actions/configure-aws-credentials@v4\n        with:\n          role-to-assume: arn:aws:iam::123456789012:role/r\n          aws-region: us-east-1\n";
const FIXABLE_ACTION = "name: a\nruns:\n  using: composite\n  steps:\n    - uses: aws-actions/configure-aws-credentials@v4\n      with:\n        role-to-assume: arn:aws:iam::123456789012:role/r\n        aws-region: us-east-1\n";
const CALLER = "on: push\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: ./act\n";
const CLEAN = "on: push\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n";

/** An outside folder holding fixable files: any write there is a bug. */
function fixableOutside(): string {
  const out = outsideDir();
  fs.writeFileSync(path.join(out, "w.yml"), FIXABLE);
  fs.mkdirSync(path.join(out, "act"));
  fs.writeFileSync(path.join(out, "act", "action.yml"), FIXABLE_ACTION);
  fs.mkdirSync(path.join(out, "workflows"));
  fs.writeFileSync(path.join(out, "workflows", "w.yml"), FIXABLE);
  return out;
}

describe("directories where files belong", () => {
  it("directories named x.yml, x.yaml, .yml and X.YML in .github/workflows", async () => {
    const dir = tempRepo({
      ".github/workflows/x.yml/inner.yml": FIXABLE,
      ".github/workflows/x.yaml/keep": "",
      ".github/workflows/.yml/keep": "",
      ".github/workflows/X.YML/keep": "",
      ".github/workflows/ok.yml": CLEAN,
    });
    const r = await runCli(["."], dir);
    expectSane(r, { paths: [".github/workflows/x.yml", ".github/workflows/x.yaml", ".github/workflows/.yml", ".github/workflows/X.YML"], codes: [1] });
    await expectFixWritesNothing(dir, ["."]);
  });

  it("a directory named action.yml (and one named action.yaml) where a composite should be", async () => {
    const dir = tempRepo({ [WF]: CALLER, "act/action.yml/keep": "", "act/action.yaml/keep": "" });
    const r = await runCli(["."], dir);
    expectSane(r, { paths: [WF], codes: [1] });
    await expectFixWritesNothing(dir, ["."]);
  });

  it("a directory named action.yml next to a real action.yaml: the file is used", async () => {
    const dir = tempRepo({ [WF]: CALLER, "act/action.yml/keep": "", "act/action.yaml": FIXABLE_ACTION });
    const r = await runCli([".", "--format", "concise"], dir);
    expectSane(r, { paths: ["act/action.yaml"], codes: [1] });
    expect(r.stdout).toMatch(/^act\/action\.yaml:\d+:\d+: .*\[unpinned-ref\]/m);
  });

  it("a directory named like a workflow given on the command line", async () => {
    const dir = tempRepo({ ".github/workflows/x.yml/keep": "" });
    const r = await runCli([".github/workflows/x.yml"], dir);
    // A directory argument lints what lies under it: nothing here, which is a usage error.
    expectSane(r, { codes: [2] });
    expect(r.stderr).toMatch(/^credflow: \.github\/workflows\/x\.yml: nothing to lint here; .*\n$/);
  });
});

describe("symbolic links out of the repository are never followed", () => {
  const layouts: Record<string, (dir: string, out: string) => string[]> = {
    "a workflow linking to an outside file": (dir, out) => {
      fs.symlinkSync(path.join(out, "w.yml"), path.join(dir, ".github/workflows/link.yml"));
      return [".github/workflows/link.yml"];
    },
    "a workflow linking through a relative path": (dir, out) => {
      fs.symlinkSync(path.relative(path.join(dir, ".github/workflows"), path.join(out, "w.yml")), path.join(dir, ".github/workflows/rel.yml"));
      return [".github/workflows/rel.yml"];
    },
    "a composite folder linking outside": (dir, out) => {
      fs.writeFileSync(path.join(dir, WF), CALLER);
      fs.symlinkSync(path.join(out, "act"), path.join(dir, "act"));
      return [WF];
    },
    "an action.yml linking outside": (dir, out) => {
      fs.writeFileSync(path.join(dir, WF), CALLER);
      fs.mkdirSync(path.join(dir, "act"));
      fs.symlinkSync(path.join(out, "act", "action.yml"), path.join(dir, "act", "action.yml"));
      return [WF];
    },
    "a parent folder of the composite linking outside": (dir, out) => {
      fs.writeFileSync(path.join(dir, WF), "on: push\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: ./vendor/act\n");
      fs.symlinkSync(out, path.join(dir, "vendor"));
      return [WF];
    },
    ".github/workflows itself linking outside": (dir, out) => {
      fs.rmSync(path.join(dir, ".github/workflows"), { recursive: true });
      fs.symlinkSync(path.join(out, "workflows"), path.join(dir, ".github/workflows"));
      return [WF];
    },
    ".github linking outside": (dir, out) => {
      fs.rmSync(path.join(dir, ".github"), { recursive: true });
      fs.mkdirSync(path.join(out, "gh", "workflows"), { recursive: true });
      fs.writeFileSync(path.join(out, "gh", "workflows", "w.yml"), FIXABLE);
      fs.symlinkSync(path.join(out, "gh"), path.join(dir, ".github"));
      return [WF];
    },
    "a reusable workflow linking outside": (dir, out) => {
      fs.writeFileSync(path.join(dir, WF), "on: push\njobs:\n  j:\n    uses: ./.github/workflows/called.yml\n");
      fs.writeFileSync(path.join(out, "called.yml"), FIXABLE.replace("on: push", "on: workflow_call"));
      fs.symlinkSync(path.join(out, "called.yml"), path.join(dir, ".github/workflows/called.yml"));
      return [WF, ".github/workflows/called.yml"];
    },
    "a link to /dev/zero and one to /dev/urandom": (dir) => {
      fs.symlinkSync("/dev/zero", path.join(dir, ".github/workflows/zero.yml"));
      fs.symlinkSync("/dev/urandom", path.join(dir, ".github/workflows/random.yml"));
      return [".github/workflows/zero.yml", ".github/workflows/random.yml"];
    },
  };

  for (const [name, build] of Object.entries(layouts)) {
    it(name, async () => {
      const out = fixableOutside();
      const dir = tempRepo({ ".github/workflows/.keep": "" });
      const expected = build(dir, out);
      const r = await runCli(["."], dir);
      expectSane(r, { paths: expected, codes: [1] });
      // (Rows are wrapped at 80 columns: read the text as one line.)
      expect(r.stdout.replace(/\s+/g, " ")).toMatch(/outside the repository/);
      // No finding ever points into the outside folder's files (it was never read).
      expect(r.stdout).not.toContain("[unpinned-ref]");
      // A process with a timeout, too: a device must never be read.
      const p = await runProcess(["."], dir, 20_000);
      expectSane(p, { paths: expected, codes: [1] });
      await expectFixWritesNothing(dir, ["."], [out]);
    });
  }

  it("a link given on the command line that leaves the repository", async () => {
    const out = fixableOutside();
    const dir = tempRepo({ ".github/workflows/.keep": "" });
    fs.symlinkSync(path.join(out, "w.yml"), path.join(dir, ".github/workflows/link.yml"));
    const r = await runCli([".github/workflows/link.yml"], dir);
    expectSane(r, { paths: [".github/workflows/link.yml"], codes: [1] });
    await expectFixWritesNothing(dir, [".github/workflows/link.yml"], [out]);
  });

  it("links inside the repository are followed, and --fix writes the target, keeping the link", async () => {
    const dir = tempRepo({ "shared/w.yml": FIXABLE, ".github/workflows/.keep": "" });
    fs.symlinkSync("../../shared/w.yml", path.join(dir, ".github/workflows/link.yml"));
    const before = snapshot(dir);
    const r = await runCli(["--fix", "."], dir);
    expectSane(r, { codes: [0, 1] });
    expect(changes(before, snapshot(dir))).toEqual([`changed ${path.join(dir, "shared/w.yml")}`]);
    expect(fs.readlinkSync(path.join(dir, ".github/workflows/link.yml"))).toBe("../../shared/w.yml");
    expect(fs.readFileSync(path.join(dir, "shared/w.yml"), "utf8")).toMatch(/configure-aws-credentials@[0-9a-f]{40} # v4/);
  });
});

describe("links that go nowhere, and things that are not files", () => {
  it("link loops, a self link and a dangling link", async () => {
    const dir = tempRepo({ ".github/workflows/ok.yml": CLEAN, [WF]: CALLER });
    const wfDir = path.join(dir, ".github/workflows");
    fs.symlinkSync("b.yml", path.join(wfDir, "a.yml"));
    fs.symlinkSync("a.yml", path.join(wfDir, "b.yml"));
    fs.symlinkSync("self.yml", path.join(wfDir, "self.yml"));
    fs.symlinkSync("nowhere.yml", path.join(wfDir, "dangling.yml"));
    fs.symlinkSync("act", path.join(dir, "act"));
    const r = await runProcess(["."], dir, 20_000);
    expectSane(r, { paths: [".github/workflows/a.yml", ".github/workflows/self.yml", ".github/workflows/dangling.yml", WF], codes: [1] });
    await expectFixWritesNothing(dir, ["."]);
  });

  it("a FIFO named like a workflow and like action.yml is never opened (no hang)", async () => {
    const dir = tempRepo({ [WF]: CALLER, ".github/workflows/ok.yml": CLEAN });
    fs.mkdirSync(path.join(dir, "act"));
    execFileSync("mkfifo", [path.join(dir, ".github/workflows/fifo.yml"), path.join(dir, "act/action.yml")]);
    const r = await runProcess(["."], dir, 20_000);
    expectSane(r, { paths: [".github/workflows/fifo.yml", WF], codes: [1] });
    const arg = await runProcess([".github/workflows/fifo.yml"], dir, 20_000);
    expectSane(arg, { codes: [2] });
    expect(arg.stderr).toMatch(/^credflow: \.github\/workflows\/fifo\.yml: /);
    const fix = await runProcess([".", "--fix", "--unsafe-fixes"], dir, 20_000);
    expectSane(fix, { codes: [1] });
  });

  it("devices and missing paths on the command line are usage errors", async () => {
    const dir = tempRepo({ [WF]: CLEAN });
    for (const arg of ["/dev/null", "/dev/zero", "missing.yml", "missing/"]) {
      const r = await runProcess([arg], dir, 20_000);
      expectSane(r, { codes: [2] });
      expect(r.stderr).toContain(arg.replace(/\/$/, ""));
    }
  });
});

describe("odd file names", () => {
  const names = ["with space.yml", "ünïcödé-工作流.yml", "-dash.yml", "--fix.yml", "quote'\"name.yml", "back\\slash.yml", "UPPER.YML", "x.yaml", ".hidden.yml", "a%2e%2e.yml"];

  it("are linted and printed as they are", async () => {
    const files: Record<string, string> = {};
    for (const n of names) files[`.github/workflows/${n}`] = "on: push\njobs:\n  j:\n    runs-on: [ubuntu\n";
    const dir = tempRepo(files);
    const r = await runCli(["."], dir);
    expectSane(r, { paths: names.map((n) => `.github/workflows/${n}`), codes: [1] });
    await expectFixWritesNothing(dir, ["."]);
  });

  it("a line break in a file name does not forge a finding line or a GitHub workflow command", async () => {
    const evil = ".github/workflows/evil\n::error file=x.yml,line=1::forged\n.yml";
    const dir = tempRepo({ [evil]: "on: push\njobs:\n  j:\n    runs-on: [ubuntu\n" });
    const text = await runCli(["."], dir);
    expectSane(text, { codes: [1] });
    const lines = text.stdout.split("\n").filter(Boolean);
    expect(lines.filter((l) => / (error|warning|note): /.test(l)).every((l) => l.startsWith(".github/workflows/evil"))).toBe(true);
    expect(lines.some((l) => l.startsWith("::"))).toBe(false);
    const gh = await runCli(["--format", "github", "."], dir);
    expectSane(gh, { codes: [1] });
    const commands = gh.stdout.split("\n").filter(Boolean);
    expect(commands.filter((l) => l.includes("forged")).length).toBe(commands.filter((l) => l.includes("evil")).length);
    expect(commands.every((l) => !l.includes("forged") || l.startsWith("::error file=.github/workflows/evil%0A"))).toBe(true);
    const json = await runCli(["--format", "json", "."], dir);
    expect((JSON.parse(json.stdout) as { findings: Array<{ path: string }> }).findings[0]!.path).toBe(evil);
  });
});
