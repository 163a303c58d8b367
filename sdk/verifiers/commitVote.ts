import { bytesToHex, type Address, type Hash, type Hex, type TransactionReceipt } from "viem";
import { getChainId } from "viem/actions";
import { commitRevealVerifierAbi as commitRevealAbi } from "./abis.js";
import { commitRevealCommitment, commitRevealRoundId, type CommitRevealVote } from "./commitReveal.js";
import { writeVerifier, type VerifierWalletClient } from "./internal.js";

export type CommitVoteParameters = CommitRevealVote & {
  /** The CommitRevealVerifier. */
  verifier: Address;
  handler: Address;
  taskId: Hex;
  stage: number;
  /** 32 random bytes; generated with the platform CSPRNG when omitted. Keep it: the reveal needs it. */
  salt?: Hex;
};
export type CommitVoteReturnType = { roundId: Hex; commitment: Hex; salt: Hex; hash: Hash; receipt: TransactionReceipt };

/** Commits the client account's vote for a stage (opens the round on the first commit). */
export async function commitVote(client: VerifierWalletClient, parameters: CommitVoteParameters): Promise<CommitVoteReturnType> {
  const { verifier, handler, taskId, stage } = parameters;
  const chainId = client.chain?.id ?? (await getChainId(client));
  const roundId = commitRevealRoundId({ chainId, verifier, handler, taskId, stage });
  const salt = parameters.salt ?? bytesToHex(crypto.getRandomValues(new Uint8Array(32)));
  const commitment = commitRevealCommitment({ ...parameters, roundId, voter: client.account.address, salt });
  const { hash, receipt } = await writeVerifier(client, {
    address: verifier,
    abi: commitRevealAbi,
    functionName: "commit",
    args: [handler, taskId, stage, commitment],
  });
  return { roundId, commitment, salt, hash, receipt };
}
