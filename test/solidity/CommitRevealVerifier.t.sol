// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {vm, Assertions} from "./utils/Vm.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {IAgentVerifier} from "../../contracts/interfaces/IAgentVerifier.sol";
import {ICommitRevealVerifier} from "../../contracts/interfaces/ICommitRevealVerifier.sol";
import {CommitRevealVerifier} from "../../contracts/verifiers/CommitRevealVerifier.sol";
import {AgentExecFixture} from "./utils/Fixture.sol";
import {IAgentExecHandler} from "../../contracts/interfaces/IAgentExecHandler.sol";
import {IWorkflowPolicyRegistry} from "../../contracts/interfaces/IWorkflowPolicyRegistry.sol";

/// @notice {CommitRevealVerifier}: phases, commitments bound to voter and round, majority decisions, verdicts for
/// the stepped result (approve / deny / copied step), replay across tasks, stages, handlers and chains, every error,
/// and a fuzzed vote count against a model.
contract CommitRevealVerifierTest is Assertions {
    uint256 internal constant T0 = 1_750_000_000;
    uint256 internal constant COMMIT = 1 hours;
    uint256 internal constant REVEAL = 1 hours;

    CommitRevealVerifier internal v;
    address[] internal committee;
    address internal handler = address(0x4A4D);
    address internal agent = address(0xA6E27);
    address internal copier = address(0xC0B1);
    bytes32 internal constant TASK = keccak256("task");
    bytes32 internal constant IN = keccak256("input");
    bytes32 internal constant OUT = keccak256("output");
    bytes32 internal constant OTHER_OUT = keccak256("other output");

    IAgentVerifier.Verdict internal constant INVALID = IAgentVerifier.Verdict.Invalid;
    IAgentVerifier.Verdict internal constant APPROVED = IAgentVerifier.Verdict.Approved;
    IAgentVerifier.Verdict internal constant DENIED = IAgentVerifier.Verdict.Denied;

    function setUp() public {
        vm.warp(T0);
        for (uint256 i; i < 3; ++i) {
            committee.push(vm.addr(0x5000 + i));
        }
        v = new CommitRevealVerifier(committee, 2, COMMIT, REVEAL);
    }

    // ---------------------------------------------------------------- helpers

    function _salt(address voter) internal pure returns (bytes32) {
        return keccak256(abi.encode("salt", voter));
    }

    function _commit(address voter, bytes32 taskId, uint8 stage, bytes32 out, address ag, bool fin) internal {
        bytes32 id = v.roundId(handler, taskId, stage);
        bytes32 c = v.commitmentOf(id, voter, IN, out, ag, fin, _salt(voter));
        vm.prank(voter);
        v.commit(handler, taskId, stage, c);
    }

    function _reveal(address voter, bytes32 taskId, uint8 stage, bytes32 out, address ag, bool fin) internal {
        vm.prank(voter);
        v.reveal(handler, taskId, stage, IN, out, ag, fin, _salt(voter));
    }

    function _verdict(bytes32 taskId, uint8 stage, address ag, bool fin, bytes32 out)
        internal
        returns (IAgentVerifier.Verdict verdict)
    {
        vm.prank(handler);
        (verdict,) = v.verifyStage(taskId, stage, ag, fin, IN, out, "");
    }

    /// @notice All three vote for (OUT, agent, final) except `dissenter` (index, or >= 3 for none) who votes OTHER_OUT.
    function _roundWith(uint256 dissenter, uint256 revealers) internal {
        for (uint256 i; i < 3; ++i) {
            _commit(committee[i], TASK, 0, i == dissenter ? OTHER_OUT : OUT, agent, true);
        }
        vm.warp(T0 + COMMIT);
        for (uint256 i; i < revealers; ++i) {
            _reveal(committee[i], TASK, 0, i == dissenter ? OTHER_OUT : OUT, agent, true);
        }
    }

    function _v(IAgentVerifier.Verdict x) internal pure returns (uint256) {
        return uint256(x);
    }

    // ---------------------------------------------------------------- decisions and verdicts

    function test_verifyStage_approvesTheMajorityResult() public {
        _roundWith(2, 2);
        assertEq(_v(_verdict(TASK, 0, agent, true, OUT)), _v(APPROVED), "majority result approved");
        bytes32 id = v.roundId(handler, TASK, 0);
        ICommitRevealVerifier.Round memory r = v.round(id);
        assertEq(r.commits, 3, "commits");
        assertEq(r.reveals, 2, "reveals");
        assertEq(r.decided, keccak256(abi.encode(IN, OUT, agent, true)), "decided = v3 step digest");
        vm.prank(handler);
        (, bytes32 digest) = v.verifyStage(TASK, 0, agent, true, IN, OUT, "");
        assertEq(digest, id, "digest is the round id");
    }

    function test_verifyStage_deniesAnotherOutput() public {
        _roundWith(2, 2);
        assertEq(_v(_verdict(TASK, 0, agent, true, OTHER_OUT)), _v(DENIED), "minority output denied");
    }

    function test_verifyStage_invalidForACopiedStep() public {
        _roundWith(3, 2);
        // Same output under another agent, or with another isFinal: not the committee's result, not a wrong output.
        assertEq(_v(_verdict(TASK, 0, copier, true, OUT)), _v(INVALID), "copier: invalid, not denied");
        assertEq(_v(_verdict(TASK, 0, agent, false, OUT)), _v(INVALID), "other isFinal: invalid");
    }

    function test_verifyStage_invalidUntilDecided() public {
        _roundWith(2, 1);
        assertEq(_v(_verdict(TASK, 0, agent, true, OUT)), _v(INVALID), "one reveal decides nothing");
        assertEq(_v(_verdict(TASK, 0, agent, true, OTHER_OUT)), _v(INVALID), "nor denies");
        assertEq(_v(_verdict(TASK, 1, agent, true, OUT)), _v(INVALID), "unopened round");
    }

    function test_verifyStage_splitVoteNeverDecides() public {
        // 1 for OUT, 1 for OTHER_OUT, 1 for OUT by the copier: no result has 2.
        _commit(committee[0], TASK, 0, OUT, agent, true);
        _commit(committee[1], TASK, 0, OTHER_OUT, agent, true);
        _commit(committee[2], TASK, 0, OUT, copier, true);
        vm.warp(T0 + COMMIT);
        _reveal(committee[0], TASK, 0, OUT, agent, true);
        _reveal(committee[1], TASK, 0, OTHER_OUT, agent, true);
        _reveal(committee[2], TASK, 0, OUT, copier, true);
        assertEq(v.round(v.roundId(handler, TASK, 0)).decided, bytes32(0), "undecided");
        assertEq(_v(_verdict(TASK, 0, agent, true, OUT)), _v(INVALID), "invalid");
    }

    /// @notice The decision of one round says nothing about another task, stage, handler or chain.
    function test_verifyStage_replaySafeAcrossTasksStagesHandlersChains() public {
        _roundWith(3, 2);
        assertEq(_v(_verdict(TASK, 0, agent, true, OUT)), _v(APPROVED), "own round");
        assertEq(_v(_verdict(keccak256("other task"), 0, agent, true, OUT)), _v(INVALID), "other task");
        assertEq(_v(_verdict(TASK, 1, agent, true, OUT)), _v(INVALID), "other stage");
        vm.prank(address(0xBEEF));
        (IAgentVerifier.Verdict other,) = v.verifyStage(TASK, 0, agent, true, IN, OUT, "");
        assertEq(_v(other), _v(INVALID), "other handler");
        vm.chainId(block.chainid + 1);
        assertEq(_v(_verdict(TASK, 0, agent, true, OUT)), _v(INVALID), "other chain");
    }

    /// @notice A commitment made for one round cannot be revealed in another, nor by another voter.
    function test_reveal_commitmentIsBoundToRoundAndVoter() public {
        bytes32 id = v.roundId(handler, TASK, 0);
        bytes32 c = v.commitmentOf(id, committee[0], IN, OUT, agent, true, _salt(committee[0]));
        vm.prank(committee[0]);
        v.commit(handler, TASK, 0, c);
        // The second voter copies the first's commitment into stage 1 and into stage 0.
        vm.prank(committee[1]);
        v.commit(handler, TASK, 1, c);
        vm.prank(committee[1]);
        v.commit(handler, TASK, 0, c);
        vm.warp(T0 + COMMIT);
        _reveal(committee[0], TASK, 0, OUT, agent, true);
        bytes32 expected = v.commitmentOf(id, committee[1], IN, OUT, agent, true, _salt(committee[0]));
        vm.expectRevert(
            abi.encodeWithSelector(
                ICommitRevealVerifier.CommitRevealCommitmentMismatch.selector, id, committee[1], c, expected
            )
        );
        vm.prank(committee[1]);
        v.reveal(handler, TASK, 0, IN, OUT, agent, true, _salt(committee[0]));
    }

    function test_reveal_eventsAndVoteCounts() public {
        _roundWith(3, 1);
        bytes32 id = v.roundId(handler, TASK, 0);
        bytes32 result = keccak256(abi.encode(IN, OUT, agent, true));
        vm.expectEmit(address(v));
        emit ICommitRevealVerifier.CommitRevealVoteRevealed(id, committee[1], result, 2);
        vm.expectEmit(address(v));
        emit ICommitRevealVerifier.CommitRevealRoundDecided(id, result);
        _reveal(committee[1], TASK, 0, OUT, agent, true);
        assertEq(v.votes(id, result), 2, "two votes");
        (bytes32 commitment, bool revealed) = v.voteOf(id, committee[1]);
        assertTrue(revealed, "revealed");
        assertEq(commitment, bytes32(0), "commitment cleared");
        (commitment, revealed) = v.voteOf(id, committee[2]);
        assertFalse(revealed, "not yet");
        assertTrue(commitment != bytes32(0), "committed");
        // A third agreeing reveal neither re-decides nor emits a second decision.
        vm.recordLogs();
        _reveal(committee[2], TASK, 0, OUT, agent, true);
        assertEq(vm.getRecordedLogs().length, 1, "only the reveal event");
    }

    function test_commit_opensTheRoundWithItsDeadlines() public {
        bytes32 id = v.roundId(handler, TASK, 0);
        vm.expectEmit(address(v));
        emit ICommitRevealVerifier.CommitRevealRoundOpened(id, handler, TASK, 0, uint40(T0 + COMMIT), uint40(T0 + COMMIT + REVEAL));
        _commit(committee[0], TASK, 0, OUT, agent, true);
        ICommitRevealVerifier.Round memory r = v.round(id);
        assertEq(r.commitDeadline, T0 + COMMIT, "commit deadline");
        assertEq(r.revealDeadline, T0 + COMMIT + REVEAL, "reveal deadline");
        // A later commit does not move the deadlines.
        vm.warp(T0 + COMMIT - 1);
        _commit(committee[1], TASK, 0, OUT, agent, true);
        assertEq(v.round(id).commitDeadline, T0 + COMMIT, "unchanged");
    }

    // ---------------------------------------------------------------- errors

    function test_constructor_revertsOnEmptyCommittee() public {
        vm.expectRevert(ICommitRevealVerifier.CommitRevealEmptyCommittee.selector);
        new CommitRevealVerifier(new address[](0), 1, COMMIT, REVEAL);
    }

    function test_constructor_revertsOnTooLargeCommittee() public {
        vm.expectRevert(abi.encodeWithSelector(ICommitRevealVerifier.CommitRevealCommitteeTooLarge.selector, 65_536));
        new CommitRevealVerifier(new address[](65_536), 40_000, COMMIT, REVEAL);
    }

    function test_constructor_revertsOnNonMajorityThreshold() public {
        vm.expectRevert(abi.encodeWithSelector(ICommitRevealVerifier.CommitRevealInvalidThreshold.selector, 1, 2));
        new CommitRevealVerifier(_two(), 1, COMMIT, REVEAL);
        vm.expectRevert(abi.encodeWithSelector(ICommitRevealVerifier.CommitRevealInvalidThreshold.selector, 3, 2));
        new CommitRevealVerifier(_two(), 3, COMMIT, REVEAL);
    }

    function test_constructor_revertsOnZeroVoter() public {
        address[] memory c = _two();
        c[1] = address(0);
        vm.expectRevert(abi.encodeWithSelector(ICommitRevealVerifier.CommitRevealZeroVoter.selector, 1));
        new CommitRevealVerifier(c, 2, COMMIT, REVEAL);
    }

    function test_constructor_revertsOnDuplicateVoter() public {
        address[] memory c = _two();
        c[1] = c[0];
        vm.expectRevert(abi.encodeWithSelector(ICommitRevealVerifier.CommitRevealDuplicateVoter.selector, c[0]));
        new CommitRevealVerifier(c, 2, COMMIT, REVEAL);
    }

    function test_constructor_revertsOnInvalidPeriod() public {
        vm.expectRevert(abi.encodeWithSelector(ICommitRevealVerifier.CommitRevealInvalidPeriod.selector, 0, REVEAL));
        new CommitRevealVerifier(_two(), 2, 0, REVEAL);
        vm.expectRevert(abi.encodeWithSelector(ICommitRevealVerifier.CommitRevealInvalidPeriod.selector, COMMIT, 0));
        new CommitRevealVerifier(_two(), 2, COMMIT, 0);
        uint256 huge = uint256(type(uint32).max) + 1;
        vm.expectRevert(abi.encodeWithSelector(ICommitRevealVerifier.CommitRevealInvalidPeriod.selector, huge, REVEAL));
        new CommitRevealVerifier(_two(), 2, huge, REVEAL);
    }

    function _two() internal pure returns (address[] memory c) {
        c = new address[](2);
        c[0] = address(0x1111);
        c[1] = address(0x2222);
    }

    function test_commit_revertsForNonVoter() public {
        vm.expectRevert(abi.encodeWithSelector(ICommitRevealVerifier.CommitRevealNotVoter.selector, copier));
        vm.prank(copier);
        v.commit(handler, TASK, 0, keccak256("c"));
    }

    function test_commit_revertsOnInvalidCommitment() public {
        vm.startPrank(committee[0]);
        vm.expectRevert(abi.encodeWithSelector(ICommitRevealVerifier.CommitRevealInvalidCommitment.selector, bytes32(0)));
        v.commit(handler, TASK, 0, bytes32(0));
        vm.expectRevert(
            abi.encodeWithSelector(ICommitRevealVerifier.CommitRevealInvalidCommitment.selector, bytes32(uint256(1)))
        );
        v.commit(handler, TASK, 0, bytes32(uint256(1)));
        vm.stopPrank();
    }

    function test_commit_revertsAfterTheCommitPhase() public {
        _commit(committee[0], TASK, 0, OUT, agent, true);
        vm.warp(T0 + COMMIT);
        bytes32 id = v.roundId(handler, TASK, 0);
        vm.expectRevert(
            abi.encodeWithSelector(ICommitRevealVerifier.CommitRevealCommitClosed.selector, id, T0 + COMMIT, T0 + COMMIT)
        );
        vm.prank(committee[1]);
        v.commit(handler, TASK, 0, keccak256("late"));
    }

    function test_commit_revertsOnSecondCommit() public {
        _commit(committee[0], TASK, 0, OUT, agent, true);
        bytes32 id = v.roundId(handler, TASK, 0);
        vm.expectRevert(abi.encodeWithSelector(ICommitRevealVerifier.CommitRevealAlreadyCommitted.selector, id, committee[0]));
        vm.prank(committee[0]);
        v.commit(handler, TASK, 0, keccak256("changed my mind"));
    }

    function test_reveal_revertsWithoutCommitment() public {
        bytes32 id = v.roundId(handler, TASK, 0);
        vm.expectRevert(abi.encodeWithSelector(ICommitRevealVerifier.CommitRevealNoCommitment.selector, id, committee[0]));
        _reveal(committee[0], TASK, 0, OUT, agent, true);
    }

    function test_reveal_revertsDuringTheCommitPhase() public {
        _commit(committee[0], TASK, 0, OUT, agent, true);
        bytes32 id = v.roundId(handler, TASK, 0);
        vm.expectRevert(
            abi.encodeWithSelector(ICommitRevealVerifier.CommitRevealRevealNotOpen.selector, id, T0 + COMMIT, T0)
        );
        _reveal(committee[0], TASK, 0, OUT, agent, true);
    }

    function test_reveal_revertsAfterTheRevealPhase() public {
        _commit(committee[0], TASK, 0, OUT, agent, true);
        vm.warp(T0 + COMMIT + REVEAL);
        bytes32 id = v.roundId(handler, TASK, 0);
        vm.expectRevert(
            abi.encodeWithSelector(
                ICommitRevealVerifier.CommitRevealRevealClosed.selector, id, T0 + COMMIT + REVEAL, T0 + COMMIT + REVEAL
            )
        );
        _reveal(committee[0], TASK, 0, OUT, agent, true);
    }

    function test_reveal_revertsOnSecondReveal() public {
        _roundWith(3, 1);
        bytes32 id = v.roundId(handler, TASK, 0);
        vm.expectRevert(abi.encodeWithSelector(ICommitRevealVerifier.CommitRevealAlreadyRevealed.selector, id, committee[0]));
        _reveal(committee[0], TASK, 0, OUT, agent, true);
    }

    function test_reveal_revertsOnMismatch() public {
        _commit(committee[0], TASK, 0, OUT, agent, true);
        vm.warp(T0 + COMMIT);
        bytes32 id = v.roundId(handler, TASK, 0);
        bytes32 committed = v.commitmentOf(id, committee[0], IN, OUT, agent, true, _salt(committee[0]));
        bytes32 revealed = v.commitmentOf(id, committee[0], IN, OTHER_OUT, agent, true, _salt(committee[0]));
        vm.expectRevert(
            abi.encodeWithSelector(
                ICommitRevealVerifier.CommitRevealCommitmentMismatch.selector, id, committee[0], committed, revealed
            )
        );
        _reveal(committee[0], TASK, 0, OTHER_OUT, agent, true);
    }

    // ---------------------------------------------------------------- views

    function test_views() public view {
        assertEq(v.threshold(), 2, "threshold");
        assertEq(v.commitPeriod(), COMMIT, "commit period");
        assertEq(v.revealPeriod(), REVEAL, "reveal period");
        assertEq(v.voters().length, 3, "voters");
        assertTrue(v.isVoter(committee[1]), "voter");
        assertFalse(v.isVoter(copier), "not voter");
        assertEq(v.proofSystem(), "consensus/commit-reveal", "label");
        assertTrue(v.supportsInterface(type(ICommitRevealVerifier).interfaceId), "ICommitRevealVerifier");
        assertTrue(v.supportsInterface(type(IAgentVerifier).interfaceId), "IAgentVerifier");
        assertTrue(v.supportsInterface(type(IERC165).interfaceId), "IERC165");
        assertFalse(v.supportsInterface(0xffffffff), "not 0xffffffff");
    }

    // ---------------------------------------------------------------- fuzz: vote counting against a model

    /// @notice `n` voters (1..9), a strict-majority threshold, each voter commits or not, reveals or not, and votes
    /// one of three results (OUT by agent, OTHER_OUT by agent, OUT by copier). The verifier's counts, decision and
    /// verdicts for every candidate step match a model that counts reveals in order.
    function testFuzz_voteCounting_matchesModel(uint256 seed, uint8 nRaw, uint8 tRaw) public {
        uint256 n = bound(nRaw, 1, 9);
        uint256 t = bound(tRaw, n / 2 + 1, n);
        address[] memory c = new address[](n);
        for (uint256 i; i < n; ++i) {
            c[i] = vm.addr(0x9000 + i);
        }
        CommitRevealVerifier f = new CommitRevealVerifier(c, t, COMMIT, REVEAL);
        bytes32 id = f.roundId(handler, TASK, 0);

        bytes32[3] memory outs = [OUT, OTHER_OUT, OUT];
        address[3] memory agents = [agent, agent, copier];
        uint256[3] memory count;
        int256 decided = -1;
        uint8[] memory choice = new uint8[](n);
        uint256 commits;
        for (uint256 i; i < n; ++i) {
            uint256 r = uint256(keccak256(abi.encode(seed, i)));
            choice[i] = uint8(r % 3);
            if ((r >> 8) % 4 == 0) {
                choice[i] = 255; // abstains
                continue;
            }
            bytes32 cm = f.commitmentOf(id, c[i], IN, outs[choice[i]], agents[choice[i]], true, bytes32(r));
            vm.prank(c[i]);
            f.commit(handler, TASK, 0, cm);
            ++commits;
        }
        vm.warp(block.timestamp + COMMIT);
        uint256 reveals;
        for (uint256 i; i < n; ++i) {
            if (choice[i] == 255) continue;
            uint256 r = uint256(keccak256(abi.encode(seed, i)));
            if ((r >> 16) % 5 == 0) continue; // commits but never reveals
            vm.prank(c[i]);
            f.reveal(handler, TASK, 0, IN, outs[choice[i]], agents[choice[i]], true, bytes32(r));
            ++reveals;
            if (++count[choice[i]] == t && decided < 0) decided = int256(uint256(choice[i]));
        }
        ICommitRevealVerifier.Round memory round_ = f.round(id);
        assertEq(round_.commits, commits, "commits");
        assertEq(round_.reveals, reveals, "reveals");
        for (uint256 k; k < 3; ++k) {
            assertEq(f.votes(id, keccak256(abi.encode(IN, outs[k], agents[k], true))), count[k], "count");
            assertLe(count[k] >= t ? 1 : 0, decided == int256(k) ? 1 : 0, "only the decided result reaches t");
        }
        for (uint256 k; k < 3; ++k) {
            vm.prank(handler);
            (IAgentVerifier.Verdict got,) = f.verifyStage(TASK, 0, agents[k], true, IN, outs[k], "");
            IAgentVerifier.Verdict want;
            if (decided < 0) want = INVALID;
            else if (uint256(decided) == k) want = APPROVED;
            else if (outs[uint256(decided)] != outs[k]) want = DENIED;
            else want = INVALID;
            assertEq(uint256(got), uint256(want), "verdict");
        }
    }
}

