/**
 * Against a real `hardhat node` process (started by the test on a free loopback port, killed by pid at the end):
 * the runtime, talking plain HTTP to it, completes tasks with one step per stage — including across a restart
 * of the runtime with unfinished tasks in its journal.
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { PublicClient } from "viem";
import { assertExactlyOnce } from "./chainCheck.js";
import { runtimeFor } from "./runtimeFor.js";
import { setupAgentExec, tempStateDir, type Deployment } from "./setup.js";

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function waitForRpc(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`hardhat node exited with ${child.exitCode}`);
    try {
      const r = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }) });
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`hardhat node did not answer at ${url} within ${timeoutMs} ms`);
}

describe("agent runtime against a hardhat node process", () => {
  let node: ChildProcess;
  let url: string;
  let d: Deployment;

  before(async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    const cli = join(dirname(createRequire(import.meta.url).resolve("hardhat/package.json")), "dist", "src", "cli.js");
    node = spawn(process.execPath, [cli, "node", "--hostname", "127.0.0.1", "--port", String(port)], { stdio: ["ignore", "ignore", "inherit"] });
    await waitForRpc(url, node, 90_000);
    d = await setupAgentExec(url, { agentCount: 1 });
  });
  after(async () => {
    if (node.pid !== undefined && node.exitCode === null) {
      const exited = new Promise((r) => node.once("exit", r));
      process.kill(node.pid, "SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
      if (node.exitCode === null && node.signalCode === null) process.kill(node.pid, "SIGKILL");
    }
  });

  it("completes tasks over HTTP, also after a stop with work in flight and a restart", async () => {
    const ids = await d.dispatch(6);
    const stateDir = tempStateDir();
    const make = () =>
      runtimeFor({
        url,
        chainId: d.chainId,
        attester: d.attester,
        caller: d.caller,
        handler: d.handler,
        document: d.document,
        workflowHash: d.workflowHash,
        key: d.agentKeys[0]!,
        stateDir,
        atHand: false,
        concurrency: 3,
      });
    const first = make();
    let sent = 0;
    await first.start();
    // Stop gracefully as soon as a few transactions are out: in-flight actions finish, the rest stays journalled.
    await new Promise<void>((resolve) => {
      const t = setInterval(() => {
        sent = first.stats().transactionsSent;
        if (sent >= 4) (clearInterval(t), resolve());
      }, 20);
    });
    await first.stop();
    const second = make();
    await second.start();
    try {
      const outcomes = await second.settled(ids, { timeoutMs: 120_000 });
      assert.ok([...outcomes.values()].every((o) => o === "finalized"), JSON.stringify([...outcomes]));
    } finally {
      await second.stop();
    }
    await assertExactlyOnce(d.publicClient as PublicClient, d.handler, ids);
  });
});
