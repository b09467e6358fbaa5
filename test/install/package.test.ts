/**
 * The `npm pack` tarball is what a release ships. This packs the working tree, checks what the
 * tarball holds (the bundle, executable; the docs the CLI reads for SARIF help; the schema; the
 * license and README; nothing else), then installs it with npm in an empty project and in a global
 * prefix, with no network and an empty npm cache, and runs `npx credflow` on a copy of examples/.
 *
 * The bundle has every library inside it, so the package has no dependencies to fetch.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RULES } from "../../src/rules/index.js";
import { offlineNpmEnv, onPath, ROOT, run, shown } from "../helpers/npm.js";

const TIMEOUT = 180_000;
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "credflow-package-"));
const env = offlineNpmEnv(path.join(scratch, "npm-cache"));

interface Packed {
  filename: string;
  size: number;
  unpackedSize: number;
  files: Array<{ path: string; size: number; mode: number }>;
}

let packed: Packed;
let tarball = "";
/** An empty project with the tarball installed. */
let project = "";

const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
  name: string;
  version: string;
  bin: Record<string, string>;
  files: string[];
  dependencies?: Record<string, string>;
};

beforeAll(() => {
  const out = path.join(scratch, "pack");
  fs.mkdirSync(out);
  const r = run("npm", ["pack", "--json", "--pack-destination", out], { cwd: ROOT, env });
  if (r.code !== 0) throw new Error(`npm pack failed\n${shown(r)}`);
  packed = (JSON.parse(r.stdout) as Packed[])[0]!;
  tarball = path.join(out, packed.filename);

  project = path.join(scratch, "project");
  fs.mkdirSync(project);
  fs.writeFileSync(path.join(project, "package.json"), `${JSON.stringify({ name: "someone-elses-project", version: "1.0.0", private: true }, null, 2)}\n`);
  const inst = run("npm", ["install", "--save-dev", tarball], { cwd: project, env, timeout: TIMEOUT });
  if (inst.code !== 0) throw new Error(`npm install <tarball> --offline failed\n${shown(inst)}`);
  // What to lint: the examples, as a user's repository inside the project.
  fs.cpSync(path.join(ROOT, "examples"), path.join(project, "repo"), { recursive: true });
}, TIMEOUT);

afterAll(() => {
  fs.rmSync(scratch, { recursive: true, force: true });
});

