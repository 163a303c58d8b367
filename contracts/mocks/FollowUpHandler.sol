// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AgentHandler} from "../AgentHandler.sol";
import {AgentTask} from "../interfaces/AgentTask.sol";
import {IAgentCaller} from "../interfaces/IAgentCaller.sol";

/// @title Test fixture: a dApp handler whose finalisation hook dispatches a follow-up task
/// @notice When a task finalises, it dispatches (through its trusted caller, as requester) a task of
/// {followUpWorkflow} whose declared input is the finalised output. Shows that hooks may dispatch: dispatch is not
/// reentrancy-guarded (only the trusted caller reaches it, and it only writes a fresh task).
contract FollowUpHandler is AgentHandler {
    bytes32 public followUpWorkflow;
    bytes32 public lastFollowUp;

    constructor(address agentCaller_, address initialOwner) AgentHandler(agentCaller_, initialOwner) {}

    /// @notice The workflow of follow-up tasks (zero: none).
    function setFollowUpWorkflow(bytes32 agentWorkflowHash) external onlyOwner {
        followUpWorkflow = agentWorkflowHash;
    }

    function _onTaskFinalized(bytes32 taskId, uint8, bytes32 outputHash, address) internal override {
        bytes32 wf = followUpWorkflow;
        if (wf == bytes32(0)) return;
        AgentTask memory next = AgentTask({
            taskId: taskId,
            agentWorkflowHash: wf,
            agentWorkflow: "",
            handler: address(this),
            deadline: block.timestamp + 1 days
        });
        lastFollowUp = IAgentCaller(this.agentCaller()).callAgent(next, outputHash, "");
    }
}
