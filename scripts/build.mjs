// Bundles the CLI into dist/credflow-core.cjs, and builds its launcher dist/credflow.mjs (the bin),
// which runs the bundle through V8's code cache (src/cli/launcher.ts: why CommonJS).
// @actions/workflow-parser is ESM-only and imports JSON without import attributes, which plain node
// refuses; bundling resolves that.
//
// The options are exported so a test can build into a temporary folder and compare the files with
// the committed dist/; running this file builds dist/.
import { build } from "esbuild";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** The repository root: paths in the bundle's comments are relative to it whatever the cwd. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** Where `npm run build` writes the launcher (the package's bin) and the bundle it runs. */
export const OUTFILE = path.join(ROOT, "dist", "credflow.mjs");
export const CORE_OUTFILE = path.join(ROOT, "dist", "credflow-core.cjs");

/**
 * esbuild options for the CLI bundle (CommonJS: the launcher runs it as a script, see
 * src/cli/launcher.ts; `import.meta.url` is the bundle's own URL).
 * @param {{ outfile?: string }} [overrides] write somewhere else than dist/credflow-core.cjs
 * @returns {import("esbuild").BuildOptions}
 */
export function buildOptions(overrides = {}) {
  return {
    absWorkingDir: ROOT,
    entryPoints: ["src/cli/core.ts"],
    outfile: overrides.outfile ?? CORE_OUTFILE,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    legalComments: "none",
    minifySyntax: true,
    define: { "import.meta.url": "__credflowImportMetaUrl" },
    banner: {
      js: 'var __credflowImportMetaUrl = require("node:url").pathToFileURL(__filename).href, __credflowNodeModule = require("node:module"), __credflowFsPromises = require("node:fs/promises");',
    },
    logLevel: "warning",
    // The Terraform parser's WebAssembly (tree-sitter runtime and grammar) is embedded in the bundle:
    // src/iac/hcl-wasm.ts reads the files from node_modules; the bundle imports the same bytes.
    loader: { ".wasm": "binary" },
    plugins: [hclWasmPlugin, jsonParsePlugin, noDynamicImportPlugin],
  };
}

/**
 * The tree-sitter runtime loads two Node modules with import(), which a script run through
 * vm.Script cannot do without an experimental loader hook (which also does not survive V8's code
 * cache). They are required at the top of the bundle instead. (esbuild's own lowering of import()
 * to require() would not do: the runtime declares a local `var require`, which shadows it.)
 */
