/**
 * Replaying ATD ECT streams into node states (draft-atd-agent-task-dag-01
 * §Node States, §Checkpoint/§Error/§Rollback/§Workflow Boundary rules,
 * §Interaction with HITL): one test per rule and finding, plus properties.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  AtdError,
  AtdIllegalTransitionError,
  AtdDuplicateJtiError,
  AtdInvalidOptionError,
  AtdIrreversibleRolledBackError,
  AtdParentNotDoneError,
  AtdReferenceKindError,
  AtdRollbackCheckpointMismatchError,
  AtdRollbackResultConflictError,
  AtdUnknownReferenceError,
  AtdWidMismatchError,
  AtdWorkflowDuplicateStartError,
  AtdWorkflowStartMissingError,
  assertAtdReplay,
  replayAtdEcts,
  type AtdErrorCode,
} from "../../sdk/atd/index.js";
import { atdErrorFromFinding } from "../../sdk/atd/errors.js";
import { E, prng } from "./helpers.js";

const states = (r: ReturnType<typeof replayAtdEcts>) => Object.fromEntries([...r.nodes].map(([k, v]) => [k, v.state]));
/** The error class `assertAtdReplay` must throw for each replay finding code (L9: classes, not only codes). */
const CLASS_OF: Partial<Record<AtdErrorCode, abstract new (...a: never[]) => AtdError>> = {
  ATD_ILLEGAL_TRANSITION: AtdIllegalTransitionError,
  ATD_DUPLICATE_JTI: AtdDuplicateJtiError,
  ATD_REF_UNKNOWN: AtdUnknownReferenceError,
  ATD_REF_KIND: AtdReferenceKindError,
  ATD_WID_MISMATCH: AtdWidMismatchError,
  ATD_PARENT_NOT_DONE: AtdParentNotDoneError,
  ATD_ROLLBACK_CHECKPOINT_MISMATCH: AtdRollbackCheckpointMismatchError,
  ATD_ROLLBACK_RESULT_CONFLICT: AtdRollbackResultConflictError,
  ATD_IRREVERSIBLE_ROLLED_BACK: AtdIrreversibleRolledBackError,
  ATD_WORKFLOW_DUPLICATE_START: AtdWorkflowDuplicateStartError,
  ATD_WORKFLOW_START_MISSING: AtdWorkflowStartMissingError,
};

/** Exactly one finding `code` at `path`, and `assertAtdReplay` throws its class with that code and path. */
function expectOnlyFinding(ects: unknown[], code: AtdErrorCode, path: string) {
  const r = replayAtdEcts(ects);
  assert.equal(r.valid, false);
  assert.deepEqual(
    r.findings.map((f) => [f.code, f.path]),
    [[code, path]],
  );
  const Cls = CLASS_OF[code];
  assert.ok(Cls, `no class registered in the test for ${code}`);
  assert.throws(
    () => assertAtdReplay(ects),
    (e: unknown) => e instanceof Cls && e.constructor === Cls && e.code === code && e.path === path,
    `${code} should throw ${Cls.name} at ${path}`,
  );
  return r;
}

