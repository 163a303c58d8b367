/**
 * Order and depth helpers over one workflow's ECT DAG: topological order, depth of every
 * task, and tasks grouped by depth (the stages a chain bridge assigns).
 *
 * Spec: seed 000, 4.3 (the DAG formed by `par`); seed 002 (ATD) "Tasks in the ECT DAG MUST
 * execute in topological order". Depth of a root is 0; the depth of any other task is 1 + the
 * largest depth of its parents (its longest distance from a root). Parents outside the given
 * set are ignored (treated as already done). Iterative, not recursive.
 *
 * These helpers take ONE workflow's ECTs, so each `jti` may appear once (`EctDuplicateJtiError`
 * otherwise); a cycle throws `EctCycleError`. Validate with `validateEctDag` first to get every
 * violation as data instead.
 */
import type { EctDagNode } from "./claims.js";
import { EctCycleError, EctDuplicateJtiError } from "./errors.js";
import { cyclicComponents, EdgeList, kahn, toCsr, type Csr } from "./dag-graph.js";

type OrderNode = Pick<EctDagNode, "jti" | "par">;

function build(nodes: readonly OrderNode[]): { g: Csr; order: number[] } {
  const byJti = new Map<string, number>();
  for (let i = 0; i < nodes.length; i++) {
    const jti = nodes[i]!.jti;
    if (byJti.has(jti)) throw new EctDuplicateJtiError({ claim: "jti", details: `jti "${jti}" appears more than once (at ${byJti.get(jti)} and ${i})` });
    byJti.set(jti, i);
  }
  const edges = new EdgeList(nodes.length * 2);
  const selfLoop = new Uint8Array(nodes.length);
  for (let i = 0; i < nodes.length; i++) {
    for (const p of nodes[i]!.par) {
      const j = byJti.get(p);
      if (j === undefined) continue;
      edges.push(j, i);
      if (j === i) selfLoop[i] = 1;
    }
  }
  const g = toCsr(nodes.length, edges);
  const order = kahn(g);
  if (order.length < nodes.length) {
    const remaining = new Uint8Array(nodes.length).fill(1);
    for (const v of order) remaining[v] = 0;
    const comps = cyclicComponents(g, remaining, selfLoop);
    const first = comps[0] ?? [];
    throw new EctCycleError({ claim: "par", details: `parent chains cycle through ${first.map((k) => `"${nodes[k]!.jti}"`).join(" → ")}` });
  }
  return { g, order };
}

/** The ECTs in topological order: every parent before its children; ties keep input order. */
export function topologicalOrder<T extends OrderNode>(nodes: readonly T[]): T[] {
  return build(nodes).order.map((i) => nodes[i]!);
}

/** jti → depth (0 for roots, 1 + max parent depth otherwise). */
export function dagDepths(nodes: readonly OrderNode[]): Map<string, number> {
  const { g, order } = build(nodes);
  const depth = new Int32Array(nodes.length);
  for (const v of order) {
    const d = depth[v]! + 1;
    for (let e = g.start[v]!; e < g.start[v + 1]!; e++) {
      const w = g.adj[e]!;
      if (depth[w]! < d) depth[w] = d;
    }
  }
  const out = new Map<string, number>();
  for (let i = 0; i < nodes.length; i++) out.set(nodes[i]!.jti, depth[i]!);
  return out;
}

/** The ECTs grouped by depth: `levels[d]` holds the tasks of depth `d`, in input order. */
export function dagLevels<T extends OrderNode>(nodes: readonly T[]): T[][] {
  const depths = dagDepths(nodes);
  const levels: T[][] = [];
  for (const n of nodes) {
    const d = depths.get(n.jti)!;
    (levels[d] ??= []).push(n);
  }
  for (let d = 0; d < levels.length; d++) levels[d] ??= [];
  return levels;
}
