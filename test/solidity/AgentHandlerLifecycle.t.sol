// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {vm} from "./utils/Vm.sol";
import {AgentExecFixture} from "./utils/Fixture.sol";
import {AgentTask} from "../../contracts/interfaces/AgentTask.sol";
import {AgentHandler} from "../../contracts/AgentHandler.sol";
import {FollowUpHandler} from "../../contracts/mocks/FollowUpHandler.sol";
import {IAgentExecHandler} from "../../contracts/interfaces/IAgentExecHandler.sol";
import {IAgentExecHandlerErrors} from "../../contracts/interfaces/IAgentExecHandlerErrors.sol";
import {IAgentExecHandlerEvents} from "../../contracts/interfaces/IAgentExecHandlerEvents.sol";
import {IAgentTaskReceiver} from "../../contracts/interfaces/IAgentTaskReceiver.sol";
import {IWorkflowPolicyRegistry} from "../../contracts/interfaces/IWorkflowPolicyRegistry.sol";
import {HookRecordingHandler} from "../../contracts/mocks/HookRecordingHandler.sol";

/// @notice The task lifecycle at the handler: dispatch from the trusted caller only, the WYRIWE attested input
/// recorded at open, expiry by anyone after the deadline, the views, and the inheritance hooks.
contract AgentHandlerLifecycleTest is AgentExecFixture {
    bytes32 internal wf;

    function setUp() public override {
        super.setUp();
        wf = _registerUniform(2, ASYNC);
    }

    // ---------------------------------------------------------------- dispatch

    function test_agentCaller_isTheConstructorArgument() public view {
        assertEq(handler.agentCaller(), address(caller), "agentCaller");
    }

    function test_checkDispatch_reportsEachOutcome() public {
        bytes32 fresh = keccak256("fresh");
        assertEq(uint256(handler.checkDispatch(fresh, wf)), uint256(IAgentTaskReceiver.DispatchCheck.CallerNotTrusted), "untrusted");
        vm.prank(address(caller));
        assertEq(uint256(handler.checkDispatch(fresh, wf)), uint256(IAgentTaskReceiver.DispatchCheck.Ok), "ok");
        vm.prank(address(caller));
        assertEq(
            uint256(handler.checkDispatch(fresh, keccak256("unregistered"))),
            uint256(IAgentTaskReceiver.DispatchCheck.WorkflowNotRegistered),
            "unregistered"
        );
        bytes32 t = _dispatch(wf);
        vm.prank(address(caller));
        assertEq(uint256(handler.checkDispatch(t, wf)), uint256(IAgentTaskReceiver.DispatchCheck.TaskIdReused), "reused");
    }

    function test_onAgentTaskDispatched_returnsMagicAndOpens() public {
        bytes32 t = keccak256("direct");
        vm.prank(address(caller));
        bytes4 magic = handler.onAgentTaskDispatched(t, requester, wf, inputHash, block.timestamp + 10);
        assertEq(bytes32(magic), bytes32(IAgentTaskReceiver.onAgentTaskDispatched.selector), "magic");
        _assertStatus(t, IAgentExecHandler.TaskStatus.Active, "opened");
    }

    function test_onAgentTaskDispatched_untrustedCaller_reverts() public {
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerUnauthorizedCaller.selector, stranger));
        handler.onAgentTaskDispatched(keccak256("t"), stranger, wf, inputHash, block.timestamp + 10);
    }

    function test_onAgentTaskDispatched_reusedId_reverts() public {
        bytes32 t = _dispatch(wf);
        vm.prank(address(caller));
        vm.expectRevert(abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerTaskIdReused.selector, t));
        handler.onAgentTaskDispatched(t, requester, wf, keccak256("overwrite attempt"), block.timestamp + 10);
    }

    function test_onAgentTaskDispatched_unregisteredWorkflow_reverts() public {
        bytes32 unknown = keccak256("unregistered");
        vm.prank(address(caller));
        vm.expectRevert(abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerWorkflowNotRegistered.selector, unknown));
        handler.onAgentTaskDispatched(keccak256("t"), requester, unknown, inputHash, block.timestamp + 10);
    }

    function test_onAgentTaskDispatched_deadlineNotInFuture_reverts() public {
        bytes32 t = keccak256("t");
        vm.prank(address(caller));
        vm.expectRevert(
            abi.encodeWithSelector(
                IAgentExecHandlerErrors.AgentHandlerInvalidDeadline.selector, t, block.timestamp, block.timestamp
            )
        );
        handler.onAgentTaskDispatched(t, requester, wf, inputHash, block.timestamp);
    }

    function test_onAgentTaskDispatched_deadlineBeyondUint40_reverts() public {
        bytes32 t = keccak256("t");
        uint256 deadline = uint256(type(uint40).max) + 1;
        vm.prank(address(caller));
        vm.expectRevert(
            abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerInvalidDeadline.selector, t, deadline, block.timestamp)
        );
        handler.onAgentTaskDispatched(t, requester, wf, inputHash, deadline);
    }

    function test_open_recordsAttestedInputForPipeline() public {
        IWorkflowPolicyRegistry.WorkflowPolicy memory p = _policy(_uniform(1, ASYNC), 0);
        p.pipelineHash = PIPELINE;
        bytes32 w = _register(p);
        bytes32 salt = keccak256("pipeline salt");
        bytes32 t = _expectedTaskId(requester, address(handler), salt);
        uint256 deadline = block.timestamp + TTL;
        vm.expectEmit(true, true, true, true, address(handler));
        emit IAgentExecHandlerEvents.AgentTaskOpened(t, w, keccak256(abi.encode(inputHash, PIPELINE)), deadline);
        vm.prank(requester);
        caller.callAgent(_task(w, salt, deadline), inputHash, "");
    }

    // ---------------------------------------------------------------- expiry

    function test_expireTask_beforeDeadline_reverts() public {
        bytes32 t = _dispatch(wf);
        uint256 deadline = handler.taskOf(t).deadline;
        vm.warp(deadline - 1);
        vm.expectRevert(
            abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerDeadlineNotPassed.selector, t, deadline, deadline - 1)
        );
        handler.expireTask(t);
    }

    function test_expireTask_atDeadlineByAnyone() public {
        bytes32 t = _dispatch(wf);
        _step(t, 0, inputHash, false);
        vm.warp(handler.taskOf(t).deadline);
        assertTrue(handler.taskOf(t).pastDeadline, "past deadline before expiry");
        vm.expectEmit(true, true, true, true, address(handler));
        emit IAgentExecHandlerEvents.AgentTaskExpired(t);
        vm.prank(stranger);
        handler.expireTask(t);
        IAgentExecHandler.TaskView memory v = handler.taskOf(t);
        assertEq(uint256(v.status), uint256(IAgentExecHandler.TaskStatus.Expired), "expired");
        assertEq(v.steppedStages, 1, "history kept");
        assertEq(handler.stepDigest(t, 0), _stepDigest(inputHash, _out(0)), "record kept");
    }

    function test_expireTask_unknownTask_reverts() public {
        bytes32 unknown = keccak256("unknown");
        vm.expectRevert(abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerTaskNotFound.selector, unknown));
        handler.expireTask(unknown);
    }

    function test_expireTask_twice_reverts() public {
        bytes32 t = _dispatch(wf);
        vm.warp(block.timestamp + TTL);
        handler.expireTask(t);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAgentExecHandler.AgentHandlerTaskNotActive.selector, t, IAgentExecHandler.TaskStatus.Expired
            )
        );
        handler.expireTask(t);
    }

    function test_expireTask_finalisedTask_reverts() public {
        bytes32 t = _dispatch(_registerUniform(1, ASYNC));
        _step(t, 0, inputHash, true);
        _prove(t, 0, inputHash, APPROVED);
        vm.warp(block.timestamp + TTL);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAgentExecHandler.AgentHandlerTaskNotActive.selector, t, IAgentExecHandler.TaskStatus.Finalized
            )
        );
        handler.expireTask(t);
    }

    function test_expireTask_haltedTask_reverts() public {
        IWorkflowPolicyRegistry.StagePolicy[] memory s = _uniform(1, SYNC);
        s[0].gating = true;
        bytes32 t = _dispatch(_register(_policy(s, 0)));
        _step(t, 0, inputHash, true);
        _prove(t, 0, inputHash, DENIED);
        vm.warp(block.timestamp + TTL);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAgentExecHandler.AgentHandlerTaskNotActive.selector, t, IAgentExecHandler.TaskStatus.Halted
            )
        );
        handler.expireTask(t);
    }

    // ---------------------------------------------------------------- views

    function test_taskOf_unknownTaskIsZero() public view {
        IAgentExecHandler.TaskView memory v = handler.taskOf(keccak256("unknown"));
        assertEq(uint256(v.status), uint256(IAgentExecHandler.TaskStatus.None), "None");
        assertEq(v.agentWorkflowHash, bytes32(0), "no workflow");
        assertEq(v.deadline, 0, "no deadline");
        assertFalse(v.pastDeadline, "not past");
    }

    function test_stepDigest_hidesTheAttestedInputBeforeStepZero() public {
        bytes32 t = _dispatch(wf);
        assertEq(handler.stepDigest(t, 0), bytes32(0), "stage 0 slot holds the attested input, not a step");
        _step(t, 0, inputHash, false);
        assertEq(handler.stepDigest(t, 0), _stepDigest(inputHash, _out(0)), "digest after step 0");
        assertEq(handler.stepDigest(t, 1), bytes32(0), "nothing at stage 1");
    }

    function test_taskInputContext_namesWorkflowAndPipeline() public {
        bytes32 t = _dispatch(wf);
        (bytes32 w, bytes32 pipe) = handler.taskInputContext(t);
        assertEq(w, wf, "workflow");
        assertEq(pipe, bytes32(0), "no pipeline");
        IWorkflowPolicyRegistry.WorkflowPolicy memory p = _policy(_uniform(1, ASYNC), 0);
        p.pipelineHash = PIPELINE;
        bytes32 wp = _register(p);
        bytes32 tp = _dispatch(wp);
        (w, pipe) = handler.taskInputContext(tp);
        assertEq(w, wp, "piped workflow");
        assertEq(pipe, PIPELINE, "pipeline");
    }

    function test_taskInputContext_unknownTask_reverts() public {
        bytes32 unknown = keccak256("unknown");
        vm.expectRevert(abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerTaskNotFound.selector, unknown));
        handler.taskInputContext(unknown);
    }

    function test_constructor_zeroCaller_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerZeroAgentCaller.selector));
        new AgentHandler(address(0), address(this));
    }

    // ---------------------------------------------------------------- hooks (inheriting dApp)

    function test_hooks_fireOnceWithTheRulesArguments() public {
        HookRecordingHandler h = new HookRecordingHandler(address(caller), address(this));
        IWorkflowPolicyRegistry.StagePolicy[] memory s = _uniform(2, SYNC);
        bytes32 w = keccak256("hooked workflow");
        h.registerWorkflow(w, _policy(s, 1));
        bytes32 salt = keccak256("hook salt");
        bytes32 t = _expectedTaskId(requester, address(h), salt);
        uint256 deadline = block.timestamp + TTL;

        vm.expectEmit(true, true, true, true, address(h));
        emit HookRecordingHandler.HookTaskOpened(t, requester, w, inputHash, deadline);
        vm.prank(requester);
        caller.callAgent(_taskAt(w, salt, deadline, address(h)), inputHash, "");

        bytes memory output = "stage 0 output";
        vm.expectEmit(true, true, true, true, address(h));
        emit HookRecordingHandler.HookStepAccepted(t, 0, keccak256(output), output, AGENT_ID, agent, false, "dapp data");
        vm.prank(agent);
        h.onAgentStep(t, inputHash, keccak256(output), output, AGENT_ID, agent, 0, false, "dapp data");
    }

    function test_hooks_proveRejectFinaliseHaltExpire() public {
        HookRecordingHandler h = new HookRecordingHandler(address(caller), address(this));
        bytes32 w = keccak256("hooked");
        h.registerWorkflow(w, _policy(_uniform(1, SYNC), 0));
        IWorkflowPolicyRegistry.StagePolicy[] memory g = _uniform(1, SYNC);
        g[0].gating = true;
        bytes32 wg = keccak256("hooked gating");
        h.registerWorkflow(wg, _policy(g, 0));

        vm.startPrank(requester);
        bytes32 a = caller.callAgent(_taskAt(w, "a", block.timestamp + TTL, address(h)), inputHash, "");
        bytes32 b = caller.callAgent(_taskAt(wg, "b", block.timestamp + TTL, address(h)), inputHash, "");
        bytes32 c = caller.callAgent(_taskAt(w, "c", block.timestamp + 10, address(h)), inputHash, "");
        vm.stopPrank();
        vm.startPrank(agent);
        h.onAgentStep(a, inputHash, _out(0), "", AGENT_ID, agent, 0, true, "");
        h.onAgentStep(b, inputHash, _out(0), "", AGENT_ID, agent, 0, true, "");
        vm.stopPrank();

        bytes32 dInvalid = keccak256(abi.encode(address(h), a, uint8(0), agent, true, inputHash, _out(0), keccak256(_proof(INVALID))));
        vm.expectEmit(true, true, true, true, address(h));
        emit HookRecordingHandler.HookProveRejected(a, 0, IAgentExecHandler.ProveRejection.InvalidProof, dInvalid);
        h.onAgentProve(a, inputHash, _out(0), _ph(_proof(INVALID)), address(verifier), 0);

        bytes32 dOk = keccak256(abi.encode(address(h), a, uint8(0), agent, true, inputHash, _out(0), keccak256(_proof(APPROVED))));
        vm.expectEmit(true, true, true, true, address(h));
        emit HookRecordingHandler.HookStageProven(a, 0, dOk);
        vm.expectEmit(true, true, true, true, address(h));
        emit HookRecordingHandler.HookTaskFinalized(a, 0, _out(0), requester);
        h.onAgentProve(a, inputHash, _out(0), _ph(_proof(APPROVED)), address(verifier), 0);

        bytes32 dDeny = keccak256(abi.encode(address(h), b, uint8(0), agent, true, inputHash, _out(0), keccak256(_proof(DENIED))));
        vm.expectEmit(true, true, true, true, address(h));
        emit HookRecordingHandler.HookTaskHalted(b, 0, dDeny, requester);
        h.onAgentProve(b, inputHash, _out(0), _ph(_proof(DENIED)), address(verifier), 0);

        vm.warp(block.timestamp + 10);
        vm.expectEmit(true, true, true, true, address(h));
        emit HookRecordingHandler.HookTaskExpired(c);
        h.expireTask(c);
    }

    function test_hooks_stepHookGetsDataAfterTheWitness() public {
        HookRecordingHandler h = new HookRecordingHandler(address(caller), address(this));
        bytes32 w = keccak256("hooked two-stage");
        h.registerWorkflow(w, _policy(_uniform(2, ASYNC), 1));
        vm.prank(requester);
        bytes32 t = caller.callAgent(_taskAt(w, "s", block.timestamp + TTL, address(h)), inputHash, "");
        vm.startPrank(agent);
        h.onAgentStep(t, inputHash, _out(0), "", AGENT_ID, agent, 0, false, "");
        vm.expectEmit(true, true, true, true, address(h));
        emit HookRecordingHandler.HookStepAccepted(t, 1, _out(1), "", AGENT_ID, agent, true, "app bytes");
        h.onAgentStep(t, inputHash, _out(1), "", AGENT_ID, agent, 1, true, abi.encodePacked(_out(0), agent, "app bytes"));
        vm.stopPrank();
    }

    /// @dev Dispatch is deliberately not reentrancy-guarded: a dApp hook may open a follow-up task.
    function test_hooks_finalisationHookMayDispatchAFollowUp() public {
        FollowUpHandler h = new FollowUpHandler(address(caller), address(this));
        bytes32 w = keccak256("first");
        bytes32 next = keccak256("follow-up");
        h.registerWorkflow(w, _policy(_uniform(1, ASYNC), 0));
        h.registerWorkflow(next, _policy(_uniform(1, ASYNC), 0));
        h.setFollowUpWorkflow(next);
        vm.prank(requester);
        bytes32 t = caller.callAgent(_taskAt(w, "s", block.timestamp + TTL, address(h)), inputHash, "");
        vm.prank(agent);
        h.onAgentStep(t, inputHash, _out(0), "", AGENT_ID, agent, 0, true, "");
        bytes32 expected = caller.computeTaskId(address(h), address(h), t);
        vm.expectEmit(true, true, true, true, address(h));
        emit IAgentExecHandlerEvents.AgentTaskOpened(expected, next, _out(0), block.timestamp + 1 days);
        h.onAgentProve(t, inputHash, _out(0), _ph(_proof(APPROVED)), address(verifier), 0);
        assertEq(h.lastFollowUp(), expected, "follow-up id");
        assertEq(uint256(h.taskOf(expected).status), uint256(IAgentExecHandler.TaskStatus.Active), "follow-up open");
        assertEq(uint256(h.taskOf(t).status), uint256(IAgentExecHandler.TaskStatus.Finalized), "first finalized");
    }

    function _taskAt(bytes32 w, bytes32 salt, uint256 deadline, address h)
        internal
        pure
        returns (AgentTask memory)
    {
        return AgentTask({taskId: salt, agentWorkflowHash: w, agentWorkflow: "", handler: h, deadline: deadline});
    }
}
