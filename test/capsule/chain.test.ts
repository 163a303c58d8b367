/**
 * Chains (§5.4.4): the supersedes relation, parent resolution through a pluggable
 * asynchronous store, the ancestry walk (missing parent, id mismatch, cycle, depth
 * limit), the concurrent-supersedes rule, the open-items predicate, the HITL
 * resolution flow, the append-only memory store, and deferral expiry (§5.4).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  CapsuleChainStoreError,
  CapsuleStoreDuplicateIdError,
  CapsuleStoreRejectedError,
  MemoryCapsuleStore,
  buildCapsule,
  capsuleExpiryDeadline,
  capsuleSupersedes,
  chainToCapsule,
  computeCapsuleId,
  findSupersedingCapsules,
  isCapsuleExpiryElapsed,
  isCapsuleOpenItem,
  isSupersedingCapsule,
  listCapsuleOpenItems,
  resolveCapsuleChain,
  resolveCapsuleParent,
  verifyCapsule,
  type Capsule,
  type CapsuleDraft,
  type CapsuleStore,
} from "../../sdk/capsule/index.js";
import { D, assertWellFormedResult, summary } from "./fixtures.js";

const draft = (verdict: string, at: string, extra: Partial<CapsuleDraft> = {}): CapsuleDraft => ({
  action_id: "inv-42",
  action_type: "decide",
  operator: "acme",
  developer: "ap-agent@2",
  timestamp: at,
  decision_id: "dec-42",
  disposition: {
    decision: verdict === "deferred" ? "deferred" : verdict === "executed" ? "accept" : "needs_input",
    approver: verdict === "deferred" || verdict === "executed" ? "human" : "policy",
    human_disposed: verdict === "deferred" || verdict === "executed",
    verdict_class: verdict,
  } as CapsuleDraft["disposition"],
  ...extra,
});

/** An asynchronous store over a memory store (every call resolves on a later tick). */
function asyncStore(inner: MemoryCapsuleStore): CapsuleStore {
  const later = <T>(v: T) => new Promise<T>((r) => setImmediate(() => r(v)));
  return {
    get: (id) => later(inner.get(id)),
    children: (id) => later(inner.children(id)),
    async *all() {
      for (const c of inner.all()) yield await later(c);
    },
  };
}

/** The human-in-the-loop flow: dispatch → deferral → execution that supersedes it. */
function hitlFlow() {
  const dispatch = buildCapsule(draft("hitl_dispatched", "2026-06-01T09:00:00Z"));
  const deferral = buildCapsule(
    draft("deferred", "2026-06-01T10:00:00Z", {
      chain: chainToCapsule(dispatch),
      disposition: { decision: "deferred", approver: "human", human_disposed: true, verdict_class: "deferred", expiry_policy: { ttl_seconds: 3600, on_expiry: "escalated" } },
    }),
    { parent: dispatch },
  );
  const execution = buildCapsule(
    draft("executed", "2026-06-01T10:30:00Z", {
      chain: chainToCapsule(deferral),
      effect: { type: "send_payment", status: "confirmed", request_digest: D("a"), response_digest: D("b"), effect_attestation: "gate_executed" },
    }),
    { parent: deferral },
  );
  return { dispatch, deferral, execution };
}

describe("the supersedes relation", () => {
  it("a resolution supersedes the dispatch it chains to, and nothing else", () => {
    const { dispatch, deferral, execution } = hitlFlow();
    assert.equal(capsuleSupersedes(deferral, dispatch), true);
    assert.equal(capsuleSupersedes(execution, deferral), true);
    assert.equal(capsuleSupersedes(execution, dispatch), false);
    assert.equal(capsuleSupersedes(dispatch, deferral), false);
    assert.equal(isSupersedingCapsule(execution), true);
    assert.equal(isSupersedingCapsule(dispatch), false);
  });
  it("the dispatch Capsule is never mutated: its id is unchanged by what chains to it", () => {
    const { dispatch } = hitlFlow();
    assert.equal(computeCapsuleId(dispatch), dispatch.capsule_id);
  });
  it("a tampered parent is not superseded", () => {
    const { dispatch, deferral } = hitlFlow();
    assert.equal(capsuleSupersedes(deferral, { ...dispatch, operator: "evil" }), false);
  });
});