const noDynamicImportPlugin = {
  name: "no-dynamic-import",
  setup(b) {
    b.onLoad({ filter: /[\\/]web-tree-sitter[\\/]web-tree-sitter\.js$/ }, async (args) => {
      const text = await fs.promises.readFile(args.path, "utf8");
      const out = text.replaceAll('import("module")', "Promise.resolve(__credflowNodeModule)").replaceAll('import("fs/promises")', "Promise.resolve(__credflowFsPromises)");
      if (/\bimport\(/.test(out.replace(/\/\/.*$/gm, ""))) throw new Error(`${args.path}: a dynamic import() this plugin does not know`);
      return { contents: out, loader: "js" };
    });
  },
};

/**
 * Bundles each JSON file (the ref and pin tables, GitHub's schemas: about 1.4 MB) as a string given
 * to JSON.parse rather than as an object literal: V8 reads JSON text several times faster than
 * the same data as JavaScript, and every run pays for it at start. The two ref tables (about 1 MB)
 * are parsed on first use of one of their top-level keys, so a run that never looks a ref up (one
 * the lint cache answers) never parses them.
 */
const LAZY_JSON = /[\\/]src[\\/]knowledge[\\/]data[\\/](refs|pins)\.json$/;
const jsonParsePlugin = {
  name: "json-parse",
  setup(b) {
    b.onLoad({ filter: /\.json$/ }, async (args) => {
      const data = JSON.parse(await fs.promises.readFile(args.path, "utf8"));
      const text = JSON.stringify(JSON.stringify(data));
      if (!LAZY_JSON.test(args.path)) return { contents: `export default JSON.parse(${text});`, loader: "js" };
      const getters = Object.keys(data).map((k) => `get ${JSON.stringify(k)}() { return value()[${JSON.stringify(k)}]; }`);
      return {
        contents: `let parsed;\nconst value = () => (parsed ??= JSON.parse(${text}));\nexport default { ${getters.join(", ")} };`,
        loader: "js",
      };
    });
  },
};

/** Swaps src/iac/hcl-wasm.ts for hcl-wasm.bundle.ts, which imports both .wasm files as bytes. */
const hclWasmPlugin = {
  name: "hcl-wasm",
  setup(b) {
    b.onResolve({ filter: /^\.\/hcl-wasm\.js$/ }, (args) =>
      path.basename(args.importer) === "hcl.ts" ? { path: path.join(ROOT, "src", "iac", "hcl-wasm.bundle.ts") } : undefined,
    );
  },
};

/**
 * Bundles a module of the TypeScript sources (`source` is the entry's text, e.g. an `export { … }
 * from "./src/…"` line) into a temporary file, imports it and removes the file: how scripts run
 * parts of credflow that import JSON, ESM-only packages and the embedded WebAssembly.
 * @param {string} source
 * @returns {Promise<Record<string, unknown>>}
 */
export async function importBundled(source) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "credflow-script-"));
  try {
    const outfile = path.join(dir, "entry.mjs");
    const { loader } = buildOptions();
    // An ES module may import(); only the CommonJS bundle needs those replaced.
    const plugins = buildOptions().plugins.filter((p) => p !== noDynamicImportPlugin);
    await build({
      absWorkingDir: ROOT,
      stdin: { contents: source, resolveDir: ROOT, loader: "ts", sourcefile: "script-entry.ts" },
      outfile,
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      banner: { js: "import { createRequire as __credflowCreateRequire } from 'node:module';\nconst require = __credflowCreateRequire(import.meta.url);" },
      logLevel: "warning",
      loader,
      plugins,
    });
    return await import(pathToFileURL(outfile).href);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * esbuild options for the launcher, which names the bundle's SHA-256 (its compile cache's key).
 * @param {string} coreSha256
 * @param {{ outfile?: string }} [overrides]
 * @returns {import("esbuild").BuildOptions}
 */
export function launcherOptions(coreSha256, overrides = {}) {
  return {
    absWorkingDir: ROOT,
    entryPoints: ["src/cli/launcher.ts"],
    outfile: overrides.outfile ?? OUTFILE,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    legalComments: "none",
    minifySyntax: true,
    banner: { js: "#!/usr/bin/env node" },
    define: { CREDFLOW_CORE_SHA256: JSON.stringify(coreSha256) },
    logLevel: "warning",
  };
}

/**
 * Builds the bundle and its launcher into `outdir` (default dist/) and makes the launcher
 * executable: it is the package's bin, run as `./dist/credflow.mjs` from a clone (git keeps the bit:
 * mode 100755). Returns the two files' paths.
 * @param {{ outdir?: string }} [overrides]
 */
export async function buildBundle(overrides = {}) {
  const outdir = overrides.outdir ?? path.dirname(OUTFILE);
  const core = path.join(outdir, path.basename(CORE_OUTFILE));
  const launcher = path.join(outdir, path.basename(OUTFILE));
  fs.mkdirSync(outdir, { recursive: true });
  await build(buildOptions({ outfile: core }));
  const sha = createHash("sha256").update(fs.readFileSync(core)).digest("hex");
  await build(launcherOptions(sha, { outfile: launcher }));
  fs.chmodSync(launcher, 0o755);
  if (!overrides.outdir) fs.writeFileSync(path.join(ROOT, "dist", "THIRD-PARTY-LICENSES.txt"), thirdPartyLicenses());
  return { core, launcher };
}

/**
 * The licenses of the code embedded as WebAssembly (the bundle drops license comments): tree-sitter's
 * runtime (MIT) and the HCL grammar (Apache-2.0), shipped beside the bundle.
 */
function thirdPartyLicenses() {
  const parts = [
    ["web-tree-sitter", "node_modules/web-tree-sitter/LICENSE"],
    ["@tree-sitter-grammars/tree-sitter-hcl", "node_modules/@tree-sitter-grammars/tree-sitter-hcl/LICENSE"],
  ];
  return parts
    .map(([name, file]) => {
      const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, path.dirname(file), "package.json"), "utf8"));
      return `${name} ${pkg.version} (${pkg.license}), embedded in credflow-core.cjs\n\n${fs.readFileSync(path.join(ROOT, file), "utf8").trim()}\n`;
    })
    .join(`\n${"-".repeat(72)}\n\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  await buildBundle();
}
