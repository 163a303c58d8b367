// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {vm} from "./utils/Vm.sol";
import {AgentExecFixture} from "./utils/Fixture.sol";
import {IAgentExecHandler} from "../../contracts/interfaces/IAgentExecHandler.sol";
import {IAgentExecHandlerErrors} from "../../contracts/interfaces/IAgentExecHandlerErrors.sol";
import {IWorkflowPolicyRegistry} from "../../contracts/interfaces/IWorkflowPolicyRegistry.sol";
import {ConfigurableVerifier} from "../../contracts/mocks/ConfigurableVerifier.sol";

/// @notice Model-based fuzzing of the step–prove staging. A seed picks a policy (all sync, all async, or mixed,
/// with gating, chained inputs, early final stages and a WYRIWE pipeline) and a sequence of actions: steps
/// (mostly plausible; sometimes out of order, replayed, unauthorised, impersonated, with a wrong input, output or
/// witness), proves (any verdict; sometimes the wrong stage, verifier or binding), `stepAndProve` (appending, or
/// replacing an unproven step), clock moves and expiry. A reference model written from the rules
/// (IAgentExecHandler, IWorkflowPolicyRegistry) predicts, for every action, either acceptance or the exact revert
/// data; the handler must agree action by action and match the model's state after each.
contract StagingModelTest is AgentExecFixture {
    uint256 internal constant ACTIONS = 40;
    uint8 internal constant KIND_SYNC = 0;
    uint8 internal constant KIND_ASYNC = 1;
    uint8 internal constant KIND_MIXED = 2;

    uint8 internal constant ACTIVE = uint8(IAgentExecHandler.TaskStatus.Active);
    uint8 internal constant HALTED = uint8(IAgentExecHandler.TaskStatus.Halted);
    uint8 internal constant FINALIZED = uint8(IAgentExecHandler.TaskStatus.Finalized);
    uint8 internal constant EXPIRED = uint8(IAgentExecHandler.TaskStatus.Expired);

    ConfigurableVerifier internal otherVerifier;

    struct Model {
        bytes32 taskId;
        uint8 n;
        uint8 minFinal;
        bool[] sync;
        bool[] gating;
        bool[] chained;
        bytes32 attested;
        uint256 deadline;
        // mutable
        uint8 status;
        uint8 stepped;
        uint64 proven;
        bool finalStepped;
        bytes32[] ins;
        bytes32[] outs;
        uint256 accepted;
    }

    struct Step {
        address sender;
        address agent;
        uint8 stage;
        bool isFinal;
        bytes32 inputHash;
        bytes32 outputHash;
        bytes output;
        bytes data;
        uint8 verdict; // stepAndProve only
    }

    struct Prove {
        uint8 stage;
        bytes32 inputHash;
        bytes32 outputHash;
        address verifier;
        uint8 verdict;
    }

    uint256[5] internal _ends; // tasks by final status
    uint256 internal _accepted;
    uint256 internal _replacements;

    function setUp() public override {
        super.setUp();
        otherVerifier = new ConfigurableVerifier(APPROVED);
    }

    // ---------------------------------------------------------------- fuzz entry points

    function testFuzz_staging_syncPolicies(uint256 seed) public {
        _run(seed, KIND_SYNC);
    }

    function testFuzz_staging_asyncPolicies(uint256 seed) public {
        _run(seed, KIND_ASYNC);
    }

    function testFuzz_staging_mixedPolicies(uint256 seed) public {
        _run(seed, KIND_MIXED);
    }

    /// @dev Guards against a vacuous generator: over fixed seeds, every end state is reached, replacements happen
    /// and a good share of actions is accepted.
    function test_staging_generatorReachesEveryOutcome() public {
        for (uint256 seed = 1; seed <= 30; ++seed) {
            _run(seed, uint8(seed % 3));
        }
        assertGe(_ends[FINALIZED], 15, "tasks finalise");
        assertGe(_ends[HALTED], 2, "tasks halt");
        assertGe(_ends[EXPIRED], 2, "tasks expire");
        assertGe(_ends[ACTIVE], 5, "tasks still running at the end");
        assertGe(_replacements, 3, "steps get replaced");
        assertGe(_accepted, (30 * ACTIONS) / 5, "a fifth of all actions is accepted");
    }

    function _tallyEnd(Model memory m) internal {
        _ends[m.status] += 1;
        _accepted += m.accepted;
    }

    // ---------------------------------------------------------------- the run

    /// @dev Runs {ACTIONS} actions. Once a task reaches a terminal state it takes a few more actions (all of which
    /// must be refused), then a fresh task with a fresh policy from the same seed takes over.
    function _run(uint256 seed, uint8 kind) internal {
        Model memory m = _newModel(seed, kind);
        uint256 afterEnd;
        for (uint256 i; i < ACTIONS; ++i) {
            uint256 r = uint256(keccak256(abi.encode(seed, "action", i)));
            uint256 pick = r % 100;
            if (pick < 38) _doStep(m, r);
            else if (pick < 72) _doProve(m, r);
            else if (pick < 88) _doStepAndProve(m, r);
            else if (pick < 95) vm.warp(block.timestamp + ((r >> 8) % 4 == 0 ? bound(r >> 16, 100, 400) : bound(r >> 16, 1, 30)));
            else _doExpire(m);
            _assertSameState(m);
            if (m.status != ACTIVE && ++afterEnd == 3) {
                _tallyEnd(m);
                m = _newModel(uint256(keccak256(abi.encode(seed, "next task", i))), kind);
                afterEnd = 0;
            }
        }
        _tallyEnd(m);
    }

    function _newModel(uint256 seed, uint8 kind) internal returns (Model memory m) {
        uint256 r = uint256(keccak256(abi.encode(seed, "policy")));
        m.n = uint8(1 + r % 5);
        r >>= 8;
        m.minFinal = uint8(r % m.n);
        r >>= 8;
        m.sync = new bool[](m.n);
        m.gating = new bool[](m.n);
        m.chained = new bool[](m.n);
        m.ins = new bytes32[](m.n);
        m.outs = new bytes32[](m.n);
        IWorkflowPolicyRegistry.StagePolicy[] memory s = new IWorkflowPolicyRegistry.StagePolicy[](m.n);
        for (uint256 i; i < m.n; ++i) {
            bool sync = kind == KIND_SYNC ? true : kind == KIND_ASYNC ? false : r & 1 == 1;
            bool gating = sync && i <= m.minFinal && (r >> 1) % 3 == 0; // a gate may not follow minFinalStage
            bool chained = i > 0 && (r >> 3) & 1 == 1;
            r >>= 5;
            m.sync[i] = sync;
            m.gating[i] = gating;
            m.chained[i] = chained;
            s[i] = _stage(sync ? SYNC : ASYNC, gating, chained ? CHAINED : ATTESTED);
        }
        IWorkflowPolicyRegistry.WorkflowPolicy memory p = _policy(s, m.minFinal);
        bool piped = r & 1 == 1;
        if (piped) p.pipelineHash = PIPELINE;
        m.attested = piped ? keccak256(abi.encode(inputHash, PIPELINE)) : inputHash;
        m.deadline = block.timestamp + bound(r >> 8, 120, 600);
        m.taskId = _dispatchAt(_register(p), m.deadline);
        m.status = ACTIVE;
    }

    // ---------------------------------------------------------------- records and witnesses

    function _record(Model memory m, uint8 stage) internal view returns (bytes32) {
        if (stage == 0 && m.stepped == 0) return m.attested;
        return _stepDigest(m.ins[stage], m.outs[stage], agent, _recordedFinal(m, stage));
    }

    /// @dev The final flag of the recorded step of `stage` (only {agent} can record steps here).
    function _recordedFinal(Model memory m, uint8 stage) internal pure returns (bool) {
        return m.finalStepped && stage + 1 == m.stepped;
    }

    /// @dev The witness `hash ‖ agent` at the head of `data` (`data` has at least 52 bytes).
    function _readWitness(bytes memory data) internal pure returns (bytes32 hash, address by) {
        assembly ("memory-safe") {
            hash := mload(add(data, 0x20))
            by := shr(96, mload(add(data, 0x40)))
        }
    }

    function _expectedInput(Model memory m, uint8 stage) internal pure returns (bytes32) {
        if (stage == 0 || stage >= m.n || !m.chained[stage]) return m.attested;
        return m.outs[stage - 1];
    }

    /// @dev The witness a correct step of `stage` carries (none for a first step of stage 0).
    function _witness(Model memory m, uint8 stage) internal view returns (bytes memory) {
        if (stage == 0 && m.stepped == 0) return "";
        if (stage >= m.n) return abi.encodePacked(m.outs[0], agent);
        if (stage != 0 && m.chained[stage]) return abi.encodePacked(m.ins[stage - 1], agent);
        return abi.encodePacked(m.outs[0], agent);
    }

    // ---------------------------------------------------------------- steps

    function _doStep(Model memory m, uint256 r) internal {
        Step memory a = _genStep(m, r, false);
        bytes memory expected = _expectStep(m, a, false);
        vm.prank(a.sender);
        (bool ok, bytes memory ret) = address(handler).call(
            abi.encodeCall(
                handler.onAgentStep,
                (m.taskId, a.inputHash, a.outputHash, a.output, AGENT_ID, a.agent, a.stage, a.isFinal, a.data)
            )
        );
        _assertOutcome(ok, ret, expected, "step");
        if (ok) {
            _applyStep(m, a);
            m.accepted += 1;
        }
    }

    function _applyStep(Model memory m, Step memory a) internal pure {
        m.ins[a.stage] = a.inputHash;
        m.outs[a.stage] = a.outputHash;
        m.stepped = a.stage + 1;
        m.finalStepped = a.isFinal;
    }

    function _genStep(Model memory m, uint256 r, bool replacing) internal view returns (Step memory a) {
        uint256 d = (r >> 8) % 100;
        if (replacing && m.stepped != 0 && d < 60) {
            a.stage = uint8((r >> 16) % m.stepped); // an earlier, possibly unproven, stage
        } else {
            a.stage = d < 80 ? m.stepped : d < 90 ? (m.stepped == 0 ? 1 : m.stepped - 1) : uint8((r >> 16) % (m.n + 2));
        }
        uint256 f = (r >> 24) % 100;
        bool natural = a.stage + 1 == m.n || (a.stage >= m.minFinal && f < 30);
        a.isFinal = f >= 92 ? !natural : natural;
        a.agent = (r >> 32) % 100 < 95 ? agent : stranger;
        a.sender = (r >> 40) % 100 < 97 ? a.agent : stranger == a.agent ? agent : stranger;
        a.inputHash = (r >> 48) % 100 < 92 ? _expectedInput(m, a.stage) : keccak256(abi.encode(r, "wrong input"));
        uint256 o = (r >> 56) % 100;
        if (o < 85) {
            a.outputHash = keccak256(abi.encode(r, "output"));
        } else if (o < 94) {
            a.output = abi.encode(r, "output bytes");
            a.outputHash = keccak256(a.output);
        } else if (o < 97) {
            a.output = abi.encode(r, "output bytes");
            a.outputHash = keccak256(abi.encode(r, "not the bytes"));
        } // else zero output hash
        uint256 w = (r >> 64) % 100;
        a.data = w < 92 ? _witness(m, a.stage) : w < 96 ? bytes("") : abi.encodePacked(keccak256(abi.encode(r, "wrong witness")));
        a.data = abi.encodePacked(a.data, (r >> 72) % 2 == 0 ? bytes("") : bytes("app data"));
        uint256 v = (r >> 80) % 100;
        a.verdict = v < 60 ? uint8(APPROVED) : v < 80 ? uint8(INVALID) : uint8(DENIED);
    }

    /// @dev The rules of `onAgentStep` (and of `stepAndProve`'s step, with `replace`), in the handler's order.
    function _expectStep(Model memory m, Step memory a, bool replace) internal view returns (bytes memory) {
        bytes32 t = m.taskId;
        if (a.sender != a.agent) {
            return abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerCallerNotAgent.selector, a.sender, a.agent);
        }
        bytes memory live = _expectLive(m);
        if (live.length != 0) return live;
        if (a.stage >= m.n) {
            return abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerStageOutOfRange.selector, t, a.stage, m.n);
        }
        if (replace && a.stage < m.stepped) {
            if (_isProven(m, a.stage)) {
                return abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerStageAlreadyProven.selector, t, a.stage);
            }
            if (m.proven >> a.stage != 0) {
                return abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerLaterStageProven.selector, t, a.stage);
            }
            // gate lock (the model's policies are Allowlist): an unproven recorded gate is the last step
            if (m.gating[m.stepped - 1]) {
                return abi.encodeWithSelector(
                    IAgentExecHandlerErrors.AgentHandlerGateLocked.selector, t, a.stage, m.stepped - 1
                );
            }
        } else {
            if (m.finalStepped) {
                return abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerSteppingClosed.selector, t, m.stepped - 1);
            }
            if (a.stage != m.stepped) {
                return abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerStageOutOfOrder.selector, t, a.stage, m.stepped);
            }
        }
        if (a.stage > 0 && m.sync[a.stage - 1] && !_isProven(m, a.stage - 1)) {
            return abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerSyncStageUnproven.selector, t, a.stage - 1);
        }
        bool finalOk = a.isFinal ? a.stage >= m.minFinal : a.stage + 1 < m.n;
        if (!finalOk) {
            return abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerFinalFlagInvalid.selector, t, a.stage, a.isFinal);
        }
        if (a.agent != agent) {
            return abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerUnauthorizedAgent.selector, t, a.agent, AGENT_ID);
        }
        if (a.outputHash == bytes32(0)) {
            return abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerZeroOutputHash.selector, t, a.stage);
        }
        if (a.output.length != 0 && keccak256(a.output) != a.outputHash) {
            return abi.encodeWithSelector(
                IAgentExecHandlerErrors.AgentHandlerOutputHashMismatch.selector, t, a.outputHash, keccak256(a.output)
            );
        }
        bytes memory input = _expectInput(m, a);
        if (input.length != 0) return input;
        if (
            replace && a.stage < m.stepped
                && _stepDigest(a.inputHash, a.outputHash, a.agent, a.isFinal) == _record(m, a.stage)
        ) {
            return abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerReplacementUnchanged.selector, t, a.stage);
        }
        return "";
    }

    /// @dev Input provenance: the sentinel for a first step of stage 0, otherwise the witness at the head of `data`.
    function _expectInput(Model memory m, Step memory a) internal view returns (bytes memory) {
        bytes32 t = m.taskId;
        if (a.stage == 0 && m.stepped == 0) {
            if (a.inputHash != m.attested) {
                return abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerWyriweViolation.selector, t, m.attested, a.inputHash);
            }
            return "";
        }
        if (a.data.length < 52) {
            return abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerMissingWitness.selector, t, a.stage);
        }
        (bytes32 witness, address by) = _readWitness(a.data);
        if (a.stage != 0 && m.chained[a.stage]) {
            if (_stepDigest(witness, a.inputHash, by, _recordedFinal(m, a.stage - 1)) != _record(m, a.stage - 1)) {
                return abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerInputNotChained.selector, t, a.stage, a.inputHash);
            }
        } else if (_stepDigest(a.inputHash, witness, by, _recordedFinal(m, 0)) != _record(m, 0)) {
            return abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerInputNotAttested.selector, t, a.stage, a.inputHash);
        }
        return "";
    }

    // ---------------------------------------------------------------- stepAndProve

    function _doStepAndProve(Model memory m, uint256 r) internal {
        Step memory a = _genStep(m, r, true);
        bytes memory expected = _expectStep(m, a, true);
        Model memory after_ = _copy(m);
        if (expected.length == 0) {
            _applyStep(after_, a);
            expected = _expectAtomicProve(after_, a, a.stage < m.stepped);
        }
        IAgentExecHandler.AgentStep memory st = IAgentExecHandler.AgentStep({
            taskId: m.taskId,
            inputHash: a.inputHash,
            outputHash: a.outputHash,
            output: a.output,
            agentId: AGENT_ID,
            agent: a.agent,
            stage: a.stage,
            isFinal: a.isFinal,
            data: a.data
        });
        vm.prank(a.sender);
        (bool ok, bytes memory ret) =
            address(handler).call(abi.encodeCall(handler.stepAndProve, (st, abi.encodePacked(a.verdict))));
        _assertOutcome(ok, ret, expected, "stepAndProve");
        if (!ok) return;
        if (a.stage < m.stepped) _replacements += 1;
        _applyStep(m, a);
        _applyVerdict(m, a.stage, a.verdict);
        m.accepted += 1;
    }

    /// @dev `stepAndProve`'s prove, all or nothing: only an approval, or a denial of a new step on a gating stage,
    /// goes through (a replacement must approve).
    function _expectAtomicProve(Model memory m, Step memory a, bool replacing) internal view returns (bytes memory) {
        if (a.isFinal) {
            uint64 missing = uint64((uint256(1) << a.stage) - 1) & ~m.proven;
            if (missing != 0) {
                return abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerEarlierStagesUnproven.selector, m.taskId, missing);
            }
        }
        if (a.verdict == uint8(APPROVED) || (a.verdict == uint8(DENIED) && m.gating[a.stage] && !replacing)) return "";
        IAgentExecHandler.ProveRejection reason = a.verdict == uint8(INVALID)
            ? IAgentExecHandler.ProveRejection.InvalidProof
            : IAgentExecHandler.ProveRejection.Denied;
        bytes32 detail = keccak256(
            abi.encode(
                address(handler),
                m.taskId,
                a.stage,
                a.agent,
                a.isFinal,
                a.inputHash,
                a.outputHash,
                keccak256(abi.encodePacked(a.verdict))
            )
        );
        return abi.encodeWithSelector(
            IAgentExecHandler.AgentHandlerProveRejected.selector, m.taskId, a.stage, reason, detail
        );
    }

    function _copy(Model memory m) internal pure returns (Model memory c) {
        c = Model({
            taskId: m.taskId,
            n: m.n,
            minFinal: m.minFinal,
            sync: m.sync,
            gating: m.gating,
            chained: m.chained,
            attested: m.attested,
            deadline: m.deadline,
            status: m.status,
            stepped: m.stepped,
            proven: m.proven,
            finalStepped: m.finalStepped,
            ins: new bytes32[](m.n),
            outs: new bytes32[](m.n),
            accepted: m.accepted
        });
        for (uint256 i; i < m.n; ++i) {
            c.ins[i] = m.ins[i];
            c.outs[i] = m.outs[i];
        }
    }

    // ---------------------------------------------------------------- proves

    function _doProve(Model memory m, uint256 r) internal {
        Prove memory a = _genProve(m, r);
        bytes memory expected = _expectProve(m, a);
        (bool ok, bytes memory ret) = address(handler).call(
            abi.encodeCall(
                handler.onAgentProve, (m.taskId, a.inputHash, a.outputHash, _ph(abi.encodePacked(a.verdict)), a.verifier, a.stage)
            )
        );
        _assertOutcome(ok, ret, expected, "prove");
        if (!ok) return;
        m.accepted += 1;
        _applyVerdict(m, a.stage, a.verdict);
    }

    function _applyVerdict(Model memory m, uint8 stage, uint8 verdict) internal pure {
        if (verdict == uint8(APPROVED)) {
            m.proven |= uint64(1) << stage;
            if (m.finalStepped && stage + 1 == m.stepped) m.status = FINALIZED;
        } else if (verdict == uint8(DENIED) && m.gating[stage]) {
            m.status = HALTED;
        }
    }

    function _lowestUnproven(Model memory m) internal pure returns (uint8 i) {
        while (i < m.stepped && _isProven(m, i)) ++i;
        if (i == m.stepped && i > 0) i -= 1;
    }

    function _genProve(Model memory m, uint256 r) internal view returns (Prove memory a) {
        uint256 d = (r >> 8) % 100;
        a.stage = d < 50 ? _lowestUnproven(m) : d < 80 ? (m.stepped == 0 ? 0 : m.stepped - 1) : uint8((r >> 16) % (m.n + 1));
        uint256 v = (r >> 24) % 100;
        a.verdict = v < 65 ? uint8(APPROVED) : v < 85 ? uint8(INVALID) : uint8(DENIED);
        a.verifier = (r >> 32) % 100 < 97 ? address(verifier) : address(otherVerifier);
        bool bind = (r >> 40) % 100 < 92;
        a.inputHash = a.stage < m.n && a.stage < m.stepped ? m.ins[a.stage] : m.attested;
        a.outputHash = bind && a.stage < m.n ? m.outs[a.stage] : keccak256(abi.encode(r, "forged output"));
    }

    /// @dev The rules of `onAgentProve`, in the handler's order.
    function _expectProve(Model memory m, Prove memory a) internal view returns (bytes memory) {
        bytes32 t = m.taskId;
        bytes memory live = _expectLive(m);
        if (live.length != 0) return live;
        if (a.stage >= m.stepped) {
            return abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerStepNotRecorded.selector, t, a.stage);
        }
        if (_isProven(m, a.stage)) {
            return abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerStageAlreadyProven.selector, t, a.stage);
        }
        if (a.verifier != address(verifier)) {
            return abi.encodeWithSelector(
                IAgentExecHandlerErrors.AgentHandlerVerifierMismatch.selector, t, a.stage, address(verifier), a.verifier
            );
        }
        if (_stepDigest(a.inputHash, a.outputHash, agent, _recordedFinal(m, a.stage)) != _record(m, a.stage)) {
            return abi.encodeWithSelector(
                IAgentExecHandlerErrors.AgentHandlerProveBindingMismatch.selector, t, a.stage, a.inputHash, a.outputHash
            );
        }
        if (m.finalStepped && a.stage + 1 == m.stepped) {
            uint64 missing = uint64((uint256(1) << a.stage) - 1) & ~m.proven;
            if (missing != 0) {
                return abi.encodeWithSelector(IAgentExecHandlerErrors.AgentHandlerEarlierStagesUnproven.selector, t, missing);
            }
        }
        return "";
    }

    // ---------------------------------------------------------------- expiry

    function _doExpire(Model memory m) internal {
        bytes memory expected;
        if (m.status != ACTIVE) {
            expected = abi.encodeWithSelector(IAgentExecHandler.AgentHandlerTaskNotActive.selector, m.taskId, m.status);
        } else if (block.timestamp < m.deadline) {
            expected = abi.encodeWithSelector(
                IAgentExecHandlerErrors.AgentHandlerDeadlineNotPassed.selector, m.taskId, m.deadline, block.timestamp
            );
        }
        vm.prank(stranger);
        (bool ok, bytes memory ret) = address(handler).call(abi.encodeCall(handler.expireTask, (m.taskId)));
        _assertOutcome(ok, ret, expected, "expire");
        if (ok) {
            m.status = EXPIRED;
            m.accepted += 1;
        }
    }

    // ---------------------------------------------------------------- shared

    function _expectLive(Model memory m) internal view returns (bytes memory) {
        if (m.status != ACTIVE) {
            return abi.encodeWithSelector(IAgentExecHandler.AgentHandlerTaskNotActive.selector, m.taskId, m.status);
        }
        if (block.timestamp >= m.deadline) {
            return abi.encodeWithSelector(
                IAgentExecHandlerErrors.AgentHandlerDeadlinePassed.selector, m.taskId, m.deadline, block.timestamp
            );
        }
        return "";
    }

    function _isProven(Model memory m, uint8 stage) internal pure returns (bool) {
        return (m.proven >> stage) & 1 == 1;
    }

    function _assertOutcome(bool ok, bytes memory ret, bytes memory expected, string memory what) internal pure {
        if (expected.length == 0) {
            if (!ok) fail(string.concat(what, ": model accepts, handler refused"));
        } else {
            if (ok) fail(string.concat(what, ": model refuses, handler accepted"));
            assertEq(ret, expected, string.concat(what, ": revert data differs from the model's"));
        }
    }

    function _assertSameState(Model memory m) internal view {
        IAgentExecHandler.TaskView memory v = handler.taskOf(m.taskId);
        assertEq(uint256(v.status), m.status, "status");
        assertEq(v.steppedStages, m.stepped, "stepped");
        assertEq(v.provenStages, m.proven, "proven");
        assertEq(v.finalStepped, m.finalStepped, "finalStepped");
        assertEq(v.deadline, m.deadline, "deadline");
        for (uint8 i; i < m.n; ++i) {
            bytes32 want = i < m.stepped ? _record(m, i) : bytes32(0);
            assertEq(handler.stepDigest(m.taskId, i), want, "step record");
        }
    }
}
