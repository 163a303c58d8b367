// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IAgentVerifier} from "../interfaces/IAgentVerifier.sol";
import {HostileVerifierBase} from "./HostileVerifierBase.sol";

/// @title Hostile verifier: returns (or reverts with) a huge buffer whose prefix looks like an approval (on every
/// proof but the honest one)
/// @notice The buffer is `size` bytes (1 MiB by default): word 0 = 1 (`Approved`), word 1 = a digest, the rest
/// zero. A handler that copied the whole return data would pay for it; one that only looked at the first two words
/// would take it for an approval. A handler must read at most 64 bytes and reject it as `MalformedVerdict`
/// (or, reverting, `VerifierReverted`).
contract HugeReturnVerifier is HostileVerifierBase {
    uint256 public constant DEFAULT_SIZE = 1 << 20;

    uint256 public immutable size;
    bool public immutable asRevert;

    /// @param size_ Bytes to return; 0 means {DEFAULT_SIZE}.
    /// @param asRevert_ Revert with the buffer instead of returning it.
    constructor(uint256 size_, bool asRevert_) {
        size = size_ == 0 ? DEFAULT_SIZE : size_;
        asRevert = asRevert_;
    }

    /// @inheritdoc IAgentVerifier
    function verifyStage(bytes32, uint8, address, bool, bytes32, bytes32, bytes calldata proof) external view returns (Verdict, bytes32) {
        if (_isHonest(proof)) return (Verdict.Approved, HONEST_DIGEST);
        uint256 n = size;
        bool r = asRevert;
        assembly ("memory-safe") {
            let p := mload(0x40)
            mstore(p, 1)
            mstore(add(p, 0x20), 0xd16e57)
            mstore8(add(p, sub(n, 1)), 0) // expands memory to the full size
            if r { revert(p, n) }
            return(p, n)
        }
    }

    /// @inheritdoc IAgentVerifier
    function proofSystem() external pure returns (string memory) {
        return "mock/huge-return";
    }
}
