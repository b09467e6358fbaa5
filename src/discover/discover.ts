/**
 * Turns command-line paths into the files to lint, each with the repository root that bounds it.
 *
 * A path belongs to a repository: the nearest folder at or above it holding `.git` or `.github`
 * (`findRoot`). A directory lints what lies under it: the repository's workflows
 * (`.github/workflows/*.yml|yaml`) when it holds them (the root, `.github`, `.github/workflows`),
 * otherwise the `action.yml|yaml` files below it; either way the local actions and reusable
 * workflows they call are followed through the whole repository. No path at all means the
 * repository of the current directory. A directory with nothing to lint is a usage error.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { FileKind } from "../model/types.js";
import { isInside } from "../fs/paths.js";
import { findRoot, holdsRepository } from "./loader.js";

export interface Target {
  absPath: string;
  kind: FileKind;
  root: string;
}

export interface Discovery {
  targets: Target[];
  /** Repository roots linted as a whole (directories given on the command line). */
  roots: string[];
  /** Problems with files inside a repository (reported as findings, linting goes on). */
  notices: Array<{ absPath: string; message: string; root: string }>;
  /** Directory arguments with no workflow or action under them (the engine checks them for trust policies). */
  empty: Array<{ arg: string; root: string; dir: string }>;
  /** Every directory argument with its repository root: where trust policies are looked for. */
  scopes: Array<{ root: string; dir: string }>;
  /** Every repository root the arguments lie in (files' too), in the order the arguments name them. */
  order: string[];
}

/** An argument that cannot be read at all: exit code 2. */
export class UsageError extends Error {}

const WORKFLOW_EXT = /\.ya?ml$/i;
const ACTION_FILE = /^action\.ya?ml$/i;

/** What credflow reads, for the message about a directory that has none of it. */
export const LOOKS_FOR =
  "credflow lints workflows (.github/workflows/*.yml|yaml), actions (action.yml|yaml) and the IAM trust policies in Terraform, CloudFormation and CDK output";

/** Folders the search for action files never enters (besides other repositories). */
const SKIPPED_DIRS = new Set(["node_modules"]);

export function kindOf(filePath: string): FileKind {
  return /^action\.ya?ml$/i.test(path.basename(filePath)) ? "action" : "workflow";
}

/**
 * The repository root of a command-line path (a directory or a file; `undefined`: the current
 * directory), as discovery resolves it: where `.credflow.yml` is read from.
 */
export function rootOf(p: string | undefined, cwd: string): string {
  const abs = path.resolve(cwd, p ?? ".");
  let directory = false;
  try {
    directory = fs.statSync(abs).isDirectory();
  } catch {
    directory = false;
  }
  return findRoot(abs, cwd, { directory });
}

export function discover(paths: string[], cwd: string): Discovery {
  const out: Discovery = { targets: [], roots: [], notices: [], empty: [], scopes: [], order: [] };
  const seen = new Set<string>();
  const add = (t: Target) => {
    if (seen.has(t.absPath)) return;
    seen.add(t.absPath);
    out.targets.push(t);
  };
  // No path: the whole repository the current directory is in.
  const given = paths.length ? paths.map((p) => ({ p, abs: path.resolve(cwd, p) })) : [{ p: "", abs: findRoot(cwd, cwd, { directory: true }) }];
  for (const { p: arg, abs } of given) {
    const p = arg || displayPath(abs, cwd);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(abs);
    } catch {
      throw new UsageError(`${p}: no such file or directory`);
    }
    if (stat.isDirectory()) {
      try {
        fs.accessSync(abs, fs.constants.R_OK | fs.constants.X_OK);
      } catch {
        throw new UsageError(`${p}: permission denied`);
      }
      const root = findRoot(abs, cwd, { directory: true });
      if (!out.roots.includes(root)) out.roots.push(root);
      if (!out.order.includes(root)) out.order.push(root);

      // The root, `.github` and `.github/workflows` hold the repository's workflows: lint those
      // (the actions they call come along). Any other folder: the actions below it.
      const notices: Discovery["notices"] = [];
      const repositoryWide = isInside(abs, path.join(root, ".github", "workflows"));
      const workflows = repositoryWide ? workflowsIn(root, notices) : [];
      // Trust policies are looked for where the linted files are: the whole repository when its
      // workflows are linted (the roles they assume may be defined anywhere in it), else the folder.
      const scope = repositoryWide ? root : abs;
      if (!out.scopes.some((sc) => sc.dir === scope)) out.scopes.push({ root, dir: scope });
      const found = workflows.length || notices.length ? workflows : actionsUnder(abs, root);
      // No workflow or action: the folder may still hold trust policies, which the engine looks for
      // later; it says "nothing to lint" when it finds none either.
      if (!found.length && !notices.length) out.empty.push({ arg: p, root, dir: abs });
      found.forEach(add);
      for (const n of notices) if (!out.notices.some((o) => o.absPath === n.absPath)) out.notices.push(n);
    } else if (stat.isFile()) {
      try {
        fs.accessSync(abs, fs.constants.R_OK);
      } catch {
        throw new UsageError(`${p}: permission denied`);
      }
      const root = findRoot(abs, cwd);
      if (!out.order.includes(root)) out.order.push(root);
      add({ absPath: abs, kind: kindOf(abs), root });
    } else {
      throw new UsageError(`${p}: not a file or directory`);
    }
  }
  return out;
}

/** `abs` as the user would write it from `cwd`. */
function displayPath(abs: string, cwd: string): string {
  const rel = path.relative(cwd, abs);
  return (rel === "" ? "." : rel).split(path.sep).join("/");
}

/**
 * The action files (`action.yml|yaml`) at or below `dir`, sorted, in repository `root`. The search
 * does not follow symbolic links to folders and does not enter `node_modules`, hidden folders other
 * than `.github`, or folders that are repositories of their own.
 */
function actionsUnder(dir: string, root: string): Target[] {
  const out: Target[] = [];
  const walk = (d: string): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        if (SKIPPED_DIRS.has(e.name) || (e.name.startsWith(".") && e.name !== ".github") || holdsRepository(p)) continue;
        walk(p);
      } else if ((e.isFile() || e.isSymbolicLink()) && ACTION_FILE.test(e.name)) {
        out.push({ absPath: p, kind: "action", root });
      }
    }
  };
  walk(dir);
  return out;
}

function workflowsIn(root: string, notices: Discovery["notices"]): Target[] {
  const dir = path.join(root, ".github", "workflows");
  let names: string[];
  try {
    names = fs.readdirSync(dir).sort();
  } catch {
    return [];
  }
  const targets: Target[] = [];
  for (const name of names) {
    if (!WORKFLOW_EXT.test(name)) continue;
    const abs = path.join(dir, name);
    let st: fs.Stats;
    try {
      st = fs.statSync(abs);
    } catch {
      // A dangling symlink: the loader reports it when it tries the file.
      targets.push({ absPath: abs, kind: "workflow", root });
      continue;
    }
    if (st.isDirectory()) {
      notices.push({ absPath: abs, message: "is a directory named like a workflow; skipped", root });
      continue;
    }
    targets.push({ absPath: abs, kind: "workflow", root });
  }
  return targets;
}
