// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {vm} from "./utils/Vm.sol";
import {AgentExecFixture} from "./utils/Fixture.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {AgentTask} from "../../contracts/interfaces/AgentTask.sol";
import {IAgentExecCaller} from "../../contracts/interfaces/IAgentExecCaller.sol";
import {IAgentExecHandler} from "../../contracts/interfaces/IAgentExecHandler.sol";
import {IAgentExecHandlerErrors} from "../../contracts/interfaces/IAgentExecHandlerErrors.sol";
import {IAgentExecHandlerEvents} from "../../contracts/interfaces/IAgentExecHandlerEvents.sol";
import {IWorkflowPolicyRegistry} from "../../contracts/interfaces/IWorkflowPolicyRegistry.sol";
import {RevertingVerifier} from "../../contracts/mocks/RevertingVerifier.sol";
import {GasBurningVerifier} from "../../contracts/mocks/GasBurningVerifier.sol";
import {HugeReturnVerifier} from "../../contracts/mocks/HugeReturnVerifier.sol";
import {GarbageVerifier} from "../../contracts/mocks/GarbageVerifier.sol";
import {ReentrantVerifier} from "../../contracts/mocks/ReentrantVerifier.sol";
import {HostileVerifierBase} from "../../contracts/mocks/HostileVerifierBase.sol";
import {HostileAgentRegistry} from "../../contracts/mocks/HostileAgentRegistry.sol";
import {HostileErc165Handler} from "../../contracts/mocks/HostileErc165Handler.sol";
import {LyingErc165Handler} from "../../contracts/mocks/LyingErc165Handler.sol";
import {MockIdentityRegistry} from "../../contracts/mocks/MockIdentityRegistry.sol";

