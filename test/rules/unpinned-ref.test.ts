import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FIXTURES, lintDir } from "../helpers/lint-fixture.js";
import { lint } from "../../src/engine/lint.js";
import { offlinePins, type PinResolver, type RefInfo } from "../../src/knowledge/pins.js";
import type { Finding, Settings } from "../../src/rules/types.js";
import type { SourceFile } from "../../src/model/types.js";
import {
  detectEol,
  indentationOf,
  isInFlowCollection,
  isPlainSafe,
  lineEndOf,
  lineStartOf,
  replaceScalarEdit,
  trailingCommentAfter,
} from "../../src/edit/text.js";

const RULE = "unpinned-ref";
const dir = (c: string) => path.join(FIXTURES, RULE, c);
const ofRule = (findings: Finding[]) => findings.filter((f) => f.ruleId === RULE);

const temps: string[] = [];
afterAll(() => temps.forEach((t) => fs.rmSync(t, { recursive: true, force: true })));

/** A throwaway repository with one workflow. */
function repo(workflow: string): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "credflow-unpinned-"));
  temps.push(root);
  fs.mkdirSync(path.join(root, ".github", "workflows"), { recursive: true });
  fs.writeFileSync(path.join(root, ".github", "workflows", "ci.yml"), workflow);
  return root;
}

const settings = (s: Partial<Settings> = {}): Settings => ({ visibility: "unknown", ...s });

