import type { Account, Address, Chain, Hex } from "viem";
import { agentHandlerAbi } from "../abis.js";
import type { RetryOptions } from "../retry.js";
import { ContractRevertError, type RevertArgument } from "../revert.js";
import { UnexpectedChainDataError } from "./errors.js";
import { accountAddress, handlerEvents, proveRejectionName, resolveAccount, simulateWriteWait, type AnyClient, type SendControl } from "./internal.js";
import { acceptedStep, stepArgs, type StepArguments } from "./submitStep.js";
import { proveOutcome } from "./submitProve.js";
import type { AcceptedStep, ProveOutcome, SentTransaction } from "./types.js";

export type StepAndProveParameters = StepArguments & {
  /** The proof for the stage's verifier. */
  proof: Hex;
  /** The stepping agent (must be the sender); defaults to the client's account. */
  account?: Account | Address | undefined;
  chain?: Chain | null | undefined;
  confirmations?: number | undefined;
  retry?: RetryOptions | undefined;
} & SendControl;

export type StepAndProveReturnType =
  | (SentTransaction & { step: AcceptedStep; outcome: Exclude<ProveOutcome, { status: "rejected" }> })
  | {
      /** The prove would be rejected, so nothing was sent (`stepAndProve` reverts on a rejected prove). */
      step: undefined;
      outcome: Extract<ProveOutcome, { status: "rejected" }>;
      transactionHash: undefined;
      blockNumber: undefined;
      receipt: undefined;
    };

/**
 * Records a step and proves it in one transaction (`stepAndProve`, also the only way to replace an unproven step).
 * The handler reverts the whole call when the prove is rejected; this action turns that revert
 * (`AgentHandlerProveRejected`) into `{ outcome: { status: "rejected", reason }, transactionHash: undefined }`
 * found by simulation, so nothing is sent and no gas is spent. Every other rule violation is thrown as a typed
 * `ContractRevertError`.
 */
export async function stepAndProve(client: AnyClient, parameters: StepAndProveParameters): Promise<StepAndProveReturnType> {
  const account = resolveAccount(client, parameters.account);
  const args = stepArgs(parameters, accountAddress(account));
  try {
    const { receipt, transactionHash } = await simulateWriteWait(client, {
      address: parameters.handler,
      abi: agentHandlerAbi,
      functionName: "stepAndProve",
      args: [args, parameters.proof],
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
    const events = handlerEvents(receipt.logs, parameters.handler);
    const step = acceptedStep(events, args.taskId, args.stage);
    const outcome = proveOutcome(events, args.taskId, args.stage);
    if (!step || !outcome || outcome.status === "rejected") {
      throw new UnexpectedChainDataError(`transaction ${transactionHash} emitted no step and prove outcome for stage ${args.stage}`);
    }
    return { step, outcome, transactionHash, blockNumber: receipt.blockNumber, receipt };
  } catch (error) {
    if (error instanceof ContractRevertError && error.errorName === "AgentHandlerProveRejected") {
      const code = Number(error.args.reason as RevertArgument);
      return {
        step: undefined,
        outcome: {
          status: "rejected",
          stage: args.stage,
          verifier: undefined,
          reason: proveRejectionName(code) as Extract<ProveOutcome, { status: "rejected" }>["reason"],
          reasonCode: code,
          detail: error.args.detail as Hex,
        },
        transactionHash: undefined,
        blockNumber: undefined,
        receipt: undefined,
      };
    }
    throw error;
  }
}
