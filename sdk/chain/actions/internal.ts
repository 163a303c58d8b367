/** Shared plumbing of the chain actions (not exported from the package). */
import {
  parseEventLogs,
  type Account,
  type Address,
  type Chain,
  type Client,
  type Hex,
  type Log,
  type TransactionReceipt,
  type Transport,
} from "viem";
import { estimateContractGas, readContract, simulateContract, waitForTransactionReceipt, writeContract } from "viem/actions";
import { agentHandlerAbi } from "../abis.js";
import { ChainParameterError } from "../errors.js";
import { decodeRevert } from "../revert.js";
import { withRpcRetry, type RetryOptions } from "../retry.js";
import { TransactionRevertedError } from "./errors.js";
import type { ProveRejectionName, TaskStatusName } from "./types.js";

export const TASK_STATUS_NAMES: readonly TaskStatusName[] = ["None", "Active", "Halted", "Finalized", "Expired"];
export const PROVE_REJECTION_NAMES: readonly ProveRejectionName[] = [
  "None",
  "VerifierReverted",
  "VerifierOutOfGas",
  "MalformedVerdict",
  "InvalidProof",
  "Denied",
  "VerifierNoCode",
];

export function taskStatusName(code: number): TaskStatusName {
  return TASK_STATUS_NAMES[code] ?? "None";
}
export function proveRejectionName(code: number): ProveRejectionName {
  return PROVE_REJECTION_NAMES[code] ?? "None";
}

export type AnyClient = Client<Transport, Chain | undefined, Account | undefined>;

export function resolveAccount(client: AnyClient, account: Account | Address | undefined): Account | Address {
  const a = account ?? client.account;
  if (!a) throw new ChainParameterError("account", "no account given and the client has none");
  return a;
}

export function accountAddress(a: Account | Address): Address {
  return typeof a === "string" ? a : a.address;
}

/**
 * Control over how a write is sent, for callers that manage nonces and journal transactions themselves (the agent
 * runtime): all optional, none changes what is sent.
 */
export type SendControl = {
  /**
   * The nonce to send with (default: the wallet's next, as viem picks it). A function is called after the
   * simulation succeeded and `onBeforeSend` ran, right before signing (a nonce manager's lock is held only that long).
   */
  nonce?: number | (() => number | Promise<number>) | undefined;
  /** Called after the simulation succeeded, just before the transaction is signed and sent. */
  onBeforeSend?: (() => void | Promise<void>) | undefined;
  /** Called with the transaction hash as soon as it is sent, before its receipt is awaited. */
  onSent?: ((transactionHash: Hex) => void | Promise<void>) | undefined;
  /**
   * EIP-1559 fees to send with, called after the simulation and before `nonce`. When given, the gas limit is also
   * estimated before `nonce` is called, so a nonce manager's slot is held only while signing and sending.
   */
  fees?: (() => Promise<{ maxFeePerGas: bigint; maxPriorityFeePerGas: bigint }>) | undefined;
  /** Give up waiting for the receipt after this many ms (default: viem's 180 s). */
  receiptTimeoutMs?: number | undefined;
};

/** Simulates, sends and waits for a contract write; reverts (in simulation or mined) become typed errors. */
export async function simulateWriteWait(
  client: AnyClient,
  call: {
    address: Address;
    abi: readonly unknown[];
    functionName: string;
    args: readonly unknown[];
    account: Account | Address;
    chain?: Chain | null | undefined;
    confirmations?: number | undefined;
    retry?: RetryOptions | undefined;
  } & SendControl,
): Promise<{ result: unknown; receipt: TransactionReceipt; transactionHash: Hex }> {
  let request: unknown;
  let result: unknown;
  try {
    const sim = await withRpcRetry(
      () =>
        simulateContract(client, {
          address: call.address,
          abi: call.abi as never,
          functionName: call.functionName as never,
          args: call.args as never,
          account: call.account,
          chain: call.chain,
        } as never),
      call.retry,
    );
    request = (sim as { request: unknown }).request;
    result = (sim as { result: unknown }).result;
  } catch (error) {
    throw decodeRevert(error, { method: "eth_call" });
  }
  let prepared: { gas: bigint; maxFeePerGas: bigint; maxPriorityFeePerGas: bigint } | undefined;
  if (call.fees) {
    try {
      // As a plain `from` address: with a local account viem would first prepare a whole transaction (nonce, fees).
      const from = accountAddress((request as { account: Account | Address }).account);
      const gas = await withRpcRetry(() => estimateContractGas(client, { ...(request as object), account: from } as never), call.retry);
      prepared = { gas, ...(await call.fees()) };
    } catch (error) {
      throw decodeRevert(error, { method: "eth_estimateGas" });
    }
  }
  // Errors of the caller's own hooks propagate as they are (they are not chain errors).
  await call.onBeforeSend?.();
  const nonce = typeof call.nonce === "function" ? await call.nonce() : call.nonce;
  let transactionHash: Hex;
  try {
    transactionHash = await writeContract(client, { ...(request as object), ...prepared, ...(nonce === undefined ? {} : { nonce }) } as never);
  } catch (error) {
    throw decodeRevert(error, { method: "eth_sendTransaction" });
  }
  await call.onSent?.(transactionHash);
  const receipt = await waitReceipt(client, transactionHash, call.confirmations, call.retry, call.receiptTimeoutMs);
  return { result, receipt, transactionHash };
}

export async function waitReceipt(
  client: AnyClient,
  hash: Hex,
  confirmations: number | undefined,
  retry: RetryOptions | undefined,
  timeoutMs?: number | undefined,
) {
  let receipt: TransactionReceipt;
  try {
    receipt = await withRpcRetry(
      () => waitForTransactionReceipt(client, { hash, confirmations: confirmations ?? 1, ...(timeoutMs === undefined ? {} : { timeout: timeoutMs }) }),
      retry,
    );
  } catch (error) {
    throw decodeRevert(error, { method: "eth_getTransactionReceipt" });
  }
  if (receipt.status !== "success") throw new TransactionRevertedError(hash);
  return receipt;
}

/** A view call with retries and typed errors. */
export async function read<T>(
  client: AnyClient,
  call: { address: Address; abi: readonly unknown[]; functionName: string; args?: readonly unknown[]; account?: Address | undefined },
  retry?: RetryOptions,
): Promise<T> {
  try {
    return (await withRpcRetry(
      () =>
        readContract(client, {
          address: call.address,
          abi: call.abi as never,
          functionName: call.functionName as never,
          args: (call.args ?? []) as never,
          account: call.account,
        } as never),
      retry,
    )) as T;
  } catch (error) {
    throw decodeRevert(error, { method: "eth_call" });
  }
}

/** A decoded handler event. */
export type HandlerEvent = ReturnType<typeof handlerEvents>[number];

/** The handler's events in `logs` (other contracts' logs are ignored). */
export function handlerEvents(logs: readonly Log[], handler: Address) {
  const own = logs.filter((l) => l.address.toLowerCase() === handler.toLowerCase());
  return parseEventLogs({ abi: agentHandlerAbi, logs: own as Log[], strict: true });
}

export function eqHex(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase();
}
