/**
 * Which GitHub repository is being linted: its `owner/name`, from the configuration, the command
 * line, `GITHUB_REPOSITORY` (set on every Actions runner), or the `origin` remote of the checkout.
 * Rules use it to recognise a repository's references to its own actions and for OIDC subjects.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export interface RepositoryIdentity {
  owner: string;
  name: string;
  /** Where it was learnt, for messages ("from the origin remote"). */
  source: "config" | "flag" | "GITHUB_REPOSITORY" | "origin remote";
}

const OWNER_NAME = /^([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))\/([A-Za-z0-9._-]{1,100})$/;

/** `owner/name` split, or undefined when it is not of that form. */
export function parseOwnerName(text: string | undefined, source: RepositoryIdentity["source"]): RepositoryIdentity | undefined {
  const m = OWNER_NAME.exec((text ?? "").trim().replace(/\.git$/, ""));
  if (!m || m[2] === "." || m[2] === "..") return undefined;
  return { owner: m[1]!, name: m[2]!, source };
}

/**
 * The `owner/name` of a remote URL: `https://host/owner/name(.git)`, `ssh://git@host[:port]/owner/name`,
 * `git@host:owner/name.git`. Undefined for other forms (local paths, bundles).
 */
export function ownerNameOfUrl(url: string): string | undefined {
  const u = url.trim();
  const scp = /^[\w.-]+@[\w.-]+:(?!\/)([^\s]+)$/.exec(u);
  const rest = scp ? scp[1]! : /^(?:https?|ssh|git):\/\/(?:[^@/]+@)?[^/]+\/([^\s]+)$/.exec(u)?.[1];
  if (!rest) return undefined;
  const parts = rest.replace(/\/+$/, "").replace(/\.git$/, "").split("/");
  return parts.length === 2 ? parts.join("/") : undefined;
}

/** The git directory of a checkout at `root` (a `.git` folder, or the `gitdir:` a `.git` file names). */
function gitDir(root: string): string | undefined {
  const dotGit = path.join(root, ".git");
  try {
    const st = fs.statSync(dotGit);
    if (st.isDirectory()) return dotGit;
    if (st.isFile() && st.size < 4096) {
      const m = /^gitdir:\s*(.+)$/m.exec(fs.readFileSync(dotGit, "utf8"));
      if (m) return path.resolve(root, m[1]!.trim());
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/** The `origin` remote's owner/name from the checkout's git config (worktrees read the main config). */
export function originOf(root: string): string | undefined {
  const dir = gitDir(root);
  if (!dir) return undefined;
  const candidates = [path.join(dir, "config")];
  // A worktree's git directory names the shared one in `commondir`.
  try {
    const common = fs.readFileSync(path.join(dir, "commondir"), "utf8").trim();
    if (common) candidates.push(path.join(path.resolve(dir, common), "config"));
  } catch {
    // not a worktree
  }
  for (const file of candidates) {
    let text: string;
    try {
      const st = fs.statSync(file);
      if (!st.isFile() || st.size > 1024 * 1024) continue;
      text = fs.readFileSync(file, "utf8");
    } catch {
      continue;
    }
    const section = /^\s*\[remote\s+"origin"\]\s*$([\s\S]*?)(?=^\s*\[|$(?![\s\S]))/m.exec(text);
    const url = section && /^\s*url\s*=\s*(.+)$/m.exec(section[1]!)?.[1];
    if (url) return ownerNameOfUrl(url);
  }
  return undefined;
}

/**
 * The default branch the checkout's `origin` remote names (`refs/remotes/origin/HEAD`, written by
 * `git clone`), or undefined when the checkout does not record it (a CI checkout usually does not).
 */
export function defaultBranchOf(root: string): string | undefined {
  const dir = gitDir(root);
  if (!dir) return undefined;
  const dirs = [dir];
  try {
    const common = fs.readFileSync(path.join(dir, "commondir"), "utf8").trim();
    if (common) dirs.push(path.resolve(dir, common));
  } catch {
    // not a worktree
  }
  for (const d of dirs) {
    try {
      const file = path.join(d, "refs", "remotes", "origin", "HEAD");
      const st = fs.lstatSync(file);
      if (!st.isFile() || st.size > 4096) continue;
      const m = /^ref:\s*refs\/remotes\/origin\/(\S+)\s*$/.exec(fs.readFileSync(file, "utf8"));
      if (m) return m[1];
    } catch {
      continue;
    }
  }
  return undefined;
}

/** The repository identity in order of precedence: flag, configuration, GITHUB_REPOSITORY, origin remote. */
export function resolveRepository(opts: { flag?: string; config?: string; env?: string; root?: string }): RepositoryIdentity | undefined {
  return (
    parseOwnerName(opts.flag, "flag") ??
    parseOwnerName(opts.config, "config") ??
    parseOwnerName(opts.env, "GITHUB_REPOSITORY") ??
    (opts.root ? parseOwnerName(originOf(opts.root), "origin remote") : undefined)
  );
}
