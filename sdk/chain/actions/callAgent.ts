import { keccak256, toHex, type Account, type Address, type Chain, type Hex } from "viem";
import { agentCallerAbi } from "../abis.js";
import { ChainParameterError } from "../errors.js";
import type { RetryOptions } from "../retry.js";
import { assertAddress, assertBytes32 } from "../validate.js";
import { UnexpectedChainDataError } from "./errors.js";
import { accountAddress, eqHex, resolveAccount, simulateWriteWait, type AnyClient } from "./internal.js";
import { parseEventLogs } from "viem";
import type { SentTransaction } from "./types.js";

export type CallAgentParameters = {
  /** The AgentCaller contract. */
  caller: Address;
  /** The handler the task is dispatched to. */
  handler: Address;
  /** `keccak256` of the workflow document (its policy must be registered at the handler). */
  agentWorkflowHash: Hex;
  /** The workflow document itself (optional: the hash is authoritative). */
  agentWorkflow?: Hex | undefined;
  /** The requester's salt (`AgentTask.taskId`); random when omitted. */
  salt?: Hex | undefined;
  /** Unix timestamp (seconds) after which nothing is accepted. */
  deadline: bigint;
  /** The task input (optional); its hash is checked on-chain when given. */
  input?: Hex | undefined;
  /** The input commitment; defaults to `keccak256(input)`. */
  inputHash?: Hex | undefined;
  /** The requester; defaults to the client's account. */
  account?: Account | Address | undefined;
  chain?: Chain | null | undefined;
  /** Confirmations to wait for (default 1). */
  confirmations?: number | undefined;
  retry?: RetryOptions | undefined;
};

export type CallAgentReturnType = SentTransaction & {
  /** The effective task id (requester-bound), as emitted in `CallAgent`. */
  taskId: Hex;
  salt: Hex;
  requester: Address;
  inputHash: Hex;
  deadline: bigint;
};

/**
 * Dispatches a task: simulates `callAgent` (a revert is thrown as a typed `ContractRevertError`, e.g.
 * `CHAIN_REVERT_AgentCallerWorkflowNotRegistered`, before anything is sent), sends it, waits for the receipt and
 * returns the task id emitted in `CallAgent`.
 *
 * @example
 * const { taskId } = await callAgent(walletClient, { caller, handler, agentWorkflowHash, deadline, input })
 */
export async function callAgent(client: AnyClient, parameters: CallAgentParameters): Promise<CallAgentReturnType> {
  const { caller, handler, agentWorkflowHash, deadline } = parameters;
  assertAddress("caller", caller);
  assertAddress("handler", handler);
  assertBytes32("agentWorkflowHash", agentWorkflowHash);
  if (typeof deadline !== "bigint" || deadline <= 0n) throw new ChainParameterError("deadline", "expected a positive bigint (Unix seconds)");
  const input = parameters.input ?? "0x";
  const inputHash = parameters.inputHash ?? (input === "0x" ? undefined : keccak256(input));
  if (inputHash === undefined) throw new ChainParameterError("inputHash", "give the input, its hash, or both");
  assertBytes32("inputHash", inputHash);
  const salt = parameters.salt ?? randomSalt();
  assertBytes32("salt", salt);
  const account = resolveAccount(client, parameters.account);
  const task = { taskId: salt, agentWorkflowHash, agentWorkflow: parameters.agentWorkflow ?? "0x", handler, deadline };

  const { result, receipt, transactionHash } = await simulateWriteWait(client, {
    address: caller,
    abi: agentCallerAbi,
    functionName: "callAgent",
    args: [task, inputHash, input],
    account,
    chain: parameters.chain,
    confirmations: parameters.confirmations,
    retry: parameters.retry,
  });
  const own = receipt.logs.filter((l) => eqHex(l.address, caller));
  const event = parseEventLogs({ abi: agentCallerAbi, logs: own, eventName: "CallAgent", strict: true })[0];
  if (!event) throw new UnexpectedChainDataError(`transaction ${transactionHash} emitted no CallAgent event at ${caller}`);
  if (!eqHex(event.args.taskId, result as Hex)) {
    throw new UnexpectedChainDataError(`CallAgent task id ${event.args.taskId} differs from the simulated ${String(result)}`);
  }
  return {
    taskId: event.args.taskId,
    salt,
    requester: accountAddress(account),
    inputHash,
    deadline,
    transactionHash,
    blockNumber: receipt.blockNumber,
    receipt,
  };
}

function randomSalt(): Hex {
  const bytes = new Uint8Array(32);
  globalThis.crypto.getRandomValues(bytes);
  return toHex(bytes);
}
