/**
 * Send → wait → check, for ethers v6 contract methods: the failure is always a typed SDK
 * error (the revert decoded, or a failed receipt), never "unknown custom error".
 */
import type { ContractTransactionReceipt, ContractTransactionResponse } from "ethers";
import { EthersParameterError, EthersTransactionFailedError } from "./errors.js";
import { decodeEthersError } from "./revert.js";

export type SendAndWaitParameters = {
  /** Confirmations to wait for (default 1). */
  confirmations?: number | undefined;
  /** Give up after this many milliseconds (default: no timeout). */
  timeoutMs?: number | undefined;
};

/**
 * Awaits a contract send (`() => handler.onAgentStep(...)`) and its receipt. Throws
 * `EthersContractRevertError` (the contract error by name, with its arguments) or
 * `EthersTransactionFailedError`.
 */
export async function sendAndWait(
  send: () => Promise<ContractTransactionResponse>,
  parameters: SendAndWaitParameters = {},
): Promise<ContractTransactionReceipt> {
  if (typeof send !== "function") throw new EthersParameterError("send", "expected a function that sends the transaction, e.g. () => handler.onAgentStep(...)");
  const p = typeof parameters === "object" && parameters !== null ? parameters : {};
  let tx: ContractTransactionResponse;
  try {
    tx = await send();
  } catch (error) {
    throw decodeEthersError(error);
  }
  let receipt: ContractTransactionReceipt | null;
  try {
    receipt = await tx.wait(p.confirmations ?? 1, p.timeoutMs);
  } catch (error) {
    const decoded = decodeEthersError(error);
    if (decoded.code === "ETHERS_CONTRACT_REVERT") throw decoded;
    throw new EthersTransactionFailedError(tx.hash, `waiting for the receipt failed: ${decoded.details ?? decoded.shortMessage}`, error);
  }
  if (receipt === null) throw new EthersTransactionFailedError(tx.hash, "no receipt");
  if (receipt.status !== 1) throw new EthersTransactionFailedError(tx.hash, `receipt status ${String(receipt.status)}`);
  return receipt;
}
