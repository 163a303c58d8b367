// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice ERC-8301 v0.1 task definition, verbatim from the standard.
/// @dev In this implementation `taskId` is the requester's *salt*: the effective task id is derived by
/// {IAgentExecCaller-computeTaskId} (bound to chain, caller, requester and handler) so that nobody can
/// front-run, block or hijack a requester's task by copying its caller-supplied id.
struct AgentTask {
    bytes32 taskId; // Unique task identifier; caller-supplied
    bytes32 agentWorkflowHash; // keccak256 of the workflow definition (CID or inline JSON)
    bytes agentWorkflow; // Workflow definition plaintext; OPTIONAL (hash is authoritative)
    address handler; // Contract implementing IAgentHandler
    uint256 deadline; // Task expiry as Unix timestamp
}
