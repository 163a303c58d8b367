import type { Abi, Address, Hash, TransactionReceipt } from "viem";
import { writeChecked, type SigningClient } from "../chain/write.js";
import { VerifierRevertedError, VerifierTransactionFailedError } from "./errors.js";

/** A client that can sign (a viem wallet client with an account). */
export type VerifierWalletClient = SigningClient;

/** simulate → write → wait for the receipt; contract reverts become {@link VerifierRevertedError}. */
export function writeVerifier(
  client: VerifierWalletClient,
  call: { address: Address; abi: Abi; functionName: string; args: readonly unknown[]; value?: bigint },
): Promise<{ hash: Hash; receipt: TransactionReceipt }> {
  return writeChecked(client, call, {
    reverted: (errorName, args, cause) => new VerifierRevertedError(errorName, args, cause),
    failed: (hash) => new VerifierTransactionFailedError(hash),
  });
}
