// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AgentHandler} from "../AgentHandler.sol";

/// @title Test fixture: an {AgentHandler} inherited by a dApp, emitting one event per internal hook
/// @notice Shows the hooks fire once, after the state change, with the arguments the rules produced (`appData` is
/// the step's `data` after the witness).
contract HookRecordingHandler is AgentHandler {
    event HookTaskOpened(bytes32 taskId, address requester, bytes32 agentWorkflowHash, bytes32 inputHash, uint256 deadline);
    event HookStepAccepted(
        bytes32 taskId, uint8 stage, bytes32 outputHash, bytes output, uint256 agentId, address agent, bool isFinal, bytes appData
    );
    event HookStageProven(bytes32 taskId, uint8 stage, bytes32 digest);
    event HookProveRejected(bytes32 taskId, uint8 stage, ProveRejection reason, bytes32 detail);
    event HookTaskFinalized(bytes32 taskId, uint8 finalStage, bytes32 outputHash, address requester);
    event HookTaskHalted(bytes32 taskId, uint8 stage, bytes32 digest, address requester);
    event HookTaskExpired(bytes32 taskId);

    constructor(address agentCaller_, address initialOwner) AgentHandler(agentCaller_, initialOwner) {}

    function _onTaskOpened(bytes32 taskId, address requester, bytes32 agentWorkflowHash, bytes32 inputHash, uint256 deadline)
        internal
        override
    {
        emit HookTaskOpened(taskId, requester, agentWorkflowHash, inputHash, deadline);
    }

    function _onStepAccepted(
        bytes32 taskId,
        uint8 stage,
        bytes32 outputHash,
        bytes calldata output,
        uint256 agentId,
        address agent,
        bool isFinal,
        bytes calldata appData
    ) internal override {
        emit HookStepAccepted(taskId, stage, outputHash, output, agentId, agent, isFinal, appData);
    }

    function _onStageProven(bytes32 taskId, uint8 stage, bytes32 digest) internal override {
        emit HookStageProven(taskId, stage, digest);
    }

    function _onProveRejected(bytes32 taskId, uint8 stage, ProveRejection reason, bytes32 detail) internal override {
        emit HookProveRejected(taskId, stage, reason, detail);
    }

    function _onTaskFinalized(bytes32 taskId, uint8 finalStage, bytes32 outputHash, address requester)
        internal
        override
    {
        emit HookTaskFinalized(taskId, finalStage, outputHash, requester);
    }

    function _onTaskHalted(bytes32 taskId, uint8 stage, bytes32 digest, address requester) internal override {
        emit HookTaskHalted(taskId, stage, digest, requester);
    }

    function _onTaskExpired(bytes32 taskId) internal override {
        emit HookTaskExpired(taskId);
    }
}
