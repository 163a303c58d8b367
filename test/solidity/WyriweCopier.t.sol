// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {vm} from "./utils/Vm.sol";
import {AgentExecFixture} from "./utils/Fixture.sol";
import {IAgentVerifier} from "../../contracts/interfaces/IAgentVerifier.sol";
import {IAgentExecHandler} from "../../contracts/interfaces/IAgentExecHandler.sol";
import {IAgentExecHandlerErrors} from "../../contracts/interfaces/IAgentExecHandlerErrors.sol";
import {IAgentExecHandlerEvents} from "../../contracts/interfaces/IAgentExecHandlerEvents.sol";
import {IWorkflowPolicyRegistry} from "../../contracts/interfaces/IWorkflowPolicyRegistry.sol";
import {WyriweAttestationVerifier} from "../../contracts/verifiers/WyriweAttestationVerifier.sol";

/// @notice Trust gap 1 on WYRIWE-verified stages: a watcher copies a pending step (same hashes) under its own agent,
/// or with the other `isFinal`, and submits the honest attesters' public WYRIWE attestation for it. The attestation
/// binds `agent` and `isFinal` (as the ECDSA one does), so the copy never verifies — at stage 0 and after it (where
/// the proof carries stage 0's witness) — under `Open` and between two agents of one `Allowlist` — and the honest
/// agent keeps the credit and the non-final flag.
contract WyriweCopierTest is AgentExecFixture {
    uint256 internal constant ATTESTER_PK = 0xA77E57;
    WyriweAttestationVerifier internal wyriwe;

    function setUp() public override {
        super.setUp();
        address[] memory a = new address[](1);
        a[0] = vm.addr(ATTESTER_PK);
        wyriwe = new WyriweAttestationVerifier(a, 1);
    }

    /// @dev A 3-round workflow that may end after round 0 (minFinalStage 0), every stage async, on the attested
    /// input and proven by {wyriwe}.
    function _roundsPolicy(IWorkflowPolicyRegistry.AgentAuth auth)
        internal
        view
        returns (IWorkflowPolicyRegistry.WorkflowPolicy memory p)
    {
        IWorkflowPolicyRegistry.StagePolicy[] memory s = _uniform(3, ASYNC);
        for (uint256 i; i < 3; ++i) {
            s[i].verifier = address(wyriwe);
        }
        p = _policy(s, 0);
        if (auth == IWorkflowPolicyRegistry.AgentAuth.Open) {
            p.agentAuth = auth;
            p.agents = new address[](0);
        }
    }

    /// @dev The attester's WYRIWE attestation (sentinel pipeline, declared = the task input) of the fixture's output
    /// at `stage`, for a step by `by` with final flag `isFinal`; after stage 0 it carries stage 0's witness
    /// `_out(0) ‖ {agent}`.
    function _attest(bytes32 t, uint8 stage, address by, bool isFinal) internal view returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(ATTESTER_PK, _digestFor(t, stage, by, isFinal));
        bytes memory witness = stage == 0 ? bytes("") : abi.encodePacked(_out(0), agent);
        return abi.encodePacked(uint8(1), inputHash, bytes32(0), witness, r, s, v);
    }

    function _digestFor(bytes32 t, uint8 stage, address by, bool isFinal) internal view returns (bytes32) {
        return wyriwe.attestationDigest(address(handler), t, stage, by, isFinal, inputHash, bytes32(0), _out(stage), 1);
    }

    /// @dev The copier records the honest agent's pending stage-`stage` result under its own agent with
    /// `isFinal = true` (ending the rounds early); the honest attestation (for {agent}, not final) never proves it:
    /// with the copier's header the proof is invalid, with the honest header it does not bind the record. The honest
    /// agent then re-records its own step with its own proof and keeps the credit and the non-final flag.
    function _assertCopyNeverVerifies(IWorkflowPolicyRegistry.AgentAuth auth, address copier, uint8 stage) internal {
        bytes32 t = _dispatch(_register(_roundsPolicy(auth)));
        if (stage == 1) {
            // stage 0 honest and proven, so stage 1 may be the final one
            _step(t, 0, inputHash, false);
            handler.onAgentProve(t, inputHash, _out(0), _ph(_attest(t, 0, agent, false)), address(wyriwe), 0);
        }
        bytes memory data = stage == 0 ? bytes("") : _w(_out(0));
        bytes memory honestProof = _attest(t, stage, agent, false); // public once in the mempool
        vm.prank(copier);
        handler.onAgentStep(t, inputHash, _out(stage), "", AGENT_ID, copier, stage, true, data);
        assertEq(handler.stepDigest(t, stage), _stepDigest(inputHash, _out(stage), copier, true), "copy recorded");

        // the verifier itself: the honest attestation does not verify for the copier, nor for the flipped flag
        vm.startPrank(address(handler));
        (IAgentVerifier.Verdict v,) = wyriwe.verifyStage(t, stage, copier, true, inputHash, _out(stage), honestProof);
        assertEq(uint256(v), uint256(INVALID), "copier, final");
        (v,) = wyriwe.verifyStage(t, stage, copier, false, inputHash, _out(stage), honestProof);
        assertEq(uint256(v), uint256(INVALID), "copier, not final");
        (v,) = wyriwe.verifyStage(t, stage, agent, true, inputHash, _out(stage), honestProof);
        assertEq(uint256(v), uint256(INVALID), "honest agent, flipped isFinal");
        vm.stopPrank();

        vm.expectEmit(true, true, true, true, address(handler));
        emit IAgentExecHandler.AgentProveRejected(
            t, stage, address(wyriwe), IAgentExecHandler.ProveRejection.InvalidProof, _digestFor(t, stage, copier, true)
        );
        handler.onAgentProve(t, inputHash, _out(stage), _ph(copier, honestProof), address(wyriwe), stage);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAgentExecHandlerErrors.AgentHandlerProveBindingMismatch.selector, t, stage, inputHash, _out(stage)
            )
        );
        handler.onAgentProve(t, inputHash, _out(stage), _ph(agent, honestProof), address(wyriwe), stage);
        assertEq(handler.taskOf(t).provenStages >> stage, 0, "the copy is never proven");
        _assertStatus(t, IAgentExecHandler.TaskStatus.Active, "not finalised by the copy");

        // the honest agent re-records its own step (a different digest) with its own proof
        bytes memory replaceData = stage == 0 ? _w(_out(0), copier) : _w(_out(0));
        vm.expectEmit(true, true, true, true, address(handler));
        emit IAgentExecHandlerEvents.AgentStepReplaced(t, stage, 0);
        vm.prank(agent);
        handler.stepAndProve(_agentStep(t, inputHash, _out(stage), stage, false, replaceData), honestProof);
        IAgentExecHandler.TaskView memory tv = handler.taskOf(t);
        assertEq(tv.provenStages >> stage, 1, "honest step proven");
        assertFalse(tv.finalStepped, "the workflow goes on to the next round");
        assertEq(
            handler.stepDigest(t, stage), _stepDigest(inputHash, _out(stage), agent, false), "credit with the honest agent"
        );
    }

    function test_onAgentProve_wyriweStage0CopiedUnderOpenAuth_neverVerifies() public {
        _assertCopyNeverVerifies(IWorkflowPolicyRegistry.AgentAuth.Open, stranger, 0);
    }

    function test_onAgentProve_wyriweStage0CopiedBetweenAllowlistAgents_neverVerifies() public {
        _assertCopyNeverVerifies(IWorkflowPolicyRegistry.AgentAuth.Allowlist, agent2, 0);
    }

    function test_onAgentProve_wyriweLaterStageCopiedUnderOpenAuth_neverVerifies() public {
        _assertCopyNeverVerifies(IWorkflowPolicyRegistry.AgentAuth.Open, stranger, 1);
    }

    function test_onAgentProve_wyriweLaterStageCopiedBetweenAllowlistAgents_neverVerifies() public {
        _assertCopyNeverVerifies(IWorkflowPolicyRegistry.AgentAuth.Allowlist, agent2, 1);
    }

    /// @dev After the honest step is recorded, nobody can replace it with the same result under another agent or the
    /// flipped `isFinal` using the honest WYRIWE attestation: the prove does not verify, so nothing changes.
    function test_stepAndProve_wyriweCopyOrFlippedFinalWithTheHonestProof_reverts() public {
        bytes32 t = _dispatch(_register(_roundsPolicy(IWorkflowPolicyRegistry.AgentAuth.Open)));
        _step(t, 0, inputHash, false);
        bytes memory honestProof = _attest(t, 0, agent, false);
        IAgentExecHandler.AgentStep memory st = _agentStep(t, inputHash, _out(0), 0, false, _w(_out(0)));
        st.agent = stranger;
        bytes32 copyDigest = _digestFor(t, 0, stranger, false);
        bytes32 flippedDigest = _digestFor(t, 0, agent, true);
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
        st.agent = agent;
        st.isFinal = true;
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
        // and the honest proof still proves the honest step
        handler.onAgentProve(t, inputHash, _out(0), _ph(honestProof), address(wyriwe), 0);
        assertEq(handler.taskOf(t).provenStages, 1, "honest step proven");
    }
}