describe("replay: node states", () => {
  it("a task ECT is running; the next par-linked task makes it done", () => {
    const r = replayAtdEcts([E.start("s"), E.task("a", ["s"]), E.task("b", ["a"])]);
    assert.ok(r.valid, JSON.stringify(r.findings));
    assert.deepEqual(states(r), { a: "done", b: "running" });
    assert.deepEqual(r.nodes.get("a")!.history, [
      { state: "running", cause: "a" },
      { state: "done", cause: "b" },
    ]);
  });

  it("fan-in: every parent becomes done", () => {
    const r = replayAtdEcts([E.task("a"), E.task("b", ["a"]), E.task("c", ["a"]), E.task("d", ["b", "c"])]);
    assert.deepEqual(states(r), { a: "done", b: "done", c: "done", d: "running" });
  });

  it("an atd:error referencing a node makes it failed and records severity", () => {
    const r = replayAtdEcts([E.task("a"), E.error("e1", ["a"], null, "warning"), E.error("e2", ["a"], null, "error")]);
    assert.ok(r.valid, JSON.stringify(r.findings));
    assert.equal(r.nodes.get("a")!.state, "failed");
    assert.deepEqual(r.nodes.get("a")!.errors, ["e1", "e2"]);
    assert.equal(r.nodes.get("a")!.maxSeverity, "error");
  });

  it("done -> failed: a late error on a completed action", () => {
    const r = replayAtdEcts([E.task("a"), E.task("b", ["a"]), E.error("e", ["a"], null)]);
    assert.equal(r.nodes.get("a")!.state, "failed");
  });

  it("a completed rollback result marks the checkpoint's task rolled_back", () => {
    const r = replayAtdEcts([E.task("a"), E.ckpt("c", ["a"]), E.error("e", ["a"], "c"), E.req("q", "c"), E.res("s", "q", "c")]);
    assert.ok(r.valid, JSON.stringify(r.findings));
    assert.deepEqual(states(r), { a: "rolled_back" });
    assert.deepEqual(r.nodes.get("a")!.checkpoints, ["c"]);
    assert.deepEqual(r.rollbacks.get("q"), { requestJti: "q", checkpointId: "c", cascade: false, resultJti: "s", status: "completed", cascaded: [] });
  });

  it("a partial rollback result also marks it rolled_back", () => {
    const r = replayAtdEcts([E.task("a"), E.ckpt("c", ["a"]), E.req("q", "c", true), E.res("s", "q", "c", "partial", [{ agent: "x", status: "failed" }])]);
    assert.equal(r.nodes.get("a")!.state, "rolled_back");
  });

  it("§Hierarchical Checkpoints: rolling back the parent rolls back every child's task", () => {
    const r = replayAtdEcts([
      E.task("a"),
      E.ckpt("c1", ["a"]),
      E.task("b", ["a"]),
      E.ckpt("c2", ["b"]),
      E.ckpt("parent", ["c1", "c2"]),
      E.req("q", "parent"),
      E.res("s", "q", "parent"),
    ]);
    assert.ok(r.valid, JSON.stringify(r.findings));
    assert.deepEqual(states(r), { a: "rolled_back", b: "rolled_back" });
    assert.deepEqual(r.index.checkpointTree("parent").jtis, ["parent", "c1", "c2"]);
  });

  it("accepts the later draft's pred / ect_ext spellings in the stream", () => {
    const r = replayAtdEcts([
      { jti: "a", exec_act: "t", pred: [] },
      { jti: "e", exec_act: "atd:error", pred: ["a"], ect_ext: { "atd.severity": "info", "atd.error_type": "unknown", "atd.checkpoint_id": null } },
    ]);
    assert.ok(r.valid, JSON.stringify(r.findings));
    assert.equal(r.nodes.get("a")!.state, "failed");
  });
});

