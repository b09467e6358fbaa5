import { describe, expect, it } from "vitest";
import { isFullSha, looksLikeVersion, NOT_IN_TABLE_NOTE, offlinePins } from "../../src/knowledge/pins.js";
import { actionTags, configureTags, releases, semver } from "./shared-data.js";
import { itShared, NEEDS } from "../helpers/shared.js";

const pins = offlinePins();
const CAC = "aws-actions/configure-aws-credentials";
const checkout = actionTags.actions["actions/checkout"]!;
const newestRelease = (action: string) => {
  const tags = actionTags.actions[action]!.tags;
  const tag = releases(tags).at(-1)!;
  return { tag, commit: tags[tag]!.commit };
};

describe("offline pin table", () => {
  itShared([NEEDS.actionTags, NEEDS.configureTags], "actions/checkout@v4 is a tag with its peeled commit and node20", () => {
    const info = pins.resolve("actions/checkout", "v4");
    expect(info).toMatchObject({ kind: "tag", action: "actions/checkout", ref: "v4", commit: checkout.tags.v4!.commit, source: "table" });
    expect(info.runtime).toBe(checkout.runtimeByMajor.v4);
    const sameCommit = releases(checkout.tags).filter((t) => checkout.tags[t]!.commit === checkout.tags.v4!.commit);
    expect(info.tag).toBe(sameCommit.at(-1));
  });

  itShared([NEEDS.actionTags, NEEDS.configureTags], "actions/checkout@main is a branch with the newest release to pin to", () => {
    const info = pins.resolve("actions/checkout", "main");
    expect(info).toMatchObject({ kind: "branch", commit: checkout.branches.main, newestRelease: newestRelease("actions/checkout"), source: "table" });
    expect(pins.resolve("actions/checkout", "master")).toMatchObject({ kind: "branch", commit: checkout.branches.master });
  });

  itShared([NEEDS.actionTags, NEEDS.configureTags], "is case-insensitive in the action and ignores a subpath", () => {
    expect(pins.resolve("Actions/Checkout", "v4").commit).toBe(checkout.tags.v4!.commit);
    const codeql = actionTags.actions["github/codeql-action"]!;
    expect(pins.resolve("github/codeql-action/upload-sarif", "v3")).toMatchObject({ action: "github/codeql-action", commit: codeql.tags.v3!.commit });
    expect(pins.knows("GitHub/CodeQL-Action")).toBe(true);
  });

  itShared([NEEDS.actionTags, NEEDS.configureTags], "configure-aws-credentials@master is a frozen tag at v2.0.0 code on node16", () => {
    const info = pins.resolve(CAC, "master");
    expect(info).toMatchObject({ kind: "frozen-tag", commit: configureTags.tags.master!.commit, tag: "v2.0.0", runtime: "node16", source: "table" });
    expect(info.newestRelease).toEqual(newestRelease(CAC));
    expect(info.note).toMatch(/v2\.0\.0/);
  });

  itShared([NEEDS.actionTags, NEEDS.configureTags], "configure-aws-credentials@v1-node16 is both a tag and a branch", () => {
    const info = pins.resolve(CAC, "v1-node16");
    expect(info).toMatchObject({ kind: "tag-and-branch", commit: configureTags.tags["v1-node16"]!.commit, runtime: "node16", source: "table" });
    expect(info.note).toMatch(/both a tag and a branch/);
  });

  itShared([NEEDS.actionTags, NEEDS.configureTags], "configure-aws-credentials tags take their runtime from their own action.yml", () => {
    for (const [tag, row] of Object.entries(configureTags.tags)) {
      expect(pins.resolve(CAC, tag).runtime, tag).toBe(row.runs);
      expect(pins.resolve(CAC, tag).commit, tag).toBe(row.commit);
    }
    expect(pins.resolve(CAC, "main")).toMatchObject({ kind: "branch", commit: configureTags.branches.main });
    expect(pins.resolve(CAC, "devel")).toMatchObject({ kind: "branch", commit: configureTags.branches.devel });
  });

  itShared([NEEDS.actionTags, NEEDS.configureTags], "every tag and branch of every action resolves to the shared data's commit", () => {
    for (const [action, row] of Object.entries(actionTags.actions)) {
      for (const [tag, { commit }] of Object.entries(row.tags)) {
        const info = pins.resolve(action, tag);
        expect(info.commit, `${action}@${tag}`).toBe(commit);
        expect(["tag", "tag-and-branch", "frozen-tag"]).toContain(info.kind);
      }
      for (const [branch, commit] of Object.entries(row.branches)) {
        expect(pins.resolve(action, branch), `${action}@${branch}`).toMatchObject({ kind: "branch", commit });
      }
    }
  });

  itShared([NEEDS.actionTags, NEEDS.configureTags], "picks the newest release by semver, not by date (backports)", () => {
    const tags = actionTags.actions["actions/download-artifact"]!.tags;
    const byDate = releases(tags).sort((a, b) => tags[b]!.date.localeCompare(tags[a]!.date))[0]!;
    const bySemver = releases(tags).at(-1)!;
    expect(byDate).not.toBe(bySemver); // the data has a later-dated backport
    expect(pins.resolve("actions/download-artifact", "main").newestRelease?.tag).toBe(bySemver);
  });

  itShared([NEEDS.actionTags, NEEDS.configureTags], "SHAs: known ones name their release, unknown ones are classified by shape", () => {
    const sha = checkout.tags.v4!.commit;
    expect(pins.resolve("actions/checkout", sha)).toMatchObject({ kind: "sha", commit: sha, source: "table", runtime: checkout.runtimeByMajor.v4 });
    expect(pins.resolve("actions/checkout", sha).tag).toMatch(/^v4\.\d+\.\d+$/);
    expect(pins.resolve("actions/checkout", checkout.branches.main!)).toMatchObject({ kind: "sha", source: "table" });
    const unknown = "0123456789abcdef0123456789abcdef01234567";
    expect(pins.resolve("actions/checkout", unknown)).toMatchObject({ kind: "sha", commit: unknown, source: "shape" });
  });

  itShared([NEEDS.actionTags, NEEDS.configureTags], "refs a known action's table lacks are unknown (no guessing from the name), conventional branch names are branches", () => {
    for (const ref of ["v99", "v99.1.0", "feature/x", "v4-node99"]) {
      const info = pins.resolve("actions/checkout", ref);
      expect(info, ref).toMatchObject({ kind: "unknown", source: "shape", note: NOT_IN_TABLE_NOTE, newestRelease: newestRelease("actions/checkout") });
      expect(info.runtime, ref).toBeUndefined();
    }
    expect(pins.resolve("actions/checkout", "develop")).toMatchObject({ kind: "branch", source: "shape", newestRelease: newestRelease("actions/checkout") });
  });

  it("unknown actions: only SHAs and main/master/develop/trunk are classified by shape", () => {
    const cases: Array<[string, string]> = [
      ["v1", "unknown"],
      ["v1.2", "unknown"],
      ["v1.2.3", "unknown"],
      ["1.2.3", "unknown"],
      ["v1.2.3-rc.1", "unknown"],
      ["main", "branch"],
      ["master", "branch"],
      ["develop", "branch"],
      ["trunk", "branch"],
      ["dev", "unknown"],
      ["HEAD", "unknown"],
      ["release/2024", "unknown"],
      ["v1-node16", "unknown"],
      ["0123456789abcdef0123456789abcdef01234567", "sha"],
      ["abc1234", "unknown"],
      ["", "unknown"],
    ];
    for (const [ref, kind] of cases) {
      const info = pins.resolve("someone/thing", ref);
      expect(info.kind, ref).toBe(kind);
      expect(info.source, ref).toBe("shape");
      expect(info.newestRelease, ref).toBeUndefined();
    }
    for (const ref of ["v1", "v1.2.3", "release/2024", "v1-node16"]) expect(pins.resolve("someone/thing", ref).note, ref).toBe(NOT_IN_TABLE_NOTE);
    expect(pins.knows("someone/thing")).toBe(false);
    expect(pins.newestMajor("someone/thing")).toBeUndefined();
    expect(pins.runtimeOf("someone/thing", "v1")).toBeUndefined();
  });

  itShared([NEEDS.actionTags, NEEDS.configureTags], "newestMajor and runtimeOf", () => {
    for (const [action, row] of Object.entries(actionTags.actions)) {
      const newest = releases(row.tags).at(-1)!;
      const major = `v${semver(newest)![0]}`;
      expect(pins.newestMajor(action), action).toEqual({ major, tag: newest, ...(row.runtimeByMajor[major] ? { runtime: row.runtimeByMajor[major] } : {}) });
    }
    expect(pins.runtimeOf("actions/checkout", "v3")).toBe(checkout.runtimeByMajor.v3);
    expect(pins.runtimeOf("actions/checkout", "v3.1.0")).toBe(checkout.runtimeByMajor.v3);
    expect(pins.runtimeOf(CAC, "v1")).toBe(configureTags.tags.v1!.runs);
  });
});

describe("ref shapes", () => {
  it("isFullSha", () => {
    expect(isFullSha("0123456789abcdef0123456789abcdef01234567")).toBe(true);
    expect(isFullSha("0123456789ABCDEF0123456789ABCDEF01234567")).toBe(true);
    expect(isFullSha("0123456789abcdef0123456789abcdef0123456")).toBe(false);
    expect(isFullSha("g123456789abcdef0123456789abcdef01234567")).toBe(false);
    expect(isFullSha("v4")).toBe(false);
  });

  it("looksLikeVersion", () => {
    for (const ref of ["v1", "v1.2", "v1.2.3", "1", "1.2.3", "v1.2.3-beta.1", "v1.2.3+build.5"]) expect(looksLikeVersion(ref), ref).toBe(true);
    for (const ref of ["v1-node16", "main", "v", "v1.2.3.4", "release-1.2", "v1.2-rc1", "latest"]) expect(looksLikeVersion(ref), ref).toBe(false);
  });
});
