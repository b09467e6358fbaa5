// Reads the shared tag data the generated tables come from, so tests assert against the source
// of truth rather than constants typed into the tests.
import { readFileSync } from "node:fs";
import { hasShared, NEEDS, sharedPath, type SharedNeed } from "../helpers/shared.js";

export interface SharedActionTags {
  generated: string;
  actions: Record<
    string,
    {
      defaultBranch: string;
      branches: Record<string, string>;
      tags: Record<string, { commit: string; date: string }>;
      runtimeByMajor: Record<string, string>;
    }
  >;
}

export interface SharedConfigureTags {
  action: string;
  branches: Record<string, string>;
  tags: Record<string, { commit: string; date: string; runs: string; inputs: Record<string, { required: boolean; default?: string }> }>;
}

/** Parsed shared file, or `empty` when ../shared lacks it (its tests are then skipped: itShared). */
function read<T>(need: SharedNeed, empty: T): T {
  return hasShared(need) ? (JSON.parse(readFileSync(sharedPath(need), "utf8")) as T) : empty;
}

export const actionTags = read<SharedActionTags>(NEEDS.actionTags, { generated: "", actions: {} });
export const configureTags = read<SharedConfigureTags>(NEEDS.configureTags, { action: "", branches: {}, tags: {} });

export function semver(tag: string): [number, number, number] | undefined {
  const m = /^v(\d+)\.(\d+)\.(\d+)$/.exec(tag);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

export function bySemver(a: string, b: string): number {
  const x = semver(a)!;
  const y = semver(b)!;
  return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
}

/** vX.Y.Z tags, oldest first. */
export function releases(tags: Record<string, unknown>): string[] {
  return Object.keys(tags).filter((t) => semver(t)).sort(bySemver);
}
