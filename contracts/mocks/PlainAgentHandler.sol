// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC165} from "@openzeppelin/contracts/utils/introspection/ERC165.sol";
import {IAgentHandler} from "../interfaces/IAgentHandler.sol";

/// @title Test fixture: a plain ERC-8301 handler (declares {IAgentHandler} only, enforces nothing on-chain)
/// @notice The caller only emits `CallAgent` for such handlers. It counts callbacks so tests can see they arrive.
contract PlainAgentHandler is IAgentHandler, ERC165 {
    uint256 public steps;
    uint256 public proves;

    /// @inheritdoc IAgentHandler
    function onAgentStep(bytes32, bytes32, bytes32, bytes calldata, uint256, address, uint8, bool, bytes calldata)
        external
    {
        ++steps;
    }

    /// @inheritdoc IAgentHandler
    function onAgentProve(bytes32, bytes32, bytes32, bytes calldata, address, uint8) external {
        ++proves;
    }

    /// @inheritdoc ERC165
    function supportsInterface(bytes4 interfaceId) public view virtual override returns (bool) {
        return interfaceId == type(IAgentHandler).interfaceId || super.supportsInterface(interfaceId);
    }
}
