// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC165} from "@openzeppelin/contracts/utils/introspection/ERC165.sol";
import {IAgentVerifier} from "../interfaces/IAgentVerifier.sol";
import {ICommitRevealVerifier} from "../interfaces/ICommitRevealVerifier.sol";

/// @title Stage verifier by commit-reveal output consensus
/// @notice See {ICommitRevealVerifier}. The committee, threshold and phase lengths are fixed at deployment, so a
/// workflow policy naming this verifier pins who decides its stages. `verifyStage` reads the calling handler's
/// round and ignores `proof` (pass empty bytes); it never reverts. Gas: about 8,000 (three storage reads).
contract CommitRevealVerifier is ICommitRevealVerifier, ERC165 {
    uint256 private immutable _THRESHOLD;
    uint256 private immutable _COMMIT_PERIOD;
    uint256 private immutable _REVEAL_PERIOD;
    address[] private _voters;
    mapping(address account => bool) private _isVoter;

    /// @dev Marks a revealed vote in `_commitments` (a commitment equal to it is unrevealable, so it is refused).
    bytes32 private constant REVEALED = bytes32(uint256(1));

    mapping(bytes32 roundId => Round) private _rounds;
    mapping(bytes32 roundId => mapping(address voter => bytes32)) private _commitments;
    mapping(bytes32 roundId => mapping(bytes32 result => uint256)) private _votes;

    /// @param voters_ The committee (distinct, nonzero, at most 65,535).
    /// @param threshold_ Agreeing reveals that decide a round: a strict majority of the committee.
    /// @param commitPeriod_ Seconds the commit phase lasts from the round's first commit.
    /// @param revealPeriod_ Seconds the reveal phase lasts after the commit phase.
    constructor(address[] memory voters_, uint256 threshold_, uint256 commitPeriod_, uint256 revealPeriod_) {
        uint256 n = voters_.length;
        if (n == 0) revert CommitRevealEmptyCommittee();
        if (n > type(uint16).max) revert CommitRevealCommitteeTooLarge(n);
        if (threshold_ * 2 <= n || threshold_ > n) revert CommitRevealInvalidThreshold(threshold_, n);
        if (commitPeriod_ == 0 || revealPeriod_ == 0 || commitPeriod_ > type(uint32).max || revealPeriod_ > type(uint32).max) {
            revert CommitRevealInvalidPeriod(commitPeriod_, revealPeriod_);
        }
        for (uint256 i; i < n; ++i) {
            address v = voters_[i];
            if (v == address(0)) revert CommitRevealZeroVoter(i);
            if (_isVoter[v]) revert CommitRevealDuplicateVoter(v);
            _isVoter[v] = true;
        }
        _voters = voters_;
        _THRESHOLD = threshold_;
        _COMMIT_PERIOD = commitPeriod_;
        _REVEAL_PERIOD = revealPeriod_;
    }

    // ---------------------------------------------------------------- voting

    /// @inheritdoc ICommitRevealVerifier
    function commit(address handler, bytes32 taskId, uint8 stage, bytes32 commitment) external {
        if (!_isVoter[msg.sender]) revert CommitRevealNotVoter(msg.sender);
        if (commitment == bytes32(0) || commitment == REVEALED) revert CommitRevealInvalidCommitment(commitment);
        bytes32 id = roundId(handler, taskId, stage);
        Round storage r = _rounds[id];
        uint256 deadline = r.commitDeadline;
        if (deadline == 0) {
            deadline = block.timestamp + _COMMIT_PERIOD;
            uint40 revealDeadline = uint40(deadline + _REVEAL_PERIOD);
            r.commitDeadline = uint40(deadline);
            r.revealDeadline = revealDeadline;
            emit CommitRevealRoundOpened(id, handler, taskId, stage, uint40(deadline), revealDeadline);
        } else if (block.timestamp >= deadline) {
            revert CommitRevealCommitClosed(id, deadline, block.timestamp);
        }
        if (_commitments[id][msg.sender] != bytes32(0)) revert CommitRevealAlreadyCommitted(id, msg.sender);
        _commitments[id][msg.sender] = commitment;
        unchecked {
            ++r.commits; // at most the committee size, <= type(uint16).max
        }
        emit CommitRevealVoteCommitted(id, msg.sender, commitment);
    }

    /// @inheritdoc ICommitRevealVerifier
    function reveal(
        address handler,
        bytes32 taskId,
        uint8 stage,
        bytes32 inputHash,
        bytes32 outputHash,
        address agent,
        bool isFinal,
        bytes32 salt
    ) external {
        bytes32 id = roundId(handler, taskId, stage);
        bytes32 committed = _commitments[id][msg.sender];
        if (committed == bytes32(0)) revert CommitRevealNoCommitment(id, msg.sender);
        if (committed == REVEALED) revert CommitRevealAlreadyRevealed(id, msg.sender);
        Round storage r = _rounds[id];
        if (block.timestamp < r.commitDeadline) revert CommitRevealRevealNotOpen(id, r.commitDeadline, block.timestamp);
        if (block.timestamp >= r.revealDeadline) revert CommitRevealRevealClosed(id, r.revealDeadline, block.timestamp);
        bytes32 revealed = commitmentOf(id, msg.sender, inputHash, outputHash, agent, isFinal, salt);
        if (revealed != committed) revert CommitRevealCommitmentMismatch(id, msg.sender, committed, revealed);

        _commitments[id][msg.sender] = REVEALED;
        bytes32 result = _result(inputHash, outputHash, agent, isFinal);
        uint256 count = ++_votes[id][result];
        unchecked {
            ++r.reveals;
        }
        emit CommitRevealVoteRevealed(id, msg.sender, result, count);
        // A strict-majority threshold is reached by at most one result, exactly once.
        if (count == _THRESHOLD) {
            r.decided = result;
            r.decidedOutput = keccak256(abi.encode(inputHash, outputHash));
            emit CommitRevealRoundDecided(id, result);
        }
    }

    // ---------------------------------------------------------------- verification

    /// @inheritdoc IAgentVerifier
    /// @dev The verdict of the committee of the calling handler's round for the step `(inputHash, outputHash,
    /// agent, isFinal)` of `stage` of `taskId` (see {ICommitRevealVerifier}); `digest` is the round id. `proof` is
    /// ignored. Never reverts.
    function verifyStage(
        bytes32 taskId,
        uint8 stage,
        address agent,
        bool isFinal,
        bytes32 inputHash,
        bytes32 outputHash,
        bytes calldata
    ) external view returns (Verdict verdict, bytes32 digest) {
        digest = roundId(msg.sender, taskId, stage);
        Round storage r = _rounds[digest];
        bytes32 decided = r.decided;
        if (decided == bytes32(0)) return (Verdict.Invalid, digest);
        if (decided == _result(inputHash, outputHash, agent, isFinal)) return (Verdict.Approved, digest);
        if (r.decidedOutput != keccak256(abi.encode(inputHash, outputHash))) return (Verdict.Denied, digest);
        return (Verdict.Invalid, digest);
    }

    /// @inheritdoc IAgentVerifier
    function proofSystem() external pure returns (string memory) {
        return "consensus/commit-reveal";
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc ICommitRevealVerifier
    function roundId(address handler, bytes32 taskId, uint8 stage) public view returns (bytes32) {
        return keccak256(abi.encode(block.chainid, address(this), handler, taskId, stage));
    }

    /// @inheritdoc ICommitRevealVerifier
    function commitmentOf(
        bytes32 roundId_,
        address voter,
        bytes32 inputHash,
        bytes32 outputHash,
        address agent,
        bool isFinal,
        bytes32 salt
    ) public pure returns (bytes32) {
        return keccak256(abi.encode(roundId_, voter, inputHash, outputHash, agent, isFinal, salt));
    }

    /// @inheritdoc ICommitRevealVerifier
    function round(bytes32 roundId_) external view returns (Round memory) {
        return _rounds[roundId_];
    }

    /// @inheritdoc ICommitRevealVerifier
    function votes(bytes32 roundId_, bytes32 result) external view returns (uint256) {
        return _votes[roundId_][result];
    }

    /// @inheritdoc ICommitRevealVerifier
    function voteOf(bytes32 roundId_, address voter) external view returns (bytes32 commitment, bool revealed) {
        commitment = _commitments[roundId_][voter];
        revealed = commitment == REVEALED;
        if (revealed) commitment = bytes32(0);
    }

    /// @inheritdoc ICommitRevealVerifier
    function voters() external view returns (address[] memory) {
        return _voters;
    }

    /// @inheritdoc ICommitRevealVerifier
    function isVoter(address account) external view returns (bool) {
        return _isVoter[account];
    }

    /// @inheritdoc ICommitRevealVerifier
    function threshold() external view returns (uint256) {
        return _THRESHOLD;
    }

    /// @inheritdoc ICommitRevealVerifier
    function commitPeriod() external view returns (uint256) {
        return _COMMIT_PERIOD;
    }

    /// @inheritdoc ICommitRevealVerifier
    function revealPeriod() external view returns (uint256) {
        return _REVEAL_PERIOD;
    }

    /// @inheritdoc ERC165
    function supportsInterface(bytes4 interfaceId) public view virtual override returns (bool) {
        return interfaceId == type(IAgentVerifier).interfaceId || interfaceId == type(ICommitRevealVerifier).interfaceId
            || super.supportsInterface(interfaceId);
    }

    /// @dev The result a vote counts for: the v3 step digest.
    function _result(bytes32 inputHash, bytes32 outputHash, address agent, bool isFinal) private pure returns (bytes32) {
        return keccak256(abi.encode(inputHash, outputHash, agent, isFinal));
    }
}
