import type { Address, Hash, Hex, TransactionReceipt } from "viem";
import { getChainId } from "viem/actions";
import { assertAddress, assertBytes32 } from "../chain/validate.js";
import { buildDigestTree, type DigestTree } from "./buildDigestTree.js";
import { writeAnchor, type AnchorWalletClient } from "./internal.js";
import { taskAnchorScope } from "./scope.js";

export type AnchorTaskDigestsParameters = {
  /** The DigestAnchor contract. */
  anchor: Address;
  /** The handler of the task (it decides who may anchor, through `canAnchor`). */
  handler: Address;
  taskId: Hex;
  /** The digests to commit to (capsule ids, ECT digests, ledger heads). */
  digests: readonly Hex[];
};
export type AnchorTaskDigestsReturnType = {
  /** The tree (keep it, or its `tree.dump()`, to prove items later with {@link getDigestProof}). */
  tree: DigestTree;
  hash: Hash;
  receipt: TransactionReceipt;
};

/**
 * Builds the tree of `digests` for task `taskId` of `handler` and anchors its root: simulate, send, wait.
 * @throws AnchorRevertedError naming the contract error (e.g. `DigestAnchorUnauthorized`) when the anchor refuses.
 */
export async function anchorTaskDigests(
  client: AnchorWalletClient,
  parameters: AnchorTaskDigestsParameters,
): Promise<AnchorTaskDigestsReturnType> {
  const { anchor, handler, taskId, digests } = parameters;
  assertAddress("anchor", anchor);
  assertAddress("handler", handler);
  assertBytes32("taskId", taskId);
  const chainId = client.chain?.id ?? (await getChainId(client));
  const tree = buildDigestTree({ scope: taskAnchorScope({ chainId, anchor, handler, taskId }), digests });
  const { hash, receipt } = await writeAnchor(client, anchor, "anchorTask", [handler, taskId, tree.root, tree.leafCount]);
  return { tree, hash, receipt };
}
