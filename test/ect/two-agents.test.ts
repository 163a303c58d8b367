/**
 * The two-agent example (scripts/examples/ect-two-agents.ts) over real HTTP on loopback: both
 * servers start on port 0; the receiving agents verify the chain and record it.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runTwoAgentDemo } from "../../scripts/examples/ect-two-agents.js";

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
