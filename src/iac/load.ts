/**
 * Finds and reads the repository's infrastructure code for IAM trust policies: Terraform (`.tf`,
 * `terraform.tfvars`, `*.auto.tfvars`), CloudFormation/SAM templates (YAML or JSON, anywhere),
 * CDK output (`cdk.out/*.template.json`) and the plain JSON documents `trust-policies:` names.
 *
 * The walk skips dependency and tool folders (`node_modules`, `.terraform`, `vendor`, …) and the
 * workflows folder, and is bounded. Files are read with the same checks as workflows (regular files
 * only, the size limit, links that stay inside the repository) through the loader, which also
 * supplies the edited text when `--fix` re-lints. A template is parsed only when its text names both
 * `AWS::IAM::Role` and GitHub's OIDC host; Terraform (and the WebAssembly parser) only when some
 * `.tf` file names that host. A repository without such files costs one directory walk.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { isMap, parseDocument, LineCounter } from "yaml";
import type { FileLoader } from "../discover/loader.js";
import type { SourceFile } from "../model/types.js";
import { parseTemplate, Template } from "./cloudformation.js";
import { readPolicy, GITHUB_HOST } from "./policy.js";
import { iacFile, rangeIn } from "./source.js";
import { TerraformReader, type TfFile } from "./terraform.js";
import type { TrustFacts, TrustRole } from "./types.js";

/** Folders never walked into: dependencies, tool state, vendored code. */
const SKIP_DIRS = new Set([
  "node_modules",
  ".git",
  ".terraform",
  ".terragrunt-cache",
  "vendor",
  "third_party",
  "third-party",
  "bower_components",
  ".venv",
  "venv",
  "__pycache__",
  ".tox",
  ".serverless",
  ".aws-sam",
  ".next",
  ".cache",
]);
/** Directory entries looked at per repository. */
const MAX_ENTRIES = 50_000;
const MAX_DEPTH = 24;
/** Bytes of candidate templates read per folder linted (their text is checked before parsing). */
export const MAX_TEMPLATE_BYTES = 64 * 1024 * 1024;

/** Whether the walks take a file of this name for Terraform. */
function isTerraformName(name: string): boolean {
  return /\.tf$|(^|\.)auto\.tfvars$|^terraform\.tfvars$/.test(name);
}

/**
 * Whether a candidate template's text is parsed at all: only one naming an IAM role and GitHub's
 * OIDC host can hold a role a workflow assumes (the lint cache relies on the others being skipped).
 */
export function mayHoldTrustTemplate(text: string): boolean {
  return text.includes("AWS::IAM::Role") && text.includes(GITHUB_HOST);
}

export interface Candidates {
  tf: string[];
  templates: string[];
}

