// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IAgentCaller} from "./IAgentCaller.sol";

/// @title agent-exec extension of {IAgentCaller}: errors and task-id derivation
/// @notice The seed leaves custom errors and task-id collisions open; these are our answers.
interface IAgentExecCaller is IAgentCaller {
    /// @notice `task.taskId` (the requester's salt) is zero.
    error AgentCallerZeroTaskId();
    /// @notice The declared `inputHash` is zero (no input commitment).
    error AgentCallerZeroInputHash();
    /// @notice `task.deadline` is not strictly after the current block timestamp.
    error AgentCallerDeadlineNotInFuture(uint256 deadline, uint256 timestamp);
    /// @notice `task.deadline` does not fit the handler's 40-bit timestamp field.
    error AgentCallerDeadlineTooFar(uint256 deadline, uint256 maxDeadline);
    /// @notice `input` is non-empty and `keccak256(input) != inputHash`.
    error AgentCallerInputHashMismatch(bytes32 declared, bytes32 computed);
    /// @notice `agentWorkflow` is non-empty and `keccak256(agentWorkflow) != agentWorkflowHash`.
    error AgentCallerWorkflowHashMismatch(bytes32 declared, bytes32 computed);
    /// @notice `handler` does not declare {IAgentHandler} through ERC-165.
    error AgentCallerHandlerNotSupported(address handler);
    /// @notice The derived task id already exists at `handler` (same requester, handler and salt).
    error AgentCallerTaskIdReused(bytes32 taskId);
    /// @notice `handler` has no policy registered for `agentWorkflowHash`.
    error AgentCallerWorkflowNotRegistered(address handler, bytes32 agentWorkflowHash);
    /// @notice `handler` accepts tasks only from another caller contract.
    error AgentCallerNotTrustedByHandler(address handler);
    /// @notice `handler` did not acknowledge the dispatch with the expected magic value.
    error AgentCallerDispatchRejected(address handler, bytes4 returned);

    /// @notice The effective task id for `salt` dispatched by `requester` to `handler` through this caller.
    /// @dev `keccak256(abi.encode(block.chainid, address(this), requester, handler, salt))`. Binding the id to the
    /// requester (as CREATE2 binds salts to the deployer) means a front-runner who copies a pending `callAgent`
    /// creates a *different* task and can neither block nor take over the requester's; binding it to the handler
    /// and chain makes ids globally unique, so the handler's own record is enough to reject reuse.
    function computeTaskId(address requester, address handler, bytes32 salt) external view returns (bytes32);
}
