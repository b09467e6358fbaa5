import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // @actions/workflow-parser imports JSON without import attributes: let vite transform it.
    server: { deps: { inline: [/@actions\//] } },
  },
});
