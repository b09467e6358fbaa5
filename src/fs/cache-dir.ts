/** Where credflow keeps caches of its own: the user cache directory, never a repository. */
import { homedir } from "node:os";
import * as nodePath from "node:path";

/**
 * credflow's folder in the user cache directory (`%LOCALAPPDATA%\credflow` on Windows,
 * `$XDG_CACHE_HOME/credflow`, `~/Library/Caches/credflow` on macOS, `~/.cache/credflow`), shared by
 * the `--online` pin cache, the lint cache and the launcher's compile cache. Undefined when no home directory is known.
 */
export function userCacheDir(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform, home: string | null = safeHomedir() ?? null): string | undefined {
  if (platform === "win32") {
    const p = nodePath.win32;
    const local = env.LOCALAPPDATA;
    if (local && p.isAbsolute(local)) return p.join(local, "credflow");
    const h = env.USERPROFILE || home;
    return h && p.isAbsolute(h) ? p.join(h, "AppData", "Local", "credflow") : undefined;
  }
  const p = nodePath.posix;
  // The XDG spec ignores relative values.
  const xdg = env.XDG_CACHE_HOME;
  if (xdg && p.isAbsolute(xdg)) return p.join(xdg, "credflow");
  const h = env.HOME || home;
  if (!h || !p.isAbsolute(h)) return undefined;
  return platform === "darwin" ? p.join(h, "Library", "Caches", "credflow") : p.join(h, ".cache", "credflow");
}

export function safeHomedir(): string | undefined {
  try {
    return homedir() || undefined;
  } catch {
    return undefined;
  }
}
