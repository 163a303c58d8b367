import type { Address, Client, Hex } from "viem";
import { readContract, getChainId } from "viem/actions";
import { commitRevealVerifierAbi as commitRevealAbi } from "./abis.js";
import { commitRevealRoundId } from "./commitReveal.js";

export type GetCommitRevealRoundParameters = { verifier: Address; handler: Address; taskId: Hex; stage: number };
export type GetCommitRevealRoundReturnType = {
  roundId: Hex;
  /** Unix seconds; 0 while the round is not open. */
  commitDeadline: number;
  revealDeadline: number;
  commits: number;
  reveals: number;
  /** The decided result (v3 step digest), or null while undecided. */
  decided: Hex | null;
};

/** Reads the round of a stage at a CommitRevealVerifier. */
export async function getCommitRevealRound(
  client: Client,
  parameters: GetCommitRevealRoundParameters,
): Promise<GetCommitRevealRoundReturnType> {
  const chainId = client.chain?.id ?? (await getChainId(client));
  const roundId = commitRevealRoundId({ chainId, ...parameters });
  const r = await readContract(client, { address: parameters.verifier, abi: commitRevealAbi, functionName: "round", args: [roundId] });
  const zero = `0x${"0".repeat(64)}`;
  return {
    roundId,
    commitDeadline: r.commitDeadline,
    revealDeadline: r.revealDeadline,
    commits: r.commits,
    reveals: r.reveals,
    decided: r.decided === zero ? null : r.decided,
  };
}
