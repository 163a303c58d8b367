import type { Address, Hash, Hex, TransactionReceipt } from "viem";
import { assertAddress, assertBytes32 } from "../chain/validate.js";
import { optimisticVerifierAbi } from "./abis.js";
import { writeVerifier, type VerifierWalletClient } from "./internal.js";

export type SettleClaimParameters = { verifier: Address; claimId: Hex };
export type SettleClaimReturnType = { hash: Hash; receipt: TransactionReceipt };

/** Settles a claim without the arbiter (undisputed past its window, or unresolved past the resolution window). */
export async function settleClaim(client: VerifierWalletClient, parameters: SettleClaimParameters): Promise<SettleClaimReturnType> {
  assertAddress("verifier", parameters.verifier);
  assertBytes32("claimId", parameters.claimId);
  return writeVerifier(client, {
    address: parameters.verifier,
    abi: optimisticVerifierAbi,
    functionName: "settle",
    args: [parameters.claimId],
  });
}
