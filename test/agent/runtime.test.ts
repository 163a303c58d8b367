/**
 * The agent runtime on the embedded Hardhat network (behind an HTTP JSON-RPC proxy): tasks complete with one step
 * per stage (stepAndProve when the proof is at hand, step-then-prove otherwise), an unmeetable deadline sends
 * nothing and is reported expired, one key's lock keeps a second runtime out, and two runtimes for one key with
 * separate state still never double a step.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { network } from "hardhat";
import type { PublicClient } from "viem";
import { getTransactionCount } from "viem/actions";
import { privateKeyToAccount } from "viem/accounts";
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { AgentRuntimeError, runAgentCli, silentLogger } from "../../sdk/agent/index.js";
import { assertExactlyOnce } from "./chainCheck.js";
import { startRpcProxy, type RpcProxy } from "./rpcProxy.js";
import { runtimeFor } from "./runtimeFor.js";
import { setupAgentExec, tempStateDir, type Deployment } from "./setup.js";

describe("agent runtime", () => {
  let proxy: RpcProxy;
  let d: Deployment;
  const base = () => ({
    url: proxy.url,
    chainId: d.chainId,
    attester: d.attester,
    caller: d.caller,
    handler: d.handler,
    document: d.document,
    workflowHash: d.workflowHash,
  });

  let provider: { request(a: { method: string; params?: unknown[] }): Promise<unknown> };
  before(async () => {
    const connection = await network.create();
    provider = connection.provider as never;
    proxy = await startRpcProxy(connection.provider as never);
    d = await setupAgentExec(proxy.url, { agentCount: 3 });
  });
  after(async () => {
    await proxy.close();
  });

  it("runs a 3-stage workflow with stepAndProve (proof at hand): one step per stage, finalised", async () => {
    const ids = await d.dispatch(3);
    const rt = runtimeFor({ ...base(), key: d.agentKeys[0]!, stateDir: tempStateDir() });
    await rt.start();
    try {
      const outcomes = await rt.settled(ids, { timeoutMs: 60_000 });
      assert.deepEqual([...outcomes.values()], ["finalized", "finalized", "finalized"]);
      assert.equal(rt.stats().transactionsSent, 9, "one stepAndProve per stage");
    } finally {
      await rt.stop();
    }
    await assertExactlyOnce(d.publicClient as PublicClient, d.handler, ids);
  });

  it("steps, then proves (sync stage proven before the next step, async proves after the final step)", async () => {
    const ids = await d.dispatch(2);
    const rt = runtimeFor({ ...base(), key: d.agentKeys[0]!, stateDir: tempStateDir(), atHand: false });
    await rt.start();
    try {
      const outcomes = await rt.settled(ids, { timeoutMs: 60_000 });
      assert.deepEqual([...outcomes.values()], ["finalized", "finalized"]);
      assert.equal(rt.stats().transactionsSent, 12, "a step and a prove per stage");
    } finally {
      await rt.stop();
    }
    await assertExactlyOnce(d.publicClient as PublicClient, d.handler, ids);
  });

  it("a deadline that cannot be met: nothing is sent, the task is reported expired", async () => {
    const [id] = await d.dispatch(1, { deadlineIn: 20n });
    const key = d.agentKeys[1]!;
    const address = privateKeyToAccount(key).address;
    const nonceBefore = await getTransactionCount(d.publicClient, { address });
    const rt = runtimeFor({ ...base(), key, stateDir: tempStateDir(), deadlineMarginSec: 120 });
    await rt.start();
    try {
      const outcomes = await rt.settled([id!], { timeoutMs: 30_000 });
      assert.equal(outcomes.get(id!.toLowerCase() as never), "expired");
      assert.match(rt.progress(id!)?.reason ?? "", /deadline/);
      assert.equal(rt.stats().transactionsSent, 0);
    } finally {
      await rt.stop();
    }
    assert.equal(await getTransactionCount(d.publicClient, { address }), nonceBefore, "the agent sent nothing");
  });

  it("two runtimes for one key and handler: the lock keeps the second out", async () => {
    const stateDir = tempStateDir();
    const a = runtimeFor({ ...base(), key: d.agentKeys[2]!, stateDir });
    const b = runtimeFor({ ...base(), key: d.agentKeys[2]!, stateDir });
    await a.start();
    try {
      await assert.rejects(b.start(), (e: unknown) => e instanceof AgentRuntimeError && e.code === "AGENT_LOCKED");
    } finally {
      await a.stop();
    }
    await b.start(); // released on stop
    await b.stop();
  });

  it("two runtimes for one key with separate state (no shared lock): still one step per stage", async () => {
    const ids = await d.dispatch(4);
    const a = runtimeFor({ ...base(), key: d.agentKeys[2]!, stateDir: tempStateDir() });
    const b = runtimeFor({ ...base(), key: d.agentKeys[2]!, stateDir: tempStateDir() });
    await Promise.all([a.start(), b.start()]);
    try {
      const [ra, rb] = await Promise.all([a.settled(ids, { timeoutMs: 90_000 }), b.settled(ids, { timeoutMs: 90_000 })]);
      const why = (rt: typeof a) => JSON.stringify(ids.map((id) => rt.progress(id)));
      assert.ok([...ra.values()].every((o) => o === "finalized"), why(a));
      assert.ok([...rb.values()].every((o) => o === "finalized"), why(b));
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
    await assertExactlyOnce(d.publicClient as PublicClient, d.handler, ids);
  });

  it("runAgentCli: flags, key from the environment, workflow file, echo executors; runs until aborted", async () => {
    const ids = await d.dispatch(2);
    const dir = tempStateDir();
    const file = join(dir, "workflow.json");
    writeFileSync(file, JSON.stringify(d.document));
    const controller = new AbortController();
    const result = await runAgentCli({
      rpc: proxy.url,
      handler: d.handler,
      workflow: file,
      key: "TEST_AGENT_KEY",
      attesterKey: "TEST_ATTESTER_KEY",
      stateDir: join(dir, "state"),
      concurrency: "2",
      fromBlock: "0",
      deadlineMargin: "5",
      env: { TEST_AGENT_KEY: d.agentKeys[1]!, TEST_ATTESTER_KEY: d.attesterKey },
      logger: silentLogger,
      signal: controller.signal,
      onStarted: (rt) => void rt.settled(ids, { timeoutMs: 60_000 }).finally(() => controller.abort()),
    });
    assert.equal(result.agent, privateKeyToAccount(d.agentKeys[1]!).address);
    assert.ok(result.stats.tasksDone >= 2);
    await assertExactlyOnce(d.publicClient as PublicClient, d.handler, ids);
  });

  it("a reorg that removes a mined step is detected (its block hash is no longer canonical) and the step re-sent", async () => {
    const [id] = await d.dispatch(1);
    const reorgDir = tempStateDir();
    let snapshot: unknown;
    let reorged = false;
    // Snapshot the chain just before the agent's first transaction reaches the node.
    proxy.setIntercept(async (method) => {
      if (method === "eth_sendRawTransaction" && snapshot === undefined) snapshot = await provider.request({ method: "evm_snapshot" });
    });
    const rt = runtimeFor({
      ...base(),
      key: d.agentKeys[0]!,
      stateDir: reorgDir,
      atHand: false,
      onEvent: async (e) => {
        if (e.type === "tx-mined" && e.taskId === id!.toLowerCase() && e.stage === 0 && !reorged) {
          reorged = true;
          proxy.setIntercept(undefined);
          // The block with the step disappears; two other blocks take its height and the next.
          await provider.request({ method: "evm_revert", params: [snapshot] });
          await provider.request({ method: "evm_mine" });
          await provider.request({ method: "evm_mine" });
        }
      },
    });
    await rt.start();
    try {
      const outcomes = await rt.settled([id!], { timeoutMs: 60_000 });
      assert.equal(outcomes.get(id!.toLowerCase() as never), "finalized");
    } finally {
      await rt.stop();
    }
    assert.ok(reorged, "the reorg happened");
    const journalText = readdirSync(reorgDir).filter((f) => f.endsWith(".jsonl")).map((f) => readFileSync(join(reorgDir, f), "utf8")).join("");
    assert.match(journalText, /"error":"reorged"/, "the runtime recorded the reorged step");
    await assertExactlyOnce(d.publicClient as PublicClient, d.handler, [id!]);
  });
});
