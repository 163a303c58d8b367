// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IAgentIdentityRegistry} from "../interfaces/IAgentIdentityRegistry.sol";

/// @title Hostile ERC-8004 registry: `ownerOf` burns all gas, returns too little, returns 1 MiB, or reverts
/// @notice Every answer "mentions" `victim`, so a handler that skipped a bound would authorise it. A handler must
/// bound the lookup (gas and return data) and treat every failure as "not authorised".
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
        Mode m = mode;
        address v = victim;
        if (m == Mode.BurnGas) {
            assembly ("memory-safe") {
                for {} 1 {} { mstore(0x00, keccak256(0x00, 0x20)) }
            }
        }
        if (m == Mode.ShortReturn) {
            assembly ("memory-safe") {
                mstore(0x00, shl(96, v))
                return(0x00, 20)
            }
        }
        if (m == Mode.HugeReturn) {
            assembly ("memory-safe") {
                let p := mload(0x40)
                mstore(p, v)
                mstore8(add(p, 0xfffff), 0)
                return(p, 0x100000)
            }
        }
        assembly ("memory-safe") {
            mstore(0x00, v)
            revert(0x00, 0x20)
        }
    }
}
