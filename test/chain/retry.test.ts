import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { HttpRequestError } from "viem";
import * as agent from "../../sdk/agent/index.js";
import * as agentRetry from "../../sdk/agent/retry.js";
import * as logs from "../../sdk/chain/logs.js";
import { backoffDelay, isTransientRpcError, messageChain, sleep, withRpcRetry } from "../../sdk/chain/retry.js";

const busy = () => new HttpRequestError({ url: "http://rpc.example", status: 503, body: { method: "eth_call" } });

describe("sdk/chain/retry: one retry/backoff implementation for the chain reads and the agent runtime", () => {
  it("the agent runtime and the log reader use the same functions", () => {
    assert.equal(agent.backoffDelay, backoffDelay);
    assert.equal(agentRetry.sleep, sleep);
    assert.equal(logs.withRpcRetry, withRpcRetry);
    assert.equal(logs.isTransientRpcError, isTransientRpcError);
  });

  it("withRpcRetry repeats transient failures up to `retries`, with jittered delays within the backoff bounds", async () => {
    let calls = 0;
    const t0 = performance.now();
    const v = await withRpcRetry(async () => {
      if (++calls < 4) throw busy();
      return "ok";
    }, { retries: 4, delayMs: 8 });
    const elapsed = performance.now() - t0;
    assert.equal(v, "ok");
    assert.equal(calls, 4);
    // Three waits, each in [base/2, base·2^attempt]: at least 3 × 4 ms, at most 8 + 16 + 32 ms (plus timer slack).
    assert.ok(elapsed >= 11, `waited ${elapsed} ms`);
    assert.ok(elapsed < 56 + 200, `waited ${elapsed} ms`);
  });

  it("withRpcRetry gives up after `retries` and never repeats a non-transient failure", async () => {
    let calls = 0;
    await assert.rejects(withRpcRetry(async () => { calls++; throw busy(); }, { retries: 2, delayMs: 1 }), HttpRequestError);
    assert.equal(calls, 3);
    calls = 0;
    await assert.rejects(withRpcRetry(async () => { calls++; throw new Error("execution reverted"); }, { retries: 5, delayMs: 1 }), /execution reverted/);
    assert.equal(calls, 1);
  });

  it("maxDelayMs caps a delay; sleep resolves early on abort", async () => {
    for (let i = 0; i < 40; i++) assert.ok(backoffDelay(i, { baseMs: 50, maxMs: 60 }) <= 60);
    assert.equal(backoffDelay(30, { baseMs: 100, maxMs: 1_000, random: () => 0.999999 }), 1_000);
    const ac = new AbortController();
    const t0 = performance.now();
    const p = sleep(10_000, ac.signal);
    ac.abort();
    await p;
    assert.ok(performance.now() - t0 < 1_000);
  });

  it("messageChain walks causes", () => {
    const e = new Error("outer", { cause: Object.assign(new Error("inner"), { details: "node said: header not found" }) });
    assert.deepEqual(messageChain(e).split("\n"), ["outer", "node said: header not found", "inner"]);
    assert.ok(agent.isTransientAgentError(e));
  });
});
