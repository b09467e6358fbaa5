/** Terraform syntax trees as plain data (what src/iac/hcl.ts produces; no WebAssembly needed to read them). */

/** One node of the syntax tree. Comments are left out. */
export interface HNode {
  type: string;
  named: boolean;
  start: number;
  end: number;
  children: HNode[];
}

export interface HclTree {
  root: HNode;
  /** Offset of the first syntax error (an ERROR or MISSING node), when the file has one. */
  errorAt?: number;
}

/** Named children, in order. */
export function named(n: HNode | undefined): HNode[] {
  return n ? n.children.filter((c) => c.named) : [];
}
