// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {vm} from "./utils/Vm.sol";
import {AgentExecFixture} from "./utils/Fixture.sol";
import {IAgentExecHandler} from "../../contracts/interfaces/IAgentExecHandler.sol";
import {IAgentExecHandlerErrors} from "../../contracts/interfaces/IAgentExecHandlerErrors.sol";
import {IAgentExecHandlerEvents} from "../../contracts/interfaces/IAgentExecHandlerEvents.sol";
import {IAgentVerifier} from "../../contracts/interfaces/IAgentVerifier.sol";
import {IWorkflowPolicyRegistry} from "../../contracts/interfaces/IWorkflowPolicyRegistry.sol";
import {RevertingVerifier} from "../../contracts/mocks/RevertingVerifier.sol";

/// @notice `stepAndProve`: a step and its prove in one call, all-or-nothing, and the only way to replace a
/// recorded, unproven step (discarding the unproven steps after it). Every refusal with its named error.
contract AgentHandlerStepAndProveTest is AgentExecFixture {
    function _sp(IAgentExecHandler.AgentStep memory st, IAgentVerifier.Verdict verdict) internal {
        vm.prank(st.agent);
        handler.stepAndProve(st, _proof(verdict));
    }

    // ---------------------------------------------------------------- fresh steps

    function test_stepAndProve_freshStepFinalises() public {
        bytes32 t = _dispatch(_registerUniform(1, SYNC));
        bytes32 digest = _verifierDigest(t, 0, agent, true, inputHash, _out(0), APPROVED);
        vm.expectEmit(true, true, true, true, address(handler));
        emit IAgentExecHandlerEvents.AgentStepAccepted(t, 0, agent, AGENT_ID, inputHash, _out(0), true);
        vm.expectEmit(true, true, true, true, address(handler));
        emit IAgentExecHandlerEvents.AgentStageProven(t, 0, address(verifier), digest);
        vm.expectEmit(true, true, true, true, address(handler));
        emit IAgentExecHandlerEvents.AgentTaskFinalized(t, 0, _out(0));
        _sp(_agentStep(t, inputHash, _out(0), 0, true, ""), APPROVED);
        _assertStatus(t, IAgentExecHandler.TaskStatus.Finalized, "finalized in one call");
    }

    function test_stepAndProve_provenSyncStageOpensTheNextStep() public {
        bytes32 t = _dispatch(_registerUniform(2, SYNC));
        _sp(_agentStep(t, inputHash, _out(0), 0, false, ""), APPROVED);
        _step(t, 1, inputHash, true); // no wait: stage 0 is already proven
        assertEq(handler.taskOf(t).steppedStages, 2, "stepped");
    }

    function test_stepAndProve_namesTheStagesVerifierItself() public {
        bytes32 t = _dispatch(_registerUniform(3, ASYNC));
        _step(t, 0, inputHash, false);
        bytes32 digest = _verifierDigest(t, 1, inputHash, _out(1), APPROVED);
        vm.expectEmit(true, true, true, true, address(handler));
        emit IAgentExecHandlerEvents.AgentStageProven(t, 1, address(verifier), digest);
        _sp(_agentStep(t, inputHash, _out(1), 1, false, _w(_out(0))), APPROVED);
        assertEq(handler.taskOf(t).provenStages, 2, "stage 1 proven, stage 0 still open");
    }

    // ---------------------------------------------------------------- all or nothing

    function test_stepAndProve_invalidProofRevertsEverything() public {
        bytes32 t = _dispatch(_registerUniform(2, SYNC));
        bytes32 digest = _verifierDigest(t, 0, inputHash, _out(0), INVALID);
        IAgentExecHandler.AgentStep memory st = _agentStep(t, inputHash, _out(0), 0, false, "");
        vm.prank(agent);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAgentExecHandler.AgentHandlerProveRejected.selector,
                t,
                0,
                IAgentExecHandler.ProveRejection.InvalidProof,
                digest
            )
        );
        handler.stepAndProve(st, _proof(INVALID));
        assertEq(handler.taskOf(t).steppedStages, 0, "no step recorded");
    }

    function test_stepAndProve_nonGatingDenialRevertsEverything() public {
        bytes32 t = _dispatch(_registerUniform(2, SYNC));
        bytes32 digest = _verifierDigest(t, 0, inputHash, _out(0), DENIED);
        IAgentExecHandler.AgentStep memory st = _agentStep(t, inputHash, _out(0), 0, false, "");
        vm.prank(agent);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAgentExecHandler.AgentHandlerProveRejected.selector, t, 0, IAgentExecHandler.ProveRejection.Denied, digest
            )
        );
        handler.stepAndProve(st, _proof(DENIED));
    }

    function test_stepAndProve_revertingVerifierRevertsEverything() public {
        RevertingVerifier rv = new RevertingVerifier(RevertingVerifier.Mode.CustomError);
        IWorkflowPolicyRegistry.StagePolicy[] memory s = _uniform(1, SYNC);
        s[0].verifier = address(rv);
        bytes32 t = _dispatch(_register(_policy(s, 0)));
        IAgentExecHandler.AgentStep memory st = _agentStep(t, inputHash, _out(0), 0, true, "");
        vm.prank(agent);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAgentExecHandler.AgentHandlerProveRejected.selector,
                t,
                0,
                IAgentExecHandler.ProveRejection.VerifierReverted,
                bytes32(RevertingVerifier.VerifierRefused.selector)
            )
        );
        handler.stepAndProve(st, "attack");
    }

    function test_stepAndProve_gatingDenialRecordsTheStepAndHalts() public {
        IWorkflowPolicyRegistry.StagePolicy[] memory s = _uniform(2, SYNC);
        s[0].gating = true;
        bytes32 t = _dispatch(_register(_policy(s, 1)));
        bytes32 digest = _verifierDigest(t, 0, inputHash, _out(0), DENIED);
        vm.expectEmit(true, true, true, true, address(handler));
        emit IAgentExecHandlerEvents.AgentTaskHalted(t, 0, digest);
        _sp(_agentStep(t, inputHash, _out(0), 0, false, ""), DENIED);
        IAgentExecHandler.TaskView memory v = handler.taskOf(t);
        assertEq(uint256(v.status), uint256(IAgentExecHandler.TaskStatus.Halted), "halted");
        assertEq(v.steppedStages, 1, "the judged step is on record");
        assertEq(handler.stepDigest(t, 0), _stepDigest(inputHash, _out(0)), "record");
    }

    function test_stepAndProve_finalWithEarlierStageUnproven_reverts() public {
        bytes32 t = _dispatch(_registerUniform(2, ASYNC));
        _step(t, 0, inputHash, false);
        IAgentExecHandler.AgentStep memory st = _agentStep(t, inputHash, _out(1), 1, true, _w(_out(0)));
        vm.prank(agent);
        vm.expectRevert(abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerEarlierStagesUnproven.selector, t, 1));
        handler.stepAndProve(st, _proof(APPROVED));
        assertEq(handler.taskOf(t).steppedStages, 1, "nothing recorded");
    }

    // ---------------------------------------------------------------- the step rules still apply

    function test_stepAndProve_impersonation_reverts() public {
        bytes32 t = _dispatch(_registerUniform(1, SYNC));
        IAgentExecHandler.AgentStep memory st = _agentStep(t, inputHash, _out(0), 0, true, "");
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerCallerNotAgent.selector, stranger, agent));
        handler.stepAndProve(st, _proof(APPROVED));
    }

    function test_stepAndProve_unauthorisedAgent_reverts() public {
        bytes32 t = _dispatch(_registerUniform(1, SYNC));
        IAgentExecHandler.AgentStep memory st = _agentStep(t, inputHash, _out(0), 0, true, "");
        st.agent = stranger;
        vm.prank(stranger);
        vm.expectRevert(
            abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerUnauthorizedAgent.selector, t, stranger, AGENT_ID)
        );
        handler.stepAndProve(st, _proof(APPROVED));
    }

    function test_stepAndProve_skippingAhead_reverts() public {
        bytes32 t = _dispatch(_registerUniform(3, ASYNC));
        IAgentExecHandler.AgentStep memory st = _agentStep(t, inputHash, _out(1), 1, false, _w(_out(0)));
        vm.prank(agent);
        vm.expectRevert(abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerStageOutOfOrder.selector, t, 1, 0));
        handler.stepAndProve(st, _proof(APPROVED));
    }

    function test_stepAndProve_pastAnUnprovenSyncStage_reverts() public {
        bytes32 t = _dispatch(_registerUniform(2, SYNC));
        _step(t, 0, inputHash, false);
        IAgentExecHandler.AgentStep memory st = _agentStep(t, inputHash, _out(1), 1, true, _w(_out(0)));
        vm.prank(agent);
        vm.expectRevert(abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerSyncStageUnproven.selector, t, 0));
        handler.stepAndProve(st, _proof(APPROVED));
    }

    function test_stepAndProve_afterDeadline_reverts() public {
        bytes32 t = _dispatch(_registerUniform(1, SYNC));
        uint256 deadline = handler.taskOf(t).deadline;
        vm.warp(deadline);
        IAgentExecHandler.AgentStep memory st = _agentStep(t, inputHash, _out(0), 0, true, "");
        vm.prank(agent);
        vm.expectRevert(
            abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerDeadlinePassed.selector, t, deadline, deadline)
        );
        handler.stepAndProve(st, _proof(APPROVED));
    }

    function test_stepAndProve_sentinelStillApplies() public {
        bytes32 t = _dispatch(_registerUniform(1, SYNC));
        bytes32 other = keccak256("not the declared input");
        IAgentExecHandler.AgentStep memory st = _agentStep(t, other, _out(0), 0, true, "");
        vm.prank(agent);
        vm.expectRevert(
            abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerWyriweViolation.selector, t, inputHash, other)
        );
        handler.stepAndProve(st, _proof(APPROVED));
    }

    // ---------------------------------------------------------------- replacement

    function test_stepAndProve_replacesAnUnprovenStepAndDiscardsLaterOnes() public {
        bytes32 t = _dispatch(_register(_policy(_uniform(4, ASYNC), 2)));
        _step(t, 0, inputHash, false);
        _step(t, 1, inputHash, false);
        _step(t, 2, inputHash, true);
        bytes32 better = keccak256("a better stage 1");
        vm.expectEmit(true, true, true, true, address(handler));
        emit IAgentExecHandlerEvents.AgentStepReplaced(t, 1, 1);
        vm.expectEmit(true, true, true, true, address(handler));
        emit IAgentExecHandlerEvents.AgentStepAccepted(t, 1, agent, AGENT_ID, inputHash, better, false);
        _sp(_agentStep(t, inputHash, better, 1, false, _w(_out(0))), APPROVED);
        IAgentExecHandler.TaskView memory v = handler.taskOf(t);
        assertEq(v.steppedStages, 2, "stage 2 discarded");
        assertEq(v.provenStages, 2, "replacement proven");
        assertFalse(v.finalStepped, "the discarded final step no longer ends stepping");
        assertEq(handler.stepDigest(t, 1), _stepDigest(inputHash, better), "new record");
        assertEq(handler.stepDigest(t, 2), bytes32(0), "discarded record hidden");
        _step(t, 2, inputHash, true); // stepping resumes after the replaced stage
        assertEq(handler.taskOf(t).steppedStages, 3, "re-stepped");
    }

    function test_stepAndProve_replacementOfStageZeroCarriesItsWitness() public {
        bytes32 t = _dispatch(_register(_policy(_uniform(2, SYNC), 1)));
        _step(t, 0, inputHash, false);
        bytes32 better = keccak256("a better stage 0");
        IAgentExecHandler.AgentStep memory st = _agentStep(t, inputHash, better, 0, false, "");
        vm.prank(agent);
        vm.expectRevert(abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerMissingWitness.selector, t, 0));
        handler.stepAndProve(st, _proof(APPROVED));
        st.data = _w(keccak256("not the recorded output"));
        vm.prank(agent);
        vm.expectRevert(abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerInputNotAttested.selector, t, 0, inputHash));
        handler.stepAndProve(st, _proof(APPROVED));
        st.data = _w(_out(0)); // the output being replaced
        _sp(st, APPROVED);
        assertEq(handler.stepDigest(t, 0), _stepDigest(inputHash, better), "replaced");
    }

    function test_stepAndProve_provenStepCannotBeReplaced() public {
        bytes32 t = _dispatch(_registerUniform(2, ASYNC));
        _step(t, 0, inputHash, false);
        _prove(t, 0, inputHash, APPROVED);
        IAgentExecHandler.AgentStep memory st = _agentStep(t, inputHash, keccak256("other"), 0, false, _w(_out(0)));
        vm.prank(agent);
        vm.expectRevert(abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerStageAlreadyProven.selector, t, 0));
        handler.stepAndProve(st, _proof(APPROVED));
    }

    function test_stepAndProve_laterStageProven_reverts() public {
        bytes32 t = _dispatch(_registerUniform(3, ASYNC));
        _step(t, 0, inputHash, false);
        _step(t, 1, inputHash, false);
        _prove(t, 1, inputHash, APPROVED);
        IAgentExecHandler.AgentStep memory st = _agentStep(t, inputHash, keccak256("other"), 0, false, _w(_out(0)));
        vm.prank(agent);
        vm.expectRevert(abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerLaterStageProven.selector, t, 0));
        handler.stepAndProve(st, _proof(APPROVED));
    }

    function test_stepAndProve_rejectedReplacementKeepsTheRecordedStep() public {
        bytes32 t = _dispatch(_registerUniform(2, ASYNC));
        _step(t, 0, inputHash, false);
        _step(t, 1, inputHash, true);
        IAgentExecHandler.AgentStep memory st = _agentStep(t, inputHash, keccak256("other"), 0, false, _w(_out(0)));
        vm.prank(agent);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAgentExecHandler.AgentHandlerProveRejected.selector,
                t,
                0,
                IAgentExecHandler.ProveRejection.InvalidProof,
                _verifierDigest(t, 0, inputHash, keccak256("other"), INVALID)
            )
        );
        handler.stepAndProve(st, _proof(INVALID));
        IAgentExecHandler.TaskView memory v = handler.taskOf(t);
        assertEq(v.steppedStages, 2, "later step kept");
        assertTrue(v.finalStepped, "final kept");
        assertEq(handler.stepDigest(t, 0), _stepDigest(inputHash, _out(0)), "record kept");
    }

    /// @dev Documented: a recorded final step is final "unless that step is replaced" (with a verified result).
    function test_stepAndProve_replacingTheFinalStepReopensStepping() public {
        bytes32 t = _dispatch(_register(_policy(_uniform(3, ASYNC), 1)));
        _step(t, 0, inputHash, false);
        _step(t, 1, inputHash, true);
        _prove(t, 0, inputHash, APPROVED);
        bytes32 draft = keccak256("a draft, not the answer");
        _sp(_agentStep(t, inputHash, draft, 1, false, _w(_out(0))), APPROVED);
        IAgentExecHandler.TaskView memory v = handler.taskOf(t);
        assertFalse(v.finalStepped, "stepping reopened");
        assertEq(uint256(v.status), uint256(IAgentExecHandler.TaskStatus.Active), "not finalised");
        _step(t, 2, inputHash, true);
        _prove(t, 2, inputHash, APPROVED);
        _assertStatus(t, IAgentExecHandler.TaskStatus.Finalized, "finalised at the last stage");
    }

    /// @dev Re-recording the very same step (same hashes, agent and final flag) changes nothing and is refused. (A
    /// copy under another agent or with the other flag is a different step whose proof must bind those: see
    /// HostileActors' copier tests.)
    function test_stepAndProve_sameResultReplacement_reverts() public {
        bytes32 t = _dispatch(_register(_policy(_uniform(3, ASYNC), 1)));
        _step(t, 0, inputHash, false);
        _step(t, 1, inputHash, false);
        IAgentExecHandler.AgentStep memory st = _agentStep(t, inputHash, _out(1), 1, false, _w(_out(0)));
        vm.prank(agent);
        vm.expectRevert(abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerReplacementUnchanged.selector, t, 1));
        handler.stepAndProve(st, _proof(APPROVED));
        IAgentExecHandler.TaskView memory v = handler.taskOf(t);
        assertFalse(v.finalStepped, "flags unchanged");
        assertEq(v.provenStages, 0, "nothing proven");
    }
}
