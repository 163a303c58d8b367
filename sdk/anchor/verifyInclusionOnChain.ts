import type { Address, Client, Hex } from "viem";
import { readContract } from "viem/actions";
import { assertAddress, assertBytes32 } from "../chain/validate.js";
import { digestAnchorAbi } from "./abi.js";

export type VerifyInclusionOnChainParameters = {
  anchor: Address;
  digest: Hex;
  proof: readonly Hex[];
} & (
  | { kind: "task"; handler: Address; taskId: Hex; root: Hex }
  | { kind: "batch"; anchorer: Address; batchId: Hex }
);
export type VerifyInclusionOnChainReturnType = boolean;

/**
 * Asks DigestAnchor whether `digest` is under an anchored root: the task form checks a given root anchored for
 * the task (`verifyTaskInclusion`), the batch form the batch's root (`verifyBatchInclusion`).
 */
export async function verifyInclusionOnChain(
  client: Client,
  parameters: VerifyInclusionOnChainParameters,
): Promise<VerifyInclusionOnChainReturnType> {
  const { anchor, digest, proof } = parameters;
  assertAddress("anchor", anchor);
  assertBytes32("digest", digest);
  proof.forEach((p, i) => assertBytes32(`proof[${i}]`, p));
  if (parameters.kind === "task") {
    assertAddress("handler", parameters.handler);
    assertBytes32("taskId", parameters.taskId);
    assertBytes32("root", parameters.root);
    return readContract(client, {
      address: anchor,
      abi: digestAnchorAbi,
      functionName: "verifyTaskInclusion",
      args: [parameters.handler, parameters.taskId, parameters.root, digest, [...proof]],
    });
  }
  assertAddress("anchorer", parameters.anchorer);
  assertBytes32("batchId", parameters.batchId);
  return readContract(client, {
    address: anchor,
    abi: digestAnchorAbi,
    functionName: "verifyBatchInclusion",
    args: [parameters.anchorer, parameters.batchId, digest, [...proof]],
  });
}
