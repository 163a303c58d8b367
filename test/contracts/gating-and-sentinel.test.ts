import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { keccak256, stringToHex } from "viem";
import {
  IDENTITY_PIPELINE_HASH,
  Resolution,
  TaskStatus,
  Verdict,
  attestedInputHash,
  encodeStepData,
  pipelineHashOf,
} from "../../sdk/chain/index.js";
import { deployAgentExec } from "./helpers/fixture.js";

describe("gating stage: a non-approving verdict halts the task for good", async () => {
  const f = await deployAgentExec();
  const { viem } = f;
  const agent = f.accounts.agent.account.address;
  // Stage 0: pre-action gate on the input (WYRIWE attestation + verdict). Stage 1: the action.
  const { workflowHash } = await f.registerWorkflow([{ resolution: Resolution.Sync, gating: true, verifier: "wyriwe" }, {}]);

  it("halts on a denied verdict and refuses everything after", async () => {
    const { taskId, inputHash } = await f.dispatch(workflowHash);
    const verdict = f.output("deny: prompt injection detected");
    await f.mined(f.handlerAsAgent.write.onAgentStep([taskId, inputHash, verdict.outputHash, verdict.output, 1n, agent, 0, false, "0x"]));
    const proof = await f.wyriweProof(taskId, 0, inputHash, "0x".padEnd(66, "0") as `0x${string}`, verdict.outputHash, Verdict.Denied);
    await viem.assertions.emitWithArgs(
      f.handlerAsAgent.write.onAgentProve([taskId, inputHash, verdict.outputHash, f.ph(proof), f.wyriwe.address, 0]),
      f.handler,
      "AgentTaskHalted",
      [taskId, 0, (d: unknown) => typeof d === "string"],
    );
    assert.equal((await f.handler.read.taskOf([taskId])).status, TaskStatus.Halted);
    const action = f.output("transfer 10 ETH");
    await viem.assertions.revertWithCustomErrorWithArgs(
      f.handlerAsAgent.write.onAgentStep([taskId, inputHash, action.outputHash, action.output, 1n, agent, 1, true, f.witness(verdict.outputHash)]),
      f.handler,
      "AgentHandlerTaskNotActive",
      [taskId, TaskStatus.Halted],
    );
    const approve = await f.wyriweProof(taskId, 0, inputHash, IDENTITY_PIPELINE_HASH, verdict.outputHash, Verdict.Approved);
    await viem.assertions.revertWithCustomErrorWithArgs(
      f.handlerAsAgent.write.onAgentProve([taskId, inputHash, verdict.outputHash, f.ph(approve), f.wyriwe.address, 0]),
      f.handler,
      "AgentHandlerTaskNotActive",
      [taskId, TaskStatus.Halted],
    );
  });

  it("opens on an approving verdict; an invalid proof only gates (retryable)", async () => {
    const { taskId, inputHash } = await f.dispatch(workflowHash);
    const verdict = f.output("approve");
    await f.mined(f.handlerAsAgent.write.onAgentStep([taskId, inputHash, verdict.outputHash, verdict.output, 1n, agent, 0, false, "0x"]));
    // A WYRIWE proof claiming a transform the model did not get does not verify: rejected, not halted.
    const badPipeline = await f.wyriweProof(taskId, 0, inputHash, pipelineHashOf("ipfs://rag-v1"), verdict.outputHash, Verdict.Denied);
    await viem.assertions.emit(
      f.handlerAsAgent.write.onAgentProve([taskId, inputHash, verdict.outputHash, f.ph(badPipeline), f.wyriwe.address, 0]),
      f.handler,
      "AgentProveRejected",
    );
    assert.equal((await f.handler.read.taskOf([taskId])).status, TaskStatus.Active);
    const proof = await f.wyriweProof(taskId, 0, inputHash, IDENTITY_PIPELINE_HASH, verdict.outputHash, Verdict.Approved);
    await f.mined(f.handlerAsAgent.write.onAgentProve([taskId, inputHash, verdict.outputHash, f.ph(proof), f.wyriwe.address, 0]));
    const action = f.output("transfer 1 ETH");
    await f.mined(
      f.handlerAsAgent.write.onAgentStep([taskId, inputHash, action.outputHash, action.output, 1n, agent, 1, true, f.witness(verdict.outputHash)]),
    );
    assert.equal((await f.handler.read.taskOf([taskId])).steppedStages, 2);
  });
});

