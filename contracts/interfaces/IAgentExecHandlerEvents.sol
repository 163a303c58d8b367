// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Events of {IAgentExecHandler}
/// @notice Split out of {IAgentExecHandler} (which inherits it), so the task lifecycle's events read on their own.
/// {IAgentExecHandler-AgentProveRejected} stays with the handler interface, next to the `ProveRejection` type it
/// carries. Events do not enter the ERC-165 interface id.
interface IAgentExecHandlerEvents {
    /// @notice A task was opened for `agentWorkflowHash`; its stage 0 must declare `attestedInputHash`.
    event AgentTaskOpened(
        bytes32 indexed taskId, bytes32 indexed agentWorkflowHash, bytes32 attestedInputHash, uint256 deadline
    );
    /// @notice A step was recorded. `agentId` is authenticated only under `AgentAuth.Registry`.
    event AgentStepAccepted(
        bytes32 indexed taskId,
        uint8 indexed stage,
        address indexed agent,
        uint256 agentId,
        bytes32 inputHash,
        bytes32 outputHash,
        bool isFinal
    );
    /// @notice An unproven step was replaced through {stepAndProve}; `discardedLaterSteps` unproven later steps
    /// were discarded with it.
    event AgentStepReplaced(bytes32 indexed taskId, uint8 indexed stage, uint8 discardedLaterSteps);
    /// @notice `stage` was proven by `verifier`; `digest` is what the verifier verified.
    event AgentStageProven(bytes32 indexed taskId, uint8 indexed stage, address verifier, bytes32 digest);
    /// @notice A gating stage's valid non-approving verdict halted the task for good.
    event AgentTaskHalted(bytes32 indexed taskId, uint8 indexed stage, bytes32 digest);
    /// @notice The final prove finalised the task; `outputHash` is the final stage's output.
    event AgentTaskFinalized(bytes32 indexed taskId, uint8 finalStage, bytes32 outputHash);
    /// @notice The task was marked expired after its deadline.
    event AgentTaskExpired(bytes32 indexed taskId);
}
