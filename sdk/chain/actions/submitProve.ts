import type { Account, Address, Chain, Hex } from "viem";
import { agentHandlerAbi } from "../abis.js";
import type { RetryOptions } from "../logs.js";
import { assertAddress, assertBytes32, assertUint } from "../validate.js";
import { UnexpectedChainDataError } from "./errors.js";
import { handlerEvents, proveRejectionName, read, resolveAccount, simulateWriteWait, type AnyClient, type SendControl, type HandlerEvent } from "./internal.js";
import type { ProveOutcome, SentTransaction } from "./types.js";

export type SubmitProveParameters = {
  handler: Address;
  taskId: Hex;
  stage: number;
  inputHash: Hex;
  outputHash: Hex;
  /** The proof bytes `onAgentProve` takes. */
  proof: Hex;
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
  const verifier = parameters.verifier ?? (await stageVerifier(client, handler, taskId, stage, parameters.retry));
  assertAddress("verifier", verifier);
  const account = resolveAccount(client, parameters.account);
  const { receipt, transactionHash } = await simulateWriteWait(client, {
    address: handler,
    abi: agentHandlerAbi,
    functionName: "onAgentProve",
    args: [taskId, inputHash, outputHash, proof, verifier, stage],
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
