/**
 * simulate → write → wait for the receipt, the send path shared by sdk/anchor and sdk/verifiers. A revert found by
 * the simulation and a receipt with status `reverted` become the caller's own typed errors.
 */
import {
  BaseError,
  ContractFunctionRevertedError,
  type Abi,
  type Account,
  type Address,
  type Chain,
  type Client,
  type Hash,
  type TransactionReceipt,
  type Transport,
} from "viem";
import { simulateContract, waitForTransactionReceipt, writeContract } from "viem/actions";

/** A client that can sign (a viem wallet client with an account). */
export type SigningClient = Client<Transport, Chain | undefined, Account>;

export type WriteCheckedErrors = {
  /** The simulation reverted with `errorName(args)` (undefined when the revert data names no known error). */
  reverted: (errorName: string | undefined, args: readonly unknown[], cause: unknown) => Error;
  /** The transaction was mined but reverted. */
  failed: (hash: Hash) => Error;
};

export async function writeChecked(
  client: SigningClient,
  call: { address: Address; abi: Abi; functionName: string; args: readonly unknown[]; value?: bigint },
  errors: WriteCheckedErrors,
): Promise<{ hash: Hash; receipt: TransactionReceipt }> {
  let hash: Hash;
  try {
    const { request } = await simulateContract(client, {
      ...call,
      account: client.account,
      chain: client.chain,
    } as Parameters<typeof simulateContract>[1]);
    hash = await writeContract(client, request as Parameters<typeof writeContract>[1]);
  } catch (err) {
    if (err instanceof BaseError) {
      const revert = err.walk((e) => e instanceof ContractFunctionRevertedError);
      if (revert instanceof ContractFunctionRevertedError) throw errors.reverted(revert.data?.errorName, revert.data?.args ?? [], err);
    }
    throw err;
  }
  const receipt = await waitForTransactionReceipt(client, { hash });
  if (receipt.status !== "success") throw errors.failed(hash);
  return { hash, receipt };
}
