// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {vm} from "./utils/Vm.sol";
import {AgentExecFixture} from "./utils/Fixture.sol";
import {IAgentExecHandler} from "../../contracts/interfaces/IAgentExecHandler.sol";
import {IAgentExecHandlerErrors} from "../../contracts/interfaces/IAgentExecHandlerErrors.sol";
import {IAgentTaskAnchorAuthority} from "../../contracts/interfaces/IAgentTaskAnchorAuthority.sol";
import {IWorkflowPolicyRegistry} from "../../contracts/interfaces/IWorkflowPolicyRegistry.sol";

/// @notice Trust gap 5 and anchor authority: tasks record their requester (views, hooks), policies may restrict
/// requesters, the registered policy digest is stored, and `canAnchor` answers for the requester and the agents
/// that recorded a step.
contract RequesterAndAnchorTest is AgentExecFixture {
    function _restricted(address[] memory requesters) internal returns (bytes32) {
        IWorkflowPolicyRegistry.WorkflowPolicy memory p = _policy(_uniform(1, ASYNC), 0);
        p.requesters = requesters;
        return _register(p);
    }

    function _one(address a) internal pure returns (address[] memory r) {
        r = new address[](1);
        r[0] = a;
    }

    // ---------------------------------------------------------------- requester recorded

    function test_taskOf_recordsTheRequester() public {
        bytes32 t = _dispatch(_registerUniform(1, ASYNC));
        assertEq(handler.taskOf(t).requester, requester, "requester");
        bytes32 wf2 = _registerUniform(1, ASYNC);
        vm.prank(stranger);
        bytes32 t2 = caller.callAgent(_task(wf2, "s2", block.timestamp + TTL), inputHash, "");
        assertEq(handler.taskOf(t2).requester, stranger, "another requester");
        assertEq(handler.taskOf(_dispatch(_registerUniform(1, ASYNC))).requester, requester, "interned id reused");
    }

    function test_taskOf_unknownTaskHasNoRequester() public view {
        assertEq(handler.taskOf(keccak256("nope")).requester, address(0), "none");
    }

    // ---------------------------------------------------------------- requester restriction

    function test_dispatch_requesterNotAllowed_reverts() public {
        bytes32 wf = _restricted(_one(requester));
        bytes32 salt = keccak256("salt");
        bytes32 id = _expectedTaskId(stranger, address(handler), salt);
        vm.expectRevert(
            abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerRequesterNotAllowed.selector, id, wf, stranger)
        );
        vm.prank(stranger);
        caller.callAgent(_task(wf, salt, block.timestamp + TTL), inputHash, "");
    }

    function test_dispatch_allowedRequesterOpensTheTask() public {
        bytes32 wf = _restricted(_one(requester));
        bytes32 t = _dispatch(wf);
        _assertStatus(t, IAgentExecHandler.TaskStatus.Active, "opened");
        assertTrue(handler.isRequesterAllowed(wf, requester), "allowed");
        assertFalse(handler.isRequesterAllowed(wf, stranger), "not allowed");
    }

    function test_isRequesterAllowed_openByDefaultFalseIfUnregistered() public {
        bytes32 wf = _registerUniform(1, ASYNC);
        assertTrue(handler.isRequesterAllowed(wf, stranger), "empty list: anyone");
        assertFalse(handler.isRequesterAllowed(keccak256("unregistered"), requester), "unregistered");
    }

    function test_registerWorkflow_zeroRequester_reverts() public {
        IWorkflowPolicyRegistry.WorkflowPolicy memory p = _policy(_uniform(1, ASYNC), 0);
        p.requesters = _one(address(0));
        vm.expectRevert(abi.encodeWithSelector(IWorkflowPolicyRegistry.WorkflowRegistryZeroRequester.selector, 0));
        handler.registerWorkflow(keccak256("z"), p);
    }

    function test_registerWorkflow_duplicateRequester_reverts() public {
        IWorkflowPolicyRegistry.WorkflowPolicy memory p = _policy(_uniform(1, ASYNC), 0);
        p.requesters = new address[](2);
        p.requesters[0] = requester;
        p.requesters[1] = requester;
        vm.expectRevert(
            abi.encodeWithSelector(IWorkflowPolicyRegistry.WorkflowRegistryDuplicateRequester.selector, requester)
        );
        handler.registerWorkflow(keccak256("d"), p);
    }

    function test_registerWorkflow_tooManyAgents_reverts() public {
        IWorkflowPolicyRegistry.WorkflowPolicy memory p = _policy(_uniform(1, ASYNC), 0);
        p.agents = new address[](65);
        for (uint256 i; i < 65; ++i) {
            p.agents[i] = address(uint160(0x1000 + i));
        }
        vm.expectRevert(abi.encodeWithSelector(IWorkflowPolicyRegistry.WorkflowRegistryTooManyAgents.selector, 65, 64));
        handler.registerWorkflow(keccak256("many"), p);
    }

    function test_workflowPolicy_returnsTheRequesters() public {
        address[] memory r = new address[](2);
        r[0] = requester;
        r[1] = stranger;
        bytes32 wf = _restricted(r);
        address[] memory got = handler.workflowPolicy(wf).requesters;
        assertEq(got.length, 2, "two");
        assertEq(got[0], requester, "first");
        assertEq(got[1], stranger, "second");
    }

    // ---------------------------------------------------------------- policy digest

    function test_workflowPolicyDigest_isTheRegisteredPolicysDigest() public {
        IWorkflowPolicyRegistry.WorkflowPolicy memory p = _policy(_uniform(2, SYNC), 1);
        p.requesters = _one(requester);
        p.pipelineHash = IDENTITY_PIPELINE; // normalised to zero
        bytes32 wf = _register(p);
        bytes32 d = handler.workflowPolicyDigest(wf);
        assertEq(d, keccak256(abi.encode(handler.workflowPolicy(wf))), "digest of the stored policy");
        p.pipelineHash = bytes32(0);
        assertEq(d, keccak256(abi.encode(p)), "digest of the normalised input");
        assertEq(handler.workflowPolicyDigest(keccak256("unregistered")), bytes32(0), "zero if unregistered");
    }

    // ---------------------------------------------------------------- anchor authority

    function test_supportsInterface_anchorAuthority() public view {
        assertTrue(handler.supportsInterface(type(IAgentTaskAnchorAuthority).interfaceId), "declared");
    }

    function test_canAnchor_unknownTaskIsFalse() public view {
        assertFalse(handler.canAnchor(keccak256("nope"), requester), "unknown task");
        assertFalse(handler.canAnchor(keccak256("nope"), address(0)), "unknown task, zero account");
    }

    function test_canAnchor_requesterAndAllowlistSteppers() public {
        bytes32 t = _dispatch(_registerUniform(2, ASYNC));
        assertTrue(handler.canAnchor(t, requester), "requester");
        assertFalse(handler.canAnchor(t, agent), "agent before stepping");
        assertFalse(handler.canAnchor(t, stranger), "stranger");
        assertFalse(handler.canAnchor(t, address(0)), "zero account");
        _step(t, 0, inputHash, false);
        assertTrue(handler.canAnchor(t, agent), "agent that stepped");
        assertFalse(handler.canAnchor(t, agent2), "allowlisted but never stepped");
        vm.prank(agent2);
        handler.onAgentStep(t, inputHash, _out(1), "", AGENT_ID, agent2, 1, true, _w(_out(0), agent));
        assertTrue(handler.canAnchor(t, agent2), "second agent stepped");
    }

    function test_canAnchor_openAuthSteppers() public {
        IWorkflowPolicyRegistry.WorkflowPolicy memory p = _policy(_uniform(2, ASYNC), 1);
        p.agentAuth = IWorkflowPolicyRegistry.AgentAuth.Open;
        p.agents = new address[](0);
        bytes32 t = _dispatch(_register(p));
        assertFalse(handler.canAnchor(t, stranger), "before stepping");
        vm.prank(stranger);
        handler.onAgentStep(t, inputHash, _out(0), "", 0, stranger, 0, false, "");
        assertTrue(handler.canAnchor(t, stranger), "stepped");
        assertFalse(handler.canAnchor(t, agent), "never stepped");
        assertTrue(handler.canAnchor(t, requester), "requester");
    }

    /// @notice Under Open auth a later step skips the stepper-flag read when its witness names the stepping agent's
    /// own recorded step (gas); an agent other than the witness's is still flagged, also on a chained stage.
    function test_canAnchor_openAuthLaterStepsByOtherAgents_areFlagged() public {
        IWorkflowPolicyRegistry.StagePolicy[] memory st = _uniform(3, ASYNC);
        st[2].input = CHAINED;
        IWorkflowPolicyRegistry.WorkflowPolicy memory p = _policy(st, 2);
        p.agentAuth = IWorkflowPolicyRegistry.AgentAuth.Open;
        p.agents = new address[](0);
        bytes32 t = _dispatch(_register(p));
        vm.prank(stranger);
        handler.onAgentStep(t, inputHash, _out(0), "", 0, stranger, 0, false, "");
        // stage 1 by the same agent (witness: its own stage-0 step): still a stepper
        vm.prank(stranger);
        handler.onAgentStep(t, inputHash, _out(1), "", 0, stranger, 1, false, _w(_out(0), stranger));
        assertTrue(handler.canAnchor(t, stranger), "same agent");
        assertFalse(handler.canAnchor(t, agent), "not yet");
        // stage 2, chained, by another agent (witness: the stranger's stage-1 step): flagged
        vm.prank(agent);
        handler.onAgentStep(t, _out(1), _out(2), "", 0, agent, 2, true, _w(inputHash, stranger));
        assertTrue(handler.canAnchor(t, agent), "other agent, chained stage");
        assertFalse(handler.canAnchor(t, agent2), "never stepped");
    }

    function testFuzz_canAnchor_onlyRequesterBeforeAnyStep(address account) public {
        bytes32 t = _dispatch(_registerUniform(1, ASYNC));
        assertEq(handler.canAnchor(t, account), account == requester, "only the requester");
    }
}
