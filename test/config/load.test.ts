import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError, excerpt, loadConfig, MAX_CONFIG_BYTES, parseConfigText, parseIgnoredFinding } from "../../src/config/load.js";

function problem(text: string): ConfigError {
  try {
    parseConfigText(text, "cfg.yml");
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    const e = err as ConfigError;
    // One line, `<path>:<line>:<col>: ...`.
    expect(e.message).not.toContain("\n");
    expect(e.message).toMatch(/^cfg\.yml:\d+:\d+: /);
    return e;
  }
  throw new Error(`no ConfigError for:\n${text}`);
}

describe("parseConfigText: valid files", () => {
  it("reads every key", () => {
    const config = parseConfigText(
      [
        "rules:",
        "  unpinned-ref: { level: error, policy: sha-all }",
        "  static-aws-keys: off",
        "  aws-boolean-trap: note",
        "  oidc-fanout-no-retry:",
        "    threshold: 4",
        "  composite-role-conflict:",
        '    min-runner-version: "2.290.0"',
        "visibility: public",
        'min-runner-version: "2.300.1"',
        "fanout-threshold: 3",
        "unpinned-ref-policy: tag",
        "ignore:",
        "  - vendor/**",
        "  - ./experimental.yml",
        "ignore-findings:",
        "  - unpinned-ref:.github/workflows/ci.yml:12",
        "  - static-aws-keys:legacy.yml",
        "  - .github/workflows/other.yml:7",
        "  - only/a/path.yml",
        "  - { rule: aws-invalid-input, path: a.yml, line: 3 }",
        "  - { path: 'weird:name.yml' }",
      ].join("\n"),
      "cfg.yml",
    );
    expect(config.rules).toEqual({
      "unpinned-ref": { level: "error", options: { policy: "sha-all" } },
      "static-aws-keys": { level: "off", options: {} },
      "aws-boolean-trap": { level: "note", options: {} },
      "oidc-fanout-no-retry": { options: { threshold: 4 } },
      "composite-role-conflict": { options: { "min-runner-version": "2.290.0" } },
    });
    expect(config.visibility).toBe("public");
    // Rule options win over the top-level shorthands (the rules above are as written).
    expect(config.ignore).toEqual(["vendor/**", "experimental.yml"]);
    expect(config.ignoreFindings.map(({ location: _, ...entry }) => entry)).toEqual([
      { rule: "unpinned-ref", path: ".github/workflows/ci.yml", line: 12 },
      { rule: "static-aws-keys", path: "legacy.yml" },
      { path: ".github/workflows/other.yml", line: 7 },
      { path: "only/a/path.yml" },
      { rule: "aws-invalid-input", path: "a.yml", line: 3 },
      { path: "weird:name.yml" },
    ]);
  });

  it("uses the top-level shorthands when no rule option is set", () => {
    const config = parseConfigText('min-runner-version: "2.295.0"\nfanout-threshold: 5\nunpinned-ref-policy: off\n', "cfg.yml");
    expect(config.rules).toEqual({
      "composite-role-conflict": { options: { "min-runner-version": "2.295.0" } },
      "oidc-fanout-no-retry": { options: { threshold: 5 } },
      "unpinned-ref": { options: { policy: "off" } },
    });
  });

  it("keeps where each ignore-findings entry is written", () => {
    const config = parseConfigText("visibility: public\nignore-findings:\n  - unpinned-ref:a.yml:3\n  - { path: b.yml }\n", "cfg.yml");
    expect(config.ignoreFindings.map((e) => [e.location?.path, e.location?.range.start.line, e.location?.range.start.column])).toEqual([
      ["cfg.yml", 3, 5],
      ["cfg.yml", 4, 5],
    ]);
  });

  it("treats an empty file, a comment-only file and empty keys as an empty configuration", () => {
    const empty = { rules: {}, ignore: [], ignoreFindings: [] };
    expect(parseConfigText("", "cfg.yml")).toEqual(empty);
    expect(parseConfigText("# nothing here\n", "cfg.yml")).toEqual(empty);
    expect(parseConfigText("rules:\nignore:\nignore-findings:\n", "cfg.yml")).toEqual(empty);
    expect(parseConfigText("\uFEFF", "cfg.yml")).toEqual(empty);
  });

  it("accepts CRLF line breaks and a BOM", () => {
    const config = parseConfigText("\uFEFFvisibility: private\r\nrules:\r\n  unpinned-ref: off\r\n", "cfg.yml");
    expect(config.visibility).toBe("private");
    expect(config.rules["unpinned-ref"]?.level).toBe("off");
  });

  it("parses the string form of ignore-findings", () => {
    expect(parseIgnoredFinding("a.yml:12")).toEqual({ path: "a.yml", line: 12 });
    expect(parseIgnoredFinding("noext:3")).toEqual({ path: "noext", line: 3 });
    expect(parseIgnoredFinding("unpinned-ref:a.yml")).toEqual({ rule: "unpinned-ref", path: "a.yml" });
    expect(parseIgnoredFinding("unpinned-ref:./a.yml:1")).toEqual({ rule: "unpinned-ref", path: "a.yml", line: 1 });
  });
});

