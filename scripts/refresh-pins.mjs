#!/usr/bin/env node
// Regenerates the committed ref tables in src/knowledge/data/ from the shared tag data
// (default) or from the GitHub REST API (--api). Output is compact, deterministic JSON so that
// a refresh shows up as a minimal diff and `--check` can verify the committed tables in CI.
//
// Usage:
//   node scripts/refresh-pins.mjs [--from FILE] [--configure FILE] [--out DIR] [--check]
//   node scripts/refresh-pins.mjs --api [--github-api-url URL] [--from FILE] [--out DIR]
//
// --from       action-tags-shaped JSON ({actions: {"owner/repo": {tags, branches, defaultBranch,
//              runtimeByMajor}}}); default ../shared/data/action-tags.json (relative to the repo root).
//              With --api it only supplies the list of actions (and runtimeFile hints).
// --configure  configure-aws-credentials tag data; default ../shared/data/configure-aws-credentials.tags.json.
// --api        read tags, branches, default branches and action.yml files from the REST API
//              (token from GITHUB_TOKEN or GH_TOKEN). The only mode that uses the network.
// --check      write nothing; exit 1 when the committed tables differ from what would be written.
import { readFileSync, writeFileSync, mkdirSync, renameSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { compareNames } from "./lib/ref-order.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const CONFIGURE = "aws-actions/configure-aws-credentials";
const RELEASE = /^v(\d+)\.(\d+)\.(\d+)$/;

function parseArgs(argv) {
  const opts = {
    from: resolve(ROOT, "../shared/data/action-tags.json"),
    configure: resolve(ROOT, "../shared/data/configure-aws-credentials.tags.json"),
    out: resolve(ROOT, "src/knowledge/data"),
    api: false,
    apiUrl: "https://api.github.com",
    check: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === "--from") opts.from = resolve(value());
    else if (a === "--configure") opts.configure = resolve(value());
    else if (a === "--out") opts.out = resolve(value());
    else if (a === "--api") opts.api = true;
    else if (a === "--github-api-url") opts.apiUrl = value().replace(/\/+$/, "");
    else if (a === "--check") opts.check = true;
    else if (a === "-h" || a === "--help") {
      process.stdout.write(readFileSync(fileURLToPath(import.meta.url), "utf8").split("\nimport ")[0] + "\n");
      process.exit(0);
    } else throw new Error(`unknown argument: ${a}`);
  }
  return opts;
}

// ---------- ordering helpers (deterministic, locale-independent) ----------

function sortedObject(obj, map = (v) => v) {
  const out = {};
  for (const key of Object.keys(obj).sort(compareNames)) out[key] = map(obj[key]);
  return out;
}

// ---------- table builders ----------

/**
 * pins.json: per action {defaultBranch, runtimeByMajor, branches: name→commit, tags: name→commit}.
 * Dates are dropped: "newest release" is decided by semver (backport releases make dates misleading).
 * configure-aws-credentials' own tag file is merged in: it knows tags (`master`, `v1-node16`) and
 * branches that the generic list lacks.
 */
function buildPinsTable(actionTags, configureTags) {
  const actions = {};
  for (const [name, entry] of Object.entries(actionTags.actions ?? {})) {
    const key = name.toLowerCase();
    const tags = {};
    for (const [tag, info] of Object.entries(entry.tags ?? {})) tags[tag] = typeof info === "string" ? info : info.commit;
    actions[key] = {
      defaultBranch: entry.defaultBranch,
      runtimeByMajor: { ...(entry.runtimeByMajor ?? {}) },
      branches: { ...(entry.branches ?? {}) },
      tags,
    };
  }
  if (configureTags) {
    const key = (configureTags.action ?? CONFIGURE).toLowerCase();
    const target = (actions[key] ??= { defaultBranch: undefined, runtimeByMajor: {}, branches: {}, tags: {} });
    for (const [tag, info] of Object.entries(configureTags.tags ?? {})) target.tags[tag] ??= info.commit;
    for (const [branch, commit] of Object.entries(configureTags.branches ?? {})) target.branches[branch] ??= commit;
    for (const [tag, info] of Object.entries(configureTags.tags ?? {})) {
      // Fill majors the generic list lacks from the floating tag's own action.yml.
      if (/^v\d+$/.test(tag) && info.runs) target.runtimeByMajor[tag] ??= info.runs;
    }
    target.defaultBranch ??= "main" in target.branches ? "main" : undefined;
  }
  const out = {};
  for (const key of Object.keys(actions).sort()) {
    const a = actions[key];
    const row = {};
    if (a.defaultBranch) row.defaultBranch = a.defaultBranch;
    row.runtimeByMajor = sortedObject(a.runtimeByMajor);
    row.branches = sortedObject(a.branches);
    row.tags = sortedObject(a.tags);
    out[key] = row;
  }
  return { generated: actionTags.generated ?? null, actions: out };
}

