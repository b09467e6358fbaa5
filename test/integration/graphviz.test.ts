/**
 * `credflow graph --format dot` rendered by the real Graphviz (Debian's `graphviz` package, installed
 * with apt-get when `dot` is missing, as test/integration/pre-commit.test.ts installs pre-commit):
 * - every fixture under test/fixtures, the examples and a hostile repository: the repository's
 *   picture and the picture of each workflow (`--split`) render without an error or a warning;
 * - test/realworld/* and ../shared/corpus/realworld-aws/* (when present): the picture of the whole
 *   repository renders as a PNG within MAX_PX pixels a side (before issue 13 it was up to
 *   32,767 × 7,164 pixels, scaled down by Graphviz from about 45,000 × 9,800), and the picture of
 *   each repository's largest workflow renders;
 * - the README's graph section: its commands run as written (piped into Graphviz where they say
 *   so) from a copy of the repository's root, and its Mermaid example is what credflow prints.
 */
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lint } from "../../src/engine/lint.js";
import { offlinePins } from "../../src/knowledge/pins.js";
import { renderGraph, renderSplit } from "../../src/graph/render.js";
import type { ProjectGraph } from "../../src/graph/types.js";
import { graphRepositories } from "../helpers/graph-repos.js";
import { hostileRepo } from "../helpers/hostile-graph-repo.js";
import { cli } from "../helpers/cli.js";

const ROOT = path.resolve(__dirname, "..", "..");

/** The largest side, in pixels, a picture of a whole repository may have: "a few thousand". */
const MAX_PX = 6000;

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "credflow-graphviz-"));
let unavailable: string | undefined;

function sh(cmd: string, args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv; timeout?: number } = {}): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { encoding: "utf8", input: opts.input, env: opts.env ?? process.env, timeout: opts.timeout ?? 120_000, maxBuffer: 256 * 1024 * 1024 });
}

function onPath(cmd: string): boolean {
  return sh("sh", ["-c", `command -v ${cmd}`]).status === 0;
}

/** Installs Debian's graphviz when `dot` is missing; returns why it cannot run, if it cannot. */
function ensureGraphviz(): string | undefined {
  if (onPath("dot")) return undefined;
  if (!onPath("apt-get")) return "graphviz is not installed and there is no apt-get to install it";
  if (process.getuid?.() !== 0) return "graphviz is not installed and apt-get needs root";
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const install = () => sh("apt-get", ["install", "-y", "--no-install-recommends", "graphviz"], { env, timeout: 300_000 });
  let res = install();
  if (res.status !== 0) {
    sh("apt-get", ["update"], { env, timeout: 300_000 });
    res = install();
  }
  if (res.status !== 0 || !onPath("dot")) return `apt-get install graphviz failed: ${(res.stderr || res.stdout || "").trim().split("\n").at(-1)}`;
  return undefined;
}

/** Renders DOT text; returns Graphviz's standard error (warnings included) and, for PNG, the picture's size. */
function render(dot: string, format: "svg" | "png"): { status: number | null; stderr: string; width?: number; height?: number } {
  const out = path.join(scratch, `picture.${format}`);
  const res = sh("dot", [`-T${format}`, "-o", out], { input: dot });
  if (format !== "png" || res.status !== 0) return { status: res.status, stderr: res.stderr };
  const head = fs.readFileSync(out).subarray(0, 24);
  // PNG: 8-byte signature, then the IHDR chunk (length, type, width, height).
  return { status: res.status, stderr: res.stderr, width: head.readUInt32BE(16), height: head.readUInt32BE(20) };
}

async function graphOf(dir: string): Promise<ProjectGraph> {
  return (await lint({ paths: ["."], cwd: dir, settings: { visibility: "unknown" }, pins: offlinePins() })).graph;
}

beforeAll(() => {
  unavailable = ensureGraphviz();
}, 600_000);

afterAll(() => {
  fs.rmSync(scratch, { recursive: true, force: true });
});

const repos = graphRepositories();

describe("Graphviz renders the DOT of every fixture and the examples", () => {
  for (const { name, dir } of repos.filter((r) => !r.realworld)) it(name, async (ctx) => {
    if (unavailable) return ctx.skip(unavailable);
    const graph = await graphOf(dir);
    const pictures = [{ name: "repository", text: renderGraph(graph, { format: "dot", cwd: dir }).text }];
    const split = renderSplit(graph, { format: "dot", cwd: dir });
    if (split.files.length > 1) pictures.push(...split.files.map((f) => ({ name: f.name, text: f.text })));
    for (const p of pictures) {
      const r = render(p.text, "svg");
      expect(r.status, `${p.name}: ${r.stderr}`).toBe(0);
      expect(r.stderr, p.name).toBe("");
    }
  });

  it("a hostile repository: quotes, backslashes, line breaks and markup in every name", async (ctx) => {
    if (unavailable) return ctx.skip(unavailable);
    const dir = hostileRepo();
    for (const args of [[], ["--workflow", ".github/workflows/w.yml"]]) {
      const r = await cli(["graph", ".", "--format", "dot", ...args], { cwd: dir });
      const out = render(r.stdout, "svg");
      expect(out.status, out.stderr).toBe(0);
      expect(out.stderr).toBe("");
    }
  });
});

