/**
 * Files whose bytes are hostile: far too large, large, binary garbage, not UTF-8 (Latin-1, UTF-16,
 * broken sequences), NUL bytes, and documents that are empty, `null`, a list, a scalar, only `---`,
 * or several documents. As workflows and as the action.yml of a composite the workflow calls.
 * Each: exit 0/1/2, a finding naming the file, no stack trace, no hang, `--fix` writes nothing.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { tempRepo } from "../helpers/temp-repo.js";
import { lintDir } from "../helpers/lint-fixture.js";
import { expectFixWritesNothing, expectSane, pseudoRandomBytes, runCli, runProcess, cpuOf } from "../fuzz/harness.js";
import { MAX_FILE_BYTES } from "../../src/parse/parse-file.js";

const WF = ".github/workflows/w.yml";
const enc = (s: string) => new TextEncoder().encode(s);
const CALLER = "on: push\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: ./act\n";

/** A plausible workflow of about `bytes` bytes: many jobs with AWS steps and env entries. */
function bigWorkflow(bytes: number): string {
  const job = (i: number) =>
    [
      `  job${i}:`,
      "    runs-on: ubuntu-latest",
      "    permissions: {id-token: write, contents: read}",
      "    env: {A: one, B: two}",
      "    steps:",
      "      - uses: aws-actions/configure-aws-credentials@7474bc4690e29a8392af63c5b98e7449536d5c3a # v4.3.1",
      `        with: {role-to-assume: "arn:aws:iam::123456789012:role/r${i}", aws-region: us-east-1}`,
      `      - run: echo ${"x".repeat(40)} ${i}`,
      "",
    ].join("\n");
  const parts = ["on: push", "jobs:", ""];
  let size = 20;
  for (let i = 0; size < bytes; i++) {
    const j = job(i);
    parts.push(j);
    size += j.length + 1;
  }
  return parts.join("\n");
}

