/**
 * Scopes and leaves of DigestAnchor (contracts/interfaces/IDigestAnchor.sol), computed off-chain. A scope binds the
 * chain, the anchor contract and the task `(handler, taskId)` or batch `(anchorer, batchId)`; a leaf is the
 * OpenZeppelin StandardMerkleTree leaf of `[scope, digest]` with types `["bytes32", "bytes32"]`:
 * `keccak256(keccak256(abi.encode(scope, digest)))`.
 */
import { encodeAbiParameters, keccak256, stringToHex, type Address, type Hex } from "viem";
import { assertAddress, assertBytes32, assertUint } from "../chain/validate.js";

/** `keccak256("agent-exec.DigestAnchor.task")`, the contract's `TASK_SCOPE_TAG`. */
export const TASK_SCOPE_TAG: Hex = keccak256(stringToHex("agent-exec.DigestAnchor.task"));
/** `keccak256("agent-exec.DigestAnchor.batch")`, the contract's `BATCH_SCOPE_TAG`. */
export const BATCH_SCOPE_TAG: Hex = keccak256(stringToHex("agent-exec.DigestAnchor.batch"));
/** The StandardMerkleTree leaf encoding of DigestAnchor. */
export const DIGEST_LEAF_ENCODING = ["bytes32", "bytes32"] as const;

const SCOPE_TYPES = [
  { type: "bytes32" },
  { type: "uint256" },
  { type: "address" },
  { type: "address" },
  { type: "bytes32" },
] as const;

export type TaskAnchorScopeParameters = {
  chainId: number | bigint;
  /** The DigestAnchor contract. */
  anchor: Address;
  handler: Address;
  taskId: Hex;
};
export type TaskAnchorScopeReturnType = Hex;

/** The scope of task `taskId` of `handler` at `anchor` on `chainId` (the contract's `taskScope`). */
export function taskAnchorScope(parameters: TaskAnchorScopeParameters): TaskAnchorScopeReturnType {
  const { chainId, anchor, handler, taskId } = parameters;
  assertUint("chainId", chainId, 2n ** 256n - 1n);
  assertAddress("anchor", anchor);
  assertAddress("handler", handler);
  assertBytes32("taskId", taskId);
  return keccak256(encodeAbiParameters(SCOPE_TYPES, [TASK_SCOPE_TAG, BigInt(chainId), anchor, handler, taskId]));
}

export type BatchAnchorScopeParameters = {
  chainId: number | bigint;
  /** The DigestAnchor contract. */
  anchor: Address;
  /** The account that anchors the batch (batches are per-sender namespaces). */
  anchorer: Address;
  batchId: Hex;
};
export type BatchAnchorScopeReturnType = Hex;

/** The scope of batch `batchId` of `anchorer` at `anchor` on `chainId` (the contract's `batchScope`). */
export function batchAnchorScope(parameters: BatchAnchorScopeParameters): BatchAnchorScopeReturnType {
  const { chainId, anchor, anchorer, batchId } = parameters;
  assertUint("chainId", chainId, 2n ** 256n - 1n);
  assertAddress("anchor", anchor);
  assertAddress("anchorer", anchorer);
  assertBytes32("batchId", batchId);
  return keccak256(encodeAbiParameters(SCOPE_TYPES, [BATCH_SCOPE_TAG, BigInt(chainId), anchor, anchorer, batchId]));
}

export type DigestLeafHashParameters = { scope: Hex; digest: Hex };
export type DigestLeafHashReturnType = Hex;

/** The leaf of `digest` in `scope` (the contract's `leafHash`). */
export function digestLeafHash(parameters: DigestLeafHashParameters): DigestLeafHashReturnType {
  assertBytes32("scope", parameters.scope);
  assertBytes32("digest", parameters.digest);
  return keccak256(
    keccak256(encodeAbiParameters([{ type: "bytes32" }, { type: "bytes32" }], [parameters.scope, parameters.digest])),
  );
}
