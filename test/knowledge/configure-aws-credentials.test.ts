import { describe, expect, it } from "vitest";
import {
  allInputNames,
  BOOLEAN_INPUTS,
  booleanParsing,
  inputIntroducedIn,
  isConfigureAction,
  newestTag,
  resolveConfigureVersion,
  versionAtLeast,
} from "../../src/knowledge/configure-aws-credentials.js";
import { bySemver, configureTags, releases, semver } from "./shared-data.js";
import { itShared, NEEDS } from "../helpers/shared.js";

const tags = configureTags.tags;
const inputsOf = (tag: string) => new Set(Object.keys(tags[tag]!.inputs));
const newestOf = (major?: number) => releases(tags).filter((t) => major === undefined || semver(t)![0] === major).at(-1)!;

describe("resolveConfigureVersion", () => {
  itShared(NEEDS.configureTags, "floating v4 runs the newest v4.x.y code on node20", () => {
    const v = resolveConfigureVersion("v4");
    expect(newestOf(4)).toBe("v4.3.1");
    expect(v).toMatchObject({ kind: "major", tag: "v4.3.1", semver: [4, 3, 1], runtime: "node20", commit: tags.v4!.commit });
    expect(tags.v4!.commit).toBe(tags["v4.3.1"]!.commit);
    expect(v.inputs).toEqual(inputsOf("v4"));
  });

  itShared(NEEDS.configureTags, "floating v1 runs v1.7.0 on node12", () => {
    expect(resolveConfigureVersion("v1")).toMatchObject({
      kind: "major",
      tag: newestOf(1),
      runtime: tags[newestOf(1)]!.runs,
      commit: tags.v1!.commit,
    });
    expect(newestOf(1)).toBe("v1.7.0");
    expect(tags["v1.7.0"]!.runs).toBe("node12");
  });

  itShared(NEEDS.configureTags, "every floating major names its newest release", () => {
    for (const major of [1, 2, 3, 4, 5, 6]) {
      const v = resolveConfigureVersion(`v${major}`);
      expect(v.tag).toBe(newestOf(major));
      expect(v.commit).toBe(tags[`v${major}`]!.commit);
      expect(v.runtime).toBe(tags[`v${major}`]!.runs);
    }
  });

  itShared(NEEDS.configureTags, "master is a frozen tag holding v2.0.0 code on node16", () => {
    const v = resolveConfigureVersion("master");
    expect(v).toMatchObject({
      kind: "frozen-tag",
      tag: "v2.0.0",
      semver: [2, 0, 0],
      runtime: "node16",
      commit: "ffc08eae7350b1061d7de219e2135c75561fb680",
    });
    expect(v.commit).toBe(tags.master!.commit);
    expect(tags.master!.runs).toBe(tags["v2.0.0"]!.runs);
    // The knowledge file says master holds v2.0.0 code: the data agrees on its inputs.
    expect(v.inputs).toEqual(inputsOf("v2.0.0"));
    expect(configureTags.branches.master).toBeUndefined();
    expect(v.note).toMatch(/never moves/);
  });

  itShared(NEEDS.configureTags, "main is the default branch, treated as the newest release", () => {
    const newest = newestOf();
    const v = resolveConfigureVersion("main");
    expect(v).toMatchObject({ kind: "branch", tag: newest, runtime: tags[newest]!.runs, commit: configureTags.branches.main });
    expect(v.inputs).toEqual(inputsOf(newest));
  });

  itShared(NEEDS.configureTags, "a full tag resolves to itself, including 6.2.2 without the v", () => {
    expect(resolveConfigureVersion("v4.3.1")).toMatchObject({ kind: "tag", tag: "v4.3.1", commit: tags["v4.3.1"]!.commit });
    const bare = resolveConfigureVersion("6.2.2");
    expect(bare).toMatchObject({ kind: "tag", tag: "v6.2.2", semver: [6, 2, 2], runtime: "node24", commit: tags["6.2.2"]!.commit });
    expect(bare.inputs).toEqual(inputsOf("6.2.2"));
  });

  itShared(NEEDS.configureTags, "resolves every tag in the data to its own commit, runtime and inputs", () => {
    for (const [name, row] of Object.entries(tags)) {
      const v = resolveConfigureVersion(name);
      expect(v.commit, name).toBe(row.commit);
      expect(v.runtime, name).toBe(row.runs);
      expect(v.inputs, name).toEqual(new Set(Object.keys(row.inputs)));
      expect(v.required, name).toEqual(new Set(Object.entries(row.inputs).filter(([, s]) => s.required).map(([n]) => n)));
      if (semver(name)) expect(v).toMatchObject({ kind: "tag", tag: name, semver: semver(name) });
    }
  });

  itShared(NEEDS.configureTags, "keeps declared defaults", () => {
    expect(resolveConfigureVersion("v4").defaults?.get("audience")).toBe(tags.v4!.inputs.audience!.default);
  });

  itShared(NEEDS.configureTags, "v1-node16 is both a tag and a branch: the tag's code, flagged ambiguous", () => {
    const v = resolveConfigureVersion("v1-node16");
    expect(configureTags.branches["v1-node16"]).toBeDefined();
    expect(v).toMatchObject({ kind: "branch", ambiguous: true, tag: "v2.0.0", runtime: "node16", commit: tags["v1-node16"]!.commit });
    expect(tags["v1-node16"]!.commit).toBe(tags["v2.0.0"]!.commit);
    expect(v.note).toMatch(/both a tag/);
  });

  itShared(NEEDS.configureTags, "a known SHA resolves to the release on that commit", () => {
    const sha = tags["v4.3.1"]!.commit;
    expect(resolveConfigureVersion(sha)).toMatchObject({ kind: "sha", tag: "v4.3.1", runtime: "node20", commit: sha });
    expect(resolveConfigureVersion(sha.toUpperCase())).toMatchObject({ kind: "sha", tag: "v4.3.1", commit: sha });
    expect(resolveConfigureVersion(tags["6.2.2"]!.commit).tag).toBe("v6.2.2");
  });

  itShared(NEEDS.configureTags, "master's commit resolves to v2.0.0 code", () => {
    expect(resolveConfigureVersion(tags.master!.commit)).toMatchObject({ kind: "sha", tag: "v2.0.0", runtime: "node16", commit: tags.master!.commit });
  });

  itShared(NEEDS.configureTags, "branch heads: main's head is newest code, other branches are not releases", () => {
    expect(resolveConfigureVersion(configureTags.branches.main!)).toMatchObject({ kind: "sha", tag: newestOf() });
    const devel = resolveConfigureVersion(configureTags.branches.devel!);
    expect(devel).toMatchObject({ kind: "sha", commit: configureTags.branches.devel });
    expect(devel.tag).toBeUndefined();
    expect(versionAtLeast(devel, "v1.6.1")).toBeUndefined();
  });

  it("unknown SHAs and refs are unknown, with no tag or inputs", () => {
    for (const ref of ["0123456789abcdef0123456789abcdef01234567", "v7", "v4.9.9", "feature", "67fbcbb", ""]) {
      const v = resolveConfigureVersion(ref);
      expect(v.kind, ref).toBe("unknown");
      expect(v.tag).toBeUndefined();
      expect(v.inputs).toBeUndefined();
      expect(versionAtLeast(v, "v1.0.0")).toBeUndefined();
    }
  });

  itShared(NEEDS.configureTags, "other branches are branches without a guessed version", () => {
    const v = resolveConfigureVersion("devel");
    expect(v).toMatchObject({ kind: "branch", commit: configureTags.branches.devel });
    expect(v.tag).toBeUndefined();
  });
});