/// @notice {CommitRevealVerifier} behind the real {AgentHandler}: registration (ERC-165), an approved stage
/// finalises the task, a gate whose committee agreed on another output halts it, a copied step is not credited.
contract CommitRevealHandlerTest is AgentExecFixture {
    CommitRevealVerifier internal cr;
    address[] internal committee;

    function setUp() public override {
        super.setUp();
        for (uint256 i; i < 3; ++i) {
            committee.push(vm.addr(0x7000 + i));
        }
        cr = new CommitRevealVerifier(committee, 2, 1 hours, 1 hours);
    }

    function _task(bool gating) internal returns (bytes32) {
        IWorkflowPolicyRegistry.StagePolicy[] memory s = new IWorkflowPolicyRegistry.StagePolicy[](1);
        s[0] = _stage(SYNC, gating, ATTESTED);
        s[0].verifier = address(cr);
        return _dispatch(_register(_policy(s, 0)));
    }

    function _vote(bytes32 taskId, bytes32 out, address by) internal {
        bytes32 id = cr.roundId(address(handler), taskId, 0);
        for (uint256 i; i < 2; ++i) {
            bytes32 c = cr.commitmentOf(id, committee[i], inputHash, out, by, true, bytes32(i));
            vm.prank(committee[i]);
            cr.commit(address(handler), taskId, 0, c);
        }
        vm.warp(block.timestamp + 1 hours);
        for (uint256 i; i < 2; ++i) {
            vm.prank(committee[i]);
            cr.reveal(address(handler), taskId, 0, inputHash, out, by, true, bytes32(i));
        }
    }

    function test_handler_consensusFinalisesTheTask() public {
        bytes32 taskId = _task(false);
        _step(taskId, 0, inputHash, true);
        _vote(taskId, _out(0), agent);
        handler.onAgentProve(taskId, inputHash, _out(0), _ph(""), address(cr), 0);
        _assertStatus(taskId, IAgentExecHandler.TaskStatus.Finalized, "finalised");
    }

    function test_handler_consensusOnAnotherOutputHaltsAGate() public {
        bytes32 taskId = _task(true);
        _step(taskId, 0, inputHash, true);
        _vote(taskId, keccak256("the right output"), agent);
        handler.onAgentProve(taskId, inputHash, _out(0), _ph(""), address(cr), 0);
        _assertStatus(taskId, IAgentExecHandler.TaskStatus.Halted, "halted");
    }

    /// @notice agent2 copies the honest step under its own name; the committee voted for agent's step, so the
    /// copy is neither approved nor (on a gate) halting.
    function test_handler_copiedStepIsNotCredited() public {
        bytes32 taskId = _task(true);
        vm.prank(agent2);
        handler.onAgentStep(taskId, inputHash, _out(0), "", AGENT_ID, agent2, 0, true, "");
        _vote(taskId, _out(0), agent);
        handler.onAgentProve(taskId, inputHash, _out(0), _ph(agent2, ""), address(cr), 0);
        _assertStatus(taskId, IAgentExecHandler.TaskStatus.Active, "neither finalised nor halted");
    }
}