describe("WYRIWE sentinel on-chain", async () => {
  const f = await deployAgentExec();
  const { viem } = f;
  const agent = f.accounts.agent.account.address;
  const out = f.output("result");

  it("no pipeline: the attested input must equal the declared input", async () => {
    const { workflowHash } = await f.registerWorkflow([{}]);
    const { taskId, inputHash } = await f.dispatch(workflowHash);
    const substituted = keccak256(stringToHex("what the gateway really sent"));
    await viem.assertions.revertWithCustomErrorWithArgs(
      f.handlerAsAgent.write.onAgentStep([taskId, substituted, out.outputHash, out.output, 1n, agent, 0, true, "0x"]),
      f.handler,
      "AgentHandlerWyriweViolation",
      [taskId, inputHash, substituted],
    );
    await f.mined(f.handlerAsAgent.write.onAgentStep([taskId, inputHash, out.outputHash, out.output, 1n, agent, 0, true, "0x"]));
  });

  it("the ERC-8299 identity pipeline is the sentinel too", async () => {
    const { workflowHash } = await f.registerWorkflow([{}], { pipelineHash: IDENTITY_PIPELINE_HASH });
    const { taskId, inputHash } = await f.dispatch(workflowHash);
    await f.mined(f.handlerAsAgent.write.onAgentStep([taskId, inputHash, out.outputHash, out.output, 1n, agent, 0, true, "0x"]));
  });

  it("declared pipeline: the attested input is keccak256(abi.encode(declared, pipelineHash)), not the declared one", async () => {
    const pipelineHash = pipelineHashOf("ipfs://bafy-rag-template-v2");
    const { workflowHash } = await f.registerWorkflow([{}, {}], { pipelineHash });
    const { taskId, inputHash } = await f.dispatch(workflowHash);
    const attested = attestedInputHash({ declaredInputHash: inputHash, pipelineHash });
    assert.notEqual(attested, inputHash);
    await viem.assertions.revertWithCustomErrorWithArgs(
      f.handlerAsAgent.write.onAgentStep([taskId, inputHash, out.outputHash, out.output, 1n, agent, 0, false, "0x"]),
      f.handler,
      "AgentHandlerWyriweViolation",
      [taskId, attested, inputHash],
    );
    await f.mined(f.handlerAsAgent.write.onAgentStep([taskId, attested, out.outputHash, out.output, 1n, agent, 0, false, "0x"]));
    // After attestation, later stages key on the attested hash, not the declared one.
    const out1 = f.output("second");
    await viem.assertions.revertWithCustomErrorWithArgs(
      f.handlerAsAgent.write.onAgentStep([taskId, inputHash, out1.outputHash, out1.output, 1n, agent, 1, true, f.witness(out.outputHash)]),
      f.handler,
      "AgentHandlerInputNotAttested",
      [taskId, 1, inputHash],
    );
    await f.mined(
      f.handlerAsAgent.write.onAgentStep([taskId, attested, out1.outputHash, out1.output, 1n, agent, 1, true, f.witness(out.outputHash)]),
    );
    // Proves bind to the attested input too.
    const p0 = await f.stageProof(taskId, 0, attested, out.outputHash);
    await f.mined(f.handlerAsAgent.write.onAgentProve([taskId, attested, out.outputHash, f.ph(p0), f.ecdsa.address, 0]));
    const p1 = await f.stageProof(taskId, 1, inputHash, out1.outputHash);
    await viem.assertions.revertWithCustomErrorWithArgs(
      f.handlerAsAgent.write.onAgentProve([taskId, inputHash, out1.outputHash, f.ph(p1), f.ecdsa.address, 1]),
      f.handler,
      "AgentHandlerProveBindingMismatch",
      [taskId, 1, inputHash, out1.outputHash],
    );
  });
});
