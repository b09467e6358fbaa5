/**
 * dist/credflow.mjs, the package's bin: runs the bundle (dist/credflow-core.cjs) through V8's code
 * cache. Compiling the 3 MB bundle is most of a short run's start-up (a one-file lint, a run the
 * lint cache answers); with the code V8 compiled on an earlier run it starts about a third faster.
 * Node 22's `module.enableCompileCache` does this for modules; Node 20 has only `vm.Script`'s
 * `cachedData`, so the bundle is CommonJS and is run as a script.
 *
 * The cache is one file in the user cache directory (never in a repository), named by the bundle's
 * SHA-256 (fixed at build time), Node's version and the architecture; V8 checks it again and
 * rejects data from other flags. Anything that goes wrong with it (no home directory, a read-only
 * one, a damaged file) only means a compile; nothing is printed. CREDFLOW_NO_COMPILE_CACHE=1 (or
 * Node's NODE_DISABLE_COMPILE_CACHE=1) turns it off.
 */
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import * as vm from "node:vm";
import { fileURLToPath } from "node:url";
import { userCacheDir } from "../fs/cache-dir.js";

/** SHA-256 of dist/credflow-core.cjs, written by the build. */
declare const CREDFLOW_CORE_SHA256: string;

const core = fileURLToPath(new URL("./credflow-core.cjs", import.meta.url));
const off = !!process.env.CREDFLOW_NO_COMPILE_CACHE || !!process.env.NODE_DISABLE_COMPILE_CACHE;
const dir = off ? undefined : compileCacheDir();
const name = `${CREDFLOW_CORE_SHA256.slice(0, 32)}-${process.version}-${process.arch}.bin`;
const cached = dir ? readCache(path.join(dir, name)) : undefined;
const source = dir ? fs.readFileSync(core, "utf8") : "";

// The lint cache keys results by the bundle's hash: the build's, rather than hashing 3 MB again
// (src/cache/lint-cache.ts buildId).
(globalThis as Record<symbol, unknown>)[Symbol.for("credflow.core-identity")] = { path: core, sha256: CREDFLOW_CORE_SHA256 };
const module = { exports: {} as { main?: () => Promise<void> } };
let script: vm.Script | undefined;
if (dir) {
  // The CommonJS module wrapper, as Node's own. (The bundle has no import(): vm.Script could not load it.)
  const wrapper = `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
  script = new vm.Script(wrapper, { filename: core, ...(cached ? { cachedData: cached } : {}) });
  (script.runInThisContext() as (...args: unknown[]) => void).call(module.exports, module.exports, createRequire(core), module, core, path.dirname(core));
} else {
  module.exports = createRequire(import.meta.url)(core) as typeof module.exports;
}
await module.exports.main!();
// After the run, the data holds the functions this run compiled too (V8 compiles lazily).
if (script && dir && (!cached || script.cachedDataRejected)) writeCache(dir, name, script.createCachedData());

function compileCacheDir(): string | undefined {
  const base = userCacheDir(process.env);
  return base ? path.join(base, "v8") : undefined;
}

/** The cached data, if a regular file of a plausible size is there. */
function readCache(file: string): Buffer | undefined {
  try {
    const st = fs.lstatSync(file);
    if (!st.isFile() || st.size === 0 || st.size > 64 * 1024 * 1024) return undefined;
    return fs.readFileSync(file);
  } catch {
    return undefined;
  }
}

/** Writes the data atomically (temp file, then rename) and removes data of other builds. */
function writeCache(folder: string, file: string, data: Buffer): void {
  try {
    fs.mkdirSync(folder, { recursive: true, mode: 0o700 });
    const tmp = path.join(folder, `.${file}.${process.pid}.tmp`);
    fs.writeFileSync(tmp, data, { mode: 0o600, flag: "wx" });
    fs.renameSync(tmp, path.join(folder, file));
    for (const other of fs.readdirSync(folder)) {
      if (other !== file && other.endsWith(".bin")) fs.rmSync(path.join(folder, other), { force: true });
    }
  } catch {
    // A cache that cannot be written only costs the next run a compile.
  }
}
