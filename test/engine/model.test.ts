import { describe, expect, it } from "vitest";
import { parseSourceFile } from "../../src/parse/parse-file.js";
import { buildAction, buildWorkflow } from "../../src/parse/build-model.js";
import type { Range, SourceFile } from "../../src/model/types.js";
import { parseUses } from "../../src/parse/uses.js";

function parse(text: string, kind: "workflow" | "action" = "workflow"): SourceFile {
  const parsed = parseSourceFile({ path: "w.yml", repoPath: "w.yml", kind, bytes: new TextEncoder().encode(text) });
  expect(parsed.diagnostics).toEqual([]);
  return parsed.file;
}

/** The text a range covers, and a check that line/column agree with the offset. */
function slice(file: SourceFile, r: Range): string {
  const lines = file.text.split("\n");
  const lineStart = lines.slice(0, r.start.line - 1).reduce((n, l) => n + l.length + 1, 0);
  expect(lineStart + r.start.column - 1).toBe(r.start.offset);
  return file.text.slice(r.start.offset, r.end.offset);
}

const WORKFLOW = `name: "CI ✓"
on:
  push:
  pull_request_target:
permissions: { contents: read }
env:
  AWS_REGION: eu-west-1
jobs:
  build:
    runs-on: [self-hosted, linux]
    needs: [a, b]
    if: github.ref == 'refs/heads/main'
    environment: prod
    strategy:
      max-parallel: 2
      matrix:
        os: [ubuntu-latest, windows-latest]
        node: [18, 20]
        exclude:
          - os: windows-latest
            node: 18
    permissions:
      id-token: write
      contents: read
    steps:
      - id: creds
        name: "Credentials — 🔑"
        uses: 'aws-actions/configure-aws-credentials@v4'
        with:
          role-to-assume: arn:aws:iam::123456789012:role/x
          aws-region: \${{ env.AWS_REGION }}
        env:
          AWS_PROFILE: dev
      - { uses: actions/checkout@v4, with: { fetch-depth: 0 } }
      - run: |
          echo hi
        shell: bash
  call:
    uses: octo/repo/.github/workflows/r.yml@main
    with:
      x: 1
    secrets: inherit
`;

