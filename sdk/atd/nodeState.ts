/**
 * The node state machine of an ATD task.
 *
 * Spec: draft-atd-agent-task-dag-01 §Node States. The draft lists six states
 * derived from the ECTs that follow a task:
 * - pending:     declared (delegation/descriptor) but no ECT emitted yet
 * - running:     the task's ECT exists, no completion or error follows
 * - done:        a completion ECT, or the next `par`-linked ECT, exists
 * - failed:      an `atd:error` references the node
 * - rolled_back: an `atd:rollback_result` references the node's checkpoint
 * - escalated:   the task failed and a human was notified (HITL)
 *
 * The draft names the states but not a transition table; this one follows
 * from how each state is reached (states only move forward):
 *
 *   pending  -> running
 *   running  -> done | failed | rolled_back | escalated
 *   done     -> failed | rolled_back | escalated
 *   failed   -> rolled_back | escalated
 *   rolled_back, escalated: terminal
 *
 * - done -> failed: an error may be reported on an action that already has
 *   successors ("failed: an atd:error ECT references this node").
 * - done/failed -> rolled_back: rollback reverts completed or failed actions;
 *   running -> rolled_back: a cascading rollback (atd.cascade) may reach a
 *   task still in flight.
 * - -> escalated: an irreversible failure, a rollback result `escalated` or
 *   `failed`, or a timed-out rollback hands the node to a human.
 * - No retry edge (failed -> running) and no self-transitions: the draft
 *   defines neither; a retry is a new task ECT.
 */
import { AtdIllegalTransitionError, AtdUnknownNodeStateError } from "./errors.js";

export const ATD_NODE_STATES = ["pending", "running", "done", "failed", "rolled_back", "escalated"] as const;
export type AtdNodeState = (typeof ATD_NODE_STATES)[number];

/** Legal successor states of each state. */
export const ATD_NODE_TRANSITIONS: Readonly<Record<AtdNodeState, readonly AtdNodeState[]>> = Object.freeze({
  pending: Object.freeze(["running"] as const),
  running: Object.freeze(["done", "failed", "rolled_back", "escalated"] as const),
  done: Object.freeze(["failed", "rolled_back", "escalated"] as const),
  failed: Object.freeze(["rolled_back", "escalated"] as const),
  rolled_back: Object.freeze([] as const),
  escalated: Object.freeze([] as const),
});

export function isAtdNodeState(value: unknown): value is AtdNodeState {
  return typeof value === "string" && (ATD_NODE_STATES as readonly string[]).includes(value);
}

/** True for the states with no successor (`rolled_back`, `escalated`). */
export function isTerminalAtdNodeState(state: AtdNodeState): boolean {
  if (!isAtdNodeState(state)) throw new AtdUnknownNodeStateError(state, { path: "state" });
  return ATD_NODE_TRANSITIONS[state].length === 0;
}

/** Whether `from -> to` is legal. Never throws; false for unknown states. */
export function canTransitionAtdNode(from: unknown, to: unknown): boolean {
  return isAtdNodeState(from) && isAtdNodeState(to) && ATD_NODE_TRANSITIONS[from].includes(to);
}

export type TransitionAtdNodeParameters = {
  from: AtdNodeState;
  to: AtdNodeState;
  /** Node id, named in the error. */
  node?: string | undefined;
};

/**
 * Returns `to` when `from -> to` is legal; throws `AtdUnknownNodeStateError`
 * for a value that is not a state and `AtdIllegalTransitionError` (naming
 * from, to and the node) otherwise.
 */
export function transitionAtdNode(parameters: TransitionAtdNodeParameters): AtdNodeState {
  const { from, to, node } = (typeof parameters === "object" && parameters !== null ? parameters : {}) as Partial<TransitionAtdNodeParameters>;
  if (!isAtdNodeState(from)) throw new AtdUnknownNodeStateError(from, { path: "from" });
  if (!isAtdNodeState(to)) throw new AtdUnknownNodeStateError(to, { path: "to" });
  if (!ATD_NODE_TRANSITIONS[from].includes(to)) throw new AtdIllegalTransitionError(from, to, { node });
  return to;
}
