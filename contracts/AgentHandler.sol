// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {ERC165} from "@openzeppelin/contracts/utils/introspection/ERC165.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IAgentHandler} from "./interfaces/IAgentHandler.sol";
import {IAgentExecHandler} from "./interfaces/IAgentExecHandler.sol";
import {IAgentTaskReceiver} from "./interfaces/IAgentTaskReceiver.sol";
import {IAgentVerifier} from "./interfaces/IAgentVerifier.sol";
import {IAgentIdentityRegistry} from "./interfaces/IAgentIdentityRegistry.sol";
import {IWorkflowPolicyRegistry} from "./interfaces/IWorkflowPolicyRegistry.sol";
import {TaskState, TaskStateLib} from "./libraries/TaskState.sol";
import {StageConfig, StageConfigLib} from "./libraries/StageConfig.sol";
import {BoundedCall} from "./libraries/BoundedCall.sol";
import {Wyriwe} from "./libraries/Wyriwe.sol";

/// @title ERC-8301 handler enforcing step–prove staging on-chain
/// @notice Holds each task's state, enforces its workflow's registered policy on every `onAgentStep` and
/// `onAgentProve`, and exposes internal virtual hooks (`_onStepAccepted`, `_onStageProven`, `_onTaskFinalized`, …)
/// so a dApp can inherit it and act on results. Rules, each in one place below:
/// - dispatch: only from the trusted {agentCaller}; the workflow must be registered; ids are never reused.
/// - steps: authorised agent, live task, stages in order, sync stages gate the next step, `isFinal` as the policy
///   allows, output hash binding, WYRIWE sentinel at stage 0 and attested / chained inputs after it.
/// - proves: bound to the recorded step; the stage's verifier, called with a gas cap, bounded return data and no
///   way to revert the prove; gating stages halt on a valid non-approving verdict; the final prove needs every
///   earlier stage proven (O(1) bitmap).
/// - deadlines: nothing is accepted at or after the deadline; anyone may then expire the task.
/// Registration of workflow policies is restricted to the owner (override {_checkRegistrar} to change that).
contract AgentHandler is
    IAgentExecHandler,
    IAgentTaskReceiver,
    IWorkflowPolicyRegistry,
    ERC165,
    Ownable2Step,
    ReentrancyGuardTransient
{
    /// @notice The most stages a workflow may declare (one bit each in the task word's proven-bitmap).
    uint8 public constant MAX_STAGES = 32;
    /// @notice Bounds of a stage verifier's gas allowance.
    uint32 public constant MIN_VERIFIER_GAS = 10_000;
    uint32 public constant MAX_VERIFIER_GAS = 5_000_000;
    /// @notice Gas allowance of an ERC-8004 registry lookup.
    uint256 public constant REGISTRY_LOOKUP_GAS = 50_000;

    uint256 private constant POLICY_ID_MASK = 0xffffffff;
    uint256 private constant HAS_PIPELINE_BIT = 1 << 32;
    uint256 private constant STAGE_COUNT_SHIFT = 40;

    address private immutable _AGENT_CALLER;

    /// @dev taskId => packed task word.
    mapping(bytes32 taskId => TaskState) private _tasks;
    /// @dev taskId => stage => recorded outputHash. Slot 0 holds the expected attested input until step 0, so that
    /// the sentinel is checked against the full hash and the first step rewrites a slot instead of creating one.
    mapping(bytes32 taskId => mapping(uint256 stage => bytes32)) private _outputs;

    uint32 private _policyCount;
    /// @dev workflowHash => policyId | hasPipeline << 32 | stageCount << 40 (zero: not registered).
    mapping(bytes32 workflowHash => uint256) private _policyRef;
    mapping(uint32 policyId => bytes32) private _workflowHashOf;
    mapping(uint32 policyId => mapping(uint256 stage => StageConfig)) private _stages;
    mapping(uint32 policyId => bytes32) private _pipelineHashOf;
    mapping(uint32 policyId => address) private _agentRegistryOf;
    mapping(uint32 policyId => mapping(address agent => bool)) private _agentAllowed;
    mapping(uint32 policyId => address[]) private _agentsOf;

    /// @param agentCaller_ The only {IAgentTaskReceiver-agentCaller} allowed to open tasks here.
    /// @param initialOwner The account allowed to register workflow policies.
    constructor(address agentCaller_, address initialOwner) Ownable(initialOwner) {
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
    function onAgentTaskDispatched(
        bytes32 taskId,
        address requester,
        bytes32 agentWorkflowHash,
        bytes32 inputHash,
        uint256 deadline
    ) external nonReentrant returns (bytes4) {
        if (msg.sender != _AGENT_CALLER) revert AgentHandlerUnauthorizedCaller(msg.sender);
        _openTask(taskId, requester, agentWorkflowHash, inputHash, deadline);
        return IAgentTaskReceiver.onAgentTaskDispatched.selector;
    }

    // ---------------------------------------------------------------- steps and proves

    /// @inheritdoc IAgentHandler
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
        if (msg.sender != agent) revert AgentHandlerCallerNotAgent(msg.sender, agent);
        _recordStep(taskId, inputHash, outputHash, output, agentId, agent, stage, isFinal);
        _onStepAccepted(taskId, stage, outputHash, output, agentId, agent, isFinal, data);
    }

    /// @inheritdoc IAgentHandler
    /// @dev Permissionless: the verifier, not the submitter, is what must be convinced. A rejected prove changes
    /// nothing but an event, so garbage from a third party can neither halt nor advance a task.
    function onAgentProve(
        bytes32 taskId,
        bytes32 inputHash,
        bytes32 outputHash,
        bytes calldata proof,
        address verifier,
        uint8 stage
    ) external nonReentrant {
        _recordProve(taskId, inputHash, outputHash, proof, verifier, stage);
    }

    /// @inheritdoc IAgentExecHandler
    function expireTask(bytes32 taskId) external nonReentrant {
        TaskState s = _tasks[taskId];
        if (s.isEmpty()) revert AgentHandlerTaskNotFound(taskId);
        if (s.status() != uint8(TaskStatus.Active)) revert AgentHandlerTaskNotActive(taskId, TaskStatus(s.status()));
        if (block.timestamp < s.deadline()) revert AgentHandlerDeadlineNotPassed(taskId, s.deadline(), block.timestamp);
        _tasks[taskId] = s.withStatus(uint8(TaskStatus.Expired));
        emit AgentTaskExpired(taskId);
        _onTaskExpired(taskId);
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
    function workflowPolicy(bytes32 agentWorkflowHash) public view returns (WorkflowPolicy memory p) {
        uint256 ref = _policyRef[agentWorkflowHash];
        if (ref == 0) revert AgentHandlerWorkflowNotRegistered(agentWorkflowHash);
        uint32 policyId = uint32(ref & POLICY_ID_MASK);
        uint256 count = ref >> STAGE_COUNT_SHIFT;
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
        v.agentWorkflowHash = _workflowHashOf[s.policyId()];
        v.deadline = s.deadline();
        v.steppedStages = s.stepped();
        v.provenStages = s.proven();
        v.finalStepped = s.finalStepped();
        v.pastDeadline = block.timestamp >= s.deadline();
    }

    /// @inheritdoc IAgentExecHandler
    function stepOutputHash(bytes32 taskId, uint8 stage) external view returns (bytes32) {
        if (stage >= _tasks[taskId].stepped()) return bytes32(0);
        return _outputs[taskId][stage];
    }

    /// @inheritdoc ERC165
    function supportsInterface(bytes4 interfaceId) public view virtual override returns (bool) {
        return interfaceId == type(IAgentHandler).interfaceId || interfaceId == type(IAgentExecHandler).interfaceId
            || interfaceId == type(IAgentTaskReceiver).interfaceId
            || interfaceId == type(IWorkflowPolicyRegistry).interfaceId || super.supportsInterface(interfaceId);
    }

    // ---------------------------------------------------------------- core rules (internal, virtual)

    /// @dev Opens a task: the workflow must be registered and the id fresh. Stores the task word and, in the
    /// stage-0 output slot, the attested input hash the first step must declare (WYRIWE).
    function _openTask(bytes32 taskId, address requester, bytes32 agentWorkflowHash, bytes32 inputHash, uint256 deadline)
        internal
        virtual
    {
        if (!_tasks[taskId].isEmpty()) revert AgentHandlerTaskIdReused(taskId);
        uint256 ref = _policyRef[agentWorkflowHash];
        if (ref == 0) revert AgentHandlerWorkflowNotRegistered(agentWorkflowHash);
        uint32 policyId = uint32(ref & POLICY_ID_MASK);
        bytes32 attested =
            ref & HAS_PIPELINE_BIT == 0 ? inputHash : Wyriwe.attestedInputHash(inputHash, _pipelineHashOf[policyId]);
        if (deadline <= block.timestamp || deadline > type(uint40).max) {
            revert AgentHandlerDeadlinePassed(taskId, deadline, block.timestamp);
        }
        _tasks[taskId] =
            TaskStateLib.open(_fingerprint(taskId, attested), policyId, uint40(deadline), uint8(TaskStatus.Active));
        _outputs[taskId][0] = attested;
        emit AgentTaskOpened(taskId, agentWorkflowHash, attested, deadline);
        _onTaskOpened(taskId, requester, agentWorkflowHash, inputHash, deadline);
    }

    /// @dev Every rule a step must meet, then the record.
    function _recordStep(
        bytes32 taskId,
        bytes32 inputHash,
        bytes32 outputHash,
        bytes calldata output,
        uint256 agentId,
        address agent,
        uint8 stage,
        bool isFinal
    ) internal virtual {
        TaskState s = _liveTask(taskId);
        StageConfig cfg = _stages[s.policyId()][stage];
        if (!cfg.exists()) revert AgentHandlerStageOutOfRange(taskId, stage, _stageCount(s.policyId()));
        if (s.finalStepped()) revert AgentHandlerSteppingClosed(taskId);
        if (stage != s.stepped()) revert AgentHandlerStageOutOfOrder(taskId, stage, s.stepped());
        if (s.pendingSync() && !s.isProven(stage - 1)) revert AgentHandlerSyncStageUnproven(taskId, stage - 1);
        if (isFinal ? !cfg.finalAllowed() : cfg.isLast()) revert AgentHandlerFinalFlagInvalid(taskId, stage, isFinal);
        if (!_isAuthorized(cfg.agentAuth(), s.policyId(), agent, agentId)) {
            revert AgentHandlerUnauthorizedAgent(taskId, agent, agentId);
        }
        if (outputHash == bytes32(0)) revert AgentHandlerZeroOutputHash(taskId, stage);
        if (output.length != 0) {
            bytes32 computed = keccak256(output);
            if (computed != outputHash) revert AgentHandlerOutputHashMismatch(taskId, outputHash, computed);
        }
        _checkStepInput(taskId, s, cfg, stage, inputHash);

        _outputs[taskId][stage] = outputHash;
        _tasks[taskId] = s.recordStep(isFinal, cfg.isSync());
        emit AgentStepAccepted(taskId, stage, agent, agentId, inputHash, outputHash, isFinal);
    }

    /// @dev The input a step must declare: stage 0 the attested input in full (the WYRIWE sentinel, or the declared
    /// transform), later stages the attested input (by fingerprint) or the previous stage's recorded output.
    function _checkStepInput(bytes32 taskId, TaskState s, StageConfig cfg, uint8 stage, bytes32 inputHash)
        private
        view
    {
        if (stage == 0) {
            bytes32 expected = _outputs[taskId][0];
            if (inputHash != expected) revert AgentHandlerWyriweViolation(taskId, expected, inputHash);
        } else if (cfg.isChained()) {
            bytes32 expected = _outputs[taskId][stage - 1];
            if (inputHash != expected) revert AgentHandlerInputNotChained(taskId, stage, expected, inputHash);
        } else if (_fingerprint(taskId, inputHash) != s.fingerprint()) {
            revert AgentHandlerInputNotAttested(taskId, stage, inputHash);
        }
    }

    /// @dev Every rule a prove must meet, the bounded verifier call, then the verdict's effect.
    function _recordProve(
        bytes32 taskId,
        bytes32 inputHash,
        bytes32 outputHash,
        bytes calldata proof,
        address verifier,
        uint8 stage
    ) internal virtual {
        TaskState s = _liveTask(taskId);
        if (stage >= s.stepped()) revert AgentHandlerStepNotRecorded(taskId, stage);
        if (s.isProven(stage)) revert AgentHandlerStageAlreadyProven(taskId, stage);
        StageConfig cfg = _stages[s.policyId()][stage];
        if (verifier != cfg.verifier()) revert AgentHandlerVerifierMismatch(taskId, stage, cfg.verifier(), verifier);
        if (!_bindsToStep(taskId, s, cfg, stage, inputHash, outputHash)) {
            revert AgentHandlerProveBindingMismatch(taskId, stage, inputHash, outputHash);
        }
        bool isFinalStage = s.finalStepped() && stage == s.stepped() - 1;
        if (isFinalStage) {
            uint32 missing = s.unprovenBefore(stage);
            if (missing != 0) revert AgentHandlerEarlierStagesUnproven(taskId, missing);
        }

        (ProveRejection rejection, IAgentVerifier.Verdict verdict, bytes32 detail) =
            _callVerifier(verifier, cfg.gasLimit(), taskId, stage, inputHash, outputHash, proof);

        // The reentrancy guard covers every state-changing entry point, so `s` is still current here.
        if (rejection == ProveRejection.None && verdict == IAgentVerifier.Verdict.Approved) {
            s = s.markProven(stage);
            if (isFinalStage) s = s.withStatus(uint8(TaskStatus.Finalized));
            _tasks[taskId] = s;
            emit AgentStageProven(taskId, stage, verifier, detail);
            _onStageProven(taskId, stage, detail);
            if (isFinalStage) {
                emit AgentTaskFinalized(taskId, stage, outputHash);
                _onTaskFinalized(taskId, stage, outputHash);
            }
        } else if (rejection == ProveRejection.Denied && cfg.isGating()) {
            _tasks[taskId] = s.withStatus(uint8(TaskStatus.Halted));
            emit AgentTaskHalted(taskId, stage, detail);
            _onTaskHalted(taskId, stage, detail);
        } else {
            emit AgentProveRejected(taskId, stage, verifier, rejection, detail);
            _onProveRejected(taskId, stage, rejection, detail);
        }
    }

    /// @dev Whether `(inputHash, outputHash)` is exactly what was recorded for `stage`.
    function _bindsToStep(
        bytes32 taskId,
        TaskState s,
        StageConfig cfg,
        uint8 stage,
        bytes32 inputHash,
        bytes32 outputHash
    ) private view returns (bool) {
        if (outputHash != _outputs[taskId][stage]) return false;
        if (stage != 0 && cfg.isChained()) return inputHash == _outputs[taskId][stage - 1];
        return _fingerprint(taskId, inputHash) == s.fingerprint();
    }

    /// @dev Calls the stage verifier so that nothing it does can revert the prove or grief the task: gas-capped,
    /// at most 64 bytes of return data read, every failure mapped to a {ProveRejection}.
    function _callVerifier(
        address verifier,
        uint256 gasLimit,
        bytes32 taskId,
        uint8 stage,
        bytes32 inputHash,
        bytes32 outputHash,
        bytes calldata proof
    ) internal virtual returns (ProveRejection rejection, IAgentVerifier.Verdict verdict, bytes32 detail) {
        BoundedCall.Result memory r = BoundedCall.call(
            verifier,
            gasLimit,
            abi.encodeCall(IAgentVerifier.verifyStage, (taskId, stage, inputHash, outputHash, proof))
        );
        if (!r.success) {
            if (r.outOfGas) return (ProveRejection.VerifierOutOfGas, verdict, bytes32(0));
            return (ProveRejection.VerifierReverted, verdict, r.returnSize >= 4 ? r.word0 & bytes32(bytes4(0xffffffff)) : bytes32(0));
        }
        if (r.returnSize != 64 || uint256(r.word0) > uint256(type(uint8).max)) {
            return (ProveRejection.MalformedVerdict, verdict, bytes32(0));
        }
        uint256 v = uint256(r.word0);
        if (v == uint256(IAgentVerifier.Verdict.Approved)) return (ProveRejection.None, IAgentVerifier.Verdict.Approved, r.word1);
        if (v == uint256(IAgentVerifier.Verdict.Denied)) return (ProveRejection.Denied, IAgentVerifier.Verdict.Denied, r.word1);
        if (v == uint256(IAgentVerifier.Verdict.Invalid)) return (ProveRejection.InvalidProof, verdict, r.word1);
        return (ProveRejection.MalformedVerdict, verdict, bytes32(0));
    }

    /// @dev Whether `agent` (claiming `agentId`) may step a task of policy `policyId`. Override to customise.
    function _isAuthorized(uint8 auth, uint32 policyId, address agent, uint256 agentId)
        internal
        view
        virtual
        returns (bool)
    {
        if (auth == uint8(AgentAuth.Allowlist)) return _agentAllowed[policyId][agent];
        if (auth == uint8(AgentAuth.Registry)) {
            (bool ok, bytes32 owner) = BoundedCall.staticWord(
                _agentRegistryOf[policyId],
                REGISTRY_LOOKUP_GAS,
                abi.encodeCall(IAgentIdentityRegistry.ownerOf, (agentId))
            );
            return ok && owner == bytes32(uint256(uint160(agent)));
        }
        return true;
    }

    /// @dev Who may register workflow policies. Defaults to the owner.
    function _checkRegistrar() internal view virtual {
        _checkOwner();
    }

    /// @dev Validates and stores `policy`. Policies are immutable: there is no path that changes one.
    function _registerWorkflow(bytes32 agentWorkflowHash, WorkflowPolicy calldata policy)
        internal
        virtual
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
        for (uint256 i; i < count; ++i) {
            _stages[policyId][i] = _validateStage(uint8(i), policy.stages[i], i >= policy.minFinalStage, i == count - 1, auth);
        }

        bool sentinel = Wyriwe.isSentinel(policy.pipelineHash);
        if (!sentinel) _pipelineHashOf[policyId] = policy.pipelineHash;
        _workflowHashOf[policyId] = agentWorkflowHash;
        _policyRef[agentWorkflowHash] =
            uint256(policyId) | (sentinel ? 0 : HAS_PIPELINE_BIT) | (count << STAGE_COUNT_SHIFT);

        emit WorkflowRegistered(agentWorkflowHash, policyId, uint8(count), keccak256(abi.encode(workflowPolicy(agentWorkflowHash))));
    }

    function _validateStage(uint8 i, StagePolicy calldata st, bool finalAllowed, bool last, uint8 auth)
        private
        view
        returns (StageConfig)
    {
        if (st.verifier.code.length == 0) revert WorkflowRegistryVerifierHasNoCode(i, st.verifier);
        if (st.verifierGasLimit < MIN_VERIFIER_GAS || st.verifierGasLimit > MAX_VERIFIER_GAS) {
            revert WorkflowRegistryVerifierGasLimitOutOfRange(i, st.verifierGasLimit, MIN_VERIFIER_GAS, MAX_VERIFIER_GAS);
        }
        bool sync = st.resolution == Resolution.Sync;
        if (st.gating && !sync) revert WorkflowRegistryGatingRequiresSync(i);
        bool chained = st.input == InputSource.PreviousOutput;
        if (chained && i == 0) revert WorkflowRegistryFirstStageCannotChain();
        return StageConfigLib.pack(st.verifier, st.verifierGasLimit, sync, st.gating, chained, finalAllowed, last, auth);
    }

    function _registerAgents(uint32 policyId, WorkflowPolicy calldata policy) private {
        if (policy.agentAuth == AgentAuth.Allowlist) {
            if (policy.agentRegistry != address(0)) revert WorkflowRegistryUnexpectedAgentConfig(policy.agentAuth);
            uint256 n = policy.agents.length;
            if (n == 0) revert WorkflowRegistryEmptyAllowlist();
            for (uint256 i; i < n; ++i) {
                address a = policy.agents[i];
                if (a == address(0)) revert WorkflowRegistryZeroAgent(i);
                if (_agentAllowed[policyId][a]) revert WorkflowRegistryDuplicateAgent(a);
                _agentAllowed[policyId][a] = true;
                _agentsOf[policyId].push(a);
            }
        } else if (policy.agentAuth == AgentAuth.Registry) {
            if (policy.agents.length != 0) revert WorkflowRegistryUnexpectedAgentConfig(policy.agentAuth);
            if (policy.agentRegistry.code.length == 0) revert WorkflowRegistryInvalidAgentRegistry(policy.agentRegistry);
            _agentRegistryOf[policyId] = policy.agentRegistry;
        } else if (policy.agents.length != 0 || policy.agentRegistry != address(0)) {
            revert WorkflowRegistryUnexpectedAgentConfig(policy.agentAuth);
        }
    }

    // ---------------------------------------------------------------- helpers

    /// @dev The task, which must exist, be active and be before its deadline.
    function _liveTask(bytes32 taskId) internal view returns (TaskState s) {
        s = _tasks[taskId];
        if (s.isEmpty()) revert AgentHandlerTaskNotFound(taskId);
        if (s.status() != uint8(TaskStatus.Active)) revert AgentHandlerTaskNotActive(taskId, TaskStatus(s.status()));
        if (block.timestamp >= s.deadline()) revert AgentHandlerDeadlinePassed(taskId, s.deadline(), block.timestamp);
    }

    function _stageCount(uint32 policyId) private view returns (uint8) {
        return uint8(_policyRef[_workflowHashOf[policyId]] >> STAGE_COUNT_SHIFT);
    }

    /// @dev 128-bit binding of the attested input for checks after stage 0 (second-preimage cost 2^128).
    function _fingerprint(bytes32 taskId, bytes32 attested) private pure returns (uint128 fp) {
        assembly ("memory-safe") {
            mstore(0x00, taskId)
            mstore(0x20, attested)
            fp := shr(128, keccak256(0x00, 0x40))
        }
    }

    // ---------------------------------------------------------------- hooks for inheriting dApps

    /// @dev Called when a task is opened.
    function _onTaskOpened(bytes32 taskId, address requester, bytes32 agentWorkflowHash, bytes32 inputHash, uint256 deadline)
        internal
        virtual
    {}

    /// @dev Called after a step is recorded (`output` and `data` are the step's calldata).
    function _onStepAccepted(
        bytes32 taskId,
        uint8 stage,
        bytes32 outputHash,
        bytes calldata output,
        uint256 agentId,
        address agent,
        bool isFinal,
        bytes calldata data
    ) internal virtual {}

    /// @dev Called when a stage's prove is approved.
    function _onStageProven(bytes32 taskId, uint8 stage, bytes32 digest) internal virtual {}

    /// @dev Called when a prove is rejected (nothing changed).
    function _onProveRejected(bytes32 taskId, uint8 stage, ProveRejection reason, bytes32 detail) internal virtual {}

    /// @dev Called when the final prove finalises the task; `outputHash` is the final stage's output.
    function _onTaskFinalized(bytes32 taskId, uint8 finalStage, bytes32 outputHash) internal virtual {}

    /// @dev Called when a gating stage's non-approving verdict halts the task.
    function _onTaskHalted(bytes32 taskId, uint8 stage, bytes32 digest) internal virtual {}

    /// @dev Called when the task is marked expired.
    function _onTaskExpired(bytes32 taskId) internal virtual {}
}
