import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { isBelow, isInside } from "../../src/fs/paths.js";
import { tempRepo } from "../helpers/temp-repo.js";
import { lintDir } from "../helpers/lint-fixture.js";

describe("path containment", () => {
  const root = path.resolve("/repo");
  it("a folder whose name starts with two dots is inside", () => {
    expect(isInside(root, path.join(root, "..ci"))).toBe(true);
    expect(isInside(root, path.join(root, "..ci", "action.yml"))).toBe(true);
    expect(isBelow(root, path.join(root, "..ci"))).toBe(true);
  });
  it("the parent and its other children are outside", () => {
    expect(isInside(root, path.resolve("/"))).toBe(false);
    expect(isInside(root, path.resolve("/repo-other/x"))).toBe(false);
    expect(isInside(root, path.resolve("/other"))).toBe(false);
  });
  it("the root itself is inside but not below", () => {
    expect(isInside(root, root)).toBe(true);
    expect(isBelow(root, root)).toBe(false);
  });
});

it("a composite under ./..ci is followed, not refused as outside the repository", async () => {
  const dir = tempRepo({
    ".github/workflows/ci.yml": "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: ./..ci/login\n",
    "..ci/login/action.yml": "name: login\ndescription: d\nruns:\n  using: composite\n  steps:\n    - run: echo hi\n      shell: bash\n",
  });
  const r = await lintDir(dir);
  expect(r.findings.filter((f) => f.ruleId === "local-action-resolution")).toEqual([]);
  expect([...r.graph.actions.keys()].some((k) => k.endsWith(path.join("..ci", "login", "action.yml")))).toBe(true);
});
