// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Hostile handler: `supportsInterface` reverts, burns all gas, or returns a huge buffer starting with `true`
/// @notice A caller must bound the ERC-165 query (gas and return data) and reject the handler with its named error.
contract HostileErc165Handler {
    enum Mode {
        Revert,
        BurnGas,
        HugeReturn
    }

    error NotTellingYou(bytes4 interfaceId);

    Mode public immutable mode;
    uint256 public immutable size;

    /// @param size_ Bytes returned in `HugeReturn` mode (at least 32).
    constructor(Mode mode_, uint256 size_) {
        mode = mode_;
        size = size_ < 32 ? 32 : size_;
    }

    function supportsInterface(bytes4 interfaceId) external view returns (bool) {
        Mode m = mode;
        if (m == Mode.Revert) revert NotTellingYou(interfaceId);
        if (m == Mode.BurnGas) {
            assembly ("memory-safe") {
                for {} 1 {} { mstore(0x00, keccak256(0x00, 0x20)) }
            }
        }
        uint256 n = size;
        assembly ("memory-safe") {
            let p := mload(0x40)
            mstore(p, 1)
            mstore8(add(p, sub(n, 1)), 0)
            return(p, n)
        }
    }
}
