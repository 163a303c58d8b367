/**
 * Class 2 verification (§8.2): the evidence-schema check (digest recomputation and
 * schema conformance) and the threshold check against the producer's manifest;
 * Class 1 results are unchanged without a manifest or evidence, and never weakened.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  buildCapsule,
  jsonDigest,
  verifyCapsule,
  verifyCapsuleClass2,
  checkCapsuleClass2,
  type CapsuleConstraintManifest,
  type CheckCapsuleClass2Parameters,
  type CheckCapsuleClass2ReturnType,
} from "../../sdk/capsule/index.js";
import { D } from "./fixtures.js";

const evidence = { "com.acme.approval_threshold": { amount: "2400.00", currency: "EUR" } };
const capsule = buildCapsule({
  action_id: "pay-3",
  action_type: "decide",
  operator: "acme",
  developer: "ap-agent@2",
  timestamp: "2026-06-01T12:00:00Z",
  effect: { type: "send_payment", status: "confirmed", request_digest: D("a"), response_digest: D("b"), effect_attestation: "gate_executed" },
  disposition: { decision: "accept", approver: "policy", human_disposed: false, verdict_class: "executed" },
  constraints: [
    { id: "com.acme.approval_threshold", check_type: "com.acme.threshold", method: "exact_compare", result: "pass", severity: "high", blocking: true, evidence_digest: jsonDigest(evidence["com.acme.approval_threshold"]) },
    { id: "com.acme.vendor_allowlist", result: "pass", severity: "high", blocking: true },
  ],
});

/** Cents of an exact decimal string (no floats anywhere). */
const cents = (s: string) => BigInt(s.replace(".", ""));
const manifest: CapsuleConstraintManifest = {
  constraints: {
    "com.acme.approval_threshold": {
      validateEvidence: (e) => {
        const x = e as Record<string, unknown>;
        const problems: string[] = [];
        if (typeof x.amount !== "string" || !/^\d+\.\d{2}$/.test(x.amount)) problems.push("amount is a decimal string with two places");
        if (x.currency !== "EUR") problems.push("currency is EUR");
        return problems;
      },
      thresholds: { max: "2500.00" },
      evaluate: (e, t) => (cents((e as { amount: string }).amount) <= cents(String(t?.max)) ? "pass" : "fail"),
    },
  },
};

const rows = (r: Awaited<ReturnType<typeof verifyCapsuleClass2>>) => r.findings.map((f) => `${f.class}.${f.check}:${f.severity}:${f.code}:${f.path}`);

