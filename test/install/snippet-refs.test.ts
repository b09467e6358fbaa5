/**
 * The refs that the README and the docs name for credflow itself (the Action's `uses:`, pre-commit's
 * `rev:`, GitHub archive URLs, npm versions, tarball names) work against this repository as it is:
 * a full SHA or a tag must exist here (checked with git when this is a git checkout), and a
 * placeholder such as `<commit-sha>` must come with a paragraph saying how to choose the value. And
 * what that paragraph says works: `pre-commit autoupdate --freeze` turns the pre-commit snippet's
 * placeholder into a full commit SHA of this repository.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { onPath, ROOT, run, shown } from "../helpers/npm.js";

/** The documents a user reads (not test data). */
function documents(): string[] {
  const out = ["README.md", "CONTRIBUTING.md", "examples/README.md"].filter((f) => fs.existsSync(path.join(ROOT, f)));
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      const rel = `${dir}/${e.name}`;
      if (e.isDirectory()) walk(rel);
      else if (/\.(md|json)$/.test(e.name)) out.push(rel);
    }
  };
  walk("docs");
  walk("integrations");
  return out.sort();
}

interface Ref {
  doc: string;
  line: number;
  /** What names it: `uses`, `rev`, `archive`, `npm`, `tarball`. */
  kind: string;
  ref: string;
}

const PLACEHOLDER = /^<[a-z][a-z0-9-]*>$/;
const FULL_SHA = /^[0-9a-f]{40}$/;

/** Every ref to credflow itself in a document. */
function refsIn(doc: string, text: string): Ref[] {
  const out: Ref[] = [];
  const lines = text.split("\n");
  let precommitRepo = false;
  lines.forEach((l, i) => {
    const at = (kind: string, ref: string) => out.push({ doc, line: i + 1, kind, ref: ref.replace(/[`'",.;:)]+$/, "") });
    for (const m of l.matchAll(/\bcredflow\/credflow@(\S+)/g)) at("uses", m[1]!);
    for (const m of l.matchAll(/codeload\.github\.com\/credflow\/credflow\/(?:tar\.gz|zip)\/(\S+)/g)) at("archive", m[1]!);
    for (const m of l.matchAll(/github:credflow\/credflow#(\S+)/g)) at("git", m[1]!);
    for (const m of l.matchAll(/(?<![\w/.-])credflow@([^\s`/]+)/g)) at("npm", m[1]!);
    for (const m of l.matchAll(/\bcredflow-(\d[^\s/]*?)\.tgz\b/g)) at("tarball", m[1]!);
    // pre-commit: the `rev:` under `repo: …/credflow/credflow`.
    if (/^\s*-?\s*repo:/.test(l)) precommitRepo = /credflow\/credflow\/?$/.test(l.trim());
    const rev = /^\s*rev:\s*(\S+)/.exec(l);
    if (rev && precommitRepo) at("rev", rev[1]!);
  });
  return out;
}

/** The paragraphs of a Markdown text outside code blocks. */
function prose(text: string): string[] {
  return text
    .replace(/^```[\s\S]*?^```$/gm, "")
    .split(/\n\s*\n/)
    .map((p) => p.replace(/\s+/g, " "));
}

const git = onPath("git") && fs.existsSync(path.join(ROOT, ".git"));
const shallow = git && run("git", ["rev-parse", "--is-shallow-repository"], { cwd: ROOT }).stdout.trim() === "true";
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string };

const all = documents().flatMap((doc) => refsIn(doc, fs.readFileSync(path.join(ROOT, doc), "utf8")));
const where = (r: Ref) => `${r.doc}:${r.line} (${r.kind} ${r.ref})`;