describe("unpinned-ref messages and fixes", () => {
  it("explains the frozen `master` tag and pins the commit it names, safely", async () => {
    const [f] = ofRule((await lintDir(dir("frozen-master"))).findings);
    expect(f!.level).toBe("warning");
    expect(f!.message).toContain("`master`, a frozen tag at v2.0.0 code on node16");
    expect(f!.fix?.safe).toBe(true);
    expect(f!.fix?.edits[0]!.text).toBe("aws-actions/configure-aws-credentials@ffc08eae7350b1061d7de219e2135c75561fb680 # master");
  });

  it("offers only an unsafe fix for a branch, to the newest release", async () => {
    const [f] = ofRule((await lintDir(dir("branch-checkout"))).findings);
    expect(f!.fix?.safe).toBe(false);
    expect(f!.fix?.description).toContain("v7.0.1");
    expect(f!.message).toContain("the default branch: moves with every merge");
  });

  it("says when no pin is known, in the message and in fixNote, and attaches no fix", async () => {
    const found = ofRule((await lintDir(dir("unknown-refs"))).findings);
    for (const f of found) expect(f.fix).toBeUndefined();
    expect(found[0]!.fixNote).toContain("no pin known offline; run with --online");
    // Neither `release` nor `v2` is taken for a branch or a tag because of its shape.
    for (const f of found.slice(0, 2)) {
      expect(f.level).toBe("warning");
      expect(f.message).toContain("(tag or branch — not in credflow's table; `--online` decides)");
      expect(f.message).not.toMatch(/which tag or branch|taken for a branch|version tag by its name/);
      expect(f.headline).toMatch(/^Action `octo-org\/build-action@(release|v2)`: tag or branch — not in credflow's table; `--online` decides$/);
    }
    expect(found[2]!.level).toBe("error");
    expect(found[2]!.message).toContain("looks like an abbreviated commit SHA");
    expect(found[2]!.message).toContain("since 2021-02-15");
    expect(found[2]!.fixNote).toContain("full 40-character commit SHA");
  });

  it("reports the repository's own actions by remote name as notes that say what runs, and follows them as local files", async () => {
    const result = await lintDir(dir("self-reference"), { repository: { owner: "octo-org", name: "platform", source: "config" } });
    const notes = ofRule(result.findings).filter((f) => f.level === "note");
    expect(notes.map((f) => f.location.range.start.line)).toEqual([9, 13]);
    const [composite, workflow] = notes;
    expect(composite!.message).toContain("names this repository (octo-org/platform, from `repository:` in .credflow.yml) at `main`");
    expect(composite!.message).toContain("not the one in the commit being linted");
    expect(composite!.message).toContain("use `./.github/actions/deploy` (after a checkout)");
    expect(composite!.headline).toBe("Action `Octo-Org/Platform/.github/actions/deploy@main` calls this repository at `main`, not the commit being linted");
    expect(workflow!.message).toContain("use `./.github/workflows/reusable.yml` to run");
    expect(notes.every((f) => f.fix === undefined && f.fixNote !== undefined)).toBe(true);
    // Followed: the composite's own step is linted (it is reached only through the self-reference),
    // and nothing says the reference is broken.
    expect(result.graph.actions.size).toBe(1);
    expect(result.findings.filter((f) => f.ruleId === "local-action-resolution")).toEqual([]);
    const deploy = result.graph.jobs.find((n) => n.job.id === "deploy")!;
    expect(deploy.timeline.map((t) => t.step.uses?.node.value ?? t.step.run?.value)).toEqual([
      "Octo-Org/Platform/.github/actions/deploy@main",
      "aws-actions/configure-aws-credentials@v4",
      "aws s3 sync site/ s3://example-bucket/",
    ]);
    expect(result.graph.jobs.find((n) => n.job.id === "smoke")!.called?.jobs.map((j) => j.job.id)).toEqual(["smoke"]);
  });

  it("without the repository's name, a self-reference is like any other repository's ref, and a missing local copy is not an error", async () => {
    const result = await lintDir(dir("self-reference"));
    const lines = ofRule(result.findings).map((f) => [f.location.range.start.line, f.level]);
    expect(lines).toContainEqual([9, "warning"]);
    expect(lines).toContainEqual([13, "warning"]);
    expect(result.graph.actions.size).toBe(0);
    const root = repo("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: octo-org/platform/.github/actions/gone@main\n  b:\n    uses: octo-org/platform/.github/workflows/gone.yml@main\n");
    const known = await lintDir(root, { repository: { owner: "octo-org", name: "platform", source: "GITHUB_REPOSITORY" } });
    expect(known.findings.filter((f) => f.ruleId === "local-action-resolution")).toEqual([]);
    expect(ofRule(known.findings).map((f) => f.level)).toEqual(["note", "note"]);
  });

  it("reports a ref the API says does not exist as an error: the run cannot resolve it", async () => {
    const offline = offlinePins();
    const online: PinResolver = {
      ...offline,
      resolve(action, ref): RefInfo {
        if (action === "octo-org/build-action") return { kind: "unknown", action, ref, note: "no tag or branch named `v9` in octo-org/build-action", source: "online" };
        return offline.resolve(action, ref);
      },
    };
    const root = repo("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: octo-org/build-action@v9\n");
    const [f] = ofRule((await lint({ paths: ["."], cwd: root, settings: settings(), pins: online })).findings);
    expect(f!.level).toBe("error");
    expect(f!.message).toContain("it names `v9`, but no tag or branch named `v9` in octo-org/build-action");
  });

  it("gives docker images a fixNote and no fix", async () => {
    const found = ofRule((await lintDir(dir("docker"))).findings);
    expect(found.map((f) => f.fix)).toEqual([undefined, undefined]);
    expect(found[1]!.message).toContain("neither a tag nor a digest");
    expect(found[0]!.fixNote).toContain("@sha256:");
  });

  it("says that a flow-mapping value is pinned without a comment", async () => {
    const [f] = ofRule((await lintDir(dir("flow-mapping"))).findings);
    expect(f!.fix?.description).toContain("no comment: the value is inside a flow mapping");
    expect(f!.fix?.edits[0]!.text).not.toContain("#");
  });

  it("reports a value shared through an alias once", async () => {
    const root = repo(
      [
        "on: push",
        "jobs:",
        "  a:",
        "    runs-on: ubuntu-latest",
        "    steps:",
        "      - uses: &login docker/login-action@v3",
        "  b:",
        "    runs-on: ubuntu-latest",
        "    steps:",
        "      - uses: *login",
        "",
      ].join("\n"),
    );
    const found = ofRule((await lintDir(root)).findings);
    expect(found.map((f) => f.location.range.start.line)).toEqual([6]);
  });

  it("reads the policy from the rule option", async () => {
    const root = repo("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: docker/login-action@v3\n");
    const result = await lint({
      paths: ["."],
      cwd: root,
      settings: settings(),
      pins: offlinePins(),
      ruleOptions: (id) => (id === RULE ? { policy: "tag" } : {}),
    });
    expect(ofRule(result.findings)).toEqual([]);
  });

  it("uses what an online resolver knows: a tag it resolved gets a safe pin", async () => {
    const offline = offlinePins();
    const online: PinResolver = {
      ...offline,
      resolve(action, ref): RefInfo {
        if (action === "octo-org/build-action" && ref === "v2") {
          return { kind: "tag", action, ref, commit: "0123456789abcdef0123456789abcdef01234567", source: "online" };
        }
        return offline.resolve(action, ref);
      },
    };
    const root = repo("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: octo-org/build-action@v2\n");
    const result = await lint({ paths: ["."], cwd: root, settings: settings(), pins: online });
    const [f] = ofRule(result.findings);
    expect(f!.fix?.safe).toBe(true);
    expect(f!.fix?.edits[0]!.text).toBe("octo-org/build-action@0123456789abcdef0123456789abcdef01234567 # v2");
    expect(f!.fixNote).toBeUndefined();
  });

  it("leaves block scalars alone and says why", async () => {
    const root = repo("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: >-\n          docker/login-action@v3\n");
    const [f] = ofRule((await lintDir(root)).findings);
    expect(f!.fix).toBeUndefined();
    expect(f!.fixNote).toContain("block or multi-line scalar");
  });
});

function sourceFile(text: string): SourceFile {
  return { path: "x.yml", repoPath: "x.yml", kind: "workflow", text };
}

describe("support/edit helpers", () => {
  const crlf = "\uFEFFa: 1\r\nb: [x, y] # c\r\n  c: 'q'\r\n";

  it("finds line boundaries without the CR of a CRLF", () => {
    const at = crlf.indexOf("b:");
    expect(lineStartOf(crlf, at + 3)).toBe(at);
    expect(crlf.slice(at, lineEndOf(crlf, at))).toBe("b: [x, y] # c");
    expect(lineEndOf("no newline", 2)).toBe(10);
    expect(detectEol(crlf)).toBe("\r\n");
    expect(detectEol("a\nb")).toBe("\n");
    expect(indentationOf(crlf, crlf.indexOf("c:"))).toBe("  ");
    expect(indentationOf(crlf, 2)).toBe("");
  });

  it("finds a trailing comment only after whitespace", () => {
    const end = crlf.indexOf("]") + 1;
    expect(trailingCommentAfter(crlf, end)).toEqual({ start: crlf.indexOf("#"), end: crlf.indexOf("\r\n  c"), body: "c" });
    expect(trailingCommentAfter("a: b#c\n", 4)).toBeUndefined();
    expect(trailingCommentAfter("a: b\n", 4)).toBeUndefined();
  });

  it("knows flow collections", () => {
    const file = sourceFile(crlf);
    expect(isInFlowCollection(file, crlf.indexOf("x"))).toBe(true);
    expect(isInFlowCollection(file, crlf.indexOf("1"))).toBe(false);
    expect(isInFlowCollection(file, crlf.indexOf("'q'"))).toBe(false);
  });

  it("writes plain scalars only when they read back as the same string", () => {
    expect(isPlainSafe("actions/checkout@0123", false)).toBe(true);
    expect(isPlainSafe("true", false)).toBe(false);
    expect(isPlainSafe("1.0", false)).toBe(false);
    expect(isPlainSafe("a: b", false)).toBe(false);
    expect(isPlainSafe("a #b", false)).toBe(false);
    expect(isPlainSafe("a,b", true)).toBe(false);
    expect(isPlainSafe("a,b", false)).toBe(true);
    expect(isPlainSafe("*x", false)).toBe(false);
  });

  it("replaces a scalar keeping its quotes", () => {
    const text = "a: 'it''s'\nb: \"x\"\nc: plain\n";
    const file = sourceFile(text);
    const range = (s: number, e: number) => ({ start: { line: 1, column: 1, offset: s }, end: { line: 1, column: 1, offset: e } });
    const single = { value: "it's", range: range(3, 10), isExpression: false, style: "QUOTE_SINGLE" };
    expect(replaceScalarEdit(file, single, "don't")?.text).toBe("'don''t'");
    const dbl = { value: "x", range: range(14, 17), isExpression: false, style: "QUOTE_DOUBLE" };
    expect(replaceScalarEdit(file, dbl, 'say "hi"')?.text).toBe('"say \\"hi\\""');
    const plain = { value: "plain", range: range(21, 26), isExpression: false, style: "PLAIN" };
    expect(replaceScalarEdit(file, plain, "other")?.text).toBe("other");
    expect(replaceScalarEdit(file, plain, "yes: no")?.text).toBe('"yes: no"');
    expect(replaceScalarEdit(file, { ...plain, style: "BLOCK_LITERAL" }, "x")).toBeUndefined();
  });
});
