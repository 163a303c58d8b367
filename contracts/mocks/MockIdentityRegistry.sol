// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IAgentIdentityRegistry} from "../interfaces/IAgentIdentityRegistry.sol";

/// @notice Test double of an ERC-8004 identity registry: `ownerOf` reverts for unknown ids, as ERC-721 does.
contract MockIdentityRegistry is IAgentIdentityRegistry {
    error MockIdentityRegistryUnknownAgent(uint256 agentId);

    mapping(uint256 agentId => address) private _owners;

    function setOwner(uint256 agentId, address owner) external {
        _owners[agentId] = owner;
    }

    function ownerOf(uint256 agentId) external view returns (address owner) {
        owner = _owners[agentId];
        if (owner == address(0)) revert MockIdentityRegistryUnknownAgent(agentId);
    }
}
