// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {vm} from "./utils/Vm.sol";
import {AgentExecFixture} from "./utils/Fixture.sol";
import {IAgentExecHandler} from "../../contracts/interfaces/IAgentExecHandler.sol";
import {IAgentExecHandlerErrors} from "../../contracts/interfaces/IAgentExecHandlerErrors.sol";
import {IAgentVerifier} from "../../contracts/interfaces/IAgentVerifier.sol";
import {IWorkflowPolicyRegistry} from "../../contracts/interfaces/IWorkflowPolicyRegistry.sol";
import {EcdsaAttestationVerifier} from "../../contracts/verifiers/EcdsaAttestationVerifier.sol";
import {HostileVerifierBase} from "../../contracts/mocks/HostileVerifierBase.sol";

/// @notice Burns gas until only `keep` is left, then reverts with empty data: a plain revert, not an out-of-gas.
contract NearlyExhaustingVerifier is HostileVerifierBase {
    uint256 public immutable keep;

    constructor(uint256 keep_) {
        keep = keep_;
    }

    function verifyStage(bytes32, uint8, address, bool, bytes32, bytes32, bytes calldata proof) external view returns (Verdict, bytes32) {
        if (_isHonest(proof)) return (Verdict.Approved, HONEST_DIGEST);
        while (gasleft() > keep) {}
        assembly ("memory-safe") {
            revert(0, 0)
        }
    }

    function proofSystem() external pure returns (string memory) {
        return "mock/nearly-exhausting";
    }
}

