/** Turns command-line paths into the files to lint, each with the repository root that bounds it. */
import * as fs from "node:fs";
import * as path from "node:path";
import type { FileKind } from "../model/types.js";
import { findRoot } from "./loader.js";

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
  notices: Array<{ absPath: string; message: string }>;
}

/** An argument that cannot be read at all: exit code 2. */
export class UsageError extends Error {}

const WORKFLOW_EXT = /\.ya?ml$/i;

export function kindOf(filePath: string): FileKind {
  return /^action\.ya?ml$/i.test(path.basename(filePath)) ? "action" : "workflow";
}

export function discover(paths: string[], cwd: string): Discovery {
  const out: Discovery = { targets: [], roots: [], notices: [] };
  const seen = new Set<string>();
  for (const p of paths.length ? paths : ["."]) {
    const abs = path.resolve(cwd, p);
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
      out.roots.push(abs);
      for (const t of workflowsIn(abs, out)) {
        if (!seen.has(t.absPath)) {
          seen.add(t.absPath);
          out.targets.push(t);
        }
      }
    } else if (stat.isFile()) {
      try {
        fs.accessSync(abs, fs.constants.R_OK);
      } catch {
        throw new UsageError(`${p}: permission denied`);
      }
      if (!seen.has(abs)) {
        seen.add(abs);
        out.targets.push({ absPath: abs, kind: kindOf(abs), root: findRoot(abs, cwd) });
      }
    } else {
      throw new UsageError(`${p}: not a file or directory`);
    }
  }
  return out;
}

function workflowsIn(root: string, out: Discovery): Target[] {
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
      out.notices.push({ absPath: abs, message: "is a directory named like a workflow; skipped" });
      continue;
    }
    targets.push({ absPath: abs, kind: "workflow", root });
  }
  return targets;
}