describe("size", () => {
  it("a 20 MB workflow is refused quickly, naming the limit", async () => {
    const text = bigWorkflow(20 * 1024 * 1024);
    expect(text.length).toBeGreaterThan(MAX_FILE_BYTES);
    const dir = tempRepo({ [WF]: text, ".github/workflows/ok.yml": "on: push\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n" });
    const r = await runProcess(["."], dir, 30_000, ["--max-old-space-size=256"]);
    expectSane(r, { paths: [WF], codes: [1] });
    expect(r.stdout.replace(/\s+/g, " ")).toContain(`above credflow's limit of ${MAX_FILE_BYTES} bytes`);
    // Reading 20 MB and refusing it: the whole process in a few seconds, well under a hang.
    expect(cpuOf(r)).toBeLessThan(5_000);
    console.log(`20 MB workflow refused: ${Math.round(r.ms)} ms (whole process)`);
    await expectFixWritesNothing(dir, ["."]);
  });

  it("1.5 GB and 3 GB workflows (sparse files) are refused by their size, unread", async () => {
    const dir = tempRepo({ ".github/workflows/ok.yml": "on: push\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n" });
    const huge = [".github/workflows/huge.yml", ".github/workflows/huger.yml", "act/action.yml"];
    fs.mkdirSync(path.join(dir, "act"));
    const sparse = (file: string, size: number) => {
      const fd = fs.openSync(path.join(dir, file), "w");
      fs.ftruncateSync(fd, size);
      fs.closeSync(fd);
    };
    sparse(huge[0]!, 1536 * 1024 * 1024);
    sparse(huge[1]!, 3 * 1024 * 1024 * 1024);
    sparse(huge[2]!, 1536 * 1024 * 1024);
    fs.writeFileSync(path.join(dir, ".github/workflows/caller.yml"), CALLER);
    const r = await runProcess(["."], dir, 30_000);
    expectSane(r, { paths: huge, codes: [1] });
    // One headline for the three files (the same problem), each file's place under it.
    expect(r.stdout).toMatch(/^error\[yaml-syntax\]: file is \d+ bytes, above credflow's limit/m);
    for (const p of huge) expect(r.stdout).toMatch(new RegExp(`^ +--> ${p.replace(/[./]/g, "\\$&")}:1:1$`, "m"));
    // Reading 1.5 GB takes seconds and as much memory; not reading it takes neither.
    expect(cpuOf(r)).toBeLessThan(2_000);
    await expectFixWritesNothing(dir, ["."]);
  });

  it("a 5 MB workflow is linted within a time and memory bound", async () => {
    const text = bigWorkflow(5 * 1024 * 1024);
    expect(text.length).toBeLessThan(MAX_FILE_BYTES);
    const dir = tempRepo({ [WF]: text });
    const r = await runProcess(["--format", "json", "."], dir, 120_000, ["--max-old-space-size=2048"]);
    expectSane(r, { codes: [0, 1] });
    // Measured on a 2-core container: about 10 s. The bound catches a quadratic slide, not noise.
    expect(cpuOf(r)).toBeLessThan(60_000);
    console.log(`5 MB workflow (${text.split("\n").length} lines): ${Math.round(r.ms)} ms`);
  });
});

const garbage: Record<string, Uint8Array> = {
  "random bytes": pseudoRandomBytes(64 * 1024, 7),
  "random bytes without NUL": pseudoRandomBytes(64 * 1024, 11).map((b) => (b === 0 ? 1 : b)),
  "a PNG header": Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]),
  "Latin-1 text": Uint8Array.from([...enc("on: push\nname: caf"), 0xe9, ...enc("\njobs: {}\n")]),
  "UTF-16 LE with BOM": Uint8Array.from([0xff, 0xfe, ...[..."on: push\n"].flatMap((c) => [c.charCodeAt(0), 0])]),
  "UTF-16 BE with BOM": Uint8Array.from([0xfe, 0xff, ...[..."on: push\n"].flatMap((c) => [0, c.charCodeAt(0)])]),
  "a truncated UTF-8 sequence": Uint8Array.from([...enc("on: push\nname: "), 0xe2, 0x82]),
  "an overlong UTF-8 encoding": Uint8Array.from([...enc("on: push\nname: "), 0xc0, 0xaf, 0x0a]),
  "a UTF-8-encoded surrogate": Uint8Array.from([...enc("on: push\nname: "), 0xed, 0xa0, 0x80, 0x0a]),
  "a NUL in a valid workflow": enc("on: push\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo \u0000\n"),
  "control characters": enc("on: push\n\u0001\u0002\u001b[31m: x\njobs: {}\n"),
  "a lone BOM": Uint8Array.from([0xef, 0xbb, 0xbf]),
  "two BOMs": Uint8Array.from([0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf, ...enc("on: push\njobs: {}\n")]),
  "a BOM in the middle": enc("on: push\n\ufeffjobs: {}\n"),
  "U+2028 and U+2029 line separators": enc("on: push\u2028jobs:\u2029  j: {}\n"),
  "only carriage returns": enc("on: push\rjobs:\r  j:\r    runs-on: x\r    steps:\r      - run: echo\r"),
  "mixed line endings": enc("on: push\r\njobs:\n  j:\r    runs-on: x\r\n    steps:\n      - run: echo\r"),
  "tabs for indentation": enc("on: push\njobs:\n\tj:\n\t\truns-on: x\n"),
  "a very long line": enc(`on: push\nname: ${"a".repeat(2_000_000)}\njobs: {}\n`),
  "200,000 comment lines": enc(`on: push\njobs: {}\n${"#\n".repeat(200_000)}`),
};

const documents: Record<string, string> = {
  empty: "",
  "only whitespace": "   \n\n\t\n",
  "only a comment": "# nothing here\n",
  null: "null\n",
  tilde: "~\n",
  "a list": "- on: push\n- jobs: {}\n",
  "a scalar": "hello\n",
  "a number": "42\n",
  "a quoted string": '"on: push"\n',
  "only ---": "---\n",
  "--- and ...": "---\n...\n",
  "two documents": "on: push\njobs: {}\n---\non: pull_request\njobs: {}\n",
  "a document after a list": "- a\n---\non: push\n",
  "a directive only": "%YAML 1.2\n---\n",
  "an anchor with nothing": "&a\n",
  "an alias to nothing": "*a\n",
  "a tagged map": "!!map {on: push, jobs: {}}\n",
  "a binary tag": "on: push\njobs: !!binary aGVsbG8=\n",
  "a custom tag": "on: !custom push\njobs: !!set {a, b}\n",
  "a complex key": "? [a, b]\n: c\non: push\njobs: {}\n",
  "duplicate keys": "on: push\non: pull_request\njobs: {}\njobs: {}\n",
  "a null key": "~: x\n: y\non: push\njobs: {}\n",
};

