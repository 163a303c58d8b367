/** A small, renderer-neutral graph: what `toMermaid`, `toDot` and `renderGraphSvg` draw. */
export type GraphNode = {
  id: string;
  label: string;
  /** Cluster (e.g. the stage) the node is drawn in. */
  group?: string | undefined;
  /** Drawing hints: a gate is a diamond, an irreversible node has a double border, a failed one is red. */
  shape?: "box" | "diamond" | "double" | undefined;
  status?: "ok" | "failed" | "pending" | undefined;
};
export type GraphEdge = { from: string; to: string; label?: string | undefined };
export type Graph = { title: string; nodes: GraphNode[]; edges: GraphEdge[]; groups?: { id: string; label: string }[] | undefined };
