import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import type { Hex } from "viem";
import { assertBytes32 } from "../chain/validate.js";
import { AnchorTreeSizeError } from "./errors.js";
import { DIGEST_LEAF_ENCODING } from "./scope.js";

/** A StandardMerkleTree of `[scope, digest]` leaves, as DigestAnchor verifies them. */
export type DigestTree = {
  /** The scope every leaf is bound to ({@link taskAnchorScope} or {@link batchAnchorScope}). */
  readonly scope: Hex;
  /** The Merkle root to anchor. */
  readonly root: Hex;
  /** The number of digests (leaves), as passed to the contract's `leafCount`. */
  readonly leafCount: number;
  /** The digests in the order given. */
  readonly digests: readonly Hex[];
  /** The underlying OpenZeppelin tree (`dump()` it to store it; {@link loadDigestTree} reads it back). */
  readonly tree: StandardMerkleTree<[Hex, Hex]>;
};

export type BuildDigestTreeParameters = {
  /** The scope of the task or batch the tree will be anchored for. */
  scope: Hex;
  /** The 32-byte digests (capsule ids, ECT digests, ledger heads). Duplicates become duplicate leaves. */
  digests: readonly Hex[];
};
export type BuildDigestTreeReturnType = DigestTree;

const MAX_LEAVES = 2 ** 32 - 1;

/** Builds the Merkle tree of `digests` bound to `scope` (OpenZeppelin StandardMerkleTree, sorted leaves). */
export function buildDigestTree(parameters: BuildDigestTreeParameters): BuildDigestTreeReturnType {
  const { scope, digests } = parameters;
  assertBytes32("scope", scope);
  if (!Array.isArray(digests) || digests.length === 0 || digests.length > MAX_LEAVES) {
    throw new AnchorTreeSizeError(Array.isArray(digests) ? digests.length : 0);
  }
  digests.forEach((d, i) => assertBytes32(`digests[${i}]`, d));
  const s = scope.toLowerCase() as Hex;
  const normalised = digests.map((d) => d.toLowerCase() as Hex);
  const tree = StandardMerkleTree.of<[Hex, Hex]>(
    normalised.map((d) => [s, d]),
    [...DIGEST_LEAF_ENCODING],
  );
  return { scope: s, root: tree.root as Hex, leafCount: normalised.length, digests: normalised, tree };
}

export type LoadDigestTreeParameters = { dump: ReturnType<StandardMerkleTree<[Hex, Hex]>["dump"]> };
export type LoadDigestTreeReturnType = DigestTree;

/** Reads back a tree stored with `tree.dump()`. */
export function loadDigestTree(parameters: LoadDigestTreeParameters): LoadDigestTreeReturnType {
  const tree = StandardMerkleTree.load<[Hex, Hex]>(parameters.dump);
  const values = [...tree.entries()].map(([, v]) => v);
  const first = values[0];
  if (!first) throw new AnchorTreeSizeError(0);
  return {
    scope: first[0],
    root: tree.root as Hex,
    leafCount: values.length,
    digests: values.map((v) => v[1]),
    tree,
  };
}
