// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice A task's whole mutable state in one storage word.
/// @dev Layout (bit offsets):
///   [  0,128) inputFingerprint  uint128(keccak256(taskId, attestedInputHash)): binds later input checks
///   [128,160) policyId          the workflow policy (registry-local id)
///   [160,200) deadline          unix seconds
///   [200,232) proven            bit i set when stage i is proven (O(1) "all earlier stages proven" check)
///   [232,240) stepped           number of stages stepped = the next stage expected
///   [240,248) status            IAgentExecHandler.TaskStatus
///   248       finalStepped      the final step was recorded; stepping has ended
///   249       pendingSync       the last stepped stage is Sync: the next step waits for its prove
/// One word per task plus one per step is the storage floor of the staging rules (see benchmarks/gas.md).
type TaskState is uint256;

using TaskStateLib for TaskState global;

library TaskStateLib {
    uint256 private constant MASK_8 = 0xff;
    uint256 private constant MASK_32 = 0xffffffff;
    uint256 private constant MASK_40 = 0xffffffffff;
    uint256 private constant MASK_128 = type(uint128).max;

    uint256 private constant POLICY_SHIFT = 128;
    uint256 private constant DEADLINE_SHIFT = 160;
    uint256 private constant PROVEN_SHIFT = 200;
    uint256 private constant STEPPED_SHIFT = 232;
    uint256 private constant STATUS_SHIFT = 240;
    uint256 private constant FINAL_STEPPED_BIT = 1 << 248;
    uint256 private constant PENDING_SYNC_BIT = 1 << 249;

    /// @notice A fresh, active task.
    function open(uint128 fingerprint_, uint32 policyId_, uint40 deadline_, uint8 status_)
        internal
        pure
        returns (TaskState)
    {
        return TaskState.wrap(
            uint256(fingerprint_) | (uint256(policyId_) << POLICY_SHIFT) | (uint256(deadline_) << DEADLINE_SHIFT)
                | (uint256(status_) << STATUS_SHIFT)
        );
    }

    function isEmpty(TaskState s) internal pure returns (bool) {
        return TaskState.unwrap(s) == 0;
    }

    function fingerprint(TaskState s) internal pure returns (uint128) {
        return uint128(TaskState.unwrap(s) & MASK_128);
    }

    function policyId(TaskState s) internal pure returns (uint32) {
        return uint32((TaskState.unwrap(s) >> POLICY_SHIFT) & MASK_32);
    }

    function deadline(TaskState s) internal pure returns (uint40) {
        return uint40((TaskState.unwrap(s) >> DEADLINE_SHIFT) & MASK_40);
    }

    function proven(TaskState s) internal pure returns (uint32) {
        return uint32((TaskState.unwrap(s) >> PROVEN_SHIFT) & MASK_32);
    }

    function isProven(TaskState s, uint8 stage) internal pure returns (bool) {
        return (TaskState.unwrap(s) >> (PROVEN_SHIFT + stage)) & 1 == 1;
    }

    function stepped(TaskState s) internal pure returns (uint8) {
        return uint8((TaskState.unwrap(s) >> STEPPED_SHIFT) & MASK_8);
    }

    function status(TaskState s) internal pure returns (uint8) {
        return uint8((TaskState.unwrap(s) >> STATUS_SHIFT) & MASK_8);
    }

    function finalStepped(TaskState s) internal pure returns (bool) {
        return TaskState.unwrap(s) & FINAL_STEPPED_BIT != 0;
    }

    function pendingSync(TaskState s) internal pure returns (bool) {
        return TaskState.unwrap(s) & PENDING_SYNC_BIT != 0;
    }

    /// @notice Bitmask of the stages before `stage` that are not proven yet.
    function unprovenBefore(TaskState s, uint8 stage) internal pure returns (uint32) {
        uint32 mask = uint32((uint256(1) << stage) - 1);
        return mask & ~proven(s);
    }

    /// @notice Records the step of stage `stepped()`: advances the counter and sets the flags.
    function recordStep(TaskState s, bool isFinal, bool isSync) internal pure returns (TaskState) {
        uint256 w = TaskState.unwrap(s) + (uint256(1) << STEPPED_SHIFT);
        w &= ~PENDING_SYNC_BIT;
        if (isSync) w |= PENDING_SYNC_BIT;
        if (isFinal) w |= FINAL_STEPPED_BIT;
        return TaskState.wrap(w);
    }

    function markProven(TaskState s, uint8 stage) internal pure returns (TaskState) {
        return TaskState.wrap(TaskState.unwrap(s) | (uint256(1) << (PROVEN_SHIFT + stage)));
    }

    function withStatus(TaskState s, uint8 newStatus) internal pure returns (TaskState) {
        return TaskState.wrap((TaskState.unwrap(s) & ~(MASK_8 << STATUS_SHIFT)) | (uint256(newStatus) << STATUS_SHIFT));
    }
}
