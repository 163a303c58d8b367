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
import { VerifierRevertedError, VerifierTransactionFailedError } from "./errors.js";

/** A client that can sign (a viem wallet client with an account). */
export type VerifierWalletClient = Client<Transport, Chain | undefined, Account>;

/** simulate → write → wait for the receipt; contract reverts become {@link VerifierRevertedError}. */
export async function writeVerifier(
  client: VerifierWalletClient,
  call: { address: Address; abi: Abi; functionName: string; args: readonly unknown[]; value?: bigint },
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
      if (revert instanceof ContractFunctionRevertedError) {
        throw new VerifierRevertedError(revert.data?.errorName, revert.data?.args ?? [], err);
      }
    }
    throw err;
  }
  const receipt = await waitForTransactionReceipt(client, { hash });
  if (receipt.status !== "success") throw new VerifierTransactionFailedError(hash);
  return { hash, receipt };
}
