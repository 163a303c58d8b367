// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IAgentIdentityRegistry} from "../interfaces/IAgentIdentityRegistry.sol";

/// @title Hostile ERC-8004 registry: every lookup burns all gas, returns too little, returns 1 MiB, or reverts
/// @notice Every answer "authorises" `victim` (`ownerOf` / `getAgentWallet` name it, `isAuthorizedOrOwner` says
/// true), so a handler that skipped a bound would authorise it. A handler must bound each lookup (gas and return
/// data) and treat every failure as "not authorised".
contract HostileAgentRegistry is IAgentIdentityRegistry {
    enum Mode {
        BurnGas,
        ShortReturn,
        HugeReturn,
        Revert
    }

    Mode public immutable mode;
    address public immutable victim;

    /// @param victim_ The address a well-formed answer would name (so a missing bound would authorise it).
    constructor(Mode mode_, address victim_) {
        mode = mode_;
        victim = victim_;
    }

    /// @inheritdoc IAgentIdentityRegistry
    function ownerOf(uint256) external view returns (address) {
        _misbehave(bytes32(uint256(uint160(victim))));
    }

    /// @inheritdoc IAgentIdentityRegistry
    function getAgentWallet(uint256) external view returns (address) {
        _misbehave(bytes32(uint256(uint160(victim))));
    }

    /// @inheritdoc IAgentIdentityRegistry
    function isAuthorizedOrOwner(address, uint256) external view returns (bool) {
        _misbehave(bytes32(uint256(1)));
    }

    /// @dev Never returns a well-formed answer; every malformed one carries `answer`.
    function _misbehave(bytes32 answer) private view {
        Mode m = mode;
        if (m == Mode.BurnGas) {
            assembly ("memory-safe") {
                for {} 1 {} { mstore(0x00, keccak256(0x00, 0x20)) }
            }
        }
        if (m == Mode.ShortReturn) {
            assembly ("memory-safe") {
                mstore(0x00, answer)
                return(0x0c, 20)
            }
        }
        if (m == Mode.HugeReturn) {
            assembly ("memory-safe") {
                let p := mload(0x40)
                mstore(p, answer)
                mstore8(add(p, 0xfffff), 0)
                return(p, 0x100000)
            }
        }
        assembly ("memory-safe") {
            mstore(0x00, answer)
            revert(0x00, 0x20)
        }
    }
}
