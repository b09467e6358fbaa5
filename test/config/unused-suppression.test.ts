/**
 * What the engine reports about suppressions (the `unused-suppression` registry entry): a misspelt
 * rule id in a comment always, and with --report-unused-suppressions the comments and
 * `ignore-findings` entries that hide no finding.
 */
import { describe, expect, it } from "vitest";
import { cli } from "../helpers/cli.js";
import { tempRepo } from "../helpers/temp-repo.js";

const WORKFLOW = [
  "on: push", //                                                   1
  "jobs:", //                                                      2
  "  build:", //                                                   3
  "    runs-on: ubuntu-latest", //                                 4
  "    steps:", //                                                 5
  "      - uses: actions/checkout@main # credflow: ignore[unpined-ref] tracked on purpose", // 6
  "      - uses: actions/setup-node@main", //                      7
  "",
].join("\n");

const repo = (files: Record<string, string> = {}) => tempRepo({ ".github/workflows/ci.yml": WORKFLOW, ".git/HEAD": "ref: refs/heads/main\n", ...files });

async function json(args: string[], dir: string): Promise<{ code: number; findings: Array<{ ruleId: string; level: string; message: string; path: string; line: number }> }> {
  const r = await cli([".", "--format", "json", ...args], { cwd: dir });
  const out = JSON.parse(r.stdout) as { findings: Array<{ rule: string; level: string; message: string; path: string; line: number }> };
  return { code: r.code, findings: out.findings.map(({ rule, level, message, path, line }) => ({ ruleId: rule, level, message, path, line })) };
}

describe("a misspelt rule id in a suppression comment", () => {
  it("is a warning at the comment naming the closest rule id, without any flag", async () => {
    const r = await json([], repo());
    const unused = r.findings.filter((f) => f.ruleId === "unused-suppression");
    expect(unused).toEqual([
      {
        ruleId: "unused-suppression",
        level: "warning",
        message: 'Suppression names an unknown rule id "unpined-ref" (did you mean "unpinned-ref"?): it suppresses nothing.',
        path: ".github/workflows/ci.yml",
        line: 6,
      },
    ]);
    // The finding it was meant for is still reported.
    expect(r.findings.filter((f) => f.ruleId === "unpinned-ref").map((f) => f.line)).toEqual([6, 7]);
  });

  it("is silenced with the rule, and explained with the unused ones under --report-unused-suppressions", async () => {
    const off = await json([], repo({ ".credflow.yml": "rules:\n  unused-suppression: off\n" }));
    expect(off.findings.filter((f) => f.ruleId === "unused-suppression")).toEqual([]);
    const flagged = await json(["--report-unused-suppressions"], repo());
    expect(flagged.findings.filter((f) => f.ruleId === "unused-suppression").map((f) => f.message)).toEqual([
      'Unused suppression of unpined-ref: no such finding on line 6. "unpined-ref" (did you mean "unpinned-ref"?) is not a known rule id.',
    ]);
  });
});

describe("ignore-findings entries that hide nothing (--report-unused-suppressions)", () => {
  const config = [
    "rules:", //                                                    1
    "  static-aws-keys: off", //                                    2
    "ignore-findings:", //                                          3
    "  - unpinned-ref:.github/workflows/ci.yml:7", //               4 hides the finding on line 7
    "  - unpinned-ref:.github/workflows/ci.yml:99", //              5 hides nothing
    "  - { path: .github/workflows/other.yml }", //                 6 hides nothing
    "  - static-aws-keys:.github/workflows/ci.yml", //              7 the rule is off: not reported
    "",
  ].join("\n");

  it("are reported at their line in .credflow.yml; the others are not", async () => {
    const dir = repo({ ".credflow.yml": config });
    const r = await json(["--report-unused-suppressions"], dir);
    expect(r.findings.filter((f) => f.path === ".credflow.yml")).toEqual([
      {
        ruleId: "unused-suppression",
        level: "warning",
        message: 'Unused ignore-findings entry "unpinned-ref:.github/workflows/ci.yml:99": it hides no finding.',
        path: ".credflow.yml",
        line: 5,
      },
      {
        ruleId: "unused-suppression",
        level: "warning",
        message: 'Unused ignore-findings entry ".github/workflows/other.yml": it hides no finding.',
        path: ".credflow.yml",
        line: 6,
      },
    ]);
    // The text output names the place too.
    const text = await cli([".", "--report-unused-suppressions"], { cwd: dir });
    expect(text.stdout.replace(/\s+/g, " ")).toContain('warning[unused-suppression]: Unused ignore-findings entry "unpinned-ref:.github/workflows/ci.yml:99"');
    expect(text.stdout).toMatch(/^ +--> \.credflow\.yml:5:5$/m);
  });

  it("are not reported without the flag", async () => {
    const r = await json([], repo({ ".credflow.yml": config }));
    expect(r.findings.filter((f) => f.path === ".credflow.yml")).toEqual([]);
  });
});
