/**
 * Crash and restart: a runtime in a child process is SIGKILLed between sending a step and its receipt, between a
 * step and its prove, and after journalling a send but before broadcasting it; each restart resumes from the
 * journal and the chain. At the end every task is finalised with exactly one step per stage (none lost, none
 * doubled, none replaced).
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { network } from "hardhat";
import { bytesToHex, type Hex, type PublicClient } from "viem";
import { decodeStepPayload } from "../../sdk/bridge/index.js";
import { generateCapsuleKeyPair } from "../../sdk/capsule/index.js";
import { verifyTask } from "../../sdk/verify/index.js";
import { assertExactlyOnce } from "./chainCheck.js";
import { startRpcProxy, type RpcProxy } from "./rpcProxy.js";
import { setupAgentExec, tempStateDir, type Deployment } from "./setup.js";

type ChildResult = { code: number | null; signal: NodeJS.Signals | null; lines: Record<string, unknown>[] };

function runChild(config: Record<string, unknown>): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "test/agent/child-runtime.ts"], {
      env: { ...process.env, AGENT_CHILD: JSON.stringify(config) },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString("utf8")));
    const timer = setTimeout(() => child.kill("SIGKILL"), 150_000);
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      const lines = out.split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
      resolve({ code, signal, lines });
    });
  });
}

describe("agent runtime: SIGKILL mid-task and restart", () => {
  let proxy: RpcProxy;
  let d: Deployment;
  before(async () => {
    const connection = await network.create();
    proxy = await startRpcProxy(connection.provider as never);
    d = await setupAgentExec(proxy.url, { agentCount: 2 });
  });
  after(async () => {
    await proxy.close();
  });

  const config = (key: Hex, stateDir: string, taskIds: Hex[], atHand: boolean, crashAt?: string) => ({
    url: proxy.url,
    chainId: d.chainId,
    key,
    attesterKey: d.attesterKey,
    caller: d.caller,
    handler: d.handler,
    document: d.document,
    workflowHash: d.workflowHash,
    stateDir,
    atHand,
    taskIds,
    crashAt,
  });

  it("step then prove: killed after sending (before the receipt), between step and prove, and before broadcast", async () => {
    const ids = await d.dispatch(3);
    const stateDir = tempStateDir();
    for (const crashAt of ["tx-sent:0:step", "tx-mined:1:step", "tx-sending:2:prove"]) {
      const r = await runChild(config(d.agentKeys[0]!, stateDir, ids, false, crashAt));
      assert.equal(r.signal, "SIGKILL", `the child was killed at ${crashAt}`);
      assert.deepEqual(r.lines.at(-1), { crashed: crashAt });
    }
    const done = await runChild(config(d.agentKeys[0]!, stateDir, ids, false));
    assert.equal(done.code, 0);
    const last = done.lines.at(-1) as { outcomes: Record<string, string> };
    assert.deepEqual(Object.values(last.outcomes), ["finalized", "finalized", "finalized"]);
    await assertExactlyOnce(d.publicClient as PublicClient, d.handler, ids);
  });

  it("a Capsule stage: killed after its Capsule is journalled (before the step), restarted: the same Capsule is sent, no second one built", async () => {
    const wf = await d.registerCapsuleWorkflow();
    const ids = await d.dispatch(1, { workflowHash: wf.workflowHash });
    const stateDir = tempStateDir();
    const capsuleKey = bytesToHex(generateCapsuleKeyPair().privateKey);
    const cfg = (crashAt?: string) => ({ ...config(d.agentKeys[0]!, stateDir, ids, true, crashAt), document: wf.document, workflowHash: wf.workflowHash, capsuleKey });
    const killed = await runChild(cfg("capsule-recorded:0:"));
    assert.equal(killed.signal, "SIGKILL");
    const built = killed.lines.filter((l) => "capsule" in l).map((l) => l.capsule as { stage: number; capsuleId: string });
    assert.equal(built.length, 1);
    assert.equal(built[0]!.stage, 0);
    const done = await runChild(cfg());
    assert.equal(done.code, 0);
    assert.deepEqual(Object.values((done.lines.at(-1) as { outcomes: Record<string, string> }).outcomes), ["finalized"]);
    const rebuilt = done.lines.filter((l) => "capsule" in l).map((l) => (l.capsule as { stage: number }).stage);
    assert.deepEqual(rebuilt, [2], "after the restart only stage 2's Capsule is built; stage 0's comes from the journal");
    await assertExactlyOnce(d.publicClient as PublicClient, d.handler, ids);
    const onChain = new Map<number, unknown[]>();
    const report = await verifyTask(d.publicClient as never, {
      handler: d.handler,
      taskId: ids[0]!,
      decodeStepData: (data, stage) => {
        const p = decodeStepPayload(data);
        if (p) onChain.set(stage, [...p.capsules]);
        return p;
      },
    });
    assert.equal(report.ok, true);
    assert.equal(onChain.get(0)?.length, 1);
    assert.equal((onChain.get(0)![0] as { capsule_id: string }).capsule_id, built[0]!.capsuleId, "the step carries the Capsule built before the kill");
  });

  it("stepAndProve: killed between sending and the receipt, then restarted", async () => {
    const ids = await d.dispatch(2);
    const stateDir = tempStateDir();
    const r = await runChild(config(d.agentKeys[1]!, stateDir, ids, true, "tx-sent:1:stepAndProve"));
    assert.equal(r.signal, "SIGKILL");
    const done = await runChild(config(d.agentKeys[1]!, stateDir, ids, true));
    assert.equal(done.code, 0);
    await assertExactlyOnce(d.publicClient as PublicClient, d.handler, ids);
  });
});