describe("a whole real repository stays within a few thousand pixels", () => {
  const sizes: string[] = [];
  for (const { name, dir } of repos.filter((r) => r.realworld)) it(name, async (ctx) => {
    if (unavailable) return ctx.skip(unavailable);
    const graph = await graphOf(dir);
    const whole = renderGraph(graph, { format: "dot", cwd: dir });
    const png = render(whole.text, "png");
    expect(png.status, png.stderr).toBe(0);
    // Graphviz scales pictures past 32,767 pixels down, with a warning: none here.
    expect(png.stderr).toBe("");
    expect(Math.max(png.width!, png.height!), `${png.width} × ${png.height}`).toBeLessThanOrEqual(MAX_PX);
    sizes.push(`${name}: ${png.width} × ${png.height}${whole.notes.length ? " (one node per job)" : ""}`);
    // The workflow with the most steps, drawn on its own with every step.
    const split = renderSplit(graph, { format: "dot", cwd: dir });
    const largest = split.files.reduce((a, b) => (b.text.length > a.text.length ? b : a));
    const one = render(largest.text, "svg");
    expect(one.status, `${largest.name}: ${one.stderr}`).toBe(0);
  });

  afterAll(() => {
    if (process.env.CREDFLOW_GRAPH_SIZES) console.log(`PNG pictures of whole repositories:\n${sizes.join("\n")}`);
  });
});

describe("README's graph section", () => {
  const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
  const between = (name: string) => {
    const m = new RegExp(`<!-- ${name}:start -->\\n\`\`\`\\w+\\n([\\s\\S]*?)\`\`\`\\n<!-- ${name}:end -->`).exec(readme);
    if (!m) throw new Error(`README.md has no ${name} block`);
    return m[1]!;
  };
  /** A copy of the repository root as the commands see it: the examples folder. */
  const cwd = () => {
    const dir = fs.mkdtempSync(path.join(scratch, "readme-"));
    fs.cpSync(path.join(ROOT, "examples"), path.join(dir, "examples"), { recursive: true });
    return dir;
  };

  it("runs every command as written", async (ctx) => {
    const commands = between("graph-commands").split("\n").filter(Boolean).map((l) => l.replace(/\s+#.*$/, ""));
    expect(commands.length).toBeGreaterThanOrEqual(4);
    const dir = cwd();
    for (const command of commands) {
      const [credflow, ...pipe] = command.split(" | ");
      const words = credflow!.split(/\s+/);
      expect(words.slice(0, 3), command).toEqual(["npx", "credflow", "graph"]);
      const r = await cli(words.slice(2), { cwd: dir });
      expect(r.code, `${command}\n${r.stderr}`).toBe(0);
      expect(r.stderr, command).toBe("");
      if (words.includes("--split")) {
        const folder = words[words.indexOf("--split") + 1]!;
        const files = r.stdout.trim().split("\n");
        expect(files).toContain(`${folder}/deploy.mmd`);
        for (const f of files) expect(fs.statSync(path.join(dir, f)).size, f).toBeGreaterThan(0);
      }
      if (words.includes("json")) expect(JSON.parse(r.stdout)).toMatchObject({ version: 1 });
      for (const p of pipe) {
        const [tool, ...args] = p.split(/\s+/);
        expect(tool, command).toBe("dot");
        if (unavailable) {
          ctx.skip(unavailable);
          return;
        }
        const res = spawnSync("dot", args, { cwd: dir, input: r.stdout, encoding: "utf8" });
        expect(res.status, `${command}\n${res.stderr}`).toBe(0);
        expect(res.stderr, command).toBe("");
        const out = args[args.indexOf("-o") + 1]!;
        expect(fs.statSync(path.join(dir, out)).size, out).toBeGreaterThan(0);
      }
    }
  });

  it("shows what `credflow graph examples --workflow deploy.yml --job deploy` prints", async () => {
    const shown = between("graph-example");
    expect(readme).toContain("`npx credflow graph examples --workflow deploy.yml --job deploy`\nprints:");
    const r = await cli(["graph", "examples", "--workflow", "deploy.yml", "--job", "deploy"], { cwd: cwd() });
    expect(r.stdout).toBe(shown);
  });
});
