// Public surface of sdk/graph: workflow and ECT DAG graphs as Mermaid, DOT and offline-rendered SVG.
export type { Graph, GraphNode, GraphEdge } from "./types.js";
export { toMermaid, toDot, renderGraphSvg } from "./render.js";
export { workflowGraph, ectGraph } from "./fromWorkflow.js";
