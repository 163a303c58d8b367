/**
 * A stage verifier whose account loses its code after registration (an EIP-7702 delegation cleared, a
 * self-destruct in the creating transaction) is never called: `BoundedCall` fails closed and the handler rejects
 * the prove with its own reason, `ProveRejection.VerifierNoCode` (6), which the SDK names in prove outcomes (a
 * recorded rejection and a simulated `stepAndProve`) and in verifyTask's report.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { zeroHash } from "viem";
import { ProveRejection, TaskStatus, Verdict } from "../../sdk/chain/index.js";
import { stepAndProve, submitProve, submitStep } from "../../sdk/chain/actions/index.js";
import { renderTaskReport, verifyTask } from "../../sdk/verify/index.js";
import { deployAgentExec } from "./helpers/fixture.js";

describe("a verifier without code: rejection reason VerifierNoCode", async () => {
  const f = await deployAgentExec();
  const { agent, stranger } = f.accounts;
  const handler = f.handler.address;
  const { workflowHash } = await f.registerWorkflow([{}]);
  const out = f.output("result");

  it("the enum value is appended last (earlier values keep their numbers)", () => {
    assert.deepEqual(ProveRejection, { None: 0, VerifierReverted: 1, VerifierOutOfGas: 2, MalformedVerdict: 3, InvalidProof: 4, Denied: 5, VerifierNoCode: 6 });
  });

  it("onAgentProve records the rejection as VerifierNoCode; stepAndProve's simulation reports it; verifyTask renders it", async () => {
    const recorded = await f.dispatch(workflowHash);
    const atomic = await f.dispatch(workflowHash);
    await submitStep(agent, { handler, taskId: recorded.taskId, stage: 0, inputHash: recorded.inputHash, outputHash: out.outputHash, output: out.output, isFinal: true, data: "0x" });
    const proof = await f.stageProof(recorded.taskId, 0, recorded.inputHash, out.outputHash, Verdict.Approved, { isFinal: true });
    const atomicProof = await f.stageProof(atomic.taskId, 0, atomic.inputHash, out.outputHash, Verdict.Approved, { isFinal: true });

    // The attack: the registered verifier's account loses its code; a CALL to it would "succeed" with no data.
    await f.networkHelpers.setCode(f.ecdsa.address, "0x");

    const r = await submitProve(stranger, { handler, taskId: recorded.taskId, stage: 0, inputHash: recorded.inputHash, outputHash: out.outputHash, proof, agent: agent.account.address });
    assert.equal(r.outcome.status, "rejected");
    assert.ok(r.outcome.status === "rejected" && r.outcome.reason === "VerifierNoCode" && r.outcome.reasonCode === ProveRejection.VerifierNoCode);
    assert.ok(r.outcome.status === "rejected" && r.outcome.detail === zeroHash, "no detail");
    assert.equal((await f.handler.read.taskOf([recorded.taskId])).status, TaskStatus.Active, "not finalised");

    const s = await stepAndProve(agent, { handler, taskId: atomic.taskId, stage: 0, inputHash: atomic.inputHash, outputHash: out.outputHash, output: out.output, isFinal: true, data: "0x", proof: atomicProof });
    assert.equal(s.transactionHash, undefined, "nothing sent");
    assert.ok(s.outcome.status === "rejected" && s.outcome.reason === "VerifierNoCode" && s.outcome.reasonCode === 6);
    assert.equal((await f.handler.read.taskOf([atomic.taskId])).steppedStages, 0, "the step is not recorded either");

    const report = await verifyTask(f.publicClient, { handler, taskId: recorded.taskId });
    assert.deepEqual(report.stages[0]?.rejectedProves.map((p) => p.reason), ["VerifierNoCode"]);
    assert.match(renderTaskReport(report), /rejected prove 0x[0-9a-f]{64}: VerifierNoCode/);
  });
});
