// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Dispatch hook from an {IAgentCaller} into a handler that enforces staging on-chain
/// @notice ERC-8301 does not say where task state lives. In agent-exec it lives with the handler that enforces it:
/// the caller pushes each dispatched task here, and the handler accepts pushes from exactly one trusted caller.
/// A handler that does not declare this interface (ERC-165) still receives `CallAgent` events, but nothing is
/// enforced on-chain for it.
interface IAgentTaskReceiver {
    /// @notice What {checkDispatch} finds.
    enum DispatchCheck {
        Ok,
        TaskIdReused,
        WorkflowNotRegistered,
        CallerNotTrusted
    }

    /// @notice The only caller contract this handler accepts dispatches from.
    function agentCaller() external view returns (address);

    /// @notice Pre-flight check of a dispatch by `msg.sender`, so the caller can reject with its own named errors.
    function checkDispatch(bytes32 taskId, bytes32 agentWorkflowHash) external view returns (DispatchCheck);

    /// @notice Opens task `taskId`. Only callable by {agentCaller}.
    /// @return magic `IAgentTaskReceiver.onAgentTaskDispatched.selector`.
    function onAgentTaskDispatched(
        bytes32 taskId,
        address requester,
        bytes32 agentWorkflowHash,
        bytes32 inputHash,
        uint256 deadline
    ) external returns (bytes4 magic);
}
