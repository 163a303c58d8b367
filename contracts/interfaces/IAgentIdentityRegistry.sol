// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title The slice of an ERC-8004 identity registry that authorises agents
/// @notice ERC-8004 registers agents as ERC-721 tokens; the owner of `agentId` is the agent's controlling account.
interface IAgentIdentityRegistry {
    /// @notice The account controlling `agentId` (reverts for unknown ids, as ERC-721 does).
    function ownerOf(uint256 agentId) external view returns (address);
}