/// @notice Hostile contracts can neither grief nor forge: a verifier that reverts, burns all gas, returns 1 MiB,
/// returns garbage or re-enters yields a rejected prove (named reason), costs the prover at most the stage's gas
/// allowance plus a constant, never halts or advances the task, and a later honest prove still succeeds. Hostile
/// registries authorise nobody; hostile handlers are refused at dispatch with named errors.
contract HostileContractsTest is AgentExecFixture {
    /// @notice What a prove may cost on top of its verifier's allowance (calldata, checks, one event); measured ≈ 8k.
    uint256 internal constant PROVE_OVERHEAD = 20_000;
    bytes internal constant ATTACK = "crafted by the attacker";

    /// @dev A one-stage gating sync workflow pinned to `v` (gating: a forged denial would halt it for good).
    function _taskWith(address v, uint32 gasLimit) internal returns (bytes32 t) {
        IWorkflowPolicyRegistry.StagePolicy[] memory s = _uniform(1, SYNC);
        s[0].gating = true;
        s[0].verifier = v;
        s[0].verifierGasLimit = gasLimit;
        t = _dispatch(_register(_policy(s, 0)));
        _step(t, 0, inputHash, true);
    }

    function _proveGas(bytes32 t, bytes memory proof, address v) internal returns (uint256 used) {
        uint256 g = gasleft();
        handler.onAgentProve(t, inputHash, _out(0), _ph(proof), v, 0);
        used = g - gasleft();
    }

    /// @dev The attack is rejected with `reason`/`detail`, costs at most `gasCap`, leaves the task untouched, and the
    /// honest proof then finalises it.
    function _assertSurvives(
        address v,
        uint32 gasLimit,
        IAgentExecHandler.ProveRejection reason,
        bytes32 detail,
        uint256 gasCap
    ) internal {
        bytes32 t = _taskWith(v, gasLimit);
        IAgentExecHandler.TaskView memory before = handler.taskOf(t);
        vm.expectEmit(true, true, true, true, address(handler));
        emit IAgentExecHandler.AgentProveRejected(t, 0, v, reason, detail);
        uint256 used = _proveGas(t, ATTACK, v);
        assertLe(used, gasCap, "hostile prove gas bounded");
        assertEq(keccak256(abi.encode(handler.taskOf(t))), keccak256(abi.encode(before)), "task untouched");
        vm.expectEmit(true, true, true, true, address(handler));
        emit IAgentExecHandlerEvents.AgentTaskFinalized(t, 0, _out(0));
        handler.onAgentProve(t, inputHash, _out(0), _ph(bytes("honest")), v, 0);
    }

    // ---------------------------------------------------------------- reverting verifier

    function test_revertingVerifier_customError() public {
        RevertingVerifier v = new RevertingVerifier(RevertingVerifier.Mode.CustomError);
        _assertSurvives(
            address(v),
            GAS,
            IAgentExecHandler.ProveRejection.VerifierReverted,
            bytes32(RevertingVerifier.VerifierRefused.selector),
            GAS + PROVE_OVERHEAD
        );
    }

    function test_revertingVerifier_emptyRevert() public {
        RevertingVerifier v = new RevertingVerifier(RevertingVerifier.Mode.Empty);
        _assertSurvives(address(v), GAS, IAgentExecHandler.ProveRejection.VerifierReverted, bytes32(0), GAS + PROVE_OVERHEAD);
    }

    function test_revertingVerifier_errorString() public {
        RevertingVerifier v = new RevertingVerifier(RevertingVerifier.Mode.ErrorString);
        _assertSurvives(
            address(v),
            GAS,
            IAgentExecHandler.ProveRejection.VerifierReverted,
            bytes32(bytes4(keccak256("Error(string)"))),
            GAS + PROVE_OVERHEAD
        );
    }

    function test_revertingVerifier_panic() public {
        RevertingVerifier v = new RevertingVerifier(RevertingVerifier.Mode.Panic);
        _assertSurvives(
            address(v),
            GAS,
            IAgentExecHandler.ProveRejection.VerifierReverted,
            bytes32(bytes4(keccak256("Panic(uint256)"))),
            GAS + PROVE_OVERHEAD
        );
    }

    // ---------------------------------------------------------------- gas-burning verifier

    function test_gasBurningVerifier_loopIsCapped() public {
        GasBurningVerifier v = new GasBurningVerifier(GasBurningVerifier.Mode.Loop);
        _assertSurvives(address(v), GAS, IAgentExecHandler.ProveRejection.VerifierOutOfGas, bytes32(0), GAS + PROVE_OVERHEAD);
    }

    function test_gasBurningVerifier_invalidOpcodeIsCapped() public {
        GasBurningVerifier v = new GasBurningVerifier(GasBurningVerifier.Mode.InvalidOpcode);
        _assertSurvives(
            address(v), 1_000_000, IAgentExecHandler.ProveRejection.VerifierOutOfGas, bytes32(0), 1_000_000 + PROVE_OVERHEAD
        );
    }

    function test_gasBurningVerifier_maxAllowanceIsTheCeiling() public {
        GasBurningVerifier v = new GasBurningVerifier(GasBurningVerifier.Mode.Loop);
        bytes32 t = _taskWith(address(v), 5_000_000);
        uint256 used = _proveGas(t, ATTACK, address(v));
        assertGe(used, 5_000_000, "the verifier got its whole allowance");
        assertLe(used, 5_000_000 + PROVE_OVERHEAD, "and not a unit more than the cap plus overhead");
    }

    // ---------------------------------------------------------------- 1 MiB return

    /// @dev Gas the verifier itself spends producing its answer, measured without copying the return data.
    function _directGas(address v, uint256 gasLimit) internal returns (uint256 used) {
        bytes memory data = abi.encodeCall(HugeReturnVerifier.verifyStage, (bytes32(0), 0, address(0), false, bytes32(0), bytes32(0), ATTACK));
        assembly ("memory-safe") {
            let g := gas()
            pop(call(gasLimit, v, 0, add(data, 0x20), mload(data), 0, 0))
            used := sub(g, gas())
        }
    }

    function test_hugeReturnVerifier_isMalformedAndNotCopied() public {
        HugeReturnVerifier v = new HugeReturnVerifier(0, false);
        assertEq(v.size(), 1 << 20, "1 MiB");
        uint32 cap = 5_000_000;
        uint256 direct = _directGas(address(v), cap);
        assertGe(direct, 2_000_000, "producing 1 MiB costs the verifier millions");
        _assertSurvives(
            address(v), cap, IAgentExecHandler.ProveRejection.MalformedVerdict, bytes32(0), direct + PROVE_OVERHEAD
        );
    }

    function test_hugeReturnVerifier_hugeRevertIsReverted() public {
        HugeReturnVerifier v = new HugeReturnVerifier(0, true);
        uint32 cap = 5_000_000;
        uint256 direct = _directGas(address(v), cap);
        _assertSurvives(
            address(v), cap, IAgentExecHandler.ProveRejection.VerifierReverted, bytes32(0), direct + PROVE_OVERHEAD
        );
    }

    function test_hugeReturnVerifier_beyondItsAllowanceIsOutOfGas() public {
        HugeReturnVerifier v = new HugeReturnVerifier(0, false);
        _assertSurvives(address(v), GAS, IAgentExecHandler.ProveRejection.VerifierOutOfGas, bytes32(0), GAS + PROVE_OVERHEAD);
    }

    // ---------------------------------------------------------------- garbage verifier

    function _garbage(GarbageVerifier.Mode m) internal {
        GarbageVerifier v = new GarbageVerifier(m);
        _assertSurvives(address(v), GAS, IAgentExecHandler.ProveRejection.MalformedVerdict, bytes32(0), GAS + PROVE_OVERHEAD);
    }

    function test_garbageVerifier_emptyReturn() public {
        _garbage(GarbageVerifier.Mode.Empty);
    }

    function test_garbageVerifier_oneWord() public {
        _garbage(GarbageVerifier.Mode.OneWord);
    }

    function test_garbageVerifier_threeWords() public {
        _garbage(GarbageVerifier.Mode.ThreeWords);
    }

    function test_garbageVerifier_oddLength() public {
        _garbage(GarbageVerifier.Mode.OddLength);
    }

    function test_garbageVerifier_verdictThree() public {
        _garbage(GarbageVerifier.Mode.VerdictThree);
    }

    function test_garbageVerifier_verdictMaxUint8() public {
        _garbage(GarbageVerifier.Mode.VerdictMaxUint8);
    }

    function test_garbageVerifier_verdictOverflow() public {
        _garbage(GarbageVerifier.Mode.VerdictOverflow);
    }

    function test_garbageVerifier_dirtyHighBits() public {
        _garbage(GarbageVerifier.Mode.VerdictDirtyHighBits);
    }

    // ---------------------------------------------------------------- re-entrant verifier

    /// @dev Open auth, so that without the guard the verifier itself could step the next stage.
    function _reentrantTask(ReentrantVerifier v) internal returns (bytes32 t) {
        IWorkflowPolicyRegistry.StagePolicy[] memory s = _uniform(2, SYNC);
        s[0].verifier = address(v);
        s[0].verifierGasLimit = 1_000_000;
        IWorkflowPolicyRegistry.WorkflowPolicy memory p = _policy(s, 1);
        p.agentAuth = IWorkflowPolicyRegistry.AgentAuth.Open;
        p.agents = new address[](0);
        t = _dispatch(_register(p));
        _step(t, 0, inputHash, false);
    }

    /// @dev Each would succeed without the guard (Open auth, correct witness, a verifier that approves).
    function _attacks(bytes32 t, address v) internal view returns (bytes[4] memory a) {
        a[0] = abi.encodeCall(handler.onAgentStep, (t, inputHash, _out(1), "", 0, v, 1, true, _w(_out(0))));
        a[1] = abi.encodeCall(handler.onAgentProve, (t, inputHash, _out(0), _ph(""), v, 0));
        a[2] = abi.encodeCall(handler.expireTask, (t));
        IAgentExecHandler.AgentStep memory replacement = _agentStep(t, inputHash, keccak256("junk"), 0, false, _w(_out(0)));
        replacement.agent = v;
        replacement.agentId = 0;
        a[3] = abi.encodeCall(handler.stepAndProve, (replacement, ""));
    }

    function test_reentrantVerifier_bubbledReentryIsARejectedProve() public {
        for (uint256 i; i < 4; ++i) {
            ReentrantVerifier v = new ReentrantVerifier();
            bytes32 t = _reentrantTask(v);
            v.arm(_attacks(t, address(v))[i], true);
            vm.expectEmit(true, true, true, true, address(handler));
            emit IAgentExecHandler.AgentProveRejected(
                t,
                0,
                address(v),
                IAgentExecHandler.ProveRejection.VerifierReverted,
                bytes32(ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector)
            );
            handler.onAgentProve(t, inputHash, _out(0), _ph(""), address(v), 0);
            IAgentExecHandler.TaskView memory tv = handler.taskOf(t);
            assertEq(tv.steppedStages, 1, "no re-entrant step");
            assertEq(tv.provenStages, 0, "not proven");
            v.arm("", false);
            handler.onAgentProve(t, inputHash, _out(0), _ph(""), address(v), 0);
            assertEq(handler.taskOf(t).provenStages, 1, "honest prove after the attack");
        }
    }

    function test_reentrantVerifier_swallowedReentryIsRefusedByTheGuard() public {
        for (uint256 i; i < 4; ++i) {
            ReentrantVerifier v = new ReentrantVerifier();
            bytes32 t = _reentrantTask(v);
            v.arm(_attacks(t, address(v))[i], false);
            handler.onAgentProve(t, inputHash, _out(0), _ph(""), address(v), 0);
            assertEq(v.attempts(), 1, "re-entry attempted");
            assertFalse(v.lastReentrySucceeded(), "re-entry refused");
            assertEq(
                v.lastRevertData(),
                abi.encodeWithSelector(ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector),
                "ReentrancyGuardReentrantCall()"
            );
            IAgentExecHandler.TaskView memory tv = handler.taskOf(t);
            assertEq(tv.steppedStages, 1, "only the outer effects");
            assertEq(tv.provenStages, 1, "proven once");
            assertEq(uint256(tv.status), uint256(IAgentExecHandler.TaskStatus.Active), "active");
        }
    }

    // ---------------------------------------------------------------- hostile ERC-8004 registries

    function _registryStep(HostileAgentRegistry.Mode m) internal {
        HostileAgentRegistry reg = new HostileAgentRegistry(m, agent);
        IWorkflowPolicyRegistry.WorkflowPolicy memory p = _policy(_uniform(1, ASYNC), 0);
        p.agentAuth = IWorkflowPolicyRegistry.AgentAuth.Registry;
        p.agentRegistry = address(reg);
        p.agents = new address[](0);
        bytes32 t = _dispatch(_register(p));
        assertFalse(handler.isAgentAuthorized(handler.taskOf(t).agentWorkflowHash, agent, 1), "view agrees");
        bytes memory call_ = abi.encodeCall(handler.onAgentStep, (t, inputHash, _out(0), "", 1, agent, 0, true, ""));
        vm.prank(agent);
        uint256 g = gasleft();
        (bool ok, bytes memory ret) = address(handler).call(call_);
        uint256 used = g - gasleft();
        assertFalse(ok, "refused");
        assertEq(
            ret,
            abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerUnauthorizedAgent.selector, t, agent, 1),
            "UnauthorizedAgent"
        );
        assertLe(used, 2 * handler.REGISTRY_LOOKUP_GAS() + PROVE_OVERHEAD, "both lookups bounded");
    }

    function test_hostileRegistry_burnGasAuthorisesNobody() public {
        _registryStep(HostileAgentRegistry.Mode.BurnGas);
    }

    function test_hostileRegistry_shortReturnAuthorisesNobody() public {
        _registryStep(HostileAgentRegistry.Mode.ShortReturn);
    }

    function test_hostileRegistry_hugeReturnAuthorisesNobody() public {
        _registryStep(HostileAgentRegistry.Mode.HugeReturn);
    }

    function test_hostileRegistry_revertAuthorisesNobody() public {
        _registryStep(HostileAgentRegistry.Mode.Revert);
    }

    // ---------------------------------------------------------------- hostile handlers at dispatch

    function _dispatchTo(address h) internal returns (bool ok, bytes memory ret, uint256 used) {
        AgentTask memory t = _task(keccak256("wf"), keccak256("salt"), block.timestamp + TTL);
        t.handler = h;
        bytes memory data = abi.encodeCall(caller.callAgent, (t, inputHash, ""));
        vm.prank(requester);
        uint256 g = gasleft();
        (ok, ret) = address(caller).call(data);
        used = g - gasleft();
    }

    function _assertRefusedHandler(HostileErc165Handler.Mode m, uint256 size) internal {
        HostileErc165Handler h = new HostileErc165Handler(m, size);
        (bool ok, bytes memory ret, uint256 used) = _dispatchTo(address(h));
        assertFalse(ok, "refused");
        assertEq(
            ret, abi.encodeWithSelector(IAgentExecCaller.AgentCallerHandlerNotSupported.selector, address(h)), "named"
        );
        assertLe(used, 30_000 + PROVE_OVERHEAD, "ERC-165 query bounded at 30k gas");
    }

    function test_hostileHandler_revertingSupportsInterface() public {
        _assertRefusedHandler(HostileErc165Handler.Mode.Revert, 0);
    }

    function test_hostileHandler_gasBurningSupportsInterface() public {
        _assertRefusedHandler(HostileErc165Handler.Mode.BurnGas, 0);
    }

    function test_hostileHandler_hugeSupportsInterfaceReturn() public {
        _assertRefusedHandler(HostileErc165Handler.Mode.HugeReturn, 1 << 20);
    }

    /// @dev A handler claiming every interface passes the ERC-165 check (the caller uses the unchecked query), but
    /// it cannot acknowledge the dispatch, so nothing is opened; and it can only ever hurt its own requester.
    function test_lyingHandler_claimsEverythingGetsNothing() public {
        LyingErc165Handler liar = new LyingErc165Handler(bytes32(0));
        assertTrue(liar.supportsInterface(0xffffffff), "claims even 0xffffffff");
        (bool ok, bytes memory ret,) = _dispatchTo(address(liar));
        assertFalse(ok, "refused");
        assertEq(
            ret,
            abi.encodeWithSelector(IAgentExecCaller.AgentCallerDispatchRejected.selector, address(liar), bytes4(0)),
            "DispatchRejected"
        );
        // the requester's honest dispatch with the same salt to the real handler is unaffected
        bytes32 wf = _registerUniform(1, ASYNC);
        vm.prank(requester);
        bytes32 t = caller.callAgent(_task(wf, keccak256("salt"), block.timestamp + TTL), inputHash, "");
        assertEq(t, _expectedTaskId(requester, address(handler), keccak256("salt")), "expected id");
    }

    function test_lyingHandler_cannotReachTheEnforcingHandler() public {
        // A liar answering "reused" for everything only blocks tasks addressed to itself.
        LyingErc165Handler liar = new LyingErc165Handler(bytes32(uint256(1)));
        (bool ok, bytes memory ret,) = _dispatchTo(address(liar));
        assertFalse(ok, "refused");
        assertEq(bytes4(ret), IAgentExecCaller.AgentCallerTaskIdReused.selector, "its own answer");
        bytes32 t = _dispatch(_registerUniform(1, ASYNC));
        _assertStatus(t, IAgentExecHandler.TaskStatus.Active, "real handler unaffected");
    }

    function test_honestProof_constantIsWhatTheTestsUse() public {
        RevertingVerifier v = new RevertingVerifier(RevertingVerifier.Mode.Empty);
        assertEq(HostileVerifierBase(address(v)).HONEST_PROOF(), bytes("honest"), "honest proof");
    }

    // ---------------------------------------------------------------- the mocks' own errors (used by the TS tests)

    function test_mockRegistry_unknownAgent_reverts() public {
        MockIdentityRegistry reg = new MockIdentityRegistry();
        vm.expectRevert(abi.encodeWithSelector(MockIdentityRegistry.MockIdentityRegistryUnknownAgent.selector, 1));
        reg.ownerOf(1);
        reg.setOwner(1, agent);
        assertEq(reg.ownerOf(1), agent, "owner");
    }

    function test_hostileHandler_revertsWithItsNamedError() public {
        HostileErc165Handler h = new HostileErc165Handler(HostileErc165Handler.Mode.Revert, 0);
        vm.expectRevert(abi.encodeWithSelector(HostileErc165Handler.NotTellingYou.selector, bytes4(0x9346f8a8)));
        h.supportsInterface(0x9346f8a8);
    }

    function test_revertingVerifier_revertsWithItsNamedError() public {
        RevertingVerifier v = new RevertingVerifier(RevertingVerifier.Mode.CustomError);
        vm.expectRevert(
            abi.encodeWithSelector(RevertingVerifier.VerifierRefused.selector, bytes32("t"), uint8(2), bytes32("i"), bytes32("o"))
        );
        v.verifyStage(bytes32("t"), 2, address(0), false, bytes32("i"), bytes32("o"), ATTACK);
    }
}
