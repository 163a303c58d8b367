// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IAgentVerifier} from "./IAgentVerifier.sol";

/// @title Optimistic stage verification: bonded claims, a challenge window, a designated arbiter
/// @notice Anyone may *propose* a claim — "stage `stage` of task `taskId` at `handler`, stepped as
/// `(inputHash, outputHash, agent, isFinal)`, deserves verdict `verdict`" — by posting the proposer bond. The claim
/// is accepted once its challenge window passes undisputed. Until then anyone may *challenge* it by posting the
/// challenger bond; the arbiter then *resolves* it within the resolution window. Bonds, in every branch (pull
/// payments: {withdraw}):
/// - undisputed: the proposer gets its bond back ({settle} after the window);
/// - disputed, the arbiter upholds the claim: the proposer gets both bonds;
/// - disputed, the arbiter rejects the claim: the challenger gets both bonds;
/// - disputed, the arbiter does not resolve in time: each gets its own bond back and the claim is rejected
///   ({settle} after the resolution window).
/// A rejected claim may be proposed again. The claim id binds the chain, this verifier, the handler, the task, the
/// stage, the step's four values and the verdict, so nothing carries over between any of them:
/// `claimId = keccak256(abi.encode(block.chainid, address(this), handler, taskId, stage, agent, isFinal, inputHash,
/// outputHash, verdict))`.
interface IOptimisticVerifier is IAgentVerifier {
    /// @notice A claim's lifecycle.
    enum ClaimStatus {
        None,
        /// Proposed, undisputed; accepted once `challengeDeadline` passes.
        Pending,
        /// Challenged; awaiting the arbiter until `resolveDeadline`.
        Disputed,
        /// Accepted (undisputed past its window, or upheld by the arbiter).
        Accepted,
        /// Rejected by the arbiter or unresolved in time; may be proposed again.
        Rejected
    }

    /// @notice A claim as stored.
    struct Claim {
        ClaimStatus status;
        address proposer;
        uint40 challengeDeadline;
        address challenger;
        uint40 resolveDeadline;
    }

    /// @notice `proposer` proposed `claimId` (stage `stage` of `taskId` at `handler`, verdict `verdict`).
    event OptimisticClaimProposed(
        bytes32 indexed claimId,
        address indexed handler,
        bytes32 indexed taskId,
        uint8 stage,
        Verdict verdict,
        address proposer,
        uint40 challengeDeadline
    );
    /// @notice `challenger` disputed `claimId`; the arbiter may resolve it until `resolveDeadline`.
    event OptimisticClaimChallenged(bytes32 indexed claimId, address indexed challenger, uint40 resolveDeadline);
    /// @notice The arbiter resolved `claimId`: `upheld` or not.
    event OptimisticClaimResolved(bytes32 indexed claimId, bool upheld);
    /// @notice `claimId` was settled without the arbiter: `accepted` (undisputed) or rejected (unresolved in time).
    event OptimisticClaimSettled(bytes32 indexed claimId, bool accepted);
    /// @notice `amount` wei became withdrawable by `account`.
    event OptimisticBondCredited(address indexed account, uint256 amount);
    /// @notice `account` withdrew `amount` wei to `to`.
    event OptimisticWithdrawn(address indexed account, address indexed to, uint256 amount);

