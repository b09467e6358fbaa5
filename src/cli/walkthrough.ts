/**
 * docs/getting-started.md quotes credflow's real output on examples/. Each quoted block sits
 * between `<!-- output: ARGS [head=N] [tail=N] [copy] -->` and `<!-- /output -->`; `fillOutputs`
 * runs `credflow ARGS` in process from the repository root (no colour, 80 columns) and writes what
 * it printed into the block, so `npm run docs` regenerates the page and a test fails when it is stale.
 * `copy` runs in a throwaway copy of examples/ (for `--fix`, which writes).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { run } from "./main.js";
import { useDocsDir } from "./docs.js";

const BLOCK = /(<!-- output: ([^>]*?) -->\n)([\s\S]*?)(<!-- \/output -->)/g;

interface Spec {
  args: string[];
  head?: number;
  tail?: number;
  copy: boolean;
}

function parseSpec(text: string): Spec {
  const words = text.trim().split(/\s+/);
  const spec: Spec = { args: [], copy: false };
  for (const w of words) {
    const m = /^(head|tail)=(\d+)$/.exec(w);
    if (m) spec[m[1] as "head" | "tail"] = Number(m[2]);
    else if (w === "copy") spec.copy = true;
    else spec.args.push(w);
  }
  if (spec.args[0] !== "credflow") throw new Error(`output block must start with "credflow": ${text}`);
  spec.args.shift();
  return spec;
}

/** What `credflow ARGS` prints (standard output, then standard error) and its exit code. */
async function credflow(args: string[], cwd: string): Promise<{ out: string; code: number }> {
  let out = "";
  const code = await run(args, {
    stdout: (t) => (out += t),
    stderr: (t) => (out += t),
    readStdin: () => new Uint8Array(),
    env: {},
    cwd,
    stdoutIsTTY: false,
  });
  return { out, code };
}

async function render(spec: Spec, root: string): Promise<string> {
  let cwd = root;
  let scratch: string | undefined;
  if (spec.copy) {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), "credflow-docs-"));
    fs.cpSync(path.join(root, "examples"), path.join(scratch, "examples"), { recursive: true });
    fs.mkdirSync(path.join(scratch, ".git"));
    cwd = scratch;
  }
  try {
    const { out } = await credflow(spec.args, cwd);
    let lines = out.replace(/\n$/, "").split("\n");
    const total = lines.length;
    if (spec.head !== undefined && total > spec.head) lines = [...lines.slice(0, spec.head), "…"];
    if (spec.tail !== undefined && total > spec.tail) lines = ["…", ...lines.slice(-spec.tail)];
    return ["```console", `$ npx credflow ${spec.args.join(" ")}`, ...lines, "```", ""].join("\n");
  } finally {
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/** `markdown` with every output block filled with what credflow prints now. */
export async function fillOutputs(markdown: string, root: string): Promise<string> {
  useDocsDir(path.join(root, "docs", "rules"));
  const parts: string[] = [];
  let last = 0;
  for (const m of markdown.matchAll(BLOCK)) {
    parts.push(markdown.slice(last, m.index), m[1]!, await render(parseSpec(m[2]!), root), m[4]!);
    last = m.index! + m[0].length;
  }
  parts.push(markdown.slice(last));
  return parts.join("");
}

export const GETTING_STARTED = "docs/getting-started.md";
