import { numberToHex, type Account, type Address, type Chain, type Hex } from "viem";
import { agentHandlerAbi } from "../abis.js";
import type { RetryOptions } from "../retry.js";
import { assertAddress, assertBytes32, assertHex, assertUint } from "../validate.js";
import { encodeProveProof } from "../step.js";
import { lastEvent } from "./waitForTask.js";
import { UnexpectedChainDataError } from "./errors.js";
import { handlerEvents, proveRejectionName, read, resolveAccount, simulateWriteWait, type AnyClient, type SendControl, type HandlerEvent } from "./internal.js";
import type { ProveOutcome, SentTransaction } from "./types.js";

export type SubmitProveParameters = {
  handler: Address;
  taskId: Hex;
  stage: number;
  inputHash: Hex;
  outputHash: Hex;
  /**
   * The verifier's proof. The action prefixes the 20-byte prove header (the step's agent, see `encodeProveProof`)
   * that `onAgentProve` requires; pass `header: false` if `proof` already carries it.
   */
  proof: Hex;
  /** The agent the step is recorded under (the prove header); read from the stage's `AgentStepAccepted` when omitted. */
  agent?: Address | undefined;
  /** Whether to prefix the prove header (default true). */
  header?: boolean | undefined;
  /** Where to look for the step event when `agent` is omitted (default 0). */
  fromBlock?: bigint | undefined;
  /** The stage's verifier; read from the task's registered policy when omitted. */
  verifier?: Address | undefined;
  /** The submitter (anyone may prove); defaults to the client's account. */
  account?: Account | Address | undefined;
  chain?: Chain | null | undefined;
  confirmations?: number | undefined;
  retry?: RetryOptions | undefined;
} & SendControl;

export type SubmitProveReturnType = SentTransaction & { outcome: ProveOutcome };

/**
 * Submits a prove (`onAgentProve`) and returns what happened on-chain as data. A prove the verifier does not
 * accept does NOT revert — the handler emits `AgentProveRejected` and changes nothing — so the outcome is
 * `{ status: "rejected", reason: "InvalidProof" | "Denied" | "VerifierReverted" | … }`, never a thrown error.
 * Rule violations (unknown task, wrong binding, wrong verifier, …) revert and are thrown as typed
 * `ContractRevertError`s from the simulation.
 */
export async function submitProve(client: AnyClient, parameters: SubmitProveParameters): Promise<SubmitProveReturnType> {
  const { handler, taskId, stage, inputHash, outputHash, proof } = parameters;
  assertAddress("handler", handler);
  assertBytes32("taskId", taskId);
  assertUint("stage", stage, 255n);
  assertBytes32("inputHash", inputHash);
  assertBytes32("outputHash", outputHash);
  assertHex("proof", proof);
  const [verifier, agent] = await Promise.all([
    parameters.verifier ?? stageVerifier(client, handler, taskId, stage, parameters.retry),
    parameters.header === false ? undefined : (parameters.agent ?? stepAgent(client, handler, taskId, stage, parameters.fromBlock, parameters.retry)),
  ]);
  assertAddress("verifier", verifier);
  const fullProof = agent === undefined ? proof : encodeProveProof(agent, proof);
  const account = resolveAccount(client, parameters.account);
  const { receipt, transactionHash } = await simulateWriteWait(client, {
    address: handler,
    abi: agentHandlerAbi,
    functionName: "onAgentProve",
    args: [taskId, inputHash, outputHash, fullProof, verifier, stage],
    account,
    chain: parameters.chain,
    confirmations: parameters.confirmations,
    retry: parameters.retry,
    nonce: parameters.nonce,
    onBeforeSend: parameters.onBeforeSend,
    onSent: parameters.onSent,
    fees: parameters.fees,
    receiptTimeoutMs: parameters.receiptTimeoutMs,
  });
  const outcome = proveOutcome(handlerEvents(receipt.logs, handler), taskId, stage);
  if (!outcome) throw new UnexpectedChainDataError(`transaction ${transactionHash} emitted no prove outcome for stage ${stage}`);
  return { outcome, transactionHash, blockNumber: receipt.blockNumber, receipt };
}

/** The agent the current step of `stage` is recorded under (its last `AgentStepAccepted`). */
export async function stepAgent(client: AnyClient, handler: Address, taskId: Hex, stage: number, fromBlock: bigint | undefined, retry?: RetryOptions): Promise<Address> {
  const ev = await lastEvent(client, handler, taskId, "AgentStepAccepted", fromBlock, retry, [numberToHex(stage, { size: 32 })]);
  if (!ev) throw new UnexpectedChainDataError(`no step recorded for stage ${stage} of task ${taskId}`);
  return (ev.args as { agent: Address }).agent;
}

/** The verifier the task's policy names for `stage`. */
export async function stageVerifier(client: AnyClient, handler: Address, taskId: Hex, stage: number, retry?: RetryOptions): Promise<Address> {
  const view = await read<{ agentWorkflowHash: Hex }>(client, { address: handler, abi: agentHandlerAbi, functionName: "taskOf", args: [taskId] }, retry);
  const policy = await read<{ stages: readonly { verifier: Address }[] }>(
    client,
    { address: handler, abi: agentHandlerAbi, functionName: "workflowPolicy", args: [view.agentWorkflowHash] },
    retry,
  );
  const s = policy.stages[stage];
  if (!s) throw new UnexpectedChainDataError(`the task's policy has no stage ${stage}`);
  return s.verifier;
}

/** The prove outcome of `stage` among a receipt's handler events. */
export function proveOutcome(events: readonly HandlerEvent[], taskId: Hex, stage: number): ProveOutcome | undefined {
  let outcome: ProveOutcome | undefined;
  for (const e of events) {
    if (e.eventName === "AgentStageProven" && e.args.taskId === taskId && e.args.stage === stage) {
      outcome = { status: "proven", stage, verifier: e.args.verifier, digest: e.args.digest, finalized: undefined };
    } else if (e.eventName === "AgentTaskFinalized" && e.args.taskId === taskId && outcome?.status === "proven") {
      outcome = { ...outcome, finalized: { finalStage: e.args.finalStage, outputHash: e.args.outputHash } };
    } else if (e.eventName === "AgentTaskHalted" && e.args.taskId === taskId && e.args.stage === stage) {
      outcome = { status: "halted", stage, digest: e.args.digest };
    } else if (e.eventName === "AgentProveRejected" && e.args.taskId === taskId && e.args.stage === stage) {
      outcome = {
        status: "rejected",
        stage,
        verifier: e.args.verifier,
        reason: proveRejectionName(e.args.reason) as Exclude<ReturnType<typeof proveRejectionName>, "None">,
        reasonCode: e.args.reason,
        detail: e.args.detail,
      };
    }
  }
  return outcome;
}
