/** Graphs of a workflow document (its ATD nodes clustered by stage) and of a task's ECT DAG (clustered by stage). */
import { mapEctDagToStages, readEctClaims } from "../bridge/mapEctDagToStages.js";
import type { Hex } from "viem";
import type { WorkflowDocument } from "../workflow/types.js";
import type { Graph } from "./types.js";

/** The workflow's task graph: one cluster per stage, named with its resolution, gating and verifier kind. */
export function workflowGraph(doc: WorkflowDocument): Graph {
  const stageOf = new Map<string, number>();
  doc.stages.forEach((s, i) => s.nodes.forEach((n) => stageOf.set(n, i)));
  return {
    title: `${doc.name ?? doc.id} v${doc.version}`,
    groups: doc.stages.map((s, i) => ({
      id: String(i),
      label: `stage ${i} · ${s.name} · ${s.resolution}${s.gating ? " · gating" : ""} · ${s.input} · ${s.verifier.kind}`,
    })),
    nodes: doc.graph.nodes.map((n) => {
      const stage = stageOf.get(n.id);
      const gating = stage !== undefined && doc.stages[stage]!.gating === true;
      return {
        id: n.id,
        label: n.label ?? n.id,
        group: stage === undefined ? undefined : String(stage),
        shape: gating ? "diamond" : n.reversible === false ? "double" : "box",
      };
    }),
    edges: doc.graph.edges.map((e) => ({ from: e.from, to: e.to })),
  };
}

/** A task's ECT DAG: one node per ECT (its `exec_act` and `jti`), edges from `par`, clustered by stage. */
export function ectGraph(parameters: { ects: readonly string[]; taskId: Hex; title?: string | undefined; failedJtis?: readonly string[] | undefined }): Graph {
  const stages = mapEctDagToStages({ ects: parameters.ects, taskId: parameters.taskId });
  const failed = new Set(parameters.failedJtis ?? []);
  const nodes: Graph["nodes"] = [];
  const edges: Graph["edges"] = [];
  for (const s of stages)
    for (const ect of s.ects) {
      const c = readEctClaims(ect);
      nodes.push({ id: c.jti, label: `${String((c as { exec_act?: unknown }).exec_act ?? "?")}\n${c.jti}`, group: String(s.stage), status: failed.has(c.jti) ? "failed" : "ok" });
      for (const p of c.par ?? []) edges.push({ from: p, to: c.jti });
    }
  return { title: parameters.title ?? `task ${parameters.taskId.slice(0, 10)}…`, groups: stages.map((s) => ({ id: String(s.stage), label: `stage ${s.stage}` })), nodes, edges };
}
