import { readFileSync } from "node:fs";
import { defineConfig, type Plugin } from "vitest/config";

/**
 * @actions/* ship source maps whose sources are not published, and vite warns once per file (about a
 * hundred lines before the first test). Loading those files without their source-map comment keeps
 * the test output readable; nothing else is changed.
 */
const withoutActionsSourceMaps: Plugin = {
  name: "credflow:actions-without-sourcemaps",
  enforce: "pre",
  load(id) {
    if (!/[\\/]node_modules[\\/]@actions[\\/].*\.js$/.test(id)) return null;
    return readFileSync(id.replace(/\?.*$/, ""), "utf8").replace(/\n\/\/# sourceMappingURL=.*\s*$/, "\n");
  },
};

export default defineConfig({
  plugins: [withoutActionsSourceMaps],
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["./test/helpers/global-tmp.ts"],
    // After the summary, one line per test file skipped for want of ../shared or run only on request
    // (test/helpers/shared.ts).
    reporters: ["default", "./test/helpers/shared-reporter.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // @actions/workflow-parser imports JSON without import attributes: let vite transform it.
    server: { deps: { inline: [/@actions\//] } },
  },
});
