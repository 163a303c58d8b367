/**
 * A hostile endpoint: the proxy drops every third request (the connection is closed without an answer), answers
 * "header not found" now and then, and stalls some requests past the client's timeout. Tasks still complete, with
 * one step per stage.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { network } from "hardhat";
import type { PublicClient } from "viem";
import { assertExactlyOnce } from "./chainCheck.js";
import { startRpcProxy, type Fault, type RpcProxy } from "./rpcProxy.js";
import { runtimeFor } from "./runtimeFor.js";
import { setupAgentExec, tempStateDir, type Deployment } from "./setup.js";

describe("agent runtime: flaky RPC", () => {
  let proxy: RpcProxy;
  let d: Deployment;
  before(async () => {
    const connection = await network.create();
    proxy = await startRpcProxy(connection.provider as never, { stallMs: 1_500 });
    d = await setupAgentExec(proxy.url, { agentCount: 2 });
  });
  after(async () => {
    await proxy.close();
  });

  const hostile = (n: number): Fault => (n % 3 === 0 ? "drop" : n % 7 === 0 ? "header-not-found" : n % 23 === 0 ? "stall" : undefined);

  for (const atHand of [true, false]) {
    it(`tasks complete through drops, "header not found" and timeouts (${atHand ? "stepAndProve" : "step, then prove"})`, async () => {
      const ids = await d.dispatch(4);
      const rt = runtimeFor({
        url: proxy.url,
        chainId: d.chainId,
        attester: d.attester,
        caller: d.caller,
        handler: d.handler,
        document: d.document,
        workflowHash: d.workflowHash,
        key: d.agentKeys[atHand ? 0 : 1]!,
        stateDir: tempStateDir(),
        atHand,
        httpTimeoutMs: 1_000,
      });
      proxy.setFault(hostile);
      const before = { ...proxy.faults };
      await rt.start();
      try {
        const outcomes = await rt.settled(ids, { timeoutMs: 240_000 });
        assert.ok([...outcomes.values()].every((o) => o === "finalized"), JSON.stringify([...outcomes]));
      } finally {
        await rt.stop();
        proxy.setFault(undefined);
      }
      assert.ok(proxy.faults.dropped > before.dropped && proxy.faults.errors > before.errors, "faults were injected");
      await assertExactlyOnce(d.publicClient as PublicClient, d.handler, ids);
    });
  }
});
