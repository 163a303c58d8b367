/**
 * A deployed agent-exec core on a fresh embedded Hardhat network, plus helpers that speak the SDK's language
 * (task ids, WYRIWE hashes, attestation proofs). Used by every TypeScript contract test.
 */
import { network } from "hardhat";
import { concat, keccak256, stringToHex, toHex, zeroAddress, zeroHash, type Address, type Hex } from "viem";
import {
  AgentAuth,
  InputSource,
  Resolution,
  Verdict,
  computeTaskId,
  encodeProveProof,
  encodeStageProof,
  encodeWyriweProof,
  stageAttestationTypedData,
  wyriweAttestationTypedData,
  type SignableVerdict,
  type StagePolicy,
  type WorkflowPolicy,
  type WyriweStage0Witness,
} from "../../../sdk/chain/index.js";
import { deployCore, namedWallets } from "../../../scripts/lib/core.js";

export type StageSpec = Partial<Omit<StagePolicy, "verifier">> & { verifier?: "ecdsa" | "wyriwe" | Address };

export async function deployAgentExec() {
  const connection = await network.create();
  const { viem, networkHelpers } = connection;
  const publicClient = await viem.getPublicClient();
  const { operator: owner, requester, agent, attester, stranger } = await namedWallets(viem);
  const chainId = await publicClient.getChainId();
  const { caller, handler, ecdsa, wyriwe } = await deployCore(viem, { owner: owner.account.address, attesters: [attester.account.address] });
  const callerAsRequester = await viem.getContractAt("AgentCaller", caller.address, { client: { wallet: requester } });
  const handlerAsAgent = await viem.getContractAt("AgentHandler", handler.address, { client: { wallet: agent } });
  const handlerAsStranger = await viem.getContractAt("AgentHandler", handler.address, {
    client: { wallet: stranger },
  });

  let workflowCounter = 0;
  let saltCounter = 0n;

  function verifierAddress(v: StageSpec["verifier"]): Address {
    if (v === undefined || v === "ecdsa") return ecdsa.address;
    if (v === "wyriwe") return wyriwe.address;
    return v;
  }

  /** Registers a workflow whose document is a small JSON naming its stages; returns its hash and policy. */
  async function registerWorkflow(
    stages: StageSpec[],
    options: Partial<Omit<WorkflowPolicy, "stages">> = {},
  ): Promise<{ workflowHash: Hex; policy: WorkflowPolicy; document: string }> {
    const policy: WorkflowPolicy = {
      stages: stages.map((s) => ({
        resolution: s.resolution ?? Resolution.Async,
        gating: s.gating ?? false,
        input: s.input ?? InputSource.AttestedTaskInput,
        verifier: verifierAddress(s.verifier),
        verifierGasLimit: s.verifierGasLimit ?? 200_000,
      })),
      minFinalStage: options.minFinalStage ?? stages.length - 1,
      pipelineHash: options.pipelineHash ?? zeroHash,
      agentAuth: options.agentAuth ?? AgentAuth.Allowlist,
      agentRegistry: options.agentRegistry ?? zeroAddress,
      agents: options.agents ?? (options.agentAuth === undefined ? [agent.account.address] : []),
      requesters: options.requesters ?? [],
    };
    const document = JSON.stringify({ name: `test-workflow-${++workflowCounter}`, stages: stages.length });
    const workflowHash = keccak256(stringToHex(document));
    await publicClient.waitForTransactionReceipt({
      hash: await handler.write.registerWorkflow([workflowHash, { ...policy, stages: [...policy.stages], agents: [...policy.agents], requesters: [...(policy.requesters ?? [])] }]),
    });
    return { workflowHash, policy, document };
  }

  /** Dispatches a task as `requester`; returns its effective id. */
  async function dispatch(
    workflowHash: Hex,
    options: { input?: Hex; inputHash?: Hex; salt?: Hex; deadlineIn?: bigint } = {},
  ) {
    const input = options.input ?? "0x";
    const inputHash = options.inputHash ?? (input === "0x" ? keccak256(stringToHex("declared input")) : keccak256(input));
    const salt = options.salt ?? toHex(++saltCounter, { size: 32 });
    const now = BigInt(await networkHelpers.time.latest());
    const task = {
      taskId: salt,
      agentWorkflowHash: workflowHash,
      agentWorkflow: "0x" as Hex,
      handler: handler.address,
      deadline: now + (options.deadlineIn ?? 3600n),
    };
    const taskId = computeTaskId({
      chainId,
      caller: caller.address,
      requester: requester.account.address,
      handler: handler.address,
      salt,
    });
    const hash = await callerAsRequester.write.callAgent([task, inputHash, input]);
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    return { taskId, inputHash, task, hash, receipt };
  }

  /**
   * An EcdsaAttestationVerifier proof signed by the attester, for a step recorded by `step.agent` (default: the
   * fixture's agent) with final flag `step.isFinal` (default false). Bare: wrap it with {@link ph} for onAgentProve.
   */
  async function stageProof(
    taskId: Hex,
    stage: number,
    inputHash: Hex,
    outputHash: Hex,
    verdict: SignableVerdict = Verdict.Approved,
    step: { agent?: Address; isFinal?: boolean } = {},
  ) {
    const typed = stageAttestationTypedData({
      chainId,
      verifier: ecdsa.address,
      handler: handler.address,
      taskId,
      stage,
      agent: step.agent ?? agent.account.address,
      isFinal: step.isFinal ?? false,
      inputHash,
      outputHash,
      verdict,
    });
    const signature = await attester.signTypedData(typed);
    return encodeStageProof({ verdict, signatures: [{ signer: attester.account.address, signature }] });
  }

  /**
   * A WyriweAttestationVerifier proof signed by the attester, for a step recorded by `step.agent` (default: the
   * fixture's agent) with final flag `step.isFinal` (default false). After stage 0 it carries stage 0's witness
   * `step.stage0` (required there).
   */
  async function wyriweProof(
    taskId: Hex,
    stage: number,
    declaredInputHash: Hex,
    pipelineHash: Hex,
    outputHash: Hex,
    verdict: SignableVerdict = Verdict.Approved,
    step: { agent?: Address; isFinal?: boolean; stage0?: WyriweStage0Witness } = {},
  ) {
    const typed = wyriweAttestationTypedData({
      chainId,
      verifier: wyriwe.address,
      handler: handler.address,
      taskId,
      stage,
      agent: step.agent ?? agent.account.address,
      isFinal: step.isFinal ?? false,
      declaredInputHash,
      pipelineHash,
      outputHash,
      verdict,
    });
    const signature = await attester.signTypedData(typed);
    return encodeWyriweProof({
      verdict,
      stage,
      declaredInputHash,
      pipelineHash,
      stage0Witness: step.stage0,
      signatures: [{ signer: attester.account.address, signature }],
    });
  }

  /** onAgentProve's proof: the prove header (`by`, default the fixture's agent) and the verifier's proof. */
  function ph(verifierProof: Hex, by: Address = agent.account.address): Hex {
    return encodeProveProof(by, verifierProof);
  }

  /** `data` carrying the witness `hash ‖ by` (the referenced step's agent, default the fixture's agent). */
  function witness(hash: Hex, by: Address = agent.account.address, appData: Hex = "0x"): Hex {
    return concat([hash, by, appData]);
  }

  /** Output bytes and their hash for a named result. */
  function output(text: string): { output: Hex; outputHash: Hex } {
    const bytes = stringToHex(text);
    return { output: bytes, outputHash: keccak256(bytes) };
  }

  async function mined(hash: Promise<Hex> | Hex) {
    const receipt = await publicClient.waitForTransactionReceipt({ hash: await hash });
    if (receipt.status !== "success") throw new Error(`transaction ${receipt.transactionHash} reverted`);
    return receipt;
  }

  return {
    connection,
    viem,
    networkHelpers,
    publicClient,
    chainId,
    accounts: { owner, requester, agent, attester, stranger },
    caller,
    handler,
    ecdsa,
    wyriwe,
    handlerAsAgent,
    handlerAsStranger,
    registerWorkflow,
    dispatch,
    stageProof,
    wyriweProof,
    ph,
    witness,
    output,
    mined,
  };
}

export type AgentExecFixture = Awaited<ReturnType<typeof deployAgentExec>>;
