// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {vm} from "./utils/Vm.sol";
import {AgentExecFixture} from "./utils/Fixture.sol";
import {IAgentExecHandler} from "../../contracts/interfaces/IAgentExecHandler.sol";
import {IAgentExecHandlerErrors} from "../../contracts/interfaces/IAgentExecHandlerErrors.sol";
import {IAgentExecHandlerEvents} from "../../contracts/interfaces/IAgentExecHandlerEvents.sol";
import {IWorkflowPolicyRegistry} from "../../contracts/interfaces/IWorkflowPolicyRegistry.sol";
import {MockIdentityRegistry} from "../../contracts/mocks/MockIdentityRegistry.sol";
import {BoundedCall} from "../../contracts/libraries/BoundedCall.sol";

/// @notice `onAgentStep`: every rule (who, when, which stage, the final flag, output binding, WYRIWE sentinel,
/// attested and chained inputs), each refusal asserted with its named error and arguments.
contract AgentHandlerStepTest is AgentExecFixture {
    bytes32 internal id;

    function setUp() public override {
        super.setUp();
        id = _dispatch(_registerUniform(3, ASYNC));
    }

    function _stepAs(address sender, address claimed, uint256 agentId, uint8 stage) internal {
        vm.prank(sender);
        handler.onAgentStep(id, inputHash, _out(stage), "", agentId, claimed, stage, false, "");
    }

    // ---------------------------------------------------------------- acceptance

    function test_onAgentStep_stageZeroAcceptedAndEmitted() public {
        vm.expectEmit(true, true, true, true, address(handler));
        emit IAgentExecHandlerEvents.AgentStepAccepted(id, 0, agent, AGENT_ID, inputHash, _out(0), false);
        _step(id, 0, inputHash, false);
        IAgentExecHandler.TaskView memory v = handler.taskOf(id);
        assertEq(v.steppedStages, 1, "stepped");
        assertEq(v.provenStages, 0, "proven");
        assertFalse(v.finalStepped, "not final");
        assertEq(handler.stepDigest(id, 0), _stepDigest(inputHash, _out(0)), "recorded digest");
        assertEq(handler.stepDigest(id, 1), bytes32(0), "nothing at stage 1");
    }

    function test_onAgentStep_asyncStagesChainWithoutProves() public {
        _step(id, 0, inputHash, false);
        _step(id, 1, inputHash, false);
        _step(id, 2, inputHash, true);
        IAgentExecHandler.TaskView memory v = handler.taskOf(id);
        assertEq(v.steppedStages, 3, "stepped");
        assertTrue(v.finalStepped, "final stepped");
        assertEq(uint256(v.status), uint256(IAgentExecHandler.TaskStatus.Active), "still active until proven");
    }

    function test_onAgentStep_secondAllowlistedAgentAccepted() public {
        vm.prank(agent2);
        handler.onAgentStep(id, inputHash, _out(0), "", 99, agent2, 0, false, "");
        assertEq(handler.taskOf(id).steppedStages, 1, "stepped");
    }

    function test_onAgentStep_agentIdIsNotCheckedUnderAllowlist() public {
        vm.expectEmit(true, true, true, true, address(handler));
        emit IAgentExecHandlerEvents.AgentStepAccepted(id, 0, agent, 123456, inputHash, _out(0), false);
        vm.prank(agent);
        handler.onAgentStep(id, inputHash, _out(0), "", 123456, agent, 0, false, "");
    }

    function test_onAgentStep_outputMatchingHashAccepted() public {
        bytes memory output = "the summary";
        vm.prank(agent);
        handler.onAgentStep(id, inputHash, keccak256(output), output, AGENT_ID, agent, 0, false, "opaque data");
        assertEq(handler.stepDigest(id, 0), _stepDigest(inputHash, keccak256(output)), "recorded");
    }

    function test_onAgentStep_finalAllowedFromMinFinalStage() public {
        bytes32 wf = _register(_policy(_uniform(4, ASYNC), 1));
        bytes32 t = _dispatch(wf);
        _step(t, 0, inputHash, false);
        _step(t, 1, inputHash, true);
        assertTrue(handler.taskOf(t).finalStepped, "early final");
        assertEq(handler.taskOf(t).steppedStages, 2, "stepped");
    }

    // ---------------------------------------------------------------- who

    function test_onAgentStep_callerNotAgent_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerCallerNotAgent.selector, stranger, agent));
        _stepAs(stranger, agent, AGENT_ID, 0);
    }

    function test_onAgentStep_unauthorizedAgent_reverts() public {
        vm.expectRevert(
            abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerUnauthorizedAgent.selector, id, stranger, AGENT_ID)
        );
        _stepAs(stranger, stranger, AGENT_ID, 0);
    }

    function test_onAgentStep_registryOwnerAccepted() public {
        MockIdentityRegistry reg = new MockIdentityRegistry();
        reg.setOwner(1, agent);
        bytes32 t = _dispatch(_register(_registryPolicy(address(reg))));
        vm.prank(agent);
        handler.onAgentStep(t, inputHash, _out(0), "", 1, agent, 0, true, "");
        assertEq(handler.taskOf(t).steppedStages, 1, "stepped");
    }

    function test_onAgentStep_registryNonOwner_reverts() public {
        MockIdentityRegistry reg = new MockIdentityRegistry();
        reg.setOwner(1, agent);
        bytes32 t = _dispatch(_register(_registryPolicy(address(reg))));
        vm.prank(agent2);
        vm.expectRevert(abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerUnauthorizedAgent.selector, t, agent2, 1));
        handler.onAgentStep(t, inputHash, _out(0), "", 1, agent2, 0, true, "");
    }

    function test_onAgentStep_registryUnknownId_reverts() public {
        MockIdentityRegistry reg = new MockIdentityRegistry();
        bytes32 t = _dispatch(_register(_registryPolicy(address(reg))));
        vm.prank(agent);
        vm.expectRevert(abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerUnauthorizedAgent.selector, t, agent, 42));
        handler.onAgentStep(t, inputHash, _out(0), "", 42, agent, 0, true, "");
    }

    function test_onAgentStep_registryTransferredIdRefusesOldOwner() public {
        MockIdentityRegistry reg = new MockIdentityRegistry();
        reg.setOwner(1, agent);
        bytes32 t = _dispatch(_register(_registryPolicy(address(reg))));
        reg.setOwner(1, agent2);
        vm.prank(agent);
        vm.expectRevert(abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerUnauthorizedAgent.selector, t, agent, 1));
        handler.onAgentStep(t, inputHash, _out(0), "", 1, agent, 0, true, "");
        vm.prank(agent2);
        handler.onAgentStep(t, inputHash, _out(0), "", 1, agent2, 0, true, "");
        assertEq(handler.taskOf(t).steppedStages, 1, "new owner stepped");
    }

    function test_onAgentStep_registryAgentWalletAccepted() public {
        MockIdentityRegistry reg = new MockIdentityRegistry();
        reg.setOwner(1, stranger);
        reg.setAgentWallet(1, agent2); // the agent's verified wallet steps, not its owner
        bytes32 t = _dispatch(_register(_registryPolicy(address(reg))));
        vm.prank(agent2);
        handler.onAgentStep(t, inputHash, _out(0), "", 1, agent2, 0, true, "");
        assertEq(handler.taskOf(t).steppedStages, 1, "wallet stepped");
        assertTrue(handler.isAgentAuthorized(handler.taskOf(t).agentWorkflowHash, agent2, 1), "view agrees");
    }

    function test_onAgentStep_registryApprovedAccountAccepted() public {
        MockIdentityRegistry reg = new MockIdentityRegistry();
        reg.setOwner(1, stranger);
        reg.approve(agent2, 1);
        bytes32 t = _dispatch(_register(_registryPolicy(address(reg))));
        vm.prank(agent2);
        handler.onAgentStep(t, inputHash, _out(0), "", 1, agent2, 0, true, "");
        assertEq(handler.taskOf(t).steppedStages, 1, "approved account stepped");
    }

    function test_onAgentStep_registryOperatorAccepted() public {
        MockIdentityRegistry reg = new MockIdentityRegistry();
        reg.setOwner(1, stranger);
        reg.setApprovalForAll(stranger, agent, true);
        bytes32 t = _dispatch(_register(_registryPolicy(address(reg))));
        vm.prank(agent);
        handler.onAgentStep(t, inputHash, _out(0), "", 1, agent, 0, true, "");
        assertEq(handler.taskOf(t).steppedStages, 1, "operator stepped");
    }

    function test_onAgentStep_registryWalletOfAnotherId_reverts() public {
        MockIdentityRegistry reg = new MockIdentityRegistry();
        reg.setOwner(1, stranger);
        reg.setOwner(2, stranger);
        reg.setAgentWallet(2, agent2); // agent2 is agent 2's wallet, not agent 1's
        bytes32 t = _dispatch(_register(_registryPolicy(address(reg))));
        vm.prank(agent2);
        vm.expectRevert(abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerUnauthorizedAgent.selector, t, agent2, 1));
        handler.onAgentStep(t, inputHash, _out(0), "", 1, agent2, 0, true, "");
    }

    /// @dev A wallet whose agent id is unknown to `isAuthorizedOrOwner` (it reverts) is still found by its wallet.
    function test_onAgentStep_registryWalletAcceptedWhenOwnerLookupReverts() public {
        MockIdentityRegistry reg = new MockIdentityRegistry();
        reg.setAgentWallet(9, agent); // no owner: isAuthorizedOrOwner reverts
        bytes32 t = _dispatch(_register(_registryPolicy(address(reg))));
        vm.prank(agent);
        handler.onAgentStep(t, inputHash, _out(0), "", 9, agent, 0, true, "");
        assertEq(handler.taskOf(t).steppedStages, 1, "wallet stepped");
    }

    /// @dev The registry lookup gets its full allowance or the step reverts: an agent cannot be refused (nor, with a
    /// registry that fails open, admitted) by the gas its own transaction leaves.
    function test_onAgentStep_registryLookupNeedsItsAllowance() public {
        MockIdentityRegistry reg = new MockIdentityRegistry();
        reg.setOwner(1, agent);
        bytes32 t = _dispatch(_register(_registryPolicy(address(reg))));
        vm.prank(agent);
        (bool ok, bytes memory ret) = address(handler).call{gas: 52_000}(
            abi.encodeCall(handler.onAgentStep, (t, inputHash, _out(0), "", 1, agent, 0, true, ""))
        );
        assertFalse(ok, "reverted");
        assertEq(bytes4(ret), BoundedCall.BoundedCallInsufficientGas.selector, "gas guard");
        (, uint256 required) = abi.decode(_tail4(ret), (uint256, uint256));
        assertEq(required, handler.REGISTRY_LOOKUP_GAS() + BoundedCall.CALL_OVERHEAD, "required");
    }

    function _tail4(bytes memory ret) private pure returns (bytes memory out) {
        out = new bytes(ret.length - 4);
        for (uint256 i; i < out.length; ++i) {
            out[i] = ret[i + 4];
        }
    }

    function test_onAgentStep_openAuthAcceptsAnyAccountForItself() public {
        IWorkflowPolicyRegistry.WorkflowPolicy memory p = _policy(_uniform(1, ASYNC), 0);
        p.agentAuth = IWorkflowPolicyRegistry.AgentAuth.Open;
        p.agents = new address[](0);
        bytes32 t = _dispatch(_register(p));
        vm.prank(stranger);
        handler.onAgentStep(t, inputHash, _out(0), "", 0, stranger, 0, true, "");
        assertEq(handler.taskOf(t).steppedStages, 1, "stepped");
    }

    function test_onAgentStep_openAuthStillNeedsCallerToBeAgent() public {
        IWorkflowPolicyRegistry.WorkflowPolicy memory p = _policy(_uniform(1, ASYNC), 0);
        p.agentAuth = IWorkflowPolicyRegistry.AgentAuth.Open;
        p.agents = new address[](0);
        bytes32 t = _dispatch(_register(p));
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerCallerNotAgent.selector, stranger, agent));
        handler.onAgentStep(t, inputHash, _out(0), "", 0, agent, 0, true, "");
    }

    function _registryPolicy(address reg) internal view returns (IWorkflowPolicyRegistry.WorkflowPolicy memory p) {
        p = _policy(_uniform(1, ASYNC), 0);
        p.agentAuth = IWorkflowPolicyRegistry.AgentAuth.Registry;
        p.agentRegistry = reg;
        p.agents = new address[](0);
    }

    // ---------------------------------------------------------------- when

    function test_onAgentStep_unknownTask_reverts() public {
        bytes32 unknown = keccak256("no such task");
        vm.prank(agent);
        vm.expectRevert(abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerTaskNotFound.selector, unknown));
        handler.onAgentStep(unknown, inputHash, _out(0), "", AGENT_ID, agent, 0, false, "");
    }

    function test_onAgentStep_atDeadline_reverts() public {
        uint256 deadline = handler.taskOf(id).deadline;
        vm.warp(deadline);
        vm.expectRevert(
            abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerDeadlinePassed.selector, id, deadline, deadline)
        );
        _step(id, 0, inputHash, false);
    }

    function test_onAgentStep_oneSecondBeforeDeadlineAccepted() public {
        vm.warp(handler.taskOf(id).deadline - 1);
        _step(id, 0, inputHash, false);
        assertEq(handler.taskOf(id).steppedStages, 1, "stepped");
    }

    function test_onAgentStep_afterExpiry_reverts() public {
        vm.warp(handler.taskOf(id).deadline + 5);
        handler.expireTask(id);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAgentExecHandler.AgentHandlerTaskNotActive.selector, id, IAgentExecHandler.TaskStatus.Expired
            )
        );
        _step(id, 0, inputHash, false);
    }

    function test_onAgentStep_afterHalt_reverts() public {
        IWorkflowPolicyRegistry.StagePolicy[] memory s = _uniform(2, SYNC);
        s[0].gating = true;
        bytes32 t = _dispatch(_register(_policy(s, 1)));
        _step(t, 0, inputHash, false);
        _prove(t, 0, inputHash, DENIED);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAgentExecHandler.AgentHandlerTaskNotActive.selector, t, IAgentExecHandler.TaskStatus.Halted
            )
        );
        _step(t, 1, inputHash, true);
    }

    function test_onAgentStep_afterFinalisation_reverts() public {
        bytes32 wf = _register(_policy(_uniform(2, ASYNC), 0));
        bytes32 t = _dispatch(wf);
        _step(t, 0, inputHash, true);
        _prove(t, 0, inputHash, APPROVED);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAgentExecHandler.AgentHandlerTaskNotActive.selector, t, IAgentExecHandler.TaskStatus.Finalized
            )
        );
        _step(t, 1, inputHash, true);
    }

    // ---------------------------------------------------------------- which stage

    function test_onAgentStep_stageOutOfRange_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerStageOutOfRange.selector, id, 3, 3));
        _step(id, 3, inputHash, true);
    }

    function test_onAgentStep_stage255OutOfRange_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerStageOutOfRange.selector, id, 255, 3));
        _step(id, 255, inputHash, true);
    }

    function test_onAgentStep_skippingAStage_reverts() public {
        _step(id, 0, inputHash, false);
        vm.expectRevert(abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerStageOutOfOrder.selector, id, 2, 1));
        _step(id, 2, inputHash, true);
    }

    function test_onAgentStep_firstStepNotAtZero_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerStageOutOfOrder.selector, id, 1, 0));
        _step(id, 1, inputHash, false);
    }

    function test_onAgentStep_replayedStage_reverts() public {
        _step(id, 0, inputHash, false);
        vm.expectRevert(abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerStageOutOfOrder.selector, id, 0, 1));
        _step(id, 0, inputHash, false);
    }

    function test_onAgentStep_afterEarlyFinal_reverts() public {
        bytes32 t = _dispatch(_register(_policy(_uniform(3, ASYNC), 0)));
        _step(t, 0, inputHash, true);
        vm.expectRevert(abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerSteppingClosed.selector, t, 0));
        _step(t, 1, inputHash, false);
    }

    // ---------------------------------------------------------------- the final flag

    function test_onAgentStep_finalBeforeMinFinalStage_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerFinalFlagInvalid.selector, id, 0, true));
        _step(id, 0, inputHash, true);
    }

    function test_onAgentStep_lastStageWithoutFinal_reverts() public {
        _step(id, 0, inputHash, false);
        _step(id, 1, inputHash, false);
        vm.expectRevert(abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerFinalFlagInvalid.selector, id, 2, false));
        _step(id, 2, inputHash, false);
    }

    function test_onAgentStep_singleStageMustBeFinal_reverts() public {
        bytes32 t = _dispatch(_registerUniform(1, SYNC));
        vm.expectRevert(abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerFinalFlagInvalid.selector, t, 0, false));
        _step(t, 0, inputHash, false);
    }

    // ---------------------------------------------------------------- sync gating

    function test_onAgentStep_syncStageUnproven_reverts() public {
        bytes32 t = _dispatch(_registerUniform(3, SYNC));
        _step(t, 0, inputHash, false);
        vm.expectRevert(abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerSyncStageUnproven.selector, t, 0));
        _step(t, 1, inputHash, false);
    }

    function test_onAgentStep_syncStageRejectedProveStillGates() public {
        bytes32 t = _dispatch(_registerUniform(2, SYNC));
        _step(t, 0, inputHash, false);
        _prove(t, 0, inputHash, INVALID);
        vm.expectRevert(abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerSyncStageUnproven.selector, t, 0));
        _step(t, 1, inputHash, true);
    }

    function test_onAgentStep_syncStageProvenOpensNextStep() public {
        bytes32 t = _dispatch(_registerUniform(2, SYNC));
        _step(t, 0, inputHash, false);
        _prove(t, 0, inputHash, INVALID);
        _prove(t, 0, inputHash, APPROVED); // retried with a new proof
        _step(t, 1, inputHash, true);
        assertEq(handler.taskOf(t).steppedStages, 2, "stepped");
    }

    function test_onAgentStep_mixedOnlyTheSyncStageGates() public {
        IWorkflowPolicyRegistry.StagePolicy[] memory s = _uniform(4, ASYNC);
        s[1].resolution = SYNC;
        bytes32 t = _dispatch(_register(_policy(s, 3)));
        _step(t, 0, inputHash, false);
        _step(t, 1, inputHash, false); // stage 0 is async: no wait
        vm.expectRevert(abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerSyncStageUnproven.selector, t, 1));
        _step(t, 2, inputHash, false);
        _prove(t, 1, inputHash, APPROVED);
        _step(t, 2, inputHash, false); // stage 0 still unproven: async does not gate
        _step(t, 3, inputHash, true); // stage 2 is async
        assertEq(handler.taskOf(t).provenStages, 2, "only stage 1 proven");
    }

    // ---------------------------------------------------------------- output binding

    function test_onAgentStep_zeroOutputHash_reverts() public {
        vm.prank(agent);
        vm.expectRevert(abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerZeroOutputHash.selector, id, 0));
        handler.onAgentStep(id, inputHash, bytes32(0), "", AGENT_ID, agent, 0, false, "");
    }

    function test_onAgentStep_outputHashMismatch_reverts() public {
        bytes memory output = "the summary";
        bytes32 claimed = keccak256("another summary");
        vm.prank(agent);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAgentExecHandlerErrors.AgentHandlerOutputHashMismatch.selector, id, claimed, keccak256(output)
            )
        );
        handler.onAgentStep(id, inputHash, claimed, output, AGENT_ID, agent, 0, false, "");
    }

    function testFuzz_onAgentStep_outputBindsOutputHash(bytes calldata output, bytes32 claimed) public {
        vm.assume(output.length != 0 && claimed != bytes32(0));
        bytes32 computed = keccak256(output);
        vm.prank(agent);
        if (claimed != computed) {
            vm.expectRevert(
                abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerOutputHashMismatch.selector, id, claimed, computed)
            );
        }
        handler.onAgentStep(id, inputHash, claimed, output, AGENT_ID, agent, 0, false, "");
    }

    // ---------------------------------------------------------------- WYRIWE and inputs

    function test_onAgentStep_sentinelViolation_reverts() public {
        bytes32 other = keccak256("what the model was really fed");
        vm.expectRevert(
            abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerWyriweViolation.selector, id, inputHash, other)
        );
        _step(id, 0, other, false);
    }

    function test_onAgentStep_pipelineRequiresTransformedInput() public {
        IWorkflowPolicyRegistry.WorkflowPolicy memory p = _policy(_uniform(2, ASYNC), 1);
        p.pipelineHash = PIPELINE;
        bytes32 t = _dispatch(_register(p));
        bytes32 attested = keccak256(abi.encode(inputHash, PIPELINE));
        vm.expectRevert(
            abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerWyriweViolation.selector, t, attested, inputHash)
        );
        _step(t, 0, inputHash, false);
        _step(t, 0, attested, false);
        assertEq(handler.taskOf(t).steppedStages, 1, "stepped with the attested input");
    }

    function test_onAgentStep_identityPipelineIsSentinel() public {
        IWorkflowPolicyRegistry.WorkflowPolicy memory p = _policy(_uniform(1, ASYNC), 0);
        p.pipelineHash = IDENTITY_PIPELINE;
        bytes32 t = _dispatch(_register(p));
        bytes32 transformed = keccak256(abi.encode(inputHash, IDENTITY_PIPELINE));
        vm.expectRevert(
            abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerWyriweViolation.selector, t, inputHash, transformed)
        );
        _step(t, 0, transformed, true);
        _step(t, 0, inputHash, true);
    }

    function test_onAgentStep_laterStageNotAttestedInput_reverts() public {
        _step(id, 0, inputHash, false);
        bytes32 other = keccak256("other input");
        vm.expectRevert(abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerInputNotAttested.selector, id, 1, other));
        _step(id, 1, other, false);
    }

    function test_onAgentStep_laterStageWithPipelineKeysOnAttestedInput() public {
        IWorkflowPolicyRegistry.WorkflowPolicy memory p = _policy(_uniform(2, ASYNC), 1);
        p.pipelineHash = PIPELINE;
        bytes32 t = _dispatch(_register(p));
        bytes32 attested = keccak256(abi.encode(inputHash, PIPELINE));
        _step(t, 0, attested, false);
        vm.expectRevert(
            abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerInputNotAttested.selector, t, 1, inputHash)
        );
        _step(t, 1, inputHash, true); // the declared (pre-transform) hash is not what stages key on
        _step(t, 1, attested, true);
    }

    function test_onAgentStep_chainedStageNeedsPreviousOutput() public {
        IWorkflowPolicyRegistry.StagePolicy[] memory s = _uniform(2, ASYNC);
        s[1].input = CHAINED;
        bytes32 t = _dispatch(_register(_policy(s, 1)));
        _step(t, 0, inputHash, false);
        vm.prank(agent);
        vm.expectRevert(abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerInputNotChained.selector, t, 1, inputHash));
        handler.onAgentStep(t, inputHash, _out(1), "", AGENT_ID, agent, 1, true, _w(inputHash));
        _stepChained(t, 1, inputHash, true);
        assertEq(handler.stepDigest(t, 1), _stepDigest(_out(0), _out(1), agent, true), "chained step recorded");
    }

    function test_onAgentStep_chainedStageWrongWitness_reverts() public {
        IWorkflowPolicyRegistry.StagePolicy[] memory s = _uniform(2, ASYNC);
        s[1].input = CHAINED;
        bytes32 t = _dispatch(_register(_policy(s, 1)));
        _step(t, 0, inputHash, false);
        bytes32 wrongWitness = keccak256("not stage 0's input");
        vm.prank(agent);
        vm.expectRevert(abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerInputNotChained.selector, t, 1, _out(0)));
        handler.onAgentStep(t, _out(0), _out(1), "", AGENT_ID, agent, 1, true, _w(wrongWitness));
    }

    function test_onAgentStep_laterStageWithoutWitness_reverts() public {
        _step(id, 0, inputHash, false);
        vm.prank(agent);
        vm.expectRevert(abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerMissingWitness.selector, id, 1));
        handler.onAgentStep(id, inputHash, _out(1), "", AGENT_ID, agent, 1, false, hex"00112233");
    }

    function test_onAgentStep_attestedStageWrongWitness_reverts() public {
        _step(id, 0, inputHash, false);
        vm.prank(agent);
        vm.expectRevert(abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerInputNotAttested.selector, id, 1, inputHash));
        handler.onAgentStep(id, inputHash, _out(1), "", AGENT_ID, agent, 1, false, _w(keccak256("not stage 0's output")));
    }

    function test_onAgentStep_firstStageZeroNeedsNoWitness() public {
        // whatever `data` holds is application data for a first step of stage 0
        vm.prank(agent);
        handler.onAgentStep(id, inputHash, _out(0), "", AGENT_ID, agent, 0, false, hex"01");
        assertEq(handler.taskOf(id).steppedStages, 1, "stepped");
    }

    function testFuzz_onAgentStep_stageZeroInputIsExactlyTheAttestedOne(bytes32 declared, bytes32 given, bool piped)
        public
    {
        vm.assume(declared != bytes32(0));
        IWorkflowPolicyRegistry.WorkflowPolicy memory p = _policy(_uniform(1, ASYNC), 0);
        if (piped) p.pipelineHash = PIPELINE;
        bytes32 wf = _register(p);
        vm.prank(requester);
        bytes32 t = caller.callAgent(_task(wf, keccak256("fuzz"), block.timestamp + TTL), declared, "");
        bytes32 attested = piped ? keccak256(abi.encode(declared, PIPELINE)) : declared;
        if (given != attested) {
            vm.expectRevert(
                abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerWyriweViolation.selector, t, attested, given)
            );
        }
        _step(t, 0, given, true);
    }
}
