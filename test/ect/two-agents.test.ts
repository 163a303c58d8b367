/**
 * The two-agent example (scripts/examples/ect-two-agents.ts) over real HTTP on loopback: both
 * servers start on port 0; the receiving agents verify the chain and record it.
 */
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { describe, it } from "node:test";
import { post, runTwoAgentDemo, startAgent } from "../../scripts/examples/ect-two-agents.js";
import { createEct, createEctSigner, InMemoryAgentKeyStore, MemoryLedgerStore, type EctLedgerStore } from "../../sdk/index.js";

describe("two agents passing Execution-Context over HTTP", () => {
  it("the compliance agent verifies the orchestrator's chain, and the orchestrator verifies the reply", async () => {
    const r = await runTwoAgentDemo();
    const [fetchData, analyzeRisk, verifyCompliance] = r.jtis;
    // Both servers were on ephemeral loopback ports.
    assert.match(r.orchestrator.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.match(r.compliance.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.notEqual(r.orchestrator.url, r.compliance.url);
    // The receiving agent verified both tokens of the fan-in header, parents first, and recorded them.
    assert.deepEqual(r.compliance.verified, [fetchData, analyzeRisk]);
    assert.deepEqual(r.compliance.ledger, [fetchData, analyzeRisk, verifyCompliance]);
    // The reply's ECT names analyze_risk as its parent and was verified against the orchestrator's ledger.
    assert.deepEqual(r.orchestrator.verified, [verifyCompliance]);
    assert.deepEqual(r.orchestrator.ledger, [fetchData, analyzeRisk, verifyCompliance]);
    assert.equal(r.inputHashMatched, true);
    assert.equal(r.outputHashMatched, true);
    // A forged signature is a 401, a replay a 403 (DAG rule 1).
    assert.equal(r.forgedStatus, 401);
    assert.equal(r.replayStatus, 403);
    assert.deepEqual(r.compliance.rejected, [
      { status: 401, code: "ECT_BAD_SIGNATURE" },
      { status: 403, code: "ECT_DAG_DUPLICATE_JTI" },
    ]);
    assert.equal(r.ledgersIntact, true);
  });
});

describe("two agents: verify + record is atomic per agent (L6)", () => {
  it("concurrent replays of fresh tokens (fan-in, a durable ledger): no 500, each jti recorded once, every refusal a 403", async () => {
    const ME = "spiffe://demo.example/agent/receiver";
    const SENDER = "spiffe://demo.example/agent/sender";
    const keys = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const keyStore = new InMemoryAgentKeyStore([
      { kid: "receiver-1", subject: ME, publicKey: keys.publicKey },
      { kid: "sender-1", subject: SENDER, publicKey: keys.publicKey },
    ]);
    // A durable store: each append waits for the disk (a trip through the event loop), which is
    // when another request could verify against a ledger the first one has not finished writing.
    const disk = new MemoryLedgerStore();
    const ledgerStore: EctLedgerStore = {
      load: () => disk.load(),
      append: async (entries) => {
        await new Promise((r) => setTimeout(r, 3));
        await disk.append(entries);
      },
      close: () => disk.close(),
    };
    const receiver = await startAgent({
      name: "receiver",
      id: ME,
      privateKey: keys.privateKey,
      kid: "receiver-1",
      keyStore,
      ledgerStore,
      handler: async () => ({ status: 200, body: { ok: true } }),
    });
    try {
      const signer = await createEctSigner({ kid: "sender-1", privateKey: keys.privateKey });
      const statuses: number[] = [];
      for (let round = 0; round < 8; round++) {
        const parent = await createEct({ signer, iss: SENDER, aud: ME, wid: "w", exec_act: "fetch", jti: `p${round}` });
        const child = await createEct({ signer, iss: SENDER, aud: ME, wid: "w", exec_act: "analyze", jti: `c${round}`, par: [`p${round}`] });
        // One fan-in request with both tokens, and replays of the child and of both, all at once.
        const sends = [[parent.token, child.token], [child.token], [child.token], [parent.token, child.token], [child.token]];
        const replies = await Promise.all(sends.map((tokens, k) => new Promise((r) => setTimeout(r, k)).then(() => post(`${receiver.url}/tasks`, "{}", tokens))));
        for (const r of replies) {
          statuses.push(r.status);
          assert.ok(r.status === 200 || r.status === 403, `status ${r.status}: ${r.body}`);
          if (r.status === 403) assert.match(JSON.parse(r.body).error, /^ECT_DAG_(DUPLICATE_JTI|UNKNOWN_PARENT)$/);
        }
        const jtis = receiver.ledger.entries().map((e) => e.jti);
        assert.equal(jtis.filter((j) => j === `c${round}`).length, 1);
        assert.equal(jtis.filter((j) => j === `p${round}`).length, 1);
      }
      assert.ok(statuses.includes(200) && statuses.includes(403));
      assert.ok(receiver.ledger.verifyIntegrity().ok);
      assert.deepEqual(disk.snapshot().length, receiver.ledger.size);
    } finally {
      await new Promise<void>((r) => receiver.server.close(() => r()));
    }
  });
});
