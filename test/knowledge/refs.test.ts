// The ref table (src/knowledge/data/refs.json, from git mirrors by scripts/refresh-refs.mjs):
// branch or tag is a fact of the action's repository, not of the ref's name.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { disabledVersion } from "../../src/knowledge/disabled-versions.js";
import { NOT_IN_TABLE_NOTE, offlinePins, unavailableReason } from "../../src/knowledge/pins.js";

const pins = offlinePins();
const CAC = "aws-actions/configure-aws-credentials";

interface Row {
  branches: Record<string, number>;
  commits: string[];
  default?: string;
  paths: string[];
  releaseOf?: Record<string, string>;
  tags: Record<string, number>;
}
const refs = JSON.parse(readFileSync(fileURLToPath(new URL("../../src/knowledge/data/refs.json", import.meta.url)), "utf8")) as {
  actions: Record<string, Row | { unavailable: string }>;
};
const row = (action: string) => refs.actions[action] as Row;
/** [sha, day, runtimes] of the commit a tag or branch names in refs.json. */
const commitOf = (action: string, kind: "tags" | "branches", name: string) => row(action).commits[row(action)[kind][name]!]!.split(" ") as [string, string, string];

describe("ref table: branch or tag from the repository", () => {
  it("ruby/setup-ruby@v1 and octokit/request-action@v2.x are branches, though version-shaped", () => {
    expect(pins.resolve("ruby/setup-ruby", "v1")).toMatchObject({ kind: "branch", commit: commitOf("ruby/setup-ruby", "branches", "v1")[0], source: "table" });
    expect(pins.resolve("octokit/request-action", "v2.x")).toMatchObject({ kind: "branch", source: "table" });
    expect(row("ruby/setup-ruby").tags.v1).toBeUndefined();
  });

  it("actions/setup-node@v2-beta and actions/checkout@v2-beta are tags, though not version-shaped", () => {
    for (const action of ["actions/setup-node", "actions/checkout"]) {
      const [sha, day, runtime] = commitOf(action, "tags", "v2-beta");
      expect(pins.resolve(action, "v2-beta"), action).toMatchObject({ kind: "tag", commit: sha, date: day, runtime, source: "table" });
      expect(runtime).toBe("node12");
    }
  });

  it("actions/checkout@master is a branch frozen at node12 code of 2020, not the default branch", () => {
    const [sha, day] = commitOf("actions/checkout", "branches", "master");
    const info = pins.resolve("actions/checkout", "master");
    expect(info).toMatchObject({ kind: "branch", commit: sha, runtime: "node12", date: day, source: "table" });
    expect(day.startsWith("2020-")).toBe(true);
    expect(info.note).toBe(`not the default branch (\`main\`); last commit ${day}`);
    expect(info.newestRelease?.tag).toMatch(/^v\d+\.\d+\.\d+$/);
    expect(pins.runtimeOf("actions/checkout", "master")).toBe("node12");
    expect(pins.resolve("actions/checkout", "main").note).toBe("the default branch: moves with every merge");
  });

  it("configure-aws-credentials@master is a frozen tag (no such branch) at v2.0.0 code on node16", () => {
    const [sha, day] = commitOf(CAC, "tags", "master");
    expect(row(CAC).branches.master).toBeUndefined();
    const info = pins.resolve(CAC, "master");
    expect(info).toMatchObject({ kind: "frozen-tag", commit: sha, tag: "v2.0.0", runtime: "node16", date: day, source: "table" });
    expect(info.note).toBe(`a frozen tag at v2.0.0 code on node16: named like a branch but never updated, unchanged since ${day}`);
  });

  it("other tags named like a branch are plain tags with a note, not assumed frozen", () => {
    const [sha, day] = commitOf("shivammathur/setup-php", "tags", "master");
    expect(row("shivammathur/setup-php").branches.master).toBeUndefined();
    expect(pins.resolve("shivammathur/setup-php", "master")).toMatchObject({
      kind: "tag",
      commit: sha,
      note: `a tag, though named like a branch (there is no branch \`master\`); its commit is from ${day}`,
    });
  });

  it("names that are both a tag and a branch", () => {
    const info = pins.resolve("getsentry/action-github-app-token", "v1");
    expect(info).toMatchObject({ kind: "tag-and-branch", commit: commitOf("getsentry/action-github-app-token", "tags", "v1")[0] });
    expect(info.note).toMatch(/both a tag and a branch/);
  });

  it("an action no table lists: main is a branch, anything else unknown with a note", () => {
    expect(pins.resolve("foo/bar", "v1")).toEqual({ kind: "unknown", action: "foo/bar", ref: "v1", note: NOT_IN_TABLE_NOTE, source: "shape" });
    expect(NOT_IN_TABLE_NOTE).toBe("tag or branch — not in credflow's table; `--online` decides");
    expect(pins.resolve("foo/bar", "main")).toEqual({ kind: "branch", action: "foo/bar", ref: "main", source: "shape" });
    expect(pins.resolve("foo/bar", "v1-node16").kind).toBe("unknown");
  });

  it("runtimes follow the subpath; without one, codeql-action takes what its used subpaths share (its root is a stub)", () => {
    const codeql = row("github/codeql-action");
    expect(codeql.paths[0]).toBe(".");
    expect(codeql.paths).toContain("init");
    const v2 = commitOf("github/codeql-action", "tags", "v2")[2].split(",");
    expect(pins.resolve("github/codeql-action/init", "v2").runtime).toBe(v2[codeql.paths.indexOf("init")]);
    expect(pins.resolve("github/codeql-action", "v2").runtime).toBe("node16");
    expect(pins.resolve("github/codeql-action/no-such-dir", "v2").runtime).toBeUndefined();
    expect(pins.resolve("actions/cache/save", "v4").runtime).toBe(pins.resolve("actions/cache", "v4").runtime);
  });

  it("repositories that could not be read are listed as unavailable, not invented", () => {
    const gone = Object.entries(refs.actions).filter(([, r]) => "unavailable" in r);
    expect(gone.length).toBeGreaterThan(0);
    for (const [action, r] of gone) {
      expect(unavailableReason(action)).toBe((r as { unavailable: string }).unavailable);
      expect(pins.knows(action)).toBe(false);
    }
  });

  it("every tag and branch of refs.json resolves to its own commit and kind", () => {
    for (const [action, r] of Object.entries(refs.actions)) {
      if ("unavailable" in r) continue;
      for (const [name, i] of Object.entries(r.tags)) {
        const info = pins.resolve(action, name);
        expect(info.commit, `${action}@${name}`).toBe(r.commits[i]!.split(" ")[0]);
        expect(["tag", "tag-and-branch", "frozen-tag"], `${action}@${name}`).toContain(info.kind);
      }
      for (const [name, i] of Object.entries(r.branches)) {
        const info = pins.resolve(action, name);
        if (name in r.tags) continue;
        expect(info, `${action}@${name}`).toMatchObject({ kind: "branch", commit: r.commits[i]!.split(" ")[0] });
      }
    }
  });
});

