#!/usr/bin/env node
// Builds credflow's offline ref table, src/knowledge/data/refs.json, from local git mirrors of the
// actions' repositories: which names are branches and which are tags (a fact of the repository,
// not of the name), the commit each names, that commit's date, and the `runs.using` of the code.
//
// Usage:
//   node scripts/refresh-refs.mjs --count            recount `uses:` in the corpus -> scripts/data/action-usage.tsv
//   node scripts/refresh-refs.mjs --list             print the repositories the table needs and which mirrors are missing
//   node scripts/refresh-refs.mjs [--mirrors DIR] [--out FILE]      write refs.json from the mirrors
//   node scripts/refresh-refs.mjs --check            write nothing; exit 1 when refs.json (or, when the
//                                                    corpus is there, the usage TSV) differs from what
//                                                    would be written; exit 2 when mirrors are missing
//
// Inputs
//   scripts/data/action-usage.tsv   `uses:` counts per owner/repo (case-insensitive) over the 1,503
//       workflows of ../shared/corpus/peers/actionlint/testdata/realworld/dataset.zip and every
//       .yml/.yaml under ../shared/corpus/. Columns: action, uses, paths ("." = the repository root,
//       "sub/dir" = an action in a subdirectory, ".github/workflows/x.yml" = a reusable workflow;
//       each "path=count"). Regenerated only by --count (the corpus lives outside the repository).
//   The table covers every action used 3 or more times, every action of ../shared/data/action-tags.json
//   and every aws-actions/* repository that the counts show.
//   scripts/data/unavailable-repos.tsv  repositories whose mirror cannot be had (action, reason),
//       written by hand from what fetching them answered; they appear in refs.json as unavailable.
//   Mirrors: bare git directories at DIR/owner+repo/repo (or DIR/owner+repo), DIR defaulting to
//       $CREDFLOW_MIRRORS or /work/.mirror; the owner+repo part is matched case-insensitively.
//       Fetching them is not this script's job: it names the missing ones and stops.
//
// Output format (refs.json): {"format": 1, "actions": {...}} with one action per line and the
// keys of each action sorted, so that a refresh shows up as a small diff per action:
//   "owner/repo": {                        (lower-cased)
//     "branches": {"main": 7, ...}         every branch head, as an index into "commits"
//                                          (pull-request refs are not branches)
//     "commits": ["<sha> <day> <R>", ...]  every commit a tag or branch names, sorted by SHA:
//                                          full SHA, committer date (UTC, YYYY-MM-DD) and R, the
//                                          lower-cased `runs.using` of the action file at that
//                                          commit for each of "paths": one value when all paths
//                                          agree, else a comma-separated list aligned with
//                                          "paths". Values: node12|node16|node20|node24|composite|
//                                          docker|...; "-" no action.yml/action.yaml (and no
//                                          Dockerfile, which the runner takes as a docker
//                                          action); "plugin" for the 2019 `runs.plugin` form;
//                                          "?" for a file whose runs.using cannot be read
//     "default": "main"                    default branch (the mirror's HEAD symbolic ref)
//     "paths": [".", "init"]               the directories R describes: "." (the root) first,
//                                          then the subpaths the usage counts show
//     "releaseOf": {"-": "...", "v3.3.1": "<sha12> <sha12> ..."}
//                                          actions/cache, actions/upload-artifact and
//                                          actions/download-artifact only: every commit reachable
//                                          from a tag or branch (12-hex prefixes, checked unique),
//                                          grouped by the newest vX.Y.Z release that is an ancestor
//                                          of it or the commit itself ("-": before the first
//                                          release). Classifies a pinned SHA that no tag names
//                                          (switched-off versions: src/knowledge/disabled-versions.ts)
//     "rootUnused": true                   only when the counts show subpaths but never the root:
//                                          a `uses:` without subpath then takes the runtime the
//                                          subpaths share (codeql-action's root is a stub)
//     "tags": {"v4": 12, ...}              every tag, peeled to its commit (annotated tags too)
//   }
//   "owner/gone": {"unavailable": "reason"}
// Tag and branch names are sorted version-aware (v1.10.0 after v1.9.0). Refs whose name contains
// "@" are left out: GitHub splits `uses:` at "@", so no workflow can name them.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join, posix, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { readZip } from "./lib/unzip.mjs";
import { compareNames } from "./lib/ref-order.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const RELEASE = /^v(\d+)\.(\d+)\.(\d+)$/;
/** Repositories whose every reachable commit is mapped to its release (switched-off versions). */
const RELEASE_MAP_REPOS = ["actions/cache", "actions/download-artifact", "actions/upload-artifact"];
const MIN_USES = 3;
const PREFIX = 12;

