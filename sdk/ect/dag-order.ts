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
 * otherwise); a cycle throws `EctCycleError`; an input that is not an array of `{ jti, par }`
 * (non-empty string jti, array of string parents) throws `EctInvalidClaimError` naming the
 * position. Each node is read once. Validate with `validateEctDag` first to get every violation
 * as data instead.
 */
import { quote, type EctDagNode } from "./claims.js";
import { EctCycleError, EctDuplicateJtiError, EctInvalidClaimError } from "./errors.js";
import { cyclicComponents, EdgeList, kahn, toCsr, type Csr } from "./dag-graph.js";

type OrderNode = Pick<EctDagNode, "jti" | "par">;

/** Reads `{ jti, par }` of every node once, or throws `EctInvalidClaimError`. */
function read(nodes: unknown): { jti: string; par: string[] }[] {
  if (!Array.isArray(nodes)) throw new EctInvalidClaimError(13, { details: `expected an array of ECT claims, got ${nodes === null ? "null" : typeof nodes}` });
  const out: { jti: string; par: string[] }[] = new Array(nodes.length);
  for (let i = 0; i < nodes.length; i++) {
    let jti: unknown;
    let par: unknown;
    let copy: string[] | undefined;
    try {
      const n: unknown = nodes[i];
      if (typeof n === "object" && n !== null) {
        jti = (n as OrderNode).jti;
        par = (n as OrderNode).par;
        if (Array.isArray(par)) {
          copy = [];
          for (let k = 0; k < par.length; k++) {
            const p: unknown = par[k];
            if (typeof p !== "string") {
              copy = undefined;
              break;
            }
            copy.push(p);
          }
        }
      }
    } catch (cause) {
      throw new EctInvalidClaimError(13, { details: `nodes[${i}] cannot be read`, cause });
    }
    if (typeof jti !== "string" || jti.length === 0) throw new EctInvalidClaimError(13, { claim: "jti", details: `nodes[${i}].jti must be a non-empty string` });
    if (!copy) throw new EctInvalidClaimError(13, { claim: "par", details: `nodes[${i}].par must be an array of jti strings` });
    out[i] = { jti, par: copy };
  }
  return out;
}

function build(input: readonly OrderNode[]): { g: Csr; order: number[]; nodes: { jti: string; par: string[] }[] } {
  const nodes = read(input);
  const byJti = new Map<string, number>();
  for (let i = 0; i < nodes.length; i++) {
    const jti = nodes[i]!.jti;
    if (byJti.has(jti)) throw new EctDuplicateJtiError({ claim: "jti", details: `jti ${quote(jti)} appears more than once (at ${byJti.get(jti)} and ${i})` });
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
    throw new EctCycleError({
      claim: "par",
      details: `parent chains cycle through ${first
        .slice(0, 10)
        .map((k) => quote(nodes[k]!.jti))
        .join(" → ")}${first.length > 10 ? ` → … (${first.length} ECTs)` : ""}`,
    });
  }
  return { g, order, nodes };
}

/** The ECTs in topological order: every parent before its children; ties keep input order. */
export function topologicalOrder<T extends OrderNode>(nodes: readonly T[]): T[] {
  return build(nodes).order.map((i) => nodes[i]!);
}

/** Longest distance from a root of every node, in topological `order`. */
function depthsOf(g: Csr, order: readonly number[]): Int32Array {
  const depth = new Int32Array(g.n);
  for (const v of order) {
    const d = depth[v]! + 1;
    for (let e = g.start[v]!; e < g.start[v + 1]!; e++) {
      const w = g.adj[e]!;
      if (depth[w]! < d) depth[w] = d;
    }
  }
  return depth;
}

/** jti → depth (0 for roots, 1 + max parent depth otherwise). */
export function dagDepths(input: readonly OrderNode[]): Map<string, number> {
  const { g, order, nodes } = build(input);
  const depth = depthsOf(g, order);
  const out = new Map<string, number>();
  for (let i = 0; i < nodes.length; i++) out.set(nodes[i]!.jti, depth[i]!);
  return out;
}

/** The ECTs grouped by depth: `levels[d]` holds the tasks of depth `d`, in input order. */
export function dagLevels<T extends OrderNode>(nodes: readonly T[]): T[][] {
  const { g, order } = build(nodes);
  const depth = depthsOf(g, order);
  const levels: T[][] = [];
  for (let i = 0; i < nodes.length; i++) (levels[depth[i]!] ??= []).push(nodes[i]!);
  for (let d = 0; d < levels.length; d++) levels[d] ??= [];
  return levels;
}
