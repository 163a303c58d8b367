// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IAgentHandler} from "./IAgentHandler.sol";

/// @title agent-exec extension of {IAgentHandler}: task lifecycle, errors, events and views
/// @notice The seed defines the two callbacks only; these make the step–prove staging observable and enforceable.
interface IAgentExecHandler is IAgentHandler {
    /// @notice A task's lifecycle. `None` means unknown to this handler.
    enum TaskStatus {
        None,
        Active,
        Halted,
        Finalized,
        Expired
    }

    /// @notice Why a prove was rejected (the task is unchanged; the prove may be retried until the deadline).
    enum ProveRejection {
        None,
        /// The verifier reverted; `detail` holds the first 4 bytes of its revert data.
        VerifierReverted,
        /// The verifier consumed its whole gas allowance.
        VerifierOutOfGas,
        /// The verifier returned something other than `(uint8 verdict, bytes32 digest)` with verdict 0, 1 or 2.
        MalformedVerdict,
        /// The verifier found the proof invalid; `detail` is its digest.
        InvalidProof,
        /// A valid non-approving verdict on a non-gating stage; `detail` is the verifier's digest.
        Denied
    }

    /// @notice A task as the handler sees it.
    struct TaskView {
        TaskStatus status;
        bytes32 agentWorkflowHash;
        uint40 deadline;
        /// Number of stages stepped so far (= the next stage expected).
        uint8 steppedStages;
        /// Bit `i` set when stage `i` is proven.
        uint32 provenStages;
        /// Whether the final step was recorded (stepping has ended).
        bool finalStepped;
        /// True when the deadline has passed (whether or not {expireTask} was called).
        bool pastDeadline;
    }

    event AgentTaskOpened(
        bytes32 indexed taskId, bytes32 indexed agentWorkflowHash, bytes32 attestedInputHash, uint256 deadline
    );
    event AgentStepAccepted(
        bytes32 indexed taskId,
        uint8 indexed stage,
        address indexed agent,
        uint256 agentId,
        bytes32 inputHash,
        bytes32 outputHash,
        bool isFinal
    );
    event AgentStageProven(bytes32 indexed taskId, uint8 indexed stage, address verifier, bytes32 digest);
    event AgentProveRejected(
        bytes32 indexed taskId, uint8 indexed stage, address verifier, ProveRejection reason, bytes32 detail
    );
    event AgentTaskHalted(bytes32 indexed taskId, uint8 indexed stage, bytes32 digest);
    event AgentTaskFinalized(bytes32 indexed taskId, uint8 finalStage, bytes32 outputHash);
    event AgentTaskExpired(bytes32 indexed taskId);

    /// @notice Dispatch came from an account other than the trusted caller.
    error AgentHandlerUnauthorizedCaller(address caller);
    /// @notice The task id already exists here.
    error AgentHandlerTaskIdReused(bytes32 taskId);
    /// @notice No policy is registered for the workflow hash.
    error AgentHandlerWorkflowNotRegistered(bytes32 agentWorkflowHash);
    /// @notice The task is unknown here.
    error AgentHandlerTaskNotFound(bytes32 taskId);
    /// @notice The task is halted, finalized or expired.
    error AgentHandlerTaskNotActive(bytes32 taskId, TaskStatus status);
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
    /// @notice The final step was recorded; no further steps are accepted.
    error AgentHandlerSteppingClosed(bytes32 taskId);
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
    /// @notice A later stage keyed on the task input declared an input other than the attested one.
    error AgentHandlerInputNotAttested(bytes32 taskId, uint8 stage, bytes32 inputHash);
    /// @notice A chained stage's input is not the previous stage's recorded output.
    error AgentHandlerInputNotChained(bytes32 taskId, uint8 stage, bytes32 expected, bytes32 inputHash);
    /// @notice No step is recorded for `stage`, so there is nothing to prove.
    error AgentHandlerStepNotRecorded(bytes32 taskId, uint8 stage);
    /// @notice `stage` is already proven.
    error AgentHandlerStageAlreadyProven(bytes32 taskId, uint8 stage);
    /// @notice The prove's `(inputHash, outputHash)` is not the recorded step's.
    error AgentHandlerProveBindingMismatch(bytes32 taskId, uint8 stage, bytes32 inputHash, bytes32 outputHash);
    /// @notice The prove names a verifier other than the stage's.
    error AgentHandlerVerifierMismatch(bytes32 taskId, uint8 stage, address expected, address provided);
    /// @notice The final prove needs every earlier stage proven; `missing` has a bit per unproven stage.
    error AgentHandlerEarlierStagesUnproven(bytes32 taskId, uint32 missing);

    /// @notice Marks an active task whose deadline has passed as expired. Callable by anyone.
    function expireTask(bytes32 taskId) external;

    /// @notice The task as stored.
    function taskOf(bytes32 taskId) external view returns (TaskView memory);

    /// @notice The `outputHash` recorded for `stage`, or zero if none.
    function stepOutputHash(bytes32 taskId, uint8 stage) external view returns (bytes32);
}