function parseArgs(argv) {
  const opts = {
    corpus: resolve(ROOT, "../shared/corpus"),
    dataset: resolve(ROOT, "../shared/corpus/peers/actionlint/testdata/realworld/dataset.zip"),
    shared: resolve(ROOT, "../shared/data/action-tags.json"),
    usage: resolve(ROOT, "scripts/data/action-usage.tsv"),
    unavailable: resolve(ROOT, "scripts/data/unavailable-repos.tsv"),
    mirrors: process.env.CREDFLOW_MIRRORS || "/work/.mirror",
    out: resolve(ROOT, "src/knowledge/data/refs.json"),
    mode: "write",
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === "--count") opts.mode = "count";
    else if (a === "--list") opts.mode = "list";
    else if (a === "--check") opts.mode = "check";
    else if (a === "--mirrors") opts.mirrors = resolve(value());
    else if (a === "--out") opts.out = resolve(value());
    else if (a === "--usage") opts.usage = resolve(value());
    else if (a === "--corpus") opts.corpus = resolve(value());
    else if (a === "--dataset") opts.dataset = resolve(value());
    else if (a === "--shared") opts.shared = resolve(value());
    else if (a === "--unavailable") opts.unavailable = resolve(value());
    else if (a === "-h" || a === "--help") {
      process.stdout.write(readFileSync(fileURLToPath(import.meta.url), "utf8").split("\nimport ")[0] + "\n");
      process.exit(0);
    } else throw new Error(`unknown argument: ${a}`);
  }
  return opts;
}

// ---------- ordering (deterministic, locale-independent) ----------

const byCodeUnit = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

function sortedObject(obj, compare = compareNames) {
  const out = {};
  for (const key of Object.keys(obj).sort(compare)) out[key] = obj[key];
  return out;
}

// ---------- step 1: usage counts ----------

/**
 * `uses:` values in a YAML text, read line by line: block (`- uses: x`) and flow (`{ uses: x }`)
 * mappings; comments, expressions and block scalars are skipped. A regex rather than a parser:
 * the corpus holds deliberately broken files that still show real `uses:`.
 */
const USES_LINE = /(?:^\s*(?:-\s+)?|[{,]\s*)["']?uses["']?\s*:\s*["']?([^\s"'#,}]+)/;
const REMOTE = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)((?:\/[^@]+)?)@(.+)$/;

function remoteUses(text) {
  const out = [];
  for (const line of text.split(/\r?\n/)) {
    const m = USES_LINE.exec(line);
    if (!m) continue;
    const value = m[1];
    if (value.startsWith("./") || value.startsWith("docker://") || value.includes("$")) continue;
    const r = REMOTE.exec(value);
    if (!r) continue;
    out.push({ action: `${r[1]}/${r[2]}`.toLowerCase(), path: r[3] ? r[3].slice(1).replace(/\/+$/, "") : ".", ref: r[4] });
  }
  return out;
}

function* corpusTexts(opts) {
  for (const e of readZip(opts.dataset)) if (/\.ya?ml$/.test(e.name)) yield e.data.toString("utf8");
  const walk = function* (dir) {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => byCodeUnit(a.name, b.name))) {
      const p = join(dir, entry.name);
      if (entry.isDirectory()) yield* walk(p);
      else if (entry.isFile() && /\.ya?ml$/.test(entry.name)) yield readFileSync(p, "utf8");
    }
  };
  yield* walk(opts.corpus);
}

function countUsage(opts) {
  const counts = new Map();
  for (const text of corpusTexts(opts)) {
    for (const u of remoteUses(text)) {
      const row = counts.get(u.action) ?? { uses: 0, paths: new Map() };
      row.uses++;
      row.paths.set(u.path, (row.paths.get(u.path) ?? 0) + 1);
      counts.set(u.action, row);
    }
  }
  return counts;
}

