/**
 * Workflow run tracking (draft-atd-agent-task-dag-01 §Topological Order,
 * §Node States, hitl_required, reversible, resource timeouts, terminal
 * status), with seeded property tests over random descriptors.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  AtdDependenciesNotDoneError,
  AtdHitlApprovalRequiredError,
  AtdIllegalTransitionError,
  AtdRollbackNotEligibleError,
  AtdUnknownNodeError,
  AtdWorkflowCycleError,
  AtdWorkflowTracker,
  ATD_NODE_STATES,
  canTransitionAtdNode,
  atdWorkflowAdjacency,
  type AtdNodeState,
  type AtdWorkflow,
} from "../../sdk/atd/index.js";
import { FIG_WORKFLOW_TEXT, prng } from "./helpers.js";

const fig = () => JSON.parse(FIG_WORKFLOW_TEXT) as AtdWorkflow;

describe("workflow tracker", () => {
  it("starts every node pending; ready() lists the roots", () => {
    const t = new AtdWorkflowTracker(fig());
    assert.deepEqual([...t.states().values()], ["pending", "pending", "pending"]);
    assert.deepEqual(t.ready(), ["n1"]);
    assert.deepEqual(t.leaves(), ["n3"]);
  });

  it("validates the descriptor it is given", () => {
    const w = fig();
    w.edges.push({ from: "n3", to: "n1" });
    assert.throws(() => new AtdWorkflowTracker(w), AtdWorkflowCycleError);
  });

  it("runs the figure's workflow to success (n2 needs an approval gate)", () => {
    let now = 0;
    const t = new AtdWorkflowTracker(fig(), { now: () => now });
    t.start("n1");
    now = 1000;
    t.complete("n1");
    assert.throws(() => t.start("n2"), (e: unknown) => e instanceof AtdHitlApprovalRequiredError && e.node === "n2" && e.code === "ATD_HITL_APPROVAL_REQUIRED");
    assert.equal(t.state("n2"), "pending");
    t.start("n2", { approved: true });
    t.complete("n2");
    t.start("n3");
    assert.equal(t.terminalStatus(), undefined);
    t.complete("n3");
    assert.equal(t.terminalStatus(), "success");
    assert.deepEqual(
      t.history.map((h) => `${h.node}:${h.from}>${h.to}@${h.at}`),
      ["n1:pending>running@0", "n1:running>done@1000", "n2:pending>running@1000", "n2:running>done@1000", "n3:pending>running@1000", "n3:running>done@1000"],
    );
  });

  it("§Topological Order: a node cannot start before its predecessors are done", () => {
    const t = new AtdWorkflowTracker(fig());
    assert.throws(
      () => t.start("n3"),
      (e: unknown) => e instanceof AtdDependenciesNotDoneError && e.code === "ATD_DEPENDENCIES_NOT_DONE" && e.node === "n3" && e.blocking.join() === "n2",
    );
    t.start("n1");
    assert.throws(() => t.start("n2", { approved: true }), AtdDependenciesNotDoneError);
  });

  it("fan-out nodes are ready together (may run concurrently)", () => {
    const t = new AtdWorkflowTracker({
      wf_id: "f",
      nodes: ["a", "b", "c", "d"].map((id) => ({ id, reversible: true })),
      edges: [
        { from: "a", to: "b" },
        { from: "a", to: "c" },
        { from: "b", to: "d" },
        { from: "c", to: "d" },
      ],
    });
    t.start("a");
    t.complete("a");
    assert.deepEqual(t.ready(), ["b", "c"]);
    t.start("b");
    t.start("c");
    t.complete("c");
    assert.deepEqual(t.ready(), []);
    t.complete("b");
    assert.deepEqual(t.ready(), ["d"]);
  });

  it("illegal transitions throw AtdIllegalTransitionError naming the node", () => {
    const t = new AtdWorkflowTracker(fig());
    assert.throws(() => t.complete("n1"), (e: unknown) => e instanceof AtdIllegalTransitionError && e.from === "pending" && e.to === "done" && e.node === "n1");
    t.start("n1");
    assert.throws(() => t.start("n1"), (e: unknown) => e instanceof AtdIllegalTransitionError && e.from === "running" && e.to === "running");
    t.fail("n1");
    assert.throws(() => t.complete("n1"), AtdIllegalTransitionError);
  });

  it("unknown node ids throw AtdUnknownNodeError", () => {
    const t = new AtdWorkflowTracker(fig());
    assert.throws(() => t.state("zz"), (e: unknown) => e instanceof AtdUnknownNodeError && e.node === "zz" && e.code === "ATD_UNKNOWN_NODE");
    assert.throws(() => t.start("zz"), AtdUnknownNodeError);
  });

  it("a reversible: false node cannot be rolled back (must be escalated)", () => {
    const t = new AtdWorkflowTracker(fig());
    for (const id of ["n1", "n2"]) {
      t.start(id, { approved: true });
      t.complete(id);
    }
    t.start("n3");
    t.fail("n3");
    assert.throws(() => t.rollBack("n3"), (e: unknown) => e instanceof AtdRollbackNotEligibleError && e.code === "ATD_ROLLBACK_NOT_ELIGIBLE");
    assert.equal(t.terminalStatus(), "failed"); // failed with no rollback path
    t.escalate("n3");
    assert.equal(t.terminalStatus(), "escalated");
  });

  it("terminal status: rolled_back, partial, and active while a reversible failure awaits rollback", () => {
    const a = new AtdWorkflowTracker(fig());
    a.start("n1");
    a.fail("n1");
    assert.equal(a.terminalStatus(), undefined); // rollback path exists
    a.rollBack("n1");
    assert.equal(a.terminalStatus(), "rolled_back");

    const b = new AtdWorkflowTracker(fig());
    b.start("n1");
    b.complete("n1");
    b.start("n2", { approved: true });
    b.fail("n2");
    b.rollBack("n2");
    assert.equal(b.terminalStatus(), "partial");
  });

  it("overdue() lists running nodes past resource_hints.timeout_s (fake clock)", () => {
    let now = 0;
    const t = new AtdWorkflowTracker(fig(), { now: () => now });
    t.start("n1");
    now = 30_000;
    assert.deepEqual(t.overdue(), []);
    now = 30_001;
    assert.deepEqual(t.overdue(), [{ id: "n1", runningForS: 30.001, timeoutS: 30 }]);
    t.complete("n1");
    assert.deepEqual(t.overdue(), []);
  });

  it("transition(id, to) applies the same rules", () => {
    const t = new AtdWorkflowTracker(fig());
    t.transition("n1", "running");
    t.transition("n1", "done");
    assert.throws(() => t.transition("n2", "running"), AtdHitlApprovalRequiredError);
    t.transition("n2", "running", { approved: true });
    assert.equal(t.state("n2"), "running");
  });
});

describe("workflow tracker: property tests (seeded)", () => {
  function randomDag(r: ReturnType<typeof prng>, n: number): AtdWorkflow {
    const edges: { from: string; to: string }[] = [];
    for (let j = 1; j < n; j++) for (let i = 0; i < j; i++) if (r.bool(0.25)) edges.push({ from: `n${i}`, to: `n${j}` });
    return { wf_id: "p", nodes: Array.from({ length: n }, (_, i) => ({ id: `n${i}`, reversible: r.bool(0.7), hitl_required: r.bool(0.2) })), edges };
  }

  it("random legal schedules never throw and always reach a terminal status", () => {
    const r = prng(0x7ac4);
    for (let run = 0; run < 300; run++) {
      const wf = randomDag(r, 2 + r.int(12));
      const t = new AtdWorkflowTracker(wf);
      const reversible = new Map(wf.nodes.map((n) => [n.id, n.reversible]));
      for (let step = 0; step < 400 && t.terminalStatus() === undefined; step++) {
        const moves: (() => void)[] = [];
        for (const id of t.ready()) moves.push(() => t.start(id, { approved: true }));
        for (const [id, s] of t.states()) {
          for (const to of ATD_NODE_STATES) {
            if (to === "running" || !canTransitionAtdNode(s, to)) continue;
            if (to === "rolled_back" && !reversible.get(id)) continue;
            if (to === "failed" || to === "escalated" ? !r.bool(0.15) : false) continue; // keep failures rare
            moves.push(() => t.transition(id, to));
          }
        }
        if (moves.length === 0) break;
        r.pick(moves)();
      }
      assert.notEqual(t.terminalStatus(), undefined, JSON.stringify([...t.states()]));
    }
  });

  it("random illegal moves always throw the matching typed error and change nothing", () => {
    const r = prng(0x1ee6a1);
    for (let run = 0; run < 300; run++) {
      const wf = randomDag(r, 3 + r.int(10));
      const t = new AtdWorkflowTracker(wf);
      const preds = atdWorkflowAdjacency(wf).predecessors;
      // advance a little legally
      for (let k = 0; k < r.int(6); k++) {
        const ready = t.ready();
        if (!ready.length) break;
        const id = r.pick(ready);
        t.start(id, { approved: true });
        if (r.bool(0.7)) t.complete(id);
      }
      const before = JSON.stringify([...t.states()]);
      const id = r.pick(wf.nodes).id;
      const from = t.state(id);
      const kind = r.int(3);
      if (kind === 0) {
        const illegal = ATD_NODE_STATES.filter((s) => !canTransitionAtdNode(from, s));
        const to: AtdNodeState = r.pick(illegal);
        assert.throws(() => t.transition(id, to, { approved: true }), (e: unknown) => e instanceof AtdIllegalTransitionError && e.from === from && e.to === to);
      } else if (kind === 1) {
        const pendingBlocked = wf.nodes.filter((n) => t.state(n.id) === "pending" && preds.get(n.id)!.some((p) => t.state(p) !== "done"));
        if (!pendingBlocked.length) continue;
        const n = r.pick(pendingBlocked);
        assert.throws(() => t.start(n.id, { approved: true }), AtdDependenciesNotDoneError);
      } else {
        const gated = t.ready().filter((x) => wf.nodes.find((n) => n.id === x)!.hitl_required);
        if (!gated.length) continue;
        assert.throws(() => t.start(r.pick(gated)), AtdHitlApprovalRequiredError);
      }
      assert.equal(JSON.stringify([...t.states()]), before);
    }
  });
});