describe("parseConfigText: errors with positions", () => {
  it("unknown rule id points at the key and suggests the right one", () => {
    const e = problem("visibility: public\nrules:\n  unpinned-ref: error\n  unpined-ref: warning\n");
    expect(e.message).toBe('cfg.yml:4:3: unknown rule id "unpined-ref" (did you mean "unpinned-ref"?)');
    expect([e.line, e.column]).toEqual([4, 3]);
  });

  it("bad level value points at the value", () => {
    const e = problem("rules:\n  unpinned-ref: warn\n");
    expect(e.message).toBe('cfg.yml:2:17: rules.unpinned-ref: invalid value "warn" (did you mean "warning"?); expected one of error, warning, note, off');
  });

  it("bad level inside the mapping form", () => {
    const e = problem("rules:\n  unpinned-ref:\n    level: fatal\n");
    expect(e.message).toMatch(/^cfg\.yml:3:12: rules\.unpinned-ref\.level: invalid value "fatal"; expected one of error, warning, note, off$/);
  });

  it("a rule value of the wrong type names both accepted forms", () => {
    expect(problem("rules:\n  unpinned-ref: 3\n").message).toBe(
      "cfg.yml:2:17: rules.unpinned-ref: expected one of error, warning, note, off or a mapping, got 3",
    );
    // An empty value is shown at its key.
    expect(problem("rules:\n  unpinned-ref:\n").message).toMatch(/^cfg\.yml:2:3: rules\.unpinned-ref: expected .* got an empty value$/);
  });

  it("unknown and invalid rule options", () => {
    expect(problem("rules:\n  unpinned-ref: { polcy: sha }\n").message).toBe(
      'cfg.yml:2:19: rules.unpinned-ref: unknown option "polcy" (did you mean "policy"?); known options: level, policy',
    );
    expect(problem("rules:\n  static-aws-keys: { policy: sha }\n").message).toMatch(
      /^cfg\.yml:2:22: rules\.static-aws-keys: unknown option "policy".*only level can be set$/,
    );
    expect(problem("rules:\n  unpinned-ref:\n    policy: pinned\n").message).toMatch(
      /^cfg\.yml:3:13: rules\.unpinned-ref\.policy: invalid value "pinned"; expected one of sha, sha-all, tag, off$/,
    );
    expect(problem("rules:\n  oidc-fanout-no-retry: { threshold: 1 }\n").message).toBe(
      "cfg.yml:2:38: rules.oidc-fanout-no-retry.threshold: must be at least 2, got 1",
    );
    expect(problem("rules:\n  composite-role-conflict: { min-runner-version: v2.1 }\n").message).toBe(
      'cfg.yml:2:50: rules.composite-role-conflict.min-runner-version: invalid value "v2.1"; expected a runner version such as "2.295.0"',
    );
  });

  it("wrong types at the top level", () => {
    expect(problem("rules: [unpinned-ref]\n").message).toBe("cfg.yml:1:8: rules: expected a mapping, got a list");
    expect(problem("fanout-threshold: many\n").message).toBe('cfg.yml:1:19: fanout-threshold: expected an integer, got "many"');
    expect(problem("fanout-threshold: 2.5\n").message).toBe("cfg.yml:1:19: fanout-threshold: expected an integer, got 2.5");
    expect(problem("min-runner-version: 2.295\n").message).toBe("cfg.yml:1:21: min-runner-version: expected a string, got 2.295");
    expect(problem("- rules\n").message).toBe("cfg.yml:1:1: top level: expected a mapping, got a list");
  });

  it("bad visibility and unknown top-level key", () => {
    expect(problem("visibility: secret\n").message).toBe(
      'cfg.yml:1:13: visibility: invalid value "secret"; expected one of public, private, internal',
    );
    expect(problem("\n\nvisiblity: public\n").message).toBe('cfg.yml:3:1: unknown key "visiblity" (did you mean "visibility"?)');
    expect(problem("unpinned-ref-policy: branch\n").message).toMatch(/^cfg\.yml:1:22: unpinned-ref-policy: invalid value "branch"/);
  });

  it("bad glob types", () => {
    expect(problem("ignore: '*.yml'\n").message).toBe('cfg.yml:1:9: ignore: expected a list, got "*.yml"');
    expect(problem("ignore:\n  - a.yml\n  - 7\n").message).toBe("cfg.yml:3:5: ignore[1]: expected a string, got 7");
    expect(problem("ignore:\n  - ''\n").message).toBe("cfg.yml:2:5: ignore[0]: must not be empty");
  });

  it("bad ignore-findings entries", () => {
    expect(problem("ignore-findings:\n  - unpined-ref:a.yml:3\n").message).toBe(
      'cfg.yml:2:5: ignore-findings[0]: unknown rule id "unpined-ref" (did you mean "unpinned-ref"?) in "unpined-ref:a.yml:3"',
    );
    expect(problem("ignore-findings:\n  - a.yml:x:y:z\n").message).toMatch(/^cfg\.yml:2:5: ignore-findings\[0\]: /);
    expect(problem("ignore-findings:\n  - { rule: unpinned-ref }\n").message).toBe(
      'cfg.yml:2:5: ignore-findings[0]: missing required key "path"',
    );
    expect(problem("ignore-findings:\n  - { rule: nope, path: a.yml }\n").message).toBe(
      'cfg.yml:2:13: ignore-findings[0].rule: unknown rule id "nope"',
    );
    expect(problem("ignore-findings:\n  - { path: a.yml, line: 0 }\n").message).toBe(
      "cfg.yml:2:26: ignore-findings[0].line: must be at least 1, got 0",
    );
    expect(problem("ignore-findings:\n  - { path: a.yml, lines: 3 }\n").message).toBe(
      'cfg.yml:2:20: ignore-findings[0]: unknown key "lines" (did you mean "line"?)',
    );
    expect(problem("ignore-findings:\n  - 12\n").message).toBe(
      "cfg.yml:2:5: ignore-findings[0]: expected a string or a mapping, got 12",
    );
  });

  it("reports every problem, sorted by position, the first in the message", () => {
    const e = problem("visibility: nobody\nrules:\n  nope: error\n  unpinned-ref: x\n");
    expect(e.problems.map((p) => [p.line, p.column])).toEqual([
      [1, 13],
      [3, 3],
      [4, 17],
    ]);
    expect(e.message.startsWith("cfg.yml:1:13: visibility")).toBe(true);
  });

  it("YAML syntax errors carry their position", () => {
    const e = problem("rules:\n  unpinned-ref: [error\nvisibility: public\n");
    expect(e.message).toMatch(/^cfg\.yml:\d+:\d+: YAML syntax error: /);
    expect(e.line).toBeGreaterThanOrEqual(2);
    expect(problem("visibility: public\nvisibility: private\n").message).toMatch(/^cfg\.yml:2:1: YAML syntax error: Map keys must be unique/);
    expect(problem("a: 1\n---\nb: 2\n").message).toMatch(/^cfg\.yml:2:1: YAML syntax error: /);
  });

  it("columns after a BOM and with CRLF match the editor's", () => {
    expect(problem("\uFEFFvisibility: x\r\n").message).toMatch(/^cfg\.yml:1:13: /);
    expect(problem("rules:\r\n  bad-rule: off\r\n").message).toMatch(/^cfg\.yml:2:3: unknown rule id "bad-rule"$/);
  });

  it("aliases resolve before validation", () => {
    const config = parseConfigText("rules:\n  unpinned-ref: &lvl note\n  static-aws-keys: *lvl\n", "cfg.yml");
    expect(config.rules["static-aws-keys"]?.level).toBe("note");
    expect(problem("rules:\n  unpinned-ref: &lvl nope\n  static-aws-keys: *lvl\n").problems.map((p) => p.line)).toEqual([2, 3]);
  });
});

