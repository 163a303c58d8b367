import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { AgentAuth, ProveRejection, Resolution, TaskStatus, Verdict, encodeStepData, stepDigest } from "../../sdk/chain/index.js";
import { deployAgentExec } from "./helpers/fixture.js";

describe("stepAndProve: atomic step + prove, and the only way to replace an unproven step", async () => {
  const f = await deployAgentExec();
  const { viem } = f;
  const agent = f.accounts.agent.account.address;
  const squatter = f.accounts.stranger.account.address;
  // Open auth: anyone may step, so anyone may try to squat a stage with junk.
  const open1 = await f.registerWorkflow([{}], { agentAuth: AgentAuth.Open });
  const open2 = await f.registerWorkflow([{}, {}], { agentAuth: AgentAuth.Open, minFinalStage: 1 });
  const junk = f.output("junk");
  const honest = f.output("the real answer");

  const step = (taskId: `0x${string}`, inputHash: `0x${string}`, o: { output: `0x${string}`; outputHash: `0x${string}` }, stage: number, isFinal: boolean, who: `0x${string}`, data: `0x${string}` = "0x") => ({
    taskId,
    inputHash,
    outputHash: o.outputHash,
    output: o.output,
    agentId: 0n,
    agent: who,
    stage,
    isFinal,
    data,
  });

  it("records and proves a fresh step in one transaction", async () => {
    const { taskId, inputHash } = await f.dispatch(open1.workflowHash);
    const proof = await f.stageProof(taskId, 0, inputHash, honest.outputHash, Verdict.Approved, { isFinal: true });
    const tx = f.handlerAsAgent.write.stepAndProve([step(taskId, inputHash, honest, 0, true, agent), proof]);
    await viem.assertions.emitWithArgs(tx, f.handler, "AgentTaskFinalized", [taskId, 0, honest.outputHash]);
  });

  it("a squatter's junk final step is displaced by a result that verifies", async () => {
    const { taskId, inputHash } = await f.dispatch(open1.workflowHash);
    await f.mined(f.handlerAsStranger.write.onAgentStep([taskId, inputHash, junk.outputHash, junk.output, 0n, squatter, 0, true, "0x"]));
    // The plain callback cannot replace it…
    await viem.assertions.revertWithCustomErrorWithArgs(
      f.handlerAsAgent.write.onAgentStep([taskId, inputHash, honest.outputHash, honest.output, 0n, agent, 0, true, "0x"]),
      f.handler,
      "AgentHandlerSteppingClosed",
      [taskId, 0],
    );
    // …stepAndProve can, because its prove approves. A replacement of stage 0 carries the witness (the junk output).
    const proof = await f.stageProof(taskId, 0, inputHash, honest.outputHash, Verdict.Approved, { isFinal: true });
    const tx = f.handlerAsAgent.write.stepAndProve([step(taskId, inputHash, honest, 0, true, agent, f.witness(junk.outputHash, squatter)), proof]);
    await viem.assertions.emitWithArgs(tx, f.handler, "AgentStepReplaced", [taskId, 0, 0]);
    assert.equal((await f.handler.read.taskOf([taskId])).status, TaskStatus.Finalized);
  });

  it("a squatter cannot displace an honest unproven step: its prove does not verify, so nothing happens", async () => {
    const { taskId, inputHash } = await f.dispatch(open2.workflowHash);
    await f.mined(f.handlerAsAgent.write.onAgentStep([taskId, inputHash, honest.outputHash, honest.output, 0n, agent, 0, false, "0x"]));
    const forged = await f.stageProof(taskId, 0, inputHash, honest.outputHash); // signed for the honest output
    await viem.assertions.revertWithCustomErrorWithArgs(
      f.handlerAsStranger.write.stepAndProve([step(taskId, inputHash, junk, 0, false, squatter, f.witness(honest.outputHash)), forged]),
      f.handler,
      "AgentHandlerProveRejected",
      [taskId, 0, ProveRejection.InvalidProof, (d: unknown) => typeof d === "string"],
    );
    assert.equal(await f.handler.read.stepDigest([taskId, 0]), stepDigest({ inputHash, outputHash: honest.outputHash, agent, isFinal: false }));
  });

  it("replacing an earlier squatted stage discards the unproven later steps", async () => {
    const { taskId, inputHash } = await f.dispatch(open2.workflowHash);
    await f.mined(f.handlerAsStranger.write.onAgentStep([taskId, inputHash, junk.outputHash, junk.output, 0n, squatter, 0, false, "0x"]));
    await f.mined(
      f.handlerAsStranger.write.onAgentStep([taskId, inputHash, junk.outputHash, junk.output, 0n, squatter, 1, true, f.witness(junk.outputHash, squatter)]),
    );
    const p0 = await f.stageProof(taskId, 0, inputHash, honest.outputHash);
    await viem.assertions.emitWithArgs(
      f.handlerAsAgent.write.stepAndProve([step(taskId, inputHash, honest, 0, false, agent, f.witness(junk.outputHash, squatter)), p0]),
      f.handler,
      "AgentStepReplaced",
      [taskId, 0, 1],
    );
    const view = await f.handler.read.taskOf([taskId]);
    assert.equal(view.steppedStages, 1);
    assert.equal(view.finalStepped, false);
    const final = f.output("final");
    const p1 = await f.stageProof(taskId, 1, inputHash, final.outputHash, Verdict.Approved, { isFinal: true });
    await viem.assertions.emit(
      f.handlerAsAgent.write.stepAndProve([step(taskId, inputHash, final, 1, true, agent, f.witness(honest.outputHash)), p1]),
      f.handler,
      "AgentTaskFinalized",
    );
  });

  it("a proven stage can no longer be replaced", async () => {
    const { taskId, inputHash } = await f.dispatch(open2.workflowHash);
    const p0 = await f.stageProof(taskId, 0, inputHash, honest.outputHash);
    await f.mined(f.handlerAsAgent.write.stepAndProve([step(taskId, inputHash, honest, 0, false, agent), p0]));
    const pj = await f.stageProof(taskId, 0, inputHash, junk.outputHash);
    await viem.assertions.revertWithCustomErrorWithArgs(
      f.handlerAsAgent.write.stepAndProve([step(taskId, inputHash, junk, 0, false, agent, f.witness(honest.outputHash)), pj]),
      f.handler,
      "AgentHandlerStageAlreadyProven",
      [taskId, 0],
    );
  });

  it("on a gating stage, a valid denial through stepAndProve records the step and halts", async () => {
    const gate = await f.registerWorkflow([{ resolution: Resolution.Sync, gating: true }, {}]);
    const { taskId, inputHash } = await f.dispatch(gate.workflowHash);
    const verdict = f.output("deny");
    const proof = await f.stageProof(taskId, 0, inputHash, verdict.outputHash, Verdict.Denied);
    await viem.assertions.emit(
      f.handlerAsAgent.write.stepAndProve([step(taskId, inputHash, verdict, 0, false, agent), proof]),
      f.handler,
      "AgentTaskHalted",
    );
    assert.equal((await f.handler.read.taskOf([taskId])).status, TaskStatus.Halted);
  });
});
