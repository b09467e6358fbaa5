/**
 * Shared pieces of the end-to-end output tests: the rule fixture cases (enumerated at test time,
 * the set grows with every rule), settings → CLI flags, temporary copies, git, file trees, and the
 * SARIF 2.1.0 validators.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import type { ValidateFunction } from "ajv";
import type { Settings } from "../../src/rules/types.js";
import { FIXTURES } from "../helpers/lint-fixture.js";
import { NEEDS, sharedFileOrNote, sharedPath } from "../helpers/shared.js";

export const REPO = path.resolve(import.meta.dirname, "..", "..");
export const DOCS_RULES = path.join(REPO, "docs", "rules");

/** case.json, as test/rules/fixtures.test.ts reads it. */
export interface CaseSpec {
  description: string;
  settings?: Partial<Settings>;
  /** Rule options by rule id. */
  options?: Record<string, Record<string, unknown>>;
  expect: Array<{ path: string; line: number; level?: string }>;
  fixed?: Record<string, string>;
  unsafe?: boolean;
}

export interface FixtureCase {
  ruleId: string;
  name: string;
  /** Absolute path of the case folder. */
  dir: string;
  spec: CaseSpec;
}

/** Every test/fixtures/<rule-id>/<case>/case.json present right now. */
export function fixtureCases(): FixtureCase[] {
  if (!fs.existsSync(FIXTURES)) return [];
  const out: FixtureCase[] = [];
  for (const ruleId of fs.readdirSync(FIXTURES).sort()) {
    const ruleDir = path.join(FIXTURES, ruleId);
    if (!fs.statSync(ruleDir).isDirectory()) continue;
    for (const name of fs.readdirSync(ruleDir).sort()) {
      const dir = path.join(ruleDir, name);
      const file = path.join(dir, "case.json");
      if (!fs.existsSync(file)) continue;
      out.push({ ruleId, name, dir, spec: JSON.parse(fs.readFileSync(file, "utf8")) as CaseSpec });
    }
  }
  return out;
}

/**
 * The CLI flags (and, for settings and options without a flag, a configuration file written to
 * `scratch`) that give the CLI the same settings and rule options the fixture harness passes to the
 * engine. Options go through the flag or the top-level shorthand they have, so those are run too.
 */
export function settingsArgs(spec: Pick<CaseSpec, "settings" | "options">, scratch: string): string[] {
  const args: string[] = [];
  const config: string[] = [];
  for (const [key, value] of Object.entries(spec.settings ?? {})) {
    switch (key) {
      case "visibility":
        if (value !== "unknown") args.push("--visibility", String(value));
        break;
      case "defaultTokenPermissions":
        if (value !== "unknown") args.push("--default-token-permissions", String(value));
        break;
      case "repository": {
        const r = value as { owner: string; name: string };
        args.push("--repository", `${r.owner}/${r.name}`);
        break;
      }
      // OIDC subject settings have no flag: the configuration file (JSON is YAML).
      case "defaultBranch":
        config.push(`default-branch: ${JSON.stringify((value as { name: string }).name)}`);
        break;
      case "subjectFormat": {
        const f = value as { format: string; ownerId?: string; repositoryId?: string };
        config.push(`subject-format: ${f.format}`);
        if (f.ownerId) config.push(`owner-id: ${JSON.stringify(f.ownerId)}`);
        if (f.repositoryId) config.push(`repository-id: ${JSON.stringify(f.repositoryId)}`);
        break;
      }
      case "subjectClaimKeys":
        config.push(`subject-claim-keys: ${JSON.stringify(value)}`);
        break;
      case "trustPolicies":
        config.push(`trust-policies: ${JSON.stringify(value)}`);
        break;
      default:
        throw new Error(`case.json setting ${key} has no CLI equivalent in test/output/helpers.ts`);
    }
  }
  const ruleOptions: Record<string, Record<string, unknown>> = {};
  for (const [rule, options] of Object.entries(spec.options ?? {})) {
    for (const [option, value] of Object.entries(options)) {
      const key = `${rule}.${option}`;
      if (key === "composite-role-conflict.min-runner-version") args.push("--min-runner-version", String(value));
      else if (key === "oidc-fanout-no-retry.threshold") config.push(`fanout-threshold: ${Number(value)}`);
      else if (key === "unpinned-ref.policy") config.push(`unpinned-ref-policy: ${String(value)}`);
      else (ruleOptions[rule] ??= {})[option] = value;
    }
  }
  // JSON is YAML: `rules: {"rule-id": {"option": value}}`.
  if (Object.keys(ruleOptions).length > 0) config.push(`rules: ${JSON.stringify(ruleOptions)}`);
  if (config.length > 0) {
    const file = path.join(scratch, "credflow-settings.yml");
    fs.writeFileSync(file, `${config.join("\n")}\n`);
    args.push("--config", file);
  }
  return args;
}

const tempDirs: string[] = [];

export function tempDir(prefix = "credflow-output-"): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

