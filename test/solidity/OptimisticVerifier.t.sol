// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {vm, Assertions} from "./utils/Vm.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {IAgentVerifier} from "../../contracts/interfaces/IAgentVerifier.sol";
import {IOptimisticVerifier} from "../../contracts/interfaces/IOptimisticVerifier.sol";
import {OptimisticVerifier} from "../../contracts/verifiers/OptimisticVerifier.sol";
import {AgentExecFixture} from "./utils/Fixture.sol";
import {IAgentExecHandler} from "../../contracts/interfaces/IAgentExecHandler.sol";
import {IWorkflowPolicyRegistry} from "../../contracts/interfaces/IWorkflowPolicyRegistry.sol";

/// @notice Shared constants and helpers of the optimistic verifier tests.
abstract contract OptimisticBase is Assertions {
    uint256 internal constant T0 = 1_750_000_000;
    uint256 internal constant WINDOW = 1 hours;
    uint256 internal constant RESOLVE = 1 days;
    uint256 internal constant PBOND = 1 ether;
    uint256 internal constant CBOND = 0.5 ether;

    IAgentVerifier.Verdict internal constant INVALID = IAgentVerifier.Verdict.Invalid;
    IAgentVerifier.Verdict internal constant APPROVED = IAgentVerifier.Verdict.Approved;
    IAgentVerifier.Verdict internal constant DENIED = IAgentVerifier.Verdict.Denied;

    bytes32 internal constant TASK = keccak256("task");
    bytes32 internal constant IN = keccak256("in");
    bytes32 internal constant OUT = keccak256("out");
}

