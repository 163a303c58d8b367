/**
 * `registerWorkflow`: derive a document's policy and register it with a handler (simulate → write → receipt).
 * Only the handler's registrar may register (its owner by default); a policy can never change once registered.
 */
import type { Account, Address, Chain, Hex, PublicClient, Transport, WalletClient } from "viem";
import { agentHandlerAbi } from "../chain/abis.js";
import { decodeRevert } from "../chain/revert.js";
import { deriveWorkflowPolicy, type DerivedWorkflowPolicy } from "./deriveWorkflowPolicy.js";
import { WorkflowInvalidArgumentError, WorkflowRpcError } from "./errors.js";
import type { ValidateWorkflowOptions } from "./validateWorkflow.js";

export type RegisterWorkflowParameters = {
  handler: Address;
  /** The workflow document (text, bytes or parsed value). */
  document: unknown;
  account?: Account | Address | undefined;
  options?: ValidateWorkflowOptions | undefined;
};

export type RegisterWorkflowReturnType = {
  workflowHash: Hex;
  agentWorkflow: Hex;
  policy: DerivedWorkflowPolicy;
  policyId: number;
  transactionHash: Hex;
  blockNumber: bigint;
};

/** Registers the policy `document` declares. Invalid documents throw their typed workflow error before any RPC. */
export async function registerWorkflow(
  publicClient: PublicClient<Transport, Chain | undefined>,
  walletClient: WalletClient<Transport, Chain | undefined, Account | undefined>,
  parameters: RegisterWorkflowParameters,
): Promise<RegisterWorkflowReturnType> {
  if (!parameters || typeof parameters !== "object") throw new WorkflowInvalidArgumentError({ details: "parameters must be an object" });
  const { workflowHash, agentWorkflow, policy } = deriveWorkflowPolicy(parameters.document, parameters.options);
  const account = parameters.account ?? walletClient.account;
  if (!account) throw new WorkflowInvalidArgumentError({ details: "no account: pass `account` or use a wallet client with one" });
  const args = [workflowHash, { ...policy, stages: policy.stages.map((s) => ({ ...s })), agents: [...policy.agents], requesters: [...policy.requesters] }] as const;
  // Simulation first: a revert surfaces as the contract's named error before anything is signed.
  let simulated;
  try {
    simulated = await publicClient.simulateContract({
      address: parameters.handler,
      abi: agentHandlerAbi,
      functionName: "registerWorkflow",
      args: args as never,
      account,
      chain: walletClient.chain,
    });
  } catch (error) {
    // The contract's own error, named (CHAIN_REVERT_WorkflowRegistryAlreadyRegistered, …), or a typed RPC error.
    throw decodeRevert(error, { method: "registerWorkflow" });
  }
  const { request, result } = simulated;
  const transactionHash = await walletClient.writeContract(request as never);
  let receipt;
  try {
    receipt = await publicClient.waitForTransactionReceipt({ hash: transactionHash });
  } catch (cause) {
    throw new WorkflowRpcError({ details: `waiting for ${transactionHash}`, cause });
  }
  if (receipt.status !== "success") throw new WorkflowRpcError({ details: `registerWorkflow transaction ${transactionHash} reverted` });
  return { workflowHash, agentWorkflow, policy, policyId: Number(result), transactionHash, blockNumber: receipt.blockNumber };
}
