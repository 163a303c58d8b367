// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {vm} from "./utils/Vm.sol";
import {AgentExecFixture} from "./utils/Fixture.sol";
import {IAgentVerifier} from "../../contracts/interfaces/IAgentVerifier.sol";
import {IAgentExecHandler} from "../../contracts/interfaces/IAgentExecHandler.sol";
import {IWorkflowPolicyRegistry} from "../../contracts/interfaces/IWorkflowPolicyRegistry.sol";
import {WyriweAttestationVerifier} from "../../contracts/verifiers/WyriweAttestationVerifier.sol";

/// @notice Trust gap 6 end to end: on a stage after 0, the WYRIWE verifier must not accept, as the task's declared
/// input, a hash that is only the previous stage's output. It now enforces what its NatSpec says: the step's input
/// is stage 0's input (the task's attested input), shown by stage 0's witness against the handler's record.
contract WyriweChainedStageTest is AgentExecFixture {
    uint256 internal constant ATTESTER_PK = 0xA77E57;
    WyriweAttestationVerifier internal wyriwe;

    function setUp() public override {
        super.setUp();
        address[] memory a = new address[](1);
        a[0] = vm.addr(ATTESTER_PK);
        wyriwe = new WyriweAttestationVerifier(a, 1);
    }

    /// @notice Stage 0 (configurable verifier, attested input) then stage 1 with input `src`, verified by WYRIWE.
    function _task(IWorkflowPolicyRegistry.InputSource src) internal returns (bytes32 taskId) {
        IWorkflowPolicyRegistry.StagePolicy[] memory s = new IWorkflowPolicyRegistry.StagePolicy[](2);
        s[0] = _stage(ASYNC, false, ATTESTED);
        s[1] = _stage(ASYNC, false, src);
        s[1].verifier = address(wyriwe);
        taskId = _dispatch(_register(_policy(s, 1)));
        _step(taskId, 0, inputHash, false);
    }

    /// @notice A WYRIWE proof of stage 1 (sentinel pipeline, final step by {agent}) attesting `declared`, with witness
    /// `output0 ‖ agent0`.
    function _proof1(bytes32 taskId, bytes32 declared, bytes32 output0, address agent0) internal view returns (bytes memory) {
        bytes32 d = wyriwe.attestationDigest(address(handler), taskId, 1, agent, true, declared, bytes32(0), _out(1), 1);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(ATTESTER_PK, d);
        return abi.encodePacked(uint8(1), declared, bytes32(0), output0, agent0, r, s, v);
    }

    function _verify(bytes32 taskId, bytes32 in_, bytes memory proof) internal returns (IAgentVerifier.Verdict v) {
        vm.prank(address(handler));
        (v,) = wyriwe.verifyStage(taskId, 1, agent, true, in_, _out(1), proof);
    }

    /// @notice The attack: stage 1 is chained, its input is stage 0's output, and an attester (truthfully) signs that
    /// the model received it. Before the fix the verifier approved it as if it were the task's declared input.
    function test_verifyStage_chainedStageDeclaringThePreviousOutputIsInvalid() public {
        bytes32 taskId = _task(CHAINED);
        _stepChained(taskId, 1, inputHash, true);
        bytes memory proof = _proof1(taskId, _out(0), _out(0), agent);
        assertEq(uint256(_verify(taskId, _out(0), proof)), uint256(INVALID), "previous output is not the task input");

        // Through the handler: the prove is rejected and stage 1 stays unproven.
        _prove(taskId, 0, inputHash, APPROVED);
        handler.onAgentProve(taskId, _out(0), _out(1), _ph(proof), address(wyriwe), 1);
        assertEq(handler.taskOf(taskId).provenStages & 2, 0, "stage 1 unproven");
        _assertStatus(taskId, IAgentExecHandler.TaskStatus.Active, "not finalised");
    }

    function test_verifyStage_laterStageOnTheAttestedInputApproves() public {
        bytes32 taskId = _task(ATTESTED);
        _step(taskId, 1, inputHash, true);
        bytes memory proof = _proof1(taskId, inputHash, _out(0), agent);
        assertEq(uint256(_verify(taskId, inputHash, proof)), uint256(APPROVED), "approved");

        _prove(taskId, 0, inputHash, APPROVED);
        handler.onAgentProve(taskId, inputHash, _out(1), _ph(proof), address(wyriwe), 1);
        _assertStatus(taskId, IAgentExecHandler.TaskStatus.Finalized, "finalised");
    }

    function test_verifyStage_laterStageWithWrongWitnessIsInvalid() public {
        bytes32 taskId = _task(ATTESTED);
        _step(taskId, 1, inputHash, true);
        assertEq(uint256(_verify(taskId, inputHash, _proof1(taskId, inputHash, _out(9), agent))), uint256(INVALID), "output0");
        assertEq(uint256(_verify(taskId, inputHash, _proof1(taskId, inputHash, _out(0), agent2))), uint256(INVALID), "agent0");
    }

    function test_verifyStage_laterStageWithoutWitnessIsInvalid() public {
        bytes32 taskId = _task(ATTESTED);
        _step(taskId, 1, inputHash, true);
        bytes memory full = _proof1(taskId, inputHash, _out(0), agent);
        bytes memory header = new bytes(100); // shorter than header + witness
        for (uint256 i; i < 100; ++i) {
            header[i] = full[i];
        }
        assertEq(uint256(_verify(taskId, inputHash, header)), uint256(INVALID), "too short for the witness");
    }

    function test_verifyStage_laterStageForUnknownTaskIsInvalid() public {
        bytes32 taskId = _task(ATTESTED);
        bytes memory proof = _proof1(keccak256("unknown"), inputHash, _out(0), agent);
        vm.prank(address(handler));
        (IAgentVerifier.Verdict v,) = wyriwe.verifyStage(keccak256("unknown"), 1, agent, true, inputHash, _out(1), proof);
        assertEq(uint256(v), uint256(INVALID), "unknown task");
        taskId; // silence
    }
}
