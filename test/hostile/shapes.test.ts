/**
 * Scalars where maps belong and maps where scalars belong, in every field the rules read. Rich
 * inputs (a workflow, the composite action it calls, the reusable workflow it calls) are taken apart
 * path by path: each value, in turn, is replaced by a scalar, a number, null, an expression, a list of
 * scalars, a list of maps, a map of scalars or a map of maps. Every variant goes through the real
 * CLI: exit 0/1/2, no stack trace, no rule that throws, and `--fix --unsafe-fixes` leaves files that
 * parse at least as well as before, writes nothing outside the repository, and is idempotent.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { isMap, isScalar, isSeq, parseDocument, type Document, type Node } from "yaml";
import { tempRepo } from "../helpers/temp-repo.js";
import { changes, expectSane, outsideDir, runCli, snapshot, type TimedRun } from "../fuzz/harness.js";

const RICH_WORKFLOW = `name: rich
on:
  push:
    branches: [main]
  pull_request_target: {}
  workflow_dispatch:
    inputs:
      region: {default: us-east-1, type: string}
permissions:
  id-token: write
  contents: read
env:
  AWS_REGION: us-east-1
  AWS_ACCESS_KEY_ID: \${{ secrets.KEY }}
concurrency: {group: x, cancel-in-progress: true}
defaults: {run: {shell: bash}}
jobs:
  build:
    name: build
    runs-on: [self-hosted, linux]
    environment: {name: prod, url: "https://example.com"}
    permissions: {id-token: write, contents: read}
    if: github.event_name == 'push'
    timeout-minutes: 10
    outputs: {o: "\${{ steps.c.outputs.aws-account-id }}"}
    env: {AWS_PROFILE: p}
    strategy:
      fail-fast: false
      max-parallel: 2
      matrix:
        region: [us-east-1, eu-west-1]
        include: [{region: ap-south-1, extra: x}]
        exclude: [{region: eu-west-1}]
    container: {image: "node:20", credentials: {username: u, password: p}}
    steps:
      - id: c
        name: configure
        uses: aws-actions/configure-aws-credentials@v4
        if: always()
        with:
          role-to-assume: arn:aws:iam::123456789012:role/build
          aws-region: \${{ matrix.region }}
          disable-retry: true
          role-duration-seconds: 900
          mask-aws-account-id: false
        env: {AWS_REGION: us-west-2}
        continue-on-error: true
      - uses: ./act
        with: {role: "arn:aws:iam::123456789012:role/act"}
      - run: aws sts get-caller-identity
        shell: bash
        env: {AWS_SECRET_ACCESS_KEY: x}
      - uses: actions/cache@v4
        with: {path: ~/.aws, key: k}
      - uses: docker://alpine:3
  deploy:
    needs: [build]
    runs-on: ubuntu-latest
    permissions: write-all
    steps:
      - uses: aws-actions/configure-aws-credentials@v1
        with: {aws-access-key-id: x, aws-secret-access-key: y, aws-region: us-east-1, disable-retry: "true"}
  parallel:
    runs-on: {group: runners, labels: [linux]}
    steps:
      - uses: aws-actions/configure-aws-credentials@v3
        with: {role-to-assume: "arn:aws:iam::123456789012:role/p", aws-region: us-east-1, retry-max-attempts: 1}
  call:
    needs: build
    uses: ./.github/workflows/called.yml
    with: {role: "arn:aws:iam::123456789012:role/called"}
    secrets: inherit
  call2:
    uses: ./.github/workflows/called.yml
    secrets: {key: x}
    permissions: {id-token: write}
    strategy: {matrix: {x: [1, 2, 3]}}
`;

const RICH_ACTION = `name: act
description: d
inputs:
  role: {description: r, required: true, default: x}
  region: {default: us-east-1}
outputs:
  o: {value: x, description: o}
runs:
  using: composite
  steps:
    - uses: aws-actions/configure-aws-credentials@v4
      with: {role-to-assume: "\${{ inputs.role }}", aws-region: "\${{ inputs.region }}"}
    - run: echo
      shell: bash
      env: {AWS_ACCESS_KEY_ID: b}
    - uses: ./act2
      with: {x: y}
`;

const RICH_CALLED = `on:
  workflow_call:
    inputs:
      role: {type: string, default: "arn:aws:iam::123456789012:role/default", required: false}
    secrets:
      key: {required: false}
    outputs:
      o: {value: x}
permissions: {id-token: write}
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - uses: aws-actions/configure-aws-credentials@v2
        with: {role-to-assume: "\${{ inputs.role }}", aws-region: us-east-1, disable-retry: true}
  b:
    runs-on: ubuntu-latest
    steps:
      - uses: aws-actions/configure-aws-credentials@v2
        with: {role-to-assume: "\${{ inputs.role }}", aws-region: us-east-1}
`;

const ACT2 = "name: act2\nruns:\n  using: composite\n  steps:\n    - run: echo\n      shell: bash\n";

type Path = Array<string | number>;

/** Every path to a value in the document (map values and sequence items, at every depth). */
function valuePaths(doc: Document): Path[] {
  const out: Path[] = [];
  const walk = (node: unknown, p: Path): void => {
    if (isMap(node)) {
      for (const item of node.items) {
        if (!isScalar(item.key)) continue;
        const q = [...p, String(item.key.value)];
        out.push(q);
        walk(item.value, q);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        out.push([...p, i]);
        walk(item, [...p, i]);
      });
    }
  };
  walk(doc.contents, []);
  return out;
}

