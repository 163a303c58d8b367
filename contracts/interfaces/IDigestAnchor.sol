// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Merkle anchoring of off-chain digests (capsule ids, ECT digests, ledger heads)
/// @notice A root commits to many digests at once; anyone can later prove, on-chain or off, that a digest is under
/// an anchored root. Roots live in *scopes*:
/// - a **task scope** `(handler, taskId)`: the handler decides who may anchor for its task (its own calls, or any
///   account its {IAgentTaskAnchorAuthority-canAnchor} approves); a task scope holds any number of distinct roots,
///   each recorded with who anchored it and when;
/// - a **batch scope** `(anchorer, batchId)`: a per-sender namespace, one immutable root per batch id.
/// @dev Leaf encoding (OpenZeppelin `StandardMerkleTree` with leaf types `["bytes32", "bytes32"]`, sorted-pair
/// hashing): `leaf = keccak256(bytes.concat(keccak256(abi.encode(scope, digest))))`, where `scope` is
/// {taskScope} or {batchScope}. Scopes bind the chain id and this contract, and tag task against batch, so a root
/// proves digests only for the scope it was built for: replaying it under another task, batch, anchor contract or
/// chain proves nothing.
interface IDigestAnchor {
    /// @notice An anchored root as recorded (all zero when not anchored).
    struct Anchor {
        /// The Merkle root.
        bytes32 root;
        /// Who anchored it.
        address anchorer;
        /// Block timestamp of the anchoring.
        uint40 anchoredAt;
        /// The number of leaves the anchorer declared (informational: not checked on-chain).
        uint32 leafCount;
    }

    /// @notice `root` (over `leafCount` digests) was anchored for task `taskId` of `handler` by `anchorer`.
    event TaskDigestsAnchored(
        address indexed handler, bytes32 indexed taskId, bytes32 indexed root, address anchorer, uint32 leafCount
    );

    /// @notice `root` (over `leafCount` digests) was anchored as batch `batchId` of `anchorer`.
    event BatchDigestsAnchored(address indexed anchorer, bytes32 indexed batchId, bytes32 indexed root, uint32 leafCount);

    /// @notice The root is zero (no tree has it).
    error DigestAnchorZeroRoot();
    /// @notice The declared leaf count is zero (no tree is empty).
    error DigestAnchorZeroLeafCount();
    /// @notice `handler` does not declare {IAgentTaskAnchorAuthority} through ERC-165, so nobody but the handler
    /// itself may anchor for its tasks.
    error DigestAnchorNotAnchorAuthority(address handler);
    /// @notice `handler` did not approve `account` for task `taskId` (it answered false, reverted, ran out of its
    /// gas allowance or answered something other than `true`).
    error DigestAnchorUnauthorized(address handler, bytes32 taskId, address account);
    /// @notice `root` is already anchored for task `taskId` of `handler`.
    error DigestAnchorRootAlreadyAnchored(address handler, bytes32 taskId, bytes32 root);
    /// @notice Batch `batchId` of `anchorer` already has root `root`.
    error DigestAnchorBatchAlreadyAnchored(address anchorer, bytes32 batchId, bytes32 root);

    /// @notice Anchors `root` over `leafCount` digests for task `taskId` of `handler`.
    /// @dev Allowed for `handler` itself, and for any account for which `handler` declares
    /// {IAgentTaskAnchorAuthority} (ERC-165) and answers `canAnchor(taskId, account) == true` within
    /// {CAN_ANCHOR_GAS}.
    function anchorTask(address handler, bytes32 taskId, bytes32 root, uint32 leafCount) external;

    /// @notice Anchors `root` over `leafCount` digests as batch `batchId` of the caller (once per batch id).
    function anchorBatch(bytes32 batchId, bytes32 root, uint32 leafCount) external;

    /// @notice The record of `root` in the scope of task `taskId` of `handler` (zero if not anchored).
    function taskAnchor(address handler, bytes32 taskId, bytes32 root) external view returns (Anchor memory);

    /// @notice The number of roots anchored for task `taskId` of `handler`.
    function taskAnchorCount(address handler, bytes32 taskId) external view returns (uint256);

    /// @notice The root of batch `batchId` of `anchorer` (zero if not anchored).
    function batchAnchor(address anchorer, bytes32 batchId) external view returns (Anchor memory);

    /// @notice Whether `digest` is a leaf, by `proof`, of `root` and `root` is anchored for task `taskId` of `handler`.
    function verifyTaskInclusion(
        address handler,
        bytes32 taskId,
        bytes32 root,
        bytes32 digest,
        bytes32[] calldata proof
    ) external view returns (bool);

    /// @notice Whether `digest` is a leaf, by `proof`, of the root of batch `batchId` of `anchorer`.
    function verifyBatchInclusion(address anchorer, bytes32 batchId, bytes32 digest, bytes32[] calldata proof)
        external
        view
        returns (bool);

    /// @notice The scope of task `taskId` of `handler`:
    /// `keccak256(abi.encode(TASK_SCOPE_TAG, block.chainid, address(this), handler, taskId))`.
    function taskScope(address handler, bytes32 taskId) external view returns (bytes32);

    /// @notice The scope of batch `batchId` of `anchorer`:
    /// `keccak256(abi.encode(BATCH_SCOPE_TAG, block.chainid, address(this), anchorer, batchId))`.
    function batchScope(address anchorer, bytes32 batchId) external view returns (bytes32);

    /// @notice The leaf of `digest` in `scope`: `keccak256(bytes.concat(keccak256(abi.encode(scope, digest))))`.
    function leafHash(bytes32 scope, bytes32 digest) external pure returns (bytes32);
}