function usageTsv(counts, opts) {
  const lines = [
    `# \`uses:\` of remote actions and reusable workflows per owner/repo (lower-cased), counted by scripts/refresh-refs.mjs --count`,
    `# over ${relative(ROOT, opts.dataset)} and every .yml/.yaml under ${relative(ROOT, opts.corpus)}/. Do not edit by hand.`,
    "# action\tuses\tpaths (path=count; . = the repository root)",
  ];
  const rows = [...counts].sort((a, b) => b[1].uses - a[1].uses || byCodeUnit(a[0], b[0]));
  for (const [action, row] of rows) {
    const paths = [...row.paths].sort((a, b) => b[1] - a[1] || byCodeUnit(a[0], b[0])).map(([p, n]) => `${p}=${n}`);
    lines.push(`${action}\t${row.uses}\t${paths.join(" ")}`);
  }
  return lines.join("\n") + "\n";
}

function readUsage(file) {
  const rows = new Map();
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const [action, uses, paths = ""] = line.split("\t");
    rows.set(action, {
      uses: Number(uses),
      paths: new Map(
        paths
          .split(" ")
          .filter(Boolean)
          .map((p) => {
            const eq = p.lastIndexOf("=");
            return [p.slice(0, eq), Number(p.slice(eq + 1))];
          }),
      ),
    });
  }
  return rows;
}

function readUnavailable(file) {
  const out = new Map();
  if (!existsSync(file)) return out;
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const [action, reason] = line.split("\t");
    out.set(action.toLowerCase(), reason);
  }
  return out;
}

/** The actions the table covers, each with the subpaths whose runtime it records. */
function selection(opts) {
  const usage = readUsage(opts.usage);
  const wanted = new Map();
  const add = (action) => {
    const key = action.toLowerCase();
    if (wanted.has(key)) return;
    const paths = new Set(["."]);
    for (const raw of usage.get(key)?.paths.keys() ?? []) {
      // `./init`, `save/../save`, `dir/`: the directory the runner would read. Paths that leave
      // the repository and reusable workflows (no runtime of their own) are not actions.
      const p = posix.normalize(raw === "" ? "." : raw).replace(/\/+$/, "") || ".";
      if (p === ".." || p.startsWith("../") || p.startsWith("/") || p.startsWith(".github/workflows/") || /\.ya?ml$/.test(p)) continue;
      paths.add(p);
    }
    const sorted = [...paths].sort((a, b) => (a === "." ? -1 : b === "." ? 1 : byCodeUnit(a, b)));
    // The corpus names only subdirectories (github/codeql-action/init): the root's action.yml,
    // if any, is not what users run (codeql-action's root is a stub that exits 1).
    const rootUnused = sorted.length > 1 && !usage.get(key)?.paths.has(".");
    wanted.set(key, { paths: sorted, rootUnused });
  };
  for (const [action, row] of usage) if (row.uses >= MIN_USES || action.startsWith("aws-actions/")) add(action);
  if (existsSync(opts.shared)) for (const action of Object.keys(JSON.parse(readFileSync(opts.shared, "utf8")).actions ?? {})) add(action);
  else process.stderr.write(`refresh-refs: ${opts.shared} not found; the table covers the usage counts only\n`);
  return new Map([...wanted].sort((a, b) => byCodeUnit(a[0], b[0])));
}

// ---------- step 2: reading a mirror ----------

/** The git directory of `action`'s mirror, matched case-insensitively, or undefined. */
function mirrorDir(root, action, listing) {
  const want = action.replace("/", "+").toLowerCase();
  const name = listing.find((n) => n.toLowerCase() === want);
  if (!name) return undefined;
  for (const dir of [join(root, name, "repo"), join(root, name, "repo", ".git"), join(root, name)]) {
    if (existsSync(join(dir, "HEAD")) && existsSync(join(dir, "objects"))) return dir;
  }
  return undefined;
}

