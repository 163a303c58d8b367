/**
 * verifyEctWorkflow / EctVerifierPool: steps 1-12 on worker threads give the same typed results
 * as the calling thread; step 13 runs over the set; keys cross as records; fallbacks.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  createEct,
  EctBadSignatureError,
  EctBadTypError,
  EctExpiredError,
  EctKeyRevokedError,
  EctLedger,
  EctMalformedError,
  EctMissingClaimError,
  EctTraversalLimitError,
  EctUnknownKidError,
  EctUnknownParentError,
  EctVerifierPool,
  EctDuplicateJtiError,
  EctInvalidOptionError,
  EctWorkerError,
  InMemoryAgentKeyStore,
  MemoryLedgerStore,
  verifyEctWorkflow,
  type VerifyEctReturnType,
} from "../../sdk/index.js";
import { AUD, clock, forge, ISS, makeAgent, NOW, payload, storeOf, type TestAgent } from "./helpers.js";

let A: TestAgent;
let B: TestAgent;
let batch: unknown[];
let expected: [string, string][];

const mk = async (agent: TestAgent, jti: string, par: string[] = [], extra: Record<string, unknown> = {}) =>
  (await createEct({ signer: agent.signer, iss: agent.subject, aud: AUD, exec_act: "x", jti, par, wid: "w", clock, ...extra })).token;

before(async () => {
  A = await makeAgent("agent-a", ISS);
  B = await makeAgent("agent-b", "spiffe://bank.example/agent/b");
  const good = await mk(A, "g2", ["g1"]);
  batch = [
    await mk(A, "g1"),
    good,
    await mk(A, "g3", ["g1", "g2"]),
    forge({ key: A.privateKey, header: { alg: "ES256", typ: "JWT", kid: "agent-a" }, payload: payload({ jti: "t" }) }),
    `${good.slice(0, good.lastIndexOf("."))}.${(await mk(A, "zz")).split(".")[2]}`,
    await mk(A, "old", [], { iat: NOW - 2000, exp: NOW - 1000 }),
    await mk(B, "byB"),
    forge({ key: A.privateKey, header: { alg: "ES256", typ: "wimse-exec+jwt", kid: "nobody" } }),
    forge({ key: A.privateKey, header: { alg: "ES256", typ: "wimse-exec+jwt", kid: "agent-a" }, payload: payload({ jti: undefined }) }),
    42,
    await mk(A, "orphan", ["ghost"]),
    await mk(A, "child-of-expired", ["old"]),
    await mk(A, "g1"),
  ];
  expected = [
    ["ok", ""],
    ["ok", ""],
    ["ok", ""],
    ["2", EctBadTypError.name],
    ["5", EctBadSignatureError.name],
    ["10", EctExpiredError.name],
    ["6", EctKeyRevokedError.name],
    ["4", EctUnknownKidError.name],
    ["12", EctMissingClaimError.name],
    ["1", EctMalformedError.name],
    ["13", EctUnknownParentError.name],
    ["13", EctUnknownParentError.name],
    ["13", EctDuplicateJtiError.name],
  ];
});

function keyStore(): InMemoryAgentKeyStore {
  const s = storeOf(A, B);
  s.revoke("agent-b");
  return s;
}

const summary = (rs: VerifyEctReturnType[]): [string, string][] => rs.map((r) => (r.ok ? ["ok", ""] : [String(r.step), r.error.constructor.name]));

describe("verifyEctWorkflow", () => {
  it("on the calling thread: every step's failure lands on the right token; DAG failures are step 13", async () => {
    const r = await verifyEctWorkflow(batch, { keyStore: keyStore(), audience: AUD, clock, workers: 0 });
    assert.deepEqual(summary(r.results), expected);
    assert.equal(r.ok, false);
    assert.deepEqual(r.threads, { workers: 0, mainThread: true, workerError: undefined });
    assert.deepEqual(r.violations.map((v) => [v.rule, v.index]), [[1, 12], [2, 10], [2, 11]]);
    for (const x of r.results) if (x.ok) assert.equal(x.stepsCompleted, 13);
  });

  it("on a worker thread only: the same typed results (errors rebuilt from plain data)", async () => {
    const r = await verifyEctWorkflow(batch, { keyStore: keyStore(), audience: AUD, clock, workers: 1, useMainThread: false, chunkSize: 3 });
    assert.equal(r.threads.workers, 1);
    assert.equal(r.threads.workerError, undefined);
    assert.deepEqual(summary(r.results), expected);
    const bad = r.results[4]!;
    assert.ok(!bad.ok && bad.error instanceof EctBadSignatureError && bad.httpStatus === 401 && bad.error.step === 5);
  });

  it("verifies a valid workflow, returning a topological order", async () => {
    const tokens = [batch[2], batch[0], batch[1]];
    const r = await verifyEctWorkflow(tokens, { keyStore: keyStore(), audience: AUD, clock, workers: 1 });
    assert.ok(r.ok);
    assert.deepEqual(r.order, [1, 2, 0]);
  });

  it("finds parents in a store and refuses tokens it already holds", async () => {
    const ledger = await EctLedger.open({ store: new MemoryLedgerStore() });
    await ledger.append(batch[0] as string);
    const r = await verifyEctWorkflow([batch[1], batch[2]], { keyStore: keyStore(), audience: AUD, clock, workers: 0, store: ledger });
    assert.ok(r.ok);
    const again = await verifyEctWorkflow([batch[0]], { keyStore: keyStore(), audience: AUD, clock, workers: 0, store: ledger });
    assert.ok(!again.results[0]!.ok && again.results[0]!.error instanceof EctDuplicateJtiError);
  });

  it("fails every token at step 13 when the set exceeds the traversal limit", async () => {
    const r = await verifyEctWorkflow(batch.slice(0, 3), { keyStore: keyStore(), audience: AUD, clock, workers: 0, maxNodes: 2 });
    assert.deepEqual(r.results.map((x) => (x.ok ? "ok" : x.error.constructor.name)), [EctTraversalLimitError.name, EctTraversalLimitError.name, EctTraversalLimitError.name]);
  });

  it("falls back to the calling thread when the key store cannot be exported, and says why", async () => {
    const store = keyStore();
    const custom = { getKey: (kid: string) => store.getKey(kid), exportRecords: () => Promise.reject(new Error("not exportable")) };
    const r = await verifyEctWorkflow(batch, { keyStore: custom, audience: AUD, clock, workers: 1 });
    assert.equal(r.threads.workers, 0);
    assert.match(r.threads.workerError ?? "", /not exportable/);
    assert.deepEqual(summary(r.results), expected);
  });

  it("never throws for a non-array or an empty list", async () => {
    const r = await verifyEctWorkflow("nope" as never, { keyStore: keyStore(), audience: AUD, clock });
    assert.equal(r.ok, false);
    const e = await verifyEctWorkflow([], { keyStore: keyStore(), audience: AUD, clock });
    const noOptions = await verifyEctWorkflow(batch.slice(0, 1), undefined as never);
    assert.ok(!noOptions.ok && !noOptions.results[0]!.ok && noOptions.results[0]!.step === 0 && noOptions.results[0]!.error instanceof EctInvalidOptionError);
    assert.deepEqual([e.ok, e.results, e.order], [true, [], []]);
  });
});

describe("EctVerifierPool", () => {
  it("throws EctWorkerError when it cannot start (bad worker count, keys not exportable)", async () => {
    await assert.rejects(EctVerifierPool.create({ keyStore: keyStore(), workers: -1 }), EctWorkerError);
    const custom = { getKey: () => undefined, exportRecords: () => { throw new Error("no"); } };
    await assert.rejects(EctVerifierPool.create({ keyStore: custom, workers: 1 }), EctWorkerError);
  });

  let pool: EctVerifierPool;
  let store: InMemoryAgentKeyStore;
  before(async () => {
    store = new InMemoryAgentKeyStore([{ kid: "agent-a", subject: ISS, publicKey: A.publicKey }]);
    pool = await EctVerifierPool.create({ keyStore: store, workers: 1 });
  });
  after(async () => {
    await pool.close();
  });

  it("is reused across calls, and picks up revocations after refreshKeys", async () => {
    assert.equal(pool.size, 1);
    const tokens = batch.slice(0, 3);
    const first = await verifyEctWorkflow(tokens, { keyStore: store, audience: AUD, clock, pool, useMainThread: false });
    assert.ok(first.ok);
    assert.equal(first.threads.workers, 1);
    store.revoke("agent-a");
    await pool.refreshKeys();
    const second = await pool.verify(tokens, { audience: AUD, clock, useMainThread: false });
    assert.deepEqual(second.map((x) => (x.ok ? "ok" : x.error.constructor.name)), [EctKeyRevokedError.name, EctKeyRevokedError.name, EctKeyRevokedError.name]);
    for (const x of second) assert.ok(!x.ok && x.step === 6);
  });

});

describe("EctVerifierPool: key-store changes are always honoured (H1)", () => {
  let C: TestAgent;
  let tokens: string[];
  before(async () => {
    C = await makeAgent("agent-c", ISS);
    tokens = [];
    for (let i = 0; i < 120; i++) tokens.push(await mk(C, `h${i}`));
  });
  const codes = (rs: VerifyEctReturnType[]) => [...new Set(rs.map((r) => (r.ok ? "ok" : r.error.code)))];
  const freshStore = () => new InMemoryAgentKeyStore([{ kid: "agent-c", subject: ISS, publicKey: C.publicKey }]);

  it("revoking after the pool started fails every token of that key with ECT_KEY_REVOKED, without refreshKeys", async () => {
    const ks = freshStore();
    const pool = await EctVerifierPool.create({ keyStore: ks, workers: 1 });
    try {
      assert.deepEqual(codes(await pool.verify(tokens, { audience: AUD, clock, chunkSize: 7 })), ["ok"]);
      ks.revoke("agent-c");
      for (const useMainThread of [false, true]) {
        const rs = await pool.verify(tokens, { audience: AUD, clock, chunkSize: 7, useMainThread });
        assert.deepEqual(codes(rs), ["ECT_KEY_REVOKED"]);
        for (const r of rs) assert.ok(!r.ok && r.step === 6 && r.error instanceof EctKeyRevokedError && r.httpStatus === 401);
      }
      const wf = await verifyEctWorkflow(tokens.slice(0, 10), { keyStore: ks, audience: AUD, clock, pool, useMainThread: false });
      assert.equal(wf.ok, false);
      assert.deepEqual(codes(wf.results), ["ECT_KEY_REVOKED"]);
    } finally {
      await pool.close();
    }
  });

  it("a store without a revision counter is still honoured: the calling thread re-checks every accepted token", async () => {
    const inner = freshStore();
    const ks = { getKey: (kid: string) => inner.getKey(kid), exportRecords: () => inner.exportRecords() }; // no revision
    const pool = await EctVerifierPool.create({ keyStore: ks, workers: 1 });
    try {
      inner.revoke("agent-c");
      assert.deepEqual(codes(await pool.verify(tokens, { audience: AUD, clock, chunkSize: 9, useMainThread: false })), ["ECT_KEY_REVOKED"]);
      // Removing the key: step 4; replacing it by another key under the same kid: step 5; another subject: step 8.
      inner.remove("agent-c");
      assert.deepEqual(codes(await pool.verify(tokens, { audience: AUD, clock, useMainThread: false })), ["ECT_UNKNOWN_KID"]);
      inner.add({ kid: "agent-c", subject: ISS, publicKey: A.publicKey });
      assert.deepEqual(codes(await pool.verify(tokens, { audience: AUD, clock, useMainThread: false })), ["ECT_BAD_SIGNATURE"]);
      inner.add({ kid: "agent-c", subject: "spiffe://bank.example/agent/other", publicKey: C.publicKey }, { replace: true });
      assert.deepEqual(codes(await pool.verify(tokens, { audience: AUD, clock, useMainThread: false })), ["ECT_ISSUER_MISMATCH"]);
      // A live key store whose lookup fails: step 4, EctKeyStoreError.
      const broken = { getKey: () => { throw new Error("registry down"); }, exportRecords: () => [] };
      assert.deepEqual(codes(await pool.verify(tokens.slice(0, 3), { audience: AUD, clock, useMainThread: false, keyStore: broken })), ["ECT_KEY_STORE_FAILED"]);
    } finally {
      await pool.close();
    }
  });

  it("verifyEctWorkflow with a pool re-checks against the keyStore it is given, not the pool's", async () => {
    const poolStore = freshStore();
    const pool = await EctVerifierPool.create({ keyStore: poolStore, workers: 1 });
    try {
      const callerStore = freshStore();
      callerStore.revoke("agent-c");
      const r = await verifyEctWorkflow(tokens.slice(0, 20), { keyStore: callerStore, audience: AUD, clock, pool, useMainThread: false });
      assert.deepEqual(codes(r.results), ["ECT_KEY_REVOKED"]);
      const ok = await verifyEctWorkflow(tokens.slice(0, 20), { keyStore: poolStore, audience: AUD, clock, pool, useMainThread: false });
      assert.ok(ok.ok);
    } finally {
      await pool.close();
    }
  });

  it("the workers are re-keyed when the store's revision moves (their own answers become current)", async () => {
    const ks = freshStore();
    const pool = await EctVerifierPool.create({ keyStore: ks, workers: 1 });
    try {
      const before = ks.revision;
      ks.revoke("agent-c");
      assert.notEqual(ks.revision, before);
      assert.deepEqual(codes(await pool.verify(tokens.slice(0, 5), { audience: AUD, clock, useMainThread: false })), ["ECT_KEY_REVOKED"]);
    } finally {
      await pool.close();
    }
  });

  it("invalid pool.verify options fail every token at step 0 (chunkSize NaN would otherwise skip tokens)", async () => {
    const pool = await EctVerifierPool.create({ keyStore: freshStore(), workers: 1 });
    try {
      for (const o of [{ audience: AUD, clock, chunkSize: Number.NaN }, { audience: AUD, clock, chunkSize: 0 }, { audience: 5 }, { audience: AUD, clock: () => Number.NaN }]) {
        const rs = await pool.verify(tokens.slice(0, 4), o as never);
        assert.equal(rs.length, 4);
        for (const r of rs) assert.ok(!r.ok && r.step === 0 && r.error instanceof EctInvalidOptionError, JSON.stringify(o));
      }
    } finally {
      await pool.close();
    }
  });
});

describe("EctVerifierPool: lifecycle", () => {
  it("refuses work after close", async () => {
    const store = new InMemoryAgentKeyStore([{ kid: "agent-a", subject: ISS, publicKey: A.publicKey }]);
    const p = await EctVerifierPool.create({ keyStore: store, workers: 1 });
    await p.close();
    await assert.rejects(p.verify([], { audience: AUD }), EctWorkerError);
  });
});
