// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {vm} from "./utils/Vm.sol";
import {AgentExecFixture} from "./utils/Fixture.sol";
import {AgentCaller} from "../../contracts/AgentCaller.sol";
import {AgentHandler} from "../../contracts/AgentHandler.sol";
import {AgentTask} from "../../contracts/interfaces/AgentTask.sol";
import {IAgentCaller} from "../../contracts/interfaces/IAgentCaller.sol";
import {IAgentExecCaller} from "../../contracts/interfaces/IAgentExecCaller.sol";
import {IAgentExecHandler} from "../../contracts/interfaces/IAgentExecHandler.sol";
import {IAgentExecHandlerEvents} from "../../contracts/interfaces/IAgentExecHandlerEvents.sol";
import {PlainAgentHandler} from "../../contracts/mocks/PlainAgentHandler.sol";
import {LyingErc165Handler} from "../../contracts/mocks/LyingErc165Handler.sol";

/// @notice AgentCaller: validation (each named error with its arguments), requester-bound task ids, the exact
/// `CallAgent` event, and the dispatch to enforcing vs plain handlers.
contract AgentCallerTest is AgentExecFixture {
    bytes32 internal wf;
    bytes32 internal constant SALT = keccak256("requester salt");

    function setUp() public override {
        super.setUp();
        wf = _registerUniform(1, ASYNC);
    }

    function _call(AgentTask memory t, bytes32 in_, bytes memory input) internal returns (bytes32) {
        vm.prank(requester);
        return caller.callAgent(t, in_, input);
    }

    // ---------------------------------------------------------------- happy paths

    function test_callAgent_emitsCallAgentExactly() public {
        bytes memory workflow = "{\"stages\":[{\"verifier\":\"x\"}]}";
        bytes32 wfHash = keccak256(workflow);
        handler.registerWorkflow(wfHash, _policy(_uniform(1, ASYNC), 0));
        uint256 deadline = block.timestamp + TTL;
        AgentTask memory t = AgentTask({
            taskId: SALT,
            agentWorkflowHash: wfHash,
            agentWorkflow: workflow,
            handler: address(handler),
            deadline: deadline
        });
        bytes32 id = _expectedTaskId(requester, address(handler), SALT);
        vm.expectEmit(true, true, true, true, address(caller));
        emit IAgentCaller.CallAgent(id, requester, wfHash, workflow, inputHash, INPUT, address(handler), deadline);
        vm.expectEmit(true, true, true, true, address(handler));
        emit IAgentExecHandlerEvents.AgentTaskOpened(id, wfHash, inputHash, deadline);
        bytes32 returned = _call(t, inputHash, INPUT);
        assertEq(returned, id, "returned id");
    }

    function test_callAgent_returnsRequesterBoundTaskId() public {
        bytes32 id = _call(_task(wf, SALT, block.timestamp + TTL), inputHash, "");
        assertEq(id, keccak256(abi.encode(block.chainid, address(caller), requester, address(handler), SALT)), "formula");
        assertEq(id, caller.computeTaskId(requester, address(handler), SALT), "computeTaskId");
        assertTrue(id != SALT, "id is not the raw salt");
    }

    function test_callAgent_opensTaskAtEnforcingHandler() public {
        uint256 deadline = block.timestamp + TTL;
        bytes32 id = _call(_task(wf, SALT, deadline), inputHash, "");
        IAgentExecHandler.TaskView memory v = handler.taskOf(id);
        assertEq(uint256(v.status), uint256(IAgentExecHandler.TaskStatus.Active), "status");
        assertEq(v.agentWorkflowHash, wf, "workflow");
        assertEq(v.deadline, deadline, "deadline");
        assertEq(v.steppedStages, 0, "stepped");
        assertEq(v.provenStages, 0, "proven");
        assertFalse(v.finalStepped, "finalStepped");
        assertFalse(v.pastDeadline, "pastDeadline");
    }

    function test_callAgent_hashOnlyInputAndWorkflowAccepted() public {
        bytes32 id = _call(_task(wf, SALT, block.timestamp + TTL), keccak256("off-chain input"), "");
        assertEq(uint256(_status(id)), uint256(IAgentExecHandler.TaskStatus.Active), "status");
    }

    function test_callAgent_maxDeadlineAccepted() public {
        bytes32 id = _call(_task(wf, SALT, type(uint40).max), inputHash, "");
        assertEq(handler.taskOf(id).deadline, type(uint40).max, "deadline");
    }

    function test_callAgent_sameSaltOtherRequesterIsAnotherTask() public {
        bytes32 a = _call(_task(wf, SALT, block.timestamp + TTL), inputHash, "");
        vm.prank(stranger);
        bytes32 b = caller.callAgent(_task(wf, SALT, block.timestamp + TTL), inputHash, "");
        assertTrue(a != b, "ids differ");
        assertEq(b, _expectedTaskId(stranger, address(handler), SALT), "stranger's id");
    }

    function test_callAgent_sameSaltOtherHandlerIsAnotherTask() public {
        AgentHandler other = new AgentHandler(address(caller), address(this));
        other.registerWorkflow(wf, _policy(_uniform(1, ASYNC), 0));
        bytes32 a = _call(_task(wf, SALT, block.timestamp + TTL), inputHash, "");
        AgentTask memory t = _task(wf, SALT, block.timestamp + TTL);
        t.handler = address(other);
        bytes32 b = _call(t, inputHash, "");
        assertTrue(a != b, "ids differ");
        assertEq(b, _expectedTaskId(requester, address(other), SALT), "other handler's id");
    }

    function test_callAgent_plainHandlerOnlyGetsTheEvent() public {
        PlainAgentHandler plain = new PlainAgentHandler();
        AgentTask memory t = _task(keccak256("any workflow, unregistered"), SALT, block.timestamp + TTL);
        t.handler = address(plain);
        bytes32 id = _expectedTaskId(requester, address(plain), SALT);
        vm.expectEmit(true, true, true, true, address(caller));
        emit IAgentCaller.CallAgent(id, requester, t.agentWorkflowHash, "", inputHash, "", address(plain), t.deadline);
        assertEq(_call(t, inputHash, ""), id, "id");
        assertEq(plain.steps() + plain.proves(), 0, "no callback");
    }

    /// @dev The task record lives with the enforcing handler; the caller keeps storage only for plain handlers.
    function test_callAgent_enforcingPathWritesNoCallerStorage() public {
        AgentTask memory t = _task(wf, SALT, block.timestamp + TTL);
        vm.record();
        _call(t, inputHash, "");
        (, bytes32[] memory writes) = vm.accesses(address(caller));
        assertEq(writes.length, 0, "no caller storage written");
    }

    function test_callAgent_plainPathRemembersTheId() public {
        PlainAgentHandler plain = new PlainAgentHandler();
        AgentTask memory t = _task(wf, SALT, block.timestamp + TTL);
        t.handler = address(plain);
        vm.record();
        _call(t, inputHash, "");
        (, bytes32[] memory writes) = vm.accesses(address(caller));
        assertEq(writes.length, 1, "one slot: the dispatched id");
    }

    function testFuzz_computeTaskId_isInjectiveInEachField(address req, address h, bytes32 salt, uint8 which) public view {
        bytes32 base = caller.computeTaskId(req, h, salt);
        assertEq(base, keccak256(abi.encode(block.chainid, address(caller), req, h, salt)), "formula");
        which %= 3;
        bytes32 other = which == 0
            ? caller.computeTaskId(address(uint160(req) ^ 1), h, salt)
            : which == 1 ? caller.computeTaskId(req, address(uint160(h) ^ 1), salt) : caller.computeTaskId(req, h, salt ^ bytes32(uint256(1)));
        assertTrue(base != other, "changing a field changes the id");
    }

    function testFuzz_callAgent_inputBytesBindInputHash(bytes calldata input) public {
        vm.assume(input.length != 0);
        bytes32 id = _call(_task(wf, SALT, block.timestamp + TTL), keccak256(input), input);
        assertEq(handler.stepDigest(id, 0), bytes32(0), "nothing stepped");
        assertEq(uint256(_status(id)), uint256(IAgentExecHandler.TaskStatus.Active), "opened");
    }

    // ---------------------------------------------------------------- named errors

    function test_callAgent_zeroTaskId_reverts() public {
        AgentTask memory t = _task(wf, bytes32(0), block.timestamp + TTL);
        vm.expectRevert(abi.encodeWithSelector(IAgentExecCaller.AgentCallerZeroTaskId.selector));
        _call(t, inputHash, "");
    }

    function test_callAgent_zeroInputHash_reverts() public {
        AgentTask memory t = _task(wf, SALT, block.timestamp + TTL);
        vm.expectRevert(abi.encodeWithSelector(IAgentExecCaller.AgentCallerZeroInputHash.selector));
        _call(t, bytes32(0), "");
    }

    function test_callAgent_deadlineNow_reverts() public {
        AgentTask memory t = _task(wf, SALT, block.timestamp);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAgentExecCaller.AgentCallerDeadlineNotInFuture.selector, block.timestamp, block.timestamp
            )
        );
        _call(t, inputHash, "");
    }

    function test_callAgent_deadlineInPast_reverts() public {
        AgentTask memory t = _task(wf, SALT, block.timestamp - 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAgentExecCaller.AgentCallerDeadlineNotInFuture.selector, block.timestamp - 1, block.timestamp
            )
        );
        _call(t, inputHash, "");
    }

    function test_callAgent_deadlineBeyondUint40_reverts() public {
        uint256 deadline = uint256(type(uint40).max) + 1;
        AgentTask memory t = _task(wf, SALT, deadline);
        vm.expectRevert(
            abi.encodeWithSelector(IAgentExecCaller.AgentCallerDeadlineTooFar.selector, deadline, type(uint40).max)
        );
        _call(t, inputHash, "");
    }

    function test_callAgent_inputHashMismatch_reverts() public {
        AgentTask memory t = _task(wf, SALT, block.timestamp + TTL);
        bytes32 declared = keccak256("something else");
        vm.expectRevert(
            abi.encodeWithSelector(IAgentExecCaller.AgentCallerInputHashMismatch.selector, declared, inputHash)
        );
        _call(t, declared, INPUT);
    }

    function test_callAgent_workflowHashMismatch_reverts() public {
        AgentTask memory t = _task(wf, SALT, block.timestamp + TTL);
        t.agentWorkflow = "not the registered workflow document";
        vm.expectRevert(
            abi.encodeWithSelector(
                IAgentExecCaller.AgentCallerWorkflowHashMismatch.selector, wf, keccak256(t.agentWorkflow)
            )
        );
        _call(t, inputHash, "");
    }

    function test_callAgent_handlerIsEoa_reverts() public {
        AgentTask memory t = _task(wf, SALT, block.timestamp + TTL);
        t.handler = stranger;
        vm.expectRevert(abi.encodeWithSelector(IAgentExecCaller.AgentCallerHandlerNotSupported.selector, stranger));
        _call(t, inputHash, "");
    }

    function test_callAgent_handlerIsZero_reverts() public {
        AgentTask memory t = _task(wf, SALT, block.timestamp + TTL);
        t.handler = address(0);
        vm.expectRevert(abi.encodeWithSelector(IAgentExecCaller.AgentCallerHandlerNotSupported.selector, address(0)));
        _call(t, inputHash, "");
    }

    function test_callAgent_handlerWithoutErc165_reverts() public {
        AgentTask memory t = _task(wf, SALT, block.timestamp + TTL);
        t.handler = address(verifier); // a contract, but no supportsInterface
        vm.expectRevert(
            abi.encodeWithSelector(IAgentExecCaller.AgentCallerHandlerNotSupported.selector, address(verifier))
        );
        _call(t, inputHash, "");
    }

    function test_callAgent_handlerDeclaringOtherInterfacesOnly_reverts() public {
        AgentTask memory t = _task(wf, SALT, block.timestamp + TTL);
        t.handler = address(caller); // ERC-165, but IAgentCaller rather than IAgentHandler
        vm.expectRevert(
            abi.encodeWithSelector(IAgentExecCaller.AgentCallerHandlerNotSupported.selector, address(caller))
        );
        _call(t, inputHash, "");
    }

    function test_callAgent_reusedSalt_reverts() public {
        bytes32 id = _call(_task(wf, SALT, block.timestamp + TTL), inputHash, "");
        AgentTask memory t = _task(wf, SALT, block.timestamp + 2 * TTL);
        vm.expectRevert(abi.encodeWithSelector(IAgentExecCaller.AgentCallerTaskIdReused.selector, id));
        _call(t, keccak256("a different input"), "");
    }

    function test_callAgent_reusedSaltAtPlainHandler_reverts() public {
        PlainAgentHandler plain = new PlainAgentHandler();
        AgentTask memory t = _task(wf, SALT, block.timestamp + TTL);
        t.handler = address(plain);
        bytes32 id = _call(t, inputHash, "");
        vm.expectRevert(abi.encodeWithSelector(IAgentExecCaller.AgentCallerTaskIdReused.selector, id));
        _call(t, inputHash, "");
    }

    function test_callAgent_unregisteredWorkflow_reverts() public {
        bytes32 unknown = keccak256("unregistered workflow");
        AgentTask memory t = _task(unknown, SALT, block.timestamp + TTL);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAgentExecCaller.AgentCallerWorkflowNotRegistered.selector, address(handler), unknown
            )
        );
        _call(t, inputHash, "");
    }

    function test_callAgent_handlerTrustingAnotherCaller_reverts() public {
        AgentHandler foreign = new AgentHandler(address(0xCA11), address(this));
        foreign.registerWorkflow(wf, _policy(_uniform(1, ASYNC), 0));
        AgentTask memory t = _task(wf, SALT, block.timestamp + TTL);
        t.handler = address(foreign);
        vm.expectRevert(
            abi.encodeWithSelector(IAgentExecCaller.AgentCallerNotTrustedByHandler.selector, address(foreign))
        );
        _call(t, inputHash, "");
    }

    function test_callAgent_handlerReturningWrongMagic_reverts() public {
        LyingErc165Handler liar = new LyingErc165Handler(bytes32(0));
        AgentTask memory t = _task(wf, SALT, block.timestamp + TTL);
        t.handler = address(liar);
        vm.expectRevert(
            abi.encodeWithSelector(IAgentExecCaller.AgentCallerDispatchRejected.selector, address(liar), bytes4(0))
        );
        _call(t, inputHash, "");
    }

    /// @dev A handler claiming the receiver interface but answering `checkDispatch` with garbage is refused by name.
    function test_callAgent_handlerAnsweringOutOfRangeCheck_reverts() public {
        LyingErc165Handler liar = new LyingErc165Handler(bytes32(uint256(4)));
        AgentTask memory t = _task(wf, SALT, block.timestamp + TTL);
        t.handler = address(liar);
        vm.expectRevert(
            abi.encodeWithSelector(IAgentExecCaller.AgentCallerDispatchRejected.selector, address(liar), bytes4(0))
        );
        _call(t, inputHash, "");
    }

    /// @dev ... and so is one that claims it and has no `checkDispatch` at all.
    function test_callAgent_handlerWithoutCheckDispatch_reverts() public {
        NoCheckHandler h = new NoCheckHandler();
        AgentTask memory t = _task(wf, SALT, block.timestamp + TTL);
        t.handler = address(h);
        vm.expectRevert(abi.encodeWithSelector(IAgentExecCaller.AgentCallerDispatchRejected.selector, address(h), bytes4(0)));
        _call(t, inputHash, "");
    }

    /// @dev Validation happens before any external call: the cheapest rule wins when several are broken.
    function test_callAgent_checksSaltBeforeEverythingElse() public {
        AgentTask memory t = _task(keccak256("unregistered"), bytes32(0), 0);
        t.handler = stranger;
        vm.expectRevert(abi.encodeWithSelector(IAgentExecCaller.AgentCallerZeroTaskId.selector));
        _call(t, bytes32(0), "x");
    }
}

/// @notice Claims every interface through ERC-165 and implements nothing else.
contract NoCheckHandler {
    function supportsInterface(bytes4) external pure returns (bool) {
        return true;
    }
}
