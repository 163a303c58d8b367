import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createPublicClient, custom, encodeEventTopics, http, type Hex } from "viem";
import { agentCallerAbi } from "../../sdk/chain/abis.js";
import { verifyTask, renderTaskReport, type TaskReport, type VerifyCheck } from "../../sdk/verify/index.js";
import { deployAgentExec } from "../contracts/helpers/fixture.js";
import { buildTask, ectKit } from "./helpers.js";
import { startRpcProxy } from "./rpcProxy.js";

function failures(r: TaskReport): VerifyCheck[] {
  return [...r.checks, ...r.stages.flatMap((s) => s.checks)].filter((c) => c.status === "fail");
}
/** The report without transport statistics (those differ by transport). */
function essence(r: TaskReport) {
  const { stats, ...rest } = r;
  return JSON.parse(JSON.stringify({ ...rest, ects: stats.ects, logs: stats.logs }, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v))) as unknown;
}

describe("verifyTask", async () => {
  const f = await deployAgentExec();
  const kit = await ectKit();
  const handler = f.handler.address;
  /** ECT options with the clock at the chain's current time (tokens are issued at block time). */
  const ectNow = async () => {
    const t = await f.networkHelpers.time.latest();
    return { keyStore: kit.keyStore, clock: () => (t + 5) * 1000 };
  };

  const good = await buildTask(f, kit, { stages: 3, ectsPerStage: 3 });

  it("an honest task verifies: every stage approved, every check passes", async () => {
    const r = await verifyTask(f.publicClient, { handler, taskId: good.taskId, ect: await ectNow(), onChain: true });
    assert.deepEqual(failures(r), [], renderTaskReport(r));
    assert.equal(r.ok, true);
    assert.equal(r.status, "Finalized");
    assert.deepEqual(r.stages.map((s) => s.verdict), ["approved", "approved", "approved"]);
    assert.equal(r.stats.ects, 9);
    assert.equal(r.stages[2]?.step?.output, good.outputs[2]);
    const ids = new Set(r.stages[1]?.checks.map((c) => `${c.id}:${c.status}`));
    for (const id of ["step.calldata", "step.output", "step.input", "step.witness", "prove.binding", "proof.signatures", "prove.verdict", "prove.digest", "proof.onChain", "ect.verify", "ect.wid", "ect.order", "ect.output"]) {
      assert.ok(ids.has(`${id}:pass`), `${id} passes: ${[...ids].join(", ")}`);
    }
    for (const id of ["task.dispatch", "task.sentinel", "task.final", "task.status", "task.policyDigest", "ect.dag"]) {
      assert.equal(r.checks.find((c) => c.id === id)?.status, "pass", id);
    }
    const text = renderTaskReport(r, { verbose: true });
    assert.match(text, /VERIFIED/);
    assert.match(text, /Stage 2: approved/);
  });

  it("reports a forged proof: the rejected prove, its reason and who signed it", async () => {
    const t = await buildTask(f, kit, { stages: 2, ectsPerStage: 1, forgedProveAt: 1 });
    const r = await verifyTask(f.publicClient, { handler, taskId: t.taskId, ect: await ectNow() });
    const st = r.stages[1];
    assert.equal(st?.rejectedProves.length, 1);
    assert.equal(st?.rejectedProves[0]?.reason, "InvalidProof");
    const sigCheck = st?.rejectedProves[0]?.check?.checks.find((c) => c.id === "proof.signatures");
    assert.equal(sigCheck?.status, "fail");
    assert.match(sigCheck?.reason ?? "", /is not an attester of the verifier/);
    assert.equal(st?.verdict, "approved"); // the real prove followed
    assert.match(renderTaskReport(r), /rejected prove .*: InvalidProof/);
  });

  it("an unproven stage and a stage not stepped yet are reported as such", async () => {
    const t = await buildTask(f, kit, { stages: 2, ectsPerStage: 1, stopAfterStepAt: 0 });
    const r0 = await verifyTask(f.publicClient, { handler, taskId: t.taskId, ect: await ectNow() });
    assert.equal(r0.stages[0]?.verdict, "unproven");
    assert.equal(r0.stages[1]?.verdict, "not-stepped");
  });

  it("reports a swapped output: the ECT attests another output than the step commits", async () => {
    const t = await buildTask(f, kit, { stages: 3, ectsPerStage: 2, swapOutputAt: 1 });
    const r = await verifyTask(f.publicClient, { handler, taskId: t.taskId, ect: await ectNow() });
    assert.equal(r.ok, false);
    const bad = failures(r);
    assert.equal(bad.length, 1, renderTaskReport(r));
    assert.equal(bad[0]?.id, "ect.output");
    assert.match(bad[0]?.reason ?? "", /swapped output: no final ECT of stage 1 attests the step's output/);
    assert.equal(r.stages[1]?.ok, false);
    assert.equal(r.stages[0]?.ok, true);
  });

  it("reports a WYRIWE sentinel violation (a handler whose attested input is not the declared input)", async () => {
    // A lying chain: CallAgent's declared inputHash is rewritten, as a handler that did not enforce the sentinel
    // would have let through.
    const topic = encodeEventTopics({ abi: agentCallerAbi, eventName: "CallAgent" })[0] as Hex;
    const other = `0x${"77".repeat(32)}`;
    const provider = f.connection.provider;
    const lying = createPublicClient({
      transport: custom({
        async request({ method, params }) {
          const result = await provider.request({ method, params });
          if (method !== "eth_getLogs") return result;
          return (result as { topics: Hex[]; data: Hex }[]).map((l) =>
            l.topics[0] === topic ? { ...l, data: `${l.data.slice(0, 2 + 128)}${other.slice(2)}${l.data.slice(2 + 192)}` } : l,
          );
        },
      }),
    });
    const t = await buildTask(f, kit, { stages: 1, ectsPerStage: 1 });
    const r = await verifyTask(lying, { handler, taskId: t.taskId, ect: await ectNow() });
    const sentinel = r.checks.find((c) => c.id === "task.sentinel");
    assert.equal(sentinel?.status, "fail");
    assert.match(sentinel?.reason ?? "", /WYRIWE sentinel violated/);
    assert.equal(r.ok, false);
  });

  it("falls back to address-filtered logs when a provider refuses filters without an address", async () => {
    const provider = f.connection.provider;
    const picky = createPublicClient({
      transport: custom(
        {
          async request({ method, params }) {
            if (method === "eth_getLogs" && !(params as [{ address?: unknown }])[0].address) {
              throw Object.assign(new Error("please specify an address"), { code: -32602 });
            }
            return provider.request({ method, params });
          },
        },
        { retryCount: 0 },
      ),
    });
    const direct = await verifyTask(f.publicClient, { handler, taskId: good.taskId, ect: await ectNow() });
    const r = await verifyTask(picky, { handler, taskId: good.taskId, ect: await ectNow() });
    assert.deepEqual(essence(r), essence(direct));
    assert.equal(r.ok, true);
  });

  it("never throws on a hostile or unknown task; reports it", async () => {
    const unknown = await verifyTask(f.publicClient, { handler, taskId: `0x${"ab".repeat(32)}` });
    assert.equal(unknown.ok, false);
    assert.equal(unknown.status, "None");
    const notAHandler = await verifyTask(f.publicClient, { handler: f.ecdsa.address, taskId: good.taskId });
    assert.equal(notAHandler.ok, false);
    assert.equal(notAHandler.status, "Unknown");
    const eoa = await verifyTask(f.publicClient, { handler: f.accounts.stranger.account.address, taskId: good.taskId });
    assert.equal(eoa.ok, false);
  });

  it("the workflowCheck hook's findings are part of the report", async () => {
    const r = await verifyTask(f.publicClient, {
      handler,
      taskId: good.taskId,
      ect: await ectNow(),
      workflowCheck: ({ policy, agentWorkflow }) => [
        { id: "stages", status: policy?.stages.length === 3 ? "pass" : "fail", reason: "stage count" },
        { id: "document", status: agentWorkflow && agentWorkflow !== "0x" ? "pass" : "fail", reason: "published" },
      ],
    });
    assert.equal(r.checks.find((c) => c.id === "workflow.stages")?.status, "pass");
    const throwing = await verifyTask(f.publicClient, { handler, taskId: good.taskId, ect: await ectNow(), workflowCheck: () => { throw new Error("document says 4 stages"); } });
    assert.match(throwing.checks.find((c) => c.id === "workflow.check")?.reason ?? "", /document says 4 stages/);
    assert.equal(throwing.ok, false);
  });

  describe("through a flaky, capped RPC endpoint", async () => {
    const proxy = await startRpcProxy(f.connection.provider, { failEveryOther: true, maxLogRange: 4, maxLogResults: 6 });
    after(() => proxy.close());
    const client = createPublicClient({ transport: http(proxy.url, { retryCount: 0 }) });

    it("fails every other call and caps log ranges, and still yields the full report", async () => {
      const direct = await verifyTask(f.publicClient, { handler, taskId: good.taskId, ect: await ectNow() });
      const r = await verifyTask(client, { handler, taskId: good.taskId, ect: await ectNow(), retry: { delayMs: 1 } });
      assert.deepEqual(essence(r), essence(direct));
      assert.equal(r.ok, true);
      assert.ok(proxy.failures > 5, `${proxy.failures} failures injected`);
      assert.ok((proxy.counts.get("eth_getLogs") ?? 0) > 2, "paged");
      assert.ok(r.stats.logRequests > 2);
    });

    it("an endpoint that never answers is a typed RPC error", async () => {
      const dead = createPublicClient({ transport: http("http://127.0.0.1:9", { retryCount: 0 }) });
      await assert.rejects(verifyTask(dead, { handler, taskId: good.taskId, retry: { retries: 1, delayMs: 1 } }), (e: Error & { code?: string }) => e.code === "CHAIN_RPC");
    });
  });
});
