// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {vm} from "./utils/Vm.sol";
import {AgentExecFixture} from "./utils/Fixture.sol";
import {AgentTask} from "../../contracts/interfaces/AgentTask.sol";
import {IAgentExecHandler} from "../../contracts/interfaces/IAgentExecHandler.sol";
import {IAgentExecHandlerErrors} from "../../contracts/interfaces/IAgentExecHandlerErrors.sol";
import {IAgentExecHandlerEvents} from "../../contracts/interfaces/IAgentExecHandlerEvents.sol";
import {IWorkflowPolicyRegistry} from "../../contracts/interfaces/IWorkflowPolicyRegistry.sol";
import {BoundedCall} from "../../contracts/libraries/BoundedCall.sol";
import {ConfigurableVerifier} from "../../contracts/mocks/ConfigurableVerifier.sol";
import {IAgentVerifier} from "../../contracts/interfaces/IAgentVerifier.sol";

/// @dev Approves only if it was given (nearly) its whole allowance: detects a prove that starved its verifier.
contract GasProbeVerifier {
    uint256 public immutable minGasAtEntry;

    constructor(uint256 minGasAtEntry_) {
        minGasAtEntry = minGasAtEntry_;
    }

    function verifyStage(bytes32, uint8, address, bool, bytes32, bytes32, bytes calldata) external view returns (uint8, bytes32) {
        return (gasleft() >= minGasAtEntry ? 1 : 0, bytes32(gasleft()));
    }

    function supportsInterface(bytes4 interfaceId) external pure returns (bool) {
        return interfaceId == type(IAgentVerifier).interfaceId || interfaceId == 0x01ffc9a7;
    }
}

