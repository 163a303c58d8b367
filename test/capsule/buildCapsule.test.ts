/**
 * The builder refuses every non-conforming Capsule with the typed error of the
 * invariant and its path (one test per invariant), derives the assurance modes, and
 * what it builds verifies clean.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  CapsuleAssuranceOverclaimError,
  CapsuleAssuranceUnderclaimError,
  CapsuleAssuranceUnderstatedError,
  CapsuleBareNameError,
  CapsuleDigestInputConflictError,
  CapsuleDispositionDishonestError,
  CapsuleEffectAttestationForbiddenError,
  CapsuleEffectAttestationMissingError,
  CapsuleEffectBindingError,
  CapsuleEffectConfirmedUnboundError,
  CapsuleError,
  CapsuleExpiryPolicyInvalidError,
  CapsuleFieldMissingError,
  CapsuleFieldTypeError,
  CapsuleFieldValueError,
  CapsuleFormatVersionUnsupportedError,
  CapsuleIdMismatchError,
  CapsuleJsonFloatError,
  CapsuleJsonUnsafeIntegerError,
  CapsuleNotObjectError,
  CapsuleReasonDigestEmptyError,
  CapsuleSelectiveDisclosureUnsupportedError,
  CapsuleTimestampInvalidError,
  CapsuleUnregisteredValueError,
  CapsuleVerdictEffectConflictError,
  CapsuleVerdictErroredConfirmedError,
  CapsuleVerdictErroredUndispatchedError,
  buildCapsule,
  chainToCapsule,
  computeCapsuleId,
  createDisposition,
  jsonDigest,
  verifyCapsuleSync,
  type BuildCapsuleOptions,
  type CapsuleDraft,
} from "../../sdk/capsule/index.js";
import { D } from "./fixtures.js";

const base = (): CapsuleDraft => ({
  action_id: "po-7",
  action_type: "decide",
  operator: "acme",
  developer: "po-agent@1",
  timestamp: "2026-06-01T12:00:00Z",
  effect: { type: "write_order", status: "confirmed", request_digest: D("a"), response_digest: D("b"), effect_attestation: "gate_executed" },
  disposition: { decision: "accept", approver: "human", human_disposed: true, verdict_class: "executed" },
});

type AnyDraft = Record<string, any>;
function refuses(mutateDraft: (d: AnyDraft) => void, Cls: new (...a: never[]) => CapsuleError, code: string, path: string, options: BuildCapsuleOptions = {}): void {
  const d = structuredClone(base()) as AnyDraft;
  mutateDraft(d);
  assert.throws(
    () => buildCapsule(d as CapsuleDraft, options),
    (e: unknown) => {
      assert.ok(e instanceof Cls, `expected ${Cls.name}, got ${(e as Error)?.name}: ${(e as Error)?.message}`);
      assert.equal((e as CapsuleError).code, code);
      assert.equal((e as CapsuleError).path, path);
      return true;
    },
  );
}

describe("buildCapsule produces conforming Capsules", () => {
  it("computes capsule_id, versions and derived assurance; the result verifies clean", () => {
    const c = buildCapsule(base());
    assert.equal(c.spec_version, "draft-mih-scitt-agent-action-capsule-01");
    assert.equal(c.format_version, "2");
    assert.equal(c.capsule_id, computeCapsuleId(c));
    assert.deepEqual(c.assurance, { attestation_mode: "self_attested", effect_mode: "confirmed", ledger_mode: "standalone" });
    const r = verifyCapsuleSync(c);
    assert.equal(r.ok, true);
    assert.deepEqual(r.findings, []);
  });
  it("normalizes absent fields away and sorts members", () => {
    const c = buildCapsule({ ...base(), decision_id: undefined, constraints: [], compliance: { framework_tags: [] } });
    assert.equal("constraints" in c, false);
    assert.equal("compliance" in c, false);
    assert.deepEqual(Object.keys(c), [...Object.keys(c)].sort());
  });
  it("binds observed request, response and reason by their JSON-DIGEST", () => {
    const request = { amount: "12.50", currency: "EUR" };
    const response = { status: "ok", id: "PO-9" };
    const reason = { constraint: "com.example.cap", threshold: "10.00", observed: "12.50" };
    const d = base() as AnyDraft;
    delete d.effect.request_digest;
    delete d.effect.response_digest;
    d.disposition = { decision: "accept", approver: "human", human_disposed: true };
    const c = buildCapsule(d as CapsuleDraft, { observed: { request, response, reason } });
    assert.equal(c.effect?.request_digest, jsonDigest(request));
    assert.equal(c.effect?.response_digest, jsonDigest(response));
    assert.equal(c.disposition?.reason_digest, jsonDigest(reason));
  });
  it("formats a Date timestamp as RFC 3339 UTC Z", () => {
    assert.equal(buildCapsule({ ...base(), timestamp: new Date(Date.UTC(2026, 5, 1, 12)) }).timestamp, "2026-06-01T12:00:00.000Z");
  });
  it("derives chained only from a verified parent, anchored only with evidence on top", () => {
    const parent = buildCapsule({ ...base(), effect: undefined, disposition: { decision: "needs_input", approver: "policy", human_disposed: false, verdict_class: "hitl_dispatched" } });
    const child = buildCapsule({ ...base(), chain: chainToCapsule(parent) }, { parent });
    assert.equal(child.assurance.ledger_mode, "chained");
    assert.equal(child.chain?.parent_capsule_id, parent.capsule_id);
    const anchored = buildCapsule({ ...base(), chain: chainToCapsule(parent) }, { parent, anchor: { ledgerInclusionVerified: true, receiptVerified: true } });
    assert.equal(anchored.assurance.ledger_mode, "anchored");
    assert.equal(anchored.assurance.attestation_mode, "anchored");
  });
  it("§5.3 a chain block alone is not evidence: without the parent the linkage is not achieved, ledger_mode standalone", () => {
    const c = buildCapsule({ ...base(), chain: { parent_capsule_id: D("e"), relation: "supersedes" } });
    assert.equal(c.assurance.ledger_mode, "standalone");
    assert.equal(c.chain?.parent_capsule_id, D("e"));
    // a verifier with the store then finds the linkage and reports the understatement (info), not an overclaim
    assert.deepEqual(verifyCapsuleSync(c).findings.map((f) => f.code), ["CAPSULE_CHAIN_NOT_CHECKED"]);
  });
  it("accepts values registered later when given the registry contents", () => {
    const c = buildCapsule({ ...base(), effect: { ...base().effect!, type: "issue_refund" } }, { registries: { "effect.type": ["issue_refund"] } });
    assert.equal(c.effect?.type, "issue_refund");
  });
  it("merges payload-only extensions", () => {
    const c = buildCapsule(base(), { extensions: { "com.example.ticket": "T-1" } }) as unknown as Record<string, unknown>;
    assert.equal(c["com.example.ticket"], "T-1");
    assert.equal(verifyCapsuleSync(c).ok, true);
  });
});

describe("buildCapsule refuses (one invariant each)", () => {
  it("a non-object draft", () => assert.throws(() => buildCapsule(null as unknown as CapsuleDraft), CapsuleNotObjectError));
  it("an unknown member", () => refuses((d) => (d.dispositon = {}), CapsuleFieldValueError, "CAPSULE_FIELD_VALUE", "/dispositon"));
  it("a capsule_id in the draft", () => refuses((d) => (d.capsule_id = D("0")), CapsuleFieldValueError, "CAPSULE_FIELD_VALUE", "/capsule_id"));
  it("another spec_version", () => refuses((d) => (d.spec_version = "draft-mih-scitt-agent-action-capsule-00"), CapsuleFieldValueError, "CAPSULE_FIELD_VALUE", "/spec_version"));
  it("another format_version", () => refuses((d) => (d.format_version = "3"), CapsuleFormatVersionUnsupportedError, "CAPSULE_FORMAT_VERSION_UNSUPPORTED", "/format_version"));
  it("a missing REQUIRED field", () => refuses((d) => delete d.operator, CapsuleFieldMissingError, "CAPSULE_FIELD_MISSING", "/operator"));
  it("action_type outside fyi | decide", () => refuses((d) => (d.action_type = "act"), CapsuleFieldValueError, "CAPSULE_FIELD_VALUE", "/action_type"));
  it("a timestamp with an offset", () => refuses((d) => (d.timestamp = "2026-06-01T12:00:00+02:00"), CapsuleTimestampInvalidError, "CAPSULE_TIMESTAMP_INVALID", "/timestamp"));
  it("an invalid Date", () => refuses((d) => (d.timestamp = new Date(Number.NaN)), CapsuleTimestampInvalidError, "CAPSULE_TIMESTAMP_INVALID", "/timestamp"));
  it("decide without a disposition", () => refuses((d) => delete d.disposition, CapsuleFieldMissingError, "CAPSULE_FIELD_MISSING", "/disposition"));
  it("effect.status outside the vocabulary", () => refuses((d) => (d.effect.status = "done"), CapsuleFieldValueError, "CAPSULE_FIELD_VALUE", "/effect/status"));
  it("the confirmed-effect binding", () => refuses((d) => delete d.effect.response_digest, CapsuleEffectConfirmedUnboundError, "CAPSULE_EFFECT_CONFIRMED_UNBOUND", "/effect/response_digest"));
  it("planned with a response digest", () =>
    refuses((d) => {
      d.effect = { type: "write_order", status: "planned", response_digest: D("b") };
      d.disposition.verdict_class = "deferred";
    }, CapsuleEffectBindingError, "CAPSULE_EFFECT_BINDING", "/effect/response_digest"));
  it("dispatched with a response digest", () => refuses((d) => (d.effect.status = "dispatched"), CapsuleEffectBindingError, "CAPSULE_EFFECT_BINDING", "/effect/response_digest"));
  it("the attestation matrix: missing for a failed effect", () =>
    refuses((d) => (d.effect = { type: "write_order", status: "failed" }), CapsuleEffectAttestationMissingError, "CAPSULE_EFFECT_ATTESTATION_MISSING", "/effect/effect_attestation"));
  it("the planned carve: attestation on a planned effect", () =>
    refuses((d) => {
      d.effect = { type: "write_order", status: "planned", effect_attestation: "gate_executed" };
      d.disposition.verdict_class = "deferred";
    }, CapsuleEffectAttestationForbiddenError, "CAPSULE_EFFECT_ATTESTATION_FORBIDDEN", "/effect/effect_attestation"));
  it("a never-dispatch verdict class with an effect", () => refuses((d) => (d.disposition.verdict_class = "denied"), CapsuleVerdictEffectConflictError, "CAPSULE_VERDICT_EFFECT_CONFLICT", "/disposition/verdict_class"));
  it("resolved paired with an effect (executing closures are executed + supersedes)", () =>
    refuses((d) => (d.disposition.verdict_class = "resolved"), CapsuleVerdictEffectConflictError, "CAPSULE_VERDICT_EFFECT_CONFLICT", "/disposition/verdict_class"));
  it("errored without a dispatch", () =>
    refuses((d) => {
      delete d.effect;
      d.disposition.verdict_class = "errored";
    }, CapsuleVerdictErroredUndispatchedError, "CAPSULE_VERDICT_ERRORED_UNDISPATCHED", "/disposition/verdict_class"));
  it("the honesty invariant", () =>
    refuses((d) => (d.disposition.approver = "policy"), CapsuleDispositionDishonestError, "CAPSULE_DISPOSITION_DISHONEST", "/disposition/human_disposed"));
  it("errored with a confirmed effect (a verifier only warns; a producer records the stated pairing)", () =>
    refuses((d) => (d.disposition.verdict_class = "errored"), CapsuleVerdictErroredConfirmedError, "CAPSULE_VERDICT_ERRORED_CONFIRMED", "/disposition/verdict_class"));
  it("an approver outside the closed enum", () => refuses((d) => (d.disposition.approver = "agent"), CapsuleFieldValueError, "CAPSULE_FIELD_VALUE", "/disposition/approver"));
  it("authority as structure", () => refuses((d) => (d.disposition.authority = { id: 1 }), CapsuleFieldTypeError, "CAPSULE_FIELD_TYPE", "/disposition/authority"));
  it("an unregistered verdict_class", () => refuses((d) => (d.disposition.verdict_class = "done"), CapsuleUnregisteredValueError, "CAPSULE_UNREGISTERED_VALUE", "/disposition/verdict_class"));
  it("an unregistered chain relation", () =>
    refuses((d) => (d.chain = { parent_capsule_id: D("1"), relation: "amends" }), CapsuleUnregisteredValueError, "CAPSULE_UNREGISTERED_VALUE", "/chain/relation"));
  it("an overclaimed effect_mode", () =>
    refuses((d) => {
      d.effect = { type: "write_order", status: "dispatched", request_digest: D("a"), effect_attestation: "runtime_claimed" };
      d.assurance = { effect_mode: "confirmed" };
    }, CapsuleAssuranceOverclaimError, "CAPSULE_ASSURANCE_OVERCLAIM", "/assurance/effect_mode"));
  it("an understated effect_mode", () => refuses((d) => (d.assurance = { effect_mode: "not_applicable" }), CapsuleAssuranceUnderstatedError, "CAPSULE_ASSURANCE_UNDERSTATED", "/assurance/effect_mode"));
  it("ledger chained claimed without a chain block", () => refuses((d) => (d.assurance = { ledger_mode: "chained" }), CapsuleAssuranceOverclaimError, "CAPSULE_ASSURANCE_OVERCLAIM", "/assurance/ledger_mode"));
  it("ledger inclusion evidence without a chain block", () =>
    refuses(() => undefined, CapsuleAssuranceOverclaimError, "CAPSULE_ASSURANCE_OVERCLAIM", "/assurance/ledger_mode", { anchor: { ledgerInclusionVerified: true } }));
  it("attestation anchored claimed without a verified receipt", () =>
    refuses((d) => (d.assurance = { attestation_mode: "anchored" }), CapsuleAssuranceOverclaimError, "CAPSULE_ASSURANCE_OVERCLAIM", "/assurance/attestation_mode"));
  it("standalone claimed for a Capsule whose parent was verified (chained)", () => {
    const parent = buildCapsule(base());
    refuses((d) => {
      d.chain = { parent_capsule_id: parent.capsule_id, relation: "supersedes" };
      d.action_id = "po-8";
      d.assurance = { ledger_mode: "standalone" };
    }, CapsuleAssuranceUnderclaimError, "CAPSULE_ASSURANCE_UNDERCLAIM", "/assurance/ledger_mode", { parent });
  });
  it("§5.3 ledger_mode chained claimed with a chain block but no parent to verify it (finding 7)", () =>
    refuses((d) => {
      d.chain = { parent_capsule_id: D("1"), relation: "supersedes" };
      d.assurance = { ledger_mode: "chained" };
    }, CapsuleAssuranceOverclaimError, "CAPSULE_ASSURANCE_OVERCLAIM", "/assurance/ledger_mode"));
  it("ledger inclusion evidence with a chain block but no verified parent", () =>
    refuses((d) => (d.chain = { parent_capsule_id: D("1"), relation: "supersedes" }), CapsuleAssuranceOverclaimError, "CAPSULE_ASSURANCE_OVERCLAIM", "/assurance/ledger_mode", { anchor: { ledgerInclusionVerified: true } }));
  it("a parent that does not recompute, or is not the chain's parent", () => {
    const parent = buildCapsule(base());
    refuses((d) => (d.chain = { parent_capsule_id: parent.capsule_id, relation: "supersedes" }), CapsuleIdMismatchError, "CAPSULE_ID_MISMATCH", "/chain/parent_capsule_id", { parent: { ...parent, operator: "evil" } });
    refuses((d) => (d.chain = { parent_capsule_id: D("1"), relation: "supersedes" }), CapsuleIdMismatchError, "CAPSULE_ID_MISMATCH", "/chain/parent_capsule_id", { parent });
    refuses(() => undefined, CapsuleFieldMissingError, "CAPSULE_FIELD_MISSING", "/chain", { parent });
  });
  it("a float anywhere (monetary values are decimal strings)", () =>
    refuses(() => undefined, CapsuleJsonFloatError, "CAPSULE_JSON_FLOAT", "/com.example.amount", { extensions: { "com.example.amount": 12.5 } }));
  it("an unsafe integer", () =>
    refuses((d) => {
      delete d.effect;
      d.disposition = { decision: "deferred", approver: "human", human_disposed: true, verdict_class: "deferred", expiry_policy: { ttl_seconds: 2 ** 60, on_expiry: "expired" } };
    }, CapsuleJsonUnsafeIntegerError, "CAPSULE_JSON_UNSAFE_INTEGER", "/disposition/expiry_policy/ttl_seconds"));
  it("expiry_policy on a non-deferral", () =>
    refuses((d) => (d.disposition.expiry_policy = { ttl_seconds: 60, on_expiry: "escalated" }), CapsuleExpiryPolicyInvalidError, "CAPSULE_EXPIRY_POLICY_INVALID", "/disposition/expiry_policy"));
  it("a reason_digest of an empty reason", () =>
    refuses((d) => (d.disposition.reason_digest = jsonDigest({})), CapsuleReasonDigestEmptyError, "CAPSULE_REASON_DIGEST_EMPTY", "/disposition/reason_digest"));
  it("a prose reason", () => refuses(() => undefined, CapsuleFieldTypeError, "CAPSULE_FIELD_TYPE", "/disposition/reason_digest", { observed: { reason: "too expensive" } }));
  it("a response digest that is not the digest of the observed response", () =>
    refuses(() => undefined, CapsuleDigestInputConflictError, "CAPSULE_DIGEST_INPUT_CONFLICT", "/effect/response_digest", { observed: { response: { ok: true } } }));
  it("an observed response without an effect", () =>
    refuses((d) => delete d.effect, CapsuleFieldMissingError, "CAPSULE_FIELD_MISSING", "/effect", { observed: { response: { ok: true } } }));
  it("a bare unseeded constraint id (§9.1)", () =>
    refuses((d) => (d.constraints = [{ id: "margin_floor", result: "pass", severity: "high", blocking: true }]), CapsuleBareNameError, "CAPSULE_BARE_NAME", "/constraints/0/id"));
  it("a method that is not lowercase snake_case (§8.1)", () =>
    refuses(
      (d) => (d.constraints = [{ id: "com.example.margin_floor", method: "ExactCompare", result: "pass", severity: "high", blocking: true }]),
      CapsuleFieldValueError,
      "CAPSULE_FIELD_VALUE",
      "/constraints/0/method",
    ));
  it("a selective-disclosure member (§9.2)", () =>
    refuses(() => undefined, CapsuleSelectiveDisclosureUnsupportedError, "CAPSULE_SELECTIVE_DISCLOSURE_UNSUPPORTED", "/_sd", { extensions: { _sd: [] } }));
  it("an extension that collides with a profile member", () =>
    refuses(() => undefined, CapsuleFieldValueError, "CAPSULE_FIELD_VALUE", "/assurance", { extensions: { assurance: {} } }));
  it("a chain that does not name the given parent", () => {
    const parent = buildCapsule(base());
    refuses((d) => (d.chain = { parent_capsule_id: D("1"), relation: "supersedes" }), CapsuleIdMismatchError, "CAPSULE_ID_MISMATCH", "/chain/parent_capsule_id", { parent });
  });
  it("a tampered parent", () => {
    const parent = { ...buildCapsule(base()), operator: "evil" };
    refuses((d) => (d.chain = { parent_capsule_id: computeCapsuleId(parent), relation: "supersedes" }), CapsuleIdMismatchError, "CAPSULE_ID_MISMATCH", "/chain/parent_capsule_id", { parent });
  });
  it("a parent without a chain block", () => {
    const parent = buildCapsule(base());
    refuses(() => undefined, CapsuleFieldMissingError, "CAPSULE_FIELD_MISSING", "/chain", { parent });
  });
});

describe("createDisposition, the typed disposition carrier", () => {
  it("refuses human_disposed with a policy approver", () => {
    assert.throws(
      () => createDisposition({ decision: "accept", approver: "policy" as "human", humanDisposed: true }),
      (e: unknown) => e instanceof CapsuleDispositionDishonestError && e.path === "/disposition/human_disposed",
    );
  });
  it("digests a structured reason and refuses prose", () => {
    const d = createDisposition({ decision: "reject", approver: "policy", humanDisposed: false, verdictClass: "blocked", reason: { constraint: "com.example.cap" } });
    assert.equal(d.reason_digest, jsonDigest({ constraint: "com.example.cap" }));
    assert.throws(() => createDisposition({ decision: "reject", approver: "policy", humanDisposed: false, reason: "no" as unknown as Record<string, unknown> }), CapsuleFieldTypeError);
    assert.throws(() => createDisposition({ decision: "reject", approver: "policy", humanDisposed: false, reason: {} }), CapsuleReasonDigestEmptyError);
  });
  it("builds a deferral with an expiry policy", () => {
    const d = createDisposition({ decision: "deferred", approver: "human", humanDisposed: true, verdictClass: "deferred", expiryPolicy: { ttlSeconds: 86400, onExpiry: "escalated" } });
    assert.deepEqual(d.expiry_policy, { ttl_seconds: 86400, on_expiry: "escalated" });
  });
});
