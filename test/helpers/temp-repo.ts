/** Builds a throwaway repository from a map of relative path → content (string or bytes). */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export function tempRepo(files: Record<string, string | Uint8Array>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "credflow-test-"));
  for (const [rel, content] of Object.entries(files)) {
    const abs = path.join(dir, rel);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, content);
  }
  return dir;
}
