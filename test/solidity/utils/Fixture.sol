// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {vm, Assertions} from "./Vm.sol";
import {AgentCaller} from "../../../contracts/AgentCaller.sol";
import {AgentHandler} from "../../../contracts/AgentHandler.sol";
import {AgentTask} from "../../../contracts/interfaces/AgentTask.sol";
import {IAgentVerifier} from "../../../contracts/interfaces/IAgentVerifier.sol";
import {IAgentExecHandler} from "../../../contracts/interfaces/IAgentExecHandler.sol";
import {IWorkflowPolicyRegistry} from "../../../contracts/interfaces/IWorkflowPolicyRegistry.sol";
import {ConfigurableVerifier} from "../../../contracts/mocks/ConfigurableVerifier.sol";

/// @notice Shared deployment and helpers: one caller, one handler owned by the test, a configurable verifier,
/// two allowlisted agents, a requester and a stranger. Policies are built in memory and registered under fresh
/// workflow hashes; tasks are dispatched through the real {AgentCaller}.
abstract contract AgentExecFixture is Assertions {
    uint256 internal constant START_TIME = 1_750_000_000;
    uint256 internal constant TTL = 1 days;
    uint32 internal constant GAS = 200_000;
    /// @notice A declared sanitisation pipeline (a made-up CID's hash).
    bytes32 internal constant PIPELINE = keccak256("ipfs://bafy-sanitise-v1");
    /// @notice ERC-8299's identity pipeline: "no transform".
    bytes32 internal constant IDENTITY_PIPELINE = keccak256("ipfs://QmccvoM6aRVgZ2dtFWvT6Wm3DmTvoAUHHotK7uQufnStVR");

    IAgentVerifier.Verdict internal constant APPROVED = IAgentVerifier.Verdict.Approved;
    IAgentVerifier.Verdict internal constant DENIED = IAgentVerifier.Verdict.Denied;
    IAgentVerifier.Verdict internal constant INVALID = IAgentVerifier.Verdict.Invalid;

    IWorkflowPolicyRegistry.Resolution internal constant ASYNC = IWorkflowPolicyRegistry.Resolution.Async;
    IWorkflowPolicyRegistry.Resolution internal constant SYNC = IWorkflowPolicyRegistry.Resolution.Sync;
    IWorkflowPolicyRegistry.InputSource internal constant ATTESTED = IWorkflowPolicyRegistry.InputSource.AttestedTaskInput;
    IWorkflowPolicyRegistry.InputSource internal constant CHAINED = IWorkflowPolicyRegistry.InputSource.PreviousOutput;

    AgentCaller internal caller;
    AgentHandler internal handler;
    ConfigurableVerifier internal verifier;

    address internal agent;
    address internal agent2;
    address internal requester;
    address internal stranger;
    uint256 internal constant AGENT_ID = 7;

    bytes internal constant INPUT = "summarise the attached filing";
    bytes32 internal inputHash;

    uint256 private _nonce;

    function setUp() public virtual {
        vm.warp(START_TIME);
        caller = new AgentCaller();
        handler = new AgentHandler(address(caller), address(this));
        verifier = new ConfigurableVerifier(APPROVED);
        agent = vm.addr(0xA6E27);
        agent2 = vm.addr(0xA6E28);
        requester = vm.addr(0x4E9);
        stranger = vm.addr(0xBAD);
        inputHash = keccak256(INPUT);
    }

    // ---------------------------------------------------------------- policies

    function _stage(IWorkflowPolicyRegistry.Resolution r, bool gating, IWorkflowPolicyRegistry.InputSource src)
        internal
        view
        returns (IWorkflowPolicyRegistry.StagePolicy memory)
    {
        return IWorkflowPolicyRegistry.StagePolicy({
            resolution: r,
            gating: gating,
            input: src,
            verifier: address(verifier),
            verifierGasLimit: GAS
        });
    }

    /// @notice `n` stages of resolution `r`, not gating, each keyed on the attested task input.
    function _uniform(uint256 n, IWorkflowPolicyRegistry.Resolution r)
        internal
        view
        returns (IWorkflowPolicyRegistry.StagePolicy[] memory s)
    {
        s = new IWorkflowPolicyRegistry.StagePolicy[](n);
        for (uint256 i; i < n; ++i) {
            s[i] = _stage(r, false, ATTESTED);
        }
    }

    /// @notice A policy over `stages` with final allowed from `minFinal`, no pipeline, allowlist {agent, agent2}.
    function _policy(IWorkflowPolicyRegistry.StagePolicy[] memory stages, uint8 minFinal)
        internal
        view
        returns (IWorkflowPolicyRegistry.WorkflowPolicy memory p)
    {
        address[] memory agents = new address[](2);
        agents[0] = agent;
        agents[1] = agent2;
        p = IWorkflowPolicyRegistry.WorkflowPolicy({
            stages: stages,
            minFinalStage: minFinal,
            pipelineHash: bytes32(0),
            agentAuth: IWorkflowPolicyRegistry.AgentAuth.Allowlist,
            agentRegistry: address(0),
            agents: agents,
            requesters: new address[](0)
        });
    }

    /// @notice Registers `p` at {handler} under a fresh workflow hash.
    function _register(IWorkflowPolicyRegistry.WorkflowPolicy memory p) internal returns (bytes32 wf) {
        wf = keccak256(abi.encode("workflow", ++_nonce));
        handler.registerWorkflow(wf, p);
    }

    /// @notice Registers a workflow of `n` stages of resolution `r` that may only end at its last stage.
    function _registerUniform(uint256 n, IWorkflowPolicyRegistry.Resolution r) internal returns (bytes32) {
        return _register(_policy(_uniform(n, r), uint8(n - 1)));
    }

    // ---------------------------------------------------------------- tasks

    function _task(bytes32 wf, bytes32 salt, uint256 deadline) internal view returns (AgentTask memory t) {
        t = AgentTask({taskId: salt, agentWorkflowHash: wf, agentWorkflow: "", handler: address(handler), deadline: deadline});
    }

    /// @notice The id the caller derives: keccak256(abi.encode(chainid, caller, requester, handler, salt)).
    function _expectedTaskId(address req, address h, bytes32 salt) internal view returns (bytes32) {
        return keccak256(abi.encode(block.chainid, address(caller), req, h, salt));
    }

    /// @notice Dispatches a task of `wf` from {requester} with the default input and a one-day deadline.
    function _dispatch(bytes32 wf) internal returns (bytes32 taskId) {
        return _dispatchAt(wf, block.timestamp + TTL);
    }

    function _dispatchAt(bytes32 wf, uint256 deadline) internal returns (bytes32 taskId) {
        bytes32 salt = keccak256(abi.encode("salt", ++_nonce));
        vm.prank(requester);
        taskId = caller.callAgent(_task(wf, salt, deadline), inputHash, "");
    }

    /// @notice The output hash the fixture's agents produce at `stage`.
    function _out(uint8 stage) internal pure returns (bytes32) {
        return keccak256(abi.encode("output", stage));
    }

    /// @notice `data` carrying the witness `hash ‖ {agent}` (see {IAgentExecHandler}: stage 0's outputHash for an
    /// attested input, the previous stage's inputHash for a chained one; the referenced step's agent).
    function _w(bytes32 hash) internal view returns (bytes memory) {
        return abi.encodePacked(hash, agent);
    }

    /// @notice `data` carrying the witness `hash ‖ by` (the referenced step was recorded by `by`).
    function _w(bytes32 hash, address by) internal pure returns (bytes memory) {
        return abi.encodePacked(hash, by);
    }

    /// @notice `onAgentProve`'s proof: the prove header ({agent}) followed by the verifier's proof.
    function _ph(bytes memory verifierProof) internal view returns (bytes memory) {
        return abi.encodePacked(agent, verifierProof);
    }

    /// @notice `onAgentProve`'s proof for a step recorded by `by`.
    function _ph(address by, bytes memory verifierProof) internal pure returns (bytes memory) {
        return abi.encodePacked(by, verifierProof);
    }

    /// @notice A step by {agent} of a stage keyed on the attested input, with the fixture's output hash: stage 0
    /// needs no witness, later stages carry stage 0's output ({_out}(0)).
    function _step(bytes32 taskId, uint8 stage, bytes32 in_, bool isFinal) internal {
        bytes memory data = stage == 0 ? bytes("") : _w(_out(0));
        vm.prank(agent);
        handler.onAgentStep(taskId, in_, _out(stage), "", AGENT_ID, agent, stage, isFinal, data);
    }

    /// @notice A step by {agent} of a chained stage: its input is {_out}(stage - 1), its witness `prevInput`.
    function _stepChained(bytes32 taskId, uint8 stage, bytes32 prevInput, bool isFinal) internal {
        vm.prank(agent);
        handler.onAgentStep(taskId, _out(stage - 1), _out(stage), "", AGENT_ID, agent, stage, isFinal, _w(prevInput));
    }

    /// @notice The record the handler keeps for a non-final step by {agent}.
    function _stepDigest(bytes32 in_, bytes32 out) internal view returns (bytes32) {
        return keccak256(abi.encode(in_, out, agent, false));
    }

    /// @notice The record the handler keeps per step: keccak256(abi.encode(inputHash, outputHash, agent, isFinal)).
    function _stepDigest(bytes32 in_, bytes32 out, address by, bool isFinal) internal pure returns (bytes32) {
        return keccak256(abi.encode(in_, out, by, isFinal));
    }

    /// @notice A prove of the fixture's output at `stage` with a proof carrying `verdict` for {verifier}.
    function _prove(bytes32 taskId, uint8 stage, bytes32 in_, IAgentVerifier.Verdict verdict) internal {
        handler.onAgentProve(taskId, in_, _out(stage), _ph(_proof(verdict)), address(verifier), stage);
    }

    /// @notice A {ConfigurableVerifier} proof carrying `verdict`.
    function _proof(IAgentVerifier.Verdict verdict) internal pure returns (bytes memory) {
        return abi.encodePacked(uint8(verdict));
    }

    /// @notice The digest {verifier} reports for a prove by {handler} of a non-final step by {agent}.
    function _verifierDigest(bytes32 taskId, uint8 stage, bytes32 in_, bytes32 out, IAgentVerifier.Verdict verdict)
        internal
        view
        returns (bytes32)
    {
        return _verifierDigest(taskId, stage, agent, false, in_, out, verdict);
    }

    /// @notice The digest {verifier} reports for a prove by {handler} of a step by `by` with final flag `isFinal`.
    function _verifierDigest(
        bytes32 taskId,
        uint8 stage,
        address by,
        bool isFinal,
        bytes32 in_,
        bytes32 out,
        IAgentVerifier.Verdict verdict
    ) internal view returns (bytes32) {
        return keccak256(abi.encode(address(handler), taskId, stage, by, isFinal, in_, out, keccak256(_proof(verdict))));
    }

    /// @notice An {IAgentExecHandler.AgentStep} by {agent} with empty output.
    function _agentStep(bytes32 taskId, bytes32 in_, bytes32 out, uint8 stage, bool isFinal, bytes memory data)
        internal
        view
        returns (IAgentExecHandler.AgentStep memory)
    {
        return IAgentExecHandler.AgentStep({
            taskId: taskId,
            inputHash: in_,
            outputHash: out,
            output: "",
            agentId: AGENT_ID,
            agent: agent,
            stage: stage,
            isFinal: isFinal,
            data: data
        });
    }

    function _status(bytes32 taskId) internal view returns (IAgentExecHandler.TaskStatus) {
        return handler.taskOf(taskId).status;
    }

    function _assertStatus(bytes32 taskId, IAgentExecHandler.TaskStatus expected, string memory message) internal view {
        assertEq(uint256(handler.taskOf(taskId).status), uint256(expected), message);
    }
}
