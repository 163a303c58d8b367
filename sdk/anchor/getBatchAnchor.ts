import type { Address, Client, Hex } from "viem";
import { readContract } from "viem/actions";
import { assertAddress, assertBytes32 } from "../chain/validate.js";
import { digestAnchorAbi } from "./abi.js";
import type { DigestAnchorRecord } from "./getTaskAnchor.js";

export type GetBatchAnchorParameters = { anchor: Address; anchorer: Address; batchId: Hex };
/** The record, or `null` when the batch is not anchored. */
export type GetBatchAnchorReturnType = DigestAnchorRecord | null;

/** Reads the root of batch `batchId` of `anchorer`. */
export async function getBatchAnchor(client: Client, parameters: GetBatchAnchorParameters): Promise<GetBatchAnchorReturnType> {
  const { anchor, anchorer, batchId } = parameters;
  assertAddress("anchor", anchor);
  assertAddress("anchorer", anchorer);
  assertBytes32("batchId", batchId);
  const a = await readContract(client, {
    address: anchor,
    abi: digestAnchorAbi,
    functionName: "batchAnchor",
    args: [anchorer, batchId],
  });
  return a.anchoredAt === 0 ? null : { root: a.root, anchorer: a.anchorer, anchoredAt: a.anchoredAt, leafCount: a.leafCount };
}
