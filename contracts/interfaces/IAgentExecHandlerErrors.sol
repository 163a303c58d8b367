// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Custom errors of {IAgentExecHandler}
/// @notice Split out of {IAgentExecHandler} (which inherits it): dispatch, step, prove and expiry rules each revert
/// with one of these, with the offending values. {IAgentExecHandler-AgentHandlerTaskNotActive} and
/// {IAgentExecHandler-AgentHandlerProveRejected} stay with the handler interface, next to the `TaskStatus` /
/// `ProveRejection` types they carry. Errors do not enter the ERC-165 interface id.
interface IAgentExecHandlerErrors {
    /// @notice The constructor was given no caller.
    error AgentHandlerZeroAgentCaller();
    /// @notice Dispatch came from an account other than the trusted caller.
    error AgentHandlerUnauthorizedCaller(address caller);
    /// @notice The task id already exists here.
    error AgentHandlerTaskIdReused(bytes32 taskId);
    /// @notice No policy is registered for the workflow hash.
    error AgentHandlerWorkflowNotRegistered(bytes32 agentWorkflowHash);
    /// @notice The workflow's policy restricts requesters and `requester` is not one of them.
    error AgentHandlerRequesterNotAllowed(bytes32 taskId, bytes32 agentWorkflowHash, address requester);
    /// @notice A dispatched deadline is not in the future or does not fit 40 bits.
    error AgentHandlerInvalidDeadline(bytes32 taskId, uint256 deadline, uint256 timestamp);
    /// @notice The task is unknown here.
    error AgentHandlerTaskNotFound(bytes32 taskId);
    /// @notice The task's deadline has passed (`timestamp >= deadline`).
    error AgentHandlerDeadlinePassed(bytes32 taskId, uint256 deadline, uint256 timestamp);
    /// @notice The deadline has not passed yet, so the task cannot be expired.
    error AgentHandlerDeadlineNotPassed(bytes32 taskId, uint256 deadline, uint256 timestamp);
    /// @notice `msg.sender` is not the `agent` it claims to be.
    error AgentHandlerCallerNotAgent(address caller, address agent);
    /// @notice `agent` (claiming `agentId`) is not authorised by the workflow's policy.
    error AgentHandlerUnauthorizedAgent(bytes32 taskId, address agent, uint256 agentId);
    /// @notice `stage` is beyond the workflow's stages.
    error AgentHandlerStageOutOfRange(bytes32 taskId, uint8 stage, uint8 stageCount);
    /// @notice Stages advance in order: `stage` is not the next one.
    error AgentHandlerStageOutOfOrder(bytes32 taskId, uint8 stage, uint8 expected);
    /// @notice The final step (of `finalStage`) was recorded; no further steps are accepted.
    error AgentHandlerSteppingClosed(bytes32 taskId, uint8 finalStage);
    /// @notice `isFinal` is not allowed at `stage` (before the policy's earliest final stage, or missing at the last).
    error AgentHandlerFinalFlagInvalid(bytes32 taskId, uint8 stage, bool isFinal);
    /// @notice A sync stage gates: the next step waits until `stage` is proven.
    error AgentHandlerSyncStageUnproven(bytes32 taskId, uint8 stage);
    /// @notice `outputHash` is zero.
    error AgentHandlerZeroOutputHash(bytes32 taskId, uint8 stage);
    /// @notice `output` is non-empty and `keccak256(output) != outputHash`.
    error AgentHandlerOutputHashMismatch(bytes32 taskId, bytes32 declared, bytes32 computed);
    /// @notice WYRIWE: stage 0's attested input differs from the declared input (sentinel) or its declared transform.
    error AgentHandlerWyriweViolation(bytes32 taskId, bytes32 expectedAttested, bytes32 attested);
    /// @notice The step needs a 52-byte witness (`hash ‖ agent`) at the head of `data` and has none.
    error AgentHandlerMissingWitness(bytes32 taskId, uint8 stage);
    /// @notice A step keyed on the attested task input declared another input (or a wrong witness).
    error AgentHandlerInputNotAttested(bytes32 taskId, uint8 stage, bytes32 inputHash);
    /// @notice A chained step's input is not the previous stage's recorded output (or a wrong witness).
    error AgentHandlerInputNotChained(bytes32 taskId, uint8 stage, bytes32 inputHash);
    /// @notice No step is recorded for `stage`, so there is nothing to prove.
    error AgentHandlerStepNotRecorded(bytes32 taskId, uint8 stage);
    /// @notice `stage` is already proven.
    error AgentHandlerStageAlreadyProven(bytes32 taskId, uint8 stage);
    /// @notice Under Allowlist auth, a recorded gate step (`gateStage`) awaits its verdict: neither it nor any
    /// earlier stage may be replaced; only the verdict resolves it.
    error AgentHandlerGateLocked(bytes32 taskId, uint8 stage, uint8 gateStage);
    /// @notice A step cannot be replaced once a later stage is proven.
    error AgentHandlerLaterStageProven(bytes32 taskId, uint8 stage);
    /// @notice A replacement must record a different step: re-recording the same step digest (same hashes, agent
    /// and final flag) would change nothing.
    error AgentHandlerReplacementUnchanged(bytes32 taskId, uint8 stage);
    /// @notice `onAgentProve`'s `proof` is shorter than the 20-byte prove header (the step's agent).
    error AgentHandlerMissingProveHeader(bytes32 taskId, uint8 stage);
    /// @notice The prove's `(inputHash, outputHash)` with the header's agent is not the recorded step's.
    error AgentHandlerProveBindingMismatch(bytes32 taskId, uint8 stage, bytes32 inputHash, bytes32 outputHash);
    /// @notice The prove names a verifier other than the stage's.
    error AgentHandlerVerifierMismatch(bytes32 taskId, uint8 stage, address expected, address provided);
    /// @notice The final prove needs every earlier stage proven; `missing` has a bit per unproven stage.
    error AgentHandlerEarlierStagesUnproven(bytes32 taskId, uint64 missing);
}
