/**
 * Agent Action Capsules from the runtime (workflow stages with `capsule: true`), on the embedded Hardhat network
 * behind an HTTP JSON-RPC proxy: the Capsule travels whole in the step payload, `verifyTask` recomputes its id from
 * the chain, its COSE statement verifies against the capsule key and signs exactly the bytes on-chain; a gating
 * Capsule that records a denial halts the task (step-then-prove and stepAndProve); a dishonest disposition is
 * refused before anything is sent; a runtime without the capsule key refuses the workflow at admission.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { network } from "hardhat";
import { hexToBytes, type Hex, type PublicClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { getTransactionCount } from "viem/actions";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { bytesToHex } from "viem";
import { AgentRuntimeError, CAPSULE_STEP_EXTENSION, localAttesterProofProducer, runAgentCli, silentLogger, type ProofProducer, type StageExecutors } from "../../sdk/agent/index.js";
import { Verdict } from "../../sdk/chain/index.js";
import { decodeStepPayload, type StepPayload } from "../../sdk/bridge/index.js";
import { createCapsuleSigner, generateCapsuleKeyPair, verifyCapsuleCose } from "../../sdk/capsule/index.js";
import { verifyTask } from "../../sdk/verify/index.js";
import type { WorkflowDocument } from "../../sdk/workflow/types.js";
import { assertExactlyOnce } from "./chainCheck.js";
import { startRpcProxy, type RpcProxy } from "./rpcProxy.js";
import { runtimeFor } from "./runtimeFor.js";
import { setupAgentExec, tempStateDir, testExecutors, type Deployment } from "./setup.js";

/** verifyTask with a step-data reader that also keeps what each stage carried. */
async function verifyKeeping(d: Deployment, taskId: Hex) {
  const carried = new Map<number, StepPayload>();
  const report = await verifyTask(d.publicClient as never, {
    handler: d.handler,
    taskId,
    decodeStepData: (data, stage) => {
      const p = decodeStepPayload(data);
      if (p) carried.set(stage, p);
      return p;
    },
  });
  return { report, carried };
}

const checksOf = (report: Awaited<ReturnType<typeof verifyTask>>, stage: number, id: string) => report.stages[stage]!.checks.filter((c) => c.id === id);