describe("versionAtLeast", () => {
  it("orders v1.6.0 before v1.6.1 (when retry was added)", () => {
    expect(versionAtLeast(resolveConfigureVersion("v1.6.0"), "v1.6.1")).toBe(false);
    expect(versionAtLeast(resolveConfigureVersion("v1.6.1"), "v1.6.1")).toBe(true);
    expect(versionAtLeast(resolveConfigureVersion("v1.5.10"), "v1.5.9")).toBe(true);
    expect(versionAtLeast(resolveConfigureVersion("master"), "v1.6.1")).toBe(true);
    expect(versionAtLeast(resolveConfigureVersion("v1"), "1.6")).toBe(true);
    expect(versionAtLeast(resolveConfigureVersion("v1"), "v2")).toBe(false);
  });

  itShared(NEEDS.configureTags, "agrees with the semver order of all releases", () => {
    const rel = releases(tags);
    for (let i = 1; i < rel.length; i++) {
      expect(versionAtLeast(resolveConfigureVersion(rel[i]!), rel[i - 1]!)).toBe(true);
      expect(versionAtLeast(resolveConfigureVersion(rel[i - 1]!), rel[i]!)).toBe(false);
    }
  });
});

describe("inputs", () => {
  itShared(NEEDS.configureTags, "inputIntroducedIn matches the first release declaring each input", () => {
    const rel = releases(tags);
    for (const name of allInputNames()) {
      expect(inputIntroducedIn(name), name).toBe(rel.find((t) => name in tags[t]!.inputs));
    }
    expect(inputIntroducedIn("nope")).toBeUndefined();
  });

  it("matches the knowledge file's dates for inputs rules depend on", () => {
    expect(inputIntroducedIn("disable-retry")).toBe("v3.0.0");
    expect(inputIntroducedIn("retry-max-attempts")).toBe("v3.0.0");
    expect(inputIntroducedIn("special-characters-workaround")).toBe("v3.0.1");
    expect(inputIntroducedIn("role-chaining")).toBe("v2.1.0");
    expect(inputIntroducedIn("use-existing-credentials")).toBe("v4.1.0");
    expect(inputIntroducedIn("output-env-credentials")).toBe("v4.3.0");
    expect(inputIntroducedIn("aws-profile")).toBe("v6.1.0");
    expect(inputIntroducedIn("aws-region")).toBe("v1.0.0");
  });

  itShared(NEEDS.configureTags, "allInputNames is the union of every tag's inputs", () => {
    const union = new Set(Object.values(tags).flatMap((t) => Object.keys(t.inputs)));
    expect(allInputNames()).toEqual([...union].sort());
  });

  it("every boolean input is a declared input", () => {
    const all = new Set(allInputNames());
    for (const name of BOOLEAN_INPUTS) expect(all.has(name), name).toBe(true);
    expect(BOOLEAN_INPUTS.has("retry-max-attempts")).toBe(false);
    expect(BOOLEAN_INPUTS.has("disable-retry")).toBe(true);
  });

  it("booleanParsing follows the v5 change", () => {
    expect(booleanParsing(resolveConfigureVersion("v4"), "disable-retry")).toBe("lenient");
    expect(booleanParsing(resolveConfigureVersion("v5"), "disable-retry")).toBe("strict");
    expect(booleanParsing(resolveConfigureVersion("v5"), "use-existing-credentials")).toBe("string");
    expect(booleanParsing(resolveConfigureVersion("v4.1.0"), "use-existing-credentials")).toBe("lenient");
    expect(booleanParsing(resolveConfigureVersion("v5"), "aws-region")).toBeUndefined();
    expect(booleanParsing(resolveConfigureVersion("nope"), "disable-retry")).toBeUndefined();
  });
});

describe("newestTag and isConfigureAction", () => {
  itShared(NEEDS.configureTags, "newestTag overall and per major", () => {
    const newest = releases(tags).at(-1)!;
    expect(newestTag()).toEqual({ tag: newest, commit: tags[newest]!.commit, runtime: tags[newest]!.runs });
    expect(newestTag(4)).toEqual({ tag: "v4.3.1", commit: tags["v4.3.1"]!.commit, runtime: "node20" });
    expect(newestTag(99)).toBeUndefined();
    expect([...releases(tags)].sort(bySemver).at(-1)).toBe(newest);
  });

  it("matches the action by owner/repo, any case, without subpath", () => {
    expect(isConfigureAction("aws-actions", "configure-aws-credentials")).toBe(true);
    expect(isConfigureAction("AWS-Actions", "Configure-AWS-Credentials", "")).toBe(true);
    expect(isConfigureAction("aws-actions", "configure-aws-credentials", "sub")).toBe(false);
    expect(isConfigureAction("aws-actions", "amazon-ecr-login")).toBe(false);
    expect(isConfigureAction("someone", "configure-aws-credentials")).toBe(false);
  });
});