describe("loadConfig", () => {
  const dir = mkdtempSync(join(tmpdir(), "credflow-config-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("returns an empty configuration and no path when there is no file", () => {
    const root = join(dir, "none");
    mkdirSync(root);
    expect(loadConfig({ root })).toEqual({ config: { rules: {}, ignore: [], ignoreFindings: [] } });
  });

  it("finds .credflow.yml at the root and shows its path relative to cwd", () => {
    const root = join(dir, "repo");
    mkdirSync(root);
    writeFileSync(join(root, ".credflow.yml"), "visibility: internal\n");
    const loaded = loadConfig({ root, cwd: dir });
    expect(loaded.path).toBe("repo/.credflow.yml");
    expect(loaded.config.visibility).toBe("internal");
  });

  it("reads an explicit file relative to cwd, and reports errors with its display path", () => {
    writeFileSync(join(dir, "custom.yml"), "rules:\n  typo-rule: off\n");
    expect(() => loadConfig({ root: join(dir, "repo"), explicitPath: "custom.yml", cwd: dir })).toThrow(
      'custom.yml:2:3: unknown rule id "typo-rule"',
    );
    writeFileSync(join(dir, "empty.yml"), "");
    expect(loadConfig({ root: dir, explicitPath: join(dir, "empty.yml"), cwd: dir })).toEqual({
      path: "empty.yml",
      config: { rules: {}, ignore: [], ignoreFindings: [] },
    });
  });

  it("a missing --config file cannot be read", () => {
    let caught: unknown;
    try {
      loadConfig({ root: dir, explicitPath: "missing.yml", cwd: dir });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).message).toBe("missing.yml: cannot read configuration file (no such file)");
  });

  /** The one-line message of the ConfigError `load` throws. */
  function refusal(load: () => unknown): string {
    let caught: unknown;
    try {
      load();
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const message = (caught as ConfigError).message;
    expect(message).not.toContain("\n");
    return message;
  }

  function freshRoot(name: string): string {
    const root = join(dir, name);
    mkdirSync(root);
    return root;
  }

  it("follows a link at the root to a file inside the repository", () => {
    const root = freshRoot("inner-link");
    mkdirSync(join(root, "conf"));
    writeFileSync(join(root, "conf", "credflow.yml"), "visibility: public\n");
    symlinkSync(join("conf", "credflow.yml"), join(root, ".credflow.yml"));
    expect(loadConfig({ root, cwd: root })).toEqual({ path: ".credflow.yml", config: expect.objectContaining({ visibility: "public" }) });
  });

  it("refuses a link at the root to a file outside the repository, quoting nothing of it", () => {
    const root = freshRoot("outer-link");
    writeFileSync(join(dir, "outside.yml"), "SECRET_CANARY_91: x\n");
    symlinkSync(join(dir, "outside.yml"), join(root, ".credflow.yml"));
    const message = refusal(() => loadConfig({ root, cwd: root }));
    expect(message).toBe(".credflow.yml: symbolic link points outside the repository; not read");
    // .credflow.yaml is a refused name too, and a link through a linked folder counts as well.
    const yaml = freshRoot("outer-link-yaml");
    symlinkSync(dir, join(yaml, "up"));
    symlinkSync(join("up", "outside.yml"), join(yaml, ".credflow.yaml"));
    expect(refusal(() => loadConfig({ root: yaml, cwd: yaml }))).toBe(".credflow.yaml: symbolic link points outside the repository; not read");
  });

  it("refuses a dangling link, a FIFO and a device at the root", () => {
    const dangling = freshRoot("dangling");
    symlinkSync("nowhere.yml", join(dangling, ".credflow.yml"));
    expect(refusal(() => loadConfig({ root: dangling, cwd: dangling }))).toBe(
      ".credflow.yml: symbolic link to a missing or unreadable file (ENOENT); not read",
    );
    const fifo = freshRoot("fifo");
    execFileSync("mkfifo", [join(fifo, ".credflow.yml")]);
    expect(refusal(() => loadConfig({ root: fifo, cwd: fifo }))).toBe(".credflow.yml: not a regular file (a FIFO); not read");
    const device = freshRoot("device");
    symlinkSync("/dev/zero", join(device, ".credflow.yml"));
    expect(refusal(() => loadConfig({ root: device, cwd: device }))).toBe(".credflow.yml: symbolic link points outside the repository; not read");
  });

  it("an explicit --config may live anywhere but must be a regular file", () => {
    const root = freshRoot("explicit");
    writeFileSync(join(dir, "elsewhere.yml"), "visibility: private\n");
    symlinkSync(join(dir, "elsewhere.yml"), join(root, "linked.yml"));
    expect(loadConfig({ root, explicitPath: "linked.yml", cwd: root }).config.visibility).toBe("private");
    expect(loadConfig({ root, explicitPath: join(dir, "elsewhere.yml"), cwd: root }).config.visibility).toBe("private");
    execFileSync("mkfifo", [join(root, "fifo.yml")]);
    expect(refusal(() => loadConfig({ root, explicitPath: "fifo.yml", cwd: root }))).toBe("fifo.yml: not a regular file (a FIFO); not read");
    expect(refusal(() => loadConfig({ root, explicitPath: "/dev/zero", cwd: root }))).toMatch(/dev\/zero: not a regular file \(a character device\); not read$/);
    expect(refusal(() => loadConfig({ root, explicitPath: dir, cwd: root }))).toMatch(/: cannot read configuration file \(is a directory\)$/);
  });

  it("refuses a file above the size limit from its size, unread", () => {
    const root = freshRoot("huge");
    writeFileSync(join(root, ".credflow.yml"), "");
    truncateSync(join(root, ".credflow.yml"), MAX_CONFIG_BYTES + 1);
    expect(refusal(() => loadConfig({ root, cwd: root }))).toBe(`.credflow.yml: larger than 1 MiB (${MAX_CONFIG_BYTES + 1} bytes); not read`);
    truncateSync(join(root, ".credflow.yml"), MAX_CONFIG_BYTES);
    // Exactly the limit is read (NUL bytes: a YAML error, not a refusal).
    expect(refusal(() => loadConfig({ root, cwd: root }))).toMatch(/^\.credflow\.yml:\d+:\d+: /);
  });
});