describe("parent resolution through an async store", () => {
  it("found, missing, mismatch, none", async () => {
    const { dispatch, deferral } = hitlFlow();
    const store = asyncStore(new MemoryCapsuleStore([dispatch]));
    const found = await resolveCapsuleParent(deferral, store);
    assert.equal(found.status, "found");
    assert.equal(found.status === "found" && found.parent, dispatch);
    assert.deepEqual(await resolveCapsuleParent(deferral, asyncStore(new MemoryCapsuleStore())), { status: "missing", parentCapsuleId: dispatch.capsule_id });
    assert.deepEqual(await resolveCapsuleParent(dispatch, store), { status: "none" });
    const tampered = new MemoryCapsuleStore([{ ...dispatch, operator: "evil" }], { verifyIds: false });
    assert.equal((await resolveCapsuleParent(deferral, tampered)).status, "mismatch");
  });
  it("walks the whole ancestry, nearest first", async () => {
    const { dispatch, deferral, execution } = hitlFlow();
    const r = await resolveCapsuleChain(execution, asyncStore(new MemoryCapsuleStore([dispatch, deferral])));
    assert.equal(r.status, "complete");
    assert.deepEqual(r.ancestors, [deferral, dispatch]);
  });
  it("reports a missing ancestor two links up", async () => {
    const { deferral, execution } = hitlFlow();
    const store = new MemoryCapsuleStore([deferral]);
    const r = await resolveCapsuleChain(execution, store);
    assert.equal(r.status, "missing");
    assert.deepEqual(r.at, { depth: 1, capsuleId: deferral.chain?.parent_capsule_id });
    const v = await verifyCapsule(execution, { store });
    assert.deepEqual(summary(v), ["6:error:CAPSULE_CHAIN_PARENT_MISSING:/chain", "7:error:CAPSULE_ASSURANCE_OVERCLAIM:/assurance/ledger_mode"]);
  });
  it("stops at the depth limit", async () => {
    const { dispatch, deferral, execution } = hitlFlow();
    const store = new MemoryCapsuleStore([dispatch, deferral]);
    assert.equal((await resolveCapsuleChain(execution, store, { maxDepth: 1 })).status, "depth_limit");
    const v = await verifyCapsule(execution, { store, maxChainDepth: 1 });
    assert.deepEqual(summary(v), ["6:warning:CAPSULE_CHAIN_DEPTH_LIMIT:/chain"]);
  });
});

describe("check 6 through the verifier", () => {
  it("a cycle (constructible because chain is outside capsule_id)", async () => {
    const a0 = buildCapsule(draft("deferred", "2026-06-01T10:00:00Z"));
    const b0 = buildCapsule(draft("escalated", "2026-06-01T11:00:00Z"));
    const a: Record<string, unknown> = { ...a0, assurance: { ...a0.assurance, ledger_mode: "chained" } };
    const b: Record<string, unknown> = { ...b0, assurance: { ...b0.assurance, ledger_mode: "chained" } };
    a.capsule_id = computeCapsuleId(a);
    b.capsule_id = computeCapsuleId(b);
    a.chain = { parent_capsule_id: b.capsule_id, relation: "supersedes" };
    b.chain = { parent_capsule_id: a.capsule_id, relation: "supersedes" };
    const store = new MemoryCapsuleStore([a, b] as unknown as Capsule[]);
    assert.equal((await resolveCapsuleChain(a, store)).status, "cycle");
    const r = await verifyCapsule(a, { store });
    assertWellFormedResult(r);
    assert.deepEqual(summary(r), ["6:error:CAPSULE_CHAIN_CYCLE:/chain", "7:error:CAPSULE_ASSURANCE_OVERCLAIM:/assurance/ledger_mode"]);
  });
  it("a self-parent", async () => {
    const a0 = buildCapsule(draft("deferred", "2026-06-01T10:00:00Z"));
    const a = { ...a0, chain: { parent_capsule_id: a0.capsule_id, relation: "supersedes" } };
    const r = await verifyCapsule(a, { store: new MemoryCapsuleStore([a as Capsule]) });
    assert.deepEqual(summary(r).slice(0, 1), ["6:error:CAPSULE_CHAIN_CYCLE:/chain/parent_capsule_id"]);
  });
  it("a store record that does not recompute to the id that references it", async () => {
    const { dispatch, deferral } = hitlFlow();
    const forged = { ...dispatch, disposition: { ...dispatch.disposition!, verdict_class: "denied" } } as Capsule;
    const store = new MemoryCapsuleStore([forged], { verifyIds: false });
    const r = await verifyCapsule(deferral, { store: { get: (id) => (id === dispatch.capsule_id ? forged : store.get(id)), children: () => [] } });
    assert.deepEqual(summary(r), ["6:error:CAPSULE_CHAIN_PARENT_ID_MISMATCH:/chain/parent_capsule_id", "7:error:CAPSULE_ASSURANCE_OVERCLAIM:/assurance/ledger_mode"]);
  });
  it("the whole HITL flow verifies clean through an async store", async () => {
    const { dispatch, deferral, execution } = hitlFlow();
    const store = asyncStore(new MemoryCapsuleStore([dispatch, deferral, execution]));
    for (const c of [dispatch, deferral, execution]) {
      const r = await verifyCapsule(c, { store });
      assert.deepEqual(summary(r), [], c.disposition?.verdict_class);
    }
  });
});

