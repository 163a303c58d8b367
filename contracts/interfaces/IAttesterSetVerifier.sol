// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IAgentVerifier} from "./IAgentVerifier.sol";

/// @title A verifier whose proofs are EIP-712 signatures by a fixed k-of-n attester set
/// @notice Proofs carry `threshold` 65-byte signatures `r ‖ s ‖ v`, ordered by strictly ascending signer address
/// (which also rules out counting one attester twice). The set and threshold are fixed at deployment, so a
/// workflow policy that names this verifier pins exactly who can approve its stages.
interface IAttesterSetVerifier is IAgentVerifier {
    /// @notice The attester set is empty.
    error AttesterSetEmpty();
    /// @notice The threshold must be a strict majority of the set (`attesters / 2 < threshold <= attesters`), so
    /// two disjoint quorums can never sign conflicting verdicts.
    error AttesterSetInvalidThreshold(uint256 threshold, uint256 attesters);
    /// @notice Attester `index` is the zero address.
    error AttesterSetZeroAttester(uint256 index);
    /// @notice `attester` is listed twice.
    error AttesterSetDuplicateAttester(address attester);

    /// @notice Number of distinct attester signatures a proof must carry.
    function threshold() external view returns (uint256);

    /// @notice The attester set, in registration order.
    function attesters() external view returns (address[] memory);

    /// @notice Whether `account` is an attester.
    function isAttester(address account) external view returns (bool);
}
