/** Containment of paths, one definition for every stage (a folder named `..ci` is inside). */
import * as path from "node:path";

/** Whether `target` is `root` itself or lies below it (both absolute, already resolved). */
export function isInside(root: string, target: string): boolean {
  const rel = path.relative(root, target);
  return rel === "" || isDescendantRel(rel);
}

/** Whether `target` lies strictly below `root` (not `root` itself). */
export function isBelow(root: string, target: string): boolean {
  const rel = path.relative(root, target);
  return rel !== "" && isDescendantRel(rel);
}

/** A relative path that does not climb out: `..` and `../x` climb, `..ci` and `a/../b` (normalised) do not. */
function isDescendantRel(rel: string): boolean {
  return !path.isAbsolute(rel) && rel !== ".." && !rel.startsWith(`..${path.sep}`);
}