/// @notice Regression tests from the second contracts review: a replacement cannot halt a gate, and a cold
/// verifier's empty revert is not mistaken for running out of gas.
contract ReplacementAndGasTest is AgentExecFixture {
    uint256 internal constant ATTESTER_PK = 0xA77E57;
    EcdsaAttestationVerifier internal ecdsa;
    NearlyExhaustingVerifier internal nearly;
    bytes32 internal oogWf;

    function setUp() public override {
        super.setUp();
        address[] memory a = new address[](1);
        a[0] = vm.addr(ATTESTER_PK);
        ecdsa = new EcdsaAttestationVerifier(a, 1);
        // deployed and registered here, in setUp, so the verifier is a *cold* account in the test transaction
        nearly = new NearlyExhaustingVerifier(1_000);
        IWorkflowPolicyRegistry.StagePolicy[] memory s = _uniform(1, ASYNC);
        s[0].verifier = address(nearly);
        oogWf = _register(_policy(s, 0));
    }

    /// @dev The attester's signature over a non-final step by {agent}.
    function _attest(bytes32 t, uint8 stage, bytes32 in_, bytes32 out, uint8 verdict) internal view returns (bytes memory) {
        return _attest(t, stage, agent, false, in_, out, verdict);
    }

    /// @dev The attester's signature over a step by `by` with final flag `isFinal`.
    function _attest(bytes32 t, uint8 stage, address by, bool isFinal, bytes32 in_, bytes32 out, uint8 verdict)
        internal
        view
        returns (bytes memory)
    {
        (uint8 v, bytes32 r, bytes32 s) =
            vm.sign(ATTESTER_PK, ecdsa.attestationDigest(address(handler), t, stage, by, isFinal, in_, out, verdict));
        return abi.encodePacked(verdict, r, s, v);
    }

    /// @notice Stage 0 sync + gating, stage 1 sync; ECDSA attesters on both; allowlist {agent, agent2}.
    function _gatedWf(IWorkflowPolicyRegistry.AgentAuth auth) internal returns (bytes32) {
        IWorkflowPolicyRegistry.StagePolicy[] memory s = _uniform(2, SYNC);
        s[0].gating = true;
        s[0].verifier = address(ecdsa);
        s[1].verifier = address(ecdsa);
        IWorkflowPolicyRegistry.WorkflowPolicy memory p = _policy(s, 1);
        if (auth == IWorkflowPolicyRegistry.AgentAuth.Open) {
            p.agentAuth = auth;
            p.agents = new address[](0);
        }
        return _register(p);
    }

    // ---------------------------------------------------------------- a replacement must approve

    /// @dev The honest gate step awaits its approval; a co-agent's deliberately bad proposal with the attesters'
    /// genuine denial of it must not displace the honest step and halt the task.
    function test_stepAndProve_replacementWithGatingDenial_reverts() public {
        bytes32 t = _dispatch(_gatedWf(IWorkflowPolicyRegistry.AgentAuth.Allowlist));
        _step(t, 0, inputHash, false);
        bytes32 bad = keccak256("agent2's deliberately unacceptable proposal");
        IAgentExecHandler.AgentStep memory st = _agentStep(t, inputHash, bad, 0, false, _w(_out(0)));
        st.agent = agent2;
        bytes memory denial = _attest(t, 0, agent2, false, inputHash, bad, 2);
        bytes32 digest = ecdsa.attestationDigest(address(handler), t, 0, agent2, false, inputHash, bad, 2);
        digest; // the denial is never even verified: under Allowlist the recorded gate step is locked
        vm.expectRevert(abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerGateLocked.selector, t, 0, 0));
        vm.prank(agent2);
        handler.stepAndProve(st, denial);
        _assertStatus(t, IAgentExecHandler.TaskStatus.Active, "still active");
        assertEq(handler.stepDigest(t, 0), _stepDigest(inputHash, _out(0)), "honest record kept");
        handler.onAgentProve(t, inputHash, _out(0), _ph(_attest(t, 0, inputHash, _out(0), 1)), address(ecdsa), 0);
        assertEq(handler.taskOf(t).provenStages, 1, "the honest approval lands");
    }

    /// @dev Same under Open auth, where the attacker is any stranger.
    function test_stepAndProve_openAuthStrangerCannotHaltAGateByReplacement() public {
        bytes32 t = _dispatch(_gatedWf(IWorkflowPolicyRegistry.AgentAuth.Open));
        _step(t, 0, inputHash, false);
        bytes32 bad = keccak256("stranger's junk");
        IAgentExecHandler.AgentStep memory st = _agentStep(t, inputHash, bad, 0, false, _w(_out(0)));
        st.agent = stranger;
        bytes memory denial = _attest(t, 0, inputHash, bad, 2);
        vm.prank(stranger);
        (bool ok,) = address(handler).call(abi.encodeCall(handler.stepAndProve, (st, denial)));
        assertFalse(ok, "refused");
        _assertStatus(t, IAgentExecHandler.TaskStatus.Active, "not halted by a stranger");
    }

    /// @dev A new gate step may still be validly denied in one call (that is the gate doing its job).
    function test_stepAndProve_newGateStepValidlyDeniedHalts() public {
        bytes32 t = _dispatch(_gatedWf(IWorkflowPolicyRegistry.AgentAuth.Allowlist));
        bytes32 proposal = keccak256("a proposal the gate rejects");
        IAgentExecHandler.AgentStep memory st = _agentStep(t, inputHash, proposal, 0, false, "");
        bytes memory denial = _attest(t, 0, inputHash, proposal, 2);
        vm.prank(agent);
        handler.stepAndProve(st, denial);
        _assertStatus(t, IAgentExecHandler.TaskStatus.Halted, "halted");
    }

    // ---------------------------------------------------------------- out-of-gas classification

    /// @dev The verifier is cold in the test transaction; its empty revert with gas to spare is a revert.
    function test_onAgentProve_coldVerifierEmptyRevertIsVerifierReverted() public {
        bytes32 t = _dispatch(oogWf);
        _step(t, 0, inputHash, true);
        vm.expectEmit(true, true, true, true, address(handler));
        emit IAgentExecHandler.AgentProveRejected(
            t, 0, address(nearly), IAgentExecHandler.ProveRejection.VerifierReverted, bytes32(0)
        );
        handler.onAgentProve(t, inputHash, _out(0), _ph("attack"), address(nearly), 0);
    }

    function test_onAgentProve_warmVerifierEmptyRevertIsVerifierReverted() public {
        bytes32 t = _dispatch(oogWf);
        _step(t, 0, inputHash, true);
        assertEq(nearly.keep(), 1_000, "touch the verifier: now warm");
        vm.expectEmit(true, true, true, true, address(handler));
        emit IAgentExecHandler.AgentProveRejected(
            t, 0, address(nearly), IAgentExecHandler.ProveRejection.VerifierReverted, bytes32(0)
        );
        handler.onAgentProve(t, inputHash, _out(0), _ph("attack"), address(nearly), 0);
    }
}
