import type { Address, Hash, Hex, TransactionReceipt } from "viem";
import { getChainId } from "viem/actions";
import { assertAddress, assertBytes32 } from "../chain/validate.js";
import { buildDigestTree, type DigestTree } from "./buildDigestTree.js";
import { writeAnchor, type AnchorWalletClient } from "./internal.js";
import { batchAnchorScope } from "./scope.js";

export type AnchorBatchDigestsParameters = {
  /** The DigestAnchor contract. */
  anchor: Address;
  /** The batch id, unique within the sending account's namespace (one root per batch id). */
  batchId: Hex;
  digests: readonly Hex[];
};
export type AnchorBatchDigestsReturnType = { tree: DigestTree; hash: Hash; receipt: TransactionReceipt };

/**
 * Builds the tree of `digests` for batch `batchId` of the client's account and anchors its root.
 * @throws AnchorRevertedError (e.g. `DigestAnchorBatchAlreadyAnchored`) when the anchor refuses.
 */
export async function anchorBatchDigests(
  client: AnchorWalletClient,
  parameters: AnchorBatchDigestsParameters,
): Promise<AnchorBatchDigestsReturnType> {
  const { anchor, batchId, digests } = parameters;
  assertAddress("anchor", anchor);
  assertBytes32("batchId", batchId);
  const chainId = client.chain?.id ?? (await getChainId(client));
  const scope = batchAnchorScope({ chainId, anchor, anchorer: client.account.address, batchId });
  const tree = buildDigestTree({ scope, digests });
  const { hash, receipt } = await writeAnchor(client, anchor, "anchorBatch", [batchId, tree.root, tree.leafCount]);
  return { tree, hash, receipt };
}