describe("replay: findings", () => {
  it("ATD_ILLEGAL_TRANSITION: an error after the node was rolled back", () => {
    const ects = [E.task("a"), E.ckpt("c", ["a"]), E.req("q", "c"), E.res("s", "q", "c"), E.error("e", ["a"], "c")];
    const r = expectOnlyFinding(ects, "ATD_ILLEGAL_TRANSITION", "ects[4].par[0]");
    assert.equal(r.nodes.get("a")!.state, "rolled_back");
    assert.deepEqual(r.findings[0]!.transition, { node: "a", from: "rolled_back", to: "failed" });
    assert.throws(() => assertAtdReplay(ects), (e: unknown) => e instanceof AtdIllegalTransitionError && e.from === "rolled_back" && e.to === "failed" && e.node === "a");
  });
  it("ATD_DUPLICATE_JTI", () => {
    const ects = [E.task("a"), E.task("a")];
    expectOnlyFinding(ects, "ATD_DUPLICATE_JTI", "ects[1].jti");
    assert.throws(() => assertAtdReplay(ects), AtdDuplicateJtiError);
  });
  it("ATD_REF_UNKNOWN: a par to an ECT not seen (yet)", () => {
    expectOnlyFinding([E.task("b", ["a"]), E.task("a")], "ATD_REF_UNKNOWN", "ects[0].par[0]");
  });
  it("ATD_REF_UNKNOWN: error checkpoint_id and upstream_errors", () => {
    expectOnlyFinding([E.task("a"), E.error("e", ["a"], "nope")], "ATD_REF_UNKNOWN", 'ects[1].ext["atd.checkpoint_id"]');
    const withUp = E.error("e", ["a"], null, "error", {});
    (withUp.ext as Record<string, unknown>)["atd.upstream_errors"] = ["ghost"];
    expectOnlyFinding([E.task("a"), withUp], "ATD_REF_UNKNOWN", 'ects[1].ext["atd.upstream_errors"][0]');
  });
  it("ATD_REF_KIND: wrong kinds of referenced ECTs", () => {
    expectOnlyFinding([E.task("a"), E.error("e", ["a"], null), E.ckpt("c", ["e"])], "ATD_REF_KIND", "ects[2].par[0]");
    expectOnlyFinding([E.task("a"), E.ckpt("c", ["a"]), E.error("e", ["c"], "c")], "ATD_REF_KIND", "ects[2].par[0]");
    expectOnlyFinding([E.task("a"), E.error("e", ["a"], "a")], "ATD_REF_KIND", 'ects[1].ext["atd.checkpoint_id"]');
    expectOnlyFinding([E.task("a"), E.req("q", "a")], "ATD_REF_KIND", "ects[1].par[0]");
    expectOnlyFinding([E.task("a"), E.ckpt("c", ["a"]), E.res("s", "c", "c")], "ATD_REF_KIND", "ects[2].par[0]");
    const withUp = E.error("e", ["a"], null);
    (withUp.ext as Record<string, unknown>)["atd.upstream_errors"] = ["a"];
    expectOnlyFinding([E.task("a"), withUp], "ATD_REF_KIND", 'ects[1].ext["atd.upstream_errors"][0]');
  });
  it("ATD_WID_MISMATCH: an error referencing another workflow's action (§False Error Injection)", () => {
    expectOnlyFinding([E.task("a", [], { wid: "OTHER" }), E.error("e", ["a"], null)], "ATD_WID_MISMATCH", "ects[1].par[0]");
  });
  it("ATD_WID_MISMATCH: a rollback request from outside the checkpoint's workflow (§Rollback Authorization)", () => {
    expectOnlyFinding([E.task("a"), E.ckpt("c", ["a"]), E.req("q", "c", false, { wid: "X" })], "ATD_WID_MISMATCH", "ects[2].par[0]");
    expectOnlyFinding([E.task("a"), E.ckpt("c", ["a"]), E.req("q", "c", false, { wid: undefined })], "ATD_WID_MISMATCH", "ects[2].wid");
  });
  it("tasks may reference tasks of other workflows (ECT allows it; ATD does not restrict tasks)", () => {
    assert.ok(replayAtdEcts([E.task("a", [], { wid: "X" }), E.task("b", ["a"])]).valid);
  });
  it("ATD_PARENT_NOT_DONE: a task started after a failed parent (§Topological Order)", () => {
    expectOnlyFinding([E.task("a"), E.error("e", ["a"], null), E.task("b", ["a"])], "ATD_PARENT_NOT_DONE", "ects[2].par[0]");
  });
  it("ATD_ROLLBACK_CHECKPOINT_MISMATCH", () => {
    expectOnlyFinding([E.task("a"), E.ckpt("c", ["a"]), E.ckpt("c2", ["a"]), E.req("q", "c"), E.res("s", "q", "c2")], "ATD_ROLLBACK_CHECKPOINT_MISMATCH", 'ects[4].ext["atd.checkpoint_id"]');
  });
  it("ATD_ROLLBACK_RESULT_CONFLICT; an identical repeated result is fine (idempotency)", () => {
    const base = [E.task("a"), E.ckpt("c", ["a"]), E.req("q", "c"), E.res("s", "q", "c")];
    assert.ok(replayAtdEcts([...base, E.res("s2", "q", "c")]).valid);
    expectOnlyFinding([...base, E.res("s2", "q", "c", "failed")], "ATD_ROLLBACK_RESULT_CONFLICT", "ects[4]");
  });
  it("ATD_IRREVERSIBLE_ROLLED_BACK: an irreversible checkpoint reported completed", () => {
    expectOnlyFinding([E.task("a"), E.ckpt("c", ["a"], false), E.req("q", "c"), E.res("s", "q", "c")], "ATD_IRREVERSIBLE_ROLLED_BACK", 'ects[3].ext["atd.status"]');
    // escalated is the expected outcome
    assert.ok(replayAtdEcts([E.task("a"), E.ckpt("c", ["a"], false), E.req("q", "c"), E.res("s", "q", "c", "escalated")]).valid);
    // a parent with an irreversible child may be partial, not completed
    const tree = [E.task("a"), E.ckpt("c1", ["a"], false), E.task("b", ["a"]), E.ckpt("c2", ["b"]), E.ckpt("p", ["c1", "c2"]), E.req("q", "p")];
    assert.ok(replayAtdEcts([...tree, E.res("s", "q", "p", "partial")]).valid);
    expectOnlyFinding([...tree, E.res("s", "q", "p", "completed")], "ATD_IRREVERSIBLE_ROLLED_BACK", 'ects[6].ext["atd.status"]');
  });
  it("ATD_WORKFLOW_DUPLICATE_START", () => {
    expectOnlyFinding([E.start("s1"), E.start("s2")], "ATD_WORKFLOW_DUPLICATE_START", 'ects[1].ext["atd.wf_id"]');
  });
  it("ATD_WORKFLOW_START_MISSING: no start, or complete not referencing it", () => {
    expectOnlyFinding([E.task("a"), E.complete("c", ["a"])], "ATD_WORKFLOW_START_MISSING", "ects[1].par");
    expectOnlyFinding([E.start("s"), E.task("a", ["s"]), E.complete("c", ["a"])], "ATD_WORKFLOW_START_MISSING", "ects[2].par");
    const ok = replayAtdEcts([E.start("s"), E.task("a", ["s"]), E.complete("c", ["s", "a"], "wf", "success")]);
    assert.ok(ok.valid);
    assert.deepEqual(ok.workflows.get("wf"), { wf_id: "wf", startJti: "s", description: "d", completeJti: "c", terminalStatus: "success" });
  });
  it("invalid ECTs in the stream are findings prefixed with their index", () => {
    const r = replayAtdEcts([E.task("a"), { jti: "x", exec_act: "atd:checkpoint", par: ["a"], ext: {} }]);
    assert.deepEqual(
      r.findings.map((f) => f.path),
      ['ects[1].ext["atd.reversible"]', 'ects[1].ext["atd.rollback_uri"]', 'ects[1].ext["atd.ttl"]'],
    );
  });
  it("a non-array input is a finding, not a throw", () => {
    const r = replayAtdEcts("nope" as unknown as unknown[]);
    assert.equal(r.findings[0]!.code, "ATD_ECT_MALFORMED");
  });
  it("every replay finding code maps to its own error class (L9)", () => {
    for (const [code, Cls] of Object.entries(CLASS_OF)) {
      const e = atdErrorFromFinding({ code: code as AtdErrorCode, path: "ects[0]", message: "m" });
      assert.ok(e instanceof Cls! && e.constructor === Cls && e.code === code && e.path === "ects[0]", code);
    }
  });
  it("invalid options are one ATD_INVALID_OPTION finding (never a TypeError); assertAtdReplay throws AtdInvalidOptionError", () => {
    for (const o of [null, 5, "x", [], { traversalLimit: Number.NaN }, { traversalLimit: 0 }, { traversalLimit: "10" }]) {
      const r = replayAtdEcts([E.task("a")], o as never);
      assert.equal(r.valid, false, JSON.stringify(o));
      assert.deepEqual(r.findings.map((f) => [f.code, f.path]), [["ATD_INVALID_OPTION", "options"]]);
      assert.equal(r.nodes.size, 0);
      assert.throws(() => assertAtdReplay([E.task("a")], o as never), AtdInvalidOptionError);
    }
    assert.ok(replayAtdEcts([E.task("a")], { traversalLimit: 5 }).valid);
  });
  it("atdErrorFromFinding looks codes up as own properties: a prototype name gives a plain AtdError, not a TypeError (L4)", () => {
    for (const code of ["__proto__", "toString", "constructor"]) {
      const e = atdErrorFromFinding({ code: code as AtdErrorCode, path: "", message: "m" });
      assert.equal(e.constructor, AtdError);
      assert.equal(e.code, code);
    }
  });
});

