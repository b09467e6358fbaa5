/**
 * A drawing (render-draw.ts) as Graphviz DOT or Mermaid flowchart text. Every name from the
 * repository goes through one escaping function per language, so a label can never end early or
 * inject a statement: DOT labels are HTML-like labels (XML-escaped, control characters replaced),
 * Mermaid labels are quoted strings with entity codes for `#`, `"`, `<`, `>`, `&` and backquotes.
 */
import type { DrawCluster, DrawEdge, DrawItem, Drawing, Row, Tone } from "./render-draw.js";

/** Mermaid's default limits (mermaid.js.org/config/schema-docs/config.html): past them it draws an error instead. */
export const MERMAID_LIMITS = { maxTextSize: 50_000, maxEdges: 500 } as const;

export interface Written {
  text: string;
  edges: number;
}

/** Fill and border per tone; rows use the fill, nodes and clusters the border too. */
const COLORS: Record<Tone, { fill?: string; border?: string; font?: string; dashed?: boolean }> = {
  plain: {},
  title: {},
  job: { fill: "#ffffff", border: "#374151" },
  workflow: { fill: "#f9fafb", border: "#6b7280" },
  configure: { fill: "#dbeafe", border: "#1d4ed8" },
  composite: { fill: "#f0fdf4", border: "#15803d" },
  remote: { fill: "#f5f3ff", border: "#6d28d9" },
  stale: { fill: "#fef3c7", border: "#b45309" },
  unresolved: { fill: "#fee2e2", border: "#b91c1c", dashed: true },
  skipped: { fill: "#f3f4f6", border: "#9ca3af", font: "#6b7280", dashed: true },
  called: { fill: "#f8fafc", border: "#64748b", dashed: true },
  role: { fill: "#ecfeff", border: "#0e7490" },
};

/** Characters XML does not allow (the HTML-like label parser is an XML parser): C0 controls but tab and line breaks, U+FFFE/FFFF, lone surrogates. */
// eslint-disable-next-line no-control-regex
const XML_INVALID = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function xml(text: string): string {
  return text
    .replace(XML_INVALID, "\ufffd")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/\t/g, " ")
    .replace(/\r\n|\r|\n/g, '<br align="left"/>');
}

function dotCell(row: Row): string {
  const c = row.tone ? COLORS[row.tone] : {};
  let text = xml(row.text);
  if (row.bold) text = `<b>${text}</b>`;
  if (c.font) text = `<font color="${c.font}">${text}</font>`;
  const bg = row.tone && row.tone !== "title" && c.fill ? ` bgcolor="${c.fill}"` : "";
  return `<tr><td align="left" balign="left"${bg}>${text}</td></tr>`;
}

function dotLabel(rows: Row[]): string {
  return `<<table border="0" cellborder="0" cellspacing="0" cellpadding="2">${rows.map(dotCell).join("")}</table>>`;
}

/** A box's style: its tone's fill, or white when its rows carry their own colours (the tone then only draws the border). */
function dotStyle(tone: Tone, rows: Row[]): string {
  const c = COLORS[tone];
  const style = ["rounded", "filled", ...(c.dashed ? ["dashed"] : [])].join(",");
  const rowsColoured = rows.some((r) => r.tone && r.tone !== "title" && COLORS[r.tone].fill);
  const fill = rowsColoured && tone !== "workflow" && tone !== "called" ? "#ffffff" : (c.fill ?? "#ffffff");
  const pen = tone === "stale" || tone === "unresolved" ? ", penwidth=2" : "";
  return `style="${style}", fillcolor="${fill}", color="${c.border ?? "#374151"}"${pen}`;
}

/** The first and last node inside a cluster, for DOT edges that start or end at a cluster. */
function ends(items: DrawItem[]): { first?: string; last?: string } {
  let first: string | undefined;
  let last: string | undefined;
  const walk = (list: DrawItem[]): void => {
    for (const it of list) {
      if (it.kind === "node") {
        first ??= it.id;
        last = it.id;
      } else walk(it.items);
    }
  };
  walk(items);
  return { first, last };
}

