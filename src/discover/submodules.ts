/**
 * Git submodule paths from a repository's `.gitmodules`. A local action inside a submodule is on
 * the runner only when the job checks submodules out, and in a clone only when they were
 * initialised: its absence from the working tree says nothing about the run.
 */

/** The `path = …` values of `.gitmodules` text, `/`-separated, without leading `./` or trailing `/`. */
export function parseGitmodules(text: string): string[] {
  const paths: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*path\s*=\s*(.+?)\s*$/.exec(line);
    if (!m) continue;
    let value = m[1]!;
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    const normal = value.replace(/\\/g, "/").replace(/^(\.\/)+/, "").replace(/\/+$/, "");
    if (normal) paths.push(normal);
  }
  return paths;
}

/** Whether repository-relative `rel` is a submodule's folder or lies inside one. */
export function insideSubmodule(rel: string, submodules: readonly string[]): boolean {
  const normal = rel.replace(/\\/g, "/").replace(/^(\.\/)+/, "").replace(/\/+$/, "");
  return submodules.some((s) => normal === s || normal.startsWith(`${s}/`));
}
