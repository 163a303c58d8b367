import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { isHex, type Hex } from "viem";
import { DIGEST_LEAF_ENCODING } from "./scope.js";

export type VerifyDigestProofParameters = {
  /** The anchored root. */
  root: Hex;
  /** The scope the tree was built for. */
  scope: Hex;
  digest: Hex;
  proof: readonly Hex[];
};
export type VerifyDigestProofReturnType = boolean;

const isWord = (v: unknown): v is Hex => typeof v === "string" && isHex(v, { strict: true }) && v.length === 66;

/**
 * Whether `proof` shows `digest` under `root` in `scope`, off-chain (the same computation as the contract's
 * `MerkleProof.verify` over `leafHash(scope, digest)`). Never throws: malformed input answers `false`.
 */
export function verifyDigestProof(parameters: VerifyDigestProofParameters): VerifyDigestProofReturnType {
  const { root, scope, digest, proof } = parameters;
  if (!isWord(root) || !isWord(scope) || !isWord(digest) || !Array.isArray(proof) || !proof.every(isWord)) {
    return false;
  }
  return StandardMerkleTree.verify<[Hex, Hex]>(root, [...DIGEST_LEAF_ENCODING], [scope, digest], [...proof]);
}
