/**
 * simulateWorkflow on the embedded Hardhat network (the "copy" mode: evm_snapshot / evm_revert on the chain
 * itself): a clean run, then one planned failure per rule — gas, output-size, policy, sentinel, deadline,
 * verifier — each asserting the rule, the error it was classified from, and that the chain was left unchanged.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { network } from "hardhat";
import { keccak256, stringToHex, toHex, type Address } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { localAttesterProofProducer } from "../../sdk/agent/index.js";
import { computeTaskId, Verdict } from "../../sdk/chain/index.js";
import { registerWorkflow, type WorkflowDocument } from "../../sdk/workflow/index.js";
import { parseSimulationPlan, renderSimulationReport, simulateWorkflow, SimulateError, type SimulateWorkflowParameters, type SimulationStep } from "../../sdk/simulate/index.js";
import { deployCore, namedWallets } from "../../scripts/lib/core.js";
import { DEV_KEYS } from "../helpers/hardhatNode.js";

describe("simulateWorkflow on the embedded network", async () => {
  const { viem } = await network.create();
  const publicClient = await viem.getPublicClient();
  const { operator, requester, agent, attester, stranger } = await namedWallets(viem);
  const attesterKey = privateKeyToAccount(DEV_KEYS[3]);
  const approve = localAttesterProofProducer({ attesters: [attesterKey] });
  let core: Awaited<ReturnType<typeof deployCore>>;
  let version = 0;

  /** Registers a fresh one- or two-stage document and returns it. */
  async function workflow(patch: (d: WorkflowDocument) => void = () => {}): Promise<WorkflowDocument> {
    const d: WorkflowDocument = {
      kind: "erc8301-workflow",
      id: "urn:agent-exec:test:simulate",
      version: `1.0.${version++}`,
      graph: { wf_id: "simulate", nodes: [{ id: "answer", reversible: true }], edges: [] },
      stages: [{ name: "answer", nodes: ["answer"], resolution: "sync", input: "task-input", verifier: { kind: "ecdsa-attestation", address: core.ecdsa.address, gasLimit: 200_000 } }],
      agents: { auth: "allowlist", allowlist: [agent.account.address] },
    };
    patch(d);
    await registerWorkflow(publicClient, operator, { handler: core.handler.address, document: d });
    return d;
  }

  const input = stringToHex("What is ERC-8301?");
  const answer = (extra: Partial<SimulationStep> = {}): SimulationStep => ({ agent: agent.account.address, output: stringToHex("A standard for agent execution."), prove: { producer: approve }, ...extra });
  const base = (document: WorkflowDocument, extra: Partial<SimulateWorkflowParameters> = {}): SimulateWorkflowParameters => ({
    caller: core.caller.address,
    handler: core.handler.address,
    workflow: document,
    requester: requester.account.address,
    input,
    deadlineIn: 3600,
    blockTime: 12,
    ...extra,
  });

  /** Runs a simulation and asserts that the chain is exactly where it was (nothing kept, nothing sent). */
  async function simulate(p: SimulateWorkflowParameters) {
    const before = await publicClient.getBlockNumber();
    const nonce = await publicClient.getTransactionCount({ address: p.requester });
    const report = await simulateWorkflow(publicClient, p);
    assert.equal(report.restored, true);
    assert.equal(await publicClient.getBlockNumber(), before, "the simulation chain was restored");
    assert.equal(await publicClient.getTransactionCount({ address: p.requester }), nonce);
    return report;
  }

  before(async () => {
    core = await deployCore(viem, { owner: operator.account.address, attesters: [attester.account.address] });
    assert.equal(attesterKey.address.toLowerCase(), attester.account.address.toLowerCase());
  });

  it("a clean run: dispatch, step, prove — every call ok, the task finalised, gas reported, nothing kept", async () => {
    const d = await workflow();
    const salt = toHex(7n, { size: 32 });
    const r = await simulate(base(d, { salt, steps: [answer()] }));
    assert.equal(r.ok, true, renderSimulationReport(r));
    assert.equal(r.finalized, true);
    assert.deepEqual(r.calls.map((c) => [c.call, c.status, c.outcome]), [["callAgent", "ok", "dispatched"], ["onAgentStep", "ok", "accepted"], ["onAgentProve", "ok", "finalized"]]);
    for (const c of r.calls) assert.ok(c.gasUsed! > 21_000n && c.gasUsed! < 500_000n, `${c.call} gas ${c.gasUsed}`);
    assert.equal(r.taskId, computeTaskId({ chainId: 31337, caller: core.caller.address, requester: requester.account.address, handler: core.handler.address, salt }));
    assert.equal(r.failure, undefined);
    assert.equal(r.deadlineMargin, 3600n - 36n);
    // The task does not exist on the real chain.
    assert.equal((await core.handler.read.taskOf([r.taskId!])).status, 0);
    // The same through one stepAndProve.
    const atomic = await simulate(base(d, { steps: [answer({ atomic: true })] }));
    assert.equal(atomic.ok, true, renderSimulationReport(atomic));
    assert.deepEqual(atomic.calls.map((c) => [c.call, c.outcome]), [["callAgent", "dispatched"], ["stepAndProve", "finalized"]]);
    assert.match(renderSimulationReport(atomic), /ok · every call would succeed and the task is finalised/);
  });

  it("without a plan only the dispatch is simulated", async () => {
    const d = await workflow();
    const r = await simulate(base(d));
    assert.equal(r.ok, true);
    assert.deepEqual(r.calls.map((c) => c.call), ["callAgent"]);
  });

  it("gas: a verifier that exhausts the policy's gas allowance (AgentProveRejected VerifierOutOfGas, no revert)", async () => {
    // A verifier that burns whatever it is given, under the policy's minimum allowance (10,000 gas).
    const burner = await viem.deployContract("GasBurningVerifier", [0]);
    const d = await workflow((x) => (x.stages[0]!.verifier = { kind: "custom", address: burner.address, gasLimit: 10_000 }));
    const r = await simulate(base(d, { steps: [answer({ prove: { proof: stringToHex("a proof that makes it loop") } })] }));
    assert.equal(r.ok, false);
    assert.equal(r.failure?.rule, "gas");
    assert.equal(r.failure?.error, "VerifierOutOfGas");
    assert.equal(r.failure?.call, "onAgentProve");
    assert.equal(r.calls[2]!.gasUsed! > 0n, true, "the rejected prove was mined: it does not revert");
    assert.match(renderSimulationReport(r), /FAIL \[gas\] VerifierOutOfGas/);
  });

  it("gas: a call that does not fit the gas limit it will be sent with", async () => {
    const d = await workflow();
    const r = await simulate(base(d, { gasLimit: 60_000n, steps: [answer()] }));
    assert.equal(r.failure?.rule, "gas");
    assert.equal(r.failure?.call, "callAgent");
    assert.match(r.failure!.error, /OutOfGas|BoundedCallInsufficientGas/);
    assert.deepEqual(r.calls.map((c) => c.status), ["failed", "skipped", "skipped"]);
  });

  it("output-size: a step whose output does not fit the network's transaction size limit", async () => {
    const d = await workflow();
    const big = toHex(new Uint8Array(140 * 1024).fill(0x61));
    const r = await simulate(base(d, { steps: [answer({ output: big })] }));
    assert.equal(r.failure?.rule, "output-size");
    assert.equal(r.failure?.error, "TransactionTooLarge");
    assert.equal(r.failure?.call, "onAgentStep");
    assert.equal(r.calls[1]!.calldataBytes > 140 * 1024, true);
    // The same output fits a chain with a larger limit (and then costs gas, reported).
    const roomy = await simulate(base(d, { maxTransactionBytes: 512 * 1024, steps: [answer({ output: big })] }));
    assert.equal(roomy.ok, true, renderSimulationReport(roomy));
    assert.ok(roomy.calls[1]!.gasUsed! > 140n * 1024n * 4n);
  });

  it("policy: an agent the allowlist does not name, and a requester the workflow does not allow", async () => {
    const d = await workflow();
    const r = await simulate(base(d, { steps: [answer({ agent: stranger.account.address })] }));
    assert.equal(r.failure?.rule, "policy");
    assert.equal(r.failure?.error, "AgentHandlerUnauthorizedAgent");
    assert.equal((r.failure?.args.agent as string).toLowerCase(), stranger.account.address.toLowerCase());
    const restricted = await workflow((x) => (x.requesters = [operator.account.address]));
    const q = await simulate(base(restricted, { steps: [answer()] }));
    assert.equal(q.failure?.rule, "policy");
    assert.equal(q.failure?.call, "callAgent");
    assert.equal(q.failure?.error, "AgentHandlerRequesterNotAllowed");
  });

  it("sentinel: stage 0 declares an input other than the attested task input (WYRIWE)", async () => {
    const d = await workflow();
    const r = await simulate(base(d, { steps: [answer({ inputHash: keccak256(stringToHex("a substituted input")) })] }));
    assert.equal(r.failure?.rule, "sentinel");
    assert.equal(r.failure?.error, "AgentHandlerWyriweViolation");
    assert.equal(r.failure?.args.expectedAttested, keccak256(input));
  });

  it("deadline: the step lands after the deadline at the planned pace, and a deadline inside the next block", async () => {
    const d = await workflow();
    const r = await simulate(base(d, { deadlineIn: 60, steps: [answer({ delay: 90 })] }));
    assert.equal(r.failure?.rule, "deadline");
    assert.equal(r.failure?.error, "AgentHandlerDeadlinePassed");
    assert.equal(r.failure?.call, "onAgentStep");
    const tight = await simulate(base(d, { deadlineIn: 5, blockTime: 12 }));
    assert.equal(tight.failure?.rule, "deadline");
    assert.equal(tight.failure?.error, "AgentCallerDeadlineNotInFuture");
  });

  it("verifier: a proof the verifier does not accept (a non-attester's signature, a denial)", async () => {
    const d = await workflow();
    const forger = localAttesterProofProducer({ attesters: [privateKeyToAccount(DEV_KEYS[4])] });
    const r = await simulate(base(d, { steps: [answer({ prove: { producer: forger } })] }));
    assert.equal(r.failure?.rule, "verifier");
    assert.equal(r.failure?.error, "InvalidProof");
    const deny = localAttesterProofProducer({ attesters: [attesterKey], verdict: () => Verdict.Denied });
    const a = await simulate(base(d, { steps: [answer({ atomic: true, prove: { producer: deny } })] }));
    assert.equal(a.failure?.rule, "verifier");
    assert.equal(a.failure?.error, "Denied");
    assert.equal(a.failure?.call, "stepAndProve");
  });

  it("a two-stage chained plan from a plan file: the witness is computed from the simulated history", async () => {
    const d = await workflow((x) => {
      x.graph = { wf_id: "simulate", nodes: [{ id: "draft", reversible: true }, { id: "review", reversible: true }], edges: [{ from: "draft", to: "review" }] };
      x.stages = [
        { name: "draft", nodes: ["draft"], resolution: "async", input: "task-input", verifier: { kind: "ecdsa-attestation", address: core.ecdsa.address, gasLimit: 200_000 } },
        { name: "review", nodes: ["review"], resolution: "sync", input: "previous-output", verifier: { kind: "ecdsa-attestation", address: core.ecdsa.address, gasLimit: 200_000 } },
      ];
    });
    const steps = parseSimulationPlan(
      JSON.stringify({
        steps: [
          { agent: agent.account.address, outputText: "draft", prove: { attest: { keyEnv: "SIM_ATTESTER" } } },
          { agent: agent.account.address, outputText: "reviewed", prove: { attest: { keyEnv: ["SIM_ATTESTER"] } }, delay: 30 },
        ],
      }),
      { env: { SIM_ATTESTER: DEV_KEYS[3] } },
    );
    const r = await simulate(base(d, { steps }));
    assert.equal(r.ok, true, renderSimulationReport(r));
    assert.equal(r.finalized, true);
    assert.deepEqual(r.calls.map((c) => c.stage), [undefined, 0, 0, 1, 1]);
    // Stage 1 stepped without stage 0's prove first would still be fine (async), but a wrong chained input is a sentinel failure.
    const wrong = await simulate(base(d, { steps: [steps[0]!, { ...steps[1]!, inputHash: keccak256(stringToHex("not the draft")) }] }));
    assert.equal(wrong.failure?.rule, "sentinel");
    assert.equal(wrong.failure?.error, "AgentHandlerInputNotChained");
  });

  it("bad parameters and plans are typed errors before any RPC", async () => {
    const d = await workflow();
    await assert.rejects(simulateWorkflow(publicClient, { ...base(d), deadlineIn: undefined }), (e: unknown) => e instanceof SimulateError && e.code === "SIMULATE_INVALID_PARAMETER");
    await assert.rejects(simulateWorkflow(publicClient, { ...base(d), caller: "0x12" as Address }), /caller/);
    assert.throws(() => parseSimulationPlan('{"steps":[{"agent":"0x0000000000000000000000000000000000000001","outputText":"x","prove":{"attest":{"keyEnv":"NOPE_UNSET"}}}]}', { env: {} }), (e: unknown) => e instanceof SimulateError && e.code === "SIMULATE_INVALID_PLAN" && /NOPE_UNSET is not set/.test(e.message));
    assert.throws(() => parseSimulationPlan('{"steps":[{"agent":"0x0000000000000000000000000000000000000001"}]}'), /needs output, outputText or outputHash/);
    assert.throws(() => parseSimulationPlan("[1]"), /steps\[0\]: expected an object/);
  });
});
