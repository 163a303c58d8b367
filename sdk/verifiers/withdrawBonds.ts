import type { Address, Hash, TransactionReceipt } from "viem";
import { readContract } from "viem/actions";
import { assertAddress } from "../chain/validate.js";
import { optimisticVerifierAbi } from "./abis.js";
import { writeVerifier, type VerifierWalletClient } from "./internal.js";

export type WithdrawBondsParameters = { verifier: Address; /** Defaults to the client account. */ to?: Address };
export type WithdrawBondsReturnType = { amount: bigint; hash: Hash; receipt: TransactionReceipt };

/** Withdraws everything the verifier owes the client account. */
export async function withdrawBonds(client: VerifierWalletClient, parameters: WithdrawBondsParameters): Promise<WithdrawBondsReturnType> {
  assertAddress("verifier", parameters.verifier);
  const to = parameters.to ?? client.account.address;
  assertAddress("to", to);
  const amount = await readContract(client, {
    address: parameters.verifier,
    abi: optimisticVerifierAbi,
    functionName: "owed",
    args: [client.account.address],
  });
  const { hash, receipt } = await writeVerifier(client, {
    address: parameters.verifier,
    abi: optimisticVerifierAbi,
    functionName: "withdraw",
    args: [to],
  });
  return { amount, hash, receipt };
}
