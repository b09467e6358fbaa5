import { describe, expect, it } from "vitest";
import {
  HOME,
  RUNNER_TEMP,
  WORKSPACE,
  coverage,
  displayPath,
  hiddenOnTheWay,
  intendedCoverage,
  parsePathInput,
  pathMatches,
  resolvePattern,
  resolveShellPath,
  searchRoots,
  segmentMatches,
  splitPath,
  witnessBelow,
  type CoverMode,
  type CredLocation,
} from "../../src/rules/support/cred-paths.js";

const CACHE: CoverMode = { kind: "cache", excludeHidden: false };
const ARTIFACT_ALL: CoverMode = { kind: "artifact", excludeHidden: false };
const ARTIFACT_DEFAULT: CoverMode = { kind: "artifact", excludeHidden: true };

const AWS: CredLocation = { path: `${HOME}/.aws`, dir: true };
const DOCKER: CredLocation = { path: `${HOME}/.docker/config.json`, dir: false };
const KUBE: CredLocation = { path: `${HOME}/.kube/config`, dir: false };
const GIT: CredLocation = { path: `${WORKSPACE}/.git/config`, dir: false };

function covers(paths: string, loc: CredLocation, mode: CoverMode = CACHE): boolean {
  return !!coverage(parsePathInput(paths).patterns, loc, mode);
}

describe("segment and path matching", () => {
  it("matches dot-files with wildcards (dot: true) and classes", () => {
    expect(segmentMatches("*", ".aws")).toBe(true);
    expect(segmentMatches(".a?s", ".aws")).toBe(true);
    expect(segmentMatches("[.]aws", ".aws")).toBe(true);
    expect(segmentMatches("[!.]aws", ".aws")).toBe(false);
    expect(segmentMatches("config.*", "config.json")).toBe(true);
    expect(segmentMatches("a\\*", "a*")).toBe(true);
    expect(segmentMatches("a\\*", "ab")).toBe(false);
  });
  it("lets ** span zero or more segments", () => {
    expect(pathMatches(["home", "**"], ["home"])).toBe(true);
    expect(pathMatches(["home", "**", "config"], ["home", "runner", ".kube", "config"])).toBe(true);
    expect(pathMatches(["home", "**", "config"], ["home", "config"])).toBe(true);
    expect(pathMatches(["home", "*"], ["home", "runner", "x"])).toBe(false);
  });
  it("finds a path under a directory that a pattern can match", () => {
    expect(witnessBelow(splitPath(`${HOME}/.aws/*`), splitPath(`${HOME}/.aws`))).toEqual([...splitPath(`${HOME}/.aws`), "x"]);
    expect(witnessBelow(splitPath(`${HOME}/.aws/credentials`), splitPath(`${HOME}/.aws`))).toEqual(splitPath(`${HOME}/.aws/credentials`));
    expect(witnessBelow(splitPath(`${HOME}/**/credentials`), splitPath(`${HOME}/.aws`))).toEqual(splitPath(`${HOME}/.aws/credentials`));
    expect(witnessBelow(splitPath(`${HOME}/.npm`), splitPath(`${HOME}/.aws`))).toBeUndefined();
    // A pattern that matches the directory itself has nothing strictly below it to add.
    expect(witnessBelow(splitPath(`${HOME}/.aws`), splitPath(`${HOME}/.aws`))).toBeUndefined();
  });
});

