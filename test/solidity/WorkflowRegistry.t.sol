// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {vm} from "./utils/Vm.sol";
import {AgentExecFixture} from "./utils/Fixture.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {AgentHandler} from "../../contracts/AgentHandler.sol";
import {IAgentExecHandler} from "../../contracts/interfaces/IAgentExecHandler.sol";
import {IWorkflowPolicyRegistry} from "../../contracts/interfaces/IWorkflowPolicyRegistry.sol";
import {MockIdentityRegistry} from "../../contracts/mocks/MockIdentityRegistry.sol";
import {LyingErc165Handler} from "../../contracts/mocks/LyingErc165Handler.sol";

/// @notice The per-workflow policy registry: owner-only, immutable once registered, every validation rule with its
/// named error, the stored policy read back exactly (normalised), and agent authorisation per mode.
contract WorkflowRegistryTest is AgentExecFixture {
    bytes32 internal constant WF = keccak256("workflow document");

    function _p() internal view returns (IWorkflowPolicyRegistry.WorkflowPolicy memory) {
        return _policy(_uniform(2, ASYNC), 1);
    }

    function _expectRegistryError(bytes memory err, IWorkflowPolicyRegistry.WorkflowPolicy memory p) internal {
        vm.expectRevert(err);
        handler.registerWorkflow(WF, p);
    }

    // ---------------------------------------------------------------- registration

    function test_registerWorkflow_emitsAndAssignsSequentialIds() public {
        IWorkflowPolicyRegistry.WorkflowPolicy memory p = _p();
        vm.expectEmit(true, true, true, true, address(handler));
        emit IWorkflowPolicyRegistry.WorkflowRegistered(WF, 1, 2, keccak256(abi.encode(p)));
        uint32 id1 = handler.registerWorkflow(WF, p);
        uint32 id2 = handler.registerWorkflow(keccak256("second"), p);
        assertEq(id1, 1, "first id");
        assertEq(id2, 2, "second id");
        assertTrue(handler.isWorkflowRegistered(WF), "registered");
        assertFalse(handler.isWorkflowRegistered(keccak256("third")), "not registered");
    }

    function test_workflowPolicy_readsBackExactly() public {
        IWorkflowPolicyRegistry.StagePolicy[] memory s = new IWorkflowPolicyRegistry.StagePolicy[](3);
        s[0] = _stage(SYNC, true, ATTESTED);
        s[1] = _stage(ASYNC, false, CHAINED);
        s[1].verifierGasLimit = handler.MAX_VERIFIER_GAS();
        s[2] = _stage(SYNC, false, ATTESTED);
        s[2].verifierGasLimit = handler.MIN_VERIFIER_GAS();
        IWorkflowPolicyRegistry.WorkflowPolicy memory p = _policy(s, 1);
        p.pipelineHash = PIPELINE;
        handler.registerWorkflow(WF, p);
        assertEq(keccak256(abi.encode(handler.workflowPolicy(WF))), keccak256(abi.encode(p)), "round trip");
    }

    function test_workflowPolicy_identityPipelineReadsAsZero() public {
        IWorkflowPolicyRegistry.WorkflowPolicy memory p = _p();
        p.pipelineHash = IDENTITY_PIPELINE;
        handler.registerWorkflow(WF, p);
        IWorkflowPolicyRegistry.WorkflowPolicy memory stored = handler.workflowPolicy(WF);
        assertEq(stored.pipelineHash, bytes32(0), "normalised");
        p.pipelineHash = bytes32(0);
        assertEq(keccak256(abi.encode(stored)), keccak256(abi.encode(p)), "otherwise identical");
    }

    function test_workflowPolicy_unregistered_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(IWorkflowPolicyRegistry.WorkflowRegistryNotRegistered.selector, WF));
        handler.workflowPolicy(WF);
    }

    function test_registerWorkflow_maxStagesAccepted() public {
        IWorkflowPolicyRegistry.WorkflowPolicy memory p = _policy(_uniform(64, SYNC), 63);
        handler.registerWorkflow(WF, p);
        assertEq(handler.workflowPolicy(WF).stages.length, 64, "64 stages");
        assertEq(handler.MAX_STAGES(), 64, "MAX_STAGES");
    }

    function test_registerWorkflow_policiesAreImmutableAcrossTasks() public {
        handler.registerWorkflow(WF, _p());
        bytes32 t = _dispatch(WF);
        IWorkflowPolicyRegistry.WorkflowPolicy memory other = _policy(_uniform(1, SYNC), 0);
        vm.expectRevert(
            abi.encodeWithSelector(IWorkflowPolicyRegistry.WorkflowRegistryAlreadyRegistered.selector, WF)
        );
        handler.registerWorkflow(WF, other);
        assertEq(handler.workflowPolicy(WF).stages.length, 2, "unchanged");
        _step(t, 0, inputHash, false); // still the 2-stage async policy: not final at stage 0
        _step(t, 1, inputHash, true);
    }

    // ---------------------------------------------------------------- owner only

    function test_registerWorkflow_nonOwner_reverts() public {
        IWorkflowPolicyRegistry.WorkflowPolicy memory p = _p();
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, stranger));
        handler.registerWorkflow(WF, p);
    }

    function test_ownership_twoStepTransfer() public {
        handler.transferOwnership(stranger);
        assertEq(handler.owner(), address(this), "not yet transferred");
        vm.prank(agent);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, agent));
        handler.acceptOwnership();
        vm.prank(stranger);
        handler.acceptOwnership();
        assertEq(handler.owner(), stranger, "transferred");
        IWorkflowPolicyRegistry.WorkflowPolicy memory p = _p();
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, address(this)));
        handler.registerWorkflow(WF, p);
        vm.prank(stranger);
        handler.registerWorkflow(WF, p);
    }

    function test_constructor_zeroOwner_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableInvalidOwner.selector, address(0)));
        new AgentHandler(address(caller), address(0));
    }

    // ---------------------------------------------------------------- validation errors

    function test_registerWorkflow_zeroHash_reverts() public {
        IWorkflowPolicyRegistry.WorkflowPolicy memory p = _p();
        vm.expectRevert(abi.encodeWithSelector(IWorkflowPolicyRegistry.WorkflowRegistryZeroWorkflowHash.selector));
        handler.registerWorkflow(bytes32(0), p);
    }

    function test_registerWorkflow_alreadyRegistered_reverts() public {
        handler.registerWorkflow(WF, _p());
        _expectRegistryError(
            abi.encodeWithSelector(IWorkflowPolicyRegistry.WorkflowRegistryAlreadyRegistered.selector, WF), _p()
        );
    }

    function test_registerWorkflow_noStages_reverts() public {
        _expectRegistryError(
            abi.encodeWithSelector(IWorkflowPolicyRegistry.WorkflowRegistryInvalidStageCount.selector, 0, 64),
            _policy(_uniform(0, ASYNC), 0)
        );
    }

    function test_registerWorkflow_tooManyStages_reverts() public {
        _expectRegistryError(
            abi.encodeWithSelector(IWorkflowPolicyRegistry.WorkflowRegistryInvalidStageCount.selector, 65, 64),
            _policy(_uniform(65, ASYNC), 64)
        );
    }

    function test_registerWorkflow_minFinalStageBeyondStages_reverts() public {
        _expectRegistryError(
            abi.encodeWithSelector(IWorkflowPolicyRegistry.WorkflowRegistryInvalidMinFinalStage.selector, 2, 2),
            _policy(_uniform(2, ASYNC), 2)
        );
    }

    function test_registerWorkflow_verifierWithoutCode_reverts() public {
        IWorkflowPolicyRegistry.WorkflowPolicy memory p = _p();
        p.stages[1].verifier = stranger;
        _expectRegistryError(
            abi.encodeWithSelector(IWorkflowPolicyRegistry.WorkflowRegistryVerifierHasNoCode.selector, 1, stranger), p
        );
    }

    function test_registerWorkflow_verifierGasTooLow_reverts() public {
        IWorkflowPolicyRegistry.WorkflowPolicy memory p = _p();
        p.stages[0].verifierGasLimit = 9_999;
        _expectRegistryError(
            abi.encodeWithSelector(
                IWorkflowPolicyRegistry.WorkflowRegistryVerifierGasLimitOutOfRange.selector, 0, 9_999, 10_000, 5_000_000
            ),
            p
        );
    }

    function test_registerWorkflow_verifierGasTooHigh_reverts() public {
        IWorkflowPolicyRegistry.WorkflowPolicy memory p = _p();
        p.stages[1].verifierGasLimit = 5_000_001;
        _expectRegistryError(
            abi.encodeWithSelector(
                IWorkflowPolicyRegistry.WorkflowRegistryVerifierGasLimitOutOfRange.selector,
                1,
                5_000_001,
                10_000,
                5_000_000
            ),
            p
        );
    }

    function test_registerWorkflow_asyncGating_reverts() public {
        IWorkflowPolicyRegistry.WorkflowPolicy memory p = _p();
        p.stages[1].gating = true;
        _expectRegistryError(
            abi.encodeWithSelector(IWorkflowPolicyRegistry.WorkflowRegistryGatingRequiresSync.selector, 1), p
        );
    }

    function test_registerWorkflow_firstStageChained_reverts() public {
        IWorkflowPolicyRegistry.WorkflowPolicy memory p = _p();
        p.stages[0].input = CHAINED;
        _expectRegistryError(
            abi.encodeWithSelector(IWorkflowPolicyRegistry.WorkflowRegistryFirstStageCannotChain.selector), p
        );
    }

    function test_registerWorkflow_emptyAllowlist_reverts() public {
        IWorkflowPolicyRegistry.WorkflowPolicy memory p = _p();
        p.agents = new address[](0);
        _expectRegistryError(abi.encodeWithSelector(IWorkflowPolicyRegistry.WorkflowRegistryEmptyAllowlist.selector), p);
    }

    function test_registerWorkflow_zeroAgent_reverts() public {
        IWorkflowPolicyRegistry.WorkflowPolicy memory p = _p();
        p.agents[1] = address(0);
        _expectRegistryError(abi.encodeWithSelector(IWorkflowPolicyRegistry.WorkflowRegistryZeroAgent.selector, 1), p);
    }

    function test_registerWorkflow_duplicateAgent_reverts() public {
        IWorkflowPolicyRegistry.WorkflowPolicy memory p = _p();
        p.agents[1] = agent;
        _expectRegistryError(
            abi.encodeWithSelector(IWorkflowPolicyRegistry.WorkflowRegistryDuplicateAgent.selector, agent), p
        );
    }

    function test_registerWorkflow_registryWithoutCode_reverts() public {
        IWorkflowPolicyRegistry.WorkflowPolicy memory p = _p();
        p.agentAuth = IWorkflowPolicyRegistry.AgentAuth.Registry;
        p.agents = new address[](0);
        p.agentRegistry = stranger;
        _expectRegistryError(
            abi.encodeWithSelector(IWorkflowPolicyRegistry.WorkflowRegistryInvalidAgentRegistry.selector, stranger), p
        );
    }

    function test_registerWorkflow_allowlistWithRegistry_reverts() public {
        IWorkflowPolicyRegistry.WorkflowPolicy memory p = _p();
        p.agentRegistry = address(new MockIdentityRegistry());
        _expectRegistryError(
            abi.encodeWithSelector(
                IWorkflowPolicyRegistry.WorkflowRegistryUnexpectedAgentRegistry.selector,
                IWorkflowPolicyRegistry.AgentAuth.Allowlist,
                p.agentRegistry
            ),
            p
        );
    }

    function test_registerWorkflow_registryWithAgents_reverts() public {
        IWorkflowPolicyRegistry.WorkflowPolicy memory p = _p();
        p.agentAuth = IWorkflowPolicyRegistry.AgentAuth.Registry;
        p.agentRegistry = address(new MockIdentityRegistry());
        _expectRegistryError(
            abi.encodeWithSelector(
                IWorkflowPolicyRegistry.WorkflowRegistryUnexpectedAgents.selector,
                IWorkflowPolicyRegistry.AgentAuth.Registry,
                2
            ),
            p
        );
    }

    function test_registerWorkflow_openWithAgentsOrRegistry_reverts() public {
        IWorkflowPolicyRegistry.WorkflowPolicy memory p = _p();
        p.agentAuth = IWorkflowPolicyRegistry.AgentAuth.Open;
        _expectRegistryError(
            abi.encodeWithSelector(
                IWorkflowPolicyRegistry.WorkflowRegistryUnexpectedAgents.selector, IWorkflowPolicyRegistry.AgentAuth.Open, 2
            ),
            p
        );
        p.agents = new address[](0);
        p.agentRegistry = address(new MockIdentityRegistry());
        _expectRegistryError(
            abi.encodeWithSelector(
                IWorkflowPolicyRegistry.WorkflowRegistryUnexpectedAgentRegistry.selector,
                IWorkflowPolicyRegistry.AgentAuth.Open,
                p.agentRegistry
            ),
            p
        );
    }

    function test_registerWorkflow_gateAfterMinFinalStage_reverts() public {
        IWorkflowPolicyRegistry.WorkflowPolicy memory p = _policy(_uniform(3, SYNC), 1);
        p.stages[2].gating = true; // finishing at stage 1 would skip this gate
        _expectRegistryError(
            abi.encodeWithSelector(IWorkflowPolicyRegistry.WorkflowRegistryGateAfterMinFinalStage.selector, 2, 1), p
        );
        p.stages[2].gating = false;
        p.stages[1].gating = true; // a gate at the earliest final stage cannot be skipped
        handler.registerWorkflow(WF, p);
    }

    function test_registerWorkflow_verifierWithoutIAgentVerifier_reverts() public {
        IWorkflowPolicyRegistry.WorkflowPolicy memory p = _p();
        p.stages[0].verifier = address(caller); // ERC-165, but not a verifier
        _expectRegistryError(
            abi.encodeWithSelector(
                IWorkflowPolicyRegistry.WorkflowRegistryVerifierNotSupported.selector, 0, address(caller)
            ),
            p
        );
    }

    function test_registerWorkflow_verifierClaimingEveryInterface_reverts() public {
        LyingErc165Handler liar = new LyingErc165Handler(bytes32(uint256(1)));
        IWorkflowPolicyRegistry.WorkflowPolicy memory p = _p();
        p.stages[1].verifier = address(liar);
        _expectRegistryError(
            abi.encodeWithSelector(
                IWorkflowPolicyRegistry.WorkflowRegistryVerifierNotSupported.selector, 1, address(liar)
            ),
            p
        );
    }

    function test_registerWorkflow_delegatedVerifier_reverts() public {
        address eoa = vm.addr(0x7702);
        vm.etch(eoa, abi.encodePacked(hex"ef0100", address(verifier))); // EIP-7702 delegation designator
        IWorkflowPolicyRegistry.WorkflowPolicy memory p = _p();
        p.stages[0].verifier = eoa;
        _expectRegistryError(
            abi.encodeWithSelector(IWorkflowPolicyRegistry.WorkflowRegistryDelegatedAccount.selector, eoa), p
        );
    }

    function test_registerWorkflow_delegatedRegistry_reverts() public {
        address eoa = vm.addr(0x7703);
        vm.etch(eoa, abi.encodePacked(hex"ef0100", address(new MockIdentityRegistry())));
        IWorkflowPolicyRegistry.WorkflowPolicy memory p = _p();
        p.agentAuth = IWorkflowPolicyRegistry.AgentAuth.Registry;
        p.agents = new address[](0);
        p.agentRegistry = eoa;
        _expectRegistryError(
            abi.encodeWithSelector(IWorkflowPolicyRegistry.WorkflowRegistryDelegatedAccount.selector, eoa), p
        );
    }

    /// @dev `_policyCount` is the slot after Ownable's `_owner`, Ownable2Step's `_pendingOwner` and the two task
    /// mappings (slot 4); the test checks that reading before writing, so a layout change fails loudly.
    function test_registerWorkflow_policyIdSpaceExhausted_reverts() public {
        handler.registerWorkflow(WF, _p());
        bytes32 slot = bytes32(uint256(4));
        assertEq(vm.load(address(handler), slot), bytes32(uint256(1)), "policy counter slot");
        vm.store(address(handler), slot, bytes32(uint256(type(uint32).max)));
        IWorkflowPolicyRegistry.WorkflowPolicy memory p = _p();
        vm.expectRevert(abi.encodeWithSelector(IWorkflowPolicyRegistry.WorkflowRegistryTooManyPolicies.selector));
        handler.registerWorkflow(keccak256("one too many"), p);
    }

    // ---------------------------------------------------------------- agent authorisation views

    function test_isAgentAuthorized_eachMode() public {
        handler.registerWorkflow(WF, _p());
        assertTrue(handler.isAgentAuthorized(WF, agent, 0), "allowlisted");
        assertFalse(handler.isAgentAuthorized(WF, stranger, 0), "not allowlisted");
        assertFalse(handler.isAgentAuthorized(keccak256("unregistered"), agent, 0), "unregistered workflow");

        MockIdentityRegistry reg = new MockIdentityRegistry();
        uint256 id = 5;
        reg.setOwner(id, agent2);
        IWorkflowPolicyRegistry.WorkflowPolicy memory p = _p();
        p.agentAuth = IWorkflowPolicyRegistry.AgentAuth.Registry;
        p.agents = new address[](0);
        p.agentRegistry = address(reg);
        bytes32 wr = keccak256("registry wf");
        handler.registerWorkflow(wr, p);
        assertTrue(handler.isAgentAuthorized(wr, agent2, id), "owner of id");
        assertFalse(handler.isAgentAuthorized(wr, agent, id), "not owner");
        assertFalse(handler.isAgentAuthorized(wr, agent2, id + 1), "unknown id");

        p.agentAuth = IWorkflowPolicyRegistry.AgentAuth.Open;
        p.agentRegistry = address(0);
        bytes32 wo = keccak256("open wf");
        handler.registerWorkflow(wo, p);
        assertTrue(handler.isAgentAuthorized(wo, stranger, 123), "open");
    }

    function testFuzz_registerWorkflow_roundTripsAnyValidPolicy(uint256 seed) public {
        uint256 n = bound(seed & 0xff, 1, 64);
        uint8 minFinal = uint8(bound(seed >> 8, 0, n - 1));
        IWorkflowPolicyRegistry.StagePolicy[] memory s = new IWorkflowPolicyRegistry.StagePolicy[](n);
        for (uint256 i; i < n; ++i) {
            uint256 r = uint256(keccak256(abi.encode(seed, i)));
            bool sync = r & 1 == 1;
            bool gating = sync && i <= minFinal && (r & 2 == 2);
            s[i] = _stage(sync ? SYNC : ASYNC, gating, i > 0 && (r & 4 == 4) ? CHAINED : ATTESTED);
            s[i].verifierGasLimit = uint32(bound(r >> 8, 10_000, 5_000_000));
        }
        IWorkflowPolicyRegistry.WorkflowPolicy memory p = _policy(s, minFinal);
        if ((seed >> 16) & 1 == 1) p.pipelineHash = keccak256(abi.encode(seed));
        handler.registerWorkflow(WF, p);
        assertEq(keccak256(abi.encode(handler.workflowPolicy(WF))), keccak256(abi.encode(p)), "round trip");
    }
}