describe("Class 2", () => {
  it("passes when evidence matches its digest, conforms, and the thresholds give the recorded result", async () => {
    const r = await verifyCapsuleClass2(capsule, { manifest, evidence });
    assert.equal(r.ok, true);
    assert.equal(r.class, 2);
    assert.deepEqual(rows(r), []);
  });
  it("returns Class 1 unchanged without a manifest or evidence", async () => {
    assert.deepEqual(await verifyCapsuleClass2(capsule, { manifest }), await verifyCapsule(capsule));
    assert.deepEqual(await verifyCapsuleClass2(capsule, { evidence }), await verifyCapsule(capsule));
  });
  it("check 1: evidence that does not match evidence_digest", async () => {
    const r = await verifyCapsuleClass2(capsule, { manifest, evidence: { "com.acme.approval_threshold": { amount: "2400.01", currency: "EUR" } } });
    assert.deepEqual(rows(r), ["2.1:error:CAPSULE_EVIDENCE_DIGEST_MISMATCH:/constraints/0/evidence_digest"]);
    assert.equal(r.ok, false);
  });
  it("check 1: evidence that does not conform to the manifest schema", async () => {
    const bad = { amount: 2400, currency: "USD" };
    const c = buildCapsule({ ...structuredClone(draftOf()), constraints: [{ ...draftOf().constraints![0]!, evidence_digest: jsonDigest(bad) }] });
    const r = await verifyCapsuleClass2(c, { manifest, evidence: { "com.acme.approval_threshold": bad } });
    assert.deepEqual(rows(r), ["2.1:error:CAPSULE_EVIDENCE_SCHEMA:/constraints/0/evidence_digest"]);
  });
  it("check 2: a result the manifest thresholds contradict", async () => {
    const over = { amount: "2600.00", currency: "EUR" };
    const c = buildCapsule({ ...structuredClone(draftOf()), constraints: [{ ...draftOf().constraints![0]!, evidence_digest: jsonDigest(over) }] });
    const r = await verifyCapsuleClass2(c, { manifest, evidence: { "com.acme.approval_threshold": over } });
    assert.deepEqual(rows(r), ["2.2:error:CAPSULE_THRESHOLD_MISMATCH:/constraints/0/result"]);
  });
  it("a constraint the manifest does not know, a throwing predicate, missing evidence", async () => {
    assert.deepEqual(rows(await verifyCapsuleClass2(capsule, { manifest: { constraints: {} }, evidence })), ["2.1:error:CAPSULE_MANIFEST_ERROR:/constraints/0/id"]);
    const throwing: CapsuleConstraintManifest = { constraints: { "com.acme.approval_threshold": { evaluate: () => { throw new Error("nondeterministic"); } } } };
    assert.deepEqual(rows(await verifyCapsuleClass2(capsule, { manifest: throwing, evidence })), ["2.2:error:CAPSULE_MANIFEST_ERROR:/constraints/0/result"]);
    const r = await verifyCapsuleClass2(capsule, { manifest, evidence: {} });
    assert.deepEqual(rows(r), ["2.1:info:CAPSULE_EVIDENCE_UNAVAILABLE:/constraints/0/evidence_digest"]);
    assert.equal(r.ok, true);
  });
  it("never weakens Class 1: a Class 1 failure stays a failure", async () => {
    const tampered = { ...capsule, operator: "evil" };
    const r = await verifyCapsuleClass2(tampered, { manifest, evidence });
    assert.equal(r.ok, false);
    assert.deepEqual(rows(r), ["1.2:error:CAPSULE_ID_MISMATCH:/capsule_id"]);
  });
  it("checkCapsuleClass2 takes CheckCapsuleClass2Parameters and returns the issues by §8.2 check", () => {
    const parameters: CheckCapsuleClass2Parameters = { manifest, evidence: { "com.acme.approval_threshold": { amount: "2400.01", currency: "EUR" } } };
    const out: CheckCapsuleClass2ReturnType = checkCapsuleClass2(capsule, parameters);
    assert.deepEqual(out.map((x) => `${x.check}:${x.issue.code}:${x.issue.path}`), ["1:CAPSULE_EVIDENCE_DIGEST_MISMATCH:/constraints/0/evidence_digest"]);
    const hostile = new Proxy({}, { get() { throw new Error("manifest trap"); } }) as CapsuleConstraintManifest;
    assert.deepEqual(checkCapsuleClass2(capsule, { manifest: hostile, evidence }).map((x) => `${x.check}:${x.issue.code}`), ["1:CAPSULE_MANIFEST_ERROR"]);
  });
  it("the Class 2 checks read the same snapshot as Class 1 (a getter cannot show them other records)", async () => {
    let reads = 0;
    const swapped = [{ ...capsule.constraints![0]!, result: "fail" as const }, capsule.constraints![1]!];
    const evil = { ...capsule } as Record<string, unknown>;
    Object.defineProperty(evil, "constraints", { enumerable: true, get: () => (++reads === 1 ? capsule.constraints : swapped) });
    const r = await verifyCapsuleClass2(evil, { manifest, evidence });
    assert.equal(reads, 1);
    assert.deepEqual(rows(r), []);
    assert.equal(r.ok, true);
  });
  it("evidence may be looked up by a function", async () => {
    const r = await verifyCapsuleClass2(capsule, { manifest, evidence: (rec) => (evidence as Record<string, unknown>)[rec.id] });
    assert.equal(r.ok, true);
  });
});

function draftOf() {
  const { capsule_id: _i, spec_version: _s, format_version: _f, assurance: _a, ...rest } = capsule;
  return rest;
}
