/**
 * Shared fixtures of the Capsule tests: conforming Capsules for each verdict shape,
 * a re-sealing mutator (so a test breaks exactly one rule and the capsule_id still
 * recomputes), a seeded PRNG, and the well-formedness predicate of verifier results.
 */
import assert from "node:assert/strict";
import {
  CAPSULE_ERROR_CODES,
  CAPSULE_FINDINGS_PER_CHECK,
  CAPSULE_ATTESTATION_MODES,
  CAPSULE_EFFECT_MODES,
  CAPSULE_LEDGER_MODES,
  computeCapsuleId,
  type Capsule,
  type VerifyCapsuleReturnType,
} from "../../sdk/capsule/index.js";

export const D = (c: string): string => c.repeat(64);

/** A minimal conforming "fyi" Capsule (no effect, no disposition). */
export function fyiCapsule(): Record<string, unknown> {
  return seal({
    spec_version: "draft-mih-scitt-agent-action-capsule-01",
    format_version: "2",
    action_id: "note-1",
    action_type: "fyi",
    operator: "acme",
    developer: "agent@1",
    timestamp: "2026-06-01T12:00:00Z",
    assurance: { attestation_mode: "self_attested", effect_mode: "not_applicable", ledger_mode: "standalone" },
  });
}

/** A conforming executed "decide" Capsule with a confirmed, gate-executed effect. */
export function confirmedCapsule(): Record<string, unknown> {
  return seal({
    spec_version: "draft-mih-scitt-agent-action-capsule-01",
    format_version: "2",
    action_id: "po-1",
    action_type: "decide",
    operator: "acme",
    developer: "po-agent@1",
    timestamp: "2026-06-01T12:00:00Z",
    decision_id: "dec-1",
    effect: {
      type: "write_order",
      status: "confirmed",
      request_digest: D("a"),
      response_digest: D("b"),
      external_ref: "erp:PO-1",
      irreversibility_class: "one_way_recoverable",
      effect_attestation: "gate_executed",
    },
    assurance: { attestation_mode: "self_attested", effect_mode: "confirmed", ledger_mode: "standalone" },
    disposition: { decision: "accept", approver: "human", human_disposed: true, verdict_class: "executed" },
    constraints: [{ id: "com.example.margin_floor", check_type: "com.example.threshold", method: "exact_compare", result: "pass", severity: "high", blocking: true, evidence_digest: D("c") }],
    compliance: { framework_tags: ["eu.ai_act.art12"] },
  });
}

/** A conforming blocked Capsule (never dispatched, no effect). */
export function blockedCapsule(): Record<string, unknown> {
  return seal({
    spec_version: "draft-mih-scitt-agent-action-capsule-01",
    format_version: "2",
    action_id: "po-2",
    action_type: "decide",
    operator: "acme",
    developer: "po-agent@1",
    timestamp: "2026-06-01T12:00:00Z",
    assurance: { attestation_mode: "self_attested", effect_mode: "not_applicable", ledger_mode: "standalone" },
    disposition: { decision: "reject", approver: "policy", human_disposed: false, verdict_class: "blocked", reason_digest: D("d") },
    constraints: [{ id: "com.example.margin_floor", result: "fail", severity: "high", blocking: true }],
  });
}

/** Sets capsule_id to the recomputed value (in place) and returns the capsule. */
export function seal<T extends Record<string, unknown>>(c: T): T {
  (c as Record<string, unknown>).capsule_id = computeCapsuleId(c);
  return c;
}

/** Deep clone, apply `fn`, re-seal: breaks exactly the rule `fn` breaks. */
export function mutate(c: Record<string, unknown>, fn: (x: any) => void, reseal = true): Record<string, unknown> {
  const x = structuredClone(c);
  fn(x);
  if (reseal) {
    try {
      seal(x);
    } catch {
      /* not digestible: leave capsule_id as is */
    }
  }
  return x;
}

export function asCapsule(c: Record<string, unknown>): Capsule {
  return c as unknown as Capsule;
}

export { prng } from "../../scripts/lib/prng.js";

const CODES = new Set<string>(CAPSULE_ERROR_CODES);

/** Asserts the shape invariants every verifier result has, whatever the input. */
export function assertWellFormedResult(r: VerifyCapsuleReturnType): void {
  assert.equal(typeof r.ok, "boolean");
  assert.ok(r.class === 1 || r.class === 2);
  assert.ok(Array.isArray(r.findings));
  let lastKey = -1;
  const perCheck = new Map<string, number>();
  for (const f of r.findings) {
    if (f.class === 1) assert.ok(f.check === "defensive" || (Number.isInteger(f.check) && f.check >= 1 && f.check <= 8), `check ${f.check}`);
    else assert.ok(f.class === 2 && (f.check === 1 || f.check === 2), `class 2 check ${f.check}`);
    assert.ok(f.severity === "error" || f.severity === "warning" || f.severity === "info");
    assert.ok(CODES.has(f.code), `unknown code ${f.code}`);
    assert.equal(typeof f.message, "string");
    assert.equal(typeof f.path, "string");
    assert.ok(f.path === "" || f.path.startsWith("/"), `path ${f.path}`);
    const key = f.class * 100 + (f.check === "defensive" ? 9 : f.check);
    assert.ok(key >= lastKey, "findings are in fixed order");
    lastKey = key;
    const k = `${f.class}:${f.check}`;
    perCheck.set(k, (perCheck.get(k) ?? 0) + 1);
  }
  // bounded: at most CAPSULE_FINDINGS_PER_CHECK per check, plus one CAPSULE_FINDINGS_TRUNCATED summary
  for (const [k, n] of perCheck) assert.ok(n <= CAPSULE_FINDINGS_PER_CHECK + 1, `${n} findings for ${k}`);
  assert.equal(r.ok, !r.findings.some((f) => f.severity === "error"));
  if (r.derived !== null) {
    assert.ok((CAPSULE_ATTESTATION_MODES as readonly string[]).includes(r.derived.attestation_mode));
    assert.ok((CAPSULE_EFFECT_MODES as readonly string[]).includes(r.derived.effect_mode));
    assert.ok((CAPSULE_LEDGER_MODES as readonly string[]).includes(r.derived.ledger_mode));
  }
  assert.ok(r.capsuleId === null || /^[0-9a-f]{64}$/.test(r.capsuleId));
}

/** The findings of a result as compact tuples `check:severity:code:path`, for exact assertions. */
export function summary(r: VerifyCapsuleReturnType): string[] {
  return r.findings.map((f) => `${f.check}:${f.severity}:${f.code}:${f.path}`);
}
