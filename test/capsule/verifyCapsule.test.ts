/**
 * Class 1 verification (§6): conforming vectors verify clean; one failing Capsule per
 * rule of each of the eight checks, asserting the exact findings (check, severity,
 * code, path) and the derived modes; the §6 NOTE vector (failed / reverted need an
 * attestation); hostile inputs never throw.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  CAPSULE_EMPTY_REASON_DIGEST,
  MemoryCapsuleStore,
  computeCapsuleId,
  verifyCapsule,
  verifyCapsuleJson,
  verifyCapsuleSync,
  type Capsule,
  type CapsuleStore,
  type VerifyCapsuleReturnType,
} from "../../sdk/capsule/index.js";
import { D, assertWellFormedResult, asCapsule, blockedCapsule, confirmedCapsule, fyiCapsule, mutate, seal, summary } from "./fixtures.js";

function v(c: unknown, p: Parameters<typeof verifyCapsuleSync>[1] = {}): VerifyCapsuleReturnType {
  const r = verifyCapsuleSync(c, p);
  assertWellFormedResult(r);
  return r;
}

describe("conforming Capsules verify clean", () => {
  it("fyi, no effect", () => {
    const c = fyiCapsule();
    const r = v(c);
    assert.deepEqual(summary(r), []);
    assert.equal(r.ok, true);
    assert.equal(r.capsuleId, c.capsule_id);
    assert.deepEqual(r.derived, { attestation_mode: "self_attested", effect_mode: "not_applicable", ledger_mode: "standalone", effect_attestation_grade: null });
  });
  it("executed, confirmed gate-executed effect", () => {
    const r = v(confirmedCapsule());
    assert.deepEqual(summary(r), []);
    assert.deepEqual(r.derived, { attestation_mode: "self_attested", effect_mode: "confirmed", ledger_mode: "standalone", effect_attestation_grade: "gate_executed" });
  });
  it("blocked, no effect", () => {
    assert.deepEqual(summary(v(blockedCapsule())), []);
  });
  const pairs: [string, string, Record<string, unknown> | undefined, string][] = [
    ["timeout before dispatch", "timeout", undefined, "not_applicable"],
    ["timeout after dispatch", "timeout", { type: "write_order", status: "dispatched", request_digest: D("a"), effect_attestation: "runtime_claimed" }, "dispatched_unconfirmed"],
    ["errored after dispatch", "errored", { type: "write_order", status: "dispatched", request_digest: D("a"), effect_attestation: "runtime_claimed" }, "dispatched_unconfirmed"],
    ["failed effect with attestation", "executed", { type: "write_order", status: "failed", effect_attestation: "gate_executed" }, "dispatched_unconfirmed"],
    ["reverted effect with attestation", "executed", { type: "write_order", status: "reverted", external_ref: "erp:PO-1", effect_attestation: "gate_executed" }, "dispatched_unconfirmed"],
    ["planned carve, no attestation", "deferred", { type: "write_order", status: "planned" }, "not_applicable"],
    ["resolved without effect", "resolved", undefined, "not_applicable"],
    ["hitl_dispatched without effect", "hitl_dispatched", undefined, "not_applicable"],
  ];
  for (const [name, vc, effect, mode] of pairs) {
    it(name, () => {
      const c = mutate(blockedCapsule(), (x) => {
        x.disposition.verdict_class = vc;
        if (effect) x.effect = effect;
        x.assurance.effect_mode = mode;
      });
      const r = v(c);
      assert.deepEqual(summary(r), []);
      assert.equal(r.derived?.effect_mode, mode);
    });
  }
});

describe("check 1 — structural", () => {
  it("not an object", () => {
    for (const x of [null, [], "capsule", 42, true, undefined]) {
      const r = v(x);
      assert.deepEqual(summary(r), ["1:error:CAPSULE_NOT_OBJECT:"]);
      assert.equal(r.derived, null);
      assert.equal(r.capsuleId, null);
    }
  });
  for (const field of ["spec_version", "format_version", "action_id", "action_type", "operator", "developer", "timestamp"]) {
    it(`missing ${field}`, () => {
      const r = v(mutate(fyiCapsule(), (x) => delete x[field]));
      assert.deepEqual(summary(r), [`1:error:CAPSULE_FIELD_MISSING:/${field}`]);
    });
  }
  it("missing assurance", () => {
    assert.deepEqual(summary(v(mutate(fyiCapsule(), (x) => delete x.assurance))), ["1:error:CAPSULE_FIELD_MISSING:/assurance"]);
  });
  it("missing capsule_id (also fails identity)", () => {
    assert.deepEqual(summary(v(mutate(fyiCapsule(), (x) => delete x.capsule_id, false))), ["1:error:CAPSULE_FIELD_MISSING:/capsule_id", "2:error:CAPSULE_ID_MISMATCH:/capsule_id"]);
  });
  it("null counts as absent", () => {
    assert.deepEqual(summary(v(mutate(fyiCapsule(), (x) => (x.operator = null)))), ["1:error:CAPSULE_FIELD_MISSING:/operator"]);
  });
  it("wrong type", () => {
    assert.deepEqual(summary(v(mutate(fyiCapsule(), (x) => (x.action_id = 7)))), ["1:error:CAPSULE_FIELD_TYPE:/action_id"]);
  });
  it("action_type outside its closed enum", () => {
    assert.deepEqual(summary(v(mutate(fyiCapsule(), (x) => (x.action_type = "maybe")))), ["1:error:CAPSULE_FIELD_VALUE:/action_type"]);
  });
  it("effect.status outside its closed enum", () => {
    const r = v(mutate(confirmedCapsule(), (x) => (x.effect.status = "done")));
    assert.deepEqual(summary(r), ["1:error:CAPSULE_FIELD_VALUE:/effect/status", "7:error:CAPSULE_ASSURANCE_OVERCLAIM:/assurance/effect_mode"]);
  });
  it("approver outside {human, policy} is structural, not a registry value", () => {
    const r = v(mutate(blockedCapsule(), (x) => (x.disposition.approver = "counterparty")));
    assert.deepEqual(summary(r), ["1:error:CAPSULE_FIELD_VALUE:/disposition/approver"]);
  });
  it("decide without a disposition", () => {
    assert.deepEqual(summary(v(mutate(blockedCapsule(), (x) => delete x.disposition))), ["1:error:CAPSULE_FIELD_MISSING:/disposition"]);
  });
  it("§6 the honesty invariant is not one of the checks: asserted defensively as a warning outside 1–8, ok stays true (finding 4)", () => {
    const r = v(mutate(blockedCapsule(), (x) => (x.disposition.human_disposed = true)));
    assert.deepEqual(summary(r), ["defensive:warning:CAPSULE_DISPOSITION_DISHONEST:/disposition/human_disposed"]);
    assert.equal(r.ok, true);
    // ordered after check 8
    const r2 = v(mutate(blockedCapsule(), (x) => { x.disposition.human_disposed = true; x.disposition.verdict_class = "x_new"; }));
    assert.deepEqual(summary(r2), ["8:info:CAPSULE_UNREGISTERED_VALUE:/disposition/verdict_class", "defensive:warning:CAPSULE_DISPOSITION_DISHONEST:/disposition/human_disposed"]);
  });
  it("human_disposed not a boolean", () => {
    assert.deepEqual(summary(v(mutate(blockedCapsule(), (x) => (x.disposition.human_disposed = "yes")))), ["1:error:CAPSULE_FIELD_TYPE:/disposition/human_disposed"]);
  });
  it("authority carried as structure instead of a reference", () => {
    assert.deepEqual(summary(v(mutate(blockedCapsule(), (x) => (x.disposition.authority = { policy: "p", version: 3 })))), ["1:error:CAPSULE_FIELD_TYPE:/disposition/authority"]);
  });
  it("malformed digest", () => {
    assert.deepEqual(summary(v(mutate(confirmedCapsule(), (x) => (x.effect.request_digest = "A".repeat(64))))), ["1:error:CAPSULE_DIGEST_MALFORMED:/effect/request_digest"]);
  });
  it("malformed capsule_id", () => {
    assert.deepEqual(summary(v(mutate(fyiCapsule(), (x) => (x.capsule_id = "xyz"), false))), ["1:error:CAPSULE_DIGEST_MALFORMED:/capsule_id", "2:error:CAPSULE_ID_MISMATCH:/capsule_id"]);
  });
  for (const ts of ["2026-06-01T12:00:00+01:00", "2026-06-01 12:00:00Z", "2026-02-30T00:00:00Z", "2026-06-01T24:00:00Z", "2026-06-01t12:00:00z"]) {
    it(`timestamp ${ts}`, () => {
      assert.deepEqual(summary(v(mutate(fyiCapsule(), (x) => (x.timestamp = ts)))), ["1:error:CAPSULE_TIMESTAMP_INVALID:/timestamp"]);
    });
  }
  it("accepts fractional seconds and a leap second", () => {
    assert.deepEqual(summary(v(mutate(fyiCapsule(), (x) => (x.timestamp = "2016-12-31T23:59:60.5Z")))), []);
  });
  it("unsupported format_version", () => {
    assert.deepEqual(summary(v(mutate(fyiCapsule(), (x) => (x.format_version = "4")))), ["1:error:CAPSULE_FORMAT_VERSION_UNSUPPORTED:/format_version"]);
  });
  it("unrecognized spec_version is a warning only", () => {
    const r = v(mutate(fyiCapsule(), (x) => (x.spec_version = "draft-mih-scitt-agent-action-capsule-07")));
    assert.deepEqual(summary(r), ["1:warning:CAPSULE_SPEC_VERSION_UNRECOGNIZED:/spec_version"]);
    assert.equal(r.ok, true);
  });
  it("a float in a digest-bearing field (and the id cannot be recomputed)", () => {
    const c = mutate(fyiCapsule(), (x) => (x.invoice = { amount: 1240.19 }), false);
    const r = v(c);
    assert.deepEqual(summary(r), ["1:error:CAPSULE_JSON_FLOAT:/invoice/amount", "2:info:CAPSULE_ID_NOT_CHECKED:/capsule_id"]);
    assert.equal(r.capsuleId, null);
  });
  it("an integer beyond 2^53-1", () => {
    const r = v(mutate(fyiCapsule(), (x) => (x.quantity = 2 ** 60), false));
    assert.deepEqual(summary(r), ["1:error:CAPSULE_JSON_UNSAFE_INTEGER:/quantity", "2:info:CAPSULE_ID_NOT_CHECKED:/capsule_id"]);
  });
  it("a float in the chain block (signed, not content-addressed)", () => {
    const r = v(mutate(fyiCapsule(), (x) => (x.chain = { parent_capsule_id: D("f"), relation: "supersedes", weight: 0.5 })));
    assert.deepEqual(summary(r), ["1:error:CAPSULE_JSON_FLOAT:/chain/weight", "6:info:CAPSULE_CHAIN_NOT_CHECKED:/chain"]);
  });
  it("expiry_policy on a non-deferral disposition", () => {
    const r = v(mutate(blockedCapsule(), (x) => (x.disposition.expiry_policy = { ttl_seconds: 3600, on_expiry: "expired" })));
    assert.deepEqual(summary(r), ["1:error:CAPSULE_EXPIRY_POLICY_INVALID:/disposition/expiry_policy"]);
  });
  it("expiry_policy with a duration string", () => {
    const r = v(
      mutate(blockedCapsule(), (x) => {
        x.disposition = { decision: "deferred", approver: "human", human_disposed: true, verdict_class: "deferred", expiry_policy: { ttl_seconds: "PT1H", on_expiry: "expired" } };
      }),
    );
    assert.deepEqual(summary(r), ["1:error:CAPSULE_EXPIRY_POLICY_INVALID:/disposition/expiry_policy/ttl_seconds"]);
  });
  it("reason_digest of an empty reason is a warning", () => {
    const r = v(mutate(blockedCapsule(), (x) => (x.disposition.reason_digest = CAPSULE_EMPTY_REASON_DIGEST)));
    assert.deepEqual(summary(r), ["1:warning:CAPSULE_REASON_DIGEST_EMPTY:/disposition/reason_digest"]);
    assert.equal(r.ok, true);
  });
  it("selective-disclosure members are not interpreted", () => {
    const r = v(mutate(fyiCapsule(), (x) => (x._sd = [D("1")])));
    assert.deepEqual(summary(r), ["1:warning:CAPSULE_SELECTIVE_DISCLOSURE_UNSUPPORTED:/_sd"]);
  });
  it("constraint record result outside pass | fail | n/a, and blocking missing", () => {
    const r = v(
      mutate(confirmedCapsule(), (x) => {
        x.constraints[0].result = "maybe";
        delete x.constraints[0].blocking;
      }),
    );
    assert.deepEqual(summary(r), ["1:error:CAPSULE_FIELD_VALUE:/constraints/0/result", "1:error:CAPSULE_FIELD_MISSING:/constraints/0/blocking"]);
  });
  it("chain with a malformed parent id", () => {
    const r = v(mutate(fyiCapsule(), (x) => (x.chain = { parent_capsule_id: "abc", relation: "supersedes" })));
    assert.deepEqual(summary(r), ["1:error:CAPSULE_DIGEST_MALFORMED:/chain/parent_capsule_id"]);
  });
  it("many malformed records yield a bounded list of findings", () => {
    const r = v(mutate(fyiCapsule(), (x) => (x.constraints = Array.from({ length: 20_000 }, () => 7))));
    assert.equal(r.ok, false);
    assert.ok(r.findings.length <= 501);
  });
});

describe("check 2 — identity", () => {
  it("a member changed after sealing", () => {
    const c = mutate(confirmedCapsule(), (x) => (x.operator = "evil-co"), false);
    const r = v(c);
    assert.deepEqual(summary(r), ["2:error:CAPSULE_ID_MISMATCH:/capsule_id"]);
    assert.equal(r.capsuleId, computeCapsuleId(c));
  });
  it("changing the chain block does not change capsule_id", () => {
    const c = mutate(fyiCapsule(), (x) => (x.chain = { parent_capsule_id: D("1"), relation: "supersedes" }), false);
    assert.equal(v(c).capsuleId, fyiCapsule().capsule_id);
  });
  it("adding an absent-equivalent member does not change capsule_id", () => {
    const c = mutate(fyiCapsule(), (x) => Object.assign(x, { decision_id: null, constraints: [], compliance: { framework_tags: [] } }), false);
    assert.deepEqual(summary(v(c)), []);
  });
});

describe("check 3 — confirmed-effect binding", () => {
  it("confirmed without response_digest", () => {
    const r = v(mutate(confirmedCapsule(), (x) => delete x.effect.response_digest));
    assert.deepEqual(summary(r), ["3:error:CAPSULE_EFFECT_CONFIRMED_UNBOUND:/effect/response_digest", "7:error:CAPSULE_ASSURANCE_OVERCLAIM:/assurance/effect_mode"]);
    assert.equal(r.derived?.effect_mode, "dispatched_unconfirmed");
  });
  it("planned with a request digest", () => {
    const r = v(mutate(blockedCapsule(), (x) => (x.effect = { type: "write_order", status: "planned", request_digest: D("a") })));
    assert.deepEqual(summary(r), ["3:error:CAPSULE_EFFECT_BINDING:/effect/request_digest"]);
  });
  it("dispatched with a response digest", () => {
    const r = v(
      mutate(confirmedCapsule(), (x) => {
        x.effect.status = "dispatched";
        x.assurance.effect_mode = "dispatched_unconfirmed";
      }),
    );
    assert.deepEqual(summary(r), ["3:error:CAPSULE_EFFECT_BINDING:/effect/response_digest"]);
  });
  it("dispatched without a request digest is a warning", () => {
    const r = v(
      mutate(confirmedCapsule(), (x) => {
        x.effect = { type: "write_order", status: "dispatched", effect_attestation: "runtime_claimed" };
        x.assurance.effect_mode = "dispatched_unconfirmed";
      }),
    );
    assert.deepEqual(summary(r), ["3:warning:CAPSULE_EFFECT_REQUEST_DIGEST_MISSING:/effect/request_digest"]);
    assert.equal(r.ok, true);
  });
});

describe("check 4 — verdict/effect orthogonality", () => {
  it("a never-dispatch class with a dispatched effect", () => {
    const r = v(
      mutate(blockedCapsule(), (x) => {
        x.effect = { type: "write_order", status: "dispatched", request_digest: D("a"), effect_attestation: "runtime_claimed" };
        x.assurance.effect_mode = "dispatched_unconfirmed";
      }),
    );
    assert.deepEqual(summary(r), ["4:error:CAPSULE_VERDICT_EFFECT_CONFLICT:/disposition/verdict_class"]);
  });
  it("resolved (the non-executing closure) with a confirmed effect", () => {
    const r = v(mutate(confirmedCapsule(), (x) => (x.disposition.verdict_class = "resolved")));
    assert.deepEqual(summary(r), ["4:error:CAPSULE_VERDICT_EFFECT_CONFLICT:/disposition/verdict_class"]);
  });
  it("denied with an unbound confirmed effect fails checks 3 and 4", () => {
    const r = v(
      mutate(blockedCapsule(), (x) => {
        x.disposition.verdict_class = "denied";
        x.effect = { type: "write_order", status: "confirmed", effect_attestation: "gate_executed" };
        x.assurance.effect_mode = "dispatched_unconfirmed";
      }),
    );
    assert.deepEqual(summary(r), ["3:error:CAPSULE_EFFECT_CONFIRMED_UNBOUND:/effect/response_digest", "4:error:CAPSULE_VERDICT_EFFECT_CONFLICT:/disposition/verdict_class"]);
  });
  it("errored without a dispatched effect", () => {
    const r = v(mutate(blockedCapsule(), (x) => (x.disposition.verdict_class = "errored")));
    assert.deepEqual(summary(r), ["4:error:CAPSULE_VERDICT_ERRORED_UNDISPATCHED:/disposition/verdict_class"]);
  });
  it("errored with a confirmed effect: outside the stated pairing, but not a §6 check-4 failure → warning (finding 10)", () => {
    const r = v(mutate(confirmedCapsule(), (x) => (x.disposition.verdict_class = "errored")));
    assert.deepEqual(summary(r), ["4:warning:CAPSULE_VERDICT_ERRORED_CONFIRMED:/disposition/verdict_class"]);
    assert.equal(r.ok, true);
  });
});

describe("check 5 — effect-attestation matrix", () => {
  for (const status of ["failed", "reverted"]) {
    it(`§6 NOTE vector: ${status} without effect_attestation`, () => {
      const r = v(
        mutate(confirmedCapsule(), (x) => {
          x.effect = { type: "write_order", status };
          x.assurance.effect_mode = "dispatched_unconfirmed";
        }),
      );
      assert.deepEqual(summary(r), ["5:error:CAPSULE_EFFECT_ATTESTATION_MISSING:/effect/effect_attestation"]);
    });
  }
  it("confirmed without effect_attestation", () => {
    assert.deepEqual(summary(v(mutate(confirmedCapsule(), (x) => delete x.effect.effect_attestation))), ["5:error:CAPSULE_EFFECT_ATTESTATION_MISSING:/effect/effect_attestation"]);
  });
  it("the planned carve: attestation present on a planned effect", () => {
    const r = v(mutate(blockedCapsule(), (x) => (x.effect = { type: "write_order", status: "planned", effect_attestation: "gate_executed" })));
    assert.deepEqual(summary(r), ["5:error:CAPSULE_EFFECT_ATTESTATION_FORBIDDEN:/effect/effect_attestation"]);
  });
});

describe("check 6 — chain semantics", () => {
  const child = (parentId: string) =>
    mutate(blockedCapsule(), (x) => {
      x.disposition = { decision: "accept", approver: "human", human_disposed: true, verdict_class: "resolved" };
      x.chain = { parent_capsule_id: parentId, relation: "supersedes" };
      x.assurance.ledger_mode = "chained";
    });
  it("missing parent", async () => {
    const r = await verifyCapsule(child(D("9")), { store: new MemoryCapsuleStore() });
    assertWellFormedResult(r);
    assert.deepEqual(summary(r), ["6:error:CAPSULE_CHAIN_PARENT_MISSING:/chain/parent_capsule_id", "7:error:CAPSULE_ASSURANCE_OVERCLAIM:/assurance/ledger_mode"]);
    assert.equal(r.derived?.ledger_mode, "standalone");
  });
  it("intact parent: chained", async () => {
    const parent = blockedCapsule();
    const r = await verifyCapsule(child(parent.capsule_id as string), { store: new MemoryCapsuleStore([asCapsule(parent)]) });
    assert.deepEqual(summary(r), []);
    assert.equal(r.derived?.ledger_mode, "chained");
  });
  it("without a store the chain is not checked and chained is unverified", () => {
    const r = v(child(D("9")));
    assert.deepEqual(summary(r), ["6:info:CAPSULE_CHAIN_NOT_CHECKED:/chain", "7:warning:CAPSULE_ASSURANCE_UNVERIFIED:/assurance/ledger_mode"]);
    assert.equal(r.ok, true);
    assert.equal(r.derived?.ledger_mode, "standalone");
  });
  it("concurrent supersedes: the later one surfaces a finding, the earliest does not", async () => {
    const parent = blockedCapsule();
    const first = child(parent.capsule_id as string);
    const second = mutate(first, (x) => (x.timestamp = "2026-06-01T12:30:00Z"));
    const store = new MemoryCapsuleStore([asCapsule(parent), asCapsule(first), asCapsule(second)]);
    assert.deepEqual(summary(await verifyCapsule(first, { store })), []);
    const r = await verifyCapsule(second, { store });
    assert.deepEqual(summary(r), ["6:warning:CAPSULE_CHAIN_CONCURRENT_SUPERSEDES:/chain/relation"]);
    assert.equal(r.ok, true);
  });
}); // (cycles, mismatches, depth limits and store failures: chain.test.ts)

describe("check 7 — assurance reconciliation", () => {
  it("chained claimed without any chain linkage", () => {
    assert.deepEqual(summary(v(mutate(fyiCapsule(), (x) => (x.assurance.ledger_mode = "chained")))), ["7:error:CAPSULE_ASSURANCE_OVERCLAIM:/assurance/ledger_mode"]);
  });
  it("anchored attestation without a verified receipt is unverified, with one it derives anchored", () => {
    const c = mutate(fyiCapsule(), (x) => (x.assurance.attestation_mode = "anchored"));
    assert.deepEqual(summary(v(c)), ["7:warning:CAPSULE_ASSURANCE_UNVERIFIED:/assurance/attestation_mode"]);
    const r = v(c, { anchor: { receiptVerified: true } });
    assert.deepEqual(summary(r), []);
    assert.equal(r.derived?.attestation_mode, "anchored");
  });
  it("anchored attestation when verifying the receipt FAILED is an overclaim (error), not merely unverified (finding 10)", () => {
    const c = mutate(fyiCapsule(), (x) => (x.assurance.attestation_mode = "anchored"));
    const r = v(c, { anchor: { receiptVerified: false } });
    assert.deepEqual(summary(r), ["7:error:CAPSULE_ASSURANCE_OVERCLAIM:/assurance/attestation_mode"]);
    assert.equal(r.ok, false);
  });
  it("a verified receipt on a self_attested record is an underclaim (info)", () => {
    assert.deepEqual(summary(v(fyiCapsule(), { anchor: { receiptVerified: true } })), ["7:info:CAPSULE_ASSURANCE_UNDERCLAIM:/assurance/attestation_mode"]);
  });
  it("effect_mode confirmed claimed for a dispatched effect", () => {
    const r = v(
      mutate(confirmedCapsule(), (x) => {
        x.effect.status = "dispatched";
        delete x.effect.response_digest;
      }),
    );
    assert.deepEqual(summary(r), ["7:error:CAPSULE_ASSURANCE_OVERCLAIM:/assurance/effect_mode"]);
  });
  it("§5.3 reports overclaims: an understated effect_mode is a warning, the derived mode is what counts (finding 10)", () => {
    for (const claimed of ["not_applicable", "dispatched_unconfirmed"]) {
      const r = v(mutate(confirmedCapsule(), (x) => (x.assurance.effect_mode = claimed)));
      assert.deepEqual(summary(r), ["7:warning:CAPSULE_ASSURANCE_UNDERSTATED:/assurance/effect_mode"]);
      assert.equal(r.ok, true);
      assert.equal(r.derived?.effect_mode, "confirmed");
    }
  });
  it("ledger anchored derives only with verified inclusion evidence on an intact chain", async () => {
    const parent = blockedCapsule();
    const c = mutate(blockedCapsule(), (x) => {
      x.disposition.verdict_class = "resolved";
      x.chain = { parent_capsule_id: parent.capsule_id, relation: "supersedes" };
      x.assurance.ledger_mode = "anchored";
    });
    const store = new MemoryCapsuleStore([asCapsule(parent)]);
    assert.deepEqual(summary(await verifyCapsule(c, { store })), ["7:warning:CAPSULE_ASSURANCE_UNVERIFIED:/assurance/ledger_mode"]);
    assert.deepEqual(summary(await verifyCapsule(c, { store, anchor: { ledgerInclusionVerified: false } })), ["7:error:CAPSULE_ASSURANCE_OVERCLAIM:/assurance/ledger_mode"]);
    const r = await verifyCapsule(c, { store, anchor: { ledgerInclusionVerified: true } });
    assert.deepEqual(summary(r), []);
    assert.equal(r.derived?.ledger_mode, "anchored");
  });
});

describe("check 8 — unknown registry values are informational", () => {
  it("unregistered verdict_class, decision, effect type, irreversibility class, relation", () => {
    const r = v(
      mutate(confirmedCapsule(), (x) => {
        x.disposition.verdict_class = "com.example.partially_executed";
        x.disposition.decision = "escalate_up";
        x.effect.type = "issue_refund";
        x.effect.irreversibility_class = "one_way_catastrophic";
      }),
    );
    assert.deepEqual(summary(r), [
      "8:info:CAPSULE_UNREGISTERED_VALUE:/disposition/decision",
      "8:info:CAPSULE_UNREGISTERED_VALUE:/disposition/verdict_class",
      "8:info:CAPSULE_UNREGISTERED_VALUE:/effect/type",
      "8:info:CAPSULE_UNREGISTERED_VALUE:/effect/irreversibility_class",
    ]);
    assert.equal(r.ok, true);
  });
  it("unknown effect_attestation is graded no stronger than runtime_claimed", () => {
    const r = v(mutate(confirmedCapsule(), (x) => (x.effect.effect_attestation = "tee_attested")));
    assert.deepEqual(summary(r), ["8:info:CAPSULE_UNREGISTERED_VALUE:/effect/effect_attestation"]);
    assert.equal(r.derived?.effect_attestation_grade, "runtime_claimed");
    assert.match(r.findings[0]?.message ?? "", /no stronger than runtime_claimed/);
  });
  it("values registered later are passed as registry contents", () => {
    const r = v(mutate(confirmedCapsule(), (x) => (x.effect.type = "issue_refund")), { registries: { "effect.type": ["issue_refund"] } });
    assert.deepEqual(summary(r), []);
  });
  it("an unregistered chain relation", () => {
    const r = v(mutate(fyiCapsule(), (x) => (x.chain = { parent_capsule_id: D("1"), relation: "amends" })));
    assert.deepEqual(summary(r), ["6:info:CAPSULE_CHAIN_NOT_CHECKED:/chain", "8:info:CAPSULE_UNREGISTERED_VALUE:/chain/relation"]);
  });
  it("bare unseeded §9.1 names", () => {
    const r = v(
      mutate(confirmedCapsule(), (x) => {
        x.constraints[0].id = "margin_floor";
        x.compliance.framework_tags = ["sox"];
        x.assurance.sources = [{ kind: "bank_receipt" }];
      }),
    );
    assert.deepEqual(summary(r), [
      "8:info:CAPSULE_BARE_NAME:/constraints/0/id",
      "8:info:CAPSULE_BARE_NAME:/compliance/framework_tags/0",
      "8:info:CAPSULE_BARE_NAME:/assurance/sources/0/kind",
    ]);
  });
});

describe("verifyCapsuleJson (bytes in)", () => {
  it("a lexical float that JSON.parse would hide (1.0)", async () => {
    const c = confirmedCapsule();
    const text = JSON.stringify({ ...c, quantity: 3 }).replace('"quantity":3', '"quantity":3.0');
    const id = computeCapsuleId({ ...c, quantity: 3 });
    const r = await verifyCapsuleJson(text.replace(c.capsule_id as string, id));
    assertWellFormedResult(r);
    // the id recomputes over 3, but check 2 is "not checked": a float is outside the JSON-DIGEST domain
    assert.deepEqual(summary(r), ["1:error:CAPSULE_JSON_FLOAT:/quantity", "2:info:CAPSULE_ID_NOT_CHECKED:/capsule_id"]);
    assert.equal(r.capsuleId, null);
  });
  it("a float in a digest-bearing field with a wrong capsule_id: check 2 is not checked, never a mismatch", async () => {
    const c = confirmedCapsule();
    const text = JSON.stringify({ ...c, price: 1 }).replace('"price":1', '"price":12.5');
    const r = await verifyCapsuleJson(text);
    assert.deepEqual(summary(r), ["1:error:CAPSULE_JSON_FLOAT:/price", "2:info:CAPSULE_ID_NOT_CHECKED:/capsule_id"]);
    assert.equal(r.ok, false);
    assert.ok(!r.findings.some((f) => f.code === "CAPSULE_ID_MISMATCH" || f.code === "CAPSULE_ID_UNCOMPUTABLE"));
  });
  it("a lexical float only in the chain block leaves check 2 checked", async () => {
    const c = confirmedCapsule();
    const text = JSON.stringify({ ...c, chain: { parent_capsule_id: c.capsule_id, relation: "supersedes", weight: 1 } }).replace('"weight":1', '"weight":1.0');
    const r = await verifyCapsuleJson(text);
    assert.ok(!r.findings.some((f) => f.check === 2));
    assert.equal(r.capsuleId, c.capsule_id);
  });
  it("duplicate members", async () => {
    const r = await verifyCapsuleJson('{"action_id":"a","action_id":"b"}');
    assert.deepEqual(summary(r), ["1:error:CAPSULE_JSON_DUPLICATE_KEY:/action_id"]);
  });
  it("clean bytes verify", async () => {
    const r = await verifyCapsuleJson(new TextEncoder().encode(JSON.stringify(confirmedCapsule())));
    assert.equal(r.ok, true);
  });
});

describe("the verifier never throws", () => {
  const hostile: [string, () => unknown][] = [
    ["a Proxy whose traps throw", () => new Proxy({}, { ownKeys() { throw new Error("boom"); }, get() { throw new Error("boom"); }, getPrototypeOf() { throw new Error("boom"); } })],
    ["a throwing getter", () => Object.defineProperty(fyiCapsule(), "operator", { get() { throw new Error("boom"); }, enumerable: true })],
    ["100,000-deep arrays in a member", () => { let a: unknown = []; for (let i = 0; i < 100_000; i++) a = [a]; return { ...fyiCapsule(), deep: a }; }],
    ["100,000-deep arrays as the capsule", () => { let a: unknown = []; for (let i = 0; i < 100_000; i++) a = [a]; return a; }],
    ["a cyclic object", () => { const c: Record<string, unknown> = fyiCapsule(); c.self = c; return c; }],
    ["bigint, symbol and function members", () => ({ ...fyiCapsule(), a: 1n, b: Symbol("s"), c: () => 1 })],
    ["huge numbers", () => ({ ...fyiCapsule(), a: 1e308, b: -Number.MAX_VALUE, c: Number.MIN_VALUE })],
    ["malformed strings", () => ({ ...fyiCapsule(), operator: "\ud800", action_id: "\u0000\uffff" })],
    ["a class instance", () => new (class Capsule { action_id = "x"; })()],
    ["an object with a null prototype", () => Object.assign(Object.create(null), fyiCapsule())],
  ];
  for (const [name, make] of hostile) {
    it(name, async () => {
      const input = make();
      const a = verifyCapsuleSync(input);
      assertWellFormedResult(a);
      const b = await verifyCapsule(input, { store: new MemoryCapsuleStore() });
      assertWellFormedResult(b);
      assert.equal(typeof a.ok, "boolean");
    });
  }
  it("a store that fails is an error finding, not an exception and not a pass (check 6 is normative, finding 6)", async () => {
    const parent = asCapsule(blockedCapsule());
    const c = mutate(fyiCapsule(), (x) => (x.chain = { parent_capsule_id: parent.capsule_id, relation: "supersedes" }));
    const failing: [string, CapsuleStore][] = [
      ["get throws", { get() { throw new Error("db down"); }, children() { return []; } }],
      ["get rejects", { get: () => Promise.reject(new Error("timeout")), children: () => [] }],
      ["children is not a list", { get: () => parent, children: () => 5 as unknown as Capsule[] }],
      ["children throws", { get: () => parent, children: () => { throw new Error("index offline"); } }],
    ];
    for (const [name, store] of failing) {
      const r = await verifyCapsule(c, { store });
      assertWellFormedResult(r);
      assert.equal(r.ok, false, name);
      assert.equal(r.findings[0]?.code, "CAPSULE_CHAIN_STORE_ERROR", name);
      assert.equal(r.findings[0]?.severity, "error", name);
    }
    const r = await verifyCapsule(c, { store: failing[0]![1] });
    assert.deepEqual(summary(r), ["6:error:CAPSULE_CHAIN_STORE_ERROR:/chain"]);
    assert.equal(r.derived?.ledger_mode, "standalone");
    // distinct from a store that answers "no such Capsule"
    assert.deepEqual(summary(await verifyCapsule(c, { store: new MemoryCapsuleStore() })), ["6:error:CAPSULE_CHAIN_PARENT_MISSING:/chain/parent_capsule_id"]);
  });
  it("seal() on the fixtures is consistent", () => {
    const c = fyiCapsule();
    assert.equal(seal({ ...c }).capsule_id, c.capsule_id);
  });
});
