// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC165} from "@openzeppelin/contracts/utils/introspection/ERC165.sol";
import {IAgentVerifier} from "../interfaces/IAgentVerifier.sol";
import {IOptimisticVerifier} from "../interfaces/IOptimisticVerifier.sol";

/// @title Stage verifier by optimistic, bonded claims with a designated arbiter
/// @notice See {IOptimisticVerifier}. The arbiter, windows and bonds are fixed at deployment, so a workflow policy
/// naming this verifier pins who settles its disputes. Proof (for `verifyStage`): one byte, the claimed verdict
/// (1 approved, 2 denied); the verdict holds when the claim of exactly that step and verdict, by the calling
/// handler, is accepted. `verifyStage` never reverts; gas about 5,000.
/// @dev Accounting: every wei held is either a bond of an open claim ({totalLocked}) or withdrawable by someone
/// ({totalOwed}); `address(this).balance == totalLocked + totalOwed` unless ether is forced in (selfdestruct,
/// coinbase), which only adds an unowned surplus. Payouts are pull payments; there is no receive function.
contract OptimisticVerifier is IOptimisticVerifier, ERC165 {
    address private immutable _ARBITER;
    uint256 private immutable _CHALLENGE_WINDOW;
    uint256 private immutable _RESOLVE_WINDOW;
    uint256 private immutable _PROPOSER_BOND;
    uint256 private immutable _CHALLENGER_BOND;

    mapping(bytes32 claimId => Claim) private _claims;
    mapping(address account => uint256) private _owed;
    uint256 private _totalOwed;
    uint256 private _totalLocked;

    /// @param arbiter_ Resolves disputes.
    /// @param challengeWindow_ Seconds a claim may be challenged after its proposal.
    /// @param resolveWindow_ Seconds the arbiter has after a challenge.
    /// @param proposerBond_ Wei a proposal posts.
    /// @param challengerBond_ Wei a challenge posts.
    constructor(
        address arbiter_,
        uint256 challengeWindow_,
        uint256 resolveWindow_,
        uint256 proposerBond_,
        uint256 challengerBond_
    ) {
        if (arbiter_ == address(0)) revert OptimisticZeroArbiter();
        if (
            challengeWindow_ == 0 || resolveWindow_ == 0 || challengeWindow_ > type(uint32).max
                || resolveWindow_ > type(uint32).max
        ) revert OptimisticInvalidWindow(challengeWindow_, resolveWindow_);
        if (proposerBond_ == 0 || challengerBond_ == 0) revert OptimisticZeroBond(proposerBond_, challengerBond_);
        _ARBITER = arbiter_;
        _CHALLENGE_WINDOW = challengeWindow_;
        _RESOLVE_WINDOW = resolveWindow_;
        _PROPOSER_BOND = proposerBond_;
        _CHALLENGER_BOND = challengerBond_;
    }

    // ---------------------------------------------------------------- claims

    /// @inheritdoc IOptimisticVerifier
    function propose(
        address handler,
        bytes32 taskId,
        uint8 stage,
        address agent,
        bool isFinal,
        bytes32 inputHash,
        bytes32 outputHash,
        Verdict verdict
    ) external payable returns (bytes32 claimId) {
        if (verdict != Verdict.Approved && verdict != Verdict.Denied) revert OptimisticInvalidVerdict(uint8(verdict));
        if (msg.value != _PROPOSER_BOND) revert OptimisticWrongBond(msg.value, _PROPOSER_BOND);
        claimId = claimIdOf(handler, taskId, stage, agent, isFinal, inputHash, outputHash, verdict);
        Claim storage c = _claims[claimId];
        ClaimStatus status = c.status;
        if (status != ClaimStatus.None && status != ClaimStatus.Rejected) revert OptimisticClaimExists(claimId, status);
        uint40 deadline = uint40(block.timestamp + _CHALLENGE_WINDOW);
        _claims[claimId] = Claim({
            status: ClaimStatus.Pending,
            proposer: msg.sender,
            challengeDeadline: deadline,
            challenger: address(0),
            resolveDeadline: 0
        });
        _totalLocked += msg.value;
        emit OptimisticClaimProposed(claimId, handler, taskId, stage, verdict, msg.sender, deadline);
    }

    /// @inheritdoc IOptimisticVerifier
    function challenge(bytes32 claimId) external payable {
        Claim storage c = _claims[claimId];
        if (c.status != ClaimStatus.Pending) revert OptimisticClaimNotPending(claimId, c.status);
        if (block.timestamp >= c.challengeDeadline) {
            revert OptimisticChallengeWindowClosed(claimId, c.challengeDeadline, block.timestamp);
        }
        if (msg.value != _CHALLENGER_BOND) revert OptimisticWrongBond(msg.value, _CHALLENGER_BOND);
        uint40 deadline = uint40(block.timestamp + _RESOLVE_WINDOW);
        c.status = ClaimStatus.Disputed;
        c.challenger = msg.sender;
        c.resolveDeadline = deadline;
        _totalLocked += msg.value;
        emit OptimisticClaimChallenged(claimId, msg.sender, deadline);
    }

    /// @inheritdoc IOptimisticVerifier
    function resolve(bytes32 claimId, bool upheld) external {
        if (msg.sender != _ARBITER) revert OptimisticNotArbiter(msg.sender);
        Claim storage c = _claims[claimId];
        if (c.status != ClaimStatus.Disputed) revert OptimisticClaimNotDisputed(claimId, c.status);
        if (block.timestamp >= c.resolveDeadline) {
            revert OptimisticResolveWindowClosed(claimId, c.resolveDeadline, block.timestamp);
        }
        c.status = upheld ? ClaimStatus.Accepted : ClaimStatus.Rejected;
        uint256 pot = _PROPOSER_BOND + _CHALLENGER_BOND;
        _totalLocked -= pot;
        _credit(upheld ? c.proposer : c.challenger, pot);
        emit OptimisticClaimResolved(claimId, upheld);
    }

    /// @inheritdoc IOptimisticVerifier
    function settle(bytes32 claimId) external {
        Claim storage c = _claims[claimId];
        ClaimStatus status = c.status;
        if (status == ClaimStatus.Pending) {
            if (block.timestamp < c.challengeDeadline) {
                revert OptimisticChallengeWindowOpen(claimId, c.challengeDeadline, block.timestamp);
            }
            c.status = ClaimStatus.Accepted;
            _totalLocked -= _PROPOSER_BOND;
            _credit(c.proposer, _PROPOSER_BOND);
            emit OptimisticClaimSettled(claimId, true);
        } else if (status == ClaimStatus.Disputed) {
            if (block.timestamp < c.resolveDeadline) {
                revert OptimisticResolveWindowOpen(claimId, c.resolveDeadline, block.timestamp);
            }
            c.status = ClaimStatus.Rejected;
            _totalLocked -= _PROPOSER_BOND + _CHALLENGER_BOND;
            _credit(c.proposer, _PROPOSER_BOND);
            _credit(c.challenger, _CHALLENGER_BOND);
            emit OptimisticClaimSettled(claimId, false);
        } else {
            revert OptimisticClaimClosed(claimId, status);
        }
    }

    /// @inheritdoc IOptimisticVerifier
    function withdraw(address payable to) external returns (uint256 amount) {
        amount = _owed[msg.sender];
        if (amount == 0) revert OptimisticNothingToWithdraw(msg.sender);
        _owed[msg.sender] = 0;
        _totalOwed -= amount;
        (bool ok,) = to.call{value: amount}("");
        if (!ok) revert OptimisticWithdrawFailed(to, amount);
        emit OptimisticWithdrawn(msg.sender, to, amount);
    }

    // ---------------------------------------------------------------- verification

    /// @inheritdoc IAgentVerifier
    /// @dev `proof` is the claimed verdict (one byte). Answers that verdict when the calling handler's claim of
    /// exactly this step and verdict counts as accepted, otherwise `Invalid`; `digest` is the claim id.
    function verifyStage(
        bytes32 taskId,
        uint8 stage,
        address agent,
        bool isFinal,
        bytes32 inputHash,
        bytes32 outputHash,
        bytes calldata proof
    ) external view returns (Verdict verdict, bytes32 digest) {
        if (proof.length != 1) return (Verdict.Invalid, bytes32(0));
        uint8 claimed = uint8(proof[0]);
        if (claimed != uint8(Verdict.Approved) && claimed != uint8(Verdict.Denied)) return (Verdict.Invalid, bytes32(0));
        digest = claimIdOf(msg.sender, taskId, stage, agent, isFinal, inputHash, outputHash, Verdict(claimed));
        verdict = isAccepted(digest) ? Verdict(claimed) : Verdict.Invalid;
    }

    /// @inheritdoc IAgentVerifier
    function proofSystem() external pure returns (string memory) {
        return "optimistic/bonded-arbiter";
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IOptimisticVerifier
    function claimIdOf(
        address handler,
        bytes32 taskId,
        uint8 stage,
        address agent,
        bool isFinal,
        bytes32 inputHash,
        bytes32 outputHash,
        Verdict verdict
    ) public view returns (bytes32) {
        return keccak256(
            abi.encode(
                block.chainid, address(this), handler, taskId, stage, agent, isFinal, inputHash, outputHash, verdict
            )
        );
    }

    /// @inheritdoc IOptimisticVerifier
    function claim(bytes32 claimId) external view returns (Claim memory) {
        return _claims[claimId];
    }

    /// @inheritdoc IOptimisticVerifier
    function isAccepted(bytes32 claimId) public view returns (bool) {
        Claim storage c = _claims[claimId];
        ClaimStatus status = c.status;
        return status == ClaimStatus.Accepted || (status == ClaimStatus.Pending && block.timestamp >= c.challengeDeadline);
    }

    /// @inheritdoc IOptimisticVerifier
    function owed(address account) external view returns (uint256) {
        return _owed[account];
    }

    /// @inheritdoc IOptimisticVerifier
    function totalOwed() external view returns (uint256) {
        return _totalOwed;
    }

    /// @inheritdoc IOptimisticVerifier
    function totalLocked() external view returns (uint256) {
        return _totalLocked;
    }

    /// @inheritdoc IOptimisticVerifier
    function arbiter() external view returns (address) {
        return _ARBITER;
    }

    /// @inheritdoc IOptimisticVerifier
    function challengeWindow() external view returns (uint256) {
        return _CHALLENGE_WINDOW;
    }

    /// @inheritdoc IOptimisticVerifier
    function resolveWindow() external view returns (uint256) {
        return _RESOLVE_WINDOW;
    }

    /// @inheritdoc IOptimisticVerifier
    function proposerBond() external view returns (uint256) {
        return _PROPOSER_BOND;
    }

    /// @inheritdoc IOptimisticVerifier
    function challengerBond() external view returns (uint256) {
        return _CHALLENGER_BOND;
    }

    /// @inheritdoc ERC165
    function supportsInterface(bytes4 interfaceId) public view virtual override returns (bool) {
        return interfaceId == type(IAgentVerifier).interfaceId || interfaceId == type(IOptimisticVerifier).interfaceId
            || super.supportsInterface(interfaceId);
    }

    function _credit(address account, uint256 amount) private {
        _owed[account] += amount;
        _totalOwed += amount;
        emit OptimisticBondCredited(account, amount);
    }
}