describe("switched-off versions", () => {
  it("artifact actions v1–v3 by tag, with their dates; v4+ and GHES-era v3 releases as the code decides", () => {
    expect(disabledVersion("actions/upload-artifact", "v3", pins)).toMatchObject({ since: "2025-01-30" });
    expect(disabledVersion("actions/download-artifact", "v3", pins)?.source).toMatch(/deprecation-notice-v3-of-the-artifact-actions/);
    expect(disabledVersion("actions/upload-artifact", "v2", pins)).toMatchObject({ since: "2024-06-30" });
    expect(disabledVersion("actions/upload-artifact", "v1", pins)).toMatchObject({ since: "2024-06-30" });
    expect(disabledVersion("actions/upload-artifact", "v3-node20", pins)?.reason).toMatch(/^`v3-node20` is v3\.2\.0 code/);
    // A v3 release made in 2026 for GitHub Enterprise Server: still v3 code.
    expect(disabledVersion("actions/download-artifact", "v3.1.0", pins)).toMatchObject({ since: "2025-01-30" });
    expect(disabledVersion("actions/upload-artifact", "v4", pins)).toBeUndefined();
    expect(disabledVersion("actions/upload-artifact", "v4.0.0", pins)).toBeUndefined();
    // The frozen master branch holds v2 code.
    expect(disabledVersion("actions/upload-artifact", "master", pins)?.reason).toMatch(/the branch's head today/);
  });

  it("actions/cache: v1–v2, v3 before v3.4.0, v4 before v4.2.0", () => {
    for (const ref of ["v1", "v2", "v2.1.8", "v3.0.0", "v3.3.3", "v4.0.0", "v4.1.2"]) {
      expect(disabledVersion("actions/cache", ref, pins), ref).toMatchObject({ since: "2025-03-01" });
    }
    for (const ref of ["v3", "v3.4.0", "v3.5.0", "v4", "v4.2.0", "v5", "main"]) expect(disabledVersion("actions/cache", ref, pins), ref).toBeUndefined();
    expect(disabledVersion("actions/cache/restore", "v3.3.1", pins)).toMatchObject({ since: "2025-03-01" });
    expect(disabledVersion("Actions/Cache", "v4.1.2", pins)?.reason).toMatch(/before v4\.2\.0/);
  });

  it("a pinned SHA that no tag names is placed by the commit map", () => {
    // actions/cache 04f198b (2023-03-21, "Merge pull request #1132"): after v3.3.1, before v3.3.2.
    const before = "04f198bf0b2a39f7230a4304bf07747a0bddf146";
    expect(pins.resolve("actions/cache", before)).toMatchObject({ kind: "sha", basedOn: "v3.3.1", source: "table" });
    expect(disabledVersion("actions/cache", before, pins)).toMatchObject({ since: "2025-03-01" });
    expect(disabledVersion("actions/cache", before, pins)?.reason).toMatch(/^commit 04f198bf0b2a is v3\.3\.1 code/);
    // 3937731 (2025-02-18): after v4.2.1, so on the fixed line.
    const after = "393773170624981bfaa3aac1cb736e3004eac1de";
    expect(pins.resolve("actions/cache", after)).toMatchObject({ kind: "sha", basedOn: "v4.2.1" });
    expect(disabledVersion("actions/cache", after, pins)).toBeUndefined();
    // The tag commit of a release is the release itself.
    const [v331] = commitOf("actions/cache", "tags", "v3.3.1");
    expect(disabledVersion("actions/cache", v331, pins)?.reason).toMatch(/the commit of v3\.3\.1/);
    // A commit the table does not know: no claim.
    expect(disabledVersion("actions/cache", "0123456789abcdef0123456789abcdef01234567", pins)).toBeUndefined();
  });

  it("other actions and unknown refs: no claim", () => {
    expect(disabledVersion("actions/checkout", "v1", pins)).toBeUndefined();
    expect(disabledVersion("actions/cache", "v2.9.9", pins)).toBeUndefined();
    expect(disabledVersion("actions/upload-artifact", "feature/x", pins)).toBeUndefined();
  });
});