    /// @notice The arbiter is the zero address.
    error OptimisticZeroArbiter();
    /// @notice Each window must last between one second and 2^32 - 1 seconds.
    error OptimisticInvalidWindow(uint256 challengeWindow, uint256 resolveWindow);
    /// @notice Both bonds must be nonzero (a free challenge could stall every claim for the resolution window).
    error OptimisticZeroBond(uint256 proposerBond, uint256 challengerBond);
    /// @notice A claim's verdict must be `Approved` (1) or `Denied` (2).
    error OptimisticInvalidVerdict(uint8 verdict);
    /// @notice `sent` wei were sent; the bond is `required`.
    error OptimisticWrongBond(uint256 sent, uint256 required);
    /// @notice `claimId` exists with `status` (only a rejected claim may be proposed again).
    error OptimisticClaimExists(bytes32 claimId, ClaimStatus status);
    /// @notice `claimId` is `status`, not pending.
    error OptimisticClaimNotPending(bytes32 claimId, ClaimStatus status);
    /// @notice `claimId` is `status`, not disputed.
    error OptimisticClaimNotDisputed(bytes32 claimId, ClaimStatus status);
    /// @notice The challenge window of `claimId` closed at `challengeDeadline`; it is `timestamp`.
    error OptimisticChallengeWindowClosed(bytes32 claimId, uint256 challengeDeadline, uint256 timestamp);
    /// @notice The challenge window of `claimId` is open until `challengeDeadline`; it is `timestamp`.
    error OptimisticChallengeWindowOpen(bytes32 claimId, uint256 challengeDeadline, uint256 timestamp);
    /// @notice The resolution window of `claimId` closed at `resolveDeadline`; it is `timestamp`.
    error OptimisticResolveWindowClosed(bytes32 claimId, uint256 resolveDeadline, uint256 timestamp);
    /// @notice The resolution window of `claimId` is open until `resolveDeadline`; it is `timestamp`.
    error OptimisticResolveWindowOpen(bytes32 claimId, uint256 resolveDeadline, uint256 timestamp);
    /// @notice `account` is not the arbiter.
    error OptimisticNotArbiter(address account);
    /// @notice `claimId` is `status`: there is nothing to settle.
    error OptimisticClaimClosed(bytes32 claimId, ClaimStatus status);
    /// @notice `account` has nothing to withdraw.
    error OptimisticNothingToWithdraw(address account);
    /// @notice Sending `amount` wei to `to` failed.
    error OptimisticWithdrawFailed(address to, uint256 amount);

    /// @notice Proposes a claim with the proposer bond (`msg.value == proposerBond`); returns its id.
    function propose(
        address handler,
        bytes32 taskId,
        uint8 stage,
        address agent,
        bool isFinal,
        bytes32 inputHash,
        bytes32 outputHash,
        Verdict verdict
    ) external payable returns (bytes32 claimId);

    /// @notice Disputes a pending claim within its challenge window, with the challenger bond.
    function challenge(bytes32 claimId) external payable;

    /// @notice The arbiter's ruling on a disputed claim, within its resolution window.
    function resolve(bytes32 claimId, bool upheld) external;

    /// @notice Settles a claim without the arbiter: an undisputed claim after its challenge window (accepted,
    /// proposer refunded), or a disputed one after its resolution window (rejected, both refunded). Anyone may call.
    function settle(bytes32 claimId) external;

    /// @notice Sends the caller's withdrawable balance to `to`.
    function withdraw(address payable to) external returns (uint256 amount);

    /// @notice The id of a claim (see the contract notice).
    function claimIdOf(
        address handler,
        bytes32 taskId,
        uint8 stage,
        address agent,
        bool isFinal,
        bytes32 inputHash,
        bytes32 outputHash,
        Verdict verdict
    ) external view returns (bytes32);

    /// @notice Claim `claimId` as stored.
    function claim(bytes32 claimId) external view returns (Claim memory);

    /// @notice Whether `claimId` counts as accepted now (accepted, or pending past its window: the verdict holds
    /// before {settle} pays the bond back).
    function isAccepted(bytes32 claimId) external view returns (bool);

    /// @notice Wei withdrawable by `account`.
    function owed(address account) external view returns (uint256);

    /// @notice Total wei withdrawable by all accounts.
    function totalOwed() external view returns (uint256);

    /// @notice Total wei held as bonds of unsettled claims.
    function totalLocked() external view returns (uint256);

    function arbiter() external view returns (address);
    function challengeWindow() external view returns (uint256);
    function resolveWindow() external view returns (uint256);
    function proposerBond() external view returns (uint256);
    function challengerBond() external view returns (uint256);
}