describe("resolving path lines", () => {
  it("expands ~, workspace-relative paths, github.workspace and runner.temp", () => {
    expect(resolvePattern("~/.aws")?.pattern).toBe(`${HOME}/.aws`);
    expect(resolvePattern("~")?.pattern).toBe(HOME);
    expect(resolvePattern("node_modules")?.pattern).toBe(`${WORKSPACE}/node_modules`);
    expect(resolvePattern("./dist/../.git")?.pattern).toBe(`${WORKSPACE}/.git`);
    expect(resolvePattern("${{ github.workspace }}")?.pattern).toBe(WORKSPACE);
    expect(resolvePattern("${{runner.temp}}/x")?.pattern).toBe(`${RUNNER_TEMP}/x`);
    expect(resolvePattern("/github/home/.aws")?.pattern).toBe(`${HOME}/.aws`);
    expect(resolvePattern("../../..")?.pattern).toBe(HOME);
  });
  it("reads `!` and `! ` as exclusions and drops comments and blank lines", () => {
    const { patterns } = parsePathInput("~/.cache\n\n# note\n! ~/.cache/x\n!!~/y");
    expect(patterns.map((p) => [p.negate, p.pattern])).toEqual([
      [false, `${HOME}/.cache`],
      [true, `${HOME}/.cache/x`],
      [false, `${HOME}/y`],
    ]);
  });
  it("marks $HOME lines as unexpanded (the actions do not expand shell variables)", () => {
    const p = resolvePattern("$HOME/.docker/config.json");
    expect(p?.unexpandedVariable).toBe("$HOME");
    expect(p?.pattern).toBe(`${HOME}/.docker/config.json`);
    expect(resolvePattern("${RUNNER_TEMP}/x")?.unexpandedVariable).toBe("$RUNNER_TEMP");
  });
  it("leaves lines with unknown expressions and Windows paths unresolved", () => {
    const { patterns, unresolved } = parsePathInput("${{ steps.x.outputs.dir }}\nC:\\Users\\x\n~/ok");
    expect(patterns).toHaveLength(1);
    expect(unresolved).toEqual(["${{ steps.x.outputs.dir }}", "C:\\Users\\x"]);
    const env = parsePathInput("${{ env.DIR }}/.aws", (e) => (e === "env.DIR" ? "~" : undefined));
    expect(env.patterns[0]?.pattern).toBe(`${HOME}/.aws`);
  });
  it("resolves shell words like a shell", () => {
    expect(resolveShellPath('"$HOME/.aws/credentials"')).toBe(`${HOME}/.aws/credentials`);
    expect(resolveShellPath("${RUNNER_TEMP}/creds")).toBe(`${RUNNER_TEMP}/creds`);
    expect(resolveShellPath("creds.json")).toBe(`${WORKSPACE}/creds.json`);
    expect(resolveShellPath("$DIR/x", (n) => (n === "DIR" ? "/tmp" : undefined))).toBe("/tmp/x");
    expect(resolveShellPath("$UNKNOWN/x")).toBeUndefined();
  });
  it("shows paths the way users write them", () => {
    expect(displayPath(`${HOME}/.aws`)).toBe("~/.aws");
    expect(displayPath(`${WORKSPACE}/.git/config`)).toBe("$GITHUB_WORKSPACE/.git/config");
    expect(displayPath(`${RUNNER_TEMP}/x`)).toBe("$RUNNER_TEMP/x");
  });
});

