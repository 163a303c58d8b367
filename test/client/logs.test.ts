import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createPublicClient, custom, numberToHex, type Hex } from "viem";
import { getLogsPaged, isLogRangeLimitError, isTransientRpcError } from "../../sdk/chain/logs.js";
import { ChainRpcError } from "../../sdk/chain/revert.js";

const LATEST = 1000n;
const logBlocks = Array.from({ length: 60 }, (_, i) => BigInt(3 + i * 16 + (i % 5))); // 60 logs spread over 1000 blocks

function fakeNode(o: { maxRange?: bigint; maxResults?: number; flaky?: boolean; message?: string }) {
  let n = 0;
  const seen: [bigint, bigint][] = [];
  const client = createPublicClient({
    transport: custom({
      async request({ method, params }: { method: string; params?: unknown }) {
        n++;
        if (o.flaky && n % 2 === 1) throw Object.assign(new Error("upstream busy, try again"), { code: -32603 });
        if (method === "eth_blockNumber") return numberToHex(LATEST);
        if (method !== "eth_getLogs") throw new Error(`unexpected ${method}`);
        const filter = (params as [{ fromBlock: Hex; toBlock: Hex | "latest" }])[0];
        const from = BigInt(filter.fromBlock);
        const to = filter.toBlock === "latest" ? LATEST : BigInt(filter.toBlock);
        seen.push([from, to]);
        if (o.maxRange !== undefined && to - from + 1n > o.maxRange) throw Object.assign(new Error(o.message ?? `block range is too large, max ${o.maxRange}`), { code: -32602 });
        const logs = logBlocks.filter((b) => b >= from && b <= to).map((b, i) => ({ address: "0x0000000000000000000000000000000000000001", topics: [], data: "0x", blockNumber: numberToHex(b), blockHash: null, transactionHash: `0x${b.toString(16).padStart(64, "0")}`, transactionIndex: "0x0", logIndex: numberToHex(i), removed: false }));
        if (o.maxResults !== undefined && logs.length > o.maxResults) throw Object.assign(new Error(`query returned more than ${o.maxResults} results`), { code: -32005 });
        return logs;
      },
    }, { retryCount: 0 }),
  });
  return { client, seen, requests: () => n };
}

describe("getLogsPaged", () => {
  it("reads everything in one request when the node allows it", async () => {
    const node = fakeNode({});
    const r = await getLogsPaged(node.client, { address: "0x0000000000000000000000000000000000000001" });
    assert.equal(r.logs.length, 60);
    assert.equal(r.requests, 1);
  });

  for (const [name, o] of [
    ["a block-range cap", { maxRange: 100n }],
    ["a result-size cap", { maxResults: 5 }],
    ["both caps and every other call failing", { maxRange: 64n, maxResults: 3, flaky: true }],
    ["an Alchemy-style message", { maxRange: 10n, message: "Log response size exceeded. You can make eth_getLogs requests with up to a 2K block range" }],
    ["an Infura-style message", { maxRange: 50n, message: "query returned more than 10000 results" }],
  ] as const) {
    it(`halves the range on ${name}, resumes where it stopped, and returns every log in order`, async () => {
      const node = fakeNode(o);
      const r = await getLogsPaged(node.client, { topics: [null], retry: { delayMs: 1 } });
      assert.deepEqual(r.logs.map((l) => BigInt(l.blockNumber as Hex)), logBlocks);
      assert.equal(r.toBlock, LATEST);
      // Pages never overlap and cover [0, latest] once the first refusal is past.
      const accepted = node.seen.filter(([a, b]) => (!o.maxRange || b - a + 1n <= o.maxRange) && logBlocks.filter((x) => x >= a && x <= b).length <= ("maxResults" in o ? o.maxResults : Infinity));
      let next = 0n;
      for (const [a, b] of accepted.filter(([, b]) => b !== LATEST || true)) {
        if (a !== next) continue;
        next = b + 1n;
      }
      assert.equal(next, LATEST + 1n);
    });
  }

  it("gives up with a typed error when even one block is refused, or on a non-transient error", async () => {
    await assert.rejects(getLogsPaged(fakeNode({ maxResults: 0 }).client, { toBlock: 100n }), (e: ChainRpcError) => e.code === "CHAIN_RPC" && e.method === "eth_getLogs");
    const broken = createPublicClient({ transport: custom({ request: async () => { throw Object.assign(new Error("method not found"), { code: -32601 }); } }, { retryCount: 0 }) });
    await assert.rejects(getLogsPaged(broken, { toBlock: 10n }), ChainRpcError);
  });

  it("classifies errors", () => {
    assert.equal(isLogRangeLimitError(new Error("query exceeds max block range 1000")), true);
    assert.equal(isLogRangeLimitError(new Error("eth_getLogs is limited to a 10,000 range")), false);
    assert.equal(isTransientRpcError(Object.assign(new Error("rate limit exceeded"), { code: 429 })), true);
    assert.equal(isTransientRpcError(Object.assign(new Error("execution reverted"), { code: -32603 })), false);
    assert.equal(isTransientRpcError(new Error("invalid params")), false);
  });
});
