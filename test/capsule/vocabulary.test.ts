/**
 * Vocabularies and small rules: the seeded registry contents (§12.1, verbatim), the
 * derived verdict-class sets (§5.4.2, §5.4.4), the attestation grade floor (§5.2),
 * the namespacing convention (§9.1), timestamps (§5.1), and the error classes
 * (every code has a typed class extending the SDK base).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AgentExecError } from "../../sdk/errors.js";
import * as sdk from "../../sdk/index.js";
import * as capsuleArea from "../../sdk/capsule/index.js";
import { capsuleErrorClass, capsuleErrorFromIssue } from "../../sdk/capsule/errors.js";
import {
  CAPSULE_CHAIN_RELATIONS,
  CAPSULE_DECISIONS,
  CAPSULE_EFFECT_ATTESTATIONS,
  CAPSULE_EFFECT_TYPES,
  CAPSULE_ERROR_CODES,
  CAPSULE_IRREVERSIBILITY_CLASSES,
  CAPSULE_NEVER_DISPATCH_VERDICT_CLASSES,
  CAPSULE_OPEN_ITEM_VERDICT_CLASSES,
  CAPSULE_VERDICT_CLASSES,
  CapsuleError,
  allowedEffectModesForVerdictClass,
  capsuleTimestampToMillis,
  gradeEffectAttestation,
  isBareUnseededName,
  isCapsuleError,
  isCapsuleRegisteredValue,
  isCapsuleSnakeCaseCategory,
  isCapsuleTimestamp,
  isNamespacedName,
} from "../../sdk/capsule/index.js";

describe("registries (§12.1 seeded contents)", () => {
  it("are the profile's values, verbatim and in order", () => {
    assert.deepEqual(CAPSULE_VERDICT_CLASSES, ["executed", "blocked", "hitl_dispatched", "denied", "timeout", "errored", "engine_failure", "deferred", "needs_decision", "expired", "escalated", "resolved"]);
    assert.deepEqual(CAPSULE_DECISIONS, ["accept", "reject", "needs_input", "deferred"]);
    assert.deepEqual(CAPSULE_EFFECT_TYPES, ["write_order", "send_payment"]);
    assert.deepEqual(CAPSULE_IRREVERSIBILITY_CLASSES, ["two_way", "one_way_recoverable", "one_way_consequential", "one_way_terminal"]);
    assert.deepEqual(CAPSULE_EFFECT_ATTESTATIONS, ["gate_executed", "runtime_claimed"]);
    assert.deepEqual(CAPSULE_CHAIN_RELATIONS, ["supersedes"]);
  });
  it("accept additions (values registered later) without changing the seeded lists", () => {
    assert.equal(isCapsuleRegisteredValue("chain.relation", "amends"), false);
    assert.equal(isCapsuleRegisteredValue("chain.relation", "amends", { "chain.relation": ["amends"] }), true);
    assert.equal(isCapsuleRegisteredValue("verdict_class", 5), false);
  });
});

describe("verdict-class sets", () => {
  it("never-dispatch (§5.4.2) and open items (§5.4.4)", () => {
    assert.deepEqual([...CAPSULE_NEVER_DISPATCH_VERDICT_CLASSES].sort(), ["blocked", "deferred", "denied", "engine_failure", "escalated", "expired", "hitl_dispatched", "needs_decision", "resolved"]);
    assert.deepEqual([...CAPSULE_OPEN_ITEM_VERDICT_CLASSES].sort(), ["blocked", "deferred", "escalated", "hitl_dispatched", "needs_decision"]);
  });
  it("pairings", () => {
    assert.deepEqual(allowedEffectModesForVerdictClass("blocked"), ["not_applicable"]);
    assert.deepEqual(allowedEffectModesForVerdictClass("errored"), ["dispatched_unconfirmed"]);
    assert.deepEqual(allowedEffectModesForVerdictClass("timeout"), ["not_applicable", "dispatched_unconfirmed"]);
    assert.equal(allowedEffectModesForVerdictClass("executed"), undefined);
    assert.equal(allowedEffectModesForVerdictClass("com.example.new"), undefined);
  });
});

describe("effect_attestation grade floor (§5.2)", () => {
  it("unknown never grades up", () => {
    assert.equal(gradeEffectAttestation("gate_executed"), "gate_executed");
    assert.equal(gradeEffectAttestation("runtime_claimed"), "runtime_claimed");
    assert.equal(gradeEffectAttestation("tee_attested"), "runtime_claimed");
    assert.equal(gradeEffectAttestation(7), "runtime_claimed");
    assert.equal(gradeEffectAttestation(undefined), null);
  });
});

describe("namespacing (§9.1) and categories (§8.1)", () => {
  it("URI and reverse-DNS prefixes are namespaced; bare names are not (none are seeded)", () => {
    for (const n of ["com.example.margin_floor", "eu.ai_act.art12", "urn:example:check", "https://example.com/checks/x"]) assert.equal(isNamespacedName(n), true, n);
    for (const n of ["margin_floor", "sox", "", "a b"]) assert.equal(isBareUnseededName(n), true, n);
  });
  it("lowercase snake_case categories", () => {
    assert.equal(isCapsuleSnakeCaseCategory("exact_compare"), true);
    assert.equal(isCapsuleSnakeCaseCategory("com.example.margin_floor"), true);
    assert.equal(isCapsuleSnakeCaseCategory("ExactCompare"), false);
    assert.equal(isCapsuleSnakeCaseCategory("com.Example.margin_floor"), false);
  });
});

describe("timestamps (§5.1)", () => {
  it("RFC 3339 UTC with a Z suffix", () => {
    for (const t of ["2026-06-01T12:00:00Z", "2026-06-01T12:00:00.123456789Z", "2024-02-29T00:00:00Z", "2016-12-31T23:59:60Z"]) assert.equal(isCapsuleTimestamp(t), true, t);
    for (const t of ["2026-06-01T12:00:00", "2026-06-01T12:00:00+00:00", "2025-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-06-01T12:60:00Z", "2026-06-01T12:00:00.Z", 1780000000]) assert.equal(isCapsuleTimestamp(t), false, String(t));
  });
  it("converts to milliseconds", () => {
    assert.equal(capsuleTimestampToMillis("2026-06-01T12:00:00.250Z"), Date.UTC(2026, 5, 1, 12, 0, 0, 250));
    assert.ok(Number.isNaN(capsuleTimestampToMillis("nope")));
  });
});

describe("error classes", () => {
  it("every code has a typed class extending the SDK base, carrying code and path", () => {
    for (const code of CAPSULE_ERROR_CODES) {
      const Cls = capsuleErrorClass(code);
      const e = new Cls({ path: "/x", details: "d" });
      assert.ok(e instanceof CapsuleError && e instanceof AgentExecError && e instanceof Error);
      assert.equal(e.code, code);
      assert.equal(e.path, "/x");
      assert.equal(e.name, Cls.name);
      assert.match(e.message, /Path: \/x/);
      assert.equal(isCapsuleError(e, code), true);
    }
    assert.equal(new Set(CAPSULE_ERROR_CODES.map((c) => capsuleErrorClass(c))).size, CAPSULE_ERROR_CODES.length);
  });
  it("an issue maps to its class", () => {
    const e = capsuleErrorFromIssue({ code: "CAPSULE_EFFECT_CONFIRMED_UNBOUND", severity: "error", path: "/effect/response_digest", message: "m" });
    assert.equal(e.name, "CapsuleEffectConfirmedUnboundError");
    assert.equal(e.details, "m");
    assert.equal(isCapsuleError(new Error("x")), false);
  });
});

describe("public entry", () => {
  it("sdk/index re-exports the whole capsule surface", () => {
    for (const [name, value] of Object.entries(capsuleArea)) {
      assert.equal((sdk as Record<string, unknown>)[name], value, name);
    }
  });
});
