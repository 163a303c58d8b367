// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {vm} from "./utils/Vm.sol";
import {AgentExecFixture} from "./utils/Fixture.sol";
import {IAgentExecHandler} from "../../contracts/interfaces/IAgentExecHandler.sol";
import {IAgentExecHandlerErrors} from "../../contracts/interfaces/IAgentExecHandlerErrors.sol";
import {IAgentExecHandlerEvents} from "../../contracts/interfaces/IAgentExecHandlerEvents.sol";
import {IWorkflowPolicyRegistry} from "../../contracts/interfaces/IWorkflowPolicyRegistry.sol";
import {EcdsaAttestationVerifier} from "../../contracts/verifiers/EcdsaAttestationVerifier.sol";
import {MockIdentityRegistry} from "../../contracts/mocks/MockIdentityRegistry.sol";

/// @notice Gate lock and halting authority (trust gaps 2–4), end to end with the real ECDSA verifier: every attack
/// is run in each order the transactions could be mined, and the property is asserted after both.
/// - Allowlist: once a gate step is recorded, neither it nor an earlier stage may be replaced; its valid denial halts.
/// - Open / Registry: nobody has authority to halt; a valid denial only rejects the gate step, which an approved
///   result may replace, so junk never blocks the honest path.
contract GateAuthorityTest is AgentExecFixture {
    uint256 internal constant ATTESTER_PK = 0xA77E57;
    EcdsaAttestationVerifier internal ecdsa;
    MockIdentityRegistry internal registry;

    IWorkflowPolicyRegistry.AgentAuth internal constant ALLOWLIST = IWorkflowPolicyRegistry.AgentAuth.Allowlist;
    IWorkflowPolicyRegistry.AgentAuth internal constant OPEN = IWorkflowPolicyRegistry.AgentAuth.Open;
    IWorkflowPolicyRegistry.AgentAuth internal constant REGISTRY = IWorkflowPolicyRegistry.AgentAuth.Registry;

    bytes32 internal constant GATE_OUT = keccak256("gate: deny, the proposal moves funds to an unknown account");
    bytes32 internal constant ALT0 = keccak256("another approvable stage-0 result");

    function setUp() public override {
        super.setUp();
        address[] memory a = new address[](1);
        a[0] = vm.addr(ATTESTER_PK);
        ecdsa = new EcdsaAttestationVerifier(a, 1);
        registry = new MockIdentityRegistry();
    }

    // ---------------------------------------------------------------- helpers

    function _withAuth(IWorkflowPolicyRegistry.WorkflowPolicy memory p, IWorkflowPolicyRegistry.AgentAuth auth)
        internal
        view
        returns (IWorkflowPolicyRegistry.WorkflowPolicy memory)
    {
        p.agentAuth = auth;
        if (auth != ALLOWLIST) p.agents = new address[](0);
        if (auth == REGISTRY) p.agentRegistry = address(registry);
        return p;
    }

    /// @dev Stage 0 proposes (async), stage 1 is a gate judging stage 0's output (sync, gating, chained), stage 2
    /// acts (final).
    function _judgedWf(IWorkflowPolicyRegistry.AgentAuth auth) internal returns (bytes32) {
        IWorkflowPolicyRegistry.StagePolicy[] memory s = _uniform(3, ASYNC);
        s[1] = _stage(SYNC, true, CHAINED);
        for (uint256 i; i < 3; ++i) {
            s[i].verifier = address(ecdsa);
        }
        return _register(_withAuth(_policy(s, 2), auth));
    }

    /// @dev Stage 0 is a gate on the attested input (sync, gating), stage 1 acts (final).
    function _stage0GateWf(IWorkflowPolicyRegistry.AgentAuth auth) internal returns (bytes32) {
        IWorkflowPolicyRegistry.StagePolicy[] memory s = _uniform(2, ASYNC);
        s[0] = _stage(SYNC, true, ATTESTED);
        s[0].verifier = address(ecdsa);
        s[1].verifier = address(ecdsa);
        return _register(_withAuth(_policy(s, 1), auth));
    }

    function _attest(bytes32 t, uint8 stage, address by, bool isFinal, bytes32 in_, bytes32 out, uint8 verdict)
        internal
        view
        returns (bytes memory)
    {
        (uint8 v, bytes32 r, bytes32 s) =
            vm.sign(ATTESTER_PK, ecdsa.attestationDigest(address(handler), t, stage, by, isFinal, in_, out, verdict));
        return abi.encodePacked(verdict, r, s, v);
    }

    function _stepAs(address by, bytes32 t, uint8 stage, bytes32 in_, bytes32 out, bool isFinal, bytes memory data)
        internal
    {
        vm.prank(by);
        handler.onAgentStep(t, in_, out, "", AGENT_ID, by, stage, isFinal, data);
    }

    function _stepAndProveAs(
        address by,
        bytes32 t,
        uint8 stage,
        bytes32 in_,
        bytes32 out,
        bool isFinal,
        bytes memory data,
        bytes memory proof
    ) internal {
        IAgentExecHandler.AgentStep memory st = _agentStep(t, in_, out, stage, isFinal, data);
        st.agent = by;
        vm.prank(by);
        handler.stepAndProve(st, proof);
    }

    /// @dev The honest agent records stage 0 and the gate step judging it; returns the gate's genuine denial.
    function _honestProposalAndGate(bytes32 t) internal returns (bytes memory denial) {
        _stepAs(agent, t, 0, inputHash, _out(0), false, "");
        _stepAs(agent, t, 1, _out(0), GATE_OUT, false, _w(inputHash, agent));
        denial = _attest(t, 1, agent, false, _out(0), GATE_OUT, 2);
    }

    /// @dev `by`'s approval of the alternative stage-0 result (computed before any `expectRevert`).
    function _escapeProof(bytes32 t, address by) internal view returns (bytes memory) {
        return _attest(t, 0, by, false, inputHash, ALT0, 1);
    }

    /// @dev `by` replaces stage 0 with the alternative, approved result (which would discard the gate step).
    function _escapeAttempt(bytes32 t, address by, bytes memory proof) internal {
        _stepAndProveAs(by, t, 0, inputHash, ALT0, false, _w(_out(0), agent), proof);
    }

    function _assertHalted(bytes32 t) internal view {
        _assertStatus(t, IAgentExecHandler.TaskStatus.Halted, "the valid denial halted the task");
    }

    // ---------------------------------------------------------------- gap 2: no escape from a recorded gate

    function test_gateLock_escapeBeforeDenial_revertsAndDenialHalts() public {
        bytes32 t = _dispatch(_judgedWf(ALLOWLIST));
        bytes memory denial = _honestProposalAndGate(t);
        bytes memory escape = _escapeProof(t, agent);
        vm.expectRevert(abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerGateLocked.selector, t, 0, 1));
        _escapeAttempt(t, agent, escape);
        handler.onAgentProve(t, _out(0), GATE_OUT, _ph(agent, denial), address(ecdsa), 1);
        _assertHalted(t);
    }

    function test_gateLock_denialBeforeEscape_haltsAndEscapeReverts() public {
        bytes32 t = _dispatch(_judgedWf(ALLOWLIST));
        bytes memory denial = _honestProposalAndGate(t);
        handler.onAgentProve(t, _out(0), GATE_OUT, _ph(agent, denial), address(ecdsa), 1);
        bytes memory escape = _escapeProof(t, agent);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAgentExecHandler.AgentHandlerTaskNotActive.selector, t, IAgentExecHandler.TaskStatus.Halted
            )
        );
        _escapeAttempt(t, agent, escape);
        _assertHalted(t);
    }

    function test_gateLock_gateStepItselfCannotBeReplaced() public {
        bytes32 t = _dispatch(_judgedWf(ALLOWLIST));
        bytes memory denial = _honestProposalAndGate(t);
        bytes32 approve = keccak256("gate: approve");
        bytes memory approval = _attest(t, 1, agent, false, _out(0), approve, 1);
        vm.expectRevert(abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerGateLocked.selector, t, 1, 1));
        _stepAndProveAs(agent, t, 1, _out(0), approve, false, _w(inputHash, agent), approval);
        handler.onAgentProve(t, _out(0), GATE_OUT, _ph(agent, denial), address(ecdsa), 1);
        _assertHalted(t);
    }

    function test_gateLock_approvedGateOpensTheAction() public {
        bytes32 t = _dispatch(_judgedWf(ALLOWLIST));
        _stepAs(agent, t, 0, inputHash, _out(0), false, "");
        bytes32 approve = keccak256("gate: approve");
        _stepAs(agent, t, 1, _out(0), approve, false, _w(inputHash, agent));
        handler.onAgentProve(t, _out(0), approve, _ph(agent, _attest(t, 1, agent, false, _out(0), approve, 1)), address(ecdsa), 1);
        // once the gate is proven, the stages before it are settled too
        bytes memory escape = _escapeProof(t, agent);
        vm.expectRevert(abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerLaterStageProven.selector, t, 0));
        _escapeAttempt(t, agent, escape);
        _stepAs(agent, t, 2, inputHash, _out(2), true, _w(_out(0), agent));
        handler.onAgentProve(t, inputHash, _out(0), _ph(agent, _attest(t, 0, agent, false, inputHash, _out(0), 1)), address(ecdsa), 0);
        handler.onAgentProve(t, inputHash, _out(2), _ph(agent, _attest(t, 2, agent, true, inputHash, _out(2), 1)), address(ecdsa), 2);
        _assertStatus(t, IAgentExecHandler.TaskStatus.Finalized, "finalised through the approved gate");
    }

    // ---------------------------------------------------------------- gap 3: no halting after the honest gate step

    /// @dev Allowlist: a co-agent cannot discard the honest gate step (gate lock), whichever lands first.
    function test_gateAfterHonest_allowlistCoAgentCannotDiscardTheGate() public {
        bytes32 t = _dispatch(_judgedWf(ALLOWLIST));
        _honestProposalAndGate(t);
        bytes memory escape = _escapeProof(t, agent2);
        vm.expectRevert(abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerGateLocked.selector, t, 0, 1));
        _escapeAttempt(t, agent2, escape);
        assertEq(handler.stepDigest(t, 1), _stepDigest(_out(0), GATE_OUT, agent, false), "honest gate step kept");
    }

    /// @dev Open: a stranger replaces the honest stage 0 (discarding the honest gate step) and then records a
    /// deniable gate step with its genuine denial. The denial is not the stranger's to make: it is rejected, the
    /// task stays active, and the honest agent finishes.
    function test_gateAfterHonest_openStrangerCannotHalt() public {
        bytes32 t = _dispatch(_judgedWf(OPEN));
        _honestProposalAndGate(t);
        bytes memory escape = _escapeProof(t, stranger);
        _escapeAttempt(t, stranger, escape); // allowed under Open: replacements need an approving proof
        assertEq(handler.taskOf(t).steppedStages, 1, "the honest gate step was discarded");
        bytes32 deny = keccak256("gate: deny (stranger's)");
        bytes memory denial = _attest(t, 1, stranger, false, ALT0, deny, 2);
        // atomically: the denial does not go through
        vm.expectRevert(
            abi.encodeWithSelector(
                IAgentExecHandler.AgentHandlerProveRejected.selector,
                t,
                1,
                IAgentExecHandler.ProveRejection.Denied,
                ecdsa.attestationDigest(address(handler), t, 1, stranger, false, ALT0, deny, 2)
            )
        );
        _stepAndProveAs(stranger, t, 1, ALT0, deny, false, _w(inputHash, stranger), denial);
        // in two transactions: the step is recorded, the denial only rejects it
        _stepAs(stranger, t, 1, ALT0, deny, false, _w(inputHash, stranger));
        vm.expectEmit(true, true, true, true, address(handler));
        emit IAgentExecHandler.AgentProveRejected(
            t,
            1,
            address(ecdsa),
            IAgentExecHandler.ProveRejection.Denied,
            ecdsa.attestationDigest(address(handler), t, 1, stranger, false, ALT0, deny, 2)
        );
        handler.onAgentProve(t, ALT0, deny, _ph(stranger, denial), address(ecdsa), 1);
        _assertStatus(t, IAgentExecHandler.TaskStatus.Active, "nobody without authority halts");
        _honestFinish(t, ALT0, stranger);
    }

    /// @dev Open, other order: the honest gate approval lands first; the stranger's replacement then reverts.
    function test_gateAfterHonest_openApprovalFirstSettlesEarlierStages() public {
        bytes32 t = _dispatch(_judgedWf(OPEN));
        _stepAs(agent, t, 0, inputHash, _out(0), false, "");
        bytes32 approve = keccak256("gate: approve");
        _stepAs(agent, t, 1, _out(0), approve, false, _w(inputHash, agent));
        handler.onAgentProve(t, _out(0), approve, _ph(agent, _attest(t, 1, agent, false, _out(0), approve, 1)), address(ecdsa), 1);
        bytes memory escape = _escapeProof(t, stranger);
        vm.expectRevert(abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerLaterStageProven.selector, t, 0));
        _escapeAttempt(t, stranger, escape);
        _assertStatus(t, IAgentExecHandler.TaskStatus.Active, "active");
        assertEq(handler.taskOf(t).provenStages, 2, "the honest gate approval stands");
    }

    /// @dev The honest agent replaces whatever gate step is recorded (judging the proven stage-0 output `in1`,
    /// recorded by `stage0By`) with an approved one, then steps and proves the action.
    function _honestFinish(bytes32 t, bytes32 in1, address stage0By) internal {
        bytes32 approve = keccak256("gate: approve");
        bytes memory approval = _attest(t, 1, agent, false, in1, approve, 1);
        _stepAndProveAs(agent, t, 1, in1, approve, false, _w(inputHash, stage0By), approval);
        _stepAs(agent, t, 2, inputHash, _out(2), true, _w(in1, stage0By));
        handler.onAgentProve(t, inputHash, _out(2), _ph(agent, _attest(t, 2, agent, true, inputHash, _out(2), 1)), address(ecdsa), 2);
        _assertStatus(t, IAgentExecHandler.TaskStatus.Finalized, "the honest path finishes");
    }

    // ---------------------------------------------------------------- gap 4: no halting a stage-0 gate first

    function _assertStrangerCannotHaltStage0Gate(IWorkflowPolicyRegistry.AgentAuth auth) internal {
        bytes32 t = _dispatch(_stage0GateWf(auth));
        bytes32 deny = keccak256("deny: deliberately unacceptable");
        bytes memory denial = _attest(t, 0, stranger, false, inputHash, deny, 2);
        bytes32 d = ecdsa.attestationDigest(address(handler), t, 0, stranger, false, inputHash, deny, 2);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAgentExecHandler.AgentHandlerProveRejected.selector, t, 0, IAgentExecHandler.ProveRejection.Denied, d
            )
        );
        _stepAndProveAs(stranger, t, 0, inputHash, deny, false, "", denial);
        assertEq(handler.taskOf(t).steppedStages, 0, "nothing recorded");
        // two transactions: the denial only rejects the stranger's gate step
        _stepAs(stranger, t, 0, inputHash, deny, false, "");
        handler.onAgentProve(t, inputHash, deny, _ph(stranger, denial), address(ecdsa), 0);
        _assertStatus(t, IAgentExecHandler.TaskStatus.Active, "nobody without authority halts");
        // and the honest, approved gate step displaces it
        bytes32 ok = keccak256("approve");
        _stepAndProveAs(agent, t, 0, inputHash, ok, false, _w(deny, stranger), _attest(t, 0, agent, false, inputHash, ok, 1));
        _stepAs(agent, t, 1, inputHash, _out(1), true, _w(ok, agent));
        handler.onAgentProve(t, inputHash, _out(1), _ph(agent, _attest(t, 1, agent, true, inputHash, _out(1), 1)), address(ecdsa), 1);
        _assertStatus(t, IAgentExecHandler.TaskStatus.Finalized, "finalised through the honest gate");
    }

    function test_stage0Gate_openStrangerCannotHalt() public {
        _assertStrangerCannotHaltStage0Gate(OPEN);
    }

    function test_stage0Gate_registryStrangerWithAMintedIdCannotHalt() public {
        registry.setOwner(AGENT_ID, stranger); // anyone can mint an ERC-8004 identity
        _assertStrangerCannotHaltStage0GateRegistry();
    }

    function _assertStrangerCannotHaltStage0GateRegistry() internal {
        bytes32 t = _dispatch(_stage0GateWf(REGISTRY));
        bytes32 deny = keccak256("deny: deliberately unacceptable");
        _stepAs(stranger, t, 0, inputHash, deny, false, "");
        handler.onAgentProve(t, inputHash, deny, _ph(stranger, _attest(t, 0, stranger, false, inputHash, deny, 2)), address(ecdsa), 0);
        _assertStatus(t, IAgentExecHandler.TaskStatus.Active, "a minted identity carries no authority to halt");
    }

    /// @dev Under Allowlist the policy trusts its agents: an allowlisted agent's valid denial of a stage-0 gate halts.
    function test_stage0Gate_allowlistDenialHalts() public {
        bytes32 t = _dispatch(_stage0GateWf(ALLOWLIST));
        bytes32 deny = keccak256("deny: injection detected");
        vm.expectEmit(true, true, false, false, address(handler));
        emit IAgentExecHandlerEvents.AgentTaskHalted(t, 0, bytes32(0));
        _stepAndProveAs(agent, t, 0, inputHash, deny, false, "", _attest(t, 0, agent, false, inputHash, deny, 2));
        _assertHalted(t);
    }

    /// @dev And a stranger cannot step an Allowlist workflow at all.
    function test_stage0Gate_allowlistStrangerCannotStep() public {
        bytes32 t = _dispatch(_stage0GateWf(ALLOWLIST));
        vm.expectRevert(
            abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerUnauthorizedAgent.selector, t, stranger, AGENT_ID)
        );
        _stepAs(stranger, t, 0, inputHash, keccak256("deny"), false, "");
    }
}
