// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title The slice of an ERC-8004 identity registry that authorises agents
/// @notice ERC-8004 registers agents as ERC-721 tokens. The handler authorises `agent` for `agentId` when the
/// registry names it the agent's wallet ({getAgentWallet}) or an owner / approved operator of the token
/// ({isAuthorizedOrOwner}) — the reference registry's own functions, not only `ownerOf`.
interface IAgentIdentityRegistry {
    /// @notice The account controlling `agentId` (reverts for unknown ids, as ERC-721 does).
    function ownerOf(uint256 agentId) external view returns (address);

    /// @notice The agent's verified wallet (zero if none is set).
    function getAgentWallet(uint256 agentId) external view returns (address);

    /// @notice Whether `spender` owns `agentId` or is approved for it (reverts for unknown ids in the reference).
    function isAuthorizedOrOwner(address spender, uint256 agentId) external view returns (bool);
}
