/** Reads rule documentation shipped beside the code (docs/rules/<id>.md), from the bundle or the sources. */
import * as fs from "node:fs";
import { fileURLToPath } from "node:url";
import * as path from "node:path";

let docsDir: string | null | undefined;

function findDocsDir(): string | null {
  const here = path.dirname(fileURLToPath(import.meta.url));
  // dist/credflow.mjs → ../docs; src/cli/docs.ts → ../../docs
  for (const candidate of [path.join(here, "..", "docs", "rules"), path.join(here, "..", "..", "docs", "rules")]) {
    if (fs.existsSync(candidate)) return candidate;
  }
  return null;
}

/** Reads rule pages from `dir` instead (the docs generator, whose bundle lives in a temporary folder). */
export function useDocsDir(dir: string): void {
  docsDir = dir;
}

export function ruleDoc(id: string): string | undefined {
  if (docsDir === undefined) docsDir = findDocsDir();
  if (!docsDir || !/^[a-z0-9-]+$/.test(id)) return undefined;
  try {
    return fs.readFileSync(path.join(docsDir, `${id}.md`), "utf8");
  } catch {
    return undefined;
  }
}
