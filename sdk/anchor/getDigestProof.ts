import type { Hex } from "viem";
import { assertBytes32 } from "../chain/validate.js";
import type { DigestTree } from "./buildDigestTree.js";
import { AnchorDigestNotInTreeError } from "./errors.js";

export type GetDigestProofParameters = { tree: DigestTree; digest: Hex };
export type GetDigestProofReturnType = Hex[];

/** The Merkle proof of `digest` in `tree` (sibling hashes, leaf to root), as `verifyTaskInclusion` takes it. */
export function getDigestProof(parameters: GetDigestProofParameters): GetDigestProofReturnType {
  const { tree, digest } = parameters;
  assertBytes32("digest", digest);
  const d = digest.toLowerCase();
  for (const [i, v] of tree.tree.entries()) {
    if (v[1] === d) return tree.tree.getProof(i) as Hex[];
  }
  throw new AnchorDigestNotInTreeError(digest);
}

export type GetDigestProofsReturnType = Map<Hex, Hex[]>;

/** Proofs of every digest of `tree`, keyed by (lower-case) digest. */
export function getDigestProofs(parameters: { tree: DigestTree }): GetDigestProofsReturnType {
  const out = new Map<Hex, Hex[]>();
  for (const [i, v] of parameters.tree.tree.entries()) {
    if (!out.has(v[1])) out.set(v[1], parameters.tree.tree.getProof(i) as Hex[]);
  }
  return out;
}
