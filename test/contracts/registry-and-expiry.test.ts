import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseEventLogs, zeroHash } from "viem";
import {
  AgentAuth,
  IDENTITY_PIPELINE_HASH,
  InputSource,
  Resolution,
  TaskStatus,
  agentHandlerAbi,
  normalizePolicy,
  pipelineHashOf,
  policyDigest,
} from "../../sdk/chain/index.js";
import { deployAgentExec } from "./helpers/fixture.js";

describe("workflow policy registry", async () => {
  const f = await deployAgentExec();

  it("stores the policy immutably and its digest equals the SDK's", async () => {
    const pipelineHash = pipelineHashOf("ipfs://bafy-sanitiser");
    const { workflowHash, policy } = await f.registerWorkflow(
      [{ resolution: Resolution.Sync, gating: true, verifier: "wyriwe" }, { input: InputSource.PreviousOutput, verifierGasLimit: 50_000 }],
      { pipelineHash, minFinalStage: 1 },
    );
    const stored = await f.handler.read.workflowPolicy([workflowHash]);
    type Comparable = { agentRegistry: string; stages: readonly { verifier: string }[]; agents: readonly string[] };
    const lower = <P extends Comparable>(p: P) => ({
      ...p,
      agentRegistry: p.agentRegistry.toLowerCase(),
      stages: p.stages.map((s) => ({ ...s, verifier: s.verifier.toLowerCase() })),
      agents: p.agents.map((a) => a.toLowerCase()),
    });
    assert.deepEqual(lower(stored), lower(policy));
    const logs = await f.publicClient.getContractEvents({ address: f.handler.address, abi: agentHandlerAbi, eventName: "WorkflowRegistered", fromBlock: 0n });
    const event = logs.find((l) => l.args.agentWorkflowHash === workflowHash);
    assert.equal(event?.args.policyDigest, policyDigest(policy));
    assert.equal(await f.handler.read.workflowPolicyDigest([workflowHash]), policyDigest(policy));
    await f.viem.assertions.revertWithCustomErrorWithArgs(
      f.handler.write.registerWorkflow([workflowHash, { ...policy, stages: [...policy.stages], agents: [...policy.agents], requesters: [] }]),
      f.handler,
      "WorkflowRegistryAlreadyRegistered",
      [workflowHash],
    );
  });

  it("normalises the ERC-8299 identity pipeline to zero", async () => {
    const { workflowHash, policy } = await f.registerWorkflow([{}], { pipelineHash: IDENTITY_PIPELINE_HASH });
    assert.equal((await f.handler.read.workflowPolicy([workflowHash])).pipelineHash, zeroHash);
    assert.equal(normalizePolicy(policy).pipelineHash, zeroHash);
  });

  it("only the owner registers", async () => {
    const { policy } = await f.registerWorkflow([{}]);
    await f.viem.assertions.revertWithCustomErrorWithArgs(
      f.handlerAsStranger.write.registerWorkflow([zeroHash.replace(/0$/, "1") as `0x${string}`, { ...policy, stages: [...policy.stages], agents: [...policy.agents], requesters: [] }]),
      f.handler,
      "OwnableUnauthorizedAccount",
      [f.accounts.stranger.account.address],
    );
  });

  it("authorises agents per policy (allowlist, open)", async () => {
    const allow = await f.registerWorkflow([{}]);
    const open = await f.registerWorkflow([{}], { agentAuth: AgentAuth.Open });
    assert.equal(await f.handler.read.isAgentAuthorized([allow.workflowHash, f.accounts.agent.account.address, 0n]), true);
    assert.equal(await f.handler.read.isAgentAuthorized([allow.workflowHash, f.accounts.stranger.account.address, 0n]), false);
    assert.equal(await f.handler.read.isAgentAuthorized([open.workflowHash, f.accounts.stranger.account.address, 0n]), true);
  });
});

describe("deadlines", async () => {
  const f = await deployAgentExec();
  const agent = f.accounts.agent.account.address;

  it("nothing is accepted at the deadline; anyone may then expire the task", async () => {
    const { workflowHash } = await f.registerWorkflow([{}]);
    const { taskId, inputHash, task } = await f.dispatch(workflowHash, { deadlineIn: 100n });
    const o = f.output("late");
    await f.viem.assertions.revertWithCustomErrorWithArgs(
      f.handlerAsStranger.write.expireTask([taskId]),
      f.handler,
      "AgentHandlerDeadlineNotPassed",
      [taskId, task.deadline, (t: unknown) => typeof t === "bigint"],
    );
    await f.networkHelpers.time.increaseTo(task.deadline);
    await f.viem.assertions.revertWithCustomErrorWithArgs(
      f.handlerAsAgent.write.onAgentStep([taskId, inputHash, o.outputHash, o.output, 1n, agent, 0, true, "0x"]),
      f.handler,
      "AgentHandlerDeadlinePassed",
      [taskId, task.deadline, (t: unknown) => typeof t === "bigint" && t >= task.deadline],
    );
    const receipt = await f.mined(f.handlerAsStranger.write.expireTask([taskId]));
    assert.equal(parseEventLogs({ abi: agentHandlerAbi, logs: receipt.logs, eventName: "AgentTaskExpired" }).length, 1);
    const view = await f.handler.read.taskOf([taskId]);
    assert.equal(view.status, TaskStatus.Expired);
    assert.equal(view.pastDeadline, true);
  });
});