/** Removes every directory tempDir() made (call from afterAll); restores write bits first. */
export function cleanTempDirs(): void {
  for (const dir of tempDirs.splice(0)) {
    makeWritable(dir);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function makeWritable(p: string): void {
  try {
    const st = fs.lstatSync(p);
    if (st.isSymbolicLink()) return;
    fs.chmodSync(p, st.mode | 0o700);
    if (st.isDirectory()) for (const e of fs.readdirSync(p)) makeWritable(path.join(p, e));
  } catch {
    // Already gone.
  }
}

/** A fresh copy of a folder in a temporary directory. */
export function copyCase(dir: string): string {
  const tmp = tempDir("credflow-case-");
  fs.cpSync(dir, tmp, { recursive: true });
  return tmp;
}

/** Runs git with a fixed identity and no user/system configuration; throws on failure. */
export function git(cwd: string, args: string[], input?: string): string {
  const res = spawnSync("git", ["-c", "user.name=credflow-test", "-c", "user.email=test@example.invalid", "-c", "core.autocrlf=false", "-c", "commit.gpgsign=false", ...args], {
    cwd,
    input,
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "", HOME: cwd, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null", LC_ALL: "C" },
  });
  if (res.status !== 0) throw new Error(`git ${args.join(" ")} failed (${res.status}): ${res.stderr}`);
  return res.stdout;
}

/** `git init` + commit everything, so the tree can be checked for changes afterwards. */
export function gitRepo(dir: string): void {
  git(dir, ["init", "-q"]);
  git(dir, ["add", "-A"]);
  git(dir, ["commit", "-q", "-m", "fixture"]);
}

/** Every file under `dir` (except .git) as relative `/` path → bytes. */
export function readTree(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (r === ".git") continue;
      if (e.isDirectory()) walk(r);
      else out.set(r, fs.readFileSync(path.join(dir, r)));
    }
  };
  walk("");
  return new Map([...out].sort((a, b) => (a[0] < b[0] ? -1 : 1)));
}

/** Trees as path → text, for readable failure output (byte equality is checked separately). */
export function treeText(tree: Map<string, Buffer>): Record<string, string> {
  return Object.fromEntries([...tree].map(([p, b]) => [p, b.toString("latin1")]));
}

export const ANSI = /\u001b\[|\u009b/;

// ---------------------------------------------------------------------------------------------
// SARIF schema

export const SARIF_SCHEMA_PATH = sharedPath(NEEDS.sarifSchema);

interface SchemaShape {
  definitions: { region: { anyOf?: unknown; properties: Record<string, unknown> } };
}

let validators: ValidateFunction[] | undefined;

/**
 * Two validators, the way test/report/sarif.test.ts builds them: the schema file as published
 * (its region `anyOf` sits under `properties`, which ajv's meta-schema check rejects, hence
 * validateSchema: false), and a copy with that `anyOf` moved where it was meant to be.
 */
export function sarifValidators(): ValidateFunction[] {
  if (validators) return validators;
  const schema = JSON.parse(fs.readFileSync(SARIF_SCHEMA_PATH, "utf8")) as SchemaShape;
  const options = { strict: false, allErrors: true, validateFormats: false, validateSchema: false } as const;
  const asIs = new Ajv2020(options).compile(schema);
  const fixed = structuredClone(schema);
  fixed.definitions.region.anyOf = fixed.definitions.region.properties["anyOf"];
  delete fixed.definitions.region.properties["anyOf"];
  const strict = new Ajv2020(options).compile(fixed);
  validators = [asIs, strict];
  return validators;
}

/**
 * Schema errors of a parsed SARIF log ([] when valid under both validators). Without
 * ../shared/data/sarif-schema-2.1.0.json the test goes on without this check, and says so.
 */
export function sarifErrors(log: unknown): unknown[] {
  if (!sharedFileOrNote(NEEDS.sarifSchema)) return [];
  const errors: unknown[] = [];
  for (const validate of sarifValidators()) if (!validate(log)) errors.push(...(validate.errors ?? []));
  return errors;
}

// ---------------------------------------------------------------------------------------------
// Minimal typed views of the machine formats (only what the tests read)

export interface SarifRegionView {
  startLine?: number;
  startColumn?: number;
  endLine?: number;
  endColumn?: number;
  snippet?: { text: string };
}

export interface SarifLogView {
  runs: Array<{
    tool: { driver: { name: string; rules: Array<{ id: string; help?: { text: string; markdown: string } }> } };
    automationDetails?: { id: string };
    columnKind?: string;
    results: Array<{
      ruleId: string;
      ruleIndex: number;
      level: string;
      message: { text: string };
      locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region: SarifRegionView; contextRegion?: SarifRegionView } }>;
      relatedLocations?: Array<{ id: number; physicalLocation: { artifactLocation: { uri: string } } }>;
      fixes?: Array<{
        description: { text: string };
        artifactChanges: Array<{
          artifactLocation: { uri: string };
          replacements: Array<{ deletedRegion: SarifRegionView; insertedContent: { text: string } }>;
        }>;
      }>;
    }>;
  }>;
}

export interface RdDiagnosticView {
  message: string;
  location: { path: string; range: { start: { line: number; column: number }; end: { line: number; column: number } } };
  severity: string;
  source: { name: string };
  code: { value: string; url: string };
  suggestions?: Array<{ range: { start: { line: number; column: number }; end: { line: number; column: number } }; text: string }>;
}