const REPLACEMENTS: Record<string, unknown> = {
  scalar: "x",
  number: 0,
  null: null,
  expression: "${{ fromJSON(inputs.x) }}",
  "list of scalars": ["a", "b"],
  "list of maps": [{ a: "b" }, { c: { d: "e" } }],
  "map of scalars": { a: "b", "role-to-assume": "c" },
  "map of maps": { a: { b: "c" }, uses: { x: ["y"] } },
};

/** `text` with the value at `p` replaced by `value`. */
function replaced(text: string, p: Path, value: unknown): string {
  const doc = parseDocument(text);
  doc.setIn(p, doc.createNode(value) as Node);
  return doc.toString({ lineWidth: 0 });
}

function yamlErrors(text: string): number {
  return parseDocument(text, { uniqueKeys: false }).errors.length;
}

/** Files of every variant, and what each one is (for messages). */
function variantRepo(kind: string, value: unknown): { files: Record<string, string>; labels: Map<string, string> } {
  const files: Record<string, string> = {};
  const labels = new Map<string, string>();
  const base = {
    ".github/workflows/called.yml": RICH_CALLED,
    "act/action.yml": RICH_ACTION,
    "act2/action.yml": ACT2,
  };
  Object.assign(files, base);
  const add = (file: string, text: string, label: string) => {
    files[file] = text;
    labels.set(file, label);
  };
  valuePaths(parseDocument(RICH_WORKFLOW)).forEach((p, i) => add(`.github/workflows/w${i}.yml`, replaced(RICH_WORKFLOW, p, value), `workflow ${p.join(".")} = ${kind}`));
  // Each action variant gets its own folder and a caller; each called-workflow variant its own caller.
  valuePaths(parseDocument(RICH_ACTION)).forEach((p, i) => {
    add(`acts/a${i}/action.yml`, replaced(RICH_ACTION, p, value), `action ${p.join(".")} = ${kind}`);
    files[`.github/workflows/act-caller${i}.yml`] = `on: push\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: ./acts/a${i}\n        with: {role: r}\n`;
  });
  valuePaths(parseDocument(RICH_CALLED)).forEach((p, i) => {
    add(`.github/workflows/called${i}.yml`, replaced(RICH_CALLED, p, value), `called workflow ${p.join(".")} = ${kind}`);
    files[`.github/workflows/calls${i}.yml`] = `on: push\njobs:\n  c:\n    uses: ./.github/workflows/called${i}.yml\n    with: {role: r}\n  d:\n    uses: ./.github/workflows/called${i}.yml\n`;
  });
  return { files, labels };
}

/** When a batch reports internal errors, lint the variants one by one to name the culprits. */
async function culprits(dir: string, labels: Map<string, string>): Promise<string[]> {
  const out: string[] = [];
  for (const [file, label] of labels) {
    const r = await runCli([file], dir);
    for (const line of r.stderr.split("\n").filter((l) => l.includes("internal error"))) out.push(`${label}: ${line}`);
  }
  return out;
}

describe("every field the rules read, in every wrong shape", () => {
  it("the rich inputs themselves lint cleanly (no internal error) and have fixes", async () => {
    const dir = tempRepo({ ".github/workflows/w.yml": RICH_WORKFLOW, ".github/workflows/called.yml": RICH_CALLED, "act/action.yml": RICH_ACTION, "act2/action.yml": ACT2 });
    const r = await runCli(["."], dir);
    expectSane(r, { codes: [1] });
    expect(r.stdout).toMatch(/\((--fix|--unsafe-fixes)\)$/m);
    expect(valuePaths(parseDocument(RICH_WORKFLOW)).length).toBeGreaterThan(100);
  });

  for (const [kind, value] of Object.entries(REPLACEMENTS)) {
    it(`replaced by ${kind}`, async () => {
      const { files, labels } = variantRepo(kind, value);
      const dir = tempRepo(files);
      const out = outsideDir();

      const r: TimedRun = await runCli(["."], dir);
      expectSane(r, { codes: [0, 1, 2], noInternalError: false });
      const failures = r.stderr.includes("internal error") ? await culprits(dir, labels) : [];
      expect(failures, failures.join("\n")).toEqual([]);
      expectSane(r, { codes: [0, 1] });

      // --fix: nothing outside changes, no file parses worse than before, a second run changes nothing.
      const before = new Map(Object.keys(files).map((f) => [f, yamlErrors(files[f]!)]));
      const outsideBefore = snapshot(out);
      const fix = await runCli(["--fix", "--unsafe-fixes", "."], dir);
      expectSane(fix, { codes: [0, 1] });
      expect(changes(outsideBefore, snapshot(out))).toEqual([]);
      for (const [f, errs] of before) {
        const now = fs.readFileSync(path.join(dir, f), "utf8");
        expect(yamlErrors(now), `${labels.get(f) ?? f}: --fix made the YAML worse:\n${now}`).toBeLessThanOrEqual(errs);
      }
      const settled = snapshot(dir);
      const again = await runCli(["--fix", "--unsafe-fixes", "."], dir);
      expectSane(again, { codes: [0, 1] });
      const moved = changes(settled, snapshot(dir)).map((c) => {
        const f = path.relative(dir, c.replace(/^\w+ /, ""));
        return `${c} (${labels.get(f) ?? f})`;
      });
      expect(moved, "a second --fix changed files again").toEqual([]);
    });
  }
});
