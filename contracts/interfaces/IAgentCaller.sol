// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AgentTask} from "./AgentTask.sol";

/// @title ERC-8301 v0.1 task dispatch
/// @notice Verbatim from the standard. ERC-165 interface id: `0xd3048c05`.
interface IAgentCaller {
    /// @notice Emitted once per dispatched task; agents watch it to pick up work.
    event CallAgent(
        bytes32 indexed taskId,
        address indexed requester,
        bytes32 agentWorkflowHash,
        bytes agentWorkflow,
        bytes32 inputHash,
        bytes input,
        address handler,
        uint256 deadline
    );

    /// @notice Dispatches `task` with the declared input commitment `inputHash` (and, optionally, the input).
    /// @return taskId The effective task id under which the handler tracks the task.
    function callAgent(AgentTask calldata task, bytes32 inputHash, bytes calldata input)
        external
        returns (bytes32 taskId);
}