function walk(root: string, start: string, ignore: ((repoPath: string) => boolean) | undefined): Candidates {
  const out: Candidates = { tf: [], templates: [] };
  let entries = 0;
  const stack: Array<{ dir: string; depth: number }> = [{ dir: start, depth: 0 }];
  while (stack.length > 0) {
    const { dir, depth } = stack.pop()!;
    let list: fs.Dirent[];
    try {
      list = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const rel = path.relative(root, dir).split(path.sep).join("/");
    const inCdkOut = path.basename(dir) === "cdk.out";
    for (const e of list) {
      if (++entries > MAX_ENTRIES) return out;
      const abs = path.join(dir, e.name);
      if (ignore?.(rel === "" ? e.name : `${rel}/${e.name}`)) continue;
      if (e.isDirectory()) {
        if (SKIP_DIRS.has(e.name) || depth >= MAX_DEPTH) continue;
        if (rel === ".github" && e.name === "workflows") continue;
        if (inCdkOut && e.name.startsWith("asset.")) continue;
        stack.push({ dir: abs, depth: depth + 1 });
        continue;
      }
      // Regular files and links (the reader checks where a link goes); linked folders are not followed.
      if (!e.isFile() && !e.isSymbolicLink()) continue;
      if (isTerraformName(e.name)) out.tf.push(abs);
      else if (/\.(ya?ml|json|template)$/i.test(e.name) && !/^(package(-lock)?|composer|tsconfig.*|\.?eslintrc.*)\.json$/i.test(e.name)) out.templates.push(abs);
    }
  }
  return out;
}

/**
 * The files `loadTrust` would consider in these folders (what the directory walks find, before
 * reading any): the lint cache compares them with the last run's to see infrastructure code added,
 * removed or renamed.
 */
export function trustCandidates(scopes: ReadonlyArray<{ root: string; dir: string }>, ignorePath?: (repoPath: string) => boolean): Candidates[] {
  return scopes.map(({ root, dir }) => walk(root, dir, ignorePath));
}

const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function readSource(loader: FileLoader, abs: string, root: string): SourceFile | undefined {
  const res = loader.readRaw(abs, "workflow", root);
  if (!res.ok || res.raw.size !== undefined) return undefined;
  let text: string;
  try {
    text = decoder.decode(res.raw.bytes);
  } catch {
    return undefined;
  }
  return iacFile({ path: res.raw.path, repoPath: res.raw.repoPath, absPath: abs, root, text, bytes: res.raw.bytes });
}

export interface TrustLoadRequest {
  /** Folders linted as a whole (`dir`), each inside its repository root (`root`, which paths are relative to). */
  scopes: Array<{ root: string; dir: string }>;
  loader: FileLoader;
  /** `trust-policies:` (role ARN or name → file relative to the first root). */
  trustPolicies?: Readonly<Record<string, string>>;
  /** Repository-relative paths to skip (`ignore:`). */
  ignorePath?: (repoPath: string) => boolean;
}

export async function loadTrust(req: TrustLoadRequest): Promise<TrustFacts> {
  const facts: TrustFacts = { roles: [], files: [], problems: [], skippedTemplates: [], allTemplatesRead: true };
  const seen = new Set<string>();
  const add = (f: SourceFile) => {
    if (!seen.has(f.absPath!)) {
      seen.add(f.absPath!);
      facts.files.push(f);
    }
  };
  for (const { root, dir } of req.scopes) {
    const found = walk(root, dir, req.ignorePath);
    // Terraform: only when some file names GitHub's provider host.
    const tfFiles: SourceFile[] = [];
    let github = false;
    for (const abs of found.tf) {
      const f = readSource(req.loader, abs, root);
      if (!f) continue;
      tfFiles.push(f);
      if (f.text.includes(GITHUB_HOST)) github = true;
    }
    if (github) {
      // Loaded here only: the parser's WebAssembly costs nothing to a repository without Terraform.
      const { hclParser, parseHcl } = await import("./hcl.js");
      const parser = await hclParser();
      const parsed: TfFile[] = [];
      for (const f of tfFiles) {
        const tree = parseHcl(parser, f.text);
        if (tree.errorAt !== undefined) facts.problems.push({ file: f, message: "Terraform syntax error: the roles after it may be missed", range: rangeIn(f, tree.errorAt, tree.errorAt) });
        parsed.push({ file: f, tree, dir: path.dirname(f.absPath!) });
      }
      const roles = new TerraformReader(parsed, (f) => f.path).roles();
      facts.roles.push(...roles);
      for (const f of tfFiles) if (roles.some((r) => usesFile(r, f))) add(f);
    }
    // CloudFormation / SAM / CDK output.
    let budget = MAX_TEMPLATE_BYTES;
    for (const abs of found.templates) {
      if (budget <= 0) {
        facts.allTemplatesRead = false;
        break;
      }
      const f = readSource(req.loader, abs, root);
      if (!f) continue;
      budget -= f.text.length;
      if (!mayHoldTrustTemplate(f.text)) {
        facts.skippedTemplates.push(abs);
        continue;
      }
      const parsed = parseTemplate(f);
      if (!parsed) continue;
      const source = /(^|\/)cdk\.out\/[^/]+\.template\.json$/.test(f.repoPath) ? "cdk" : "cloudformation";
      const t = new Template(f, parsed.doc, source);
      if (!t.hasRoles()) continue;
      if (parsed.problem) facts.problems.push({ file: f, message: `YAML syntax error: ${parsed.problem.message}`, range: rangeIn(f, parsed.problem.offset, parsed.problem.offset) });
      facts.roles.push(...t.roles());
      add(f);
    }
  }
  // Plain JSON documents named in the configuration.
  const root = req.scopes[0]?.root;
  for (const [key, rel] of Object.entries(req.trustPolicies ?? {})) {
    if (!root) break;
    const abs = path.resolve(root, rel);
    const f = readSource(req.loader, abs, root);
    if (!f) {
      facts.problems.push({ file: iacFile({ path: req.loader.display(abs), repoPath: rel, text: "" }), message: `trust-policies: \`${rel}\` (for \`${key}\`) cannot be read`, range: rangeIn(iacFile({ path: rel, repoPath: rel, text: "" }), 0, 0) });
      continue;
    }
    const role = jsonRole(f, key);
    if (!role) {
      facts.problems.push({ file: f, message: `trust-policies: \`${rel}\` is not a JSON policy document`, range: rangeIn(f, 0, 0) });
      continue;
    }
    facts.roles.push(role);
    add(f);
  }
  return facts;
}

function usesFile(role: TrustRole, f: SourceFile): boolean {
  if (role.at.file === f || role.policyAt?.file === f) return true;
  if ("statements" in role.policy) {
    for (const s of role.policy.statements) {
      if (s.at.file === f) return true;
      for (const c of s.conditions) if (c.keyAt.file === f || (Array.isArray(c.values) && c.values.some((v) => v.at.file === f))) return true;
    }
  }
  return false;
}

/** A plain JSON trust policy (or `{ "AssumeRolePolicyDocument": … }`, or `aws iam get-role` output). */
function jsonRole(f: SourceFile, key: string): TrustRole | undefined {
  const doc = parseDocument(f.text, { lineCounter: new LineCounter(), uniqueKeys: false });
  if (!isMap(doc.contents) || doc.errors.length > 0) return undefined;
  const t = new Template(f, doc, "json");
  let v = t.eval(doc.contents);
  for (const wrapper of ["Role", "AssumeRolePolicyDocument"]) {
    if (v.t !== "obj") break;
    const e = v.entries.find((x) => x.key.segments.length === 1 && "text" in x.key.segments[0]! && x.key.segments[0].text === wrapper);
    if (e) v = e.value;
  }
  const policy = readPolicy(v);
  if ("unknown" in policy) return undefined;
  const arn = /^arn:aws[\w-]*:iam::\d{12}:role\/(?:.*\/)?([^/]+)$/.exec(key);
  return {
    source: "json",
    id: key,
    at: { file: f, range: rangeIn(f, 0, 0) },
    name: { kind: "name", value: arn ? arn[1]! : key.replace(/^.*\//, ""), assumptions: [] },
    configured: key,
    policyAt: v.t === "obj" ? v.at : { file: f, range: rangeIn(f, 0, 0) },
    policy,
  };
}
