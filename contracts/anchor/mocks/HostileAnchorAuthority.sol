// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice A handler that misbehaves in `canAnchor` (and, in `LiesErc165`, in ERC-165) in one chosen way.
contract HostileAnchorAuthority {
    enum Mode {
        /// Declares the interface, `canAnchor` reverts with a reason.
        Reverts,
        /// Declares the interface, `canAnchor` burns all the gas it gets.
        BurnsGas,
        /// Declares the interface, `canAnchor` returns 1 MB whose first word is `true`.
        ReturnBomb,
        /// Declares the interface, `canAnchor` returns the word 2 (not a bool).
        ReturnsTwo,
        /// Declares the interface, `canAnchor` returns 31 bytes.
        ShortAnswer,
        /// Does not declare the interface (answers ERC-165 `false`), though `canAnchor` says `true`.
        Undeclared,
        /// Answers `true` to every ERC-165 query (including `0xffffffff`), and `canAnchor` says `true`.
        LiesErc165,
        /// Declares the interface and allows everyone.
        AllowsAll
    }

    Mode public immutable mode;

    constructor(Mode mode_) {
        mode = mode_;
    }

    function supportsInterface(bytes4 interfaceId) external view returns (bool) {
        if (mode == Mode.Undeclared) return false;
        if (mode == Mode.LiesErc165) return true;
        return interfaceId == 0x01ffc9a7 || interfaceId == bytes4(keccak256("canAnchor(bytes32,address)"));
    }

    function canAnchor(bytes32, address) external view returns (bool) {
        Mode m = mode;
        if (m == Mode.Reverts) revert("no");
        if (m == Mode.BurnsGas) {
            uint256 x;
            while (true) {
                x = uint256(keccak256(abi.encode(x)));
            }
        }
        if (m == Mode.ReturnBomb) {
            assembly {
                mstore(0, 1)
                return(0, 0x100000)
            }
        }
        if (m == Mode.ReturnsTwo) {
            assembly {
                mstore(0, 2)
                return(0, 0x20)
            }
        }
        if (m == Mode.ShortAnswer) {
            assembly {
                mstore(0, 1)
                return(0, 31)
            }
        }
        return true;
    }
}
