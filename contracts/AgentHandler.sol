// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {ERC165} from "@openzeppelin/contracts/utils/introspection/ERC165.sol";
import {ERC165Checker} from "@openzeppelin/contracts/utils/introspection/ERC165Checker.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IAgentHandler} from "./interfaces/IAgentHandler.sol";
import {IAgentExecHandler} from "./interfaces/IAgentExecHandler.sol";
import {IAgentTaskReceiver} from "./interfaces/IAgentTaskReceiver.sol";
import {IAgentVerifier} from "./interfaces/IAgentVerifier.sol";
import {IAgentIdentityRegistry} from "./interfaces/IAgentIdentityRegistry.sol";
import {IAgentTaskAnchorAuthority} from "./interfaces/IAgentTaskAnchorAuthority.sol";
import {IWorkflowPolicyRegistry} from "./interfaces/IWorkflowPolicyRegistry.sol";
import {TaskState, TaskStateLib} from "./libraries/TaskState.sol";
import {StageConfig, StageConfigLib} from "./libraries/StageConfig.sol";
import {BoundedCall} from "./libraries/BoundedCall.sol";
import {Wyriwe} from "./libraries/Wyriwe.sol";

/// @title ERC-8301 handler enforcing step–prove staging on-chain
/// @notice Holds each task's state, enforces its workflow's registered policy on every `onAgentStep` and
/// `onAgentProve`, and exposes internal virtual hooks (`_onStepAccepted`, `_onStageProven`, `_onTaskFinalized`, …)
/// so a dApp can inherit it and act on results. Rules, each in one place below:
/// - dispatch ({_openTask}): only from the trusted {agentCaller}; the workflow must be registered; ids never reused.
/// - steps ({_recordStep}, {_checkStepInput}): authorised agent, live task, stages in order, sync stages gate the
///   next step, `isFinal` as the policy allows, output hash binding, the WYRIWE sentinel at stage 0 and attested /
///   chained inputs after it; an unproven step is replaced only together with an approving prove.
/// - proves ({_recordProve}, {_callVerifier}): bound to the recorded step; the stage's verifier, called with a gas
///   cap, bounded return data and no way to revert the prove; gating stages halt on a valid non-approving verdict
///   when the policy trusts its steppers (Allowlist; under Open / Registry the denial only rejects the gate step), and
///   under Allowlist a recorded gate step locks itself and every earlier stage until its verdict;
///   the final prove needs every earlier stage proven (O(1) bitmap).
/// - deadlines ({_liveTask}, {_expireTask}): nothing is accepted at or after the deadline; anyone may then expire.
/// Registration of workflow policies is restricted to the owner (override {_checkRegistrar} to change that).
/// Hooks run inside the reentrancy guard: a hook may dispatch new tasks (dispatch is not guarded: only the trusted
/// caller can reach it and it only writes a fresh task) but cannot step or prove.
contract AgentHandler is
    IAgentExecHandler,
    IAgentTaskReceiver,
    IWorkflowPolicyRegistry,
    IAgentTaskAnchorAuthority,
    ERC165,
    Ownable2Step,
    ReentrancyGuardTransient
{
    /// @notice The most stages a workflow may declare (one bit each in the task word's proven-bitmap).
    uint8 public constant MAX_STAGES = 64;
    /// @notice The most agents an allowlist may hold (one bit each in the task word's stepper bitmap).
    uint256 public constant MAX_AGENTS = 64;
    /// @notice Lower bound of a stage verifier's gas allowance.
    uint32 public constant MIN_VERIFIER_GAS = 10_000;
    /// @notice Upper bound of a stage verifier's gas allowance.
    uint32 public constant MAX_VERIFIER_GAS = 5_000_000;
    /// @notice Gas allowance of an ERC-8004 registry lookup.
    uint256 public constant REGISTRY_LOOKUP_GAS = 50_000;

    uint256 private constant POLICY_ID_MASK = 0xffffffff;
    uint256 private constant HAS_PIPELINE_BIT = 1 << 32;
    uint256 private constant HAS_REQUESTERS_BIT = 1 << 33;
    uint256 private constant STAGE_COUNT_SHIFT = 40;
    uint256 private constant WITNESS_LENGTH = 52;
    uint256 private constant PROVE_HEADER_LENGTH = 20;

    /// @dev How {_recordProve} treats a verdict that does not approve.
    enum ProveMode {
        Recorded,
        Atomic,
        AtomicApproveOnly
    }

    address private immutable _AGENT_CALLER;

    /// @dev taskId => packed task word.
    mapping(bytes32 taskId => TaskState) private _tasks;
    /// @dev taskId => stage => step digest `keccak256(abi.encode(inputHash, outputHash, agent, isFinal))`. Stage 0's slot holds the
    /// expected attested input until step 0, so the sentinel is checked against the full hash and the first step
    /// rewrites a slot instead of creating one.
    mapping(bytes32 taskId => mapping(uint256 stage => bytes32)) private _records;

    uint32 private _policyCount;
    /// @dev Requesters seen so far (packed with `_policyCount`).
    uint32 private _requesterCount;
    /// @dev Interned requesters: the task word keeps a 32-bit id instead of a second storage slot per task.
    mapping(address requester => uint32) private _requesterIdOf;
    mapping(uint32 requesterId => address) private _requesterAt;
    /// @dev Open / Registry policies: the agents that recorded a step of a task (Allowlist ones are a bitmap in the
    /// task word).
    mapping(bytes32 taskId => mapping(address agent => bool)) private _steppedBy;
    /// @dev workflowHash => policyId | hasPipeline << 32 | hasRequesters << 33 | stageCount << 40 (zero: not
    /// registered).
    mapping(bytes32 workflowHash => uint256) private _policyRef;
    mapping(uint32 policyId => bytes32) private _workflowHashOf;
    mapping(uint32 policyId => mapping(uint256 stage => StageConfig)) private _stages;
    mapping(uint32 policyId => bytes32) private _pipelineHashOf;
    mapping(uint32 policyId => address) private _agentRegistryOf;
    /// @dev Allowlist: agent => its index in the allowlist + 1 (zero: not listed).
    mapping(uint32 policyId => mapping(address agent => uint256)) private _agentSlot;
    mapping(uint32 policyId => address[]) private _agentsOf;
    mapping(uint32 policyId => mapping(address requester => bool)) private _requesterAllowed;
    mapping(uint32 policyId => address[]) private _requestersOf;
    mapping(uint32 policyId => bytes32) private _policyDigestOf;

    /// @param agentCaller_ The only {IAgentTaskReceiver-agentCaller} allowed to open tasks here.
    /// @param initialOwner The account allowed to register workflow policies.
    constructor(address agentCaller_, address initialOwner) Ownable(initialOwner) {
        if (agentCaller_ == address(0)) revert AgentHandlerZeroAgentCaller();
        _AGENT_CALLER = agentCaller_;
    }

    // ---------------------------------------------------------------- dispatch

    /// @inheritdoc IAgentTaskReceiver
    function agentCaller() external view returns (address) {
        return _AGENT_CALLER;
    }

    /// @inheritdoc IAgentTaskReceiver
    function checkDispatch(bytes32 taskId, bytes32 agentWorkflowHash) external view returns (DispatchCheck) {
        if (msg.sender != _AGENT_CALLER) return DispatchCheck.CallerNotTrusted;
        if (!_tasks[taskId].isEmpty()) return DispatchCheck.TaskIdReused;
        if (_policyRef[agentWorkflowHash] == 0) return DispatchCheck.WorkflowNotRegistered;
        return DispatchCheck.Ok;
    }

    /// @inheritdoc IAgentTaskReceiver
    /// @dev Not reentrancy-guarded on purpose, so that a hook may dispatch a follow-up task: only the trusted caller
    /// reaches it, and it only writes a task that did not exist.
    function onAgentTaskDispatched(
        bytes32 taskId,
        address requester,
        bytes32 agentWorkflowHash,
        bytes32 inputHash,
        uint256 deadline
    ) external returns (bytes4) {
        if (msg.sender != _AGENT_CALLER) revert AgentHandlerUnauthorizedCaller(msg.sender);
        _openTask(taskId, requester, agentWorkflowHash, inputHash, deadline);
        return IAgentTaskReceiver.onAgentTaskDispatched.selector;
    }

    // ---------------------------------------------------------------- steps and proves

    /// @inheritdoc IAgentHandler
    /// @dev `msg.sender` must be `agent`. See {IAgentExecHandler} for the witness at the head of `data`.
    function onAgentStep(
        bytes32 taskId,
        bytes32 inputHash,
        bytes32 outputHash,
        bytes calldata output,
        uint256 agentId,
        address agent,
        uint8 stage,
        bool isFinal,
        bytes calldata data
    ) external nonReentrant {
        _checkAgentCaller(agent);
        bytes calldata appData =
            _recordStep(taskId, inputHash, outputHash, output, agentId, agent, stage, isFinal, data, false);
        _onStepAccepted(taskId, stage, outputHash, output, agentId, agent, isFinal, appData);
    }

    /// @inheritdoc IAgentHandler
    /// @dev Permissionless: the verifier, not the submitter, is what must be convinced. A rejected prove changes
    /// nothing but an event, so garbage from a third party can neither halt nor advance a task. `proof` starts with
    /// the 20-byte prove header, the agent the step is recorded under: `abi.encodePacked(agent, verifierProof)`
    /// (see {IAgentExecHandler}); the verifier receives `verifierProof`.
    function onAgentProve(
        bytes32 taskId,
        bytes32 inputHash,
        bytes32 outputHash,
        bytes calldata proof,
        address verifier,
        uint8 stage
    ) external nonReentrant {
        if (proof.length < PROVE_HEADER_LENGTH) revert AgentHandlerMissingProveHeader(taskId, stage);
        address agent = address(bytes20(proof[:PROVE_HEADER_LENGTH]));
        _recordProve(
            taskId, inputHash, outputHash, agent, proof[PROVE_HEADER_LENGTH:], verifier, stage, ProveMode.Recorded
        );
    }

    /// @inheritdoc IAgentExecHandler
    function stepAndProve(AgentStep calldata step, bytes calldata proof) external nonReentrant {
        _checkAgentCaller(step.agent);
        bool replacing = step.stage < _tasks[step.taskId].stepped();
        bytes calldata appData = _recordStep(
            step.taskId,
            step.inputHash,
            step.outputHash,
            step.output,
            step.agentId,
            step.agent,
            step.stage,
            step.isFinal,
            step.data,
            true
        );
        _onStepAccepted(step.taskId, step.stage, step.outputHash, step.output, step.agentId, step.agent, step.isFinal, appData);
        address verifier = _stages[_tasks[step.taskId].policyId()][step.stage].verifier();
        // A replacement must approve: a validly denied result may halt a gate only if it was recorded first, never
        // by displacing a step that is still waiting for its approval.
        _recordProve(
            step.taskId,
            step.inputHash,
            step.outputHash,
            step.agent,
            proof,
            verifier,
            step.stage,
            replacing ? ProveMode.AtomicApproveOnly : ProveMode.Atomic
        );
    }

    /// @inheritdoc IAgentExecHandler
    function expireTask(bytes32 taskId) external nonReentrant {
        _expireTask(taskId);
    }

    // ---------------------------------------------------------------- registry

    /// @inheritdoc IWorkflowPolicyRegistry
    function registerWorkflow(bytes32 agentWorkflowHash, WorkflowPolicy calldata policy)
        external
        nonReentrant
        returns (uint32 policyId)
    {
        _checkRegistrar();
        policyId = _registerWorkflow(agentWorkflowHash, policy);
    }

    /// @inheritdoc IWorkflowPolicyRegistry
    function isWorkflowRegistered(bytes32 agentWorkflowHash) external view returns (bool) {
        return _policyRef[agentWorkflowHash] != 0;
    }

    /// @inheritdoc IWorkflowPolicyRegistry
    function workflowPolicy(bytes32 agentWorkflowHash) public view returns (WorkflowPolicy memory) {
        uint256 ref = _policyRef[agentWorkflowHash];
        if (ref == 0) revert WorkflowRegistryNotRegistered(agentWorkflowHash);
        return _policyOf(uint32(ref & POLICY_ID_MASK), ref >> STAGE_COUNT_SHIFT);
    }

    /// @inheritdoc IWorkflowPolicyRegistry
    function workflowPolicyDigest(bytes32 agentWorkflowHash) external view returns (bytes32) {
        return _policyDigestOf[uint32(_policyRef[agentWorkflowHash] & POLICY_ID_MASK)];
    }

    /// @inheritdoc IWorkflowPolicyRegistry
    function isRequesterAllowed(bytes32 agentWorkflowHash, address requester) external view returns (bool) {
        uint256 ref = _policyRef[agentWorkflowHash];
        if (ref == 0) return false;
        return ref & HAS_REQUESTERS_BIT == 0 || _requesterAllowed[uint32(ref & POLICY_ID_MASK)][requester];
    }

    /// @inheritdoc IWorkflowPolicyRegistry
    function isAgentAuthorized(bytes32 agentWorkflowHash, address agent, uint256 agentId) external view returns (bool) {
        uint256 ref = _policyRef[agentWorkflowHash];
        if (ref == 0) return false;
        uint32 policyId = uint32(ref & POLICY_ID_MASK);
        return _isAuthorized(_stages[policyId][0].agentAuth(), policyId, agent, agentId);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IAgentExecHandler
    function taskOf(bytes32 taskId) external view returns (TaskView memory v) {
        TaskState s = _tasks[taskId];
        if (s.isEmpty()) return v;
        v.status = TaskStatus(s.status());
        v.requester = _requesterAt[s.requesterId()];
        v.agentWorkflowHash = _workflowHashOf[s.policyId()];
        v.deadline = s.deadline();
        v.steppedStages = s.stepped();
        v.provenStages = s.proven();
        v.finalStepped = s.finalStepped();
        v.pastDeadline = block.timestamp >= s.deadline();
    }

    /// @inheritdoc IAgentTaskAnchorAuthority
    /// @dev True for the task's requester and for any agent that recorded a step of it (replaced steps included);
    /// false for unknown tasks. At most three SLOADs.
    function canAnchor(bytes32 taskId, address account) external view returns (bool) {
        TaskState s = _tasks[taskId];
        if (s.isEmpty()) return false;
        if (account == _requesterAt[s.requesterId()]) return true;
        uint32 policyId = s.policyId();
        if (_stages[policyId][0].agentAuth() == uint8(AgentAuth.Allowlist)) {
            uint256 slot = _agentSlot[policyId][account];
            return slot != 0 && s.isStepper(slot - 1);
        }
        return _steppedBy[taskId][account];
    }

    /// @inheritdoc IAgentExecHandler
    function stepDigest(bytes32 taskId, uint8 stage) external view returns (bytes32) {
        if (stage >= _tasks[taskId].stepped()) return bytes32(0);
        return _records[taskId][stage];
    }

    /// @inheritdoc IAgentExecHandler
    function taskInputContext(bytes32 taskId) external view returns (bytes32 agentWorkflowHash, bytes32 pipelineHash) {
        TaskState s = _tasks[taskId];
        if (s.isEmpty()) revert AgentHandlerTaskNotFound(taskId);
        return (_workflowHashOf[s.policyId()], _pipelineHashOf[s.policyId()]);
    }

    /// @inheritdoc ERC165
    function supportsInterface(bytes4 interfaceId) public view virtual override returns (bool) {
        return interfaceId == type(IAgentHandler).interfaceId || interfaceId == type(IAgentExecHandler).interfaceId
            || interfaceId == type(IAgentTaskReceiver).interfaceId
            || interfaceId == type(IWorkflowPolicyRegistry).interfaceId
            || interfaceId == type(IAgentTaskAnchorAuthority).interfaceId || super.supportsInterface(interfaceId);
    }

    // ---------------------------------------------------------------- core rules (internal, not virtual: dApps get hooks)

    /// @dev Opens a task: the workflow must be registered and the id fresh. Stores the task word and, in the
    /// stage-0 record slot, the attested input hash the first step must declare (WYRIWE).
    function _openTask(bytes32 taskId, address requester, bytes32 agentWorkflowHash, bytes32 inputHash, uint256 deadline)
        internal
    {
        if (!_tasks[taskId].isEmpty()) revert AgentHandlerTaskIdReused(taskId);
        uint256 ref = _policyRef[agentWorkflowHash];
        if (ref == 0) revert AgentHandlerWorkflowNotRegistered(agentWorkflowHash);
        if (deadline <= block.timestamp || deadline > type(uint40).max) {
            revert AgentHandlerInvalidDeadline(taskId, deadline, block.timestamp);
        }
        uint32 policyId = uint32(ref & POLICY_ID_MASK);
        if (ref & HAS_REQUESTERS_BIT != 0 && !_requesterAllowed[policyId][requester]) {
            revert AgentHandlerRequesterNotAllowed(taskId, agentWorkflowHash, requester);
        }
        bytes32 attested =
            ref & HAS_PIPELINE_BIT == 0 ? inputHash : Wyriwe.attestedInputHash(inputHash, _pipelineHashOf[policyId]);
        _tasks[taskId] =
            TaskStateLib.open(policyId, uint40(deadline), uint8(TaskStatus.Active), _internRequester(requester));
        _records[taskId][0] = attested;
        emit AgentTaskOpened(taskId, agentWorkflowHash, attested, deadline);
        _onTaskOpened(taskId, requester, agentWorkflowHash, inputHash, deadline);
    }

    /// @dev Every rule a step must meet, then the record. `replace` admits an already-stepped, unproven stage
    /// (only {stepAndProve} passes it). Returns the application part of `data` (after the witness, if any).
    function _recordStep(
        bytes32 taskId,
        bytes32 inputHash,
        bytes32 outputHash,
        bytes calldata output,
        uint256 agentId,
        address agent,
        uint8 stage,
        bool isFinal,
        bytes calldata data,
        bool replace
    ) internal returns (bytes calldata appData) {
        TaskState s = _liveTask(taskId);
        uint32 policyId = s.policyId();
        StageConfig cfg = _stages[policyId][stage];
        if (!cfg.exists()) revert AgentHandlerStageOutOfRange(taskId, stage, _stageCount(policyId));
        uint8 stepped = s.stepped();
        bool replacing = replace && stage < stepped;
        if (replacing) {
            if (s.isProven(stage)) revert AgentHandlerStageAlreadyProven(taskId, stage);
            if (s.anyProvenFrom(stage)) revert AgentHandlerLaterStageProven(taskId, stage);
            // Gate lock (Allowlist): a recorded gate step awaits its verdict; neither it nor an earlier stage may be
            // replaced, so a valid denial halts whichever transaction lands first. (An unproven gate is always the
            // last step: gates are sync.)
            if (s.pendingGate() && cfg.agentAuth() == uint8(AgentAuth.Allowlist)) {
                revert AgentHandlerGateLocked(taskId, stage, stepped - 1);
            }
            if (stage != 0 && _stages[policyId][stage - 1].isSync() && !s.isProven(stage - 1)) {
                revert AgentHandlerSyncStageUnproven(taskId, stage - 1);
            }
        } else {
            if (s.finalStepped()) revert AgentHandlerSteppingClosed(taskId, stepped - 1);
            if (stage != stepped) revert AgentHandlerStageOutOfOrder(taskId, stage, stepped);
            if (s.pendingSync() && !s.isProven(stage - 1)) revert AgentHandlerSyncStageUnproven(taskId, stage - 1);
        }
        if (isFinal ? !cfg.finalAllowed() : cfg.isLast()) revert AgentHandlerFinalFlagInvalid(taskId, stage, isFinal);
        if (!_isAuthorized(cfg.agentAuth(), policyId, agent, agentId)) {
            revert AgentHandlerUnauthorizedAgent(taskId, agent, agentId);
        }
        if (outputHash == bytes32(0)) revert AgentHandlerZeroOutputHash(taskId, stage);
        if (output.length != 0) {
            bytes32 computed = keccak256(output);
            if (computed != outputHash) revert AgentHandlerOutputHashMismatch(taskId, outputHash, computed);
        }
        address refAgent;
        (appData, refAgent) = _checkStepInput(taskId, cfg, stage, stepped, s.finalStepped(), inputHash, data);
        bytes32 record = _digest(inputHash, outputHash, agent, isFinal);
        if (replacing && record == _records[taskId][stage]) revert AgentHandlerReplacementUnchanged(taskId, stage);

        _records[taskId][stage] = record;
        s = s.recordStep(stage, isFinal, cfg.isSync(), cfg.isGating());
        if (cfg.agentAuth() == uint8(AgentAuth.Allowlist)) {
            uint256 slot = _agentSlot[policyId][agent];
            if (slot != 0) s = s.markStepper(slot - 1);
        } else if (refAgent != agent && !_steppedBy[taskId][agent]) {
            // An agent that the witness shows recorded the referenced step (its digest is a current record) is
            // already flagged: skip the cold read. (`refAgent` is zero for a first stage-0 step.)
            _steppedBy[taskId][agent] = true;
        }
        _tasks[taskId] = s;
        if (replacing) emit AgentStepReplaced(taskId, stage, stepped - stage - 1);
        emit AgentStepAccepted(taskId, stage, agent, agentId, inputHash, outputHash, isFinal);
        if (replacing) _onStepReplaced(taskId, stage, stepped - stage - 1);
    }

    /// @dev The input a step must declare. A first step of stage 0: the attested input itself, in full (the WYRIWE
    /// sentinel, or the declared transform). Any other step proves its input with the 52-byte witness
    /// `hash ‖ agent` at the head of `data`, which reopens the referenced record: keyed on the attested input,
    /// `digest(inputHash, hash, agent, f)` must be stage 0's record (hash = stage 0's outputHash, agent = stage 0's
    /// agent); chained, `digest(hash, inputHash, agent, false)` must be the previous stage's record (hash = the
    /// previous inputHash, agent = the previous stage's agent). The referenced step's `isFinal` is implied by the
    /// task state: a step followed by another is not final, and stage 0 replaced while it is the only step is final
    /// iff `finalStepped`. Also returns the witness's agent, whose step is thereby shown to be recorded (zero for a
    /// first step of stage 0).
    function _checkStepInput(
        bytes32 taskId,
        StageConfig cfg,
        uint8 stage,
        uint8 stepped,
        bool finalStepped,
        bytes32 inputHash,
        bytes calldata data
    ) internal view returns (bytes calldata appData, address refAgent) {
        if (stage == 0 && stepped == 0) {
            bytes32 expected = _records[taskId][0];
            if (inputHash != expected) revert AgentHandlerWyriweViolation(taskId, expected, inputHash);
            return (data, address(0));
        }
        if (data.length < WITNESS_LENGTH) revert AgentHandlerMissingWitness(taskId, stage);
        bytes32 hash = bytes32(data[:32]);
        refAgent = address(bytes20(data[32:WITNESS_LENGTH]));
        if (stage != 0 && cfg.isChained()) {
            if (_digest(hash, inputHash, refAgent, false) != _records[taskId][stage - 1]) {
                revert AgentHandlerInputNotChained(taskId, stage, inputHash);
            }
        } else if (
            _digest(inputHash, hash, refAgent, stage == 0 && stepped == 1 && finalStepped) != _records[taskId][0]
        ) {
            revert AgentHandlerInputNotAttested(taskId, stage, inputHash);
        }
        appData = data[WITNESS_LENGTH:];
    }

    /// @dev Every rule a prove must meet, the bounded verifier call, then the verdict's effect. `Recorded`
    /// (`onAgentProve`) records a rejection as an event; `Atomic` ({stepAndProve} of a new step) reverts everything
    /// instead; `AtomicApproveOnly` ({stepAndProve} replacing a step) also reverts on a gating denial. The step is
    /// named by `(inputHash, outputHash, agent)`; its `isFinal` is the task state's (the last step when
    /// `finalStepped`, otherwise false), so the binding check covers all four values of the step digest.
    function _recordProve(
        bytes32 taskId,
        bytes32 inputHash,
        bytes32 outputHash,
        address agent,
        bytes calldata proof,
        address verifier,
        uint8 stage,
        ProveMode mode
    ) internal {
        TaskState s = _liveTask(taskId);
        if (stage >= s.stepped()) revert AgentHandlerStepNotRecorded(taskId, stage);
        if (s.isProven(stage)) revert AgentHandlerStageAlreadyProven(taskId, stage);
        StageConfig cfg = _stages[s.policyId()][stage];
        if (verifier != cfg.verifier()) revert AgentHandlerVerifierMismatch(taskId, stage, cfg.verifier(), verifier);
        bool isFinalStage = s.finalStepped() && stage == s.stepped() - 1;
        if (_digest(inputHash, outputHash, agent, isFinalStage) != _records[taskId][stage]) {
            revert AgentHandlerProveBindingMismatch(taskId, stage, inputHash, outputHash);
        }
        if (isFinalStage) {
            uint64 missing = s.unprovenBefore(stage);
            if (missing != 0) revert AgentHandlerEarlierStagesUnproven(taskId, missing);
        }

        (ProveRejection rejection, bytes32 detail) =
            _callVerifier(verifier, cfg.gasLimit(), taskId, stage, agent, isFinalStage, inputHash, outputHash, proof);

        // The reentrancy guard covers every state-changing entry point, so `s` is still current here.
        if (rejection == ProveRejection.None) {
            s = s.markProven(stage);
            if (isFinalStage) s = s.withStatus(uint8(TaskStatus.Finalized));
            _tasks[taskId] = s;
            emit AgentStageProven(taskId, stage, verifier, detail);
            _onStageProven(taskId, stage, detail);
            if (isFinalStage) {
                emit AgentTaskFinalized(taskId, stage, outputHash);
                _onTaskFinalized(taskId, stage, outputHash, _requesterAt[s.requesterId()]);
            }
        } else if (
            rejection == ProveRejection.Denied && cfg.isGating() && mode != ProveMode.AtomicApproveOnly
                && cfg.agentAuth() == uint8(AgentAuth.Allowlist)
        ) {
            // Halting authority: only a step by an agent the policy trusts (Allowlist) can halt the task. Under
            // Open / Registry auth anyone can step (and mint an ERC-8004 id), so a denial there only rejects the
            // gate step, which an approved result may then replace.
            _tasks[taskId] = s.withStatus(uint8(TaskStatus.Halted));
            emit AgentTaskHalted(taskId, stage, detail);
            _onTaskHalted(taskId, stage, detail, _requesterAt[s.requesterId()]);
        } else if (mode != ProveMode.Recorded) {
            revert AgentHandlerProveRejected(taskId, stage, rejection, detail);
        } else {
            emit AgentProveRejected(taskId, stage, verifier, rejection, detail);
            _onProveRejected(taskId, stage, rejection, detail);
        }
    }

    /// @dev Calls the stage verifier so that nothing it does can revert the prove or grief the task: gas-capped,
    /// at most 64 bytes of return data read, every failure mapped to a {ProveRejection} (`None` = approved).
    function _callVerifier(
        address verifier,
        uint256 gasLimit,
        bytes32 taskId,
        uint8 stage,
        address agent,
        bool isFinal,
        bytes32 inputHash,
        bytes32 outputHash,
        bytes calldata proof
    ) internal returns (ProveRejection rejection, bytes32 detail) {
        BoundedCall.Result memory r = BoundedCall.call(
            verifier,
            gasLimit,
            abi.encodeCall(IAgentVerifier.verifyStage, (taskId, stage, agent, isFinal, inputHash, outputHash, proof))
        );
        if (!r.success) {
            if (r.noCode) return (ProveRejection.VerifierNoCode, bytes32(0));
            if (r.outOfGas) return (ProveRejection.VerifierOutOfGas, bytes32(0));
            return (ProveRejection.VerifierReverted, r.returnSize >= 4 ? r.word0 & bytes32(bytes4(0xffffffff)) : bytes32(0));
        }
        if (r.returnSize != 64) return (ProveRejection.MalformedVerdict, bytes32(0));
        uint256 v = uint256(r.word0);
        if (v == uint256(IAgentVerifier.Verdict.Approved)) return (ProveRejection.None, r.word1);
        if (v == uint256(IAgentVerifier.Verdict.Denied)) return (ProveRejection.Denied, r.word1);
        if (v == uint256(IAgentVerifier.Verdict.Invalid)) return (ProveRejection.InvalidProof, r.word1);
        return (ProveRejection.MalformedVerdict, bytes32(0));
    }

    /// @dev Marks an active task past its deadline as expired.
    function _expireTask(bytes32 taskId) internal {
        TaskState s = _tasks[taskId];
        if (s.isEmpty()) revert AgentHandlerTaskNotFound(taskId);
        if (s.status() != uint8(TaskStatus.Active)) revert AgentHandlerTaskNotActive(taskId, TaskStatus(s.status()));
        if (block.timestamp < s.deadline()) revert AgentHandlerDeadlineNotPassed(taskId, s.deadline(), block.timestamp);
        _tasks[taskId] = s.withStatus(uint8(TaskStatus.Expired));
        emit AgentTaskExpired(taskId);
        _onTaskExpired(taskId);
    }

    /// @dev The account stepping must be the `agent` it names. Override (e.g. with ERC-2771's `_msgSender()` of a
    /// trusted forwarder) to let relayers submit for agents.
    function _checkAgentCaller(address agent) internal view virtual {
        address sender = _msgSender();
        if (sender != agent) revert AgentHandlerCallerNotAgent(sender, agent);
    }

    /// @dev Whether `agent` (claiming `agentId`) may step a task of policy `policyId`. `agentId` is checked only in
    /// `Registry` mode. Override to customise.
    function _isAuthorized(uint8 auth, uint32 policyId, address agent, uint256 agentId)
        internal
        view
        virtual
        returns (bool)
    {
        if (auth == uint8(AgentAuth.Allowlist)) return _agentSlot[policyId][agent] != 0;
        if (auth == uint8(AgentAuth.Registry)) return _isRegistryAuthorized(_agentRegistryOf[policyId], agent, agentId);
        return true;
    }

    /// @dev ERC-8004: `agent` may act for `agentId` if the registry says it owns or is approved for the token
    /// (`isAuthorizedOrOwner`, asked first: the common case) or is the agent's wallet (`getAgentWallet`). Each
    /// lookup is gas-capped with bounded return data, and any failure (revert, out of gas, malformed answer) means
    /// "no", so a hostile registry cannot brick a step, only refuse it.
    function _isRegistryAuthorized(address registry, address agent, uint256 agentId) private view returns (bool) {
        (bool ok, bytes32 word) = BoundedCall.staticWord(
            registry, REGISTRY_LOOKUP_GAS, abi.encodeCall(IAgentIdentityRegistry.isAuthorizedOrOwner, (agent, agentId))
        );
        if (ok && word == bytes32(uint256(1))) return true;
        (ok, word) = BoundedCall.staticWord(
            registry, REGISTRY_LOOKUP_GAS, abi.encodeCall(IAgentIdentityRegistry.getAgentWallet, (agentId))
        );
        return ok && word == bytes32(uint256(uint160(agent)));
    }

    /// @dev Who may register workflow policies. Defaults to the owner. Opening registration to others lets anyone
    /// front-run the registration of a workflow hash, and policies are immutable: key a permissive registrar's
    /// policies by registrar, or keep registration restricted.
    function _checkRegistrar() internal view virtual {
        _checkOwner();
    }

    /// @dev Validates and stores `policy`. Policies are immutable: there is no path that changes one.
    function _registerWorkflow(bytes32 agentWorkflowHash, WorkflowPolicy calldata policy)
        internal
        returns (uint32 policyId)
    {
        if (agentWorkflowHash == bytes32(0)) revert WorkflowRegistryZeroWorkflowHash();
        if (_policyRef[agentWorkflowHash] != 0) revert WorkflowRegistryAlreadyRegistered(agentWorkflowHash);
        uint256 count = policy.stages.length;
        if (count == 0 || count > MAX_STAGES) revert WorkflowRegistryInvalidStageCount(count, MAX_STAGES);
        if (policy.minFinalStage >= count) revert WorkflowRegistryInvalidMinFinalStage(policy.minFinalStage, count);
        if (_policyCount == type(uint32).max) revert WorkflowRegistryTooManyPolicies();
        policyId = ++_policyCount;

        uint8 auth = uint8(policy.agentAuth);
        _registerAgents(policyId, policy);
        bool restricted = _registerRequesters(policyId, policy.requesters);
        for (uint256 i; i < count; ++i) {
            StagePolicy calldata st = policy.stages[i];
            if (st.gating && i > policy.minFinalStage) {
                revert WorkflowRegistryGateAfterMinFinalStage(uint8(i), policy.minFinalStage);
            }
            _stages[policyId][i] = _validateStage(uint8(i), st, i >= policy.minFinalStage, i == count - 1, auth);
        }

        bool sentinel = Wyriwe.isSentinel(policy.pipelineHash);
        if (!sentinel) _pipelineHashOf[policyId] = policy.pipelineHash;
        _workflowHashOf[policyId] = agentWorkflowHash;
        _policyRef[agentWorkflowHash] = uint256(policyId) | (sentinel ? 0 : HAS_PIPELINE_BIT)
            | (restricted ? HAS_REQUESTERS_BIT : 0) | (count << STAGE_COUNT_SHIFT);

        bytes32 digest = keccak256(abi.encode(_policyOf(policyId, count)));
        _policyDigestOf[policyId] = digest;
        emit WorkflowRegistered(agentWorkflowHash, policyId, uint8(count), digest);
    }

    /// @dev Checks one stage of a policy and packs it.
    function _validateStage(uint8 i, StagePolicy calldata st, bool finalAllowed, bool last, uint8 auth)
        private
        view
        returns (StageConfig)
    {
        _requireContract(st.verifier, i);
        if (!ERC165Checker.supportsInterface(st.verifier, type(IAgentVerifier).interfaceId)) {
            revert WorkflowRegistryVerifierNotSupported(i, st.verifier);
        }
        if (st.verifierGasLimit < MIN_VERIFIER_GAS || st.verifierGasLimit > MAX_VERIFIER_GAS) {
            revert WorkflowRegistryVerifierGasLimitOutOfRange(i, st.verifierGasLimit, MIN_VERIFIER_GAS, MAX_VERIFIER_GAS);
        }
        bool sync = st.resolution == Resolution.Sync;
        if (st.gating && !sync) revert WorkflowRegistryGatingRequiresSync(i);
        bool chained = st.input == InputSource.PreviousOutput;
        if (chained && i == 0) revert WorkflowRegistryFirstStageCannotChain();
        return StageConfigLib.pack(st.verifier, st.verifierGasLimit, sync, st.gating, chained, finalAllowed, last, auth);
    }

    /// @dev Checks and stores the policy's agent authorisation.
    function _registerAgents(uint32 policyId, WorkflowPolicy calldata policy) private {
        AgentAuth auth = policy.agentAuth;
        uint256 n = policy.agents.length;
        if (auth != AgentAuth.Registry && policy.agentRegistry != address(0)) {
            revert WorkflowRegistryUnexpectedAgentRegistry(auth, policy.agentRegistry);
        }
        if (auth != AgentAuth.Allowlist && n != 0) revert WorkflowRegistryUnexpectedAgents(auth, n);
        if (auth == AgentAuth.Allowlist) {
            if (n == 0) revert WorkflowRegistryEmptyAllowlist();
            if (n > MAX_AGENTS) revert WorkflowRegistryTooManyAgents(n, MAX_AGENTS);
            for (uint256 i; i < n; ++i) {
                address a = policy.agents[i];
                if (a == address(0)) revert WorkflowRegistryZeroAgent(i);
                if (_agentSlot[policyId][a] != 0) revert WorkflowRegistryDuplicateAgent(a);
                _agentSlot[policyId][a] = i + 1;
                _agentsOf[policyId].push(a);
            }
        } else if (auth == AgentAuth.Registry) {
            address registry = policy.agentRegistry;
            if (registry.code.length == 0) revert WorkflowRegistryInvalidAgentRegistry(registry);
            if (_isDelegated(registry)) revert WorkflowRegistryDelegatedAccount(registry);
            _agentRegistryOf[policyId] = registry;
        }
    }

    /// @dev Stores the requester restriction; returns whether there is one.
    function _registerRequesters(uint32 policyId, address[] calldata requesters) private returns (bool) {
        uint256 n = requesters.length;
        for (uint256 i; i < n; ++i) {
            address r = requesters[i];
            if (r == address(0)) revert WorkflowRegistryZeroRequester(i);
            if (_requesterAllowed[policyId][r]) revert WorkflowRegistryDuplicateRequester(r);
            _requesterAllowed[policyId][r] = true;
            _requestersOf[policyId].push(r);
        }
        return n != 0;
    }

    // ---------------------------------------------------------------- helpers

    /// @dev The interned id of `requester`, assigning the next one on its first task here.
    function _internRequester(address requester) private returns (uint32 id) {
        id = _requesterIdOf[requester];
        if (id == 0) {
            id = ++_requesterCount;
            _requesterIdOf[requester] = id;
            _requesterAt[id] = requester;
        }
    }

    /// @dev The account that requested `taskId` (zero for an unknown task).
    function _requesterOf(bytes32 taskId) internal view returns (address) {
        return _requesterAt[_tasks[taskId].requesterId()];
    }

    /// @dev The task, which must exist, be active and be before its deadline.
    function _liveTask(bytes32 taskId) internal view returns (TaskState s) {
        s = _tasks[taskId];
        if (s.isEmpty()) revert AgentHandlerTaskNotFound(taskId);
        if (s.status() != uint8(TaskStatus.Active)) revert AgentHandlerTaskNotActive(taskId, TaskStatus(s.status()));
        if (block.timestamp >= s.deadline()) revert AgentHandlerDeadlinePassed(taskId, s.deadline(), block.timestamp);
    }

    /// @dev The registered policy `policyId` with `count` stages, as {workflowPolicy} returns it.
    function _policyOf(uint32 policyId, uint256 count) private view returns (WorkflowPolicy memory p) {
        p.stages = new StagePolicy[](count);
        bool minFinalSet;
        for (uint256 i; i < count; ++i) {
            StageConfig c = _stages[policyId][i];
            p.stages[i] = StagePolicy({
                resolution: c.isSync() ? Resolution.Sync : Resolution.Async,
                gating: c.isGating(),
                input: c.isChained() ? InputSource.PreviousOutput : InputSource.AttestedTaskInput,
                verifier: c.verifier(),
                verifierGasLimit: c.gasLimit()
            });
            if (!minFinalSet && c.finalAllowed()) {
                p.minFinalStage = uint8(i);
                minFinalSet = true;
            }
        }
        p.pipelineHash = _pipelineHashOf[policyId];
        p.agentAuth = AgentAuth(_stages[policyId][0].agentAuth());
        p.agentRegistry = _agentRegistryOf[policyId];
        p.agents = _agentsOf[policyId];
        p.requesters = _requestersOf[policyId];
    }

    function _stageCount(uint32 policyId) private view returns (uint8) {
        return uint8(_policyRef[_workflowHashOf[policyId]] >> STAGE_COUNT_SHIFT);
    }

    /// @dev Reverts unless `account` is a contract, and not an EIP-7702-delegated EOA.
    function _requireContract(address account, uint8 stage) private view {
        if (account.code.length == 0) revert WorkflowRegistryVerifierHasNoCode(stage, account);
        if (_isDelegated(account)) revert WorkflowRegistryDelegatedAccount(account);
    }

    /// @dev Whether `account`'s code is an EIP-7702 delegation designator (`0xef0100 ‖ address`).
    function _isDelegated(address account) private view returns (bool) {
        bytes memory code = account.code;
        return code.length == 23 && code[0] == 0xef && code[1] == 0x01 && code[2] == 0x00;
    }

    /// @dev The step digest `keccak256(abi.encode(inputHash, outputHash, agent, isFinal))`.
    function _digest(bytes32 inputHash, bytes32 outputHash, address agent, bool isFinal)
        internal
        pure
        returns (bytes32 d)
    {
        assembly ("memory-safe") {
            let p := mload(0x40)
            mstore(p, inputHash)
            mstore(add(p, 0x20), outputHash)
            mstore(add(p, 0x40), and(agent, 0xffffffffffffffffffffffffffffffffffffffff))
            mstore(add(p, 0x60), iszero(iszero(isFinal)))
            d := keccak256(p, 0x80)
        }
    }

    // ---------------------------------------------------------------- hooks for inheriting dApps

    /// @dev Called when a task is opened.
    function _onTaskOpened(bytes32 taskId, address requester, bytes32 agentWorkflowHash, bytes32 inputHash, uint256 deadline)
        internal
        virtual
    {}

    /// @dev Called after a step is recorded (`output` is the step's calldata, `appData` its `data` after the witness).
    function _onStepAccepted(
        bytes32 taskId,
        uint8 stage,
        bytes32 outputHash,
        bytes calldata output,
        uint256 agentId,
        address agent,
        bool isFinal,
        bytes calldata appData
    ) internal virtual {}

    /// @dev Called when {stepAndProve} replaced the unproven step of `stage` and discarded `discardedLaterSteps`
    /// unproven later steps. Steps are only final once proven: act on {_onStageProven} / {_onTaskFinalized}, and use
    /// this hook to undo anything `_onStepAccepted` did for the replaced or discarded steps.
    function _onStepReplaced(bytes32 taskId, uint8 stage, uint8 discardedLaterSteps) internal virtual {}

    /// @dev Called when a stage's prove is approved.
    function _onStageProven(bytes32 taskId, uint8 stage, bytes32 digest) internal virtual {}

    /// @dev Called when a prove is rejected (nothing changed).
    function _onProveRejected(bytes32 taskId, uint8 stage, ProveRejection reason, bytes32 detail) internal virtual {}

    /// @dev Called when the final prove finalises the task; `outputHash` is the final stage's output, `requester`
    /// the account that requested the task (check it before paying or acting for it).
    function _onTaskFinalized(bytes32 taskId, uint8 finalStage, bytes32 outputHash, address requester)
        internal
        virtual
    {}

    /// @dev Called when a gating stage's non-approving verdict halts the task.
    function _onTaskHalted(bytes32 taskId, uint8 stage, bytes32 digest, address requester) internal virtual {}

    /// @dev Called when the task is marked expired.
    function _onTaskExpired(bytes32 taskId) internal virtual {}
}
