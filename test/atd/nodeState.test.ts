/**
 * Node state machine (draft-atd-agent-task-dag-01 §Node States): the
 * transition table, typed errors, and seeded property tests.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  ATD_NODE_STATES,
  AtdIllegalTransitionError,
  AtdUnknownNodeStateError,
  canTransitionAtdNode,
  isAtdNodeState,
  isTerminalAtdNodeState,
  transitionAtdNode,
  type AtdNodeState,
} from "../../sdk/atd/index.js";
import { prng } from "./helpers.js";

/** The legal transitions, as derived in nodeState.ts from how each state is reached. */
const LEGAL = new Set([
  "pending>running",
  "running>done",
  "running>failed",
  "running>rolled_back",
  "running>escalated",
  "done>failed",
  "done>rolled_back",
  "done>escalated",
  "failed>rolled_back",
  "failed>escalated",
]);

describe("node states", () => {
  it("has the six states of §Node States", () => {
    assert.deepEqual([...ATD_NODE_STATES].sort(), ["done", "escalated", "failed", "pending", "rolled_back", "running"]);
    assert.ok(isAtdNodeState("failed"));
    assert.ok(!isAtdNodeState("paused"));
  });

  it("allows exactly the table's transitions (all 36 pairs)", () => {
    for (const from of ATD_NODE_STATES)
      for (const to of ATD_NODE_STATES) assert.equal(canTransitionAtdNode(from, to), LEGAL.has(`${from}>${to}`), `${from} -> ${to}`);
  });

  it("rolled_back and escalated are terminal; the others are not", () => {
    for (const s of ATD_NODE_STATES) assert.equal(isTerminalAtdNodeState(s), s === "rolled_back" || s === "escalated", s);
  });

  it("transitionAtdNode returns the new state for a legal move", () => {
    assert.equal(transitionAtdNode({ from: "pending", to: "running" }), "running");
    assert.equal(transitionAtdNode({ from: "failed", to: "rolled_back" }), "rolled_back");
  });

  it("an illegal move throws AtdIllegalTransitionError naming from, to and node", () => {
    assert.throws(
      () => transitionAtdNode({ from: "done", to: "running", node: "n7" }),
      (e: unknown) =>
        e instanceof AtdIllegalTransitionError &&
        e.code === "ATD_ILLEGAL_TRANSITION" &&
        e.from === "done" &&
        e.to === "running" &&
        e.node === "n7" &&
        e.message.includes("done -> running") &&
        e.message.includes('"n7"'),
    );
  });

  it("self-transitions are illegal", () => {
    for (const s of ATD_NODE_STATES) assert.throws(() => transitionAtdNode({ from: s, to: s }), AtdIllegalTransitionError);
  });

  it("a value that is not a state throws AtdUnknownNodeStateError", () => {
    assert.throws(
      () => transitionAtdNode({ from: "paused" as AtdNodeState, to: "running" }),
      (e: unknown) => e instanceof AtdUnknownNodeStateError && e.code === "ATD_UNKNOWN_STATE" && e.path === "from" && e.state === "paused",
    );
    assert.throws(
      () => transitionAtdNode({ from: "running", to: 3 as unknown as AtdNodeState }),
      (e: unknown) => e instanceof AtdUnknownNodeStateError && e.path === "to",
    );
    assert.equal(canTransitionAtdNode("paused", "running"), false);
    assert.equal(canTransitionAtdNode(null, undefined), false);
  });
});

describe("node states: property tests (seeded)", () => {
  it("random legal walks never throw and end in a terminal state within 4 moves", () => {
    const r = prng(0x57a7e);
    for (let i = 0; i < 5000; i++) {
      let s: AtdNodeState = "pending";
      let steps = 0;
      while (!isTerminalAtdNodeState(s)) {
        const next = ATD_NODE_STATES.filter((t) => canTransitionAtdNode(s, t));
        if (next.length === 0) break;
        s = transitionAtdNode({ from: s, to: r.pick(next) });
        steps++;
        assert.ok(steps <= 4, "walk too long: states must only move forward");
        if (s === "done" && r.bool(0.3)) break; // done may also be where a node stays
      }
    }
  });

  it("random illegal transitions always throw, naming from and to", () => {
    const r = prng(0x111e6a1);
    for (let i = 0; i < 5000; i++) {
      const from = r.pick(ATD_NODE_STATES);
      const illegal = ATD_NODE_STATES.filter((t) => !canTransitionAtdNode(from, t));
      const to = r.pick(illegal);
      assert.throws(
        () => transitionAtdNode({ from, to }),
        (e: unknown) => e instanceof AtdIllegalTransitionError && e.from === from && e.to === to,
      );
    }
  });
});
