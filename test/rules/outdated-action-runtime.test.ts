import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FIXTURES, lintDir } from "../helpers/lint-fixture.js";
import { lint } from "../../src/engine/lint.js";
import { offlinePins, type PinResolver } from "../../src/knowledge/pins.js";
import type { Finding } from "../../src/rules/types.js";

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

  it("offers only unsafe fixes", async () => {
    const found = ofRule((await lintDir(dir("node12-node16"))).findings);
    expect(found.every((f) => f.fix?.safe === false)).toBe(true);
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
});