describe("replay: HITL escalations (§Interaction with HITL)", () => {
  it("(1) error on an irreversible checkpoint: MUST Level 2, node escalated", () => {
    const r = replayAtdEcts([E.task("a"), E.ckpt("c", ["a"], false), E.error("e", ["a"], "c")]);
    assert.ok(r.valid);
    assert.deepEqual(r.escalations.map((e) => [e.trigger, e.requirement, e.level, e.nodes]), [["irreversible_failure", "MUST", 2, ["a"]]]);
    assert.deepEqual(r.nodes.get("a")!.history.map((h) => h.state), ["running", "failed", "escalated"]);
  });
  it("(2) rollback result failed: MUST Level 3 STOP on the workflow; node escalated", () => {
    const r = replayAtdEcts([E.task("a"), E.ckpt("c", ["a"]), E.error("e", ["a"], "c"), E.req("q", "c"), E.res("s", "q", "c", "failed")]);
    assert.deepEqual(r.escalations.map((e) => [e.trigger, e.requirement, e.level, e.scope, e.cause]), [["rollback_failed", "MUST", 3, "workflow", "s"]]);
    assert.equal(r.nodes.get("a")!.state, "escalated");
  });
  it("rollback result escalated: node escalated", () => {
    const r = replayAtdEcts([E.task("a"), E.ckpt("c", ["a"], false), E.req("q", "c"), E.res("s", "q", "c", "escalated")]);
    assert.deepEqual(r.escalations.map((e) => e.trigger), ["rollback_escalated"]);
    assert.equal(r.nodes.get("a")!.state, "escalated");
  });
  it("(3) cascade reaching a node with a critical error: SHOULD Level 1 PAUSE", () => {
    const r = replayAtdEcts([
      E.task("a"),
      E.ckpt("c", ["a"]),
      E.task("b", ["a"]),
      E.error("e", ["b"], null, "critical"),
      E.req("q", "c", true),
    ]);
    const cascade = r.escalations.filter((e) => e.trigger === "cascade_critical");
    assert.deepEqual(cascade.map((e) => [e.requirement, e.level, e.nodes]), [["SHOULD", 1, ["b"]]]);
    const noCascade = replayAtdEcts([E.task("a"), E.ckpt("c", ["a"]), E.task("b", ["a"]), E.error("e", ["b"], null, "critical"), E.req("q", "c", false)]);
    assert.equal(noCascade.escalations.filter((e) => e.trigger === "cascade_critical").length, 0);
  });
  it("(4) breaker re-opened after 3 successive probes: SHOULD Level 2, once; a close resets", () => {
    const opens = (p: string, n: number) => Array.from({ length: n }, (_, i) => E.open(`${p}${i}`, "A"));
    let r = replayAtdEcts(opens("o", 3));
    assert.equal(r.escalations.length, 0);
    r = replayAtdEcts(opens("o", 6));
    assert.deepEqual(r.escalations.map((e) => [e.trigger, e.requirement, e.level, e.cause, e.downstreamAgent]), [["circuit_permanent_open", "SHOULD", 2, "o3", "spiffe://x/b"]]);
    r = replayAtdEcts([...opens("o", 3), E.close("c", "A"), ...opens("p", 3)]);
    assert.equal(r.escalations.length, 0);
    assert.deepEqual(r.circuits.get("A spiffe://x/b")!.state, "open");
    // breakers of different agents are counted apart
    r = replayAtdEcts([...opens("o", 2), E.open("x1", "B"), E.open("x2", "B")]);
    assert.equal(r.escalations.length, 0);
  });
  it("critical error: SHOULD escalation, node stays failed", () => {
    const r = replayAtdEcts([E.task("a"), E.error("e", ["a"], null, "critical")]);
    assert.deepEqual(r.escalations.map((e) => [e.trigger, e.requirement]), [["critical_error", "SHOULD"]]);
    assert.equal(r.nodes.get("a")!.state, "failed");
  });
  it("rollback timeout error (par = the request): MUST, the checkpoint's tasks escalated", () => {
    const r = replayAtdEcts([
      E.task("a"),
      E.ckpt("c", ["a"]),
      E.req("q", "c"),
      E.error("t", ["q"], "c", "critical", {}, "timeout"),
    ]);
    assert.ok(r.valid, JSON.stringify(r.findings));
    const t = r.escalations.find((e) => e.trigger === "rollback_timeout")!;
    assert.deepEqual([t.requirement, t.nodes], ["MUST", ["a"]]);
    assert.equal(r.nodes.get("a")!.state, "escalated");
  });
});