describe("bytes that are not a workflow", () => {
  for (const [name, bytes] of Object.entries(garbage)) {
    it(`${name}, as a workflow and as a called action`, async () => {
      const dir = tempRepo({ [WF]: bytes, ".github/workflows/caller.yml": CALLER, "act/action.yml": bytes });
      const r = await runCli(["."], dir);
      expectSane(r, { paths: [WF], codes: [1] });
      expect(cpuOf(r)).toBeLessThan(15_000);
      await expectFixWritesNothing(dir, ["."]);
    });
  }

  it("all of them at once, as a real process", async () => {
    const files: Record<string, Uint8Array> = {};
    Object.values(garbage).forEach((b, i) => (files[`.github/workflows/g${i}.yml`] = b));
    const dir = tempRepo(files);
    const r = await runProcess(["."], dir, 60_000);
    expectSane(r, { paths: Object.keys(files), codes: [1] });
  });
});

describe("documents that are not a mapping", () => {
  for (const [name, text] of Object.entries(documents)) {
    it(`${name}, as a workflow and as a called action`, async () => {
      const dir = tempRepo({ [WF]: text, ".github/workflows/caller.yml": CALLER, "act/action.yml": text });
      const r = await runCli(["."], dir);
      expectSane(r, { paths: [WF] });
      await expectFixWritesNothing(dir, ["."]);
    });
  }

  it("each of them, and the garbage, on standard input", async () => {
    const dir = tempRepo({});
    for (const input of [...Object.values(documents), ...Object.values(garbage)]) {
      const r = await runCli(["-", "--stdin-filename", WF], dir, input);
      expectSane(r, { paths: input.length ? [WF] : [] });
    }
  });
});

describe("syntax error positions", () => {
  it("stay on the right line after text the parser cannot place (multi-line tokens at the top level)", async () => {
    const texts = [
      "{\nrun: |\n  echo \"${{ inputs.x }}\"\n  more\n  lines\nshell: bash\nname: x\n",
      "\ufeff{\r\nrun: |\r\n  a \"${{ b }}\"\r\n  c\r\nname: [x\r\n",
      "[a, b\nc: |\n  x\n  y\nd: e\n",
    ];
    const files: Record<string, string> = {};
    texts.forEach((t, i) => (files[`.github/workflows/p${i}.yml`] = t));
    const r = await lintDir(tempRepo(files));
    const syntax = r.findings.filter((f) => f.ruleId === "yaml-syntax");
    // One finding per file (the first error, "and N more"); its position must still be right.
    expect(syntax.length).toBe(texts.length);
    for (const f of syntax) {
      const text = r.files.find((x) => x.path === f.location.path)!.text;
      for (const p of [f.location.range.start, f.location.range.end]) {
        const before = text.slice(0, p.offset);
        const line = before.split("\n").length;
        const column = p.offset - (before.lastIndexOf("\n") + 1) + 1 - (line === 1 && text.startsWith("\ufeff") && p.offset > 0 ? 1 : 0);
        expect({ line: p.line, column: p.column }, `${f.location.path} offset ${p.offset}: ${f.message}`).toEqual({ line, column });
      }
    }
  });

  it("at the very end of a file are located inside it (not one character past its end)", async () => {
    const texts = ["on: push\njobs:\n  j:\n    runs-on: [ubuntu\n", "on: push\nname: [", 'on: push\nname: "x', "on: push\nname: 'x", "\ufeff["];
    const files: Record<string, string> = {};
    texts.forEach((t, i) => (files[`.github/workflows/e${i}.yml`] = t));
    const r = await lintDir(tempRepo(files));
    const syntax = r.findings.filter((f) => f.ruleId === "yaml-syntax");
    expect(syntax.length).toBeGreaterThanOrEqual(texts.length);
    for (const f of syntax) {
      const text = r.files.find((x) => x.path === f.location.path)!.text;
      expect(f.location.range.end.offset, `${f.location.path}: ${f.message}`).toBeLessThanOrEqual(text.length);
      expect(f.location.range.start.offset).toBeLessThanOrEqual(f.location.range.end.offset);
    }
  });
});
