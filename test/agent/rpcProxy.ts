/**
 * A JSON-RPC HTTP server in front of an EIP-1193 provider (the embedded Hardhat network, or a remote node), with
 * request counting and fault injection: the runtime under test talks plain HTTP to it, as to any endpoint.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type Eip1193 = { request(args: { method: string; params?: unknown }): Promise<unknown> };

/** What to do with the n-th request (1-based): answer normally, drop the connection, fail, or stall. */
export type Fault = "drop" | "header-not-found" | "stall" | undefined;

export type RpcProxy = {
  url: string;
  /** Requests by method (a batch counts each call). */
  counts: Map<string, number>;
  total(): number;
  faults: { dropped: number; errors: number; stalled: number };
  setFault(fn: ((n: number, method: string) => Fault) | undefined): void;
  /** Runs before a request is forwarded (e.g. to take a snapshot before a transaction). */
  setIntercept(fn: ((method: string) => Promise<void>) | undefined): void;
  close(): Promise<void>;
};

type RpcCall = { jsonrpc: "2.0"; id: number | string | null; method: string; params?: unknown };

export async function startRpcProxy(target: Eip1193 | string, options: { stallMs?: number } = {}): Promise<RpcProxy> {
  const counts = new Map<string, number>();
  const faults = { dropped: 0, errors: 0, stalled: 0 };
  let n = 0;
  let fault: ((n: number, method: string) => Fault) | undefined;
  let intercept: ((method: string) => Promise<void>) | undefined;
  const sockets = new Set<import("node:net").Socket>();

  const forward = async (call: RpcCall): Promise<unknown> => {
    if (typeof target === "string") {
      const body = JSON.stringify(call);
      return new Promise((resolve, reject) => {
        const req = httpRequest(target, { method: "POST", headers: { "content-type": "application/json" } }, (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            try {
              resolve(JSON.parse(Buffer.concat(chunks).toString("utf8")));
            } catch (e) {
              reject(e);
            }
          });
        });
        req.on("error", reject);
        req.end(body);
      });
    }
    try {
      const result = await target.request({ method: call.method, params: call.params });
      return { jsonrpc: "2.0", id: call.id, result };
    } catch (error) {
      const e = error as { code?: number; message?: string; data?: unknown };
      return { jsonrpc: "2.0", id: call.id, error: { code: typeof e.code === "number" ? e.code : -32603, message: e.message ?? String(error), data: e.data } };
    }
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      let parsed: RpcCall | RpcCall[];
      try {
        parsed = JSON.parse(Buffer.concat(chunks).toString("utf8")) as RpcCall | RpcCall[];
      } catch {
        res.writeHead(400).end();
        return;
      }
      const calls = Array.isArray(parsed) ? parsed : [parsed];
      n++;
      for (const c of calls) counts.set(c.method, (counts.get(c.method) ?? 0) + 1);
      const f = fault?.(n, calls[0]?.method ?? "");
      if (f === "drop") {
        faults.dropped++;
        req.socket.destroy();
        return;
      }
      if (f === "stall") {
        faults.stalled++;
        setTimeout(() => req.socket.destroy(), options.stallMs ?? 3_000);
        return;
      }
      if (f === "header-not-found") {
        faults.errors++;
        const answer = calls.map((c) => ({ jsonrpc: "2.0", id: c.id, error: { code: -32000, message: "header not found" } }));
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(Array.isArray(parsed) ? answer : answer[0]));
        return;
      }
      if (intercept) for (const c of calls) await intercept(c.method);
      const answers = await Promise.all(calls.map(forward));
      const body = JSON.stringify(Array.isArray(parsed) ? answers : answers[0], (_k, v: unknown) => (typeof v === "bigint" ? `0x${v.toString(16)}` : v));
      if (!res.destroyed) res.writeHead(200, { "content-type": "application/json" }).end(body);
    });
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    total: () => [...counts.values()].reduce((a, b) => a + b, 0),
    faults,
    setFault: (fn) => (fault = fn),
    setIntercept: (fn) => (intercept = fn),
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