/// @notice {OptimisticVerifier}: each branch of a claim and where its bonds go, verdicts, replay, every error.
contract OptimisticVerifierTest is OptimisticBase {
    OptimisticVerifier internal v;
    address internal arbiter = vm.addr(0xA4B);
    address internal proposer = vm.addr(0x9409);
    address internal challenger = vm.addr(0xC4A1);
    address internal handler = address(0x4A4D);
    address internal agent = address(0xA6E27);

    function setUp() public {
        vm.warp(T0);
        v = new OptimisticVerifier(arbiter, WINDOW, RESOLVE, PBOND, CBOND);
        vm.deal(proposer, 100 ether);
        vm.deal(challenger, 100 ether);
    }

    function _propose(IAgentVerifier.Verdict verdict) internal returns (bytes32 id) {
        vm.prank(proposer);
        id = v.propose{value: PBOND}(handler, TASK, 0, agent, true, IN, OUT, verdict);
    }

    function _challenge(bytes32 id) internal {
        vm.prank(challenger);
        v.challenge{value: CBOND}(id);
    }

    function _verdict(uint8 claimed) internal returns (IAgentVerifier.Verdict verdict) {
        vm.prank(handler);
        (verdict,) = v.verifyStage(TASK, 0, agent, true, IN, OUT, abi.encodePacked(claimed));
    }

    function _assertBooks() internal view {
        assertEq(address(v).balance, v.totalOwed() + v.totalLocked(), "balance == owed + locked");
    }

    function _withdrawAll(address who) internal returns (uint256 amount) {
        vm.prank(who);
        amount = v.withdraw(payable(who));
    }

    // ---------------------------------------------------------------- branches

    function test_undisputedClaimIsAcceptedAfterTheWindow() public {
        bytes32 id = _propose(APPROVED);
        assertEq(uint256(_verdict(1)), uint256(INVALID), "not during the window");
        vm.warp(T0 + WINDOW);
        assertEq(uint256(_verdict(1)), uint256(APPROVED), "accepted after the window, before settle");
        assertEq(uint256(_verdict(2)), uint256(INVALID), "another verdict is another claim");
        vm.expectEmit(address(v));
        emit IOptimisticVerifier.OptimisticClaimSettled(id, true);
        v.settle(id);
        assertEq(uint256(v.claim(id).status), uint256(IOptimisticVerifier.ClaimStatus.Accepted), "accepted");
        assertEq(v.owed(proposer), PBOND, "proposer refunded");
        _assertBooks();
        uint256 before = proposer.balance;
        assertEq(_withdrawAll(proposer), PBOND, "withdrawn");
        assertEq(proposer.balance, before + PBOND, "paid");
        assertEq(address(v).balance, 0, "empty");
        assertEq(uint256(_verdict(1)), uint256(APPROVED), "still accepted");
    }

    function test_disputeUpheldPaysTheProposerBothBonds() public {
        bytes32 id = _propose(DENIED);
        _challenge(id);
        vm.warp(T0 + WINDOW);
        assertEq(uint256(_verdict(2)), uint256(INVALID), "disputed: not accepted");
        vm.expectEmit(address(v));
        emit IOptimisticVerifier.OptimisticClaimResolved(id, true);
        vm.prank(arbiter);
        v.resolve(id, true);
        assertEq(uint256(_verdict(2)), uint256(DENIED), "upheld denial");
        assertEq(v.owed(proposer), PBOND + CBOND, "proposer gets both");
        assertEq(v.owed(challenger), 0, "challenger nothing");
        _assertBooks();
    }

    function test_disputeRejectedPaysTheChallengerBothBonds() public {
        bytes32 id = _propose(APPROVED);
        _challenge(id);
        vm.prank(arbiter);
        v.resolve(id, false);
        vm.warp(T0 + WINDOW + RESOLVE);
        assertEq(uint256(_verdict(1)), uint256(INVALID), "rejected");
        assertEq(v.owed(challenger), PBOND + CBOND, "challenger gets both");
        assertEq(v.owed(proposer), 0, "proposer nothing");
        _assertBooks();
        // A rejected claim may be proposed again (and then goes its own way).
        bytes32 again = _propose(APPROVED);
        assertEq(again, id, "same id");
        assertEq(uint256(v.claim(id).status), uint256(IOptimisticVerifier.ClaimStatus.Pending), "pending again");
        assertEq(v.claim(id).challenger, address(0), "fresh record");
        _assertBooks();
    }

    function test_unresolvedDisputeRefundsBoth() public {
        bytes32 id = _propose(APPROVED);
        _challenge(id);
        vm.warp(T0 + RESOLVE);
        vm.expectEmit(address(v));
        emit IOptimisticVerifier.OptimisticClaimSettled(id, false);
        v.settle(id);
        assertEq(uint256(v.claim(id).status), uint256(IOptimisticVerifier.ClaimStatus.Rejected), "rejected");
        assertEq(v.owed(proposer), PBOND, "proposer refunded");
        assertEq(v.owed(challenger), CBOND, "challenger refunded");
        assertEq(uint256(_verdict(1)), uint256(INVALID), "no verdict");
        _assertBooks();
    }

    /// @notice The claim binds handler, task, stage, agent, isFinal, hashes, verifier and chain.
    function test_verifyStage_replaySafe() public {
        _propose(APPROVED);
        vm.warp(T0 + WINDOW);
        bytes memory p = abi.encodePacked(uint8(1));
        IAgentVerifier.Verdict x;
        vm.startPrank(handler);
        (x,) = v.verifyStage(TASK, 0, agent, true, IN, OUT, p);
        assertEq(uint256(x), uint256(APPROVED), "own claim");
        (x,) = v.verifyStage(keccak256("other"), 0, agent, true, IN, OUT, p);
        assertEq(uint256(x), uint256(INVALID), "task");
        (x,) = v.verifyStage(TASK, 1, agent, true, IN, OUT, p);
        assertEq(uint256(x), uint256(INVALID), "stage");
        (x,) = v.verifyStage(TASK, 0, address(0xC0B1), true, IN, OUT, p);
        assertEq(uint256(x), uint256(INVALID), "agent (a copier)");
        (x,) = v.verifyStage(TASK, 0, agent, false, IN, OUT, p);
        assertEq(uint256(x), uint256(INVALID), "isFinal");
        (x,) = v.verifyStage(TASK, 0, agent, true, IN, keccak256("x"), p);
        assertEq(uint256(x), uint256(INVALID), "output");
        vm.stopPrank();
        vm.prank(address(0xBEEF));
        (x,) = v.verifyStage(TASK, 0, agent, true, IN, OUT, p);
        assertEq(uint256(x), uint256(INVALID), "handler");
        vm.chainId(block.chainid + 1);
        assertEq(uint256(_verdict(1)), uint256(INVALID), "chain");
    }

    function test_verifyStage_malformedProofIsInvalid() public {
        _propose(APPROVED);
        vm.warp(T0 + WINDOW);
        vm.startPrank(handler);
        (IAgentVerifier.Verdict x, bytes32 d) = v.verifyStage(TASK, 0, agent, true, IN, OUT, "");
        assertEq(uint256(x), uint256(INVALID), "empty");
        assertEq(d, bytes32(0), "no digest");
        (x,) = v.verifyStage(TASK, 0, agent, true, IN, OUT, hex"0101");
        assertEq(uint256(x), uint256(INVALID), "two bytes");
        (x,) = v.verifyStage(TASK, 0, agent, true, IN, OUT, hex"00");
        assertEq(uint256(x), uint256(INVALID), "verdict 0");
        (x,) = v.verifyStage(TASK, 0, agent, true, IN, OUT, hex"03");
        assertEq(uint256(x), uint256(INVALID), "verdict 3");
        vm.stopPrank();
    }

    // ---------------------------------------------------------------- errors

    function test_constructor_errors() public {
        vm.expectRevert(IOptimisticVerifier.OptimisticZeroArbiter.selector);
        new OptimisticVerifier(address(0), WINDOW, RESOLVE, PBOND, CBOND);
        vm.expectRevert(abi.encodeWithSelector(IOptimisticVerifier.OptimisticInvalidWindow.selector, 0, RESOLVE));
        new OptimisticVerifier(arbiter, 0, RESOLVE, PBOND, CBOND);
        vm.expectRevert(abi.encodeWithSelector(IOptimisticVerifier.OptimisticInvalidWindow.selector, WINDOW, 0));
        new OptimisticVerifier(arbiter, WINDOW, 0, PBOND, CBOND);
        uint256 huge = uint256(type(uint32).max) + 1;
        vm.expectRevert(abi.encodeWithSelector(IOptimisticVerifier.OptimisticInvalidWindow.selector, WINDOW, huge));
        new OptimisticVerifier(arbiter, WINDOW, huge, PBOND, CBOND);
        vm.expectRevert(abi.encodeWithSelector(IOptimisticVerifier.OptimisticZeroBond.selector, 0, CBOND));
        new OptimisticVerifier(arbiter, WINDOW, RESOLVE, 0, CBOND);
        vm.expectRevert(abi.encodeWithSelector(IOptimisticVerifier.OptimisticZeroBond.selector, PBOND, 0));
        new OptimisticVerifier(arbiter, WINDOW, RESOLVE, PBOND, 0);
    }

    function test_propose_revertsOnInvalidVerdict() public {
        vm.expectRevert(abi.encodeWithSelector(IOptimisticVerifier.OptimisticInvalidVerdict.selector, 0));
        vm.prank(proposer);
        v.propose{value: PBOND}(handler, TASK, 0, agent, true, IN, OUT, INVALID);
    }

    function test_propose_revertsOnWrongBond() public {
        vm.expectRevert(abi.encodeWithSelector(IOptimisticVerifier.OptimisticWrongBond.selector, PBOND - 1, PBOND));
        vm.prank(proposer);
        v.propose{value: PBOND - 1}(handler, TASK, 0, agent, true, IN, OUT, APPROVED);
    }

    function test_propose_revertsOnExistingClaim() public {
        bytes32 id = _propose(APPROVED);
        vm.expectRevert(
            abi.encodeWithSelector(
                IOptimisticVerifier.OptimisticClaimExists.selector, id, IOptimisticVerifier.ClaimStatus.Pending
            )
        );
        _propose(APPROVED);
        vm.warp(T0 + WINDOW);
        v.settle(id);
        vm.expectRevert(
            abi.encodeWithSelector(
                IOptimisticVerifier.OptimisticClaimExists.selector, id, IOptimisticVerifier.ClaimStatus.Accepted
            )
        );
        _propose(APPROVED);
    }

    function test_challenge_revertsWhenNotPending() public {
        bytes32 id = v.claimIdOf(handler, TASK, 0, agent, true, IN, OUT, APPROVED);
        vm.expectRevert(
            abi.encodeWithSelector(IOptimisticVerifier.OptimisticClaimNotPending.selector, id, IOptimisticVerifier.ClaimStatus.None)
        );
        _challenge(id);
        _propose(APPROVED);
        _challenge(id);
        vm.expectRevert(
            abi.encodeWithSelector(
                IOptimisticVerifier.OptimisticClaimNotPending.selector, id, IOptimisticVerifier.ClaimStatus.Disputed
            )
        );
        _challenge(id);
    }

    function test_challenge_revertsAfterTheWindow() public {
        bytes32 id = _propose(APPROVED);
        vm.warp(T0 + WINDOW);
        vm.expectRevert(
            abi.encodeWithSelector(
                IOptimisticVerifier.OptimisticChallengeWindowClosed.selector, id, T0 + WINDOW, T0 + WINDOW
            )
        );
        _challenge(id);
    }

    function test_challenge_revertsOnWrongBond() public {
        bytes32 id = _propose(APPROVED);
        vm.expectRevert(abi.encodeWithSelector(IOptimisticVerifier.OptimisticWrongBond.selector, 0, CBOND));
        vm.prank(challenger);
        v.challenge(id);
    }

    function test_resolve_revertsForNonArbiter() public {
        bytes32 id = _propose(APPROVED);
        _challenge(id);
        vm.expectRevert(abi.encodeWithSelector(IOptimisticVerifier.OptimisticNotArbiter.selector, proposer));
        vm.prank(proposer);
        v.resolve(id, true);
    }

    function test_resolve_revertsWhenNotDisputed() public {
        bytes32 id = _propose(APPROVED);
        vm.expectRevert(
            abi.encodeWithSelector(
                IOptimisticVerifier.OptimisticClaimNotDisputed.selector, id, IOptimisticVerifier.ClaimStatus.Pending
            )
        );
        vm.prank(arbiter);
        v.resolve(id, true);
    }

    function test_resolve_revertsAfterTheResolutionWindow() public {
        bytes32 id = _propose(APPROVED);
        _challenge(id);
        vm.warp(T0 + RESOLVE);
        vm.expectRevert(
            abi.encodeWithSelector(
                IOptimisticVerifier.OptimisticResolveWindowClosed.selector, id, T0 + RESOLVE, T0 + RESOLVE
            )
        );
        vm.prank(arbiter);
        v.resolve(id, true);
    }

    function test_settle_revertsDuringTheChallengeWindow() public {
        bytes32 id = _propose(APPROVED);
        vm.expectRevert(
            abi.encodeWithSelector(IOptimisticVerifier.OptimisticChallengeWindowOpen.selector, id, T0 + WINDOW, T0)
        );
        v.settle(id);
    }

    function test_settle_revertsDuringTheResolutionWindow() public {
        bytes32 id = _propose(APPROVED);
        _challenge(id);
        vm.expectRevert(
            abi.encodeWithSelector(IOptimisticVerifier.OptimisticResolveWindowOpen.selector, id, T0 + RESOLVE, T0)
        );
        v.settle(id);
    }

    function test_settle_revertsOnClosedClaim() public {
        bytes32 id = _propose(APPROVED);
        _challenge(id);
        vm.prank(arbiter);
        v.resolve(id, true);
        vm.expectRevert(
            abi.encodeWithSelector(
                IOptimisticVerifier.OptimisticClaimClosed.selector, id, IOptimisticVerifier.ClaimStatus.Accepted
            )
        );
        v.settle(id);
        bytes32 none = keccak256("none");
        vm.expectRevert(
            abi.encodeWithSelector(IOptimisticVerifier.OptimisticClaimClosed.selector, none, IOptimisticVerifier.ClaimStatus.None)
        );
        v.settle(none);
    }

    function test_withdraw_revertsWithNothingOwed() public {
        vm.expectRevert(abi.encodeWithSelector(IOptimisticVerifier.OptimisticNothingToWithdraw.selector, proposer));
        vm.prank(proposer);
        v.withdraw(payable(proposer));
    }

    function test_withdraw_revertsWhenTheRecipientRefuses() public {
        bytes32 id = _propose(APPROVED);
        vm.warp(T0 + WINDOW);
        v.settle(id);
        address refuser = address(new OptimisticRefuser());
        vm.expectRevert(abi.encodeWithSelector(IOptimisticVerifier.OptimisticWithdrawFailed.selector, refuser, PBOND));
        vm.prank(proposer);
        v.withdraw(payable(refuser));
        assertEq(v.owed(proposer), PBOND, "still owed");
    }

    function test_withdraw_reentrancyGainsNothing() public {
        OptimisticReentrant r = new OptimisticReentrant(v);
        vm.deal(address(r), 10 ether);
        bytes32 id = r.propose(handler, PBOND);
        vm.warp(T0 + WINDOW);
        v.settle(id);
        r.withdraw();
        assertEq(r.received(), PBOND, "paid once");
        assertEq(address(v).balance, 0, "nothing left to drain");
        _assertBooks();
    }

    function test_views() public view {
        assertEq(v.arbiter(), arbiter, "arbiter");
        assertEq(v.challengeWindow(), WINDOW, "window");
        assertEq(v.resolveWindow(), RESOLVE, "resolve window");
        assertEq(v.proposerBond(), PBOND, "pbond");
        assertEq(v.challengerBond(), CBOND, "cbond");
        assertEq(v.proofSystem(), "optimistic/bonded-arbiter", "label");
        assertTrue(v.supportsInterface(type(IAgentVerifier).interfaceId), "IAgentVerifier");
        assertTrue(v.supportsInterface(type(IOptimisticVerifier).interfaceId), "IOptimisticVerifier");
        assertTrue(v.supportsInterface(type(IERC165).interfaceId), "IERC165");
        assertFalse(v.supportsInterface(0xffffffff), "not 0xffffffff");
    }

    // ---------------------------------------------------------------- fuzz: every branch pays out exactly

    /// @notice Any bonds and windows, any branch, any timing inside its legal range: after everyone withdraws,
    /// the winner gained exactly the loser's bond (or nobody gained anything), and the verifier is empty.
    function testFuzz_bondAccounting_everyBranch(uint96 pb, uint96 cb, uint32 w, uint32 rw, uint8 branch, uint32 dt)
        public
    {
        uint256 pBond = bound(pb, 1, 1_000 ether);
        uint256 cBond = bound(cb, 1, 1_000 ether);
        uint256 win = bound(w, 1, 30 days);
        uint256 res = bound(rw, 1, 30 days);
        OptimisticVerifier f = new OptimisticVerifier(arbiter, win, res, pBond, cBond);
        vm.deal(proposer, pBond);
        vm.deal(challenger, cBond);
        vm.prank(proposer);
        bytes32 id = f.propose{value: pBond}(handler, TASK, 0, agent, true, IN, OUT, APPROVED);
        uint256 b = branch % 4;
        int256 proposerGain;
        int256 challengerGain;
        if (b == 0) {
            vm.warp(block.timestamp + win + (dt % 30 days));
            f.settle(id);
        } else {
            vm.warp(block.timestamp + (dt % win));
            vm.prank(challenger);
            f.challenge{value: cBond}(id);
            if (b == 3) {
                vm.warp(block.timestamp + res + (dt % 30 days));
                f.settle(id);
            } else {
                vm.warp(block.timestamp + (dt % res));
                vm.prank(arbiter);
                f.resolve(id, b == 1);
                proposerGain = b == 1 ? int256(cBond) : -int256(pBond);
                challengerGain = b == 1 ? -int256(cBond) : int256(pBond);
            }
        }
        assertEq(address(f).balance, f.totalOwed() + f.totalLocked(), "books");
        assertEq(f.totalLocked(), 0, "nothing locked after the claim closed");
        if (f.owed(proposer) > 0) {
            vm.prank(proposer);
            f.withdraw(payable(proposer));
        }
        if (f.owed(challenger) > 0) {
            vm.prank(challenger);
            f.withdraw(payable(challenger));
        }
        assertEq(int256(proposer.balance) - int256(pBond), proposerGain, "proposer gain");
        assertEq(int256(challenger.balance) - int256(cBond), challengerGain, "challenger gain");
        assertEq(address(f).balance, 0, "verifier empty");
        assertEq(f.totalOwed(), 0, "nothing owed");
    }

    function assertEq(int256 a, int256 b, string memory message) internal pure {
        if (a != b) fail(message);
    }
}

