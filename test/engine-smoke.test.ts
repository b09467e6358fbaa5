import * as path from "node:path";
import { it, expect } from "vitest";
import { lintDir } from "./helpers/lint-fixture.js";
import { renderGraph } from "../src/graph/render.js";

it("smoke", async () => {
  const r = await lintDir(path.resolve(__dirname, "../examples"));
  console.log(r.findings.map((f) => `${f.location.path}:${f.location.range.start.line} ${f.ruleId} ${f.message}`).join("\n"));
  console.log(renderGraph(r.graph, "mermaid"));
  expect(r.internalErrors).toEqual([]);
});
