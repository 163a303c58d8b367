// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Who may anchor digests for a task
/// @notice Implemented by a handler so that `DigestAnchor` can ask, per task, whether an account may anchor a
/// Merkle root of that task's digests (capsule ids, ECT digests, ledger heads). The handler decides: typically the
/// task's requester, and the agents that recorded a step of it.
interface IAgentTaskAnchorAuthority {
    /// @notice Whether `account` may anchor digests for task `taskId` of this handler.
    /// @dev Must not revert for unknown tasks (answer false) and must be a cheap view: `DigestAnchor` calls it with a
    /// gas cap.
    function canAnchor(bytes32 taskId, address account) external view returns (bool);
}
