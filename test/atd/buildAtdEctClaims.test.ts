/**
 * Building ATD claims (buildAtdEctClaims, buildAtdRollbackTimeoutError):
 * draft-atd-agent-task-dag-01 §Checkpoint exec_act Table, §Rollback Timeout.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  AtdForbiddenMemberError,
  AtdExtFieldValueError,
  AtdExtFieldTypeError,
  AtdParRequiredError,
  buildAtdEctClaims,
  buildAtdRollbackTimeoutError,
  validateAtdEct,
} from "../../sdk/atd/index.js";
import { FIG, URI } from "./helpers.js";

describe("buildAtdEctClaims", () => {
  it("an extra member named __proto__ (at any depth) is AtdForbiddenMemberError; ext keeps Object.prototype", () => {
    const base = { act: "atd:circuit_close" as const, downstream_agent: "a", cooldown_s: 30 };
    assert.throws(() => buildAtdEctClaims({ ...base, extra: JSON.parse('{"__proto__":{"atd.cooldown_s":1}}') }), (e: unknown) => e instanceof AtdForbiddenMemberError && e.path === "ext.__proto__");
    assert.throws(() => buildAtdEctClaims({ ...base, extra: JSON.parse('{"com.x":[{"__proto__":1}]}') }), AtdForbiddenMemberError);
    const ok = buildAtdEctClaims({ ...base, extra: { "com.x": 1, constructor: "c" } });
    assert.equal(Object.getPrototypeOf(ok.ext), Object.prototype);
    assert.deepEqual(Object.keys(ok.ext), ["com.x", "constructor", "atd.downstream_agent", "atd.cooldown_s"]);
  });

  it("reproduces the checkpoint figure's claims (par, ext, out_hash)", () => {
    const claims = buildAtdEctClaims({
      act: "atd:checkpoint",
      par: ["action-ect-uuid"],
      out_hash: "sha256-of-agent-state-snapshot",
      reversible: true,
      rollback_uri: URI,
      target: "router-07.example.com",
      description: "Update BGP peer config",
      ttl: 86400,
    });
    const { jti: _j, ...expected } = FIG.checkpoint;
    assert.deepEqual(claims, expected);
  });

  it("reproduces the rollback result figure", () => {
    const claims = buildAtdEctClaims({
      act: "atd:rollback_result",
      par: ["rollback-request-uuid"],
      out_hash: "sha256-of-restored-state",
      status: "completed",
      checkpoint_id: "ckpt-uuid",
      cascaded: [
        { agent: "spiffe://example.com/agent/c", status: "completed" },
        { agent: "spiffe://example.com/agent/d", status: "escalated" },
      ],
    });
    const { jti: _j, ...expected } = FIG.rollbackResult;
    assert.deepEqual(claims, expected);
  });

  it("builds every exec_act into claims the validator accepts", () => {
    const all = [
      buildAtdEctClaims({ act: "atd:error", par: ["a"], severity: "warning", error_type: "timeout", checkpoint_id: null }),
      buildAtdEctClaims({ act: "atd:circuit_open", downstream_agent: "spiffe://x/b", error_rate: 0.75, window_s: 60 }),
      buildAtdEctClaims({ act: "atd:circuit_close", downstream_agent: "spiffe://x/b", cooldown_s: 30 }),
      buildAtdEctClaims({ act: "atd:rollback_request", par: ["c"], reason: "x", cascade: false }),
      buildAtdEctClaims({ act: "atd:workflow_start", wf_id: "w", description: "d", node_count: 3 }),
      buildAtdEctClaims({ act: "atd:workflow_complete", par: ["s"], wf_id: "w", terminal_status: "partial", elapsed_s: 1.5 }),
    ];
    for (const [i, c] of all.entries()) assert.ok(validateAtdEct({ jti: `j${i}`, ...c }).valid, JSON.stringify(c));
  });

  it("copies par (later changes to the input do not leak in)", () => {
    const par = ["a"];
    const c = buildAtdEctClaims({ act: "atd:error", par, severity: "info", error_type: "unknown", checkpoint_id: null });
    par.push("b");
    assert.deepEqual(c.par, ["a"]);
  });

  it("merges extra ext members", () => {
    const c = buildAtdEctClaims({ act: "atd:circuit_close", downstream_agent: "d", cooldown_s: 30, extra: { "com.example.k": 1 } });
    assert.equal(c.ext["com.example.k"], 1);
  });

  it("refuses extra members that override ATD fields", () => {
    assert.throws(
      () => buildAtdEctClaims({ act: "atd:circuit_close", downstream_agent: "d", cooldown_s: 30, extra: { "atd.cooldown_s": 1 } }),
      (e: unknown) => e instanceof AtdExtFieldValueError && e.path === 'ext["atd.cooldown_s"]',
    );
  });

  it("throws the typed error of an invalid field", () => {
    assert.throws(
      () => buildAtdEctClaims({ act: "atd:error", par: ["a"], severity: "fatal" as never, error_type: "timeout", checkpoint_id: null }),
      (e: unknown) => e instanceof AtdExtFieldValueError && e.code === "ATD_EXT_BAD_VALUE" && e.path === 'ext["atd.severity"]',
    );
    assert.throws(
      () => buildAtdEctClaims({ act: "atd:checkpoint", par: ["a"], reversible: "yes" as never, rollback_uri: URI, ttl: 1 }),
      (e: unknown) => e instanceof AtdExtFieldTypeError && e.path === 'ext["atd.reversible"]',
    );
    assert.throws(
      () => buildAtdEctClaims({ act: "atd:rollback_request", reason: "x", cascade: true }),
      (e: unknown) => e instanceof AtdParRequiredError && e.code === "ATD_PAR_REQUIRED",
    );
  });
});

describe("buildAtdRollbackTimeoutError (§Rollback Timeout and Escalation)", () => {
  it("is an atd:error of type timeout whose description notes the rollback timeout", () => {
    const c = buildAtdRollbackTimeoutError({ rollbackRequestJti: "req", checkpointId: "ckpt", timeoutS: 43200 });
    assert.equal(c.exec_act, "atd:error");
    assert.deepEqual(c.par, ["req"]);
    assert.equal(c.ext["atd.error_type"], "timeout");
    assert.equal(c.ext["atd.checkpoint_id"], "ckpt");
    assert.match(String(c.ext["atd.description"]), /rollback timeout/);
    assert.match(String(c.ext["atd.description"]), /43200/);
    assert.ok(validateAtdEct({ jti: "e", ...c }).valid);
  });
});
