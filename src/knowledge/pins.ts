/** Ref → commit resolution for remote actions (offline table, optional online API). */
export interface RefInfo {
  kind: "sha" | "tag" | "branch" | "tag-and-branch" | "frozen-tag" | "unknown";
}
export interface PinResolver {
  resolve(action: string, ref: string): RefInfo;
}