/// @notice Refuses ether.
contract OptimisticRefuser {}

/// @notice Tries to withdraw twice by reentering from its receive function.
contract OptimisticReentrant {
    OptimisticVerifier internal immutable v;
    uint256 public received;

    constructor(OptimisticVerifier v_) {
        v = v_;
    }

    function propose(address handler, uint256 bond) external returns (bytes32) {
        return v.propose{value: bond}(handler, keccak256("r"), 0, address(this), true, 0, 0, IAgentVerifier.Verdict.Approved);
    }

    function withdraw() external {
        v.withdraw(payable(address(this)));
    }

    receive() external payable {
        received += msg.value;
        try v.withdraw(payable(address(this))) {} catch {}
    }
}

/// @notice Drives {OptimisticVerifier} with random proposals, challenges, rulings, settlements, withdrawals and
/// time, keeping a model of what each account is owed.
contract OptimisticActor is OptimisticBase {
    OptimisticVerifier public immutable v;
    address public immutable arbiter;
    address[4] internal people;
    bytes32[] public claims;
    mapping(address account => uint256) public modelOwed;
    uint256 public modelLocked;
    uint256 public paidIn;
    uint256 public paidOut;

    constructor() {
        arbiter = vm.addr(0xA4B);
        v = new OptimisticVerifier(arbiter, WINDOW, RESOLVE, PBOND, CBOND);
        for (uint256 i; i < 4; ++i) {
            people[i] = vm.addr(0x100 + i);
        }
    }

    function person(uint256 i) external view returns (address) {
        return people[i];
    }

    function propose(uint256 who, uint8 stage, bool deny) external {
        address p = people[who % 4];
        vm.deal(p, p.balance + PBOND);
        bytes32 id = v.claimIdOf(address(this), TASK, stage, p, true, IN, OUT, deny ? DENIED : APPROVED);
        IOptimisticVerifier.ClaimStatus s = v.claim(id).status;
        if (s != IOptimisticVerifier.ClaimStatus.None && s != IOptimisticVerifier.ClaimStatus.Rejected) return;
        vm.prank(p);
        v.propose{value: PBOND}(address(this), TASK, stage, p, true, IN, OUT, deny ? DENIED : APPROVED);
        if (s == IOptimisticVerifier.ClaimStatus.None) claims.push(id);
        modelLocked += PBOND;
        paidIn += PBOND;
    }

    function challenge(uint256 which, uint256 who) external {
        if (claims.length == 0) return;
        bytes32 id = claims[which % claims.length];
        IOptimisticVerifier.Claim memory c = v.claim(id);
        if (c.status != IOptimisticVerifier.ClaimStatus.Pending || block.timestamp >= c.challengeDeadline) return;
        address p = people[who % 4];
        vm.deal(p, p.balance + CBOND);
        vm.prank(p);
        v.challenge{value: CBOND}(id);
        modelLocked += CBOND;
        paidIn += CBOND;
    }

    function resolve(uint256 which, bool upheld) external {
        if (claims.length == 0) return;
        bytes32 id = claims[which % claims.length];
        IOptimisticVerifier.Claim memory c = v.claim(id);
        if (c.status != IOptimisticVerifier.ClaimStatus.Disputed || block.timestamp >= c.resolveDeadline) return;
        vm.prank(arbiter);
        v.resolve(id, upheld);
        modelLocked -= PBOND + CBOND;
        modelOwed[upheld ? c.proposer : c.challenger] += PBOND + CBOND;
    }

    function settle(uint256 which) external {
        if (claims.length == 0) return;
        bytes32 id = claims[which % claims.length];
        IOptimisticVerifier.Claim memory c = v.claim(id);
        if (c.status == IOptimisticVerifier.ClaimStatus.Pending && block.timestamp >= c.challengeDeadline) {
            v.settle(id);
            modelLocked -= PBOND;
            modelOwed[c.proposer] += PBOND;
        } else if (c.status == IOptimisticVerifier.ClaimStatus.Disputed && block.timestamp >= c.resolveDeadline) {
            v.settle(id);
            modelLocked -= PBOND + CBOND;
            modelOwed[c.proposer] += PBOND;
            modelOwed[c.challenger] += CBOND;
        }
    }

    function withdraw(uint256 who) external {
        address p = people[who % 4];
        uint256 amount = modelOwed[p];
        if (amount == 0) return;
        vm.prank(p);
        v.withdraw(payable(p));
        modelOwed[p] = 0;
        paidOut += amount;
    }

    function warp(uint32 dt) external {
        vm.warp(block.timestamp + (dt % (2 * RESOLVE)));
    }
}