describe("replay: property tests (seeded)", () => {
  /** A random valid run: tasks over a random DAG, checkpoints, some errors and rollbacks. */
  function randomRun(r: ReturnType<typeof prng>) {
    const ects: Record<string, unknown>[] = [E.start("s")];
    const tasks: string[] = [];
    const failed = new Set<string>();
    const n = 3 + r.int(25);
    for (let i = 0; i < n; i++) {
      const ok = tasks.filter((t) => !failed.has(t));
      const par = ok.length ? [...new Set(Array.from({ length: 1 + r.int(2) }, () => r.pick(ok)))] : ["s"];
      const id = `t${i}`;
      ects.push(E.task(id, par));
      tasks.push(id);
      if (r.bool(0.4)) ects.push(E.ckpt(`c${i}`, [id]));
      if (r.bool(0.15)) {
        ects.push(E.error(`e${i}`, [id], null));
        failed.add(id);
      }
    }
    return ects;
  }

  it("random valid runs replay without findings", () => {
    const r = prng(0x5e9);
    for (let i = 0; i < 300; i++) {
      const ects = randomRun(r);
      const res = replayAtdEcts(ects);
      assert.ok(res.valid, JSON.stringify(res.findings));
    }
  });

  it("single mutations (duplicate jti, dangling par, cross-workflow error) are always caught", () => {
    const r = prng(0x3a7);
    for (let i = 0; i < 300; i++) {
      const ects = randomRun(r);
      const k = 1 + r.int(ects.length - 1);
      const kind = r.int(3);
      const m = ects.map((e) => JSON.parse(JSON.stringify(e)) as Record<string, unknown>);
      let code: AtdErrorCode;
      if (kind === 0) {
        m.push({ ...m[k]! });
        code = "ATD_DUPLICATE_JTI";
      } else if (kind === 1) {
        m[k]!.par = [...(m[k]!.par as string[]), "ghost"];
        code = "ATD_REF_UNKNOWN";
      } else {
        const taskIdx = m.findIndex((e, j) => j > 0 && String(e.exec_act).startsWith("do_"));
        m[taskIdx]!.wid = "OTHER";
        m.push(E.error("inj", [String(m[taskIdx]!.jti)], null));
        code = "ATD_WID_MISMATCH";
      }
      const res = replayAtdEcts(m);
      assert.ok(res.findings.some((f) => f.code === code), `${code}: ${JSON.stringify(res.findings)}`);
    }
  });
});
