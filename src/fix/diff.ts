/**
 * Git-style unified diffs of fixed files, for `--diff` output that `git apply` (or `patch -p1`)
 * reproduces byte for byte: lines keep their "\r", a BOM stays part of line 1.
 */

const CONTEXT = 3;
/** Above this many differences in the changed middle, stop searching for a minimal diff. */
const MAX_EDIT_DISTANCE = 2000;

type Op = "=" | "-" | "+";

/** Lines including their "\n" terminator (the last one may lack it). */
function splitLines(text: string): string[] {
  const lines: string[] = [];
  let pos = 0;
  while (pos < text.length) {
    const nl = text.indexOf("\n", pos);
    const end = nl === -1 ? text.length : nl + 1;
    lines.push(text.slice(pos, end));
    pos = end;
  }
  return lines;
}

/**
 * Myers' O(ND) shortest edit script over integer-coded lines. Returns undefined when the
 * distance exceeds `maxD`, so the caller can fall back to a coarse (still correct) script.
 */
function myers(a: Int32Array, b: Int32Array, maxD: number): Op[] | undefined {
  const n = a.length;
  const m = b.length;
  const limit = Math.min(maxD, n + m);
  const offset = limit + 1;
  const v = new Int32Array(2 * limit + 3);
  // trace[d] holds v[-d..d] after step d: O(D²) memory, independent of the file size.
  const trace: Int32Array[] = [];
  let found = -1;
  outer: for (let d = 0; d <= limit; d++) {
    for (let k = -d; k <= d; k += 2) {
      let x =
        k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!) ? v[offset + k + 1]! : v[offset + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) {
        trace.push(v.slice(offset - d, offset + d + 1));
        found = d;
        break outer;
      }
    }
    trace.push(v.slice(offset - d, offset + d + 1));
  }
  if (found < 0) return undefined;

  const ops: Op[] = [];
  let x = n;
  let y = m;
  for (let d = found; d > 0; d--) {
    const prev = trace[d - 1]!; // indexes k + (d - 1)
    const at = (k: number): number => prev[k + d - 1]!;
    const k = x - y;
    const down = k === -d || (k !== d && at(k - 1) < at(k + 1));
    const prevK = down ? k + 1 : k - 1;
    const prevX = at(prevK);
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      ops.push("=");
      x--;
      y--;
    }
    ops.push(down ? "+" : "-");
    x = prevX;
    y = prevY;
  }
  while (x > 0 && y > 0) {
    ops.push("=");
    x--;
    y--;
  }
  return ops.reverse();
}

/** The edit script for two line arrays: common prefix/suffix trimmed first (fixes are small). */
function diffLines(a: string[], b: string[]): Op[] {
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) suf++;
  const ids = new Map<string, number>();
  const code = (lines: string[]): Int32Array => {
    const out = new Int32Array(lines.length);
    lines.forEach((line, i) => {
      let id = ids.get(line);
      if (id === undefined) ids.set(line, (id = ids.size));
      out[i] = id;
    });
    return out;
  };
  const midA = code(a.slice(pre, a.length - suf));
  const midB = code(b.slice(pre, b.length - suf));
  const mid: Op[] = myers(midA, midB, MAX_EDIT_DISTANCE) ?? [
    ...new Array<Op>(midA.length).fill("-"),
    ...new Array<Op>(midB.length).fill("+"),
  ];
  return [...new Array<Op>(pre).fill("="), ...mid, ...new Array<Op>(suf).fill("=")];
}

interface Row {
  op: Op;
  line: string;
  /** 0-based index of the line in the old / new file (the next line's index for "+" / "-"). */
  oldIndex: number;
  newIndex: number;
}

/** Rows of the full comparison, each change block ordered "-" lines first, then "+" lines. */
function rows(a: string[], b: string[], ops: Op[]): Row[] {
  const out: Row[] = [];
  let i = 0;
  let j = 0;
  let k = 0;
  while (k < ops.length) {
    if (ops[k] === "=") {
      out.push({ op: "=", line: a[i]!, oldIndex: i, newIndex: j });
      i++;
      j++;
      k++;
      continue;
    }
    const dels: Row[] = [];
    const adds: Row[] = [];
    while (k < ops.length && ops[k] !== "=") {
      if (ops[k] === "-") {
        dels.push({ op: "-", line: a[i]!, oldIndex: i, newIndex: j });
        i++;
      } else {
        adds.push({ op: "+", line: b[j]!, oldIndex: i, newIndex: j });
        j++;
      }
      k++;
    }
    out.push(...dels, ...adds);
  }
  return out;
}

/** `start,count` as git writes it: count 1 is omitted; an empty side names the line before it. */
function range(firstIndex: number, count: number): string {
  if (count === 0) return `${firstIndex},0`;
  return count === 1 ? `${firstIndex + 1}` : `${firstIndex + 1},${count}`;
}

/** Quotes a path the way git does when it holds characters a patch line cannot carry plainly. */
function quotePath(prefix: string, path: string): string {
  const full = prefix + path;
  if (!/["\\\x00-\x1f\x7f]/.test(full)) return full;
  const escapes: Record<string, string> = { '"': '\\"', "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" };
  let out = "";
  for (const ch of full) {
    const code = ch.codePointAt(0)!;
    if (escapes[ch] !== undefined) out += escapes[ch];
    else if (code < 0x20 || code === 0x7f) out += `\\${code.toString(8).padStart(3, "0")}`;
    else out += ch;
  }
  return `"${out}"`;
}

/**
 * A git-style unified diff turning `before` into `after` for `path` (relative, `/` separators),
 * with 3 lines of context; "" when the texts are equal.
 */
export function unifiedDiff(path: string, before: string, after: string): string {
  if (before === after) return "";
  const clean = path.replace(/^(\.\/)+/, "");
  const a = splitLines(before);
  const b = splitLines(after);
  const all = rows(a, b, diffLines(a, b));

  const out: string[] = [
    `diff --git ${quotePath("a/", clean)} ${quotePath("b/", clean)}\n`,
    `--- ${quotePath("a/", clean)}\n`,
    `+++ ${quotePath("b/", clean)}\n`,
  ];
  let r = 0;
  while (r < all.length) {
    // Find the next change, then extend the hunk while the following change is within 2 contexts.
    while (r < all.length && all[r]!.op === "=") r++;
    if (r >= all.length) break;
    const start = Math.max(0, r - CONTEXT);
    let end = r; // exclusive end of the last change seen
    let s = r;
    while (s < all.length) {
      if (all[s]!.op !== "=") {
        end = s + 1;
        s++;
        continue;
      }
      let t = s;
      while (t < all.length && all[t]!.op === "=") t++;
      if (t < all.length && t - s <= 2 * CONTEXT) {
        s = t;
        continue;
      }
      break;
    }
    const stop = Math.min(all.length, end + CONTEXT);
    const hunk = all.slice(start, stop);
    const oldCount = hunk.filter((h) => h.op !== "+").length;
    const newCount = hunk.filter((h) => h.op !== "-").length;
    const first = hunk[0]!;
    out.push(`@@ -${range(first.oldIndex, oldCount)} +${range(first.newIndex, newCount)} @@\n`);
    for (const h of hunk) {
      const prefix = h.op === "=" ? " " : h.op;
      out.push(prefix + h.line);
      if (!h.line.endsWith("\n")) out.push("\n\\ No newline at end of file\n");
    }
    r = stop;
  }
  return out.join("");
}
