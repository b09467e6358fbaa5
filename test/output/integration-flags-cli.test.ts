/**
 * Flags the GitHub Action passes to the CLI: `--sarif-category` (the SARIF run's
 * `automationDetails.id`, which upload-sarif keeps over its own `category` input, so two runs in
 * one workflow must each carry their own) and `--default-token-permissions` / `--repository`,
 * which the CLI accepts and validates (the engine reads them later).
 */
import { describe, expect, it } from "vitest";
import { cli } from "../helpers/cli.js";
import { tempRepo } from "../helpers/temp-repo.js";
import { sarifErrors } from "./helpers.js";

const WORKFLOW = "on: push\npermissions: {}\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make\n";

interface SarifRunView {
  runs: Array<{ automationDetails: { id: string } }>;
}

async function sarif(args: string[]): Promise<{ code: number; log?: SarifRunView; stderr: string }> {
  const dir = tempRepo({ ".github/workflows/ci.yml": WORKFLOW });
  const r = await cli([".", "--format", "sarif", ...args], { cwd: dir });
  return { code: r.code, stderr: r.stderr, log: r.code === 2 ? undefined : (JSON.parse(r.stdout) as SarifRunView) };
}

describe("--sarif-category", () => {
  it("defaults to credflow/", async () => {
    const r = await sarif([]);
    expect(r.log!.runs[0]!.automationDetails.id).toBe("credflow/");
  });

  it("makes automationDetails.id `<category>/`, as upload-sarif does with its category input", async () => {
    for (const [category, id] of [
      [".github/workflows/ci.yml:lint/os:ubuntu-latest", ".github/workflows/ci.yml:lint/os:ubuntu-latest/"],
      ["credflow-infra/", "credflow-infra/"],
      ["a b: ü", "a b: ü/"],
    ] as const) {
      const r = await sarif(["--sarif-category", category]);
      expect(r.code, category).toBe(0);
      expect(r.log!.runs[0]!.automationDetails.id, category).toBe(id);
      expect(sarifErrors(r.log), category).toEqual([]);
    }
  });

  it("rejects an empty category or one with control characters", async () => {
    for (const bad of ["", "/", "a\nb"]) {
      const r = await sarif(["--sarif-category", bad]);
      expect(r.code, JSON.stringify(bad)).toBe(2);
      expect(r.stderr, JSON.stringify(bad)).toMatch(/--sarif-category/);
    }
  });
});

describe("--default-token-permissions and --repository", () => {
  it("are accepted", async () => {
    const dir = tempRepo({ ".github/workflows/ci.yml": WORKFLOW });
    const r = await cli([".", "--default-token-permissions", "restricted", "--repository", "acme/widget.js"], { cwd: dir });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const p = await cli([".", "--default-token-permissions", "permissive", "--repository", "a-b/c_d"], { cwd: dir });
    expect(p.code).toBe(0);
  });

  it("are validated: one line on stderr, exit 2", async () => {
    const dir = tempRepo({ ".github/workflows/ci.yml": WORKFLOW });
    for (const args of [
      ["--default-token-permissions", "write-all"],
      ["--repository", "widget"],
      ["--repository", "acme/widget/extra"],
      ["--repository", "acme/.."],
      ["--repository", "-acme/widget"],
    ]) {
      const r = await cli([".", ...args], { cwd: dir });
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr, args.join(" ")).toContain(args[0]);
    }
  });
});
