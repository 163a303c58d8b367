// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {IAgentTaskAnchorAuthority} from "../../interfaces/IAgentTaskAnchorAuthority.sol";
import {IDigestAnchor} from "../../interfaces/IDigestAnchor.sol";

/// @notice Test double of a handler's anchoring authority: `canAnchor` answers from a table anyone may fill (the
/// tests play the handler). It can also anchor as the handler itself.
contract MockAnchorAuthority is IAgentTaskAnchorAuthority, IERC165 {
    mapping(bytes32 taskId => mapping(address account => bool)) public allowed;

    function setAllowed(bytes32 taskId, address account, bool value) external {
        allowed[taskId][account] = value;
    }

    /// @inheritdoc IAgentTaskAnchorAuthority
    function canAnchor(bytes32 taskId, address account) external view returns (bool) {
        return allowed[taskId][account];
    }

    /// @notice Anchors as the handler itself (no authority query).
    function anchorAsHandler(IDigestAnchor anchor, bytes32 taskId, bytes32 root, uint32 leafCount) external {
        anchor.anchorTask(address(this), taskId, root, leafCount);
    }

    /// @inheritdoc IERC165
    function supportsInterface(bytes4 interfaceId) external pure returns (bool) {
        return interfaceId == type(IAgentTaskAnchorAuthority).interfaceId || interfaceId == type(IERC165).interfaceId;
    }
}
