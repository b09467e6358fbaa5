/**
 * Structure checks for `credflow graph` output, for tests: a Mermaid parser is not available offline,
 * so the Mermaid checks are structural (one statement per line, balanced subgraphs, every id defined
 * once and not a keyword, labels closed and escaped, edges between defined ids, Mermaid's default
 * limits). DOT gets the same checks plus well-formed HTML-like labels; Graphviz itself renders it in
 * test/integration/graphviz.test.ts.
 */

/** Mermaid's default limits (mermaid.js.org/config/schema-docs/config.html). */
export const MERMAID_MAX_TEXT = 50_000;
export const MERMAID_MAX_EDGES = 500;

const MERMAID_KEYWORDS = new Set(["end", "subgraph", "graph", "flowchart", "class", "classdef", "style", "click", "linkstyle", "direction", "default", "call", "href"]);

/** What a Mermaid label may hold once our own markup (`<br/>`, `<b>`, `</b>`) is removed: no quote, angle bracket, backquote or line break; `#` only in entity codes. */
function mermaidLabelProblem(label: string): string | undefined {
  const bare = label.replace(/<br\/>|<\/?b>/g, "");
  if (/["<>`\r\n]/.test(bare)) return `unescaped character in label ${JSON.stringify(label)}`;
  if (/#(?![A-Za-z]+;|\d+;)/.test(bare)) return `# outside an entity code in label ${JSON.stringify(label)}`;
  const opened = (label.match(/<b>/g) ?? []).length;
  const closed = (label.match(/<\/b>/g) ?? []).length;
  if (opened !== closed) return `unbalanced <b> in label ${JSON.stringify(label)}`;
  return undefined;
}

export interface MermaidFacts {
  problems: string[];
  nodes: number;
  subgraphs: number;
  edges: number;
  chars: number;
  /** Node and subgraph labels by id, entity codes and markup left as written. */
  labels: Map<string, string>;
  classes: Map<string, Set<string>>;
}

export function checkMermaid(text: string): MermaidFacts {
  const problems: string[] = [];
  const labels = new Map<string, string>();
  const classes = new Map<string, Set<string>>();
  const defined = new Set<string>();
  const edges: Array<[string, string]> = [];
  const classed: Array<[string, string]> = [];
  const stack: string[] = [];
  let nodes = 0;
  let subgraphs = 0;
  if (!text.endsWith("\n")) problems.push("no final line break");
  const lines = text.replace(/\n$/, "").split("\n");
  if (!/^flowchart (TD|TB|LR)$/.test(lines[0] ?? "")) problems.push(`first line ${JSON.stringify(lines[0])}`);
  const define = (id: string, label: string) => {
    if (defined.has(id)) problems.push(`${id} defined twice`);
    if (MERMAID_KEYWORDS.has(id.toLowerCase())) problems.push(`${id} is a Mermaid keyword`);
    defined.add(id);
    labels.set(id, label);
    const p = mermaidLabelProblem(label);
    if (p) problems.push(p);
  };
  for (const line of lines.slice(1)) {
    let m: RegExpExecArray | null;
    if ((m = /^ +subgraph ([A-Za-z][\w]*)\["([^"]*)"\]$/.exec(line))) {
      define(m[1]!, m[2]!);
      stack.push(m[1]!);
      subgraphs++;
    } else if (/^ +end$/.test(line)) {
      if (!stack.pop()) problems.push("`end` without a subgraph");
    } else if ((m = /^ +([A-Za-z][\w]*)\["([^"]*)"\]$/.exec(line))) {
      define(m[1]!, m[2]!);
      nodes++;
    } else if ((m = /^ +([A-Za-z][\w]*) (?:-->|==>|-\.->\|calls\||-\.->\|assumes\|) ([A-Za-z][\w]*)$/.exec(line))) {
      edges.push([m[1]!, m[2]!]);
    } else if ((m = /^ +classDef (\w+) ([\w#:, .-]+)$/.exec(line))) {
      classes.set(m[1]!, new Set());
    } else if ((m = /^ +class ([\w,]+) (\w+)$/.exec(line))) {
      for (const id of m[1]!.split(",")) classed.push([id, m[2]!]);
    } else problems.push(`not a statement: ${JSON.stringify(line.slice(0, 200))}`);
  }
  if (stack.length) problems.push(`${stack.length} subgraph(s) not closed`);
  for (const [a, b] of edges) for (const id of [a, b]) if (!defined.has(id)) problems.push(`edge to undefined ${id}`);
  for (const [id, cls] of classed) {
    if (!defined.has(id)) problems.push(`class on undefined ${id}`);
    const set = classes.get(cls);
    if (!set) problems.push(`class ${cls} used before classDef`);
    else set.add(id);
  }
  return { problems, nodes, subgraphs, edges: edges.length, chars: text.length, labels, classes };
}

/** Well-formedness of one HTML-like label body (between the outer `<` and `>`): balanced tags, known entities, nothing raw. */
function htmlLabelProblem(body: string): string | undefined {
  const stack: string[] = [];
  const re = /<(\/?)([a-zA-Z]+)((?:\s+[a-z]+="[^"<>]*")*)\s*(\/?)>|&(amp|lt|gt|quot|#\d+);|([<>&])/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(body))) {
    if (m[6]) return `raw ${m[6]} in ${JSON.stringify(body.slice(Math.max(0, m.index - 40), m.index + 40))}`;
    if (m[5]) continue;
    const [, close, tag, , selfClose] = m;
    if (selfClose) continue;
    if (close) {
      if (stack.pop() !== tag) return `</${tag}> closes nothing`;
    } else stack.push(tag!);
  }
  return stack.length ? `unclosed <${stack.join("><")}>` : undefined;
}

export interface DotFacts {
  problems: string[];
  nodes: number;
  clusters: number;
  edges: number;
  /** Node ids with the text of their rows (markup removed, entities decoded). */
  texts: Map<string, string>;
}

function decode(html: string): string {
  return html
    .replace(/<\/tr><tr>/g, "\n")
    .replace(/<br[^>]*>/g, "\n")
    .replace(/<[^>]+>/g, "")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&");
}

export function checkDot(text: string): DotFacts {
  const problems: string[] = [];
  const texts = new Map<string, string>();
  const clusterIds = new Set<string>();
  const edges: Array<{ from: string; to: string; attrs: string }> = [];
  let depth = 0;
  let clusters = 0;
  const lines = text.replace(/\n$/, "").split("\n");
  if (lines[0] !== "digraph credflow {") problems.push(`first line ${JSON.stringify(lines[0])}`);
  if (lines.at(-1) !== "}") problems.push("last line is not }");
  const labelOf = (rest: string): string | undefined => {
    const m = /label=<(<table .*<\/table>)>/.exec(rest);
    if (!m) return undefined;
    const p = htmlLabelProblem(m[1]!);
    if (p) problems.push(p);
    return m[1]!;
  };
  for (const line of lines.slice(1, -1)) {
    let m: RegExpExecArray | null;
    if (/^ {2}(graph|node|edge) \[[^\]]*\];$/.test(line)) continue;
    if ((m = /^ +subgraph cluster_(\w+) \{$/.exec(line))) {
      clusterIds.add(m[1]!);
      clusters++;
      depth++;
    } else if (/^ +\}$/.test(line)) {
      if (--depth < 0) problems.push("} without a subgraph");
    } else if ((m = /^ +label=(<.*>); (?:labelloc=t; )?labeljust=l;.*$/.exec(line))) {
      labelOf(line);
    } else if ((m = /^ +(\w+) \[label=<(.*)>, style="[a-z,]+", fillcolor="#[0-9a-f]{6}", color="#[0-9a-f]{6}"(?:, penwidth=2)?\];$/.exec(line))) {
      if (texts.has(m[1]!)) problems.push(`${m[1]} defined twice`);
      const label = labelOf(line);
      if (label === undefined) problems.push(`node ${m[1]} without a table label`);
      texts.set(m[1]!, decode(label ?? ""));
    } else if ((m = /^ +(\w+) -> (\w+)(?: \[(.*)\])?;$/.exec(line))) {
      edges.push({ from: m[1]!, to: m[2]!, attrs: m[3] ?? "" });
    } else problems.push(`not a statement: ${JSON.stringify(line.slice(0, 200))}`);
  }
  if (depth !== 0) problems.push(`${depth} subgraph(s) not closed`);
  for (const e of edges) {
    for (const id of [e.from, e.to]) if (!texts.has(id)) problems.push(`edge to undefined node ${id}`);
    for (const m of e.attrs.matchAll(/l(?:head|tail)=cluster_(\w+)/g)) if (!clusterIds.has(m[1]!)) problems.push(`edge to undefined cluster ${m[1]}`);
  }
  return { problems, nodes: texts.size, clusters, edges: edges.length, texts };
}
