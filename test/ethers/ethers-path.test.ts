/**
 * The ethers v6 path on the Hardhat network: callAgent → onAgentStep → onAgentProve with
 * ethers signers, the typechain-typed contract objects of "agent-exec/ethers", attestations
 * signed with ethers' signTypedData, and custom errors decoded on failed sends.
 * (Deployment reuses the viem fixture: the path under test is the dApp's, not the deployer's.)
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { keccak256, toUtf8Bytes, zeroPadValue, toBeHex, type Signer } from "ethers";
import { TaskStatus, Verdict, computeTaskId, encodeProveProof, encodeStageProof, stepDigest } from "../../sdk/chain/index.js";
import {
  EthersContractRevertError,
  EthersParameterError,
  connectAgentCaller,
  connectAgentHandler,
  decodeEthersError,
  ethersStageAttestationTypedData,
  sendAndWait,
  toEthersTypedData,
} from "../../sdk/ethers/index.js";
import { isAgentExecError } from "../../sdk/errors.js";
import { deployAgentExec } from "../contracts/helpers/fixture.js";

describe("ethers v6: callAgent → onAgentStep → onAgentProve", async () => {
  const f = await deployAgentExec();
  const { ethers } = f.connection;
  const [, requester, agent, attester, stranger] = (await ethers.getSigners()) as unknown as Signer[];
  if (!requester || !agent || !attester || !stranger) throw new Error("fixture accounts");
  const agentAddress = await agent.getAddress();
  const { workflowHash } = await f.registerWorkflow([{}]);

  const caller = connectAgentCaller(f.caller.address, requester);
  const handler = connectAgentHandler(f.handler.address, agent);
  const inputHash = keccak256(toUtf8Bytes("declared input"));
  const output = toUtf8Bytes("the answer");
  const outputHash = keccak256(output);
  const salt = zeroPadValue(toBeHex(0xe7), 32);
  const taskId = computeTaskId({
    chainId: f.chainId,
    caller: f.caller.address,
    requester: (await requester.getAddress()) as `0x${string}`,
    handler: f.handler.address,
    salt: salt as `0x${string}`,
  });

  it("callAgent (typed AgentCaller) opens the task; its CallAgent log carries the requester-bound id", async () => {
    const now = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
    const receipt = await sendAndWait(() =>
      caller.callAgent({ taskId: salt, agentWorkflowHash: workflowHash, agentWorkflow: "0x", handler: f.handler.address, deadline: now + 3600n }, inputHash, "0x"),
    );
    const log = receipt.logs.map((l) => caller.interface.parseLog(l)).find((l) => l?.name === "CallAgent");
    assert.equal(log?.args[0], taskId);
    const view = await handler.taskOf(taskId);
    assert.equal(view.status, BigInt(TaskStatus.Active));
  });

  it("onAgentStep (typed AgentHandler, the agent's signer) records the final step", async () => {
    await sendAndWait(() => handler.onAgentStep(taskId, inputHash, outputHash, output, 7n, agentAddress, 0, true, "0x"));
    assert.equal(await handler.stepDigest(taskId, 0), stepDigest({ inputHash: inputHash as `0x${string}`, outputHash: outputHash as `0x${string}`, agent: agentAddress as `0x${string}`, isFinal: true }));
  });

  it("onAgentProve with an attestation signed by ethers' signTypedData finalises the task", async () => {
    const typed = ethersStageAttestationTypedData({
      chainId: f.chainId,
      verifier: f.ecdsa.address,
      handler: f.handler.address,
      taskId,
      stage: 0,
      agent: agentAddress as `0x${string}`,
      isFinal: true,
      inputHash: inputHash as `0x${string}`,
      outputHash: outputHash as `0x${string}`,
      verdict: Verdict.Approved,
    });
    assert.equal("EIP712Domain" in typed.types, false);
    const signature = await attester.signTypedData(typed.domain, typed.types, typed.value);
    const proof = encodeProveProof(agentAddress as `0x${string}`, encodeStageProof({ verdict: Verdict.Approved, signatures: [{ signer: (await attester.getAddress()) as `0x${string}`, signature: signature as `0x${string}` }] }));
    // anyone may submit the prove
    const asStranger = connectAgentHandler(f.handler.address, stranger);
    const receipt = await sendAndWait(() => asStranger.onAgentProve(taskId, inputHash, outputHash, proof, f.ecdsa.address, 0));
    assert.ok(receipt.logs.map((l) => asStranger.interface.parseLog(l)).some((l) => l?.name === "AgentTaskFinalized"));
    const view = await handler.taskOf(taskId);
    assert.equal(view.status, BigInt(TaskStatus.Finalized));
  });

  it("a failed send decodes to EthersContractRevertError naming the custom error and its arguments", async () => {
    // the raw ethers error, for contrast
    const raw = await handler.onAgentStep(taskId, inputHash, outputHash, output, 7n, agentAddress, 0, true, "0x").then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(raw !== undefined);
    const decoded = decodeEthersError(raw);
    assert.ok(decoded instanceof EthersContractRevertError);
    assert.equal(decoded.errorName, "AgentHandlerTaskNotActive");
    assert.deepEqual(decoded.args, [taskId, TaskStatus.Finalized]);
    assert.equal(decoded.code, "ETHERS_CONTRACT_REVERT");
    await assert.rejects(
      sendAndWait(() => handler.onAgentStep(taskId, inputHash, outputHash, output, 7n, agentAddress, 0, true, "0x")),
      (e: unknown) => e instanceof EthersContractRevertError && e.errorName === "AgentHandlerTaskNotActive" && isAgentExecError(e),
    );
  });

  it("an error declared by another contract than the one called (the caller forwarding the handler's) is decoded too", async () => {
    // callAgent with the same salt again: the handler refuses the duplicate task, through the caller
    const now = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
    await assert.rejects(
      sendAndWait(() => caller.callAgent({ taskId: salt, agentWorkflowHash: workflowHash, agentWorkflow: "0x", handler: f.handler.address, deadline: now + 3600n }, inputHash, "0x")),
      (e: unknown) => e instanceof EthersContractRevertError && typeof e.errorName === "string" && e.errorName.length > 0,
    );
  });
});

describe("ethers helpers: hostile arguments", () => {
  it("connect* refuses a non-address with a typed error", () => {
    assert.throws(() => connectAgentHandler("0x1234"), EthersParameterError);
    assert.throws(() => connectAgentCaller(null as unknown as string), EthersParameterError);
  });
  it("toEthersTypedData refuses garbage with a typed error", () => {
    assert.throws(() => toEthersTypedData(null as never), EthersParameterError);
    assert.throws(() => toEthersTypedData({ domain: {}, types: {}, primaryType: "X", message: {} }), EthersParameterError);
  });
  it("decodeEthersError never throws", () => {
    for (const v of [null, undefined, 42, "x", {}, { data: "0xdeadbeef" }, { code: "CALL_EXCEPTION" }, new Error("plain")]) {
      const r = decodeEthersError(v);
      assert.ok(isAgentExecError(r));
    }
    assert.ok(decodeEthersError({ code: "CALL_EXCEPTION", data: "0xdeadbeef" }) instanceof EthersContractRevertError);
  });
  it("sendAndWait refuses a non-function", async () => {
    await assert.rejects(sendAndWait(null as never), EthersParameterError);
  });
});
