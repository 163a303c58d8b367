import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { keccak256, stringToHex, toHex, zeroHash, type Hex } from "viem";
import { Resolution, Verdict, computeTaskId, encodeStepData, stepWitness } from "../../sdk/chain/index.js";
import {
  callAgent,
  getTask,
  getTaskResult,
  stepAndProve,
  submitProve,
  submitStep,
  waitForTask,
  watchTasks,
  TaskExpiredError,
  TaskHaltedError,
  TaskNotFinalizedError,
  TaskNotFoundError,
  WaitForTaskTimeoutError,
  type DispatchedTask,
} from "../../sdk/chain/actions/index.js";
import { ContractRevertError } from "../../sdk/chain/revert.js";
import { deployAgentExec } from "../contracts/helpers/fixture.js";

async function rejectsWith<T extends Error>(p: Promise<unknown>, cls: new (...a: never[]) => T, check?: (e: T) => void) {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof cls, `expected ${cls.name}, got ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
    check?.(e as T);
    return;
  }
  assert.fail(`expected ${cls.name}, nothing was thrown`);
}

describe("chain actions (viem)", async () => {
  const f = await deployAgentExec();
  const { requester, agent, stranger } = f.accounts;
  const caller = f.caller.address;
  const handler = f.handler.address;
  const now = async () => BigInt(await f.networkHelpers.time.latest());

  const { workflowHash } = await f.registerWorkflow([{}, {}]);
  const input = stringToHex("summarise this");
  const inputHash = keccak256(input);

  it("callAgent simulates, sends, waits and returns the emitted task id", async () => {
    const salt = toHex(1001n, { size: 32 });
    const r = await callAgent(requester, { caller, handler, agentWorkflowHash: workflowHash, salt, deadline: (await now()) + 3600n, input });
    assert.equal(r.taskId, computeTaskId({ chainId: f.chainId, caller, requester: requester.account.address, handler, salt }));
    assert.equal(r.inputHash, inputHash);
    assert.equal(r.receipt.status, "success");
    const t = await getTask(f.publicClient, { handler, taskId: r.taskId });
    assert.equal(t.status, "Active");
    assert.equal(t.stageCount, 2);
    assert.deepEqual(t.stages.map((s) => s.status), ["pending", "pending"]);
    assert.equal(t.stages[0]?.verifier.toLowerCase(), f.ecdsa.address.toLowerCase());
    assert.equal(t.requester?.toLowerCase(), requester.account.address.toLowerCase());
  });

  it("callAgent reverts decode to typed errors naming the contract error and its arguments", async () => {
    const bogus = keccak256(stringToHex("not registered"));
    await rejectsWith(
      callAgent(requester, { caller, handler, agentWorkflowHash: bogus, deadline: (await now()) + 3600n, input }),
      ContractRevertError,
      (e) => {
        assert.equal(e.code, "CHAIN_REVERT_AgentCallerWorkflowNotRegistered");
        assert.equal((e.args.handler as string).toLowerCase(), handler.toLowerCase());
        assert.equal(e.args.agentWorkflowHash, bogus);
      },
    );
    const past = await now();
    await rejectsWith(callAgent(requester, { caller, handler, agentWorkflowHash: workflowHash, deadline: past, input }), ContractRevertError, (e) => {
      assert.equal(e.code, "CHAIN_REVERT_AgentCallerDeadlineNotInFuture");
      assert.equal(e.args.deadline, past);
    });
    await rejectsWith(
      callAgent(requester, { caller, handler, agentWorkflowHash: workflowHash, deadline: (await now()) + 100n, input, inputHash: zeroHash.replace(/0$/, "1") as Hex }),
      ContractRevertError,
      (e) => assert.equal(e.code, "CHAIN_REVERT_AgentCallerInputHashMismatch"),
    );
  });

  it("a full task: steps, a rejected prove as data, proves, waitForTask, getTask and getTaskResult", async () => {
    const { taskId } = await callAgent(requester, { caller, handler, agentWorkflowHash: workflowHash, deadline: (await now()) + 3600n, input });
    const out0 = f.output("draft");
    const s0 = await submitStep(agent, { handler, taskId, stage: 0, inputHash, outputHash: out0.outputHash, output: out0.output, agentId: 5n, isFinal: false });
    assert.equal(s0.status, "accepted");
    assert.equal(s0.step.agentId, 5n);
    assert.equal(s0.step.replaced, undefined);

    // Out of order and a wrong input: typed reverts from the simulation.
    await rejectsWith(
      submitStep(agent, { handler, taskId, stage: 0, inputHash, outputHash: out0.outputHash, isFinal: false }),
      ContractRevertError,
      (e) => {
        assert.equal(e.code, "CHAIN_REVERT_AgentHandlerStageOutOfOrder");
        assert.equal(e.args.stage, 0);
        assert.equal(e.args.expected, 1);
      },
    );
    await rejectsWith(
      submitStep(stranger, { handler, taskId, stage: 1, inputHash, outputHash: out0.outputHash, isFinal: true, data: f.witness(out0.outputHash) }),
      ContractRevertError,
      (e) => assert.equal(e.code, "CHAIN_REVERT_AgentHandlerUnauthorizedAgent"),
    );

    // A forged prove does not revert: it is rejected on-chain and reported as data.
    const forged = await f.stageProof(taskId, 0, inputHash, f.output("something else").outputHash);
    const bad = await submitProve(stranger, { handler, taskId, stage: 0, inputHash, outputHash: out0.outputHash, proof: forged });
    assert.equal(bad.outcome.status, "rejected");
    assert.ok(bad.outcome.status === "rejected" && bad.outcome.reason === "InvalidProof" && bad.outcome.reasonCode === 4);

    const good = await submitProve(stranger, {
      handler,
      taskId,
      stage: 0,
      inputHash,
      outputHash: out0.outputHash,
      proof: await f.stageProof(taskId, 0, inputHash, out0.outputHash),
    });
    assert.equal(good.outcome.status, "proven");
    assert.ok(good.outcome.status === "proven" && good.outcome.finalized === undefined);
    await rejectsWith(getTaskResult(f.publicClient, { handler, taskId }), TaskNotFinalizedError);

    const out1 = f.output("final answer");
    const data = encodeStepData(stepWitness({ stage: 1, chained: false, stage0OutputHash: out0.outputHash, stage0Agent: agent.account.address }), stringToHex("app"));
    await submitStep(agent, { handler, taskId, stage: 1, inputHash, outputHash: out1.outputHash, output: out1.output, isFinal: true, data });
    const waiting = waitForTask(f.publicClient, { handler, taskId, pollingInterval: 20 });
    const subscribed = waitForTask(f.publicClient, { handler, taskId, mode: "subscribe", pollingInterval: 20 });
    const fin = await submitProve(stranger, {
      handler,
      taskId,
      stage: 1,
      inputHash,
      outputHash: out1.outputHash,
      proof: await f.stageProof(taskId, 1, inputHash, out1.outputHash, Verdict.Approved, { isFinal: true }),
      verifier: f.ecdsa.address,
    });
    assert.ok(fin.outcome.status === "proven" && fin.outcome.finalized?.outputHash === out1.outputHash);
    for (const w of [await waiting, await subscribed]) {
      assert.equal(w.status, "Finalized");
      assert.equal(w.finalStage, 1);
      assert.equal(w.outputHash, out1.outputHash);
      assert.equal(w.transactionHash, fin.transactionHash);
    }
    const t = await getTask(f.publicClient, { handler, taskId });
    assert.equal(t.status, "Finalized");
    assert.deepEqual(t.stages.map((s) => s.status), ["proven", "proven"]);
    const result = await getTaskResult(f.publicClient, { handler, taskId });
    assert.equal(result.output, out1.output);
    assert.equal(result.outputVerified, true);
    assert.equal(result.finalizeTransactionHash, fin.transactionHash);
  });

  it("stepAndProve: a rejected prove is found by simulation and reported, nothing is sent", async () => {
    const { workflowHash: wf1 } = await f.registerWorkflow([{}]);
    const { taskId } = await callAgent(requester, { caller, handler, agentWorkflowHash: wf1, deadline: (await now()) + 3600n, input });
    const out = f.output("one shot");
    const before = await f.publicClient.getBlockNumber();
    const rejected = await stepAndProve(agent, {
      handler,
      taskId,
      stage: 0,
      inputHash,
      outputHash: out.outputHash,
      output: out.output,
      isFinal: true,
      proof: "0x01",
    });
    assert.equal(rejected.transactionHash, undefined);
    assert.ok(rejected.outcome.status === "rejected" && rejected.outcome.reason === "InvalidProof");
    assert.equal(await f.publicClient.getBlockNumber(), before);
    const ok = await stepAndProve(agent, {
      handler,
      taskId,
      stage: 0,
      inputHash,
      outputHash: out.outputHash,
      output: out.output,
      isFinal: true,
      proof: await f.stageProof(taskId, 0, inputHash, out.outputHash, Verdict.Approved, { isFinal: true }),
    });
    assert.ok(ok.outcome.status === "proven" && ok.outcome.finalized?.finalStage === 0);
    assert.equal(ok.step?.outputHash, out.outputHash);
    const result = await getTaskResult(f.publicClient, { handler, taskId });
    assert.equal(result.output, out.output);
  });

  it("waitForTask rejects with TaskHaltedError when a gate denies, TaskExpiredError past the deadline", async () => {
    const { workflowHash: gated } = await f.registerWorkflow([{ resolution: Resolution.Sync, gating: true }, {}], { minFinalStage: 1 });
    const { taskId } = await callAgent(requester, { caller, handler, agentWorkflowHash: gated, deadline: (await now()) + 3600n, input });
    const out = f.output("unsafe");
    await submitStep(agent, { handler, taskId, stage: 0, inputHash, outputHash: out.outputHash, isFinal: false });
    const waiting = waitForTask(f.publicClient, { handler, taskId, pollingInterval: 20 });
    const denied = await submitProve(stranger, {
      handler,
      taskId,
      stage: 0,
      inputHash,
      outputHash: out.outputHash,
      proof: await f.stageProof(taskId, 0, inputHash, out.outputHash, Verdict.Denied),
    });
    assert.equal(denied.outcome.status, "halted");
    await rejectsWith(waiting, TaskHaltedError, (e) => {
      assert.equal(e.code, "CHAIN_TASK_HALTED");
      assert.equal(e.stage, 0);
    });

    const { taskId: late } = await callAgent(requester, { caller, handler, agentWorkflowHash: workflowHash, deadline: (await now()) + 60n, input });
    await rejectsWith(waitForTask(f.publicClient, { handler, taskId: late, pollingInterval: 20, timeout: 200 }), WaitForTaskTimeoutError);
    const expiring = waitForTask(f.publicClient, { handler, taskId: late, pollingInterval: 20 });
    await f.networkHelpers.time.increase(120);
    await rejectsWith(expiring, TaskExpiredError, (e) => assert.equal(e.code, "CHAIN_TASK_EXPIRED"));
    await rejectsWith(getTask(f.publicClient, { handler, taskId: keccak256("0x01") }), TaskNotFoundError);
    await rejectsWith(waitForTask(f.publicClient, { handler, taskId: keccak256("0x01") }), TaskNotFoundError);
  });

  it("watchTasks reports CallAgent logs, filtered by requester and handler", async () => {
    const seen: DispatchedTask[] = [];
    const from = await f.publicClient.getBlockNumber();
    const unwatch = watchTasks(f.publicClient, { caller, handler, requester: requester.account.address, fromBlock: from + 1n, pollingInterval: 20, onTasks: (t) => seen.push(...t) });
    try {
      const a = await callAgent(requester, { caller, handler, agentWorkflowHash: workflowHash, deadline: (await now()) + 3600n, input });
      const b = await callAgent(requester, { caller, handler, agentWorkflowHash: workflowHash, deadline: (await now()) + 3600n, input });
      const deadline = Date.now() + 5000;
      while (seen.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(seen.map((t) => t.taskId), [a.taskId, b.taskId]);
      assert.equal(seen[0]?.inputHash, inputHash);
      assert.equal(seen[0]?.input, input);
    } finally {
      unwatch();
    }
  });
});