/// @notice `onAgentProve`: binding to the recorded step, the stage's verifier, the async final-prove rule,
/// verdict effects (prove, finalise, halt, reject), deadlines and the gas guard of the bounded verifier call.
contract AgentHandlerProveTest is AgentExecFixture {
    // ---------------------------------------------------------------- minimum path and effects

    function test_onAgentProve_minimumPathFinalises() public {
        bytes32 t = _dispatch(_registerUniform(1, ASYNC));
        _step(t, 0, inputHash, true);
        bytes32 digest = _verifierDigest(t, 0, agent, true, inputHash, _out(0), APPROVED);
        vm.expectEmit(true, true, true, true, address(handler));
        emit IAgentExecHandlerEvents.AgentStageProven(t, 0, address(verifier), digest);
        vm.expectEmit(true, true, true, true, address(handler));
        emit IAgentExecHandlerEvents.AgentTaskFinalized(t, 0, _out(0));
        _prove(t, 0, inputHash, APPROVED);
        IAgentExecHandler.TaskView memory v = handler.taskOf(t);
        assertEq(uint256(v.status), uint256(IAgentExecHandler.TaskStatus.Finalized), "finalized");
        assertEq(v.provenStages, 1, "proven");
    }

    function test_onAgentProve_nonFinalStageProvenKeepsTaskActive() public {
        bytes32 t = _dispatch(_registerUniform(3, ASYNC));
        _step(t, 0, inputHash, false);
        _prove(t, 0, inputHash, APPROVED);
        IAgentExecHandler.TaskView memory v = handler.taskOf(t);
        assertEq(uint256(v.status), uint256(IAgentExecHandler.TaskStatus.Active), "active");
        assertEq(v.provenStages, 1, "stage 0 proven");
    }

    function test_onAgentProve_isPermissionless() public {
        bytes32 t = _dispatch(_registerUniform(1, ASYNC));
        _step(t, 0, inputHash, true);
        vm.prank(stranger);
        handler.onAgentProve(t, inputHash, _out(0), _ph(_proof(APPROVED)), address(verifier), 0);
        _assertStatus(t, IAgentExecHandler.TaskStatus.Finalized, "anyone may deliver the proof");
    }

    function test_onAgentProve_verifierSeesTheStepsExactArguments() public {
        bytes32 t = _dispatch(_registerUniform(2, ASYNC));
        _step(t, 0, inputHash, false);
        bytes memory proof = abi.encodePacked(uint8(1), "some attestation bytes");
        bytes32 expected = keccak256(abi.encode(address(handler), t, uint8(0), agent, false, inputHash, _out(0), keccak256(proof)));
        vm.expectEmit(true, true, true, true, address(handler));
        emit IAgentExecHandlerEvents.AgentStageProven(t, 0, address(verifier), expected);
        handler.onAgentProve(t, inputHash, _out(0), _ph(proof), address(verifier), 0);
    }

    function test_onAgentProve_asyncStagesProvenInAnyOrderThenFinal() public {
        bytes32 t = _dispatch(_registerUniform(3, ASYNC));
        _step(t, 0, inputHash, false);
        _step(t, 1, inputHash, false);
        _step(t, 2, inputHash, true);
        _prove(t, 1, inputHash, APPROVED);
        _prove(t, 0, inputHash, APPROVED);
        _prove(t, 2, inputHash, APPROVED);
        _assertStatus(t, IAgentExecHandler.TaskStatus.Finalized, "finalized");
        assertEq(handler.taskOf(t).provenStages, 7, "all proven");
    }

    function test_onAgentProve_earlyFinalStageFinalises() public {
        bytes32 t = _dispatch(_register(_policy(_uniform(4, SYNC), 1)));
        _step(t, 0, inputHash, false);
        _prove(t, 0, inputHash, APPROVED);
        _step(t, 1, inputHash, true);
        vm.expectEmit(true, true, true, true, address(handler));
        emit IAgentExecHandlerEvents.AgentTaskFinalized(t, 1, _out(1));
        _prove(t, 1, inputHash, APPROVED);
        _assertStatus(t, IAgentExecHandler.TaskStatus.Finalized, "finalized at stage 1 of 4");
    }

    function test_onAgentProve_nonFinalStageProvenBeforeLaterStepsDoesNotFinalise() public {
        bytes32 t = _dispatch(_register(_policy(_uniform(3, ASYNC), 0)));
        _step(t, 0, inputHash, false); // could have been final, is not
        _prove(t, 0, inputHash, APPROVED);
        _assertStatus(t, IAgentExecHandler.TaskStatus.Active, "not finalized: stepping not ended");
    }

    function test_onAgentProve_threeStageSyncWorkflow() public {
        bytes32 t = _dispatch(_registerUniform(3, SYNC));
        for (uint8 i; i < 3; ++i) {
            _step(t, i, inputHash, i == 2);
            _prove(t, i, inputHash, APPROVED);
        }
        _assertStatus(t, IAgentExecHandler.TaskStatus.Finalized, "finalized");
    }

    function test_onAgentProve_chainedStageBindsPreviousOutput() public {
        IWorkflowPolicyRegistry.StagePolicy[] memory s = _uniform(2, SYNC);
        s[1].input = CHAINED;
        bytes32 t = _dispatch(_register(_policy(s, 1)));
        _step(t, 0, inputHash, false);
        _prove(t, 0, inputHash, APPROVED);
        _stepChained(t, 1, inputHash, true);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAgentExecHandlerErrors.AgentHandlerProveBindingMismatch.selector, t, 1, inputHash, _out(1)
            )
        );
        _prove(t, 1, inputHash, APPROVED);
        _prove(t, 1, _out(0), APPROVED);
        _assertStatus(t, IAgentExecHandler.TaskStatus.Finalized, "finalized");
    }

    function test_onAgentProve_pipelineStagesBindAttestedInput() public {
        IWorkflowPolicyRegistry.WorkflowPolicy memory p = _policy(_uniform(2, ASYNC), 1);
        p.pipelineHash = PIPELINE;
        bytes32 t = _dispatch(_register(p));
        bytes32 attested = keccak256(abi.encode(inputHash, PIPELINE));
        _step(t, 0, attested, false);
        _step(t, 1, attested, true);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAgentExecHandlerErrors.AgentHandlerProveBindingMismatch.selector, t, 0, inputHash, _out(0)
            )
        );
        _prove(t, 0, inputHash, APPROVED);
        _prove(t, 0, attested, APPROVED);
        _prove(t, 1, attested, APPROVED);
        _assertStatus(t, IAgentExecHandler.TaskStatus.Finalized, "finalized");
    }

    // ---------------------------------------------------------------- verdicts

    function test_onAgentProve_gatingDenialHaltsForGood() public {
        IWorkflowPolicyRegistry.StagePolicy[] memory s = _uniform(2, SYNC);
        s[0].gating = true;
        bytes32 t = _dispatch(_register(_policy(s, 1)));
        _step(t, 0, inputHash, false);
        bytes32 digest = _verifierDigest(t, 0, inputHash, _out(0), DENIED);
        vm.expectEmit(true, true, true, true, address(handler));
        emit IAgentExecHandlerEvents.AgentTaskHalted(t, 0, digest);
        _prove(t, 0, inputHash, DENIED);
        _assertStatus(t, IAgentExecHandler.TaskStatus.Halted, "halted");
        vm.expectRevert(
            abi.encodeWithSelector(
                IAgentExecHandler.AgentHandlerTaskNotActive.selector, t, IAgentExecHandler.TaskStatus.Halted
            )
        );
        _prove(t, 0, inputHash, APPROVED); // no appeal
    }

    function test_onAgentProve_gatingFinalStageDenialHalts() public {
        IWorkflowPolicyRegistry.StagePolicy[] memory s = _uniform(1, SYNC);
        s[0].gating = true;
        bytes32 t = _dispatch(_register(_policy(s, 0)));
        _step(t, 0, inputHash, true);
        _prove(t, 0, inputHash, DENIED);
        _assertStatus(t, IAgentExecHandler.TaskStatus.Halted, "halted");
    }

    function test_onAgentProve_nonGatingSyncDenialIsRejectedAndRetriable() public {
        bytes32 t = _dispatch(_registerUniform(2, SYNC));
        _step(t, 0, inputHash, false);
        bytes32 digest = _verifierDigest(t, 0, inputHash, _out(0), DENIED);
        vm.expectEmit(true, true, true, true, address(handler));
        emit IAgentExecHandler.AgentProveRejected(
            t, 0, address(verifier), IAgentExecHandler.ProveRejection.Denied, digest
        );
        _prove(t, 0, inputHash, DENIED);
        _assertStatus(t, IAgentExecHandler.TaskStatus.Active, "still active");
        assertEq(handler.taskOf(t).provenStages, 0, "not proven");
        _prove(t, 0, inputHash, APPROVED);
        assertEq(handler.taskOf(t).provenStages, 1, "proven on retry");
    }

    function test_onAgentProve_asyncDenialIsRejected() public {
        bytes32 t = _dispatch(_registerUniform(2, ASYNC));
        _step(t, 0, inputHash, false);
        _prove(t, 0, inputHash, DENIED);
        _assertStatus(t, IAgentExecHandler.TaskStatus.Active, "active");
        assertEq(handler.taskOf(t).provenStages, 0, "not proven");
    }

    function test_onAgentProve_invalidProofIsRejectedAndRetriable() public {
        IWorkflowPolicyRegistry.StagePolicy[] memory s = _uniform(1, SYNC);
        s[0].gating = true;
        bytes32 t = _dispatch(_register(_policy(s, 0)));
        _step(t, 0, inputHash, true);
        bytes32 digest = _verifierDigest(t, 0, agent, true, inputHash, _out(0), INVALID);
        vm.expectEmit(true, true, true, true, address(handler));
        emit IAgentExecHandler.AgentProveRejected(
            t, 0, address(verifier), IAgentExecHandler.ProveRejection.InvalidProof, digest
        );
        _prove(t, 0, inputHash, INVALID); // an invalid proof never halts, even on a gating stage
        _assertStatus(t, IAgentExecHandler.TaskStatus.Active, "active");
        _prove(t, 0, inputHash, APPROVED);
        _assertStatus(t, IAgentExecHandler.TaskStatus.Finalized, "finalized on retry");
    }

    function test_onAgentProve_rejectedProveChangesNoState() public {
        bytes32 t = _dispatch(_registerUniform(2, SYNC));
        _step(t, 0, inputHash, false);
        IAgentExecHandler.TaskView memory before = handler.taskOf(t);
        _prove(t, 0, inputHash, INVALID);
        IAgentExecHandler.TaskView memory after_ = handler.taskOf(t);
        assertEq(keccak256(abi.encode(before)), keccak256(abi.encode(after_)), "task view unchanged");
        assertEq(handler.stepDigest(t, 0), _stepDigest(inputHash, _out(0)), "record unchanged");
    }

    // ---------------------------------------------------------------- named errors

    function test_onAgentProve_unknownTask_reverts() public {
        bytes32 unknown = keccak256("no such task");
        vm.expectRevert(abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerTaskNotFound.selector, unknown));
        _prove(unknown, 0, inputHash, APPROVED);
    }

    function test_onAgentProve_stepNotRecorded_reverts() public {
        bytes32 t = _dispatch(_registerUniform(2, ASYNC));
        vm.expectRevert(abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerStepNotRecorded.selector, t, 0));
        _prove(t, 0, inputHash, APPROVED);
        _step(t, 0, inputHash, false);
        vm.expectRevert(abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerStepNotRecorded.selector, t, 1));
        _prove(t, 1, inputHash, APPROVED);
    }

    function test_onAgentProve_stageAlreadyProven_reverts() public {
        bytes32 t = _dispatch(_registerUniform(2, ASYNC));
        _step(t, 0, inputHash, false);
        _prove(t, 0, inputHash, APPROVED);
        vm.expectRevert(abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerStageAlreadyProven.selector, t, 0));
        _prove(t, 0, inputHash, APPROVED);
    }

    function test_onAgentProve_wrongOutput_reverts() public {
        bytes32 t = _dispatch(_registerUniform(1, ASYNC));
        _step(t, 0, inputHash, true);
        bytes32 forged = keccak256("a better-looking output");
        vm.expectRevert(
            abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerProveBindingMismatch.selector, t, 0, inputHash, forged)
        );
        handler.onAgentProve(t, inputHash, forged, _ph(_proof(APPROVED)), address(verifier), 0);
    }

    function test_onAgentProve_wrongInput_reverts() public {
        bytes32 t = _dispatch(_registerUniform(2, ASYNC));
        _step(t, 0, inputHash, false);
        _step(t, 1, inputHash, true);
        bytes32 other = keccak256("other input");
        vm.expectRevert(
            abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerProveBindingMismatch.selector, t, 1, other, _out(1))
        );
        _prove(t, 1, other, APPROVED);
    }

    function test_onAgentProve_verifierMismatch_reverts() public {
        bytes32 t = _dispatch(_registerUniform(1, ASYNC));
        _step(t, 0, inputHash, true);
        ConfigurableVerifier lenient = new ConfigurableVerifier(APPROVED);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAgentExecHandlerErrors.AgentHandlerVerifierMismatch.selector, t, 0, address(verifier), address(lenient)
            )
        );
        handler.onAgentProve(t, inputHash, _out(0), _ph(_proof(APPROVED)), address(lenient), 0);
    }

    function test_onAgentProve_finalBeforeEarlierStages_reverts() public {
        bytes32 t = _dispatch(_registerUniform(3, ASYNC));
        _step(t, 0, inputHash, false);
        _step(t, 1, inputHash, false);
        _step(t, 2, inputHash, true);
        vm.expectRevert(abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerEarlierStagesUnproven.selector, t, 3));
        _prove(t, 2, inputHash, APPROVED);
        _prove(t, 1, inputHash, APPROVED);
        vm.expectRevert(abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerEarlierStagesUnproven.selector, t, 1));
        _prove(t, 2, inputHash, APPROVED);
    }

    function test_onAgentProve_finalMissingMiddleStage_reverts() public {
        bytes32 t = _dispatch(_registerUniform(4, ASYNC));
        for (uint8 i; i < 4; ++i) {
            _step(t, i, inputHash, i == 3);
        }
        _prove(t, 0, inputHash, APPROVED);
        _prove(t, 2, inputHash, APPROVED);
        vm.expectRevert(abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerEarlierStagesUnproven.selector, t, 2));
        _prove(t, 3, inputHash, APPROVED);
    }

    function test_onAgentProve_atDeadline_reverts() public {
        bytes32 t = _dispatch(_registerUniform(1, ASYNC));
        _step(t, 0, inputHash, true);
        uint256 deadline = handler.taskOf(t).deadline;
        vm.warp(deadline);
        vm.expectRevert(
            abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerDeadlinePassed.selector, t, deadline, deadline)
        );
        _prove(t, 0, inputHash, APPROVED);
    }

    function test_onAgentProve_afterExpiry_reverts() public {
        bytes32 t = _dispatch(_registerUniform(1, ASYNC));
        _step(t, 0, inputHash, true);
        vm.warp(handler.taskOf(t).deadline);
        handler.expireTask(t);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAgentExecHandler.AgentHandlerTaskNotActive.selector, t, IAgentExecHandler.TaskStatus.Expired
            )
        );
        _prove(t, 0, inputHash, APPROVED);
    }

    function test_onAgentProve_afterFinalisation_reverts() public {
        bytes32 t = _dispatch(_registerUniform(1, ASYNC));
        _step(t, 0, inputHash, true);
        _prove(t, 0, inputHash, APPROVED);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAgentExecHandler.AgentHandlerTaskNotActive.selector, t, IAgentExecHandler.TaskStatus.Finalized
            )
        );
        _prove(t, 0, inputHash, APPROVED);
    }

    /// @dev The prove must be able to forward the stage's whole gas allowance (so an honest verifier can never be
    /// starved into a rejection by the submitter); with less gas the prove reverts instead of calling.
    function test_onAgentProve_insufficientGasForVerifier_reverts() public {
        IWorkflowPolicyRegistry.StagePolicy[] memory s = _uniform(1, ASYNC);
        s[0].verifierGasLimit = 1_000_000;
        bytes32 t = _dispatch(_register(_policy(s, 0)));
        _step(t, 0, inputHash, true);
        (bool ok, bytes memory ret) = address(handler).call{gas: 500_000}(
            abi.encodeCall(handler.onAgentProve, (t, inputHash, _out(0), _ph(_proof(APPROVED)), address(verifier), 0))
        );
        assertFalse(ok, "reverted");
        assertEq(bytes4(ret), BoundedCall.BoundedCallInsufficientGas.selector, "selector");
        assertEq(ret.length, 4 + 64, "two words");
        (uint256 available, uint256 required) = abi.decode(_tail(ret), (uint256, uint256));
        assertEq(required, 1_000_000 + BoundedCall.CALL_OVERHEAD, "required = allowance + overhead");
        assertLt(available, 500_000, "available is what was left");
        assertGe(available, 400_000, "prove checks cost well under 100k");
        _assertStatus(t, IAgentExecHandler.TaskStatus.Active, "untouched");
        _prove(t, 0, inputHash, APPROVED);
        _assertStatus(t, IAgentExecHandler.TaskStatus.Finalized, "an adequately funded prove succeeds");
    }

    function test_onAgentProve_exactlyEnoughGasForwardsTheFullAllowance() public {
        IWorkflowPolicyRegistry.StagePolicy[] memory s = _uniform(1, ASYNC);
        s[0].verifierGasLimit = 1_000_000;
        bytes32 t = _dispatch(_register(_policy(s, 0)));
        _step(t, 0, inputHash, true);
        // 1,005,000 * 64/63 ≈ 1,020,953 needed at the check, plus the prove's own work.
        (bool ok,) = address(handler).call{gas: 1_100_000}(
            abi.encodeCall(handler.onAgentProve, (t, inputHash, _out(0), _ph(_proof(APPROVED)), address(verifier), 0))
        );
        assertTrue(ok, "enough gas");
        _assertStatus(t, IAgentExecHandler.TaskStatus.Finalized, "finalized");
    }

    /// @dev Whatever gas the submitter attaches, the verifier either gets its whole allowance or is not called:
    /// the prove reverts (BoundedCallInsufficientGas, or out of gas) and changes nothing. It is never rejected
    /// because the submitter starved an honest verifier. Swept in 1,000-gas steps across the threshold, with an
    /// allowance large enough that the 1/64 the EVM withholds (31k) exceeds the call overhead the guard adds.
    function test_onAgentProve_verifierIsNeverStarved() public {
        uint32 allowance = 2_000_000;
        GasProbeVerifier probe = new GasProbeVerifier(allowance - 1_000); // entry overhead is a few hundred gas
        IWorkflowPolicyRegistry.StagePolicy[] memory s = _uniform(1, SYNC);
        s[0].verifier = address(probe);
        s[0].verifierGasLimit = allowance;
        bytes32 wf = _register(_policy(s, 0));
        uint256 reverted;
        uint256 finalised;
        for (uint256 attached = allowance; attached <= allowance + 80_000; attached += 1_000) {
            bytes32 t = _dispatch(wf);
            _step(t, 0, inputHash, true);
            (bool ok, bytes memory ret) = address(handler).call{gas: attached}(
                abi.encodeCall(handler.onAgentProve, (t, inputHash, _out(0), _ph(""), address(probe), 0))
            );
            if (ok) {
                _assertStatus(t, IAgentExecHandler.TaskStatus.Finalized, "a prove that went through was not starved");
                ++finalised;
            } else {
                if (ret.length != 0) {
                    assertEq(bytes4(ret), BoundedCall.BoundedCallInsufficientGas.selector, "only the gas guard reverts");
                }
                _assertStatus(t, IAgentExecHandler.TaskStatus.Active, "nothing changed");
                ++reverted;
            }
        }
        assertGe(reverted, 10, "the sweep starts below the threshold");
        assertGe(finalised, 10, "and ends above it");
    }

    function _tail(bytes memory ret) private pure returns (bytes memory out) {
        out = new bytes(ret.length - 4);
        for (uint256 i; i < out.length; ++i) {
            out[i] = ret[i + 4];
        }
    }

    // ---------------------------------------------------------------- through the real caller

    function test_onAgentProve_twoTasksSameInputAreIndependent() public {
        bytes32 wf = _registerUniform(1, ASYNC);
        bytes32 a = _dispatch(wf);
        bytes32 b = _dispatch(wf);
        _step(a, 0, inputHash, true);
        _step(b, 0, inputHash, true);
        _prove(a, 0, inputHash, APPROVED);
        _assertStatus(a, IAgentExecHandler.TaskStatus.Finalized, "a finalized");
        _assertStatus(b, IAgentExecHandler.TaskStatus.Active, "b untouched");
        assertEq(handler.taskOf(b).provenStages, 0, "b unproven");
    }

    function test_onAgentProve_requesterInputAndWorkflowBytesRoundTrip() public {
        bytes memory doc = "{\"stages\":1}";
        handler.registerWorkflow(keccak256(doc), _policy(_uniform(1, SYNC), 0));
        AgentTask memory t = AgentTask({
            taskId: keccak256("salt"),
            agentWorkflowHash: keccak256(doc),
            agentWorkflow: doc,
            handler: address(handler),
            deadline: block.timestamp + 60
        });
        vm.prank(requester);
        bytes32 id = caller.callAgent(t, inputHash, INPUT);
        bytes memory output = "result";
        vm.prank(agent);
        handler.onAgentStep(id, inputHash, keccak256(output), output, AGENT_ID, agent, 0, true, "");
        handler.onAgentProve(id, inputHash, keccak256(output), _ph(_proof(APPROVED)), address(verifier), 0);
        _assertStatus(id, IAgentExecHandler.TaskStatus.Finalized, "finalized");
    }
}
