import { defineConfig } from "vitest/config";
import { createLogger } from "vite";

// @actions/* ship source maps whose sources are not published; vite warns once per file. Keep the
// test output readable by dropping only that warning.
const logger = createLogger();
const warn = logger.warn.bind(logger);
logger.warn = (msg, options) => {
  if (msg.includes("points to missing source files")) return;
  warn(msg, options);
};

export default defineConfig({
  customLogger: logger,
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // @actions/workflow-parser imports JSON without import attributes: let vite transform it.
    server: { deps: { inline: [/@actions\//] } },
  },
});
