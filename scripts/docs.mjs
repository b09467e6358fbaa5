// `npm run docs`: fills the output blocks of docs/getting-started.md with what credflow prints on
// examples/ today (src/cli/walkthrough.ts). `npm run docs -- --check` writes nothing and exits 1
// when the page is stale, as test/cli/getting-started.test.ts does.
//
// The walkthrough is TypeScript, bundled and imported through scripts/build.mjs's importBundled.
import * as fs from "node:fs";
import * as path from "node:path";
import { ROOT, importBundled } from "./build.mjs";

const check = process.argv.includes("--check");
const { fillOutputs, GETTING_STARTED } = await importBundled('export { fillOutputs, GETTING_STARTED } from "./src/cli/walkthrough.ts";');
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
