/**
 * `npm run demo`: the whole ERC-8301 loop on the embedded Hardhat network, no server needed.
 *
 * 1. deploys AgentCaller, AgentHandler and the two reference verifiers;
 * 2. registers the policy of a 2-stage workflow document (stage 0: WYRIWE input-provenance gate, sync + gating;
 *    stage 1: the inference step, attested by an EIP-712 attester);
 * 3. a requester dispatches a task with `callAgent`;
 * 4. an agent answers it: step + prove for each stage, the attester signing each result;
 * 5. prints every event and the finalised task.
 */
import { network } from "hardhat";
import canonicalize from "canonicalize";
import {
  keccak256,
  parseEventLogs,
  stringToHex,
  toHex,
  zeroAddress,
  zeroHash,
  type Hex,
  type Log,
} from "viem";
import {
  AgentAuth,
  InputSource,
  Resolution,
  TaskStatus,
  Verdict,
  agentCallerAbi,
  agentHandlerAbi,
  computeTaskId,
  encodeStageProof,
  encodeStepData,
  encodeProveProof,
  stepWitness,
  encodeWyriweProof,
  policyDigest,
  stageAttestationTypedData,
  wyriweAttestationTypedData,
  type WorkflowPolicy,
} from "../sdk/chain/index.js";
import { deployCore, namedWallets } from "./lib/core.js";

const { viem, networkHelpers } = await network.create();
const publicClient = await viem.getPublicClient();
const { operator, requester, agent, attester } = await namedWallets(viem);
const chainId = await publicClient.getChainId();
const log = (...a: unknown[]) => console.log(...a);
const short = (h: string) => (h.length > 20 ? `${h.slice(0, 10)}…${h.slice(-6)}` : h);

async function mined(hash: Promise<Hex>) {
  const receipt = await publicClient.waitForTransactionReceipt({ hash: await hash });
  if (receipt.status !== "success") throw new Error(`reverted: ${receipt.transactionHash}`);
  return receipt;
}

function printEvents(title: string, receipt: { logs: Log[]; gasUsed: bigint }) {
  const events = parseEventLogs({ abi: [...agentCallerAbi, ...agentHandlerAbi], logs: receipt.logs });
  log(`\n${title}  (gas ${receipt.gasUsed.toLocaleString("en-US")})`);
  for (const e of events) {
    const args = Object.entries(e.args as Record<string, unknown>)
      .map(([k, v]) => `${k}=${typeof v === "string" ? short(v) : String(v)}`)
      .join(" ");
    log(`  ${e.eventName}  ${args}`);
  }
}

// 1. deploy --------------------------------------------------------------------------------------------
const { caller, handler, ecdsa, wyriwe } = await deployCore(viem, {
  owner: operator.account.address,
  attesters: [attester.account.address],
});
log("deployed on the embedded Hardhat network, chain", chainId);
log("  AgentCaller               ", caller.address);
log("  AgentHandler              ", handler.address);
log("  EcdsaAttestationVerifier  ", ecdsa.address);
log("  WyriweAttestationVerifier ", wyriwe.address);

// 2. the workflow document and its policy ---------------------------------------------------------------
const document = {
  kind: "agent-exec/workflow",
  name: "gated-summary",
  model: "any-llm",
  instructions: "Summarise the input in one sentence.",
  sanitisation: null,
  stages: [
    { name: "input-gate", resolution: "sync", gating: true, input: "task", verifier: wyriwe.address },
    { name: "inference", resolution: "async", gating: false, input: "task", verifier: ecdsa.address },
  ],
  agents: [agent.account.address],
};
const documentBytes = stringToHex(canonicalize(document) ?? "");
const workflowHash = keccak256(documentBytes);
const policy: WorkflowPolicy = {
  stages: [
    { resolution: Resolution.Sync, gating: true, input: InputSource.AttestedTaskInput, verifier: wyriwe.address, verifierGasLimit: 100_000 },
    { resolution: Resolution.Async, gating: false, input: InputSource.AttestedTaskInput, verifier: ecdsa.address, verifierGasLimit: 100_000 },
  ],
  minFinalStage: 1,
  pipelineHash: zeroHash,
  agentAuth: AgentAuth.Allowlist,
  agentRegistry: zeroAddress,
  agents: [agent.account.address],
};
const registration = await mined(
  handler.write.registerWorkflow([workflowHash, { ...policy, stages: [...policy.stages], agents: [...policy.agents], requesters: [...(policy.requesters ?? [])] }]),
);
const [registered] = parseEventLogs({ abi: agentHandlerAbi, logs: registration.logs, eventName: "WorkflowRegistered" });
log(`\nworkflow ${short(workflowHash)} registered as policy ${registered?.args.policyId}; ` +
  `on-chain policy digest matches the SDK's: ${registered?.args.policyDigest === policyDigest(policy)}`);

