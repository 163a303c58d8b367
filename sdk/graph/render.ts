/**
 * Graph renderings: Mermaid text (for READMEs and GitHub), Graphviz DOT, and SVG rendered offline with Graphviz
 * compiled to WebAssembly (@hpcc-js/wasm-graphviz: no native binary, no network).
 */
import { AgentExecError } from "../errors.js";
import type { Graph, GraphNode } from "./types.js";

const mermaidId = (id: string, index: Map<string, string>) => index.get(id)!;
const mermaidText = (s: string) => s.replace(/"/g, "#quot;").replace(/[\r\n]+/g, " ");
const dotText = (s: string) => s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/[\r\n]+/g, " ");

function ids(graph: Graph): Map<string, string> {
  const m = new Map<string, string>();
  graph.nodes.forEach((n, i) => m.set(n.id, `n${i}`));
  for (const e of graph.edges) {
    if (!m.has(e.from) || !m.has(e.to)) throw new AgentExecError("GRAPH_UNKNOWN_NODE", "An edge names a node the graph does not have.", { details: `${e.from} -> ${e.to}` });
  }
  return m;
}

function mermaidNode(n: GraphNode, id: string): string {
  const t = mermaidText(n.label);
  if (n.shape === "diamond") return `${id}{"${t}"}`;
  if (n.shape === "double") return `${id}[["${t}"]]`;
  return `${id}["${t}"]`;
}

/** Mermaid flowchart text (top-down), with one subgraph per group. */
export function toMermaid(graph: Graph): string {
  const index = ids(graph);
  const lines = ["flowchart TD", `  %% ${mermaidText(graph.title)}`];
  const grouped = new Map<string | undefined, GraphNode[]>();
  for (const n of graph.nodes) (grouped.get(n.group) ?? grouped.set(n.group, []).get(n.group)!).push(n);
  const groupLabel = new Map((graph.groups ?? []).map((g) => [g.id, g.label]));
  let gi = 0;
  for (const [group, nodes] of grouped) {
    if (group !== undefined) lines.push(`  subgraph g${gi++}["${mermaidText(groupLabel.get(group) ?? group)}"]`);
    for (const n of nodes) lines.push(`${group !== undefined ? "    " : "  "}${mermaidNode(n, mermaidId(n.id, index))}`);
    if (group !== undefined) lines.push("  end");
  }
  for (const e of graph.edges) lines.push(`  ${index.get(e.from)} -->${e.label ? `|${mermaidText(e.label)}|` : ""} ${index.get(e.to)}`);
  const failed = graph.nodes.filter((n) => n.status === "failed").map((n) => index.get(n.id));
  const ok = graph.nodes.filter((n) => n.status === "ok").map((n) => index.get(n.id));
  if (failed.length) lines.push("  classDef failed fill:#fdd,stroke:#c00", `  class ${failed.join(",")} failed`);
  if (ok.length) lines.push("  classDef ok fill:#dfd,stroke:#080", `  class ${ok.join(",")} ok`);
  return lines.join("\n") + "\n";
}

/** Graphviz DOT text, one cluster per group. */
export function toDot(graph: Graph): string {
  const index = ids(graph);
  const lines = [`digraph "${dotText(graph.title)}" {`, "  rankdir=TB;", '  node [fontname="Helvetica", fontsize=11, shape=box, style="rounded,filled", fillcolor="#ffffff"];', `  label="${dotText(graph.title)}"; labelloc=t;`];
  const node = (n: GraphNode) => {
    const attrs = [`label="${dotText(n.label)}"`];
    if (n.shape === "diamond") attrs.push("shape=diamond");
    if (n.shape === "double") attrs.push("peripheries=2");
    if (n.status === "failed") attrs.push('fillcolor="#ffdddd"', 'color="#cc0000"');
    if (n.status === "ok") attrs.push('fillcolor="#ddffdd"', 'color="#008800"');
    return `${index.get(n.id)} [${attrs.join(", ")}];`;
  };
  const groupLabel = new Map((graph.groups ?? []).map((g) => [g.id, g.label]));
  const grouped = new Map<string | undefined, GraphNode[]>();
  for (const n of graph.nodes) (grouped.get(n.group) ?? grouped.set(n.group, []).get(n.group)!).push(n);
  let gi = 0;
  for (const [group, nodes] of grouped) {
    if (group === undefined) nodes.forEach((n) => lines.push(`  ${node(n)}`));
    else {
      lines.push(`  subgraph cluster_${gi++} {`, `    label="${dotText(groupLabel.get(group) ?? group)}"; style=dashed;`);
      nodes.forEach((n) => lines.push(`    ${node(n)}`));
      lines.push("  }");
    }
  }
  for (const e of graph.edges) lines.push(`  ${index.get(e.from)} -> ${index.get(e.to)}${e.label ? ` [label="${dotText(e.label)}"]` : ""};`);
  lines.push("}");
  return lines.join("\n") + "\n";
}

let graphviz: Promise<{ dot(src: string): string }> | undefined;

/** SVG of the graph, rendered by Graphviz (WebAssembly, offline). */
export async function renderGraphSvg(graph: Graph): Promise<string> {
  const dot = toDot(graph);
  graphviz ??= import("@hpcc-js/wasm-graphviz").then((m) => m.Graphviz.load());
  try {
    return (await graphviz).dot(dot);
  } catch (cause) {
    throw new AgentExecError("GRAPH_RENDER_FAILED", "Graphviz could not render the graph.", { cause, details: String((cause as Error)?.message ?? cause) });
  }
}
