// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IAgentHandler} from "./IAgentHandler.sol";
import {IAgentExecHandlerErrors} from "./IAgentExecHandlerErrors.sol";
import {IAgentExecHandlerEvents} from "./IAgentExecHandlerEvents.sol";

/// @title agent-exec extension of {IAgentHandler}: task lifecycle, types and views
/// @notice The seed defines the two callbacks only; these make the step–prove staging observable and enforceable.
/// Errors and events are split by concern into {IAgentExecHandlerErrors} and {IAgentExecHandlerEvents}, which this
/// interface inherits: the ABI and the ERC-165 interface id are those of the single interface before the split (the
/// id is the XOR of the five functions declared here).
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
interface IAgentExecHandler is IAgentHandler, IAgentExecHandlerErrors, IAgentExecHandlerEvents {
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

    /// @notice A prove was rejected; nothing changed.
    event AgentProveRejected(
        bytes32 indexed taskId, uint8 indexed stage, address verifier, ProveRejection reason, bytes32 detail
    );
    /// @notice The task is halted, finalized or expired.
    error AgentHandlerTaskNotActive(bytes32 taskId, TaskStatus status);
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
