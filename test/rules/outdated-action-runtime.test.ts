import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FIXTURES, lintDir } from "../helpers/lint-fixture.js";
import { lint } from "../../src/engine/lint.js";
import { offlinePins, type PinResolver } from "../../src/knowledge/pins.js";
import type { Finding } from "../../src/rules/types.js";
import { runFixes } from "../../src/engine/fix-run.js";

const RULE = "outdated-action-runtime";
const dir = (c: string) => path.join(FIXTURES, RULE, c);
const ofRule = (findings: Finding[]) => findings.filter((f) => f.ruleId === RULE);

const temps: string[] = [];
afterAll(() => temps.forEach((t) => fs.rmSync(t, { recursive: true, force: true })));

function repo(workflow: string): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "credflow-runtime-"));
  temps.push(root);
  fs.mkdirSync(path.join(root, ".github", "workflows"), { recursive: true });
  fs.writeFileSync(path.join(root, ".github", "workflows", "ci.yml"), workflow);
  return root;
}

describe("outdated-action-runtime", () => {
  it("names the runtime, the code and the newest major", async () => {
    const found = ofRule((await lintDir(dir("node12-node16"))).findings);
    const byLine = new Map(found.map((f) => [f.location.range.start.line, f.message]));
    expect(byLine.get(9)).toContain("`actions/setup-node@v2` runs on node12 (v2.5.2 code)");
    expect(byLine.get(11)).toContain("runs on node12 (v1.7.0 code)");
    expect(byLine.get(11)).toContain("The newest major is v6 (v6.2.3) on node24");
    expect(byLine.get(19)).toContain("both a tag and a branch");
  });

  it("offers only unsafe fixes, and none where unpinned-ref's safe pin owns the `uses:`", async () => {
    const found = ofRule((await lintDir(dir("node12-node16"))).findings);
    const tagAndBranch = found.find((f) => f.location.range.start.line === 19)!;
    expect(tagAndBranch.fix).toBeUndefined();
    expect(tagAndBranch.fixNote).toContain("unpinned-ref's safe fix pins the commit `v1-node16` names first");
    const others = found.filter((f) => f !== tagAndBranch);
    expect(others.length).toBe(5);
    expect(others.every((f) => f.fix?.safe === false)).toBe(true);
  });

  it("replaces a stale `# master` comment when it upgrades a SHA", async () => {
    const found = ofRule((await lintDir(dir("sha-refs"))).findings);
    const last = found.find((f) => f.location.range.start.line === 13)!;
    expect(last.message).toContain("runs on node16 (v2.0.0 code)");
    expect(last.fix?.edits[0]!.text).toBe("aws-actions/configure-aws-credentials@e6de054238d6b7531b4efff3b6587d9aade6a06c # v6.2.3");
  });

  it("does not offer an upgrade when the newest major is outdated too, and says so", async () => {
    const offline = offlinePins();
    const pins: PinResolver = {
      ...offline,
      newestMajor: (action) => (action === "actions/checkout" ? { major: "v3", tag: "v3.7.0", runtime: "node16" } : offline.newestMajor(action)),
    };
    const root = repo("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v2\n");
    const result = await lint({ paths: ["."], cwd: root, settings: { visibility: "unknown" }, pins });
    const [f] = ofRule(result.findings);
    expect(f!.message).toContain("Its newest major, v3 (v3.7.0), still runs on node16");
    expect(f!.fix).toBeUndefined();
  });

  it("names the switched-off version, its date and the failure, once per `uses:` (not a runtime warning too)", async () => {
    const all = (await lintDir(dir("switched-off"))).findings;
    const found = ofRule(all);
    expect(found.map((f) => f.level)).toEqual(["error", "error", "error", "error", "error", "error"]);
    const at = (line: number) => found.find((f) => f.location.range.start.line === line)!;
    expect(at(6).message).toContain("(since 2025-03-01): `v2` is v2.1.7 code: actions/cache v2 and older used the legacy cache service");
    expect(at(14).message).toContain("commit 6849a6489940 is the commit of v4.1.2: actions/cache before v4.2.0");
    expect(at(18).message).toContain("announced for 2024-06-30; runs fail since at least 2024-09-10");
    expect(at(22).message).toContain("`master` is v2.1.0 code (the branch's head today)");
    expect(at(26).message).toContain("(since 2025-01-30)");
    for (const f of found) {
      expect(f.message).not.toMatch(/runs on node1[26]/);
      expect(f.headline).toMatch(/is a version GitHub switched off: every run of this step fails$/);
      expect(f.label).toMatch(/^switched off \(/);
    }
  });

  it("reports the frozen node12 `master` branches of actions/* with their last commit", async () => {
    const found = ofRule((await lintDir(dir("frozen-master-branches"))).findings);
    expect(found.map((f) => f.level)).toEqual(["warning", "warning", "warning", "warning"]);
    expect(found[1]!.message).toContain("`actions/setup-node@master` runs on node12; `master` is not the default branch (`main`); last commit 2021-01-20");
    expect(found[0]!.why).toContain("never tested with");
  });
});

describe("unpinned-ref and outdated-action-runtime on one `uses:`", () => {
  /** Every fix offered at a `uses:` value, by rule, from all rules together. */
  async function fixesAt(workflow: string, options: Record<string, Record<string, unknown>> = {}) {
    const root = repo(workflow);
    const result = await lintDir(root, { options });
    const by = new Map<string, Array<{ rule: string; text?: string; note?: string }>>();
    for (const f of result.findings) {
      if (f.ruleId !== RULE && f.ruleId !== "unpinned-ref") continue;
      const k = String(f.location.range.start.line);
      by.set(k, [...(by.get(k) ?? []), { rule: f.ruleId, text: f.fix?.edits.map((e) => `${e.start}:${e.end}:${e.text}`).join("|"), note: f.fixNote }]);
    }
    return by;
  }

  it("never offer two different edits of the same text, under any policy", async () => {
    const workflow = [
      "on: push",
      "jobs:",
      "  a:",
      "    runs-on: ubuntu-latest",
      "    steps:",
      "      - uses: actions/checkout@master", // 6: branch, node12: both, the same edit
      "      - uses: dorny/paths-filter@v2", // 7: third-party tag, node16: the upgrade owns it
      "      - uses: aws-actions/configure-aws-credentials@master", // 8: frozen tag, node16: the pin owns it
      "        with: { role-to-assume: 'arn:aws:iam::123456789012:role/x', aws-region: us-east-1 }",
      "      - uses: actions/cache@v2", // 10: switched off; tag of actions/* (sha-all flags it)
      "        with: { path: x, key: y }",
      "",
    ].join("\n");
    for (const policy of ["sha", "sha-all", "tag"]) {
      const by = await fixesAt(workflow, { "unpinned-ref": { policy } });
      for (const [line, offers] of by) {
        const texts = new Set(offers.map((o) => o.text).filter((t) => t !== undefined));
        expect(texts.size, `${policy} line ${line}: ${JSON.stringify(offers)}`).toBeLessThanOrEqual(1);
      }
      // Who fixes what: the branch gets the same edit from both rules; the tag's pin waits for the upgrade;
      // the frozen tag's upgrade waits for the pin.
      const six = by.get("6")!;
      expect(six.map((o) => o.rule).sort()).toEqual([RULE, "unpinned-ref"]);
      expect(six[0]!.text).toBe(six[1]!.text);
      expect(six[0]!.text).toContain("actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1");
      const seven = by.get("7")!;
      expect(seven.find((o) => o.rule === RULE)!.text).toContain("dorny/paths-filter@v4");
      if (policy !== "tag") expect(seven.find((o) => o.rule === "unpinned-ref")!.note).toContain("outdated-action-runtime's upgrade fix owns this `uses:`");
      const eight = by.get("8")!;
      expect(eight.find((o) => o.rule === "unpinned-ref")!.text).toContain("configure-aws-credentials@ffc08eae7350b1061d7de219e2135c75561fb680 # master");
      expect(eight.find((o) => o.rule === RULE)!.note).toContain("unpinned-ref's safe fix pins the commit `master` names first");
    }
  });

  it("--fix --unsafe-fixes ends with every `uses:` pinned and upgraded, whichever rule went first", async () => {
    const root = repo(
      [
        "on: push",
        "jobs:",
        "  a:",
        "    runs-on: ubuntu-latest",
        "    steps:",
        "      - uses: aws-actions/configure-aws-credentials@master",
        "        with:",
        "          role-to-assume: arn:aws:iam::123456789012:role/x",
        "          aws-region: us-east-1",
        "      - uses: dorny/paths-filter@v2",
        "",
      ].join("\n"),
    );
    const run = await runFixes({ paths: ["."], cwd: root, settings: { visibility: "unknown" }, pins: offlinePins() }, { write: true, unsafe: true });
    expect(run.messages).toEqual([]);
    const text = fs.readFileSync(path.join(root, ".github", "workflows", "ci.yml"), "utf8");
    expect(text).toContain("- uses: aws-actions/configure-aws-credentials@e6de054238d6b7531b4efff3b6587d9aade6a06c # v6.2.3\n");
    expect(text).toMatch(/- uses: dorny\/paths-filter@[0-9a-f]{40} # v4\n/);
  });
});
