/**
 * The Node.js runtimes JavaScript actions declare (`runs.using`) that GitHub's runners no longer
 * run as declared. The runner starts such an action on a newer Node.js instead (the action still
 * runs; nothing in the workflow shows whether its code works there), and annotates the run.
 *
 * Dates and sources (checked 2026-12-06):
 *
 * - node12: deprecation announced 2022-09-22
 *   (https://github.blog/changelog/2022-09-22-github-actions-all-actions-will-begin-running-on-node16-instead-of-node12/,
 *   warnings "Node.js 12 actions are deprecated" from 2022-09-27), run on Node 16 by default from
 *   https://github.blog/changelog/2023-06-13-github-actions-all-actions-will-run-on-node16-instead-of-node12-by-default/
 *   (the runner's annotation "The following actions uses node12 which is deprecated and will be
 *   forced to run on node16" links there).
 * - node16: deprecation announced 2023-09-22
 *   (https://github.blog/changelog/2023-09-22-github-actions-transitioning-from-node-16-to-node-20/,
 *   linked from the annotation "Node.js 16 actions are deprecated. Please update the following
 *   actions to use Node.js 20"); forced onto Node 20 in 2024.
 * - Node 20 itself: https://github.blog/changelog/2025-09-19-deprecation-of-node-20-on-github-actions-runners/
 *   (annotation: "Actions will be forced to run with Node.js 24 by default starting June 2nd, 2026.
 *   Node.js 20 will be removed from the runner on September 16th, 2026"). So node12 and node16
 *   actions now run on Node 24 on GitHub-hosted runners. credflow does not report node20 actions
 *   yet (see docs/rules/outdated-action-runtime.md).
 */

export interface RetiredRuntime {
  runtime: "node12" | "node16";
  /** Day GitHub announced the deprecation. */
  announced: string;
  /** The changelog entry the runner's annotation links to. */
  source: string;
}

export const RETIRED_RUNTIMES: ReadonlyMap<string, RetiredRuntime> = new Map([
  [
    "node12",
    {
      runtime: "node12",
      announced: "2022-09-22",
      source: "https://github.blog/changelog/2023-06-13-github-actions-all-actions-will-run-on-node16-instead-of-node12-by-default/",
    },
  ],
  [
    "node16",
    {
      runtime: "node16",
      announced: "2023-09-22",
      source: "https://github.blog/changelog/2023-09-22-github-actions-transitioning-from-node-16-to-node-20/",
    },
  ],
]);

/** Whether runners no longer run `runs.using: <runtime>` as declared. */
export function isRetiredRuntime(runtime: string | undefined): runtime is "node12" | "node16" {
  return runtime !== undefined && RETIRED_RUNTIMES.has(runtime);
}