export function writeDot(d: Drawing): Written {
  const lines: string[] = ["digraph credflow {"];
  const pack = d.pack === "grid" ? 'pack=true, packmode="array_ut"' : "pack=true";
  lines.push(`  graph [rankdir=${d.direction}, compound=true, ${pack}, fontname="Helvetica", fontsize=11, nodesep=0.25, ranksep=0.35];`);
  lines.push('  node [shape=box, style="rounded,filled", fillcolor="#ffffff", fontname="Helvetica", fontsize=10, margin="0.06,0.03"];');
  lines.push('  edge [color="#6b7280", arrowsize=0.6];');
  const clusters = new Map<string, DrawCluster>();
  const emit = (items: DrawItem[], indent: string): void => {
    for (const it of items) {
      if (it.kind === "node") {
        lines.push(`${indent}${it.id} [label=${dotLabel(it.rows)}, ${dotStyle(it.tone, it.rows)}];`);
        continue;
      }
      clusters.set(it.id, it);
      lines.push(`${indent}subgraph cluster_${it.id} {`);
      lines.push(`${indent}  label=${dotLabel(it.title)}; labeljust=l; ${dotStyle(it.tone, it.title).replace(/, /g, "; ")};`);
      emit(it.items, `${indent}  `);
      lines.push(`${indent}}`);
    }
  };
  const lone = d.items.length === 1 && d.items[0]!.kind === "cluster" ? d.items[0] : undefined;
  if (lone) {
    // Packing works on the graph's own parts: the lone cluster's title becomes the picture's.
    lines.push(`  label=${dotLabel(lone.title)}; labelloc=t; labeljust=l;`);
    emit(lone.items, "  ");
  } else emit(d.items, "  ");
  const endsOf = new Map<string, { first?: string; last?: string }>();
  const clusterEnds = (c: DrawCluster) => {
    let e = endsOf.get(c.id);
    if (!e) endsOf.set(c.id, (e = ends(c.items)));
    return e;
  };
  let edges = 0;
  for (const e of d.edges) {
    const attrs: string[] = [];
    let from = e.from;
    let to = e.to;
    const fromCluster = clusters.get(e.from);
    const toCluster = clusters.get(e.to);
    if (fromCluster) {
      const last = clusterEnds(fromCluster).last;
      if (!last) continue;
      from = last;
      attrs.push(`ltail=cluster_${fromCluster.id}`);
    }
    if (toCluster) {
      const first = clusterEnds(toCluster).first;
      if (!first) continue;
      to = first;
      attrs.push(`lhead=cluster_${toCluster.id}`);
    }
    if (e.kind === "needs") attrs.push('color="#1d4ed8"', "penwidth=1.6");
    if (e.kind === "calls") attrs.push('style=dashed', 'color="#475569"', 'label="calls"', "fontname=Helvetica", "fontsize=9");
    if (e.kind === "assumes") attrs.push("style=dotted", 'color="#0e7490"', 'label="assumes"', "fontname=Helvetica", "fontsize=9");
    lines.push(`  ${from} -> ${to}${attrs.length ? ` [${attrs.join(", ")}]` : ""};`);
    edges++;
  }
  lines.push("}");
  return { text: `${lines.join("\n")}\n`, edges };
}

/** Mermaid label text: entity codes for what would end or reinterpret a quoted label; line breaks as <br/>. */
function mermaidText(text: string): string {
  return text
    .replace(/#/g, "#35;")
    .replace(/&/g, "#amp;")
    .replace(/"/g, "#quot;")
    .replace(/</g, "#lt;")
    .replace(/>/g, "#gt;")
    .replace(/`/g, "#96;")
    .replace(/\r\n|\r|\n/g, "<br/>");
}

function mermaidLabel(rows: Row[]): string {
  return rows.map((r) => (r.bold ? `<b>${mermaidText(r.text)}</b>` : mermaidText(r.text))).join("<br/>");
}

const MERMAID_CLASS: Partial<Record<Tone, string>> = {
  configure: "fill:#dbeafe,stroke:#1d4ed8,color:#111827",
  composite: "fill:#f0fdf4,stroke:#15803d,color:#111827",
  remote: "fill:#f5f3ff,stroke:#6d28d9,color:#111827",
  stale: "fill:#fef3c7,stroke:#b45309,color:#111827",
  unresolved: "fill:#fee2e2,stroke:#b91c1c,stroke-dasharray:4 3,color:#111827",
  skipped: "fill:#f3f4f6,stroke:#9ca3af,stroke-dasharray:2 2,color:#6b7280",
  called: "fill:#f8fafc,stroke:#64748b,stroke-dasharray:4 3",
  role: "fill:#ecfeff,stroke:#0e7490,color:#111827",
};

export function writeMermaid(d: Drawing): Written {
  // Mermaid spells top-to-bottom TD (TB is a synonym).
  const lines: string[] = [`flowchart ${d.direction === "TB" ? "TD" : "LR"}`];
  const classed = new Map<string, string[]>();
  const tone = (id: string, t: Tone) => {
    if (!MERMAID_CLASS[t]) return;
    const list = classed.get(t) ?? [];
    list.push(id);
    classed.set(t, list);
  };
  const emit = (items: DrawItem[], indent: string): void => {
    for (const it of items) {
      if (it.kind === "node") {
        lines.push(`${indent}${it.id}["${mermaidLabel(it.rows)}"]`);
        tone(it.id, it.tone);
        continue;
      }
      lines.push(`${indent}subgraph ${it.id}["${mermaidLabel(it.title)}"]`);
      emit(it.items, `${indent}  `);
      lines.push(`${indent}end`);
      tone(it.id, it.tone);
    }
  };
  emit(d.items, "  ");
  const arrow: Record<DrawEdge["kind"], string> = { order: "-->", needs: "==>", calls: "-.->|calls|", assumes: "-.->|assumes|" };
  for (const e of d.edges) lines.push(`  ${e.from} ${arrow[e.kind]} ${e.to}`);
  for (const [t, ids] of classed) {
    lines.push(`  classDef ${t} ${MERMAID_CLASS[t as Tone]}`);
    lines.push(`  class ${ids.join(",")} ${t}`);
  }
  return { text: `${lines.join("\n")}\n`, edges: d.edges.length };
}

/** Why a Mermaid text would not render with Mermaid's defaults, or undefined when it would. */
export function mermaidOverLimits(w: Written): string | undefined {
  const over: string[] = [];
  if (w.text.length > MERMAID_LIMITS.maxTextSize) over.push(`${w.text.length.toLocaleString("en-US")} characters (maxTextSize ${MERMAID_LIMITS.maxTextSize.toLocaleString("en-US")})`);
  if (w.edges > MERMAID_LIMITS.maxEdges) over.push(`${w.edges.toLocaleString("en-US")} edges (maxEdges ${MERMAID_LIMITS.maxEdges})`);
  return over.length ? over.join(" and ") : undefined;
}
