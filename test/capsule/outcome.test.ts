/**
 * Outcome statements (§3.3): build and verify the payload, correlate with the
 * original Capsule by subject and decision id (never by mutating it), and sign /
 * verify them as COSE_Sign1 statements with statement type "outcome", the outcome
 * media type and the action's `sub`.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  CapsuleFieldValueError,
  CapsuleTimestampInvalidError,
  buildCapsule,
  buildOutcome,
  capsuleSubject,
  computeCapsuleId,
  computeOutcomeId,
  correlateOutcome,
  createCapsuleSigner,
  decodeCapsuleCoseSign1,
  getCapsulePublicKey,
  signCapsuleCose,
  signOutcomeCose,
  verifyCapsuleCose,
  verifyOutcome,
  verifyOutcomeCose,
  type CapsuleOutcome,
  type CorrelateOutcomeReturnType,
  type SignOutcomeCoseParameters,
} from "../../sdk/capsule/index.js";
import { Encoder, Tag } from "cbor-x";
import { p256 } from "@noble/curves/nist.js";
import { D } from "./fixtures.js";

const enc = new Encoder({ useRecords: false, mapsAsObjects: false, tagUint8Array: false, variableMapSize: true } as ConstructorParameters<typeof Encoder>[0]);
const cbor = (v: unknown) => new Uint8Array(enc.encode(v));
const agentKey = new Uint8Array(32).fill(3);
const bankKey = new Uint8Array(32).fill(5);
const action = buildCapsule({
  action_id: "pay-9",
  action_type: "decide",
  operator: "acme",
  developer: "ap-agent@2",
  timestamp: "2026-06-01T12:00:00Z",
  decision_id: "dec-9",
  effect: { type: "send_payment", status: "confirmed", request_digest: D("a"), response_digest: D("b"), external_ref: "bank:wire/88123", effect_attestation: "gate_executed" },
  disposition: { decision: "accept", approver: "human", human_disposed: true, verdict_class: "executed" },
});

function reversal(over: Partial<CapsuleOutcome> = {}): CapsuleOutcome {
  return buildOutcome({
    outcome_type: "reversal",
    operator: "acme",
    action_id: "pay-9",
    observer: "bank-gateway@1",
    timestamp: "2026-06-03T08:00:00Z",
    decision_id: "dec-9",
    capsule_id: action.capsule_id,
    external_ref: "bank:wire/88123",
    evidence_digest: D("e"),
    ...over,
  });
}

describe("outcome payloads", () => {
  it("builds with a recomputable outcome_id and verifies", () => {
    const o = reversal();
    assert.equal(o.outcome_id, computeOutcomeId(o));
    assert.equal(o.spec_version, "draft-mih-scitt-agent-action-capsule-01");
    assert.deepEqual(verifyOutcome(o), { ok: true, issues: [], outcomeId: o.outcome_id });
  });
  it("refuses an unknown outcome type and a bad timestamp", () => {
    assert.throws(() => reversal({ outcome_type: "refund" as never }), (e: unknown) => e instanceof CapsuleFieldValueError && e.path === "/outcome_type");
    assert.throws(() => reversal({ timestamp: "yesterday" }), CapsuleTimestampInvalidError);
  });
  it("detects a changed outcome", () => {
    const r = verifyOutcome({ ...reversal(), outcome_type: "confirmation" });
    assert.deepEqual(r.issues.map((i) => `${i.code}:${i.path}`), ["CAPSULE_OUTCOME_ID_MISMATCH:/outcome_id"]);
  });
  it("never throws", () => {
    for (const x of [null, 1, [], { outcome_id: 1.5 }]) assert.equal(verifyOutcome(x).ok, false);
  });
});

describe("correlation by subject and decision id", () => {
  it("correlates with the original, whose capsule_id is unchanged", () => {
    const before = computeCapsuleId(action);
    assert.deepEqual(correlateOutcome(reversal(), action), { ok: true, issues: [] });
    assert.equal(computeCapsuleId(action), before);
  });
  it("reports another subject, another decision, another capsule", () => {
    assert.deepEqual(correlateOutcome(reversal({ action_id: "pay-10" }), action).issues.map((i) => i.code), ["CAPSULE_OUTCOME_SUBJECT_MISMATCH"]);
    assert.deepEqual(correlateOutcome(reversal({ decision_id: "dec-10" }), action).issues.map((i) => i.code), ["CAPSULE_OUTCOME_DECISION_MISMATCH"]);
    assert.deepEqual(correlateOutcome(reversal({ capsule_id: D("0") }), action).issues.map((i) => i.code), ["CAPSULE_ID_MISMATCH"]);
  });
});

describe("outcome Signed Statements", () => {
  it("round trip: an independent observer signs; sub equals the action's sub", async () => {
    const actionStatement = await signCapsuleCose(action, { signer: createCapsuleSigner(agentKey) });
    const outcomeStatement = await signOutcomeCose(reversal(), { signer: createCapsuleSigner(bankKey, { kid: "bank-1" }) });
    const a = await verifyCapsuleCose(actionStatement, { publicKey: getCapsulePublicKey(agentKey) });
    const o = await verifyOutcomeCose(outcomeStatement, { publicKey: getCapsulePublicKey(bankKey), capsule: action });
    assert.equal(a.ok, true);
    assert.equal(o.ok, true, o.error?.message);
    assert.equal(o.claims?.sub, a.header?.claims.sub);
    assert.equal(o.claims?.sub, capsuleSubject("acme", "pay-9"));
    assert.equal(o.claims?.iss, "bank-gateway@1");
    assert.equal(o.claims?.capsule_statement_type, "outcome");
    assert.equal(o.claims?.capsule_decision_id, "dec-9");
    assert.equal(decodeCapsuleCoseSign1(outcomeStatement).protectedHeader.get(3), "application/agent-action-capsule-outcome+json");
  });
  it("an outcome statement is not accepted as a Capsule statement, nor the reverse", async () => {
    const outcomeStatement = await signOutcomeCose(reversal(), { signer: createCapsuleSigner(bankKey) });
    assert.equal((await verifyCapsuleCose(outcomeStatement, { publicKey: getCapsulePublicKey(bankKey) })).error?.code, "CAPSULE_COSE_CONTENT_TYPE_MISMATCH");
    const actionStatement = await signCapsuleCose(action, { signer: createCapsuleSigner(agentKey) });
    assert.equal((await verifyOutcomeCose(actionStatement, { publicKey: getCapsulePublicKey(agentKey) })).error?.code, "CAPSULE_COSE_CONTENT_TYPE_MISMATCH");
  });
  it("an outcome about another action fails correlation", async () => {
    const s = await signOutcomeCose(reversal({ action_id: "pay-10" }), { signer: createCapsuleSigner(bankKey) });
    const r = await verifyOutcomeCose(s, { publicKey: getCapsulePublicKey(bankKey), capsule: action });
    assert.equal(r.error?.code, "CAPSULE_COSE_PAYLOAD_REJECTED");
    assert.deepEqual(r.issues.map((i) => i.code), ["CAPSULE_OUTCOME_SUBJECT_MISMATCH"]);
  });
  it("an outcome signed by another implementation with the raw template sub verifies (shared header/payload check, finding 5)", async () => {
    const o = buildOutcome({ outcome_type: "dispute", operator: "Acme Corp", action_id: "pay 9", observer: "bank-gateway@1", timestamp: "2026-06-03T08:00:00Z" });
    const payload = new TextEncoder().encode(JSON.stringify(o));
    const claims = new Map<string | number, unknown>([[1, o.observer], [2, "urn:agent-action-capsule:Acme Corp:pay 9"], ["capsule_statement_type", "outcome"]]);
    const pb = cbor(new Map<string | number, unknown>([[1, -7], [3, "application/agent-action-capsule-outcome+json"], [15, claims]]));
    const sig = p256.sign(cbor(["Signature1", pb, new Uint8Array(0), payload]), bankKey, { prehash: true });
    const r = await verifyOutcomeCose(cbor(new Tag([pb, new Map(), payload, sig], 18)), { publicKey: getCapsulePublicKey(bankKey) });
    assert.equal(r.ok, true, r.error?.message);
    claims.set(2, "urn:agent-action-capsule:Acme Corp:pay 10");
    const pb2 = cbor(new Map<string | number, unknown>([[1, -7], [3, "application/agent-action-capsule-outcome+json"], [15, claims]]));
    const sig2 = p256.sign(cbor(["Signature1", pb2, new Uint8Array(0), payload]), bankKey, { prehash: true });
    const bad = await verifyOutcomeCose(cbor(new Tag([pb2, new Map(), payload, sig2], 18)), { publicKey: getCapsulePublicKey(bankKey) });
    assert.equal(bad.error?.code, "CAPSULE_COSE_SUBJECT_MISMATCH");
    assert.equal(bad.error?.path, "/0/15/2");
  });
  it("a float written as 2.0 in an outcome payload is reported once, with its path", async () => {
    const o = reversal();
    const payload = new TextEncoder().encode(JSON.stringify(o).replace(/^\{/, '{"com.example.amount":2.0,'));
    const claims = new Map<string | number, unknown>([[1, o.observer], [2, capsuleSubject(o.operator, o.action_id)], ["capsule_statement_type", "outcome"]]);
    const pb = cbor(new Map<string | number, unknown>([[1, -7], [3, "application/agent-action-capsule-outcome+json"], [15, claims]]));
    const sig = p256.sign(cbor(["Signature1", pb, new Uint8Array(0), payload]), bankKey, { prehash: true });
    const r = await verifyOutcomeCose(cbor(new Tag([pb, new Map(), payload, sig], 18)), { publicKey: getCapsulePublicKey(bankKey) });
    assert.equal(r.error?.code, "CAPSULE_COSE_PAYLOAD_REJECTED");
    assert.deepEqual(r.issues.map((i) => `${i.code}:${i.path}`), ["CAPSULE_JSON_FLOAT:/com.example.amount", "CAPSULE_OUTCOME_ID_MISMATCH:/outcome_id"]);
  });
  it("signOutcomeCose takes SignOutcomeCoseParameters (issuedAt as a Date or seconds)", async () => {
    const parameters: SignOutcomeCoseParameters = { signer: createCapsuleSigner(bankKey), issuedAt: new Date("2026-06-03T08:00:09Z") };
    const r = await verifyOutcomeCose(await signOutcomeCose(reversal(), parameters), { publicKey: getCapsulePublicKey(bankKey) });
    assert.equal(r.claims?.iat, Math.floor(Date.parse("2026-06-03T08:00:09Z") / 1000));
    const corr: CorrelateOutcomeReturnType = correlateOutcome(reversal(), action);
    assert.deepEqual(corr, { ok: true, issues: [] });
  });
  it("a wrong key is a bad signature", async () => {
    const s = await signOutcomeCose(reversal(), { signer: createCapsuleSigner(bankKey) });
    assert.equal((await verifyOutcomeCose(s, { publicKey: getCapsulePublicKey(agentKey) })).error?.code, "CAPSULE_COSE_BAD_SIGNATURE");
  });
});
