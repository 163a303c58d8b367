/**
 * A small HTTP JSON-RPC proxy in front of an EIP-1193 provider (the in-process EDR network), misbehaving as public
 * endpoints do: it fails every other request (alternating HTTP 503 and a JSON-RPC "internal error, try again"),
 * refuses `eth_getLogs` over more than `maxLogRange` blocks, and refuses answers of more than `maxLogResults` logs.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

type Provider = { request(args: { method: string; params?: unknown }): Promise<unknown> };

export type RpcProxyOptions = { failEveryOther?: boolean; maxLogRange?: number; maxLogResults?: number };

export type RpcProxy = {
  url: string;
  /** Requests received, by method (failed ones included). */
  counts: Map<string, number>;
  failures: number;
  close(): Promise<void>;
};

export async function startRpcProxy(provider: Provider, options: RpcProxyOptions = {}): Promise<RpcProxy> {
  const counts = new Map<string, number>();
  let n = 0;
  let failures = 0;
  const answer = async (req: { id: unknown; method: string; params?: unknown[] }) => {
    counts.set(req.method, (counts.get(req.method) ?? 0) + 1);
    if (req.method === "eth_getLogs" && (options.maxLogRange || options.maxLogResults)) {
      const filter = (req.params?.[0] ?? {}) as { fromBlock?: string; toBlock?: string };
      const latest = BigInt((await provider.request({ method: "eth_blockNumber" })) as string);
      const from = filter.fromBlock && filter.fromBlock.startsWith("0x") ? BigInt(filter.fromBlock) : 0n;
      const to = filter.toBlock && filter.toBlock.startsWith("0x") ? BigInt(filter.toBlock) : latest;
      if (options.maxLogRange && to - from + 1n > BigInt(options.maxLogRange)) {
        return { jsonrpc: "2.0", id: req.id, error: { code: -32005, message: `query exceeds max block range ${options.maxLogRange}` } };
      }
      const logs = (await provider.request({ method: req.method, params: req.params })) as unknown[];
      if (options.maxLogResults && logs.length > options.maxLogResults) {
        return { jsonrpc: "2.0", id: req.id, error: { code: -32005, message: `query returned more than ${options.maxLogResults} results` } };
      }
      return { jsonrpc: "2.0", id: req.id, result: logs };
    }
    try {
      return { jsonrpc: "2.0", id: req.id, result: await provider.request({ method: req.method, params: req.params }) };
    } catch (e) {
      const err = e as { code?: number; message?: string; data?: unknown };
      return { jsonrpc: "2.0", id: req.id, error: { code: err.code ?? -32603, message: err.message ?? String(e), data: err.data } };
    }
  };
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      void (async () => {
        n++;
        if (options.failEveryOther && n % 2 === 1) {
          failures++;
          if (n % 4 === 1) {
            res.writeHead(503, { "content-type": "text/plain" }).end("service unavailable");
          } else {
            const parsed = JSON.parse(body) as { id?: unknown } | { id?: unknown }[];
            const fail = (id: unknown) => ({ jsonrpc: "2.0", id, error: { code: -32603, message: "internal error, please try again" } });
            res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(Array.isArray(parsed) ? parsed.map((p) => fail(p.id)) : fail(parsed.id)));
          }
          return;
        }
        const parsed = JSON.parse(body) as { id: unknown; method: string; params?: unknown[] } | { id: unknown; method: string; params?: unknown[] }[];
        const out = Array.isArray(parsed) ? await Promise.all(parsed.map(answer)) : await answer(parsed);
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(out, (_k, v: unknown) => (typeof v === "bigint" ? `0x${v.toString(16)}` : v)));
      })();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    get failures() {
      return failures;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
