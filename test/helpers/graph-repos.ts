/** The repositories the graph tests draw: every fixture case, the examples, and the real-world corpora when present. */
import * as fs from "node:fs";
import * as path from "node:path";
import { SHARED } from "./lint-fixture.js";

const ROOT = path.resolve(__dirname, "..", "..");

export interface GraphRepository {
  name: string;
  dir: string;
  /** test/realworld/* or ../shared/corpus/realworld-aws/*: a whole repository's workflows. */
  realworld: boolean;
}

export function graphRepositories(): GraphRepository[] {
  const out: GraphRepository[] = [];
  const fixtures = path.join(ROOT, "test", "fixtures");
  for (const rule of fs.readdirSync(fixtures).sort()) {
    for (const c of fs.readdirSync(path.join(fixtures, rule)).sort()) {
      const dir = path.join(fixtures, rule, c);
      if (!fs.statSync(dir).isDirectory()) continue;
      // A case whose only input is a trust policy its settings name (trust-policies) has nothing to draw.
      if (/"trustPolicies"/.test(fs.existsSync(path.join(dir, "case.json")) ? fs.readFileSync(path.join(dir, "case.json"), "utf8") : "") && !fs.existsSync(path.join(dir, ".github", "workflows"))) continue;
      out.push({ name: `fixtures/${rule}/${c}`, dir, realworld: false });
    }
  }
  out.push({ name: "examples", dir: path.join(ROOT, "examples"), realworld: false });
  for (const base of [path.join(ROOT, "test", "realworld"), path.join(SHARED, "corpus", "realworld-aws")]) {
    if (!fs.existsSync(base)) continue;
    for (const r of fs.readdirSync(base).sort()) {
      const dir = path.join(base, r);
      if (fs.existsSync(path.join(dir, ".github", "workflows"))) out.push({ name: path.relative(ROOT, dir).split(path.sep).join("/"), dir, realworld: true });
    }
  }
  return out;
}