describe("refs to credflow in the README and the docs", () => {
  it("are found: the Action, pre-commit and the workflows name one", () => {
    const kinds = new Set(all.map((r) => r.kind));
    for (const kind of ["uses", "rev", "archive"]) expect(kinds, kind).toContain(kind);
    expect(all.filter((r) => r.doc === "README.md").length).toBeGreaterThan(3);
  });

  it("name no tag or version this repository does not have", () => {
    const bad: string[] = [];
    for (const r of all) {
      if (PLACEHOLDER.test(r.ref)) continue;
      if (r.kind === "tarball") {
        if (r.ref !== pkg.version) bad.push(`${where(r)}: package.json is version ${pkg.version}`);
      } else if (r.kind === "npm") {
        bad.push(`${where(r)}: credflow is not on npm yet; name the version as a placeholder (\`credflow@<version>\`) in a sentence that says so`);
      } else if (!FULL_SHA.test(r.ref) && !git) {
        bad.push(`${where(r)}: not a full commit SHA or a placeholder, and without git it cannot be checked as a tag`);
      }
    }
    expect(bad).toEqual([]);
  });

  it.skipIf(!git || shallow)("name commits and tags that exist in this repository", () => {
    const missing: string[] = [];
    for (const r of all) {
      if (PLACEHOLDER.test(r.ref) || r.kind === "tarball" || r.kind === "npm") continue;
      const spec = FULL_SHA.test(r.ref) ? `${r.ref}^{commit}` : `refs/tags/${r.ref}^{commit}`;
      if (run("git", ["rev-parse", "--verify", "--quiet", spec], { cwd: ROOT }).code !== 0) missing.push(`${where(r)}: no such ${FULL_SHA.test(r.ref) ? "commit" : "tag"} here`);
    }
    expect(missing).toEqual([]);
  });

  it("explain each placeholder where it is used: what to put there and how to choose it", () => {
    const unexplained: string[] = [];
    for (const doc of new Set(all.filter((r) => PLACEHOLDER.test(r.ref)).map((r) => r.doc))) {
      const paragraphs = prose(fs.readFileSync(path.join(ROOT, doc), "utf8"));
      for (const placeholder of new Set(all.filter((r) => r.doc === doc && PLACEHOLDER.test(r.ref)).map((r) => r.ref))) {
        const says = paragraphs.filter((p) => p.includes(`\`${placeholder}\``) || p.includes(`${placeholder}\``));
        const ok =
          placeholder === "<commit-sha>"
            ? says.some((p) => /full 40-character SHA/.test(p) && /git ls-remote https:\/\/github\.com\/credflow\/credflow|pre-commit autoupdate --freeze/.test(p))
            : placeholder === "<version>"
              ? says.some((p) => /once (it is |credflow is )?(published|on npm)/i.test(p))
              : placeholder === "<tag>"
                ? says.some((p) => /once there are (release )?tags/i.test(p))
                : false;
        if (!ok) unexplained.push(`${doc}: ${placeholder}`);
      }
    }
    expect(unexplained).toEqual([]);
  });
});

describe.skipIf(!git || !onPath("pre-commit"))("pre-commit autoupdate --freeze on the documented snippets", () => {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "credflow-autoupdate-"));
  afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));
  const env: NodeJS.ProcessEnv = { ...process.env, PRE_COMMIT_HOME: path.join(scratch, "pre-commit-home"), NO_COLOR: "1" };
  for (const key of Object.keys(env)) if (/^GIT_(DIR|WORK_TREE|INDEX_FILE|OBJECT_DIRECTORY|COMMON_DIR)$/.test(key)) delete env[key];

  for (const doc of ["README.md", "docs/integrations.md"]) {
    it(`${doc}: the placeholder becomes the full SHA of credflow's newest commit`, () => {
      const text = fs.readFileSync(path.join(ROOT, doc), "utf8");
      const snippet = [...text.matchAll(/^```yaml\n([\s\S]*?)^```$/gm)].map((m) => m[1]!).find((b) => /^\s*rev:/m.test(b) && /credflow\/credflow/.test(b));
      expect(snippet, `${doc} has a pre-commit snippet`).toBeDefined();
      // credflow as a user's pre-commit sees it: a clone of this repository's HEAD, its default branch.
      const name = doc.replace(/\W+/g, "-");
      const upstream = path.join(scratch, `credflow-${name}`);
      expect(run("git", ["clone", "--quiet", ROOT, upstream], { cwd: scratch, env }).code).toBe(0);
      const head = run("git", ["rev-parse", "HEAD"], { cwd: ROOT, env }).stdout.trim();
      expect(run("git", ["checkout", "--quiet", "-B", "main", head], { cwd: upstream, env }).code).toBe(0);
      const user = path.join(scratch, `user-${name}`);
      fs.mkdirSync(user);
      expect(run("git", ["init", "--quiet"], { cwd: user, env }).code).toBe(0);
      fs.writeFileSync(path.join(user, ".pre-commit-config.yaml"), snippet!.replace(/https:\/\/github\.com\/credflow\/credflow/, upstream));
      const r = run("pre-commit", ["autoupdate", "--freeze"], { cwd: user, env, timeout: 120_000 });
      expect(r.code, shown(r)).toBe(0);
      const rev = /^\s*rev:\s*(\S+)/m.exec(fs.readFileSync(path.join(user, ".pre-commit-config.yaml"), "utf8"))?.[1];
      expect(rev).toMatch(FULL_SHA);
      const tags = run("git", ["tag", "--list"], { cwd: upstream, env }).stdout.trim();
      // Without release tags, the newest commit; with them, the newest tag's commit.
      if (!tags) expect(rev).toBe(head);
      else expect(run("git", ["cat-file", "-e", `${rev}^{commit}`], { cwd: upstream, env }).code).toBe(0);
    });
  }
});
