/**
 * Tracks the node states of one run of a workflow descriptor, enforcing the
 * execution rules an orchestrator owns.
 *
 * Spec: draft-atd-agent-task-dag-01
 * - §Topological Order: a task MUST NOT begin until all its predecessors are
 *   `done` (`AtdDependenciesNotDoneError`); tasks with no common ancestor MAY
 *   run concurrently (`ready()` lists every startable node).
 * - §Node States: transitions per `nodeState.ts` (`AtdIllegalTransitionError`).
 * - §Optional Declarative Workflow Format: `hitl_required` nodes MUST pass an
 *   approval gate before starting (`AtdHitlApprovalRequiredError`);
 *   `reversible: false` nodes cannot be rolled back (rollback MUST be
 *   escalated: `AtdRollbackNotEligibleError`).
 * - §Resource Hints / §Checkpoint Placement: `resource_hints.timeout_s` —
 *   `overdue()` lists running nodes past it (emit an `atd:error` timeout).
 * - §Workflow Boundary ECTs: terminal when all leaves are done, or a node
 *   failed with no rollback path; `terminalStatus()` picks one of success,
 *   partial, failed, rolled_back, escalated (the mapping is ours, see there).
 */
import { parseAtdWorkflow, atdWorkflowAdjacency, type AtdWorkflow, type AtdWorkflowNode } from "./workflowDescriptor.js";
import { transitionAtdNode, type AtdNodeState } from "./nodeState.js";
import {
  AtdDependenciesNotDoneError,
  AtdHitlApprovalRequiredError,
  AtdRollbackNotEligibleError,
  AtdUnknownNodeError,
  AtdInvalidOptionError,
} from "./errors.js";
import type { AtdTerminalStatus } from "./vocabulary.js";

export type AtdTrackerTransition = { node: string; from: AtdNodeState; to: AtdNodeState; at: number };

export type AtdWorkflowTrackerOptions = {
  /** Clock in milliseconds (default `Date.now`). */
  now?: (() => number) | undefined;
};

export class AtdWorkflowTracker {
  readonly workflow: AtdWorkflow;
  readonly #now: () => number;
  readonly #nodes = new Map<string, AtdWorkflowNode>();
  readonly #state = new Map<string, AtdNodeState>();
  readonly #startedAt = new Map<string, number>();
  readonly #pred: Map<string, string[]>;
  readonly #succ: Map<string, string[]>;
  readonly #history: AtdTrackerTransition[] = [];

  /** `workflow` is validated (typed descriptor errors). Every node starts `pending`. */
  constructor(workflow: AtdWorkflow | unknown, options: AtdWorkflowTrackerOptions = {}) {
    this.workflow = parseAtdWorkflow(workflow, { unknownFields: "preserve" });
    const now: unknown = (typeof options === "object" && options !== null ? options : undefined)?.now;
    if ((options !== undefined && (typeof options !== "object" || options === null)) || (now !== undefined && typeof now !== "function"))
      throw new AtdInvalidOptionError({ path: "options", details: "options must be an object whose now is a function returning milliseconds" });
    this.#now = (now as (() => number) | undefined) ?? Date.now;
    for (const n of this.workflow.nodes) {
      this.#nodes.set(n.id, n);
      this.#state.set(n.id, "pending");
    }
    const adj = atdWorkflowAdjacency(this.workflow);
    this.#pred = adj.predecessors;
    this.#succ = adj.successors;
  }

  /** State of a node (`AtdUnknownNodeError` for an undeclared id). */
  state(id: string): AtdNodeState {
    const s = this.#state.get(id);
    if (s === undefined) throw new AtdUnknownNodeError(id);
    return s;
  }

