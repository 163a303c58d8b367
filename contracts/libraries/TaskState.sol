// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice A task's whole mutable state in one storage word.
/// @dev Layout (bit offsets):
///   [  0, 32) policyId      the workflow policy (registry-local id)
///   [ 32, 72) deadline      unix seconds
///   [ 72,136) proven        bit i set when stage i is proven (O(1) "all earlier stages proven" check)
///   [136,144) stepped       number of stages stepped = the next stage expected
///   [144,152) status        IAgentExecHandler.TaskStatus
///   152       finalStepped  the final step was recorded; stepping has ended
///   153       pendingSync   the last stepped stage is Sync: the next step waits for its prove
///   154       pendingGate   the last stepped stage is gating: under Allowlist auth it locks itself and every
///                           earlier stage against replacement until its verdict
/// One word per task plus one word per step is the storage floor of the staging rules (see benchmarks/gas.md).
type TaskState is uint256;

using TaskStateLib for TaskState global;

/// @notice Pure accessors and transitions of {TaskState}.
library TaskStateLib {
    uint256 private constant MASK_8 = 0xff;
    uint256 private constant MASK_32 = 0xffffffff;
    uint256 private constant MASK_40 = 0xffffffffff;
    uint256 private constant MASK_64 = 0xffffffffffffffff;

    uint256 private constant DEADLINE_SHIFT = 32;
    uint256 private constant PROVEN_SHIFT = 72;
    uint256 private constant STEPPED_SHIFT = 136;
    uint256 private constant STATUS_SHIFT = 144;
    uint256 private constant FINAL_STEPPED_BIT = 1 << 152;
    uint256 private constant PENDING_SYNC_BIT = 1 << 153;
    uint256 private constant PENDING_GATE_BIT = 1 << 154;

    /// @notice A fresh task with `status_` (the handler passes `Active`), nothing stepped or proven.
    function open(uint32 policyId_, uint40 deadline_, uint8 status_) internal pure returns (TaskState) {
        return TaskState.wrap(
            uint256(policyId_) | (uint256(deadline_) << DEADLINE_SHIFT) | (uint256(status_) << STATUS_SHIFT)
        );
    }

    /// @notice Whether the word is unset (no such task).
    function isEmpty(TaskState s) internal pure returns (bool) {
        return TaskState.unwrap(s) == 0;
    }

    /// @notice The task's workflow policy id.
    function policyId(TaskState s) internal pure returns (uint32) {
        return uint32(TaskState.unwrap(s) & MASK_32);
    }

    /// @notice The task's deadline (unix seconds).
    function deadline(TaskState s) internal pure returns (uint40) {
        return uint40((TaskState.unwrap(s) >> DEADLINE_SHIFT) & MASK_40);
    }

    /// @notice The proven-stages bitmap.
    function proven(TaskState s) internal pure returns (uint64) {
        return uint64((TaskState.unwrap(s) >> PROVEN_SHIFT) & MASK_64);
    }

    /// @notice Whether `stage` is proven.
    function isProven(TaskState s, uint8 stage) internal pure returns (bool) {
        return (TaskState.unwrap(s) >> (PROVEN_SHIFT + stage)) & 1 == 1;
    }

    /// @notice Whether any stage at or after `stage` is proven.
    function anyProvenFrom(TaskState s, uint8 stage) internal pure returns (bool) {
        return proven(s) >> stage != 0;
    }

    /// @notice Number of stages stepped (the next stage expected).
    function stepped(TaskState s) internal pure returns (uint8) {
        return uint8((TaskState.unwrap(s) >> STEPPED_SHIFT) & MASK_8);
    }

    /// @notice The task status (an `IAgentExecHandler.TaskStatus`).
    function status(TaskState s) internal pure returns (uint8) {
        return uint8((TaskState.unwrap(s) >> STATUS_SHIFT) & MASK_8);
    }

    /// @notice Whether the final step was recorded.
    function finalStepped(TaskState s) internal pure returns (bool) {
        return TaskState.unwrap(s) & FINAL_STEPPED_BIT != 0;
    }

    /// @notice Whether the last stepped stage is Sync (so the next step waits for its prove).
    function pendingSync(TaskState s) internal pure returns (bool) {
        return TaskState.unwrap(s) & PENDING_SYNC_BIT != 0;
    }

    /// @notice Whether the last stepped stage is a gating stage.
    function pendingGate(TaskState s) internal pure returns (bool) {
        return TaskState.unwrap(s) & PENDING_GATE_BIT != 0;
    }

    /// @notice Bitmask of the stages before `stage` that are not proven yet.
    function unprovenBefore(TaskState s, uint8 stage) internal pure returns (uint64) {
        uint64 mask = uint64((uint256(1) << stage) - 1);
        return mask & ~proven(s);
    }

    /// @notice Records `stage` as the last stepped stage: `stepped = stage + 1` (a new step when `stage` is the
    /// next one, a replacement that discards later steps when it is earlier), with the step's flags.
    function recordStep(TaskState s, uint8 stage, bool isFinal, bool isSync, bool isGating)
        internal
        pure
        returns (TaskState)
    {
        uint256 w = TaskState.unwrap(s)
            & ~((MASK_8 << STEPPED_SHIFT) | FINAL_STEPPED_BIT | PENDING_SYNC_BIT | PENDING_GATE_BIT);
        w |= (uint256(stage) + 1) << STEPPED_SHIFT;
        if (isSync) w |= PENDING_SYNC_BIT;
        if (isGating) w |= PENDING_GATE_BIT;
        if (isFinal) w |= FINAL_STEPPED_BIT;
        return TaskState.wrap(w);
    }

    /// @notice Sets `stage`'s proven bit.
    function markProven(TaskState s, uint8 stage) internal pure returns (TaskState) {
        return TaskState.wrap(TaskState.unwrap(s) | (uint256(1) << (PROVEN_SHIFT + stage)));
    }

    /// @notice Replaces the status.
    function withStatus(TaskState s, uint8 newStatus) internal pure returns (TaskState) {
        return TaskState.wrap((TaskState.unwrap(s) & ~(MASK_8 << STATUS_SHIFT)) | (uint256(newStatus) << STATUS_SHIFT));
    }
}
