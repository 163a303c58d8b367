/**
 * Graph machinery behind the DAG checks and helpers: a `jti` index, compressed adjacency,
 * Kahn's topological sort and iterative Tarjan strongly-connected components. No recursion
 * anywhere, so a 10,000-deep chain cannot overflow the stack.
 *
 * Spec: seed 000, 4.3 (rule 4 "Acyclicity", and the DAG the `par` claims form). Internal
 * module: the public API is in dag.ts and dag-order.ts.
 */
import { AMBIGUOUS, NOT_FOUND, pickParent, visibleFrom, type Scoped } from "./dag-scope.js";

/** jti → node index, with the (rare) duplicate jtis listed separately. */
export type JtiIndex = {
  first: Map<string, number>;
  /** jti → every index carrying it, only for jtis that occur more than once. */
  dups: Map<string, number[]> | undefined;
};

export function indexJtis(nodes: readonly Scoped[], skip?: Uint8Array): JtiIndex {
  const first = new Map<string, number>();
  let dups: Map<string, number[]> | undefined;
  for (let i = 0; i < nodes.length; i++) {
    if (skip && skip[i]) continue;
    const jti = nodes[i]!.jti;
    const f = first.get(jti);
    if (f === undefined) first.set(jti, i);
    else {
      dups ??= new Map();
      const list = dups.get(jti);
      if (list) list.push(i);
      else dups.set(jti, [f, i]);
    }
  }
  return { first, dups };
}

/** Resolves a parent reference of a child in scope `wid` to a node index, `NOT_FOUND` or `AMBIGUOUS`. */
export function resolveInIndex(index: JtiIndex, nodes: readonly Scoped[], jti: string, wid: string | undefined): number {
  const list = index.dups?.get(jti);
  if (list) {
    const k = pickParent(
      list.map((i) => nodes[i]!),
      wid,
    );
    return k >= 0 ? list[k]! : k;
  }
  const i = index.first.get(jti);
  if (i === undefined) return NOT_FOUND;
  return visibleFrom(nodes[i]!, wid) ? i : NOT_FOUND;
}
export { AMBIGUOUS, NOT_FOUND };

/** Growable edge list (parent → child). */
export class EdgeList {
  from: Int32Array;
  to: Int32Array;
  size = 0;
  constructor(capacity = 16) {
    this.from = new Int32Array(Math.max(16, capacity));
    this.to = new Int32Array(Math.max(16, capacity));
  }
  push(parent: number, child: number): void {
    if (this.size === this.from.length) {
      const f = new Int32Array(this.size * 2);
      f.set(this.from);
      this.from = f;
      const t = new Int32Array(this.size * 2);
      t.set(this.to);
      this.to = t;
    }
    this.from[this.size] = parent;
    this.to[this.size] = child;
    this.size++;
  }
}

/** Compressed adjacency (parent → children) plus in-degrees. */
export type Csr = { n: number; start: Int32Array; adj: Int32Array; indeg: Int32Array };

export function toCsr(n: number, edges: EdgeList): Csr {
  const start = new Int32Array(n + 1);
  const indeg = new Int32Array(n);
  for (let e = 0; e < edges.size; e++) {
    start[edges.from[e]! + 1]!++;
    indeg[edges.to[e]!]!++;
  }
  for (let i = 0; i < n; i++) start[i + 1]! += start[i]!;
  const fill = start.slice(0, n);
  const adj = new Int32Array(edges.size);
  for (let e = 0; e < edges.size; e++) adj[fill[edges.from[e]!]!++] = edges.to[e]!;
  return { n, start, adj, indeg };
}

/**
 * Kahn's algorithm, parents before children, ties broken by input order (stable).
 * Returns the order; it is shorter than `n` exactly when the graph has a cycle.
 * `include` limits the sort to some nodes (others are ignored, edges to/from them too).
 */
export function kahn(g: Csr, include?: Uint8Array): number[] {
  const indeg = g.indeg.slice();
  if (include) {
    // Remove edges from excluded parents.
    for (let v = 0; v < g.n; v++) {
      if (include[v]) continue;
      for (let e = g.start[v]!; e < g.start[v + 1]!; e++) indeg[g.adj[e]!]!--;
    }
  }
  // A FIFO over a preallocated array keeps the order stable and allocation-free.
  const queue = new Int32Array(g.n);
  let head = 0;
  let tail = 0;
  for (let v = 0; v < g.n; v++) if ((!include || include[v]) && indeg[v] === 0) queue[tail++] = v;
  const order: number[] = [];
  while (head < tail) {
    const v = queue[head++]!;
    order.push(v);
    for (let e = g.start[v]!; e < g.start[v + 1]!; e++) {
      const w = g.adj[e]!;
      if (include && !include[w]) continue;
      if (--indeg[w]! === 0) queue[tail++] = w;
    }
  }
  return order;
}

/**
 * Strongly connected components that contain a cycle (size > 1, or a self-loop), restricted to
 * `among` nodes. Iterative Tarjan. Components are sorted by their smallest index, members ascending.
 */
export function cyclicComponents(g: Csr, among: Uint8Array, selfLoop: Uint8Array): number[][] {
  const n = g.n;
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const ptr = new Int32Array(n);
  const stack: number[] = [];
  const work: number[] = [];
  const out: number[][] = [];
  let counter = 0;
  for (let s = 0; s < n; s++) {
    if (!among[s] || index[s] !== -1) continue;
    index[s] = low[s] = counter++;
    ptr[s] = g.start[s]!;
    stack.push(s);
    onStack[s] = 1;
    work.push(s);
    while (work.length > 0) {
      const v = work[work.length - 1]!;
      if (ptr[v]! < g.start[v + 1]!) {
        const w = g.adj[ptr[v]!++]!;
        if (!among[w]) continue;
        if (index[w] === -1) {
          index[w] = low[w] = counter++;
          ptr[w] = g.start[w]!;
          stack.push(w);
          onStack[w] = 1;
          work.push(w);
        } else if (onStack[w]) {
          if (index[w]! < low[v]!) low[v] = index[w]!;
        }
      } else {
        work.pop();
        if (work.length > 0) {
          const u = work[work.length - 1]!;
          if (low[v]! < low[u]!) low[u] = low[v]!;
        }
        if (low[v] === index[v]) {
          const comp: number[] = [];
          let w: number;
          do {
            w = stack.pop()!;
            onStack[w] = 0;
            comp.push(w);
          } while (w !== v);
          if (comp.length > 1 || selfLoop[v]) out.push(comp.sort((a, b) => a - b));
        }
      }
    }
  }
  return out.sort((a, b) => a[0]! - b[0]!);
}
