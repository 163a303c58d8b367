import type { Address, Hash, Hex, TransactionReceipt } from "viem";
import { getChainId, readContract } from "viem/actions";
import { assertAddress } from "../chain/validate.js";
import { optimisticVerifierAbi } from "./abis.js";
import { assertClaim, optimisticClaimId, type OptimisticClaim } from "./optimistic.js";
import { writeVerifier, type VerifierWalletClient } from "./internal.js";

export type ProposeClaimParameters = OptimisticClaim & { verifier: Address };
export type ProposeClaimReturnType = { claimId: Hex; bond: bigint; hash: Hash; receipt: TransactionReceipt };

/** Proposes a claim, posting the verifier's proposer bond (read from the contract). */
export async function proposeClaim(client: VerifierWalletClient, parameters: ProposeClaimParameters): Promise<ProposeClaimReturnType> {
  const { verifier, ...c } = parameters;
  assertAddress("verifier", verifier);
  assertClaim(c);
  const chainId = client.chain?.id ?? (await getChainId(client));
  const bond = await readContract(client, { address: verifier, abi: optimisticVerifierAbi, functionName: "proposerBond" });
  const { hash, receipt } = await writeVerifier(client, {
    address: verifier,
    abi: optimisticVerifierAbi,
    functionName: "propose",
    args: [c.handler, c.taskId, c.stage, c.agent, c.isFinal, c.inputHash, c.outputHash, c.verdict],
    value: bond,
  });
  return { claimId: optimisticClaimId({ ...c, chainId, verifier }), bond, hash, receipt };
}