describe("the concurrent-supersedes rule", () => {
  it("the earliest in ledger order is authoritative", async () => {
    const { dispatch } = hitlFlow();
    const first = buildCapsule(draft("deferred", "2026-06-01T10:00:00Z", { chain: chainToCapsule(dispatch) }), { parent: dispatch });
    const second = buildCapsule(draft("deferred", "2026-06-01T10:00:01Z", { chain: chainToCapsule(dispatch) }), { parent: dispatch });
    const store = new MemoryCapsuleStore([dispatch, first, second]);
    const s = await findSupersedingCapsules(dispatch.capsule_id, store);
    assert.equal(s.authoritative, first);
    assert.deepEqual(s.concurrent, [second]);
    assert.deepEqual(summary(await verifyCapsule(first, { store })), []);
    assert.deepEqual(summary(await verifyCapsule(second, { store })), ["6:warning:CAPSULE_CHAIN_CONCURRENT_SUPERSEDES:/chain/relation"]);
  });
  it("a new supersedes not yet in the store is reported against an existing one", async () => {
    const { dispatch, deferral } = hitlFlow();
    const late = buildCapsule(draft("deferred", "2026-06-01T12:00:00Z", { chain: chainToCapsule(dispatch) }), { parent: dispatch });
    const r = await verifyCapsule(late, { store: new MemoryCapsuleStore([dispatch, deferral]) });
    assert.deepEqual(summary(r), ["6:warning:CAPSULE_CHAIN_CONCURRENT_SUPERSEDES:/chain/relation"]);
  });
});

describe("the open-items predicate", () => {
  it("open until superseded; only the five open classes count", async () => {
    const { dispatch, deferral, execution } = hitlFlow();
    const store = new MemoryCapsuleStore([dispatch]);
    assert.equal(await isCapsuleOpenItem(dispatch, store), true);
    store.append(deferral);
    assert.equal(await isCapsuleOpenItem(dispatch, store), false);
    assert.equal(await isCapsuleOpenItem(deferral, store), true);
    assert.deepEqual(await listCapsuleOpenItems(store), [deferral]);
    store.append(execution);
    assert.deepEqual(await listCapsuleOpenItems(asyncStore(store)), []);
    assert.equal(await isCapsuleOpenItem(execution, store), false, "executed is never open");
  });
  it("each open verdict class is open, the others are not", async () => {
    const store = new MemoryCapsuleStore();
    for (const vc of ["deferred", "needs_decision", "hitl_dispatched", "escalated", "blocked"]) assert.equal(await isCapsuleOpenItem(buildCapsule(draft(vc, "2026-06-01T10:00:00Z")), store), true, vc);
    for (const vc of ["denied", "expired", "resolved", "timeout", "engine_failure"]) assert.equal(await isCapsuleOpenItem(buildCapsule(draft(vc, "2026-06-01T10:00:00Z")), store), false, vc);
  });
  it("an unknown relation does not close an item", async () => {
    const { dispatch } = hitlFlow();
    const amend = buildCapsule(draft("resolved", "2026-06-01T11:00:00Z", { chain: { parent_capsule_id: dispatch.capsule_id, relation: "amends" } }), { registries: { "chain.relation": ["amends"] } });
    assert.equal(await isCapsuleOpenItem(dispatch, new MemoryCapsuleStore([dispatch, amend])), true);
  });
  it("listing needs a store that can enumerate", async () => {
    await assert.rejects(listCapsuleOpenItems({ get: () => undefined, children: () => [] }), CapsuleChainStoreError);
  });
});

describe("MemoryCapsuleStore", () => {
  it("refuses a duplicate id and a record whose id does not recompute", () => {
    const { dispatch } = hitlFlow();
    const store = new MemoryCapsuleStore([dispatch]);
    assert.throws(() => store.append(dispatch), (e: unknown) => e instanceof CapsuleStoreDuplicateIdError && e.path === "/capsule_id");
    assert.throws(() => store.append({ ...dispatch, operator: "x" }), CapsuleStoreRejectedError);
    assert.throws(() => store.append({ ...dispatch, capsule_id: "nope" }), CapsuleStoreRejectedError);
    assert.equal(store.size, 1);
  });
});

describe("deferral expiry (§5.4): ttl against the Capsule's own timestamp", () => {
  it("computes the deadline and the elapsed predicate with an injected clock", () => {
    const { deferral, dispatch } = hitlFlow();
    assert.equal(capsuleExpiryDeadline(deferral), Date.parse("2026-06-01T11:00:00Z"));
    assert.equal(isCapsuleExpiryElapsed(deferral, Date.parse("2026-06-01T10:59:59Z")), false);
    assert.equal(isCapsuleExpiryElapsed(deferral, new Date("2026-06-01T11:00:00Z")), true);
    assert.equal(capsuleExpiryDeadline(dispatch), undefined);
    assert.equal(isCapsuleExpiryElapsed(dispatch, Date.now()), false);
  });
});
