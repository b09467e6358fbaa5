/** SARIF for the trust rules points at both sides of the handshake: the workflow and the infrastructure file. */
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { buildSarif } from "../../src/report/sarif.js";
import { RULES } from "../../src/rules/index.js";
import { FIXTURES, lintDir } from "../helpers/lint-fixture.js";

describe("SARIF of trust findings", () => {
  it("a subject mismatch is located at the workflow, with the role's definition and condition as related locations", async () => {
    const dir = path.join(FIXTURES, "oidc-trust-subject-mismatch", "tf-jsonencode-environment");
    const result = await lintDir(dir, { repository: { owner: "acme", name: "app", source: "config" } });
    const log = buildSarif({ findings: result.findings.filter((f) => f.ruleId === "oidc-trust-subject-mismatch"), rules: [...RULES], toolVersion: "0", cwd: dir });
    const res = log.runs[0]!.results[0]!;
    expect(res.locations[0]!.physicalLocation.artifactLocation.uri).toBe(".github/workflows/deploy.yml");
    expect(res.relatedLocations?.map((r) => `${r.physicalLocation.artifactLocation.uri}:${r.physicalLocation.region.startLine}`)).toEqual(["infra/iam.tf:6", "infra/iam.tf:19"]);
  });
});
