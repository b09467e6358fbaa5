import { execFile } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { actionTags, configureTags } from "./shared-data.js";
import { itShared, NEEDS } from "../helpers/shared.js";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../../", import.meta.url));
const script = join(root, "scripts/refresh-pins.mjs");
const committed = (name: string) => readFileSync(join(root, "src/knowledge/data", name), "utf8");

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "credflow-refresh-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("scripts/refresh-pins.mjs", () => {
  itShared([NEEDS.actionTags, NEEDS.configureTags], "regenerates the committed tables byte for byte from the shared data", async () => {
    await run(process.execPath, [script, "--out", dir], { cwd: root });
    expect(readFileSync(join(dir, "pins.json"), "utf8")).toBe(committed("pins.json"));
    expect(readFileSync(join(dir, "configure-aws-credentials.json"), "utf8")).toBe(committed("configure-aws-credentials.json"));
    await expect(run(process.execPath, [script, "--check"], { cwd: root })).resolves.toBeDefined();
  });

  itShared([NEEDS.actionTags, NEEDS.configureTags], "keeps every action, tag and branch of the shared data", () => {
    const pins = JSON.parse(committed("pins.json")) as { actions: Record<string, { tags: Record<string, string>; branches: Record<string, string> }> };
    expect(Object.keys(pins.actions).sort()).toEqual(Object.keys(actionTags.actions).map((a) => a.toLowerCase()).sort());
    for (const [action, row] of Object.entries(actionTags.actions)) {
      for (const [tag, { commit }] of Object.entries(row.tags)) expect(pins.actions[action.toLowerCase()]!.tags[tag]).toBe(commit);
    }
    // configure-aws-credentials' own file adds the tags and branches the generic list lacks.
    const cac = pins.actions["aws-actions/configure-aws-credentials"]!;
    for (const [tag, { commit }] of Object.entries(configureTags.tags)) expect(cac.tags[tag]).toBe(commit);
    for (const [branch, commit] of Object.entries(configureTags.branches)) expect(cac.branches[branch]).toBe(commit);
  });

  // The --check run reads the configure-aws-credentials tags from ../shared (the script's default).
  itShared(NEEDS.configureTags, "--check fails on a stale table; --from reads another file", async () => {
    const from = join(dir, "tags.json");
    writeFileSync(
      from,
      JSON.stringify({
        generated: "2030-01-01",
        actions: { "Acme/Widget": { defaultBranch: "main", branches: { main: "a".repeat(40) }, tags: { v1: { commit: "b".repeat(40), date: "2030-01-01" } }, runtimeByMajor: { v1: "node24" } } },
      }),
    );
    const out = join(dir, "out");
    await run(process.execPath, [script, "--from", from, "--configure", join(dir, "none.json"), "--out", out]);
    expect(JSON.parse(readFileSync(join(out, "pins.json"), "utf8"))).toEqual({
      generated: "2030-01-01",
      actions: { "acme/widget": { defaultBranch: "main", runtimeByMajor: { v1: "node24" }, branches: { main: "a".repeat(40) }, tags: { v1: "b".repeat(40) } } },
    });
    expect(existsSync(join(out, "configure-aws-credentials.json"))).toBe(false);
    await expect(run(process.execPath, [script, "--from", from, "--out", out, "--check"])).rejects.toMatchObject({ code: 1 });
  });

  it("--api reads tags, branches and runtimes from a GitHub-compatible API", async () => {
    const token = "ghs_refresh_token_123";
    const seen: Array<string | undefined> = [];
    const routes: Record<string, unknown> = {
      "/repos/acme/widget": { default_branch: "trunk" },
      "/repos/acme/widget/tags?per_page=100&page=1": [
        { name: "v1", commit: { sha: "c".repeat(40) } },
        { name: "v1.0.0", commit: { sha: "c".repeat(40) } },
      ],
      "/repos/acme/widget/branches?per_page=100&page=1": [{ name: "trunk", commit: { sha: "d".repeat(40) } }],
      "/repos/acme/widget/contents/action.yml?ref=v1": { content: Buffer.from("runs:\n  using: node24\n  main: index.js\n").toString("base64") },
    };
    const server: Server = createServer((req, res) => {
      seen.push(req.headers.authorization);
      const body = routes[req.url ?? ""];
      res.writeHead(body === undefined ? 404 : 200, { "content-type": "application/json" });
      res.end(JSON.stringify(body ?? { message: "Not Found" }));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const from = join(dir, "list.json");
      writeFileSync(from, JSON.stringify({ actions: { "acme/widget": {} } }));
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const env = { ...process.env, GITHUB_TOKEN: token, GH_TOKEN: "" };
      const { stdout, stderr } = await run(process.execPath, [script, "--api", "--github-api-url", url, "--from", from, "--out", dir], { env });
      expect(stdout + stderr).not.toContain(token);
      const pins = JSON.parse(readFileSync(join(dir, "pins.json"), "utf8"));
      expect(pins.actions["acme/widget"]).toEqual({
        defaultBranch: "trunk",
        runtimeByMajor: { v1: "node24" },
        branches: { trunk: "d".repeat(40) },
        tags: { v1: "c".repeat(40), "v1.0.0": "c".repeat(40) },
      });
      expect(seen.every((h) => h === `Bearer ${token}`)).toBe(true);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
