// Public surface of sdk/anchor: Merkle trees of digests bound to a DigestAnchor scope, anchoring, proofs, checks.
export { digestAnchorAbi, agentTaskAnchorAuthorityAbi } from "./abi.js";
export {
  AnchorDigestNotInTreeError,
  AnchorTreeSizeError,
  AnchorRevertedError,
  AnchorTransactionFailedError,
} from "./errors.js";
export {
  TASK_SCOPE_TAG,
  BATCH_SCOPE_TAG,
  DIGEST_LEAF_ENCODING,
  taskAnchorScope,
  batchAnchorScope,
  digestLeafHash,
  type TaskAnchorScopeParameters,
  type TaskAnchorScopeReturnType,
  type BatchAnchorScopeParameters,
  type BatchAnchorScopeReturnType,
  type DigestLeafHashParameters,
  type DigestLeafHashReturnType,
} from "./scope.js";
export {
  buildDigestTree,
  loadDigestTree,
  type DigestTree,
  type BuildDigestTreeParameters,
  type BuildDigestTreeReturnType,
  type LoadDigestTreeParameters,
  type LoadDigestTreeReturnType,
} from "./buildDigestTree.js";
export {
  getDigestProof,
  getDigestProofs,
  type GetDigestProofParameters,
  type GetDigestProofReturnType,
  type GetDigestProofsReturnType,
} from "./getDigestProof.js";
export { verifyDigestProof, type VerifyDigestProofParameters, type VerifyDigestProofReturnType } from "./verifyDigestProof.js";
export {
  anchorTaskDigests,
  type AnchorTaskDigestsParameters,
  type AnchorTaskDigestsReturnType,
} from "./anchorTaskDigests.js";
export {
  anchorBatchDigests,
  type AnchorBatchDigestsParameters,
  type AnchorBatchDigestsReturnType,
} from "./anchorBatchDigests.js";
export {
  getTaskAnchor,
  type DigestAnchorRecord,
  type GetTaskAnchorParameters,
  type GetTaskAnchorReturnType,
} from "./getTaskAnchor.js";
export { getBatchAnchor, type GetBatchAnchorParameters, type GetBatchAnchorReturnType } from "./getBatchAnchor.js";
export {
  verifyInclusionOnChain,
  type VerifyInclusionOnChainParameters,
  type VerifyInclusionOnChainReturnType,
} from "./verifyInclusionOnChain.js";
export { ectAnchorDigest, capsuleAnchorDigest, type EctAnchorDigestReturnType, type CapsuleAnchorDigestReturnType } from "./digests.js";
export type { AnchorWalletClient } from "./internal.js";
