// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {vm} from "./utils/Vm.sol";
import {AgentExecFixture} from "./utils/Fixture.sol";
import {AgentCaller} from "../../contracts/AgentCaller.sol";
import {AgentTask} from "../../contracts/interfaces/AgentTask.sol";
import {IAgentCaller} from "../../contracts/interfaces/IAgentCaller.sol";
import {IAgentExecCaller} from "../../contracts/interfaces/IAgentExecCaller.sol";
import {IAgentExecHandler} from "../../contracts/interfaces/IAgentExecHandler.sol";
import {IAgentExecHandlerErrors} from "../../contracts/interfaces/IAgentExecHandlerErrors.sol";
import {IAgentExecHandlerEvents} from "../../contracts/interfaces/IAgentExecHandlerEvents.sol";
import {IWorkflowPolicyRegistry} from "../../contracts/interfaces/IWorkflowPolicyRegistry.sol";
import {EcdsaAttestationVerifier} from "../../contracts/verifiers/EcdsaAttestationVerifier.sol";

/// @notice Hostile actors with only public entry points: a front-runner copying a pending `callAgent`, replayed
/// steps and proves, proves carried over from another task, unauthorised agents and impersonators, a rogue caller
/// contract, and a stranger trying to halt a gated task. Each is refused with its named error or changes nothing.
contract HostileActorsTest is AgentExecFixture {
    uint256 internal constant ATTESTER_PK = 0xA77E57;
    EcdsaAttestationVerifier internal ecdsa;
    bytes32 internal wf;

    function setUp() public override {
        super.setUp();
        address[] memory a = new address[](1);
        a[0] = vm.addr(ATTESTER_PK);
        ecdsa = new EcdsaAttestationVerifier(a, 1);
        IWorkflowPolicyRegistry.StagePolicy[] memory s = _uniform(2, SYNC);
        s[0].gating = true;
        s[0].verifier = address(ecdsa);
        s[1].verifier = address(ecdsa);
        wf = _register(_policy(s, 1));
    }

    /// @dev The attester's signature over a non-final step by {agent}.
    function _attest(bytes32 t, uint8 stage, bytes32 in_, bytes32 out, uint8 verdict) internal view returns (bytes memory) {
        return _attest(t, stage, agent, false, in_, out, verdict);
    }

    /// @dev The attester's signature over a step by `by` with final flag `isFinal`.
    function _attest(bytes32 t, uint8 stage, address by, bool isFinal, bytes32 in_, bytes32 out, uint8 verdict)
        internal
        view
        returns (bytes memory)
    {
        (uint8 v, bytes32 r, bytes32 s) =
            vm.sign(ATTESTER_PK, ecdsa.attestationDigest(address(handler), t, stage, by, isFinal, in_, out, verdict));
        return abi.encodePacked(verdict, r, s, v);
    }

    // ---------------------------------------------------------------- front-running callAgent

    function test_frontRunner_copyingSaltCreatesAnotherTask() public {
        bytes32 salt = keccak256("requester's pending salt");
        AgentTask memory pending = _task(wf, salt, block.timestamp + TTL);
        bytes32 expected = caller.computeTaskId(requester, address(handler), salt);

        // the attacker sees the pending transaction and submits the very same calldata first
        vm.prank(stranger);
        bytes32 attackers = caller.callAgent(pending, keccak256("attacker's input"), "");
        assertTrue(attackers != expected, "the copy is bound to the attacker");

        vm.expectEmit(true, true, true, true, address(caller));
        emit IAgentCaller.CallAgent(expected, requester, wf, "", inputHash, "", address(handler), pending.deadline);
        vm.prank(requester);
        bytes32 mine = caller.callAgent(pending, inputHash, "");
        assertEq(mine, expected, "requester's own id");

        // the requester's task keys on the requester's input, not the attacker's
        _step(mine, 0, inputHash, false);
        vm.prank(agent);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAgentExecHandlerErrors.AgentHandlerWyriweViolation.selector, attackers, keccak256("attacker's input"), inputHash
            )
        );
        handler.onAgentStep(attackers, inputHash, _out(0), "", AGENT_ID, agent, 0, false, "");
    }

    function testFuzz_frontRunner_cannotBlockOrHijack(address attacker, bytes32 salt, bytes32 attackerInput) public {
        vm.assume(attacker != requester && salt != bytes32(0) && attackerInput != bytes32(0));
        AgentTask memory pending = _task(wf, salt, block.timestamp + TTL);
        vm.prank(attacker);
        bytes32 a = caller.callAgent(pending, attackerInput, "");
        vm.prank(requester);
        bytes32 r = caller.callAgent(pending, inputHash, "");
        assertEq(r, _expectedTaskId(requester, address(handler), salt), "expected id");
        assertTrue(a != r, "distinct tasks");
        _assertStatus(r, IAgentExecHandler.TaskStatus.Active, "requester's task open");
    }

    // ---------------------------------------------------------------- replays

    function test_replayedStep_reverts() public {
        bytes32 t = _dispatch(wf);
        _step(t, 0, inputHash, false);
        vm.expectRevert(abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerStageOutOfOrder.selector, t, 0, 1));
        _step(t, 0, inputHash, false);
    }

    function test_replayedFinalStep_reverts() public {
        bytes32 t = _dispatch(_register(_policy(_uniform(3, ASYNC), 0)));
        _step(t, 0, inputHash, true);
        vm.expectRevert(abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerSteppingClosed.selector, t, 0));
        _step(t, 0, inputHash, true);
    }

    function test_replayedProve_reverts() public {
        bytes32 t = _dispatch(wf);
        _step(t, 0, inputHash, false);
        bytes memory proof = _attest(t, 0, inputHash, _out(0), 1);
        handler.onAgentProve(t, inputHash, _out(0), _ph(proof), address(ecdsa), 0);
        vm.expectRevert(abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerStageAlreadyProven.selector, t, 0));
        handler.onAgentProve(t, inputHash, _out(0), _ph(proof), address(ecdsa), 0);
    }

    function test_replayedProveAfterFinalisation_reverts() public {
        bytes32 t = _dispatch(wf);
        _step(t, 0, inputHash, false);
        handler.onAgentProve(t, inputHash, _out(0), _ph(_attest(t, 0, inputHash, _out(0), 1)), address(ecdsa), 0);
        _step(t, 1, inputHash, true);
        bytes memory proof = _attest(t, 1, agent, true, inputHash, _out(1), 1);
        handler.onAgentProve(t, inputHash, _out(1), _ph(proof), address(ecdsa), 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAgentExecHandler.AgentHandlerTaskNotActive.selector, t, IAgentExecHandler.TaskStatus.Finalized
            )
        );
        handler.onAgentProve(t, inputHash, _out(1), _ph(proof), address(ecdsa), 1);
    }

    // ---------------------------------------------------------------- proves from another task

    function test_proveForAnotherTasksStep_bindingRefused() public {
        bytes32 a = _dispatch(wf);
        bytes32 b = _dispatch(wf);
        bytes32 otherOut = keccak256("b's output");
        _step(a, 0, inputHash, false);
        vm.prank(agent);
        handler.onAgentStep(b, inputHash, otherOut, "", AGENT_ID, agent, 0, false, "");
        // a's step hashes and a's attestation presented at b
        bytes memory forA = _attest(a, 0, inputHash, _out(0), 1);
        vm.expectRevert(
            abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerProveBindingMismatch.selector, b, 0, inputHash, _out(0))
        );
        handler.onAgentProve(b, inputHash, _out(0), _ph(forA), address(ecdsa), 0);
    }

    function test_proveForAnotherTaskWithIdenticalHashes_isInvalid() public {
        bytes32 a = _dispatch(wf);
        bytes32 b = _dispatch(wf);
        _step(a, 0, inputHash, false);
        _step(b, 0, inputHash, false); // same input, same output: only the task id tells them apart
        bytes memory forA = _attest(a, 0, inputHash, _out(0), 1);
        bytes32 digestAtB = ecdsa.attestationDigest(address(handler), b, 0, agent, false, inputHash, _out(0), 1);
        vm.expectEmit(true, true, true, true, address(handler));
        emit IAgentExecHandler.AgentProveRejected(
            b, 0, address(ecdsa), IAgentExecHandler.ProveRejection.InvalidProof, digestAtB
        );
        handler.onAgentProve(b, inputHash, _out(0), _ph(forA), address(ecdsa), 0);
        assertEq(handler.taskOf(b).provenStages, 0, "b not proven");
        handler.onAgentProve(a, inputHash, _out(0), _ph(forA), address(ecdsa), 0);
        assertEq(handler.taskOf(a).provenStages, 1, "a proven with its own attestation");
    }

    function test_proveForAnotherStage_isInvalid() public {
        bytes32 t = _dispatch(_register(_policy(_ecdsaStages(2, ASYNC), 1)));
        _step(t, 0, inputHash, false);
        _step(t, 1, inputHash, true);
        // stage 0's result and attestation presented as stage 1's
        bytes memory stage0 = _attest(t, 0, inputHash, _out(0), 1);
        vm.expectRevert(
            abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerProveBindingMismatch.selector, t, 1, inputHash, _out(0))
        );
        handler.onAgentProve(t, inputHash, _out(0), _ph(stage0), address(ecdsa), 1);
    }

    function _ecdsaStages(uint256 n, IWorkflowPolicyRegistry.Resolution r)
        internal
        view
        returns (IWorkflowPolicyRegistry.StagePolicy[] memory s)
    {
        s = _uniform(n, r);
        for (uint256 i; i < n; ++i) {
            s[i].verifier = address(ecdsa);
        }
    }

    // ---------------------------------------------------------------- agents

    function test_unauthorisedAgent_reverts() public {
        bytes32 t = _dispatch(wf);
        vm.prank(stranger);
        vm.expectRevert(
            abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerUnauthorizedAgent.selector, t, stranger, AGENT_ID)
        );
        handler.onAgentStep(t, inputHash, _out(0), "", AGENT_ID, stranger, 0, false, "");
    }

    function test_impersonatingTheAgent_reverts() public {
        bytes32 t = _dispatch(wf);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerCallerNotAgent.selector, stranger, agent));
        handler.onAgentStep(t, inputHash, _out(0), "", AGENT_ID, agent, 0, false, "");
    }

    function test_impersonatingTheRequesterAtDispatch_reverts() public {
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerUnauthorizedCaller.selector, stranger));
        handler.onAgentTaskDispatched(keccak256("forged"), requester, wf, inputHash, block.timestamp + TTL);
    }

    function test_rogueCallerContract_isNotTrusted() public {
        AgentCaller rogue = new AgentCaller();
        AgentTask memory t = _task(wf, keccak256("salt"), block.timestamp + TTL);
        vm.prank(stranger);
        vm.expectRevert(
            abi.encodeWithSelector(IAgentExecCaller.AgentCallerNotTrustedByHandler.selector, address(handler))
        );
        rogue.callAgent(t, inputHash, "");
    }

    // ---------------------------------------------------------------- griefing the gate

    function test_strangerCannotForgeADenialOnAGate() public {
        bytes32 t = _dispatch(wf);
        _step(t, 0, inputHash, false);
        // a "denial" signed by a key that is not an attester
        (uint8 v, bytes32 r, bytes32 s) =
            vm.sign(0xBAD, ecdsa.attestationDigest(address(handler), t, 0, agent, false, inputHash, _out(0), 2));
        vm.prank(stranger);
        handler.onAgentProve(t, inputHash, _out(0), _ph(abi.encodePacked(uint8(2), r, s, v)), address(ecdsa), 0);
        _assertStatus(t, IAgentExecHandler.TaskStatus.Active, "not halted");
        // and the honest approval still lands
        handler.onAgentProve(t, inputHash, _out(0), _ph(_attest(t, 0, inputHash, _out(0), 1)), address(ecdsa), 0);
        assertEq(handler.taskOf(t).provenStages, 1, "proven");
    }

    function test_strangerCannotExpireEarly() public {
        bytes32 t = _dispatch(wf);
        uint256 deadline = handler.taskOf(t).deadline;
        vm.prank(stranger);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAgentExecHandlerErrors.AgentHandlerDeadlineNotPassed.selector, t, deadline, block.timestamp
            )
        );
        handler.expireTask(t);
    }

    function test_nameAnotherVerifierToDodgeThePolicy_reverts() public {
        bytes32 t = _dispatch(wf);
        _step(t, 0, inputHash, false);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAgentExecHandlerErrors.AgentHandlerVerifierMismatch.selector, t, 0, address(ecdsa), address(verifier)
            )
        );
        handler.onAgentProve(t, inputHash, _out(0), _ph(_proof(APPROVED)), address(verifier), 0);
    }

    // ---------------------------------------------------------------- squatting (Open auth: anyone may step)

    function _openPolicy(uint256 n, uint8 minFinal) internal view returns (IWorkflowPolicyRegistry.WorkflowPolicy memory p) {
        p = _policy(_ecdsaStages(n, ASYNC), minFinal);
        p.agentAuth = IWorkflowPolicyRegistry.AgentAuth.Open;
        p.agents = new address[](0);
    }

    function _honestStep(bytes32 t, uint8 stage, bytes32 out, bool isFinal, bytes memory data)
        internal
        view
        returns (IAgentExecHandler.AgentStep memory st)
    {
        st = _agentStep(t, inputHash, out, stage, isFinal, data);
    }

    function test_squatter_junkStepIsDisplacedByAVerifiedResult() public {
        bytes32 t = _dispatch(_register(_openPolicy(2, 1)));
        bytes32 junk = keccak256("junk");
        vm.prank(stranger);
        handler.onAgentStep(t, inputHash, junk, "", 0, stranger, 0, false, "");
        vm.prank(stranger);
        handler.onAgentStep(t, inputHash, junk, "", 0, stranger, 1, true, _w(junk, stranger));
        // the honest agent replaces stage 0 (witness: the junk output it displaces), discarding the junk stage 1
        bytes memory proof = _attest(t, 0, inputHash, _out(0), 1);
        vm.expectEmit(true, true, true, true, address(handler));
        emit IAgentExecHandlerEvents.AgentStepReplaced(t, 0, 1);
        vm.prank(agent);
        handler.stepAndProve(_honestStep(t, 0, _out(0), false, _w(junk, stranger)), proof);
        IAgentExecHandler.TaskView memory v = handler.taskOf(t);
        assertEq(v.steppedStages, 1, "junk stage 1 discarded");
        assertEq(v.provenStages, 1, "honest stage 0 proven");
        assertFalse(v.finalStepped, "the junk final step is gone");
        assertEq(handler.stepDigest(t, 0), _stepDigest(inputHash, _out(0)), "honest record");
        _step(t, 1, inputHash, true);
        handler.onAgentProve(t, inputHash, _out(1), _ph(_attest(t, 1, agent, true, inputHash, _out(1), 1)), address(ecdsa), 1);
        _assertStatus(t, IAgentExecHandler.TaskStatus.Finalized, "finalized with the honest results");
    }

    function test_squatter_cannotDisplaceAnHonestStep() public {
        bytes32 t = _dispatch(_register(_openPolicy(2, 1)));
        _step(t, 0, inputHash, false);
        bytes32 junk = keccak256("junk");
        // the squatter's replacement needs a proof of *its* result; the honest attestation does not verify for it
        bytes memory honestProof = _attest(t, 0, inputHash, _out(0), 1);
        bytes32 junkDigest = ecdsa.attestationDigest(address(handler), t, 0, stranger, false, inputHash, junk, 1);
        IAgentExecHandler.AgentStep memory st = _honestStep(t, 0, junk, false, _w(_out(0)));
        st.agent = stranger;
        vm.prank(stranger);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAgentExecHandler.AgentHandlerProveRejected.selector,
                t,
                0,
                IAgentExecHandler.ProveRejection.InvalidProof,
                junkDigest
            )
        );
        handler.stepAndProve(st, honestProof);
        assertEq(handler.stepDigest(t, 0), _stepDigest(inputHash, _out(0)), "honest record kept");
        handler.onAgentProve(t, inputHash, _out(0), _ph(honestProof), address(ecdsa), 0);
        // and once proven, no replacement at all
        bytes memory junkProof = _attest(t, 0, inputHash, junk, 1); // even a valid attestation of another result
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerStageAlreadyProven.selector, t, 0));
        handler.stepAndProve(st, junkProof);
    }

    function test_squatter_cannotReplaceThroughThePlainCallback() public {
        bytes32 t = _dispatch(_register(_openPolicy(2, 1)));
        bytes32 junk = keccak256("junk");
        vm.prank(stranger);
        handler.onAgentStep(t, inputHash, junk, "", 0, stranger, 0, false, "");
        vm.prank(agent);
        vm.expectRevert(abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerStageOutOfOrder.selector, t, 0, 1));
        handler.onAgentStep(t, inputHash, _out(0), "", AGENT_ID, agent, 0, false, _w(junk));
    }

    // ---------------------------------------------------------------- copiers (gap 1: step credit and isFinal)

    /// @dev A 3-round workflow that may end after round 0 (minFinalStage 0), every stage proven by {ecdsa}.
    function _roundsPolicy(IWorkflowPolicyRegistry.AgentAuth auth)
        internal
        view
        returns (IWorkflowPolicyRegistry.WorkflowPolicy memory p)
    {
        p = _policy(_ecdsaStages(3, ASYNC), 0);
        if (auth == IWorkflowPolicyRegistry.AgentAuth.Open) {
            p.agentAuth = auth;
            p.agents = new address[](0);
        }
    }

    /// @dev The copier front-runs the honest agent's pending stage-0 step with the same result under its own agent
    /// and `isFinal = true` (ending the multi-round workflow after round 0). The honest agent's public attestation
    /// (signed for the honest agent, not final) never proves the copy: with the copier's header it is an invalid
    /// proof, with the honest header it does not bind the record; and the honest agent can still displace the
    /// copy with its own proof, keeping both the credit and the non-final flag.
    function _assertCopyNeverVerifies(IWorkflowPolicyRegistry.AgentAuth auth, address copier) internal {
        bytes32 t = _dispatch(_register(_roundsPolicy(auth)));
        bytes memory honestProof = _attest(t, 0, inputHash, _out(0), 1); // public once in the mempool
        vm.prank(copier);
        handler.onAgentStep(t, inputHash, _out(0), "", AGENT_ID, copier, 0, true, "");
        assertEq(handler.stepDigest(t, 0), _stepDigest(inputHash, _out(0), copier, true), "copy recorded");

        bytes32 copyDigest = ecdsa.attestationDigest(address(handler), t, 0, copier, true, inputHash, _out(0), 1);
        vm.expectEmit(true, true, true, true, address(handler));
        emit IAgentExecHandler.AgentProveRejected(
            t, 0, address(ecdsa), IAgentExecHandler.ProveRejection.InvalidProof, copyDigest
        );
        handler.onAgentProve(t, inputHash, _out(0), _ph(copier, honestProof), address(ecdsa), 0);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAgentExecHandlerErrors.AgentHandlerProveBindingMismatch.selector, t, 0, inputHash, _out(0)
            )
        );
        handler.onAgentProve(t, inputHash, _out(0), _ph(agent, honestProof), address(ecdsa), 0);
        assertEq(handler.taskOf(t).provenStages, 0, "the copy is never proven");
        _assertStatus(t, IAgentExecHandler.TaskStatus.Active, "not finalised after round 0");

        // the honest agent re-records its own step (a different digest) with its own proof
        vm.expectEmit(true, true, true, true, address(handler));
        emit IAgentExecHandlerEvents.AgentStepReplaced(t, 0, 0);
        vm.prank(agent);
        handler.stepAndProve(_agentStep(t, inputHash, _out(0), 0, false, _w(_out(0), copier)), honestProof);
        IAgentExecHandler.TaskView memory v = handler.taskOf(t);
        assertEq(v.provenStages, 1, "honest step proven");
        assertFalse(v.finalStepped, "the workflow goes on to round 1");
        assertEq(handler.stepDigest(t, 0), _stepDigest(inputHash, _out(0), agent, false), "credit with the honest agent");
    }

    function test_copier_openAuth_copiedStepNeverVerifies() public {
        _assertCopyNeverVerifies(IWorkflowPolicyRegistry.AgentAuth.Open, stranger);
    }

    function test_copier_betweenAllowlistAgents_copiedStepNeverVerifies() public {
        _assertCopyNeverVerifies(IWorkflowPolicyRegistry.AgentAuth.Allowlist, agent2);
    }

    /// @dev After the honest step is recorded, a copier can only try to replace it (same result, own agent or
    /// flipped `isFinal`) through stepAndProve with the honest proof: the prove does not verify, so nothing changes.
    function test_copier_cannotReplaceWithTheHonestProof() public {
        bytes32 t = _dispatch(_register(_roundsPolicy(IWorkflowPolicyRegistry.AgentAuth.Open)));
        _step(t, 0, inputHash, false);
        bytes memory honestProof = _attest(t, 0, inputHash, _out(0), 1);
        IAgentExecHandler.AgentStep memory st = _agentStep(t, inputHash, _out(0), 0, false, _w(_out(0)));
        st.agent = stranger;
        bytes32 copyDigest = ecdsa.attestationDigest(address(handler), t, 0, stranger, false, inputHash, _out(0), 1);
        vm.prank(stranger);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAgentExecHandler.AgentHandlerProveRejected.selector,
                t,
                0,
                IAgentExecHandler.ProveRejection.InvalidProof,
                copyDigest
            )
        );
        handler.stepAndProve(st, honestProof);
        // the honest agent itself flipping isFinal needs a proof signed for isFinal = true
        st.agent = agent;
        st.isFinal = true;
        bytes32 flippedDigest = ecdsa.attestationDigest(address(handler), t, 0, agent, true, inputHash, _out(0), 1);
        vm.prank(agent);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAgentExecHandler.AgentHandlerProveRejected.selector,
                t,
                0,
                IAgentExecHandler.ProveRejection.InvalidProof,
                flippedDigest
            )
        );
        handler.stepAndProve(st, honestProof);
        assertEq(handler.stepDigest(t, 0), _stepDigest(inputHash, _out(0)), "honest record kept");
    }

    function test_onAgentProve_missingProveHeader_reverts() public {
        bytes32 t = _dispatch(wf);
        _step(t, 0, inputHash, false);
        vm.expectRevert(abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerMissingProveHeader.selector, t, 0));
        handler.onAgentProve(t, inputHash, _out(0), new bytes(19), address(ecdsa), 0);
    }
}
