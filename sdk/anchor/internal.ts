import type { Address, Hash, TransactionReceipt } from "viem";
import { writeChecked, type SigningClient } from "../chain/write.js";
import { digestAnchorAbi } from "./abi.js";
import { AnchorRevertedError, AnchorTransactionFailedError } from "./errors.js";

/** A client that can sign (a viem wallet client with an account). */
export type AnchorWalletClient = SigningClient;

type WriteName = "anchorTask" | "anchorBatch";
type WriteArgs<N extends WriteName> = N extends "anchorTask"
  ? readonly [Address, `0x${string}`, `0x${string}`, number]
  : readonly [`0x${string}`, `0x${string}`, number];

/** simulate → write → wait for the receipt; reverts become {@link AnchorRevertedError}. */
export function writeAnchor<N extends WriteName>(
  client: AnchorWalletClient,
  anchor: Address,
  functionName: N,
  args: WriteArgs<N>,
): Promise<{ hash: Hash; receipt: TransactionReceipt }> {
  return writeChecked(client, { address: anchor, abi: digestAnchorAbi, functionName, args }, {
    reverted: (errorName, args, cause) => new AnchorRevertedError(errorName, args, cause),
    failed: (hash) => new AnchorTransactionFailedError(hash),
  });
}
