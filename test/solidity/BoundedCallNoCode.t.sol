// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {vm} from "./utils/Vm.sol";
import {AgentExecFixture} from "./utils/Fixture.sol";
import {IAgentExecHandler} from "../../contracts/interfaces/IAgentExecHandler.sol";

/// @notice Trust gap 7 end to end: a stage verifier whose code disappears after registration (e.g. an EIP-7702
/// delegation that was cleared) must never let a prove through. {BoundedCall} fails closed on an account without
/// code, so the handler rejects the prove and the task stays where it was.
contract BoundedCallNoCodeTest is AgentExecFixture {
    function test_onAgentProve_verifierWithoutCodeIsRejected() public {
        bytes32 wf = _registerUniform(1, ASYNC);
        bytes32 taskId = _dispatch(wf);
        _step(taskId, 0, inputHash, true);

        // The attack: the verifier account loses its code; a CALL to it would "succeed" with no data.
        vm.etch(address(verifier), "");

        vm.expectEmit(true, true, true, true, address(handler));
        emit IAgentExecHandler.AgentProveRejected(
            taskId, 0, address(verifier), IAgentExecHandler.ProveRejection.VerifierNoCode, bytes32(0)
        );
        vm.recordLogs();
        _prove(taskId, 0, inputHash, APPROVED);
        assertEq(vm.getRecordedLogs().length, 1, "one event: the rejection");
        _assertStatus(taskId, IAgentExecHandler.TaskStatus.Active, "not finalised");
        assertEq(handler.taskOf(taskId).provenStages, 0, "stage 0 unproven");
    }

    /// @notice Through {stepAndProve} the no-code rejection reverts the whole call with its own reason.
    function test_stepAndProve_verifierWithoutCode_revertsWithVerifierNoCode() public {
        bytes32 taskId = _dispatch(_registerUniform(1, ASYNC));
        vm.etch(address(verifier), "");
        vm.prank(agent);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAgentExecHandler.AgentHandlerProveRejected.selector,
                taskId,
                0,
                IAgentExecHandler.ProveRejection.VerifierNoCode,
                bytes32(0)
            )
        );
        handler.stepAndProve(_agentStep(taskId, inputHash, _out(0), 0, true, ""), _proof(APPROVED));
    }

    /// @notice The enum value is appended last: the earlier reasons keep their numbers.
    function test_proveRejection_verifierNoCode_isAppendedLast() public pure {
        assertEq(uint256(IAgentExecHandler.ProveRejection.Denied), 5, "Denied keeps 5");
        assertEq(uint256(IAgentExecHandler.ProveRejection.VerifierNoCode), 6, "VerifierNoCode is 6");
    }
}