// 3. the requester dispatches a task ------------------------------------------------------------------------
const input = stringToHex("ERC-8301 standardises how a smart contract invokes an AI agent and receives its output.");
const inputHash = keccak256(input);
const salt = toHex(1, { size: 32 });
const deadline = BigInt(await networkHelpers.time.latest()) + 3600n;
const callerAsRequester = await viem.getContractAt("AgentCaller", caller.address, { client: { wallet: requester } });
const dispatched = await mined(
  callerAsRequester.write.callAgent([
    { taskId: salt, agentWorkflowHash: workflowHash, agentWorkflow: documentBytes, handler: handler.address, deadline },
    inputHash,
    input,
  ]),
);
const taskId = computeTaskId({ chainId, caller: caller.address, requester: requester.account.address, handler: handler.address, salt });
printEvents("callAgent", dispatched);

// 4. the agent answers -----------------------------------------------------------------------------------
const handlerAsAgent = await viem.getContractAt("AgentHandler", handler.address, { client: { wallet: agent } });
const gateOutput = stringToHex(JSON.stringify({ verdict: "approve", reason: "no injection markers; input as declared" }));
const gateHash = keccak256(gateOutput);
printEvents(
  "onAgentStep(stage 0: input gate)",
  await mined(handlerAsAgent.write.onAgentStep([taskId, inputHash, gateHash, gateOutput, 1n, agent.account.address, 0, false, "0x"])),
);
const gateSig = await attester.signTypedData(
  wyriweAttestationTypedData({ chainId, verifier: wyriwe.address, handler: handler.address, taskId, stage: 0, declaredInputHash: inputHash, pipelineHash: zeroHash, outputHash: gateHash, verdict: Verdict.Approved }),
);
const gateProof = encodeWyriweProof({ verdict: Verdict.Approved, declaredInputHash: inputHash, pipelineHash: zeroHash, signatures: [{ signer: attester.account.address, signature: gateSig }] });
printEvents(
  "onAgentProve(stage 0: WYRIWE attestation, approve)",
  // onAgentProve's proof starts with the prove header: the agent the step is recorded under.
  await mined(handlerAsAgent.write.onAgentProve([taskId, inputHash, gateHash, encodeProveProof(agent.account.address, gateProof), wyriwe.address, 0])),
);

const answer = stringToHex("ERC-8301 gives contracts one standard way to call AI agents and verify their answers.");
const answerHash = keccak256(answer);
printEvents(
  "onAgentStep(stage 1: inference, final)",
  // Stage 1 takes the attested task input; its witness is stage 0's outputHash and agent (sdk/chain/step.ts).
  await mined(
    handlerAsAgent.write.onAgentStep([
      taskId, inputHash, answerHash, answer, 1n, agent.account.address, 1, true,
      encodeStepData(stepWitness({ stage: 1, chained: false, stage0OutputHash: gateHash, stage0Agent: agent.account.address })),
    ]),
  ),
);
const sig = await attester.signTypedData(
  stageAttestationTypedData({ chainId, verifier: ecdsa.address, handler: handler.address, taskId, stage: 1, agent: agent.account.address, isFinal: true, inputHash, outputHash: answerHash, verdict: Verdict.Approved }),
);
const proof = encodeStageProof({ verdict: Verdict.Approved, signatures: [{ signer: attester.account.address, signature: sig }] });
printEvents(
  "onAgentProve(stage 1: EIP-712 attestation)",
  await mined(handlerAsAgent.write.onAgentProve([taskId, inputHash, answerHash, encodeProveProof(agent.account.address, proof), ecdsa.address, 1])),
);

// 5. the result ------------------------------------------------------------------------------------------
const task = await handler.read.taskOf([taskId]);
const statusName = Object.entries(TaskStatus).find(([, v]) => v === task.status)?.[0];
log(`\ntask ${short(taskId)}: ${statusName}; stages stepped ${task.steppedStages}, proven bitmap 0b${task.provenStages.toString(2)}`);
log(`final output: "${Buffer.from(answer.slice(2), "hex").toString("utf8")}"`);
if (task.status !== TaskStatus.Finalized) {
  console.error("demo failed: the task did not finalise");
  process.exit(1);
}
