import {
  BaseError,
  ContractFunctionRevertedError,
  type Account,
  type Address,
  type Chain,
  type Client,
  type Hash,
  type TransactionReceipt,
  type Transport,
} from "viem";
import { simulateContract, waitForTransactionReceipt, writeContract } from "viem/actions";
import { digestAnchorAbi } from "./abi.js";
import { AnchorRevertedError, AnchorTransactionFailedError } from "./errors.js";

/** A client that can sign (a viem wallet client with an account). */
export type AnchorWalletClient = Client<Transport, Chain | undefined, Account>;

type WriteName = "anchorTask" | "anchorBatch";
type WriteArgs<N extends WriteName> = N extends "anchorTask"
  ? readonly [Address, `0x${string}`, `0x${string}`, number]
  : readonly [`0x${string}`, `0x${string}`, number];

/** Maps a viem contract error to {@link AnchorRevertedError}; rethrows anything else. */
export function toAnchorError(err: unknown): never {
  if (err instanceof BaseError) {
    const revert = err.walk((e) => e instanceof ContractFunctionRevertedError);
    if (revert instanceof ContractFunctionRevertedError) {
      throw new AnchorRevertedError(revert.data?.errorName, revert.data?.args ?? [], err);
    }
  }
  throw err;
}

/** simulate → write → wait for the receipt; reverts become typed errors. */
export async function writeAnchor<N extends WriteName>(
  client: AnchorWalletClient,
  anchor: Address,
  functionName: N,
  args: WriteArgs<N>,
): Promise<{ hash: Hash; receipt: TransactionReceipt }> {
  let hash: Hash;
  try {
    const { request } = await simulateContract(client, {
      address: anchor,
      abi: digestAnchorAbi,
      functionName,
      args,
      account: client.account,
      chain: client.chain,
    } as Parameters<typeof simulateContract>[1]);
    hash = await writeContract(client, request as Parameters<typeof writeContract>[1]);
  } catch (err) {
    toAnchorError(err);
  }
  const receipt = await waitForTransactionReceipt(client, { hash });
  if (receipt.status !== "success") throw new AnchorTransactionFailedError(hash);
  return { hash, receipt };
}
