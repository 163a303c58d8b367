// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title ERC-8301 v0.1 workflow callbacks
/// @notice Verbatim from the standard. ERC-165 interface id: `0x9346f8a8`.
/// Every step is paired with a prove: `onAgentStep` commits a stage's result, `onAgentProve` verifies it.
interface IAgentHandler {
    /// @notice Commits the result of `stage` of task `taskId`.
    function onAgentStep(
        bytes32 taskId,
        bytes32 inputHash,
        bytes32 outputHash,
        bytes calldata output,
        uint256 agentId,
        address agent,
        uint8 stage,
        bool isFinal,
        bytes calldata data
    ) external;

    /// @notice Verifies the result committed for `stage` of task `taskId` with `verifier`.
    function onAgentProve(
        bytes32 taskId,
        bytes32 inputHash,
        bytes32 outputHash,
        bytes calldata proof,
        address verifier,
        uint8 stage
    ) external;
}
