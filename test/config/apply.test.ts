import { describe, expect, it } from "vitest";
import { globToRegExp, isIgnoredFinding, isIgnoredPath, ruleLevel, ruleOptions, settingsFromConfig } from "../../src/config/apply.js";
import { parseConfigText } from "../../src/config/load.js";
import { emptyConfig } from "../../src/config/types.js";

const cfg = (text: string) => parseConfigText(text, "cfg.yml");

describe("settingsFromConfig and the options each rule is given", () => {
  it("defaults", () => {
    expect(settingsFromConfig(emptyConfig(), {})).toEqual({ visibility: "unknown" });
    expect(ruleOptions(emptyConfig(), "unpinned-ref")).toEqual({});
  });

  it("takes each key from the file; a top-level shorthand is the rule option it stands for", () => {
    const config = cfg('visibility: public\nmin-runner-version: "2.290.0"\nfanout-threshold: 6\nunpinned-ref-policy: tag\n');
    expect(settingsFromConfig(config, {})).toEqual({ visibility: "public" });
    expect(ruleOptions(config, "composite-role-conflict")).toEqual({ "min-runner-version": "2.290.0" });
    expect(ruleOptions(config, "oidc-fanout-no-retry")).toEqual({ threshold: 6 });
    expect(ruleOptions(config, "unpinned-ref")).toEqual({ policy: "tag" });
  });

  it("rule options win over the top-level shorthands", () => {
    const config = cfg(
      [
        'min-runner-version: "2.290.0"',
        "fanout-threshold: 6",
        "unpinned-ref-policy: tag",
        "rules:",
        "  unpinned-ref: { policy: sha-all }",
        "  oidc-fanout-no-retry: { threshold: 3 }",
        '  composite-role-conflict: { min-runner-version: "2.299.0" }',
      ].join("\n"),
    );
    expect(ruleOptions(config, "unpinned-ref")).toEqual({ policy: "sha-all" });
    expect(ruleOptions(config, "oidc-fanout-no-retry")).toEqual({ threshold: 3 });
    expect(ruleOptions(config, "composite-role-conflict")).toEqual({ "min-runner-version": "2.299.0" });
  });

  it("CLI flags win over the file; undefined flags do not", () => {
    const config = cfg('visibility: public\nmin-runner-version: "2.290.0"\nfanout-threshold: 6\nunpinned-ref-policy: tag\n');
    expect(settingsFromConfig(config, { visibility: "private" })).toEqual({ visibility: "private" });
    expect(ruleOptions(config, "composite-role-conflict", { "composite-role-conflict": { "min-runner-version": "2.300.0" } })).toEqual({
      "min-runner-version": "2.300.0",
    });
    expect(ruleOptions(config, "unpinned-ref", { "composite-role-conflict": { "min-runner-version": "2.300.0" } })).toEqual({ policy: "tag" });
    expect(settingsFromConfig(config, { visibility: undefined }).visibility).toBe("public");
  });
});

describe("ruleLevel and ruleOptions", () => {
  const config = cfg("rules:\n  unpinned-ref: off\n  static-aws-keys: { level: error }\n  oidc-fanout-no-retry: { threshold: 5 }\n");
  it("configured level, `off`, or the default", () => {
    expect(ruleLevel(config, "unpinned-ref", "warning")).toBe("off");
    expect(ruleLevel(config, "static-aws-keys", "warning")).toBe("error");
    expect(ruleLevel(config, "oidc-fanout-no-retry", "warning")).toBe("warning");
    expect(ruleLevel(config, "aws-invalid-input", "error")).toBe("error");
    expect(ruleLevel(config, "aws-invalid-input")).toBeUndefined();
    expect(ruleLevel(config, "constructor", "note")).toBe("note");
  });
  it("options", () => {
    expect(ruleOptions(config, "oidc-fanout-no-retry")).toEqual({ threshold: 5 });
    expect(ruleOptions(config, "unpinned-ref")).toEqual({});
    expect(ruleOptions(config, "toString")).toEqual({});
  });
});

