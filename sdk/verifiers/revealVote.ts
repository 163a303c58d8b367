import type { Address, Hash, Hex, TransactionReceipt } from "viem";
import { assertAddress, assertBytes32, assertUint } from "../chain/validate.js";
import { commitRevealVerifierAbi as commitRevealAbi } from "./abis.js";
import { commitRevealResult, type CommitRevealVote } from "./commitReveal.js";
import { writeVerifier, type VerifierWalletClient } from "./internal.js";

export type RevealVoteParameters = CommitRevealVote & {
  verifier: Address;
  handler: Address;
  taskId: Hex;
  stage: number;
  /** The salt of the commitment. */
  salt: Hex;
};
export type RevealVoteReturnType = { result: Hex; hash: Hash; receipt: TransactionReceipt };

/** Reveals the client account's vote (after the commit phase, before the reveal deadline). */
export async function revealVote(client: VerifierWalletClient, parameters: RevealVoteParameters): Promise<RevealVoteReturnType> {
  const { verifier, handler, taskId, stage, inputHash, outputHash, agent, isFinal, salt } = parameters;
  assertAddress("verifier", verifier);
  assertAddress("handler", handler);
  assertBytes32("taskId", taskId);
  assertUint("stage", stage, 255n);
  assertBytes32("salt", salt);
  const result = commitRevealResult({ inputHash, outputHash, agent, isFinal });
  const { hash, receipt } = await writeVerifier(client, {
    address: verifier,
    abi: commitRevealAbi,
    functionName: "reveal",
    args: [handler, taskId, stage, inputHash, outputHash, agent, isFinal, salt],
  });
  return { result, hash, receipt };
}
