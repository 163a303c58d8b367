// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IAgentVerifier} from "./IAgentVerifier.sol";

/// @title Commit-reveal output consensus among a fixed committee
/// @notice Committee members (e.g. nodes that each ran the stage) vote on the stage's result in two phases. A
/// *round* is one stage of one task at one handler on one chain at this verifier:
/// `roundId = keccak256(abi.encode(block.chainid, address(this), handler, taskId, stage))`. The round opens with its
/// first commit; commits are accepted for `commitPeriod` after that, reveals for `revealPeriod` after the commit
/// phase closes. A vote is a result `(inputHash, outputHash, agent, isFinal)` — the step that the voter holds to be
/// right, including who stepped it and whether it ends the task; its commitment is
/// `keccak256(abi.encode(roundId, voter, inputHash, outputHash, agent, isFinal, salt))`, so a commitment or reveal is
/// valid for one voter in one round only (no replay across tasks, stages, handlers, verifiers or chains, and
/// copying another member's commitment gains nothing).
/// The round is *decided* when `threshold` (a strict majority) revealed votes agree on one result; two results can
/// never both reach it. The stage verdict for a step: `Approved` when the decided result is that step; `Denied`
/// when the decided result has another `(inputHash, outputHash)` (the committee agrees on a different output);
/// `Invalid` otherwise — undecided, or decided on the same output stepped by another agent or with another
/// `isFinal` (a copied step is not the committee's result, but neither is it a wrong output).
interface ICommitRevealVerifier is IAgentVerifier {
    /// @notice A round's state.
    struct Round {
        /// End of the commit phase (exclusive); zero while the round is not open.
        uint40 commitDeadline;
        /// End of the reveal phase (exclusive).
        uint40 revealDeadline;
        /// Number of commitments.
        uint16 commits;
        /// Number of reveals.
        uint16 reveals;
        /// The decided result `keccak256(abi.encode(inputHash, outputHash, agent, isFinal))`, or zero.
        bytes32 decided;
        /// `keccak256(abi.encode(inputHash, outputHash))` of the decided result, or zero.
        bytes32 decidedOutput;
    }

    /// @notice Round `roundId` (stage `stage` of task `taskId` at `handler`) opened with its first commit.
    event CommitRevealRoundOpened(
        bytes32 indexed roundId,
        address indexed handler,
        bytes32 indexed taskId,
        uint8 stage,
        uint40 commitDeadline,
        uint40 revealDeadline
    );
    /// @notice `voter` committed `commitment` in round `roundId`.
    event CommitRevealVoteCommitted(bytes32 indexed roundId, address indexed voter, bytes32 commitment);
    /// @notice `voter` revealed `result` in round `roundId`; `votes` revealed votes now agree on it.
    event CommitRevealVoteRevealed(bytes32 indexed roundId, address indexed voter, bytes32 indexed result, uint256 votes);
    /// @notice Round `roundId` is decided on `result`.
    event CommitRevealRoundDecided(bytes32 indexed roundId, bytes32 indexed result);

    /// @notice The committee is empty.
    error CommitRevealEmptyCommittee();
    /// @notice The committee has more than 65,535 members.
    error CommitRevealCommitteeTooLarge(uint256 voters);
    /// @notice The threshold must be a strict majority of the committee (`voters / 2 < threshold <= voters`).
    error CommitRevealInvalidThreshold(uint256 threshold, uint256 voters);
    /// @notice Committee member `index` is the zero address.
    error CommitRevealZeroVoter(uint256 index);
    /// @notice `voter` is listed twice.
    error CommitRevealDuplicateVoter(address voter);
    /// @notice Each phase must last between one second and 2^32 - 1 seconds.
    error CommitRevealInvalidPeriod(uint256 commitPeriod, uint256 revealPeriod);
    /// @notice `account` is not a committee member.
    error CommitRevealNotVoter(address account);
    /// @notice The commitment is zero or the reserved value 1 (which marks a revealed vote).
    error CommitRevealInvalidCommitment(bytes32 commitment);
    /// @notice The commit phase of `roundId` ended at `commitDeadline`; it is `timestamp`.
    error CommitRevealCommitClosed(bytes32 roundId, uint256 commitDeadline, uint256 timestamp);
    /// @notice `voter` already committed in `roundId`.
    error CommitRevealAlreadyCommitted(bytes32 roundId, address voter);
    /// @notice `voter` has no commitment in `roundId`.
    error CommitRevealNoCommitment(bytes32 roundId, address voter);
    /// @notice The reveal phase of `roundId` opens at `commitDeadline`; it is `timestamp`.
    error CommitRevealRevealNotOpen(bytes32 roundId, uint256 commitDeadline, uint256 timestamp);
    /// @notice The reveal phase of `roundId` ended at `revealDeadline`; it is `timestamp`.
    error CommitRevealRevealClosed(bytes32 roundId, uint256 revealDeadline, uint256 timestamp);
    /// @notice `voter` already revealed in `roundId`.
    error CommitRevealAlreadyRevealed(bytes32 roundId, address voter);
    /// @notice The reveal of `voter` in `roundId` hashes to `revealed`, not to its commitment `committed`.
    error CommitRevealCommitmentMismatch(bytes32 roundId, address voter, bytes32 committed, bytes32 revealed);

    /// @notice Commits the caller's vote for stage `stage` of task `taskId` at `handler` (opens the round if needed).
    function commit(address handler, bytes32 taskId, uint8 stage, bytes32 commitment) external;

    /// @notice Reveals the caller's vote; it counts towards `result = keccak256(abi.encode(inputHash, outputHash,
    /// agent, isFinal))`.
    function reveal(
        address handler,
        bytes32 taskId,
        uint8 stage,
        bytes32 inputHash,
        bytes32 outputHash,
        address agent,
        bool isFinal,
        bytes32 salt
    ) external;

    /// @notice The round id of stage `stage` of task `taskId` at `handler` on this chain.
    function roundId(address handler, bytes32 taskId, uint8 stage) external view returns (bytes32);

    /// @notice The commitment a voter makes.
    function commitmentOf(
        bytes32 roundId_,
        address voter,
        bytes32 inputHash,
        bytes32 outputHash,
        address agent,
        bool isFinal,
        bytes32 salt
    ) external pure returns (bytes32);

    /// @notice Round `roundId_`'s state.
    function round(bytes32 roundId_) external view returns (Round memory);

    /// @notice The number of revealed votes for `result` in round `roundId_`.
    function votes(bytes32 roundId_, bytes32 result) external view returns (uint256);

    /// @notice `voter`'s commitment in round `roundId_` (zero if none) and whether it was revealed.
    function voteOf(bytes32 roundId_, address voter) external view returns (bytes32 commitment, bool revealed);

    /// @notice The committee, in registration order.
    function voters() external view returns (address[] memory);

    /// @notice Whether `account` is a committee member.
    function isVoter(address account) external view returns (bool);

    /// @notice Agreeing reveals that decide a round.
    function threshold() external view returns (uint256);

    /// @notice Length of the commit phase, in seconds.
    function commitPeriod() external view returns (uint256);

    /// @notice Length of the reveal phase, in seconds.
    function revealPeriod() external view returns (uint256);
}