/// @notice Invariants of the optimistic verifier's books under random sequences of every action.
contract OptimisticInvariantsTest is Assertions {
    struct FuzzSelector {
        address addr;
        bytes4[] selectors;
    }

    OptimisticActor internal actor;

    function setUp() public {
        vm.warp(1_750_000_000);
        actor = new OptimisticActor();
    }

    function targetContracts() public view returns (address[] memory a) {
        a = new address[](1);
        a[0] = address(actor);
    }

    function targetSelectors() public view returns (FuzzSelector[] memory s) {
        bytes4[] memory sel = new bytes4[](6);
        sel[0] = OptimisticActor.propose.selector;
        sel[1] = OptimisticActor.challenge.selector;
        sel[2] = OptimisticActor.resolve.selector;
        sel[3] = OptimisticActor.settle.selector;
        sel[4] = OptimisticActor.withdraw.selector;
        sel[5] = OptimisticActor.warp.selector;
        s = new FuzzSelector[](1);
        s[0] = FuzzSelector({addr: address(actor), selectors: sel});
    }

    /// @notice The contract holds exactly what it owes: open bonds plus withdrawable balances.
    function invariant_balanceEqualsSumOwed() public view {
        OptimisticVerifier v = actor.v();
        assertEq(address(v).balance, v.totalOwed() + v.totalLocked(), "balance == owed + locked");
        assertEq(address(v).balance, actor.paidIn() - actor.paidOut(), "balance == paid in - paid out");
    }

    /// @notice Each account is owed what the model says, and the total is their sum; locked bonds match the model.
    function invariant_owedMatchesModel() public view {
        OptimisticVerifier v = actor.v();
        uint256 sum;
        for (uint256 i; i < 4; ++i) {
            address p = actor.person(i);
            assertEq(v.owed(p), actor.modelOwed(p), "owed per account");
            sum += v.owed(p);
        }
        assertEq(v.totalOwed(), sum, "totalOwed == sum of owed");
        assertEq(v.totalLocked(), actor.modelLocked(), "locked");
    }
}

