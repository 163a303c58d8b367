// Public surface of sdk/verifiers: proof builders and viem actions for CommitRevealVerifier and OptimisticVerifier.
export { commitRevealVerifierAbi, optimisticVerifierAbi } from "./abis.js";
export { VerifierRevertedError, VerifierTransactionFailedError } from "./errors.js";
export type { VerifierWalletClient } from "./internal.js";
export {
  commitRevealRoundId,
  commitRevealResult,
  commitRevealCommitment,
  encodeCommitRevealProof,
  type CommitRevealVote,
  type CommitRevealRoundIdParameters,
  type CommitRevealRoundIdReturnType,
  type CommitRevealResultParameters,
  type CommitRevealResultReturnType,
  type CommitRevealCommitmentParameters,
  type CommitRevealCommitmentReturnType,
} from "./commitReveal.js";
export { commitVote, type CommitVoteParameters, type CommitVoteReturnType } from "./commitVote.js";
export { revealVote, type RevealVoteParameters, type RevealVoteReturnType } from "./revealVote.js";
export {
  getCommitRevealRound,
  type GetCommitRevealRoundParameters,
  type GetCommitRevealRoundReturnType,
} from "./getCommitRevealRound.js";
export {
  optimisticClaimId,
  encodeOptimisticProof,
  type OptimisticClaim,
  type OptimisticClaimIdParameters,
  type OptimisticClaimIdReturnType,
  type EncodeOptimisticProofParameters,
} from "./optimistic.js";
export { proposeClaim, type ProposeClaimParameters, type ProposeClaimReturnType } from "./proposeClaim.js";
export { challengeClaim, type ChallengeClaimParameters, type ChallengeClaimReturnType } from "./challengeClaim.js";
export { resolveClaim, type ResolveClaimParameters, type ResolveClaimReturnType } from "./resolveClaim.js";
export { settleClaim, type SettleClaimParameters, type SettleClaimReturnType } from "./settleClaim.js";
export { withdrawBonds, type WithdrawBondsParameters, type WithdrawBondsReturnType } from "./withdrawBonds.js";
export { getClaim, ClaimStatus, type GetClaimParameters, type GetClaimReturnType } from "./getClaim.js";