describe("model", () => {
  it("keeps exact ranges (1-based lines, UTF-16 columns, offsets) for every node", () => {
    const file = parse(WORKFLOW);
    const wf = buildWorkflow(file);
    expect(wf.name?.value).toBe("CI ✓");
    expect(wf.triggers).toEqual(["push", "pull_request_target"]);
    expect(wf.permissions).toMatchObject({ kind: "map", flow: true, scopes: { contents: "read" } });
    expect(slice(file, wf.permissions!.keyRange)).toBe("permissions");
    expect(wf.env.entries.map((e) => [e.key, e.value?.value])).toEqual([["AWS_REGION", "eu-west-1"]]);

    const [build, call] = wf.jobs;
    expect(slice(file, build!.idRange)).toBe("build");
    expect(build!.runsOn?.labels).toEqual(["self-hosted", "linux"]);
    expect(build!.needs).toEqual(["a", "b"]);
    expect(build!.if?.value).toBe("github.ref == 'refs/heads/main'");
    expect(build!.environment?.value).toBe("prod");
    expect(build!.strategy?.maxParallel?.value).toBe("2");
    expect(build!.strategy?.matrix?.axes).toEqual([
      { name: "os", size: 2, values: ["ubuntu-latest", "windows-latest"] },
      { name: "node", size: 2, values: ["18", "20"] },
    ]);
    expect(build!.strategy?.matrix?.exclude).toEqual([{ os: "windows-latest", node: "18" }]);
    expect(build!.permissions?.scopes).toEqual({ "id-token": "write", contents: "read" });

    const [s0, s1, s2] = build!.steps;
    expect(s0!.id?.value).toBe("creds");
    expect(slice(file, s0!.name!.range)).toBe('"Credentials — 🔑"');
    expect(s0!.uses?.ref).toMatchObject({ kind: "remote", owner: "aws-actions", repo: "configure-aws-credentials", ref: "v4" });
    expect(slice(file, s0!.uses!.node.range)).toBe("'aws-actions/configure-aws-credentials@v4'");
    expect(s0!.uses!.node.style).toBe("QUOTE_SINGLE");
    const role = s0!.with.entries.find((e) => e.key === "role-to-assume")!;
    expect(slice(file, role.keyRange)).toBe("role-to-assume");
    expect(slice(file, role.value!.range)).toBe("arn:aws:iam::123456789012:role/x");
    expect(s0!.with.entries[1]!.value?.isExpression).toBe(true);
    expect(s0!.env.entries[0]!.key).toBe("AWS_PROFILE");
    expect(s1!.flow).toBe(true);
    expect(s1!.with.entries[0]).toMatchObject({ key: "fetch-depth" });
    expect(s2!.run?.value).toBe("echo hi\n");
    expect(s2!.shell?.value).toBe("bash");

    expect(call!.uses?.ref).toMatchObject({ kind: "remote", owner: "octo", repo: "repo", subpath: ".github/workflows/r.yml", ref: "main", isWorkflow: true });
    expect(call!.secrets).toBe("inherit");
    expect(call!.with.entries[0]!.value?.value).toBe("1");
  });

  it("counts columns in UTF-16 code units after astral characters", () => {
    const file = parse(`on: push\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n      - name: 🔑🔑\n        run: x\n`);
    const step = buildWorkflow(file).jobs[0]!.steps[0]!;
    // "🔑" is two UTF-16 code units each.
    expect(step.run!.range.start).toMatchObject({ line: 7, column: 14 });
    expect(step.name!.range.end.column).toBe(19);
  });

  it("does not count a leading BOM as a column, and keeps CRLF offsets exact", () => {
    const file = parse("\uFEFFname: x\r\non: push\r\njobs:\r\n  j:\r\n    runs-on: ubuntu-latest\r\n    steps:\r\n      - run: echo\r\n");
    const wf = buildWorkflow(file);
    expect(wf.name!.range.start).toMatchObject({ line: 1, column: 7, offset: 7 });
    expect(file.text.slice(wf.name!.range.start.offset, wf.name!.range.end.offset)).toBe("x");
    const run = wf.jobs[0]!.steps[0]!.run!;
    expect(run.range.start).toMatchObject({ line: 7, column: 14 });
    expect(file.text.slice(run.range.start.offset, run.range.end.offset)).toBe("echo");
  });

  it("models composite actions with inputs, defaults and outputs", () => {
    const file = parse(`name: a\ninputs:\n  role:\n    required: true\n  region:\n    default: us-east-1\noutputs:\n  id:\n    value: x\nruns:\n  using: composite\n  steps:\n    - run: echo\n      shell: bash\n`, "action");
    const a = buildAction(file);
    expect(a.using).toBe("composite");
    expect([...a.inputs.values()].map((i) => [i.name, i.default, i.required])).toEqual([
      ["role", undefined, true],
      ["region", "us-east-1", false],
    ]);
    expect(a.outputs).toEqual(["id"]);
    expect(a.steps).toHaveLength(1);
  });

  it("parses every form of uses", () => {
    expect(parseUses("./.github/actions/x")).toMatchObject({ kind: "local", path: "./.github/actions/x" });
    expect(parseUses("actions/checkout@v4")).toMatchObject({ kind: "remote", owner: "actions", repo: "checkout", ref: "v4" });
    expect(parseUses("github/codeql-action/upload-sarif@abc")).toMatchObject({ subpath: "upload-sarif", isWorkflow: false });
    expect(parseUses("docker://alpine:3.19")).toMatchObject({ kind: "docker", image: "alpine", tag: "3.19" });
    expect(parseUses("docker://ghcr.io:443/o/i@sha256:abcd")).toMatchObject({ kind: "docker", image: "ghcr.io:443/o/i", digest: "sha256:abcd" });
    const local = parseUses("docker://localhost:5000/img");
    expect(local).toMatchObject({ kind: "docker", image: "localhost:5000/img" });
    expect(local.kind === "docker" && local.tag).toBeFalsy();
    expect(parseUses("actions/checkout").kind).toBe("invalid");
    expect(parseUses("").kind).toBe("invalid");
  });
});