describe("the npm pack tarball", () => {
  it("holds the bundle, the docs, the schema, the license and the README, and nothing else", () => {
    const files = packed.files.map((f) => f.path).sort();
    expect(packed.filename).toBe(`${pkg.name}-${pkg.version}.tgz`);
    // dist/THIRD-PARTY-LICENSES.txt: the licenses of the WebAssembly the bundle embeds (tree-sitter, its HCL grammar).
    const allowed = /^(package\.json|README\.md|LICENSE|dist\/credflow\.mjs|dist\/credflow-core\.cjs|dist\/THIRD-PARTY-LICENSES\.txt|schema\/credflow\.schema\.json|docs\/(rules\/)?[a-z0-9-]+\.md)$/;
    expect(files.filter((f) => !allowed.test(f))).toEqual([]);
    for (const f of ["package.json", "README.md", "LICENSE", "dist/credflow.mjs", "dist/credflow-core.cjs", "schema/credflow.schema.json"]) expect(files, f).toContain(f);
    // The rule pages are each rule's SARIF help and `credflow explain` text, read at run time.
    for (const r of RULES) expect(files, r.id).toContain(`docs/rules/${r.id}.md`);
    // Every doc the README links to ships with it.
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    for (const m of readme.matchAll(/\]\((docs\/[^)#]+\.md)\)/g)) expect(files, m[1]).toContain(m[1]);
  });

  it("keeps the bin executable", () => {
    const bin = packed.files.find((f) => f.path === pkg.bin.credflow)!;
    expect(bin, pkg.bin.credflow).toBeDefined();
    expect((bin.mode & 0o777).toString(8)).toBe("755");
    expect(fs.readFileSync(path.join(ROOT, pkg.bin.credflow), "utf8").startsWith("#!/usr/bin/env node\n")).toBe(true);
  });

  it.skipIf(!onPath("git") || !fs.existsSync(path.join(ROOT, ".git")))("has the bin committed with mode 100755", () => {
    const r = run("git", ["ls-files", "-s", "--", pkg.bin.credflow], { cwd: ROOT });
    expect(r.stdout).toMatch(/^100755 /);
  });

  it("has no dependencies to install: the bundle carries every library", () => {
    expect(pkg.dependencies ?? {}).toEqual({});
    const bundle = fs.readFileSync(path.join(ROOT, pkg.bin.credflow), "utf8");
    // Static imports are node's own modules only.
    const imports = [...bundle.matchAll(/^import .* from "([^"]+)";?$/gm)].map((m) => m[1]!);
    expect(imports.filter((m) => !m.startsWith("node:"))).toEqual([]);
  });

  it("stays small", () => {
    // The bundle embeds the Terraform parser's WebAssembly (tree-sitter and its HCL grammar, ~400 KB).
    expect(packed.size).toBeLessThan(1.5 * 1024 * 1024);
    expect(packed.unpackedSize).toBeLessThan(4 * 1024 * 1024);
  });
});

describe("npm install <tarball> in an empty project, offline", () => {
  it("installs the bin, executable, and nothing besides the package", () => {
    const bin = path.join(project, "node_modules", ".bin", "credflow");
    expect(fs.existsSync(bin)).toBe(true);
    expect(fs.statSync(bin).mode & 0o111).not.toBe(0);
    expect(fs.readdirSync(path.join(project, "node_modules")).filter((d) => !d.startsWith("."))).toEqual(["credflow"]);
  });

  it("npx credflow --version prints the package's version", () => {
    const r = run("npx", ["credflow", "--version"], { cwd: project, env });
    expect(r.code, shown(r)).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it("npx credflow lints the examples: the findings of the sources, exit code 1", () => {
    const r = run("npx", ["credflow", "repo", "--format", "json"], { cwd: project, env });
    expect(r.code, shown(r)).toBe(1);
    expect(r.stderr).toBe("");
    const rules = new Set((JSON.parse(r.stdout) as { findings: Array<{ rule: string }> }).findings.map((f) => f.rule));
    for (const id of ["composite-role-conflict", "credential-env-shadowing", "unpinned-ref", "missing-id-token-permission"]) expect(rules, id).toContain(id);
    // The same report as the bundle in this repository gives.
    const here = run(process.execPath, [path.join(ROOT, pkg.bin.credflow), "repo", "--format", "json"], { cwd: project, env });
    expect(r.stdout).toBe(here.stdout);
  });

  it("the installed bin runs directly, with the text report", () => {
    const r = run(path.join(project, "node_modules", ".bin", "credflow"), ["repo", "--no-color"], { cwd: project, env });
    expect(r.code, shown(r)).toBe(1);
    expect(r.stdout).toMatch(/\[composite-role-conflict\]/);
  });

  it("SARIF rules carry their doc page as help (read from the installed docs/rules)", () => {
    const r = run("npx", ["credflow", "repo", "--format", "sarif", "--exit-zero"], { cwd: project, env });
    expect(r.code, shown(r)).toBe(0);
    const log = JSON.parse(r.stdout) as { runs: Array<{ tool: { driver: { rules: Array<{ id: string; help?: { markdown: string } }> } } }> };
    const rules = log.runs[0]!.tool.driver.rules;
    expect(rules.length).toBeGreaterThan(5);
    for (const rule of rules) {
      const page = fs.readFileSync(path.join(ROOT, "docs", "rules", `${rule.id}.md`), "utf8");
      const heading = page.split("\n").find((l) => l.trim() !== "")!;
      expect(rule.help?.markdown ?? "", rule.id).toContain(heading.replace(/^#+\s*/, ""));
    }
  });

  it("`credflow explain`, when this version has it, prints a rule's page", () => {
    const help = run("npx", ["credflow", "--help"], { cwd: project, env });
    expect(help.code, shown(help)).toBe(0);
    if (!/^\s+explain\b/m.test(help.stdout)) return; // not in this version yet
    const r = run("npx", ["credflow", "explain", "unpinned-ref"], { cwd: project, env });
    expect(r.code, shown(r)).toBe(0);
    expect(r.stdout).toContain("unpinned-ref");
  });

  it("validates the configuration (the schema and its validator are in the bundle)", () => {
    const repo = path.join(project, "configured");
    fs.cpSync(path.join(project, "repo"), repo, { recursive: true });
    fs.writeFileSync(path.join(repo, ".credflow.yml"), "rules:\n  unpinned-ref: off\n");
    const ok = run("npx", ["credflow", "configured", "--format", "json"], { cwd: project, env });
    expect(ok.code, shown(ok)).toBe(1);
    expect((JSON.parse(ok.stdout) as { findings: Array<{ rule: string }> }).findings.map((f) => f.rule)).not.toContain("unpinned-ref");
    fs.writeFileSync(path.join(repo, ".credflow.yml"), "rules:\n  unpinned-ref: loud\n");
    const bad = run("npx", ["credflow", "configured"], { cwd: project, env });
    expect(bad.code, shown(bad)).toBe(2);
    expect(bad.stderr.trim().split("\n")).toHaveLength(1);
    expect(bad.stderr).toContain(".credflow.yml");
  });
});

describe("npm install --global", () => {
  it(
    "from the tarball: `credflow` on PATH",
    () => {
      const prefix = path.join(scratch, "global-tarball");
      const inst = run("npm", ["install", "--global", "--prefix", prefix, tarball], { cwd: scratch, env, timeout: TIMEOUT });
      expect(inst.code, shown(inst)).toBe(0);
      const r = run("credflow", ["--version"], { cwd: scratch, env: { ...env, PATH: `${path.join(prefix, "bin")}${path.delimiter}${env.PATH ?? ""}` } });
      expect(r.code, shown(r)).toBe(0);
      expect(r.stdout.trim()).toBe(pkg.version);
    },
    TIMEOUT,
  );

  for (const [how, args] of [
    ["npm link", ["link"]],
    ["npm install -g .", ["install", "--global", "."]],
  ] as const) {
    it(
      `from a clone (\`${how}\`): \`credflow\` on PATH runs the clone's bundle`,
      () => {
        const prefix = path.join(scratch, `global-clone-${args[0]}`);
        const inst = run("npm", [...args], { cwd: ROOT, env: { ...env, npm_config_prefix: prefix }, timeout: TIMEOUT });
        expect(inst.code, shown(inst)).toBe(0);
        expect(fs.realpathSync(path.join(prefix, "lib", "node_modules", "credflow"))).toBe(fs.realpathSync(ROOT));
        const r = run("credflow", ["examples", "--format", "json"], { cwd: ROOT, env: { ...env, PATH: `${path.join(prefix, "bin")}${path.delimiter}${env.PATH ?? ""}` } });
        expect(r.code, shown(r)).toBe(1);
        expect((JSON.parse(r.stdout) as { findings: unknown[] }).findings.length).toBeGreaterThan(10);
      },
      TIMEOUT,
    );
  }
});
