import type { Address, Client, Hex } from "viem";
import { readContract } from "viem/actions";
import { assertAddress, assertBytes32 } from "../chain/validate.js";
import { optimisticVerifierAbi } from "./abis.js";

/** `IOptimisticVerifier.ClaimStatus`. */
export const ClaimStatus = { None: 0, Pending: 1, Disputed: 2, Accepted: 3, Rejected: 4 } as const;
export type ClaimStatus = (typeof ClaimStatus)[keyof typeof ClaimStatus];
const NAMES = ["None", "Pending", "Disputed", "Accepted", "Rejected"] as const;

export type GetClaimParameters = { verifier: Address; claimId: Hex };
export type GetClaimReturnType = {
  status: ClaimStatus;
  statusName: (typeof NAMES)[number];
  /** Whether the claim counts as accepted now (what `verifyStage` answers). */
  accepted: boolean;
  proposer: Address;
  challengeDeadline: number;
  challenger: Address;
  resolveDeadline: number;
};

/** Reads a claim of an OptimisticVerifier. */
export async function getClaim(client: Client, parameters: GetClaimParameters): Promise<GetClaimReturnType> {
  assertAddress("verifier", parameters.verifier);
  assertBytes32("claimId", parameters.claimId);
  const [c, accepted] = await Promise.all([
    readContract(client, { address: parameters.verifier, abi: optimisticVerifierAbi, functionName: "claim", args: [parameters.claimId] }),
    readContract(client, { address: parameters.verifier, abi: optimisticVerifierAbi, functionName: "isAccepted", args: [parameters.claimId] }),
  ]);
  const status = c.status as ClaimStatus;
  return {
    status,
    statusName: NAMES[status] ?? "None",
    accepted,
    proposer: c.proposer,
    challengeDeadline: c.challengeDeadline,
    challenger: c.challenger,
    resolveDeadline: c.resolveDeadline,
  };
}
