import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { originOf, ownerNameOfUrl, parseOwnerName, resolveRepository } from "../../src/discover/repository.js";
import { tempRepo } from "../helpers/temp-repo.js";
import { cli } from "../helpers/cli.js";

describe("repository identity", () => {
  it.each([
    ["https://github.com/octo-org/octo-repo.git", "octo-org/octo-repo"],
    ["https://github.com/octo-org/octo-repo", "octo-org/octo-repo"],
    ["https://x-access-token:abc@github.com/octo-org/octo-repo.git", "octo-org/octo-repo"],
    ["git@github.com:octo-org/octo-repo.git", "octo-org/octo-repo"],
    ["ssh://git@github.example.com:2222/octo-org/octo-repo.git", "octo-org/octo-repo"],
    ["/srv/git/octo-repo.git", undefined],
    ["https://github.com/octo-org", undefined],
  ])("%s → %s", (url, want) => {
    expect(ownerNameOfUrl(url)).toBe(want);
  });

  it("reads the origin remote of a checkout (and not another remote)", () => {
    const dir = tempRepo({
      ".git/config": '[core]\n\tbare = false\n[remote "upstream"]\n\turl = https://github.com/up/stream.git\n[remote "origin"]\n\turl = git@github.com:Octo-Org/Repo.git\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n',
    });
    expect(originOf(dir)).toBe("Octo-Org/Repo");
  });

  it("follows a worktree's .git file to the shared config", () => {
    const main = tempRepo({ ".git/config": '[remote "origin"]\n\turl = https://github.com/a/b\n', ".git/worktrees/w/commondir": "../..\n" });
    const wt = tempRepo({});
    fs.writeFileSync(path.join(wt, ".git"), `gitdir: ${path.join(main, ".git", "worktrees", "w")}\n`);
    expect(originOf(wt)).toBe("a/b");
  });

  it("takes the flag, then the configuration, then GITHUB_REPOSITORY, then the origin remote", () => {
    const dir = tempRepo({ ".git/config": '[remote "origin"]\n\turl = https://github.com/from/remote\n' });
    expect(resolveRepository({ flag: "from/flag", config: "from/config", env: "from/env", root: dir })).toMatchObject({ owner: "from", name: "flag", source: "flag" });
    expect(resolveRepository({ config: "from/config", env: "from/env", root: dir })).toMatchObject({ name: "config", source: "config" });
    expect(resolveRepository({ env: "from/env", root: dir })).toMatchObject({ name: "env", source: "GITHUB_REPOSITORY" });
    expect(resolveRepository({ root: dir })).toMatchObject({ owner: "from", name: "remote", source: "origin remote" });
    expect(resolveRepository({ env: "not a repo" })).toBeUndefined();
    expect(parseOwnerName("a/..", "flag")).toBeUndefined();
  });

  it("a bad `repository:` or `default-token-permissions:` in .credflow.yml is a configuration error", async () => {
    const dir = tempRepo({ ".credflow.yml": "repository: not-a-repo\n", ".github/workflows/ci.yml": "on: push\njobs: {}\n" });
    const r = await cli(["."], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(".credflow.yml:1:13");
    fs.writeFileSync(path.join(dir, ".credflow.yml"), "default-token-permissions: sometimes\n");
    const r2 = await cli(["."], { cwd: dir });
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain("permissive, restricted");
  });
});