/// @notice {OptimisticVerifier} behind the real handler: an unchallenged approval finalises; a copied step's claim
/// does not prove the honest one.
contract OptimisticHandlerTest is AgentExecFixture {
    OptimisticVerifier internal ov;

    function setUp() public override {
        super.setUp();
        ov = new OptimisticVerifier(vm.addr(0xA4B), 1 hours, 1 days, 1 ether, 0.5 ether);
        vm.deal(agent, 10 ether);
    }

    function test_handler_unchallengedClaimFinalises() public {
        IWorkflowPolicyRegistry.StagePolicy[] memory s = new IWorkflowPolicyRegistry.StagePolicy[](1);
        s[0] = _stage(SYNC, false, ATTESTED);
        s[0].verifier = address(ov);
        bytes32 taskId = _dispatch(_register(_policy(s, 0)));
        _step(taskId, 0, inputHash, true);
        vm.prank(agent);
        ov.propose{value: 1 ether}(address(handler), taskId, 0, agent, true, inputHash, _out(0), APPROVED);
        handler.onAgentProve(taskId, inputHash, _out(0), _ph(abi.encodePacked(uint8(1))), address(ov), 0);
        _assertStatus(taskId, IAgentExecHandler.TaskStatus.Active, "window open: rejected");
        vm.warp(block.timestamp + 1 hours);
        handler.onAgentProve(taskId, inputHash, _out(0), _ph(abi.encodePacked(uint8(1))), address(ov), 0);
        _assertStatus(taskId, IAgentExecHandler.TaskStatus.Finalized, "finalised");
    }
}