describe("coverage", () => {
  it("~/** and ~ cover everything in home", () => {
    for (const loc of [AWS, DOCKER, KUBE, GIT]) {
      expect(covers("~/**", loc)).toBe(true);
      expect(covers("~", loc)).toBe(true);
    }
  });
  it("a file pattern covers that file, a directory covers what is under it", () => {
    expect(covers("~/.aws/credentials", AWS)).toBe(true);
    expect(covers("~/.aws/*", AWS)).toBe(true);
    expect(covers("~/.docker", DOCKER)).toBe(true);
    expect(covers("~/.docker/config.json", DOCKER)).toBe(true);
    expect(covers("~/.kube", KUBE)).toBe(true);
  });
  it("dependency caches and siblings do not cover credentials", () => {
    for (const p of ["~/.npm", "~/.cache/pip", "~/.gradle/caches", "node_modules", "~/.docker/buildx", "~/.kube/cache", "~/.m2/repository", "dist/**"]) {
      for (const loc of [AWS, DOCKER, KUBE, GIT]) expect(covers(p, loc), `${p} vs ${loc.path}`).toBe(false);
    }
  });
  it("relative **/.aws is rooted at the workspace, not at home", () => {
    expect(covers("**/.aws", AWS)).toBe(false);
    expect(covers("**/.git", GIT)).toBe(true);
    expect(covers("/**/.aws", AWS)).toBe(true);
  });
  it("the workspace covers its .git; runner.temp covers a checkout v6 credentials file", () => {
    expect(covers("${{ github.workspace }}", GIT)).toBe(true);
    expect(covers(".", GIT)).toBe(true);
    const tempCreds: CredLocation = { path: `${RUNNER_TEMP}/git-credentials-00000000-0000-0000-0000-000000000000.config`, dir: false };
    expect(covers("${{ runner.temp }}", tempCreds)).toBe(true);
    expect(covers("${{ runner.temp }}/git-credentials-*.config", tempCreds)).toBe(true);
    expect(covers("${{ runner.temp }}/build", tempCreds)).toBe(false);
  });

  describe("exclusions", () => {
    it("upload-artifact: `!` removes the location and everything under it", () => {
      expect(covers("~/**\n!~/.aws", AWS, ARTIFACT_ALL)).toBe(false);
      expect(covers("~/**\n!~/.aws", DOCKER, ARTIFACT_ALL)).toBe(true);
      expect(covers("~/.aws\n!~/.aws/config", AWS, ARTIFACT_ALL)).toBe(true);
      expect(covers(".\n!.git", GIT, ARTIFACT_ALL)).toBe(false);
    });
    it("patterns apply in order: a later positive line takes back an exclusion", () => {
      expect(covers("~/**\n!~/.aws\n~/.aws/credentials", AWS, ARTIFACT_ALL)).toBe(true);
    });
    it("actions/cache: `!` cannot cut a file out of a directory saved whole", () => {
      expect(covers("~/**\n!~/.aws", AWS, CACHE)).toBe(true);
      expect(covers("~\n!~/.aws/**", AWS, CACHE)).toBe(true);
      expect(covers(".\n!.git", GIT, CACHE)).toBe(true);
    });
    it("actions/cache: `!` works on items at the level the positive pattern enumerates", () => {
      expect(covers("~/.config/*\n!~/.config/gh", { path: `${HOME}/.config/gh`, dir: true }, CACHE)).toBe(false);
      expect(covers("~/.config/*\n!~/.config/gh", { path: `${HOME}/.config/gh`, dir: true }, ARTIFACT_ALL)).toBe(false);
    });
  });

  describe("upload-artifact's hidden-file default", () => {
    it("skips a hidden search root and hidden items on the way down", () => {
      expect(covers("~/.kube", KUBE, ARTIFACT_DEFAULT)).toBe(false);
      expect(covers("~", AWS, ARTIFACT_DEFAULT)).toBe(false);
      expect(covers("~/**", DOCKER, ARTIFACT_DEFAULT)).toBe(false);
      expect(covers("${{ github.workspace }}", GIT, ARTIFACT_DEFAULT)).toBe(false);
      expect(covers("~/.kube/*", KUBE, ARTIFACT_DEFAULT)).toBe(false);
    });
    it("still uploads a hidden directory's file named literally (the root is the file itself)", () => {
      expect(covers("~/.kube/config", KUBE, ARTIFACT_DEFAULT)).toBe(true);
      expect(covers("~/.docker/config.json", DOCKER, ARTIFACT_DEFAULT)).toBe(true);
      expect(covers("~/.aws/credentials", AWS, ARTIFACT_DEFAULT)).toBe(true);
    });
    it("uses the outermost search root when patterns nest", () => {
      const { patterns } = parsePathInput("~\n~/.aws/credentials");
      expect(searchRoots(patterns).map((r) => "/" + r.join("/"))).toEqual([HOME]);
      expect(coverage(patterns, AWS, ARTIFACT_DEFAULT)).toBeUndefined();
      expect(hiddenOnTheWay([splitPath(HOME)], splitPath(`${HOME}/dist/a`))).toBe(false);
    });
    it("does not apply to the cache", () => {
      expect(covers("~/.kube", KUBE, CACHE)).toBe(true);
    });
  });

  it("reports which line brings the location in", () => {
    const { patterns } = parsePathInput("~/.npm\n~/.aws\n~/.cache");
    expect(coverage(patterns, AWS, CACHE)?.pattern.text).toBe("~/.aws");
    expect(coverage(patterns, AWS, CACHE)?.item).toBe(`${HOME}/.aws`);
  });

  it("$HOME lines cover nothing, but their intent is reported separately", () => {
    const { patterns } = parsePathInput("$HOME/.docker/config.json");
    expect(coverage(patterns, DOCKER, CACHE)).toBeUndefined();
    expect(intendedCoverage(patterns, DOCKER, CACHE)?.pattern.unexpandedVariable).toBe("$HOME");
    const both = parsePathInput("$HOME/.docker\n~/.docker").patterns;
    expect(intendedCoverage(both, DOCKER, CACHE)).toBeUndefined();
  });
});
