// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Per-workflow stage policy, bound to `agentWorkflowHash` and immutable once registered
/// @notice ERC-8301 delegates stage state management to the verifier layer and leaves the workflow document's
/// format open. agent-exec answers both: the handler holds, per workflow hash, a policy derived deterministically
/// from the workflow document (see README, "Workflow policy"), and enforces it on every step and prove.
interface IWorkflowPolicyRegistry {
    /// @notice How a stage's prove is resolved.
    /// @dev `Async`: later steps may be recorded before this stage is proven (the final prove still needs it).
    /// `Sync`: the next step is refused until this stage is proven; a rejected prove gates and may be retried.
    enum Resolution {
        Async,
        Sync
    }

    /// @notice What a stage's step must declare as its `inputHash`.
    /// @dev `AttestedTaskInput`: the WYRIWE-attested task input (for stage 0 this is the sentinel check).
    /// `PreviousOutput`: the `outputHash` recorded for the previous stage (chains, routing, judging a result).
    enum InputSource {
        AttestedTaskInput,
        PreviousOutput
    }

    /// @notice Who may record steps.
    /// @dev `Allowlist`: agents listed in the policy. `Registry`: `agent` owns `agentId` in an ERC-8004 registry.
    /// `Open`: any account (still only for itself: `msg.sender == agent`).
    enum AgentAuth {
        Allowlist,
        Registry,
        Open
    }

    /// @notice One stage of a workflow.
    struct StagePolicy {
        Resolution resolution;
        /// A gating stage halts the task for good on a valid non-approving verdict. Gating stages must be `Sync`.
        bool gating;
        InputSource input;
        /// The ERC-8274-style verifier every prove of this stage must name and pass.
        address verifier;
        /// Gas forwarded to the verifier (10,000 to 5,000,000: `AgentHandler.MIN_VERIFIER_GAS` / `MAX_VERIFIER_GAS`).
        uint32 verifierGasLimit;
    }

    /// @notice A workflow's policy, as registered.
    struct WorkflowPolicy {
        /// 1 to 64 stages (`AgentHandler.MAX_STAGES`), stepped in order.
        StagePolicy[] stages;
        /// The earliest stage whose step may carry `isFinal`; the last stage always must.
        uint8 minFinalStage;
        /// keccak256 of the declared sanitisation pipeline's URI (CID); zero, or the ERC-8299 identity pipeline,
        /// means "no transform" and the WYRIWE sentinel applies: attested inputHash == declared inputHash.
        bytes32 pipelineHash;
        AgentAuth agentAuth;
        /// The ERC-8004 identity registry, for `AgentAuth.Registry` (zero otherwise).
        address agentRegistry;
        /// The authorised agents, for `AgentAuth.Allowlist` (empty otherwise; at most 64).
        address[] agents;
        /// The accounts that may request tasks of this workflow through the caller; empty: anyone.
        address[] requesters;
    }

    /// @notice Emitted once per workflow registration.
    /// @param policyDigest `keccak256(abi.encode(policy))` of the policy as registered (after normalisation).
    event WorkflowRegistered(
        bytes32 indexed agentWorkflowHash, uint32 indexed policyId, uint8 stageCount, bytes32 policyDigest
    );