describe("agent runtime: Agent Action Capsules", () => {
  let proxy: RpcProxy;
  let d: Deployment;
  let wf: { document: WorkflowDocument; workflowHash: Hex };
  const keys = generateCapsuleKeyPair();
  const capsuleSigner = createCapsuleSigner(keys.privateKey, { kid: "agent-capsule-key" });
  const base = () => ({
    url: proxy.url,
    chainId: d.chainId,
    attester: d.attester,
    caller: d.caller,
    handler: d.handler,
    document: wf.document,
    workflowHash: wf.workflowHash,
  });

  before(async () => {
    const connection = await network.create();
    proxy = await startRpcProxy(connection.provider as never);
    d = await setupAgentExec(proxy.url, { agentCount: 3 });
    wf = await d.registerCapsuleWorkflow();
  });
  after(async () => {
    await proxy.close();
  });

  it("a workflow with Capsule stages: each Capsule signed, journalled, carried whole in its step, and verifyTask's capsule checks pass", async () => {
    const ids = await d.dispatch(2, { workflowHash: wf.workflowHash });
    const recorded: { taskId: Hex; stage: number; capsuleId: string; statement: Hex }[] = [];
    const rt = runtimeFor({
      ...base(),
      key: d.agentKeys[0]!,
      stateDir: tempStateDir(),
      capsuleSigner,
      onEvent: (e) => {
        if (e.type === "capsule-recorded") recorded.push(e);
      },
    });
    await rt.start();
    const journalled = new Map<Hex, Map<number, { capsuleId: string; json: string }>>();
    try {
      const outcomes = await rt.settled(ids, { timeoutMs: 60_000 });
      assert.deepEqual([...outcomes.values()], ["finalized", "finalized"]);
      for (const id of ids) journalled.set(id, rt.capsules(id) as never);
    } finally {
      await rt.stop();
    }
    await assertExactlyOnce(d.publicClient as PublicClient, d.handler, ids);
    assert.equal(recorded.length, 4, "one Capsule per Capsule stage (0 and 2) per task");

    for (const id of ids) {
      const { report, carried } = await verifyKeeping(d, id);
      assert.equal(report.ok, true, JSON.stringify(report.stages.flatMap((s) => s.checks.filter((c) => c.status === "fail"))));
      assert.equal(report.status, "Finalized");
      for (const stage of [0, 2]) {
        assert.equal(report.stages[stage]!.step?.capsules, 1, `stage ${stage} carries one Capsule`);
        const cap = checksOf(report, stage, "capsule.id");
        assert.equal(cap.length, 1);
        assert.equal(cap[0]!.status, "pass", cap[0]!.reason);
        const binding = checksOf(report, stage, "capsule.binding");
        assert.equal(binding[0]?.status, "pass", binding[0]?.reason);
        // The on-chain Capsule is the journalled one, whose signed statement verifies and signs these very bytes.
        const onChain = carried.get(stage)!.capsules[0] as Record<string, unknown>;
        const mine = journalled.get(id)!.get(stage)!;
        assert.equal(onChain.capsule_id, mine.capsuleId);
        const event = recorded.find((r) => r.taskId === id.toLowerCase() && r.stage === stage)!;
        assert.equal(event.capsuleId, mine.capsuleId);
        const cose = await verifyCapsuleCose(hexToBytes(event.statement), { publicKey: keys.publicKey });
        assert.equal(cose.ok, true);
        assert.deepEqual(cose.payload, onChain);
        // Bound to its step: task, stage, the step's outputHash and the ECT jtis.
        const ext = onChain[CAPSULE_STEP_EXTENSION] as Record<string, unknown>;
        assert.equal(ext.task_id, id.toLowerCase());
        assert.equal(ext.stage, stage);
        assert.equal(ext.output_hash, report.stages[stage]!.step!.outputHash.toLowerCase());
        assert.equal(ext.chain_id, d.chainId);
      }
      // The defaults: the gate decides (accept, by policy, no human claimed); the judge records an action.
      const gate = carried.get(0)!.capsules[0] as Record<string, unknown>;
      assert.equal(gate.action_type, "decide");
      assert.deepEqual(gate.disposition, {
        approver: "policy",
        authority: `erc8301:${d.chainId}:${d.handler.toLowerCase()}:${wf.workflowHash.toLowerCase()}`,
        decision: "accept",
        human_disposed: false,
      });
      assert.equal(gate.action_id, `${id.toLowerCase()}:gate`, "the gate's ECT jti");
      assert.equal(gate.operator, `eip155:${d.chainId}:${d.requester.account!.address.toLowerCase()}`);
      const judge = carried.get(2)!.capsules[0] as Record<string, unknown>;
      assert.equal(judge.action_type, "fyi");
      assert.equal(judge.disposition, undefined);
      assert.equal(carried.get(1)!.capsules.length, 0, "stage 1 declares no Capsule");
    }
  });

  const denyingGate: StageExecutors = {
    ...testExecutors,
    "input-gate": async ({ input }) => ({
      output: `gate-refused:${input}`,
      capsule: {
        disposition: { decision: "reject", approver: "policy", human_disposed: false, verdict_class: "denied" },
        observed: { reason: { constraint: "org.agent-exec.test.input_policy", observed: "forbidden" } },
      },
    }),
  };

  for (const atHand of [false, true]) {
    it(`a gating Capsule that records a denial halts the task (${atHand ? "stepAndProve" : "step, then prove"})`, async () => {
      const [id] = await d.dispatch(1, { workflowHash: wf.workflowHash });
      const rt = runtimeFor({ ...base(), key: d.agentKeys[1]!, stateDir: tempStateDir(), capsuleSigner, executors: denyingGate, atHand });
      await rt.start();
      try {
        const outcomes = await rt.settled([id!], { timeoutMs: 60_000 });
        assert.equal(outcomes.get(id!.toLowerCase() as Hex), "halted");
        assert.equal(rt.capsules(id!).get(0)?.verdict, 2, "the Capsule's verdict: Denied");
        assert.equal(rt.capsules(id!).size, 1, "nothing ran after the gate");
      } finally {
        await rt.stop();
      }
      const { report, carried } = await verifyKeeping(d, id!);
      assert.equal(report.status, "Halted");
      assert.equal(report.stages[0]!.verdict, "denied");
      assert.equal(report.stages[1]!.step, undefined, "no step after the halted gate");
      assert.equal(checksOf(report, 0, "capsule.id")[0]?.status, "pass");
      const gate = carried.get(0)!.capsules[0] as { disposition: Record<string, unknown> };
      assert.equal(gate.disposition.verdict_class, "denied");
      assert.match(String(gate.disposition.reason_digest), /^[0-9a-f]{64}$/);
      assert.equal(checksOf(report, 0, "capsule.binding")[0]?.status, "pass");
      const agrees = checksOf(report, 0, "capsule.verdict");
      assert.equal(agrees[0]?.status, "pass", "a denying Capsule on a halted gate agrees with the chain");
    });
  }

  it("verifyTask reports a gate proven Approved although its Capsule records a denial (capsule.verdict)", async () => {
    // A dishonest agent: its Capsule denies, its attester is asked to approve anyway; the gate opens on-chain.
    const [id] = await d.dispatch(1, { workflowHash: wf.workflowHash });
    const honest = localAttesterProofProducer({ attesters: [d.attester], atHand: false });
    const lying: ProofProducer = { ...honest, produce: (request, signal) => honest.produce({ ...request, verdict: Verdict.Approved }, signal) };
    const rt = runtimeFor({ ...base(), key: d.agentKeys[1]!, stateDir: tempStateDir(), capsuleSigner, executors: denyingGate, atHand: false, proofProducer: lying });
    await rt.start();
    try {
      const outcomes = await rt.settled([id!], { timeoutMs: 60_000 });
      assert.equal(outcomes.get(id!.toLowerCase() as Hex), "finalized", "the lying attestation opened the gate");
    } finally {
      await rt.stop();
    }
    const { report } = await verifyKeeping(d, id!);
    assert.equal(report.status, "Finalized");
    assert.equal(report.ok, false);
    assert.equal(report.stages[0]!.verdict, "approved");
    const contradiction = checksOf(report, 0, "capsule.verdict")[0];
    assert.equal(contradiction?.status, "fail");
    assert.match(contradiction!.reason, /capsule 0: disposition\.decision is reject, but the gate was proven/);
    assert.equal(checksOf(report, 0, "capsule.id")[0]?.status, "pass", "the Capsule itself is intact");
  });

  it("a dishonest disposition (human_disposed with a policy approver) is refused before anything is sent", async () => {
    const [id] = await d.dispatch(1, { workflowHash: wf.workflowHash });
    const key = d.agentKeys[2]!;
    const address = privateKeyToAccount(key).address;
    const nonceBefore = await getTransactionCount(d.publicClient, { address });
    const dishonest: StageExecutors = {
      ...testExecutors,
      "input-gate": async ({ input }) => ({
        output: `gate-ok:${input}`,
        capsule: { disposition: { decision: "accept", approver: "policy", human_disposed: true } as never },
      }),
    };
    const rt = runtimeFor({ ...base(), key, stateDir: tempStateDir(), capsuleSigner, executors: dishonest, maxAttempts: 2 });
    await rt.start();
    try {
      const outcomes = await rt.settled([id!], { timeoutMs: 60_000 });
      assert.equal(outcomes.get(id!.toLowerCase() as Hex), "failed");
      assert.match(rt.progress(id!)?.reason ?? "", /CAPSULE_DISPOSITION_DISHONEST/);
      assert.equal(rt.stats().transactionsSent, 0);
    } finally {
      await rt.stop();
    }
    assert.equal(await getTransactionCount(d.publicClient, { address }), nonceBefore, "no transaction");
  });

  it("a runtime without a capsule key refuses the workflow at admission (named reason, nothing run or sent)", async () => {
    const [id] = await d.dispatch(1, { workflowHash: wf.workflowHash });
    let ran = 0;
    const counting: StageExecutors = { "*": async (c) => (ran++, testExecutors[c.stageName]!(c)) };
    const logs: { msg: string; fields: Record<string, unknown> }[] = [];
    const rt = runtimeFor({
      ...base(),
      key: d.agentKeys[2]!,
      stateDir: tempStateDir(),
      executors: counting,
      logger: { log: (_level, msg, fields) => logs.push({ msg, fields: fields as Record<string, unknown> }) },
    });
    await rt.start();
    try {
      const outcomes = await rt.settled([id!], { timeoutMs: 30_000 });
      assert.equal(outcomes.get(id!.toLowerCase() as Hex), "skipped");
      assert.match(rt.progress(id!)?.reason ?? "", /^AGENT_CAPSULE_KEY_MISSING: stage "input-gate" declares capsule: true/);
      assert.equal(ran, 0, "no executor ran");
      assert.equal(rt.stats().transactionsSent, 0);
      assert.ok(logs.some((l) => l.msg === "task done" && /AGENT_CAPSULE_KEY_MISSING/.test(String(l.fields.reason))), "the reason is logged");
    } finally {
      await rt.stop();
    }
  });

  it("runAgentCli --capsule-key: the key from the environment signs the Capsules; a malformed key is refused before any RPC", async () => {
    const ids = await d.dispatch(1, { workflowHash: wf.workflowHash });
    const dir = tempStateDir();
    const file = join(dir, "workflow.json");
    writeFileSync(file, JSON.stringify(wf.document));
    const common = { handler: d.handler, workflow: file, key: "TEST_AGENT_KEY", attesterKey: "TEST_ATTESTER_KEY", capsuleKey: "TEST_CAPSULE_KEY", logger: silentLogger };
    await assert.rejects(
      runAgentCli({ ...common, rpc: "http://127.0.0.1:9", env: { TEST_AGENT_KEY: d.agentKeys[0]!, TEST_ATTESTER_KEY: d.attesterKey, TEST_CAPSULE_KEY: "0x1234" } }),
      (e: unknown) => e instanceof AgentRuntimeError && e.code === "AGENT_INVALID_OPTION" && /TEST_CAPSULE_KEY is not a 32-byte hex/.test(e.message),
    );
    const controller = new AbortController();
    let built = 0;
    const result = await runAgentCli({
      ...common,
      rpc: proxy.url,
      stateDir: join(dir, "state"),
      fromBlock: "0",
      deadlineMargin: "5",
      env: { TEST_AGENT_KEY: d.agentKeys[0]!, TEST_ATTESTER_KEY: d.attesterKey, TEST_CAPSULE_KEY: bytesToHex(keys.privateKey) },
      signal: controller.signal,
      onStarted: (rt) =>
        void rt
          .settled(ids, { timeoutMs: 60_000 })
          .then(() => (built = rt.capsules(ids[0]!).size))
          .finally(() => controller.abort()),
    });
    assert.ok(result.stats.tasksDone >= 1);
    assert.equal(built, 2, "the echo executors' stages 0 and 2 got Capsules");
    const { report } = await verifyKeeping(d, ids[0]!);
    assert.equal(report.status, "Finalized");
    assert.equal(checksOf(report, 0, "capsule.id")[0]?.status, "pass");
  });
});
