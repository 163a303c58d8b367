// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IAgentVerifier} from "../interfaces/IAgentVerifier.sol";
import {HostileVerifierBase} from "./HostileVerifierBase.sol";

/// @title Hostile verifier: returns something other than `(uint8 verdict, bytes32 digest)` with verdict 0..2 (on
/// every proof but the honest one)
/// @notice Every mode must yield a rejected prove with reason `MalformedVerdict`, never an approval.
contract GarbageVerifier is HostileVerifierBase {
    enum Mode {
        /// no return data at all (e.g. an EOA-like stub or a `stop`)
        Empty,
        /// one word: `1` (looks like "Approved" to a careless decoder)
        OneWord,
        /// three words: `1, digest, junk`
        ThreeWords,
        /// 63 bytes: one short of a verdict and a digest
        OddLength,
        /// verdict word `3`: one past the enum
        VerdictThree,
        /// verdict word `255`: the largest uint8
        VerdictMaxUint8,
        /// verdict word `256`: does not fit a uint8
        VerdictOverflow,
        /// verdict word with dirty high bits over an "Approved" low byte
        VerdictDirtyHighBits
    }

    bytes32 public constant DIGEST = keccak256("garbage");

    Mode public immutable mode;

    constructor(Mode mode_) {
        mode = mode_;
    }

    /// @inheritdoc IAgentVerifier
    function verifyStage(bytes32, uint8, address, bool, bytes32, bytes32, bytes calldata proof) external view returns (Verdict, bytes32) {
        if (_isHonest(proof)) return (Verdict.Approved, HONEST_DIGEST);
        Mode m = mode;
        uint256 w0 = 1;
        uint256 n = 64;
        if (m == Mode.Empty) n = 0;
        else if (m == Mode.OneWord) n = 32;
        else if (m == Mode.ThreeWords) n = 96;
        else if (m == Mode.OddLength) n = 63;
        else if (m == Mode.VerdictThree) w0 = 3;
        else if (m == Mode.VerdictMaxUint8) w0 = 255;
        else if (m == Mode.VerdictOverflow) w0 = 256;
        else if (m == Mode.VerdictDirtyHighBits) w0 = (uint256(1) << 255) | 1;
        bytes32 d = DIGEST;
        assembly ("memory-safe") {
            mstore(0x00, w0)
            mstore(0x20, d)
            mstore(0x40, 0xbad)
            return(0x00, n)
        }
    }

    /// @inheritdoc IAgentVerifier
    function proofSystem() external pure returns (string memory) {
        return "mock/garbage";
    }
}
