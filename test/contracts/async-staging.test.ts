import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { InputSource, TaskStatus, Verdict, encodeStepData, stepWitness } from "../../sdk/chain/index.js";
import { deployAgentExec } from "./helpers/fixture.js";

describe("3-stage async workflow: steps chain freely, the final prove waits for every earlier stage", async () => {
  const f = await deployAgentExec();
  const { viem } = f;
  const agent = f.accounts.agent.account.address;
  // A chain A → B → C: stage 1 and 2 take the previous stage's output as input.
  const { workflowHash } = await f.registerWorkflow([{}, { input: InputSource.PreviousOutput }, { input: InputSource.PreviousOutput }]);
  const { taskId, inputHash } = await f.dispatch(workflowHash);
  const outs = [f.output("classified"), f.output("summarised"), f.output("published")];
  const inputs = [inputHash, outs[0]!.outputHash, outs[1]!.outputHash];
  // A chained step's witness is the previous stage's inputHash and agent (see sdk/chain/step.ts).
  const data = (stage: number) =>
    encodeStepData(stepWitness({ stage, chained: stage > 0, previousInputHash: inputs[stage - 1], previousAgent: agent }));

  it("records all three steps without any prove", async () => {
    for (let stage = 0; stage < 3; stage++) {
      const o = outs[stage]!;
      await f.mined(
        f.handlerAsAgent.write.onAgentStep([taskId, inputs[stage]!, o.outputHash, o.output, 1n, agent, stage, stage === 2, data(stage)]),
      );
    }
    const view = await f.handler.read.taskOf([taskId]);
    assert.equal(view.steppedStages, 3);
    assert.equal(view.finalStepped, true);
    assert.equal(view.provenStages, 0n);
  });

  it("refuses a step after the final one", async () => {
    const o = f.output("extra");
    await viem.assertions.revertWithCustomErrorWithArgs(
      f.handlerAsAgent.write.onAgentStep([taskId, outs[2]!.outputHash, o.outputHash, o.output, 1n, agent, 2, true, data(2)]),
      f.handler,
      "AgentHandlerSteppingClosed",
      [taskId, 2],
    );
  });

  it("refuses the final prove while stages 0 and 1 are unproven", async () => {
    const proof = await f.stageProof(taskId, 2, inputs[2]!, outs[2]!.outputHash, Verdict.Approved, { isFinal: true });
    await viem.assertions.revertWithCustomErrorWithArgs(
      f.handlerAsAgent.write.onAgentProve([taskId, inputs[2]!, outs[2]!.outputHash, f.ph(proof), f.ecdsa.address, 2]),
      f.handler,
      "AgentHandlerEarlierStagesUnproven",
      [taskId, 0b11n],
    );
  });

  it("accepts earlier proves in any order, then the final prove finalises", async () => {
    for (const stage of [1, 0]) {
      const proof = await f.stageProof(taskId, stage, inputs[stage]!, outs[stage]!.outputHash);
      await viem.assertions.emitWithArgs(
        f.handlerAsAgent.write.onAgentProve([taskId, inputs[stage]!, outs[stage]!.outputHash, f.ph(proof), f.ecdsa.address, stage]),
        f.handler,
        "AgentStageProven",
        [taskId, stage, f.ecdsa.address, (d: unknown) => typeof d === "string" && d.length === 66],
      );
    }
    const proof = await f.stageProof(taskId, 2, inputs[2]!, outs[2]!.outputHash, Verdict.Approved, { isFinal: true });
    await viem.assertions.emitWithArgs(
      f.handlerAsAgent.write.onAgentProve([taskId, inputs[2]!, outs[2]!.outputHash, f.ph(proof), f.ecdsa.address, 2]),
      f.handler,
      "AgentTaskFinalized",
      [taskId, 2, outs[2]!.outputHash],
    );
    const view = await f.handler.read.taskOf([taskId]);
    assert.equal(view.status, TaskStatus.Finalized);
    assert.equal(view.provenStages, 0b111n);
  });

  it("a chained stage refuses an input that is not the previous output", async () => {
    const t = await f.dispatch(workflowHash);
    const o0 = f.output("a");
    await f.mined(f.handlerAsAgent.write.onAgentStep([t.taskId, t.inputHash, o0.outputHash, o0.output, 1n, agent, 0, false, "0x"]));
    const o1 = f.output("b");
    const witness = f.witness(t.inputHash);
    await viem.assertions.revertWithCustomErrorWithArgs(
      f.handlerAsAgent.write.onAgentStep([t.taskId, t.inputHash, o1.outputHash, o1.output, 1n, agent, 1, false, witness]),
      f.handler,
      "AgentHandlerInputNotChained",
      [t.taskId, 1, t.inputHash],
    );
    // The right input without its witness is refused too: the handler cannot see the previous output otherwise.
    await viem.assertions.revertWithCustomErrorWithArgs(
      f.handlerAsAgent.write.onAgentStep([t.taskId, o0.outputHash, o1.outputHash, o1.output, 1n, agent, 1, false, "0x"]),
      f.handler,
      "AgentHandlerMissingWitness",
      [t.taskId, 1],
    );
    await f.mined(f.handlerAsAgent.write.onAgentStep([t.taskId, o0.outputHash, o1.outputHash, o1.output, 1n, agent, 1, false, witness]));
  });
});
