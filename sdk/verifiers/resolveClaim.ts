import type { Address, Hash, Hex, TransactionReceipt } from "viem";
import { assertAddress, assertBytes32 } from "../chain/validate.js";
import { optimisticVerifierAbi } from "./abis.js";
import { writeVerifier, type VerifierWalletClient } from "./internal.js";

export type ResolveClaimParameters = { verifier: Address; claimId: Hex; upheld: boolean };
export type ResolveClaimReturnType = { hash: Hash; receipt: TransactionReceipt };

/** The arbiter's ruling on a disputed claim (the client account must be the verifier's arbiter). */
export async function resolveClaim(client: VerifierWalletClient, parameters: ResolveClaimParameters): Promise<ResolveClaimReturnType> {
  assertAddress("verifier", parameters.verifier);
  assertBytes32("claimId", parameters.claimId);
  return writeVerifier(client, {
    address: parameters.verifier,
    abi: optimisticVerifierAbi,
    functionName: "resolve",
    args: [parameters.claimId, parameters.upheld === true],
  });
}
