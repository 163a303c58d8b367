// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IAgentHandler} from "./IAgentHandler.sol";

/// @title agent-exec extension of {IAgentHandler}: task lifecycle, errors, events and views
/// @notice The seed defines the two callbacks only; these make the step–prove staging observable and enforceable.
/// @dev Step records. For each stage the handler keeps the step digest
/// `keccak256(abi.encode(inputHash, outputHash, agent, isFinal))`, so a prove binds both hashes, the agent the step
/// is recorded under and its final flag; verifiers receive the same four values ({IAgentVerifier-verifyStage}).
///
/// Witness. A step that must show its input was the attested task input or the previous stage's output proves it
/// with a 52-byte *witness* `abi.encodePacked(bytes32 hash, address agent)` at the head of `onAgentStep`'s `data`
/// (the rest of `data` is the application's): for an input keyed on the attested task input, `hash` is stage 0's
/// `outputHash` and `agent` stage 0's agent; for an input chained on the previous stage, `hash` is the previous
/// stage's `inputHash` and `agent` the previous stage's agent. Only a first step of stage 0 needs no witness (its
/// input is checked against the attested input hash in full). The referenced step's `isFinal` is implied by the
/// task state.
///
/// Prove header. `onAgentProve` has no agent parameter (its signature is the ERC's), so its `proof` starts with a
/// 20-byte header, the agent the step is recorded under: `proof = abi.encodePacked(agent, verifierProof)`; the
/// verifier is called with `verifierProof`. `isFinal` needs no header: the step being proven is final exactly when
/// it is the last step and `finalStepped` is set. {stepAndProve}'s `proof` is the bare verifier proof (the step
/// carries `agent` and `isFinal`).
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
        /// A valid non-approving verdict on a non-gating stage, or on a gating stage whose policy does not trust
        /// its steppers (Open / Registry auth); `detail` is the verifier's digest.
        Denied,
        /// The verifier account has no code (e.g. an EIP-7702 delegation cleared after registration): it was not
        /// called ({BoundedCall} fails closed). Appended last so the earlier values keep their numbers.
        VerifierNoCode
    }

    /// @notice A task as the handler sees it.
    struct TaskView {
        TaskStatus status;
        /// The account that requested the task through the caller.
        address requester;
        bytes32 agentWorkflowHash;
        uint40 deadline;
        /// Number of stages stepped so far (= the next stage expected).
        uint8 steppedStages;
        /// Bit `i` set when stage `i` is proven.
        uint64 provenStages;
        /// Whether the final step was recorded (stepping has ended unless that step is replaced).
        bool finalStepped;
        /// True when the deadline has passed (whether or not {expireTask} was called).
        bool pastDeadline;
    }

    /// @notice The arguments of `onAgentStep`, as one value (for {stepAndProve}).
    struct AgentStep {
        bytes32 taskId;
        bytes32 inputHash;
        bytes32 outputHash;
        bytes output;
        uint256 agentId;
        address agent;
        uint8 stage;
        bool isFinal;
        bytes data;
    }

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
    /// @notice A prove was rejected; nothing changed.
    event AgentProveRejected(
        bytes32 indexed taskId, uint8 indexed stage, address verifier, ProveRejection reason, bytes32 detail
    );
    /// @notice A gating stage's valid non-approving verdict halted the task for good.
    event AgentTaskHalted(bytes32 indexed taskId, uint8 indexed stage, bytes32 digest);
    /// @notice The final prove finalised the task; `outputHash` is the final stage's output.
    event AgentTaskFinalized(bytes32 indexed taskId, uint8 finalStage, bytes32 outputHash);
    /// @notice The task was marked expired after its deadline.
    event AgentTaskExpired(bytes32 indexed taskId);

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
    /// @notice {stepAndProve}'s prove was rejected, so the step is not recorded either.
    error AgentHandlerProveRejected(bytes32 taskId, uint8 stage, ProveRejection reason, bytes32 detail);

    /// @notice Records a step and proves it in one call; the only way to *replace* a recorded, unproven step.
    /// @dev The step follows every rule of `onAgentStep` except that `step.stage` may be an already-stepped,
    /// unproven stage with no proven stage after it and a different step digest: the step then
    /// replaces the recorded one and discards the (unproven) later steps. The prove is made with the stage's
    /// verifier and must approve — or, for a *new* step of a gating stage under Allowlist auth, validly deny, which
    /// halts the task (a replacement must approve) — otherwise the whole call reverts with
    /// {AgentHandlerProveRejected}. So a squatter's junk step can always be displaced by a result that verifies,
    /// and never the other way round. Under Allowlist auth a recorded, unproven gate step locks itself and every
    /// earlier stage ({AgentHandlerGateLocked}).
    function stepAndProve(AgentStep calldata step, bytes calldata proof) external;

    /// @notice Marks an active task whose deadline has passed as expired. Callable by anyone.
    function expireTask(bytes32 taskId) external;

    /// @notice The task as stored (all zero for an unknown task).
    function taskOf(bytes32 taskId) external view returns (TaskView memory);

    /// @notice `keccak256(abi.encode(inputHash, outputHash, agent, isFinal))` of the step recorded for `stage`, or
    /// zero if none.
    function stepDigest(bytes32 taskId, uint8 stage) external view returns (bytes32);

    /// @notice What input-provenance verifiers check a task's attestation against: its workflow and the
    /// sanitisation pipeline its policy declares (zero: none, the WYRIWE sentinel applies).
    function taskInputContext(bytes32 taskId) external view returns (bytes32 agentWorkflowHash, bytes32 pipelineHash);
}
