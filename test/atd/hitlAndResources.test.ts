/**
 * HITL escalation rules (draft-atd-agent-task-dag-01 §Interaction with HITL,
 * §HITL Escalation on Error) and resource hints (§Resource Hints).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  ATD_CRITICAL_ERROR_HITL_RULE,
  ATD_CRITICAL_SCHEDULING_DEADLINE_S,
  ATD_HITL_LEVEL_NAMES,
  ATD_LOW_PRIORITY_MAX_WAIT_S,
  AtdExtFieldTypeError,
  AtdExtFieldValueError,
  assertAtdEct,
  atdEscalationsForError,
  atdEscalationsForRollbackResult,
  atdPriorityQosClass,
  atdResourceHintsToConstraints,
  decideAtdUnsatisfiedHints,
  parseAtdResourceConstraints,
  readAtdResourceConstraints,
} from "../../sdk/atd/index.js";
import { E, FIG } from "./helpers.js";

describe("HITL escalation rules", () => {
  it("names the companion levels", () => {
    assert.deepEqual(ATD_HITL_LEVEL_NAMES, { 1: "PAUSE", 2: "APPROVAL_REQUIRED", 3: "STOP" });
  });
  it("the recommended critical-error rule is fig-error-hitl verbatim", () => {
    assert.deepEqual(JSON.parse(JSON.stringify(ATD_CRITICAL_ERROR_HITL_RULE)), {
      id: "r-critical-error",
      trigger: { kind: "keyword_match", op: "eq", value: "critical", input_ref: "atd.severity" },
      required_role: "operator:oncall",
      action: "escalate",
      allow_override: true,
      override_action: "continue",
    });
  });
  it("critical error: SHOULD escalate; lower severities do not", () => {
    assert.deepEqual(atdEscalationsForError(assertAtdEct(FIG.error)).map((e) => [e.trigger, e.requirement, e.level, e.nodes]), [
      ["critical_error", "SHOULD", undefined, ["failed-action-ect-uuid"]],
    ]);
    for (const s of ["info", "warning", "error"]) assert.deepEqual(atdEscalationsForError(assertAtdEct(E.error("e", ["a"], null, s))), []);
  });
  it("error on an irreversible checkpoint: MUST Level 2; a reversible one: nothing", () => {
    const irr = assertAtdEct(E.ckpt("c", ["a"], false));
    assert.deepEqual(atdEscalationsForError(assertAtdEct(E.error("e", ["a"], "c")), { checkpoint: irr }).map((e) => [e.trigger, e.requirement, e.level]), [
      ["irreversible_failure", "MUST", 2],
    ]);
    assert.deepEqual(atdEscalationsForError(assertAtdEct(E.error("e", ["a"], "c")), { checkpoint: assertAtdEct(E.ckpt("c", ["a"], true)) }), []);
  });
  it("timeout error whose parent is a rollback request: MUST (rollback timeout)", () => {
    const q = assertAtdEct(E.req("q", "c"));
    const err = assertAtdEct(E.error("t", ["q"], "c", "error", {}, "timeout"));
    assert.deepEqual(atdEscalationsForError(err, { parents: [q] }).map((e) => [e.trigger, e.requirement]), [["rollback_timeout", "MUST"]]);
    assert.deepEqual(atdEscalationsForError(err, { parents: [assertAtdEct(E.task("x"))] }), []);
  });
  it("rollback results: failed -> MUST L3 on the workflow; escalated -> MUST; completed/partial -> none", () => {
    assert.deepEqual(atdEscalationsForRollbackResult(assertAtdEct(E.res("s", "q", "c", "failed")), ["a"]).map((e) => [e.trigger, e.level, e.scope, e.nodes]), [
      ["rollback_failed", 3, "workflow", ["a"]],
    ]);
    assert.deepEqual(atdEscalationsForRollbackResult(assertAtdEct(E.res("s", "q", "c", "escalated"))).map((e) => e.trigger), ["rollback_escalated"]);
    assert.deepEqual(atdEscalationsForRollbackResult(assertAtdEct(E.res("s", "q", "c", "completed"))), []);
    assert.deepEqual(atdEscalationsForRollbackResult(assertAtdEct(E.res("s", "q", "c", "partial"))), []);
  });
  it("non-matching ECT kinds give no escalation", () => {
    assert.deepEqual(atdEscalationsForError(assertAtdEct(E.task("x"))), []);
    assert.deepEqual(atdEscalationsForRollbackResult(assertAtdEct(E.task("x"))), []);
  });
});

describe("resource hints", () => {
  it("reads fig-resources constraints", () => {
    const c = { "atd.resource_cpu": "2", "atd.resource_memory_mb": 4096, "atd.resource_timeout_s": 300, "atd.resource_priority": "high", "atd.resource_gpu": "0", "atd.resource_network_mbps": 100, other: true };
    const hints = parseAtdResourceConstraints(c);
    assert.deepEqual(hints, { cpu: "2", memory_mb: 4096, timeout_s: 300, priority: "high", gpu: "0", network_mbps: 100 });
    const { other: _o, ...atdOnly } = c;
    assert.deepEqual(atdResourceHintsToConstraints(hints), atdOnly);
  });
  it("rejects a priority outside critical/high/normal/low and bad numbers, naming the member", () => {
    const r = readAtdResourceConstraints({ "atd.resource_priority": "urgent", "atd.resource_timeout_s": "300" });
    assert.deepEqual(r.findings.map((f) => [f.code, f.path]), [
      ["ATD_EXT_BAD_TYPE", 'constraints["atd.resource_timeout_s"]'],
      ["ATD_EXT_BAD_VALUE", 'constraints["atd.resource_priority"]'],
    ]);
    assert.throws(() => parseAtdResourceConstraints({ "atd.resource_priority": "urgent" }), AtdExtFieldValueError);
    assert.throws(() => parseAtdResourceConstraints({ "atd.resource_memory_mb": "4096" }), AtdExtFieldTypeError);
    assert.equal(readAtdResourceConstraints(null).valid, false);
  });
  it("maps priorities to QoS classes (§Priority Levels)", () => {
    assert.deepEqual(
      (["critical", "high", "normal", "low"] as const).map(atdPriorityQosClass),
      ["Guaranteed", "Burstable", "Burstable", "BestEffort"],
    );
  });
  it("unsatisfiable hints: critical pre-empts, then errors and escalates after 60 s; others degrade", () => {
    assert.equal(ATD_CRITICAL_SCHEDULING_DEADLINE_S, 60);
    assert.equal(ATD_LOW_PRIORITY_MAX_WAIT_S, 300);
    assert.deepEqual(decideAtdUnsatisfiedHints({ priority: "critical", waitedS: 10 }), { action: "preempt", deadlineInS: 50 });
    assert.deepEqual(decideAtdUnsatisfiedHints({ priority: "critical", waitedS: 60 }), {
      action: "error_and_escalate",
      error: { severity: "critical", error_type: "resource_exhausted" },
    });
    for (const p of ["high", "normal", "low", undefined] as const)
      assert.deepEqual(decideAtdUnsatisfiedHints({ priority: p, waitedS: 1000 }), {
        action: "proceed_degraded",
        error: { severity: "warning", error_type: "resource_exhausted" },
      });
  });
});
