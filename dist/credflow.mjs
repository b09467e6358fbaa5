#!/usr/bin/env node

// src/cli/launcher.ts
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import * as vm from "node:vm";
import { fileURLToPath } from "node:url";

// src/fs/cache-dir.ts
import { homedir } from "node:os";
import * as nodePath from "node:path";
function userCacheDir(env, platform = process.platform, home = safeHomedir() ?? null) {
  if (platform === "win32") {
    let p2 = nodePath.win32, local = env.LOCALAPPDATA;
    if (local && p2.isAbsolute(local)) return p2.join(local, "credflow");
    let h2 = env.USERPROFILE || home;
    return h2 && p2.isAbsolute(h2) ? p2.join(h2, "AppData", "Local", "credflow") : void 0;
  }
  let p = nodePath.posix, xdg = env.XDG_CACHE_HOME;
  if (xdg && p.isAbsolute(xdg)) return p.join(xdg, "credflow");
  let h = env.HOME || home;
  if (!(!h || !p.isAbsolute(h)))
    return platform === "darwin" ? p.join(h, "Library", "Caches", "credflow") : p.join(h, ".cache", "credflow");
}
function safeHomedir() {
  try {
    return homedir() || void 0;
  } catch {
    return;
  }
}

// src/cli/launcher.ts
var core = fileURLToPath(new URL("./credflow-core.cjs", import.meta.url)), off = !!process.env.CREDFLOW_NO_COMPILE_CACHE || !!process.env.NODE_DISABLE_COMPILE_CACHE, dir = off ? void 0 : compileCacheDir(), name = `${"a389ef3c432c1039ef0d4aaa66003328b47efbbe8ef50f00ec31a14736ed37d1".slice(0, 32)}-${process.version}-${process.arch}.bin`, cached = dir ? readCache(path.join(dir, name)) : void 0, source = dir ? fs.readFileSync(core, "utf8") : "";
globalThis[/* @__PURE__ */ Symbol.for("credflow.core-identity")] = { path: core, sha256: "a389ef3c432c1039ef0d4aaa66003328b47efbbe8ef50f00ec31a14736ed37d1" };
var module = { exports: {} }, script;
if (dir) {
  let wrapper = `(function (exports, require, module, __filename, __dirname) {${source}
})`;
  script = new vm.Script(wrapper, { filename: core, ...cached ? { cachedData: cached } : {} }), script.runInThisContext().call(module.exports, module.exports, createRequire(core), module, core, path.dirname(core));
} else
  module.exports = createRequire(import.meta.url)(core);
await module.exports.main();
script && dir && (!cached || script.cachedDataRejected) && writeCache(dir, name, script.createCachedData());
function compileCacheDir() {
  let base = userCacheDir(process.env);
  return base ? path.join(base, "v8") : void 0;
}
function readCache(file) {
  try {
    let st = fs.lstatSync(file);
    return !st.isFile() || st.size === 0 || st.size > 64 * 1024 * 1024 ? void 0 : fs.readFileSync(file);
  } catch {
    return;
  }
}
function writeCache(folder, file, data) {
  try {
    fs.mkdirSync(folder, { recursive: !0, mode: 448 });
    let tmp = path.join(folder, `.${file}.${process.pid}.tmp`);
    fs.writeFileSync(tmp, data, { mode: 384, flag: "wx" }), fs.renameSync(tmp, path.join(folder, file));
    for (let other of fs.readdirSync(folder))
      other !== file && other.endsWith(".bin") && fs.rmSync(path.join(folder, other), { force: !0 });
  } catch {
  }
}
