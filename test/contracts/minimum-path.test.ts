import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { TaskStatus, Verdict, stepDigest } from "../../sdk/chain/index.js";
import { deployAgentExec } from "./helpers/fixture.js";

describe("minimum path: callAgent → onAgentStep(0, final) → onAgentProve(0)", async () => {
  const f = await deployAgentExec();
  const { viem } = f;
  const { workflowHash } = await f.registerWorkflow([{}]);
  const { taskId, inputHash, task, hash } = await f.dispatch(workflowHash);
  const { output, outputHash } = f.output("the answer");
  const agent = f.accounts.agent.account.address;

  it("callAgent emits CallAgent with the requester-bound task id and opens the task", async () => {
    await viem.assertions.emitWithArgs(hash, f.caller, "CallAgent", [
      taskId,
      f.accounts.requester.account.address,
      workflowHash,
      "0x",
      inputHash,
      "0x",
      f.handler.address,
      task.deadline,
    ]);
    await viem.assertions.emitWithArgs(hash, f.handler, "AgentTaskOpened", [taskId, workflowHash, inputHash, task.deadline]);
    const view = await f.handler.read.taskOf([taskId]);
    assert.equal(view.status, TaskStatus.Active);
    assert.equal(view.agentWorkflowHash, workflowHash);
    assert.equal(view.steppedStages, 0);
  });

  it("the single final step is accepted", async () => {
    const tx = f.handlerAsAgent.write.onAgentStep([taskId, inputHash, outputHash, output, 7n, agent, 0, true, "0x"]);
    await viem.assertions.emitWithArgs(tx, f.handler, "AgentStepAccepted", [taskId, 0, agent, 7n, inputHash, outputHash, true]);
    assert.equal(await f.handler.read.stepDigest([taskId, 0]), stepDigest({ inputHash, outputHash, agent, isFinal: true }));
  });

  it("its prove finalises the task", async () => {
    const proof = await f.stageProof(taskId, 0, inputHash, outputHash, Verdict.Approved, { isFinal: true });
    // Anyone may submit a prove: the verifier, not the submitter, must be convinced.
    const tx = f.handlerAsStranger.write.onAgentProve([taskId, inputHash, outputHash, f.ph(proof), f.ecdsa.address, 0]);
    await viem.assertions.emitWithArgs(tx, f.handler, "AgentTaskFinalized", [taskId, 0, outputHash]);
    const view = await f.handler.read.taskOf([taskId]);
    assert.equal(view.status, TaskStatus.Finalized);
    assert.equal(view.provenStages, 1n);
  });

  it("nothing is accepted after finalisation", async () => {
    await viem.assertions.revertWithCustomErrorWithArgs(
      f.handlerAsAgent.write.onAgentStep([taskId, inputHash, outputHash, output, 7n, agent, 0, true, "0x"]),
      f.handler,
      "AgentHandlerTaskNotActive",
      [taskId, TaskStatus.Finalized],
    );
  });
});
