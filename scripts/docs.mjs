// `npm run docs`: fills the output blocks of docs/getting-started.md with what credflow prints on
// examples/ today (src/cli/walkthrough.ts). `npm run docs -- --check` writes nothing and exits 1
// when the page is stale, as test/cli/getting-started.test.ts does.
//
// The CLI is TypeScript that imports JSON and ESM-only packages, so it is bundled with esbuild (as
// scripts/build.mjs bundles it) into a temporary module, which is then imported.
import { build } from "esbuild";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { ROOT, buildOptions } from "./build.mjs";

const check = process.argv.includes("--check");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "credflow-docs-build-"));
try {
  const outfile = path.join(dir, "walkthrough.mjs");
  await build({
    absWorkingDir: ROOT,
    stdin: { contents: 'export { fillOutputs, GETTING_STARTED } from "./src/cli/walkthrough.ts";', resolveDir: ROOT, loader: "ts", sourcefile: "docs-entry.ts" },
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    banner: { js: "import { createRequire as __credflowCreateRequire } from 'node:module';\nconst require = __credflowCreateRequire(import.meta.url);" },
    logLevel: "warning",
    // The Terraform parser's WebAssembly is embedded the way the CLI bundle embeds it.
    loader: buildOptions().loader,
    plugins: buildOptions().plugins,
  });
  const { fillOutputs, GETTING_STARTED } = await import(pathToFileURL(outfile).href);
  const file = path.join(ROOT, GETTING_STARTED);
  const current = fs.readFileSync(file, "utf8");
  const next = await fillOutputs(current, ROOT);
  if (next === current) process.stdout.write(`${GETTING_STARTED} is up to date\n`);
  else if (check) {
    process.stderr.write(`${GETTING_STARTED} is stale: run \`npm run docs\`\n`);
    process.exitCode = 1;
  } else {
    fs.writeFileSync(file, next);
    process.stdout.write(`wrote ${GETTING_STARTED}\n`);
  }
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
