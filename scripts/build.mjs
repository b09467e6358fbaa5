// Bundles the CLI into one ESM file. @actions/workflow-parser is ESM-only and imports JSON without
// import attributes, which plain node refuses; bundling resolves that. `yaml`'s CJS build calls
// `require`, hence the createRequire banner.
import { build } from "esbuild";

await build({
  entryPoints: ["src/cli/bin.ts"],
  outfile: "dist/credflow.mjs",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  legalComments: "none",
  minifySyntax: true,
  banner: {
    js: "#!/usr/bin/env node\nimport { createRequire as __credflowCreateRequire } from 'node:module';\nconst require = __credflowCreateRequire(import.meta.url);",
  },
  logLevel: "warning",
});
