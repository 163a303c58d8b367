import type { Address, Hash, Hex, TransactionReceipt } from "viem";
import { readContract } from "viem/actions";
import { assertAddress, assertBytes32 } from "../chain/validate.js";
import { optimisticVerifierAbi } from "./abis.js";
import { writeVerifier, type VerifierWalletClient } from "./internal.js";

export type ChallengeClaimParameters = { verifier: Address; claimId: Hex };
export type ChallengeClaimReturnType = { bond: bigint; hash: Hash; receipt: TransactionReceipt };

/** Disputes a pending claim, posting the verifier's challenger bond (read from the contract). */
export async function challengeClaim(
  client: VerifierWalletClient,
  parameters: ChallengeClaimParameters,
): Promise<ChallengeClaimReturnType> {
  assertAddress("verifier", parameters.verifier);
  assertBytes32("claimId", parameters.claimId);
  const bond = await readContract(client, { address: parameters.verifier, abi: optimisticVerifierAbi, functionName: "challengerBond" });
  const { hash, receipt } = await writeVerifier(client, {
    address: parameters.verifier,
    abi: optimisticVerifierAbi,
    functionName: "challenge",
    args: [parameters.claimId],
    value: bond,
  });
  return { bond, hash, receipt };
}