    /// @notice The workflow hash is zero.
    error WorkflowRegistryZeroWorkflowHash();
    /// @notice A policy is already registered for the workflow hash (policies never change).
    error WorkflowRegistryAlreadyRegistered(bytes32 agentWorkflowHash);
    /// @notice No policy is registered for the workflow hash.
    error WorkflowRegistryNotRegistered(bytes32 agentWorkflowHash);
    /// @notice A workflow needs 1 to `max` stages.
    error WorkflowRegistryInvalidStageCount(uint256 count, uint256 max);
    /// @notice `minFinalStage` must name one of the stages.
    error WorkflowRegistryInvalidMinFinalStage(uint8 minFinalStage, uint256 stageCount);
    /// @notice A gating stage after `minFinalStage` could be skipped by finishing early.
    error WorkflowRegistryGateAfterMinFinalStage(uint8 stage, uint8 minFinalStage);
    /// @notice The stage's verifier is not a contract.
    error WorkflowRegistryVerifierHasNoCode(uint8 stage, address verifier);
    /// @notice The stage's verifier does not declare {IAgentVerifier} through ERC-165.
    error WorkflowRegistryVerifierNotSupported(uint8 stage, address verifier);
    /// @notice `account` is an EIP-7702-delegated EOA, whose code its owner can change: not allowed in a policy.
    error WorkflowRegistryDelegatedAccount(address account);
    /// @notice The verifier's gas allowance is outside `[min, max]`.
    error WorkflowRegistryVerifierGasLimitOutOfRange(uint8 stage, uint32 gasLimit, uint32 min, uint32 max);
    /// @notice Gating stages must be `Sync`: a gate stands before the dependent step.
    error WorkflowRegistryGatingRequiresSync(uint8 stage);
    /// @notice Stage 0 has no previous stage to chain on.
    error WorkflowRegistryFirstStageCannotChain();
    /// @notice `AgentAuth.Allowlist` with no agents.
    error WorkflowRegistryEmptyAllowlist();
    /// @notice Allowlist entry `index` is the zero address.
    error WorkflowRegistryZeroAgent(uint256 index);
    /// @notice `agent` is listed twice.
    error WorkflowRegistryDuplicateAgent(address agent);
    /// @notice `AgentAuth.Registry` needs a registry contract.
    error WorkflowRegistryInvalidAgentRegistry(address registry);
    /// @notice An agent registry was given for an auth mode that does not use one.
    error WorkflowRegistryUnexpectedAgentRegistry(AgentAuth agentAuth, address registry);
    /// @notice An allowlist was given for an auth mode that does not use one.
    error WorkflowRegistryUnexpectedAgents(AgentAuth agentAuth, uint256 count);
    /// @notice The registry has no policy ids left.
    error WorkflowRegistryTooManyPolicies();
    /// @notice An allowlist holds at most `max` agents.
    error WorkflowRegistryTooManyAgents(uint256 count, uint256 max);
    /// @notice Requester entry `index` is the zero address.
    error WorkflowRegistryZeroRequester(uint256 index);
    /// @notice `requester` is listed twice.
    error WorkflowRegistryDuplicateRequester(address requester);

    /// @notice Registers `policy` for `agentWorkflowHash`. Once registered it can never change.
    /// @return policyId The compact id the handler stores per task.
    function registerWorkflow(bytes32 agentWorkflowHash, WorkflowPolicy calldata policy)
        external
        returns (uint32 policyId);

    /// @notice Whether a policy is registered for `agentWorkflowHash`.
    function isWorkflowRegistered(bytes32 agentWorkflowHash) external view returns (bool);

    /// @notice The registered policy of `agentWorkflowHash` (normalised: the identity pipeline reads as zero).
    function workflowPolicy(bytes32 agentWorkflowHash) external view returns (WorkflowPolicy memory);

    /// @notice `keccak256(abi.encode(policy))` of the policy registered for `agentWorkflowHash` (as emitted in
    /// {WorkflowRegistered}), or zero if none: compare it with the policy a workflow document derives.
    function workflowPolicyDigest(bytes32 agentWorkflowHash) external view returns (bytes32);

    /// @notice Whether `requester` may request tasks of workflow `agentWorkflowHash` (false if not registered).
    function isRequesterAllowed(bytes32 agentWorkflowHash, address requester) external view returns (bool);

    /// @notice Whether `agent` (claiming `agentId`) may record steps of workflow `agentWorkflowHash`.
    function isAgentAuthorized(bytes32 agentWorkflowHash, address agent, uint256 agentId) external view returns (bool);
}