describe("quoting values in messages", () => {
  it("excerpt escapes control characters and caps the length", () => {
    expect(excerpt("plain")).toBe("plain");
    expect(excerpt("a\nb\tc\rd\u0000e\u001bf\u007f")).toBe("a\\nb\\tc\\rd\\x00e\\x1bf\\x7f");
    expect(excerpt("x\u202ey\u2028z")).toBe("x\\u202ey\\u2028z");
    expect(excerpt("a".repeat(40))).toBe("a".repeat(40));
    expect(excerpt("a".repeat(41))).toBe(`${"a".repeat(37)}...`);
    expect(excerpt("\u0000".repeat(20))).toBe(`${"\\x00".repeat(9)}...`);
  });

  it("a scalar where a mapping belongs is quoted in a short, escaped excerpt", () => {
    const environ = `AWS_SECRET_ACCESS_KEY=${"s".repeat(40)}\u0000PATH=/usr/bin\u0000HOME=/root`;
    const e = problem(environ);
    expect(e.message).toBe(`cfg.yml:1:1: top level: expected a mapping, got "AWS_SECRET_ACCESS_KEY=sssssssssssssss..."`);
    expect(e.message).not.toContain("PATH=");
  });

  it("unknown keys and values are capped and escaped too", () => {
    const long = `K${"k".repeat(100)}`;
    const e = problem(`${long}: 1\nrules:\n  "bad\\u0007${"r".repeat(60)}": off\n`);
    for (const p of e.problems) {
      expect(p.message).not.toContain("k".repeat(40));
      expect(p.message).not.toContain("r".repeat(40));
      expect(p.message).not.toContain("\u0007");
    }
    expect(e.problems.some((p) => p.message.includes("\\x07"))).toBe(true);
  });
});
