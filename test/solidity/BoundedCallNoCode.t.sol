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

        vm.recordLogs();
        _prove(taskId, 0, inputHash, APPROVED);
        assertEq(vm.getRecordedLogs().length, 1, "one event: the rejection");
        _assertStatus(taskId, IAgentExecHandler.TaskStatus.Active, "not finalised");
        assertEq(handler.taskOf(taskId).provenStages, 0, "stage 0 unproven");
    }
}