describe("globToRegExp", () => {
  const matches = (glob: string, path: string) => globToRegExp(glob).test(path);

  it("**/*.yml matches at every depth, dot folders included", () => {
    for (const p of ["ci.yml", ".github/workflows/ci.yml", "a/b/c/d.yml"]) expect(matches("**/*.yml", p)).toBe(true);
    expect(matches("**/*.yml", "ci.yaml")).toBe(false);
    expect(matches("**/*.yml", "a/ci.yml.bak")).toBe(false);
  });

  it("a path matches exactly", () => {
    expect(matches(".github/workflows/ci.yml", ".github/workflows/ci.yml")).toBe(true);
    expect(matches(".github/workflows/ci.yml", ".github/workflows/ci.yml.orig")).toBe(false);
    expect(matches(".github/workflows/ci.yml", "x/.github/workflows/ci.yml")).toBe(false);
    expect(matches(".github/workflows/ci.yml", ".github/workflowsXci.yml")).toBe(false);
    expect(matches("./.github/workflows/ci.yml", ".github/workflows/ci.yml")).toBe(true);
  });

  it("a glob without a slash does not match base names in subfolders", () => {
    expect(matches("ci.yml", "ci.yml")).toBe(true);
    expect(matches("ci.yml", ".github/workflows/ci.yml")).toBe(false);
    expect(matches("*.yml", "ci.yml")).toBe(true);
    expect(matches("*.yml", ".github/workflows/ci.yml")).toBe(false);
    expect(matches("*", "a/b")).toBe(false);
  });

  it("* and ? stay within a segment", () => {
    expect(matches(".github/workflows/*.yml", ".github/workflows/release.yml")).toBe(true);
    expect(matches(".github/workflows/*.yml", ".github/workflows/sub/release.yml")).toBe(false);
    expect(matches(".github/workflows/ci-?.yml", ".github/workflows/ci-1.yml")).toBe(true);
    expect(matches(".github/workflows/ci-?.yml", ".github/workflows/ci-12.yml")).toBe(false);
    expect(matches("a?b", "a/b")).toBe(false);
  });

  it("** in the middle and at the end", () => {
    expect(matches("actions/**/action.yml", "actions/action.yml")).toBe(true);
    expect(matches("actions/**/action.yml", "actions/a/b/action.yml")).toBe(true);
    expect(matches("actions/**/action.yml", "other/actions/a/action.yml")).toBe(false);
    expect(matches("vendor/**", "vendor/x/action.yml")).toBe(true);
    expect(matches("vendor/**", "vendored/x.yml")).toBe(false);
    expect(matches("vendor/", "vendor/a.yml")).toBe(true);
    expect(matches("**", "any/thing.yml")).toBe(true);
    // `**` that is not a whole segment acts as `*`.
    expect(matches("a**.yml", "abc.yml")).toBe(true);
    expect(matches("a**.yml", "a/b.yml")).toBe(false);
  });

  it("braces and literal regex characters", () => {
    expect(matches("**/action.{yml,yaml}", "x/action.yaml")).toBe(true);
    expect(matches("**/action.{yml,yaml}", "x/action.json")).toBe(false);
    expect(matches("a+b(1).yml", "a+b(1).yml")).toBe(true);
    expect(matches("a.yml", "aXyml")).toBe(false);
    expect(matches("{unclosed", "{unclosed")).toBe(true);
  });

  it("characters picomatch would read as syntax stay literal", () => {
    expect(matches("[ab].yml", "[ab].yml")).toBe(true);
    expect(matches("[ab].yml", "a.yml")).toBe(false);
    expect(matches("!x.yml", "!x.yml")).toBe(true);
    expect(matches("!x.yml", "y.yml")).toBe(false);
    expect(matches("@(a).yml", "@(a).yml")).toBe(true);
    expect(matches("{a}.yml", "{a}.yml")).toBe(true);
    expect(matches("a,b.yml", "a,b.yml")).toBe(true);
    expect(matches("a|b$^.yml", "a|b$^.yml")).toBe(true);
  });

  it("** crosses folders only as a whole segment; a folder glob never matches a file named like the folder", () => {
    expect(matches("**{a,b}.yml", "x/a.yml")).toBe(false);
    expect(matches("***/x.yml", "a/b/x.yml")).toBe(true);
    expect(matches("vendor/", "vendor")).toBe(false);
    expect(matches("vendor/**", "vendor")).toBe(false);
    expect(matches("./", "ci.yml")).toBe(false);
  });
});

describe("isIgnoredPath and isIgnoredFinding", () => {
  const config = cfg(
    [
      "ignore:",
      "  - vendor/**",
      "  - ci.yml",
      "  - .github/workflows/experimental-*.yml",
      "ignore-findings:",
      "  - unpinned-ref:.github/workflows/release.yml:12",
      "  - static-aws-keys:.github/workflows/legacy.yml",
      "  - .github/workflows/any-rule.yml:3",
      "  - { rule: aws-invalid-input, path: 'actions/**/action.yml' }",
    ].join("\n"),
  );

  it("ignore globs", () => {
    expect(isIgnoredPath(config, "vendor/a/action.yml")).toBe(true);
    expect(isIgnoredPath(config, "ci.yml")).toBe(true);
    expect(isIgnoredPath(config, ".github/workflows/ci.yml")).toBe(false);
    expect(isIgnoredPath(config, ".github/workflows/experimental-x.yml")).toBe(true);
    expect(isIgnoredPath(config, "./.github/workflows/experimental-x.yml")).toBe(true);
    expect(isIgnoredPath(config, ".github/workflows/release.yml")).toBe(false);
    expect(isIgnoredPath(emptyConfig(), "ci.yml")).toBe(false);
  });

  it("ignore-findings by rule, path and line", () => {
    expect(isIgnoredFinding(config, "unpinned-ref", ".github/workflows/release.yml", 12)).toBe(true);
    expect(isIgnoredFinding(config, "unpinned-ref", ".github/workflows/release.yml", 13)).toBe(false);
    expect(isIgnoredFinding(config, "static-aws-keys", ".github/workflows/release.yml", 12)).toBe(false);
    expect(isIgnoredFinding(config, "static-aws-keys", ".github/workflows/legacy.yml", 99)).toBe(true);
    expect(isIgnoredFinding(config, "unpinned-ref", ".github/workflows/legacy.yml", 99)).toBe(false);
    expect(isIgnoredFinding(config, "unpinned-ref", ".github/workflows/any-rule.yml", 3)).toBe(true);
    expect(isIgnoredFinding(config, "static-aws-keys", ".github/workflows/any-rule.yml", 3)).toBe(true);
    expect(isIgnoredFinding(config, "static-aws-keys", ".github/workflows/any-rule.yml", 4)).toBe(false);
    expect(isIgnoredFinding(config, "aws-invalid-input", "actions/deploy/action.yml", 1)).toBe(true);
    expect(isIgnoredFinding(config, "aws-unknown-input", "actions/deploy/action.yml", 1)).toBe(false);
  });
});
