// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {ERC165Checker} from "@openzeppelin/contracts/utils/introspection/ERC165Checker.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {IDigestAnchor} from "../interfaces/IDigestAnchor.sol";
import {IAgentTaskAnchorAuthority} from "../interfaces/IAgentTaskAnchorAuthority.sol";
import {BoundedCall} from "../libraries/BoundedCall.sol";

/// @title Anchors Merkle roots of digests per task or per batch
/// @notice See {IDigestAnchor}. Ownerless and immutable: nothing recorded can be changed or removed.
/// @dev Who may anchor for a task is the handler's decision; this contract only asks, in a way a hostile handler
/// cannot abuse: the ERC-165 probe is OpenZeppelin's (30,000 gas per query, one word read), and `canAnchor` is a
/// staticcall capped at {CAN_ANCHOR_GAS} that reads one word of return data ({BoundedCall-staticWord}); anything
/// but the word `true` — false, a revert, running out of gas, a malformed or oversized answer — is a refusal. This
/// is try/catch made robust: Solidity's try/catch would revert (uncatchably) on a malformed answer and copy an
/// oversized one. A hostile handler can therefore only refuse, or allow anyone, for its own tasks; it cannot touch
/// another handler's scopes, nor make an anchoring cost more than the caps.
contract DigestAnchor is IDigestAnchor, IERC165 {
    /// @notice The gas `canAnchor` gets. A cheap view (a few storage reads) needs well under half of it.
    uint256 public constant CAN_ANCHOR_GAS = 100_000;
    /// @notice Domain tag of task scopes.
    bytes32 public constant TASK_SCOPE_TAG = keccak256("agent-exec.DigestAnchor.task");
    /// @notice Domain tag of batch scopes.
    bytes32 public constant BATCH_SCOPE_TAG = keccak256("agent-exec.DigestAnchor.batch");

    /// @dev taskScope => root => record (root field unused: the key is the root).
    mapping(bytes32 scope => mapping(bytes32 root => Anchor)) private _taskAnchors;
    /// @dev taskScope => number of roots.
    mapping(bytes32 scope => uint256) private _taskAnchorCounts;
    /// @dev batchScope => record.
    mapping(bytes32 scope => Anchor) private _batchAnchors;

    /// @inheritdoc IDigestAnchor
    function anchorTask(address handler, bytes32 taskId, bytes32 root, uint32 leafCount) external {
        _checkRoot(root, leafCount);
        if (msg.sender != handler) _checkAuthority(handler, taskId, msg.sender);
        bytes32 scope = taskScope(handler, taskId);
        Anchor storage a = _taskAnchors[scope][root];
        if (a.anchoredAt != 0) revert DigestAnchorRootAlreadyAnchored(handler, taskId, root);
        a.anchorer = msg.sender;
        a.anchoredAt = uint40(block.timestamp);
        a.leafCount = leafCount;
        unchecked {
            ++_taskAnchorCounts[scope];
        }
        emit TaskDigestsAnchored(handler, taskId, root, msg.sender, leafCount);
    }

    /// @inheritdoc IDigestAnchor
    function anchorBatch(bytes32 batchId, bytes32 root, uint32 leafCount) external {
        _checkRoot(root, leafCount);
        Anchor storage a = _batchAnchors[batchScope(msg.sender, batchId)];
        if (a.root != bytes32(0)) revert DigestAnchorBatchAlreadyAnchored(msg.sender, batchId, a.root);
        a.root = root;
        a.anchorer = msg.sender;
        a.anchoredAt = uint40(block.timestamp);
        a.leafCount = leafCount;
        emit BatchDigestsAnchored(msg.sender, batchId, root, leafCount);
    }

    /// @inheritdoc IDigestAnchor
    function taskAnchor(address handler, bytes32 taskId, bytes32 root) external view returns (Anchor memory a) {
        a = _taskAnchors[taskScope(handler, taskId)][root];
        if (a.anchoredAt != 0) a.root = root;
    }

    /// @inheritdoc IDigestAnchor
    function taskAnchorCount(address handler, bytes32 taskId) external view returns (uint256) {
        return _taskAnchorCounts[taskScope(handler, taskId)];
    }

    /// @inheritdoc IDigestAnchor
    function batchAnchor(address anchorer, bytes32 batchId) external view returns (Anchor memory) {
        return _batchAnchors[batchScope(anchorer, batchId)];
    }

    /// @inheritdoc IDigestAnchor
    function verifyTaskInclusion(
        address handler,
        bytes32 taskId,
        bytes32 root,
        bytes32 digest,
        bytes32[] calldata proof
    ) external view returns (bool) {
        bytes32 scope = taskScope(handler, taskId);
        if (_taskAnchors[scope][root].anchoredAt == 0) return false;
        return MerkleProof.verifyCalldata(proof, root, leafHash(scope, digest));
    }

    /// @inheritdoc IDigestAnchor
    function verifyBatchInclusion(address anchorer, bytes32 batchId, bytes32 digest, bytes32[] calldata proof)
        external
        view
        returns (bool)
    {
        bytes32 scope = batchScope(anchorer, batchId);
        bytes32 root = _batchAnchors[scope].root;
        if (root == bytes32(0)) return false;
        return MerkleProof.verifyCalldata(proof, root, leafHash(scope, digest));
    }

    /// @inheritdoc IDigestAnchor
    function taskScope(address handler, bytes32 taskId) public view returns (bytes32) {
        return keccak256(abi.encode(TASK_SCOPE_TAG, block.chainid, address(this), handler, taskId));
    }

    /// @inheritdoc IDigestAnchor
    function batchScope(address anchorer, bytes32 batchId) public view returns (bytes32) {
        return keccak256(abi.encode(BATCH_SCOPE_TAG, block.chainid, address(this), anchorer, batchId));
    }

    /// @inheritdoc IDigestAnchor
    function leafHash(bytes32 scope, bytes32 digest) public pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(scope, digest))));
    }

    /// @inheritdoc IERC165
    function supportsInterface(bytes4 interfaceId) external pure returns (bool) {
        return interfaceId == type(IDigestAnchor).interfaceId || interfaceId == type(IERC165).interfaceId;
    }

    function _checkRoot(bytes32 root, uint32 leafCount) private pure {
        if (root == bytes32(0)) revert DigestAnchorZeroRoot();
        if (leafCount == 0) revert DigestAnchorZeroLeafCount();
    }

    /// @dev Reverts unless `handler` declares {IAgentTaskAnchorAuthority} and answers exactly `true` for `account`.
    function _checkAuthority(address handler, bytes32 taskId, address account) private view {
        if (!ERC165Checker.supportsInterface(handler, type(IAgentTaskAnchorAuthority).interfaceId)) {
            revert DigestAnchorNotAnchorAuthority(handler);
        }
        (bool ok, bytes32 answer) = BoundedCall.staticWord(
            handler, CAN_ANCHOR_GAS, abi.encodeCall(IAgentTaskAnchorAuthority.canAnchor, (taskId, account))
        );
        if (!ok || answer != bytes32(uint256(1))) revert DigestAnchorUnauthorized(handler, taskId, account);
    }
}
