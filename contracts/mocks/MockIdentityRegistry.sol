// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IAgentIdentityRegistry} from "../interfaces/IAgentIdentityRegistry.sol";

/// @notice Test double of an ERC-8004 identity registry, with the reference registry's authorisation semantics:
/// `ownerOf` and `isAuthorizedOrOwner` revert for unknown ids (as ERC-721 does); `isAuthorizedOrOwner` is true for
/// the owner, an operator approved for all of the owner's tokens, or the token's approved account;
/// `getAgentWallet` returns the wallet set for the agent (zero if none).
contract MockIdentityRegistry is IAgentIdentityRegistry {
    error MockIdentityRegistryUnknownAgent(uint256 agentId);

    mapping(uint256 agentId => address) private _owners;
    mapping(uint256 agentId => address) private _wallets;
    mapping(uint256 agentId => address) private _approved;
    mapping(address owner => mapping(address operator => bool)) private _operators;

    function setOwner(uint256 agentId, address owner) external {
        _owners[agentId] = owner;
    }

    function setAgentWallet(uint256 agentId, address wallet) external {
        _wallets[agentId] = wallet;
    }

    function approve(address spender, uint256 agentId) external {
        _approved[agentId] = spender;
    }

    function setApprovalForAll(address owner, address operator, bool approved) external {
        _operators[owner][operator] = approved;
    }

    /// @inheritdoc IAgentIdentityRegistry
    function ownerOf(uint256 agentId) public view returns (address owner) {
        owner = _owners[agentId];
        if (owner == address(0)) revert MockIdentityRegistryUnknownAgent(agentId);
    }

    /// @inheritdoc IAgentIdentityRegistry
    function getAgentWallet(uint256 agentId) external view returns (address) {
        return _wallets[agentId];
    }

    /// @inheritdoc IAgentIdentityRegistry
    function isAuthorizedOrOwner(address spender, uint256 agentId) external view returns (bool) {
        address owner = ownerOf(agentId);
        return spender == owner || _operators[owner][spender] || _approved[agentId] == spender;
    }
}
