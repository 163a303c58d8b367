/**
 * An index over validated ATD ECTs: by jti, forward (children) and backward
 * (par) edges, and the bounded, iterative walks the rollback rules need.
 *
 * Spec: draft-atd-agent-task-dag-01
 * - §Introduction: the ECT DAG is the execution graph (edges = `par`).
 * - §Hierarchical Checkpoints: a parent checkpoint's `par` lists its child
 *   checkpoints; rolling back the parent rolls back all children.
 * - §Partial Rollback: "walking the DAG forward from the checkpoint"; blast
 *   radius = agents holding checkpoints that descend from the failed node.
 * - ECT paper §4.3: ancestor traversal bounded at 10,000 nodes; walks here
 *   use the same bound (configurable) and report truncation.
 */
import type { AtdValidatedEct } from "./validateAtdEct.js";
import { AtdInvalidOptionError, describe } from "./errors.js";

export const ATD_DEFAULT_TRAVERSAL_LIMIT = 10_000;

/** Result of a bounded walk: jtis in visit order (breadth first), and whether the limit cut it short. */
export type AtdWalk = { jtis: string[]; truncated: boolean };

export class AtdEctIndex {
  readonly #byJti = new Map<string, AtdValidatedEct>();
  readonly #children = new Map<string, string[]>();
  readonly #order: string[] = [];
  readonly traversalLimit: number;

  /** Throws `AtdInvalidOptionError` when `traversalLimit` is not a positive integer (NaN would disable the bound). */
  constructor(options: { traversalLimit?: number | undefined } = {}) {
    const t: unknown = (options as { traversalLimit?: unknown } | null | undefined)?.traversalLimit;
    if (t !== undefined && !(typeof t === "number" && Number.isSafeInteger(t) && t >= 1))
      throw new AtdInvalidOptionError({ path: "traversalLimit", details: `traversalLimit must be a positive integer, got ${describe(t)}` });
    this.traversalLimit = (t as number | undefined) ?? ATD_DEFAULT_TRAVERSAL_LIMIT;
  }

  /** Adds an ECT; returns false (and changes nothing) when its jti is already indexed. */
  add(ect: AtdValidatedEct): boolean {
    if (this.#byJti.has(ect.jti)) return false;
    this.#byJti.set(ect.jti, ect);
    this.#order.push(ect.jti);
    for (const p of ect.par) {
      const list = this.#children.get(p);
      if (list) list.push(ect.jti);
      else this.#children.set(p, [ect.jti]);
    }
    return true;
  }

  get(jti: string): AtdValidatedEct | undefined {
    return this.#byJti.get(jti);
  }

  has(jti: string): boolean {
    return this.#byJti.has(jti);
  }

  get size(): number {
    return this.#byJti.size;
  }

  /** All ECTs in insertion order. */
  *values(): IterableIterator<AtdValidatedEct> {
    for (const j of this.#order) yield this.#byJti.get(j)!;
  }

  /** jtis of the ECTs that list `jti` in their par (known or not yet known parents alike). */
  children(jti: string): readonly string[] {
    return this.#children.get(jti) ?? [];
  }

  /** Known ECTs among `jti`'s par. */
  parents(jti: string): AtdValidatedEct[] {
    const e = this.#byJti.get(jti);
    if (!e) return [];
    const out: AtdValidatedEct[] = [];
    for (const p of e.par) {
      const pe = this.#byJti.get(p);
      if (pe) out.push(pe);
    }
    return out;
  }

  #walk(starts: readonly string[], next: (jti: string) => readonly string[], limit: number): AtdWalk {
    const seen = new Set<string>(starts);
    const queue: string[] = [];
    for (const s of starts) for (const n of next(s)) if (!seen.has(n) && this.#byJti.has(n)) (seen.add(n), queue.push(n));
    const out: string[] = [];
    for (let h = 0; h < queue.length; h++) {
      if (out.length >= limit) return { jtis: out, truncated: true };
      const v = queue[h]!;
      out.push(v);
      for (const n of next(v)) if (!seen.has(n) && this.#byJti.has(n)) (seen.add(n), queue.push(n));
    }
    return { jtis: out, truncated: false };
  }

  /** Known ECTs reachable forward (children, grandchildren, …) from the starts, starts excluded. */
  descendants(starts: string | readonly string[], limit = this.traversalLimit): AtdWalk {
    return this.#walk(typeof starts === "string" ? [starts] : starts, (j) => this.children(j), limit);
  }

  /** Known ECTs reachable backward through par from the starts, starts excluded. */
  ancestors(starts: string | readonly string[], limit = this.traversalLimit): AtdWalk {
    return this.#walk(typeof starts === "string" ? [starts] : starts, (j) => this.#byJti.get(j)?.par ?? [], limit);
  }

  /** Checkpoint jtis that checkpoint the task `taskJti` directly (their par lists it). */
  checkpointsOf(taskJti: string): string[] {
    return this.children(taskJti).filter((c) => this.#byJti.get(c)?.kind === "atd:checkpoint");
  }

  /**
   * §Hierarchical Checkpoints: the checkpoint and every checkpoint below it
   * (par entries that are checkpoints, recursively), parent first.
   */
  checkpointTree(checkpointJti: string, limit = this.traversalLimit): AtdWalk {
    const root = this.#byJti.get(checkpointJti);
    if (root?.kind !== "atd:checkpoint") return { jtis: [], truncated: false };
    const sub = this.#walk(
      [checkpointJti],
      (j) => (this.#byJti.get(j)?.par ?? []).filter((p) => this.#byJti.get(p)?.kind === "atd:checkpoint"),
      limit,
    );
    return { jtis: [checkpointJti, ...sub.jtis], truncated: sub.truncated };
  }

  /**
   * The task ECTs a checkpoint (tree) covers: the non-checkpoint parents of
   * every checkpoint in its hierarchy.
   */
  tasksOfCheckpoint(checkpointJti: string): string[] {
    const out: string[] = [];
    const seen = new Set<string>();
    for (const c of this.checkpointTree(checkpointJti).jtis)
      for (const p of this.#byJti.get(c)?.par ?? []) {
        const pe = this.#byJti.get(p);
        if (pe && pe.kind === "task" && !seen.has(p)) (seen.add(p), out.push(p));
      }
    return out;
  }
}