/**
 * configure-aws-credentials.json: input names are interned in the order they were introduced
 * (release order), so a new release appends names instead of renumbering every row.
 */
function buildConfigureTable(configureTags, defaultBranch) {
  const tagNames = Object.keys(configureTags.tags ?? {});
  const release = (t) => RELEASE.exec(t);
  const byRelease = [...tagNames].sort((a, b) => {
    const ra = release(a);
    const rb = release(b);
    if (ra && !rb) return -1;
    if (rb && !ra) return 1;
    return compareNames(a, b);
  });
  const names = [];
  const index = new Map();
  for (const t of byRelease) {
    for (const input of Object.keys(configureTags.tags[t].inputs ?? {})) {
      if (!index.has(input)) {
        index.set(input, names.length);
        names.push(input);
      }
    }
  }
  const tags = {};
  for (const t of [...tagNames].sort(compareNames)) {
    const info = configureTags.tags[t];
    const inputs = Object.entries(info.inputs ?? {});
    const row = { commit: info.commit, date: info.date ?? null, runs: info.runs ?? null };
    row.inputs = inputs.map(([n]) => index.get(n)).sort((a, b) => a - b);
    const required = inputs.filter(([, s]) => s && s.required === true).map(([n]) => index.get(n));
    if (required.length) row.required = required.sort((a, b) => a - b);
    const defaults = inputs.filter(([, s]) => s && s.default !== undefined);
    if (defaults.length) row.defaults = sortedObject(Object.fromEntries(defaults.map(([n, s]) => [n, String(s.default)])));
    tags[t] = row;
  }
  const branches = sortedObject(configureTags.branches ?? {});
  return {
    action: (configureTags.action ?? CONFIGURE).toLowerCase(),
    source: configureTags.source ?? null,
    defaultBranch: defaultBranch ?? ("main" in branches ? "main" : null),
    inputs: names,
    branches,
    tags,
  };
}

// ---------- GitHub REST API (only with --api) ----------

function apiClient(apiUrl) {
  const token = process.env.GITHUB_TOKEN || process.env.GH_TOKEN || "";
  if (!token) process.stderr.write("refresh-pins: no GITHUB_TOKEN/GH_TOKEN; unauthenticated requests are limited to 60 an hour\n");
  const headers = {
    accept: "application/vnd.github+json",
    "x-github-api-version": "2022-11-28",
    "user-agent": "credflow-refresh-pins",
  };
  if (token) headers.authorization = `Bearer ${token}`;
  async function get(path, { allow404 = false } = {}) {
    const url = `${apiUrl}${path}`;
    for (let attempt = 1; ; attempt++) {
      let res;
      try {
        res = await fetch(url, { headers });
      } catch (err) {
        if (attempt < 4) {
          await new Promise((r) => setTimeout(r, 250 * 2 ** attempt));
          continue;
        }
        throw new Error(`GET ${path}: network error (${err?.cause?.code ?? err?.name ?? "unknown"})`);
      }
      if (res.ok) return res.json();
      if (res.status === 404 && allow404) return undefined;
      if (res.status >= 500 && attempt < 4) {
        await new Promise((r) => setTimeout(r, 250 * 2 ** attempt));
        continue;
      }
      if (res.headers.get("x-ratelimit-remaining") === "0" || res.status === 429) {
        const reset = Number(res.headers.get("x-ratelimit-reset"));
        const when = Number.isFinite(reset) && reset > 0 ? ` (resets ${new Date(reset * 1000).toISOString()})` : "";
        throw new Error(`GET ${path}: GitHub API rate limit reached${when}`);
      }
      if (res.status === 401) throw new Error(`GET ${path}: 401, the token was rejected`);
      throw new Error(`GET ${path}: HTTP ${res.status}`);
    }
  }
  async function paged(path) {
    const all = [];
    for (let page = 1; page < 100; page++) {
      const sep = path.includes("?") ? "&" : "?";
      const rows = await get(`${path}${sep}per_page=100&page=${page}`);
      all.push(...rows);
      if (rows.length < 100) break;
    }
    return all;
  }
  return { get, paged };
}

