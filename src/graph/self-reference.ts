/**
 * A repository's references to its own actions and reusable workflows by their remote name:
 * `owner/this-repo/path@ref` (a composite or other action in this repository) and
 * `owner/this-repo/.github/workflows/x.yml@ref` (a reusable workflow). GitHub fetches them at
 * `ref`, not at the commit being linted; the graph follows the local copy, the closest thing the
 * files show.
 */
import type { UsesRef } from "../model/types.js";

/** The repository being linted (`settings.repository`). */
export interface RepositoryName {
  owner: string;
  name: string;
}

/**
 * `./path` of a remote ref that names the repository being linted (owner and name compared
 * case-insensitively, as GitHub does), `./` for the repository's root action; undefined for
 * every other ref, or when the repository is not known.
 */
export function selfReferencePath(ref: UsesRef | undefined, repository: RepositoryName | undefined): string | undefined {
  if (!repository || ref?.kind !== "remote") return undefined;
  if (ref.owner.toLowerCase() !== repository.owner.toLowerCase() || ref.repo.toLowerCase() !== repository.name.toLowerCase()) return undefined;
  return `./${ref.subpath ?? ""}`;
}
