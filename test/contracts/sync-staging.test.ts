import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ProveRejection, Resolution, TaskStatus, Verdict, encodeStepData, stepWitness } from "../../sdk/chain/index.js";
import { deployAgentExec } from "./helpers/fixture.js";

describe("3-stage sync workflow: each stage's prove gates the next step; a failed prove may be retried", async () => {
  const f = await deployAgentExec();
  const { viem } = f;
  const agent = f.accounts.agent.account.address;
  const sync = { resolution: Resolution.Sync };
  const { workflowHash } = await f.registerWorkflow([sync, sync, sync]);
  const { taskId, inputHash } = await f.dispatch(workflowHash);
  const outs = [f.output("r0"), f.output("r1"), f.output("r2")];

  async function step(stage: number) {
    const o = outs[stage]!;
    // Stages 1 and 2 take the attested task input: their witness is stage 0's outputHash.
    const data = encodeStepData(stepWitness({ stage, chained: false, stage0OutputHash: outs[0]!.outputHash, stage0Agent: agent }));
    return f.handlerAsAgent.write.onAgentStep([taskId, inputHash, o.outputHash, o.output, 1n, agent, stage, stage === 2, data]);
  }
  async function prove(stage: number, proof?: `0x${string}`) {
    const o = outs[stage]!;
    const p = proof ?? (await f.stageProof(taskId, stage, inputHash, o.outputHash, Verdict.Approved, { isFinal: stage === 2 }));
    return f.handlerAsAgent.write.onAgentProve([taskId, inputHash, o.outputHash, f.ph(p), f.ecdsa.address, stage]);
  }

  it("refuses step 1 until stage 0 is proven", async () => {
    await f.mined(step(0));
    await viem.assertions.revertWithCustomErrorWithArgs(step(1), f.handler, "AgentHandlerSyncStageUnproven", [taskId, 0]);
  });

  it("a rejected prove gates (no state change) and step 1 stays refused", async () => {
    // Signed for a different output: the verifier finds it invalid.
    const wrong = await f.stageProof(taskId, 0, inputHash, outs[1]!.outputHash);
    await viem.assertions.emitWithArgs(prove(0, wrong), f.handler, "AgentProveRejected", [
      taskId,
      0,
      f.ecdsa.address,
      ProveRejection.InvalidProof,
      (d: unknown) => typeof d === "string",
    ]);
    // A denied verdict on a non-gating stage is rejected too, and also retryable.
    const denied = await f.stageProof(taskId, 0, inputHash, outs[0]!.outputHash, Verdict.Denied);
    await viem.assertions.emitWithArgs(prove(0, denied), f.handler, "AgentProveRejected", [
      taskId,
      0,
      f.ecdsa.address,
      ProveRejection.Denied,
      (d: unknown) => typeof d === "string",
    ]);
    assert.equal((await f.handler.read.taskOf([taskId])).provenStages, 0n);
    await viem.assertions.revertWithCustomErrorWithArgs(step(1), f.handler, "AgentHandlerSyncStageUnproven", [taskId, 0]);
  });

  it("a retried, valid prove opens the gate", async () => {
    await viem.assertions.emit(prove(0), f.handler, "AgentStageProven");
    await f.mined(step(1));
  });

  it("a replayed prove is refused", async () => {
    await viem.assertions.revertWithCustomErrorWithArgs(prove(0), f.handler, "AgentHandlerStageAlreadyProven", [taskId, 0]);
  });

  it("runs to finalisation", async () => {
    await f.mined(prove(1));
    await f.mined(step(2));
    await viem.assertions.emit(prove(2), f.handler, "AgentTaskFinalized");
    assert.equal((await f.handler.read.taskOf([taskId])).status, TaskStatus.Finalized);
  });
});