async function actionYaml(api, repoPath, ref, files) {
  const { parse } = await import("yaml");
  for (const file of files) {
    const doc = await api.get(`${repoPath}/contents/${file}?ref=${encodeURIComponent(ref)}`, { allow404: true });
    if (doc && typeof doc.content === "string") return parse(Buffer.from(doc.content, "base64").toString("utf8"));
  }
  return undefined;
}

async function fetchFromApi(opts, base) {
  const api = apiClient(opts.apiUrl);
  const actions = {};
  let configure;
  for (const [name, hint] of Object.entries(base.actions ?? {})) {
    const [owner, repo] = name.split("/");
    const repoPath = `/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}`;
    const meta = await api.get(repoPath);
    const tags = {};
    for (const t of await api.paged(`${repoPath}/tags`)) tags[t.name] = { commit: t.commit.sha };
    const branches = {};
    for (const b of await api.paged(`${repoPath}/branches`)) branches[b.name] = b.commit.sha;
    const files = [hint?.runtimeFile, "action.yml", "action.yaml"].filter(Boolean);
    const runtimeByMajor = {};
    for (const tag of Object.keys(tags).filter((t) => /^v\d+$/.test(t)).sort(compareNames)) {
      const doc = await actionYaml(api, repoPath, tag, files);
      const using = doc?.runs?.using;
      if (typeof using === "string") runtimeByMajor[tag] = using;
    }
    actions[name] = { defaultBranch: meta.default_branch, branches, tags, runtimeByMajor };
    if (name.toLowerCase() === CONFIGURE) {
      const rows = {};
      for (const [tag, { commit }] of Object.entries(tags)) {
        const doc = await actionYaml(api, repoPath, tag, ["action.yml", "action.yaml"]);
        const c = await api.get(`${repoPath}/commits/${commit}`);
        const inputs = {};
        for (const [input, spec] of Object.entries(doc?.inputs ?? {})) {
          inputs[input] = { required: spec?.required === true || spec?.required === "true" };
          if (spec?.default !== undefined) inputs[input].default = String(spec.default);
        }
        const date = c?.commit?.committer?.date ?? c?.commit?.author?.date;
        rows[tag] = { commit, date: typeof date === "string" ? date.slice(0, 10) : null, runs: doc?.runs?.using ?? null, inputs };
      }
      configure = { action: CONFIGURE, source: `GitHub REST API ${opts.apiUrl}, read ${new Date().toISOString().slice(0, 10)}`, branches, tags: rows };
    }
  }
  return { actionTags: { generated: new Date().toISOString().slice(0, 10), actions }, configure };
}

// ---------- main ----------

function readJson(file) {
  return JSON.parse(readFileSync(file, "utf8"));
}

function writeAtomic(file, text) {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  let actionTags = readJson(opts.from);
  let configure;
  if (opts.api) {
    ({ actionTags, configure } = await fetchFromApi(opts, actionTags));
  } else {
    try {
      configure = readJson(opts.configure);
    } catch (err) {
      if (err?.code !== "ENOENT") throw err;
      process.stderr.write(`refresh-pins: ${opts.configure} not found; configure-aws-credentials.json not written\n`);
    }
  }
  const outputs = [["pins.json", buildPinsTable(actionTags, configure)]];
  if (configure) {
    const entry = Object.entries(actionTags.actions ?? {}).find(([n]) => n.toLowerCase() === CONFIGURE)?.[1];
    outputs.push(["configure-aws-credentials.json", buildConfigureTable(configure, entry?.defaultBranch)]);
  }
  let stale = 0;
  for (const [name, table] of outputs) {
    const file = join(opts.out, name);
    const text = JSON.stringify(table) + "\n";
    if (opts.check) {
      let current = "";
      try {
        current = readFileSync(file, "utf8");
      } catch {
        // A missing table counts as stale.
      }
      if (current !== text) {
        stale++;
        process.stderr.write(`refresh-pins: ${file} is out of date\n`);
      }
    } else {
      writeAtomic(file, text);
      process.stdout.write(`wrote ${file} (${text.length} bytes)\n`);
    }
  }
  if (stale) process.exit(1);
}

main().catch((err) => {
  process.stderr.write(`refresh-pins: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
