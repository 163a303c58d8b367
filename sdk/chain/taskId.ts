/**
 * Task ids (ERC-8301 `AgentTask.taskId`, as agent-exec binds it): the requester supplies a salt; the effective id is
 * `keccak256(abi.encode(chainId, caller, requester, handler, salt))` — see contracts/interfaces/IAgentExecCaller.sol.
 */
import { encodeAbiParameters, keccak256, type Address, type Hex } from "viem";
import { assertAddress, assertBytes32, assertObject, assertUint } from "./validate.js";

export type ComputeTaskIdParameters = {
  chainId: number | bigint;
  /** The AgentCaller contract. */
  caller: Address;
  /** The account calling `callAgent`. */
  requester: Address;
  /** The handler the task is dispatched to. */
  handler: Address;
  /** `AgentTask.taskId` as passed to `callAgent` (nonzero). */
  salt: Hex;
};
export type ComputeTaskIdReturnType = Hex;

export function computeTaskId(parameters: ComputeTaskIdParameters): ComputeTaskIdReturnType {
  assertObject("parameters", parameters);
  const { chainId, caller, requester, handler, salt } = parameters;
  assertUint("chainId", chainId, 2n ** 256n - 1n);
  assertAddress("caller", caller);
  assertAddress("requester", requester);
  assertAddress("handler", handler);
  assertBytes32("salt", salt);
  return keccak256(
    encodeAbiParameters(
      [{ type: "uint256" }, { type: "address" }, { type: "address" }, { type: "address" }, { type: "bytes32" }],
      [BigInt(chainId), caller, requester, handler, salt],
    ),
  );
}