function git(dir, args, input) {
  const res = spawnSync("git", ["--git-dir", dir, ...args], {
    input,
    maxBuffer: 1024 * 1024 * 1024,
    env: { ...process.env, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null", LC_ALL: "C" },
  });
  if (res.error) throw res.error;
  if (res.status !== 0) throw new Error(`git ${args.join(" ")} in ${dir}: ${res.stderr.toString().trim()}`);
  return res.stdout;
}

function defaultBranch(dir) {
  const head = readFileSync(join(dir, "HEAD"), "utf8").trim();
  const m = /^ref: refs\/heads\/(.+)$/.exec(head);
  return m ? m[1] : undefined;
}

/** Branches and tags with the commit each names (tags peeled through any chain of tag objects). */
function readRefs(dir) {
  const out = git(dir, ["for-each-ref", "--format=%(refname)%09%(objectname)%09%(objecttype)%09%(*objectname)%09%(*objecttype)", "refs/heads", "refs/tags"]).toString("utf8");
  const tags = {};
  const branches = {};
  const skipped = [];
  const unusable = [];
  const deeper = [];
  for (const line of out.split("\n")) {
    if (!line) continue;
    const [ref, obj, type, peeled, peeledType] = line.split("\t");
    const isTag = ref.startsWith("refs/tags/");
    const name = ref.slice(isTag ? "refs/tags/".length : "refs/heads/".length);
    // GitHub splits `uses:` at "@" and wants exactly two parts: a ref with "@" in its name
    // (monorepo package tags such as `@scope/pkg@1.2.3`) can never be named there.
    if (name.includes("@")) {
      unusable.push(name);
      continue;
    }
    const target = isTag ? tags : branches;
    if (type === "commit") target[name] = obj;
    else if (type === "tag" && peeledType === "commit") target[name] = peeled;
    else if (type === "tag" && peeledType === "tag") deeper.push([target, name, ref]);
    else skipped.push(`${ref} (${type === "tag" ? peeledType : type})`);
  }
  if (deeper.length) {
    const answers = git(dir, ["cat-file", "--batch-check=%(objectname) %(objecttype)"], deeper.map(([, , ref]) => `${ref}^{}`).join("\n") + "\n")
      .toString("utf8")
      .split("\n");
    deeper.forEach(([target, name, ref], i) => {
      const [sha, type] = answers[i].split(" ");
      if (type === "commit") target[name] = sha;
      else skipped.push(`${ref} (${type ?? "unreadable"})`);
    });
  }
  return { tags, branches, skipped, unusable };
}

/** Committer date (UTC day) of each commit. */
function commitDates(dir, commits) {
  const out = git(dir, ["log", "--no-walk=unsorted", "--stdin", "--format=%H %ct"], commits.join("\n") + "\n").toString("utf8");
  const dates = new Map();
  for (const line of out.split("\n")) {
    const [sha, ct] = line.split(" ");
    if (sha && ct) dates.set(sha, new Date(Number(ct) * 1000).toISOString().slice(0, 10));
  }
  return dates;
}

/** `git cat-file --batch` answers for `specs`, in order: Buffer contents, or undefined when missing. */
function catFiles(dir, specs) {
  if (!specs.length) return [];
  const buf = git(dir, ["cat-file", "--batch"], specs.join("\n") + "\n");
  const out = [];
  let p = 0;
  for (let i = 0; i < specs.length; i++) {
    const nl = buf.indexOf(10, p);
    const header = buf.toString("utf8", p, nl);
    p = nl + 1;
    if (header.endsWith(" missing") || header.endsWith(" ambiguous")) {
      out.push(undefined);
      continue;
    }
    const size = Number(header.split(" ")[2]);
    const type = header.split(" ")[1];
    out.push(type === "blob" ? buf.subarray(p, p + size) : undefined);
    p += size + 1;
  }
  return out;
}

function checkSpecs(dir, specs) {
  if (!specs.length) return [];
  return git(dir, ["cat-file", "--batch-check=%(objectname) %(objecttype)"], specs.join("\n") + "\n")
    .toString("utf8")
    .split("\n")
    .slice(0, specs.length)
    .map((l) => {
      const [sha, type] = l.split(" ");
      return type === "missing" || type === "ambiguous" || type === undefined ? undefined : { sha, type };
    });
}

let parseYaml;
async function loadYaml() {
  try {
    ({ parse: parseYaml } = await import("yaml"));
  } catch {
    parseYaml = undefined;
  }
}

/**
 * `runs.using` of an action file, lower-cased; "plugin" for the 2019 `runs.plugin` form (a runner
 * plugin, e.g. actions/checkout v1); "?" when it cannot be read (e.g. merge conflict markers).
 */
function runsUsing(text) {
  if (parseYaml) {
    try {
      const doc = parseYaml(text, { strict: false, uniqueKeys: false, logLevel: "silent" });
      const using = doc?.runs?.using;
      if (typeof using === "string" && using.trim()) return using.trim().toLowerCase().replace(/\s+/g, "_");
      if (typeof doc?.runs?.plugin === "string") return "plugin";
    } catch {
      // Fall through to the line reader: the runner's YAML reader is more lenient than ours.
    }
  }
  const m = /^runs\s*:[^\n]*\n(?:(?:[ \t]+[^\n]*|[ \t]*)\n)*?[ \t]+using\s*:\s*["']?([\w.-]+)/m.exec(text);
  return m ? m[1].toLowerCase() : "?";
}

/**
 * runs.using per path at each commit. The runner reads action.yml, else action.yaml, else a
 * Dockerfile (a docker action without metadata).
 */
function runtimes(dir, commits, paths) {
  const files = ["action.yml", "action.yaml", "Dockerfile"];
  const prefix = (p) => (p === "." ? "" : `${p}/`);
  const result = new Map(commits.map((c) => [c, paths.map(() => null)]));
  // Which file each commit/path has (a tree lookup), then each distinct blob read once.
  let pending = [];
  for (const c of commits) paths.forEach((p, i) => pending.push({ c, i, p }));
  const blobOf = new Map(); // `${c}\0${i}` -> {sha, file}
  for (const file of files) {
    if (!pending.length) break;
    const answers = checkSpecs(dir, pending.map(({ c, p }) => `${c}:${prefix(p)}${file}`));
    const next = [];
    pending.forEach((q, k) => {
      const a = answers[k];
      if (a && a.type === "blob") blobOf.set(`${q.c}\0${q.i}`, { sha: a.sha, file });
      else next.push(q);
    });
    pending = next;
  }
  const blobs = [...new Set([...blobOf.values()].filter((b) => b.file !== "Dockerfile").map((b) => b.sha))].sort();
  const texts = catFiles(dir, blobs);
  const usingOf = new Map(blobs.map((sha, k) => [sha, texts[k] ? runsUsing(texts[k].toString("utf8")) : "?"]));
  for (const [key, b] of blobOf) {
    const [c, i] = key.split("\0");
    result.get(c)[Number(i)] = b.file === "Dockerfile" ? "docker" : usingOf.get(b.sha);
  }
  return result;
}

/** Newest vX.Y.Z release each reachable commit contains, for the switched-off-version repositories. */
function releaseMap(dir, tags) {
  const releasesOn = new Map();
  for (const [name, c] of Object.entries(tags)) {
    const m = RELEASE.exec(name);
    if (!m) continue;
    const list = releasesOn.get(c) ?? [];
    list.push([name, [Number(m[1]), Number(m[2]), Number(m[3])]]);
    releasesOn.set(c, list);
  }
  const newer = (a, b) => {
    for (let i = 0; i < 3; i++) if (a[1][i] !== b[1][i]) return a[1][i] > b[1][i];
    return false;
  };
  const out = git(dir, ["rev-list", "--topo-order", "--reverse", "--parents", "--branches", "--tags"]).toString("utf8");
  const rel = new Map();
  for (const line of out.split("\n")) {
    if (!line) continue;
    const [c, ...parents] = line.split(" ");
    let best;
    for (const cand of [...(releasesOn.get(c) ?? []), ...parents.map((p) => rel.get(p)).filter(Boolean)]) {
      if (!best || newer(cand, best)) best = cand;
    }
    rel.set(c, best);
  }
  const prefixes = new Set();
  const groups = {};
  for (const [c, best] of rel) {
    const short = c.slice(0, PREFIX);
    if (prefixes.has(short)) throw new Error(`${dir}: two commits share the prefix ${short}; raise PREFIX`);
    prefixes.add(short);
    (groups[best ? best[0] : "-"] ??= []).push(short);
  }
  const result = {};
  for (const key of Object.keys(groups).sort((a, b) => (a === "-" ? -1 : b === "-" ? 1 : compareNames(a, b)))) {
    result[key] = groups[key].sort().join(" ");
  }
  return { map: result, commits: rel.size };
}

function readAction(dir, action, paths, rootUnused) {
  const { tags, branches, skipped, unusable } = readRefs(dir);
  const commits = [...new Set([...Object.values(tags), ...Object.values(branches)])].sort();
  const dates = commitDates(dir, commits);
  const runs = runtimes(dir, commits, paths);
  const index = new Map(commits.map((c, i) => [c, i]));
  const rows = commits.map((c) => {
    const r = runs.get(c).map((x) => x ?? "-");
    return `${c} ${dates.get(c) ?? "-"} ${r.every((x) => x === r[0]) ? r[0] : r.join(",")}`;
  });
  const toIndex = (refs) => Object.fromEntries(Object.entries(sortedObject(refs)).map(([n, c]) => [n, index.get(c)]));
  const row = { branches: toIndex(branches), commits: rows };
  const def = defaultBranch(dir);
  if (def) row.default = def;
  row.paths = paths;
  let mapped;
  if (RELEASE_MAP_REPOS.includes(action)) {
    const { map, commits: n } = releaseMap(dir, tags);
    row.releaseOf = map;
    mapped = n;
  }
  if (rootUnused) row.rootUnused = true;
  row.tags = toIndex(tags);
  return { row, skipped, unusable, mapped };
}

// ---------- output ----------

/** One action per line; everything inside a line is compact JSON with sorted keys as built. */
function render(actions) {
  const keys = Object.keys(actions).sort(byCodeUnit);
  const lines = keys.map((k, i) => `${JSON.stringify(k)}:${JSON.stringify(actions[k])}${i < keys.length - 1 ? "," : ""}`);
  return `{"format":1,"actions":{\n${lines.join("\n")}\n}}\n`;
}

function writeAtomic(file, text) {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

function readOr(file, fallback) {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return fallback;
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));

  if (opts.mode === "count" || opts.mode === "check") {
    if (existsSync(opts.dataset) && existsSync(opts.corpus)) {
      const text = usageTsv(countUsage(opts), opts);
      if (opts.mode === "count") {
        writeAtomic(opts.usage, text);
        process.stdout.write(`wrote ${opts.usage} (${text.split("\n").length - 4} actions)\n`);
        return;
      }
      if (readOr(opts.usage, "") !== text) {
        process.stderr.write(`refresh-refs: ${opts.usage} is out of date with the corpus (run --count)\n`);
        process.exitCode = 1;
      }
    } else if (opts.mode === "count") {
      throw new Error(`corpus not found (${opts.dataset}, ${opts.corpus})`);
    } else {
      process.stderr.write(`refresh-refs: corpus not found (${opts.dataset}, ${opts.corpus}); usage counts not checked\n`);
    }
  }

  const wanted = selection(opts);
  const unavailable = readUnavailable(opts.unavailable);
  const listing = existsSync(opts.mirrors) ? readdirSync(opts.mirrors) : [];
  const missing = [];
  const dirs = new Map();
  for (const action of wanted.keys()) {
    const dir = mirrorDir(opts.mirrors, action, listing);
    if (dir) dirs.set(action, dir);
    else if (!unavailable.has(action)) missing.push(action);
  }

  if (opts.mode === "list") {
    for (const [action, { paths, rootUnused }] of wanted) {
      const state = dirs.has(action) ? dirs.get(action) : unavailable.has(action) ? `unavailable: ${unavailable.get(action)}` : "MISSING";
      process.stdout.write(`${action}\t${paths.join(" ")}${rootUnused ? " (root unused)" : ""}\t${state}\n`);
    }
    process.stdout.write(`${wanted.size} actions, ${dirs.size} mirrors, ${unavailable.size} unavailable, ${missing.length} missing\n`);
    return;
  }
  if (missing.length) {
    process.stderr.write(
      `refresh-refs: no mirror under ${opts.mirrors} for ${missing.length} repositories (fetch them, or record them in ${relative(ROOT, opts.unavailable)}):\n` +
        missing.map((a) => `  ${a}\n`).join(""),
    );
    process.exit(2);
  }

  await loadYaml();
  const actions = {};
  const notes = [];
  for (const [action, { paths, rootUnused }] of wanted) {
    const dir = dirs.get(action);
    if (!dir) {
      actions[action] = { unavailable: unavailable.get(action) };
      continue;
    }
    const { row, skipped, unusable, mapped } = readAction(dir, action, paths, rootUnused);
    actions[action] = row;
    if (unusable.length) notes.push(`${action}: ${unusable.length} refs with "@" in their name left out (no \`uses:\` can name them)`);
    if (skipped.length) notes.push(`${action}: refs naming no commit, left out: ${skipped.join(", ")}`);
    if (mapped !== undefined) notes.push(`${action}: ${mapped} reachable commits mapped to releases`);
    // A mirror that is not the newest snapshot should say so in the diff, not silently.
    if (unavailable.has(action)) notes.push(`${action}: has a mirror but is listed as unavailable; the mirror wins`);
  }
  const text = render(actions);
  if (opts.mode === "check") {
    if (readOr(opts.out, "") !== text) {
      process.stderr.write(`refresh-refs: ${opts.out} is out of date with the mirrors\n`);
      process.exit(1);
    }
    return;
  }
  writeAtomic(opts.out, text);
  for (const n of notes) process.stderr.write(`refresh-refs: ${n}\n`);
  process.stdout.write(`wrote ${opts.out} (${Object.keys(actions).length} actions, ${text.length} bytes)\n`);
}

main().catch((err) => {
  process.stderr.write(`refresh-refs: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