  /** All states, in declaration order. */
  states(): Map<string, AtdNodeState> {
    return new Map(this.#state);
  }

  /** Every transition so far. */
  get history(): readonly AtdTrackerTransition[] {
    return this.#history;
  }

  /** Pending nodes whose predecessors are all done: what may start now (concurrently). */
  ready(): string[] {
    const out: string[] = [];
    for (const [id, s] of this.#state) if (s === "pending" && this.#blocking(id).length === 0) out.push(id);
    return out;
  }

  /**
   * pending → running. Throws `AtdDependenciesNotDoneError` naming the
   * predecessors not done, and `AtdHitlApprovalRequiredError` for a
   * `hitl_required` node started without `approved: true`.
   */
  start(id: string, options: { approved?: boolean | undefined } = {}): void {
    const from = this.state(id);
    transitionAtdNode({ from, to: "running", node: id });
    const blocking = this.#blocking(id);
    if (blocking.length) throw new AtdDependenciesNotDoneError(id, blocking);
    if (this.#nodes.get(id)!.hitl_required === true && options?.approved !== true) throw new AtdHitlApprovalRequiredError(id);
    this.#set(id, from, "running");
    this.#startedAt.set(id, this.#now());
  }

  /** running → done. */
  complete(id: string): void {
    this.#move(id, "done");
  }

  /** running/done → failed (an `atd:error` references the node). */
  fail(id: string): void {
    this.#move(id, "failed");
  }

  /** → rolled_back; `AtdRollbackNotEligibleError` for a `reversible: false` node. */
  rollBack(id: string): void {
    this.#move(id, "rolled_back");
  }

  /** → escalated (a human has been notified). */
  escalate(id: string): void {
    this.#move(id, "escalated");
  }

  /** Generic transition with the same rules as the named methods. */
  transition(id: string, to: AtdNodeState, options: { approved?: boolean | undefined } = {}): void {
    if (to === "running") this.start(id, options);
    else this.#move(id, to);
  }

  /** Running nodes past their `resource_hints.timeout_s`. */
  overdue(): { id: string; runningForS: number; timeoutS: number }[] {
    const now = this.#now();
    const out: { id: string; runningForS: number; timeoutS: number }[] = [];
    for (const [id, s] of this.#state) {
      const t = this.#nodes.get(id)!.resource_hints?.timeout_s;
      if (s !== "running" || t === undefined) continue;
      const runningForS = (now - this.#startedAt.get(id)!) / 1000;
      if (runningForS > t) out.push({ id, runningForS, timeoutS: t });
    }
    return out;
  }

  /**
   * The workflow's terminal status, or undefined while it can still progress.
   * Mapping (the draft lists the values, not the rule):
   * - any node escalated → `escalated`;
   * - any failed node with no rollback path (`reversible: false`) → `failed`;
   * - still active (a node running, ready to start, or failed-but-reversible
   *   awaiting rollback) → undefined;
   * - every node done → `success`;
   * - every node that ran rolled back → `rolled_back`;
   * - otherwise (some done, some rolled back or never reachable) → `partial`.
   */
  terminalStatus(): AtdTerminalStatus | undefined {
    const states = [...this.#state.entries()];
    if (states.some(([, s]) => s === "escalated")) return "escalated";
    if (states.some(([id, s]) => s === "failed" && !this.#nodes.get(id)!.reversible)) return "failed";
    if (states.some(([, s]) => s === "running" || s === "failed")) return undefined;
    if (this.ready().length) return undefined;
    if (states.every(([, s]) => s === "done")) return "success";
    const ran = states.filter(([, s]) => s !== "pending");
    if (ran.length > 0 && ran.every(([, s]) => s === "rolled_back")) return "rolled_back";
    return "partial";
  }

  /** Leaf nodes (no successors). */
  leaves(): string[] {
    return [...this.#succ.entries()].filter(([, s]) => s.length === 0).map(([id]) => id);
  }

  #blocking(id: string): string[] {
    return (this.#pred.get(id) ?? []).filter((p) => this.#state.get(p) !== "done");
  }

  #move(id: string, to: AtdNodeState): void {
    const from = this.state(id);
    transitionAtdNode({ from, to, node: id });
    if (to === "rolled_back" && !this.#nodes.get(id)!.reversible)
      throw new AtdRollbackNotEligibleError({ path: id, details: `node ${JSON.stringify(id)} is reversible: false; its rollback must be escalated` });
    this.#set(id, from, to);
  }

  #set(id: string, from: AtdNodeState, to: AtdNodeState): void {
    this.#state.set(id, to);
    this.#history.push({ node: id, from, to, at: this.#now() });
  }
}
