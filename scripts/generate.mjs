// `npm run generate`: writes the files generated from the rule registry (the rule parts of
// schema/credflow.schema.json and the README's rules table; see src/config/generate.ts).
// `npm run generate -- --check` writes nothing and exits 1 when a file is stale, as
// test/config/generated.test.ts does.
//
// The registry is TypeScript that imports JSON and ESM-only packages, so it is bundled with esbuild
// (as the CLI is, scripts/build.mjs) into a temporary module, which is then imported.
import { build } from "esbuild";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { ROOT } from "./build.mjs";

const check = process.argv.includes("--check");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "credflow-generate-"));
try {
  const outfile = path.join(dir, "generate.mjs");
  await build({
    absWorkingDir: ROOT,
    stdin: { contents: 'export { generatedFiles } from "./src/config/generate.ts";', resolveDir: ROOT, loader: "ts", sourcefile: "generate-entry.ts" },
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    banner: { js: "import { createRequire as __credflowCreateRequire } from 'node:module';\nconst require = __credflowCreateRequire(import.meta.url);" },
    logLevel: "warning",
  });
  const { generatedFiles } = await import(pathToFileURL(outfile).href);
  let stale = 0;
  for (const { path: rel, text } of generatedFiles(ROOT)) {
    const file = path.join(ROOT, rel);
    if (fs.readFileSync(file, "utf8") === text) continue;
    stale++;
    if (check) {
      process.stderr.write(`${rel} is stale: run \`npm run generate\`\n`);
    } else {
      fs.writeFileSync(file, text);
      process.stdout.write(`wrote ${rel}\n`);
    }
  }
  if (check && stale > 0) process.exitCode = 1;
  if (!check && stale === 0) process.stdout.write("generated files are up to date\n");
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
