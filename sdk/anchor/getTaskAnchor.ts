import type { Address, Client, Hex } from "viem";
import { readContract } from "viem/actions";
import { assertAddress, assertBytes32 } from "../chain/validate.js";
import { digestAnchorAbi } from "./abi.js";

/** An anchored root as the contract records it. */
export type DigestAnchorRecord = {
  root: Hex;
  anchorer: Address;
  /** Unix seconds of the anchoring block. */
  anchoredAt: number;
  leafCount: number;
};

export type GetTaskAnchorParameters = { anchor: Address; handler: Address; taskId: Hex; root: Hex };
/** The record, or `null` when `root` is not anchored for the task. */
export type GetTaskAnchorReturnType = DigestAnchorRecord | null;

/** Reads the record of `root` in the scope of task `taskId` of `handler`. */
export async function getTaskAnchor(client: Client, parameters: GetTaskAnchorParameters): Promise<GetTaskAnchorReturnType> {
  const { anchor, handler, taskId, root } = parameters;
  assertAddress("anchor", anchor);
  assertAddress("handler", handler);
  assertBytes32("taskId", taskId);
  assertBytes32("root", root);
  const a = await readContract(client, {
    address: anchor,
    abi: digestAnchorAbi,
    functionName: "taskAnchor",
    args: [handler, taskId, root],
  });
  return a.anchoredAt === 0 ? null : { root: a.root, anchorer: a.anchorer, anchoredAt: a.anchoredAt, leafCount: a.leafCount };
}
