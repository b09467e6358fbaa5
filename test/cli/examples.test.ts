/** `npm start` lints examples/: it must show every mission rule and every AWS-pack rule at least once. */
import * as path from "node:path";
import { expect, it } from "vitest";
import { cli } from "../helpers/cli.js";

const EXPECTED = [
  "composite-role-conflict",
  "credential-env-shadowing",
  "unpinned-ref",
  "credentials-in-cache",
  "oidc-fanout-no-retry",
  "missing-id-token-permission",
  "aws-unknown-input",
  "aws-invalid-input",
  "aws-boolean-trap",
  "outdated-action-runtime",
  "oidc-untrusted-trigger",
  "static-aws-keys",
  "oidc-trust-subject-mismatch",
  "oidc-trust-unrestricted",
  "oidc-trust-condition-operator",
];

it("the example repository shows each mission and AWS rule, with exit code 1", async () => {
  const root = path.resolve(__dirname, "..", "..");
  const r = await cli(["examples", "--format", "json"], { cwd: root });
  expect(r.code).toBe(1);
  const rules = new Set((JSON.parse(r.stdout) as { findings: Array<{ rule: string }> }).findings.map((f) => f.rule));
  for (const id of EXPECTED) expect(rules, id).toContain(id);
  // The examples are meant to be valid workflows: no syntax or schema noise.
  expect(rules).not.toContain("yaml-syntax");
  expect(rules).not.toContain("workflow-schema");
});
