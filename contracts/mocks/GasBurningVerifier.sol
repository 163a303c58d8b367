// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IAgentVerifier} from "../interfaces/IAgentVerifier.sol";
import {HostileVerifierBase} from "./HostileVerifierBase.sol";

/// @title Hostile verifier: consumes every unit of gas it is given (on every proof but the honest one)
/// @notice `Loop` hashes in an endless loop until it runs out of gas; `InvalidOpcode` executes `INVALID`, which
/// consumes the whole allowance at once. A handler must cap the allowance and report `VerifierOutOfGas`.
contract GasBurningVerifier is HostileVerifierBase {
    enum Mode {
        Loop,
        InvalidOpcode
    }

    Mode public immutable mode;

    constructor(Mode mode_) {
        mode = mode_;
    }

    /// @inheritdoc IAgentVerifier
    function verifyStage(bytes32, uint8, address, bool, bytes32, bytes32, bytes calldata proof) external view returns (Verdict, bytes32) {
        if (_isHonest(proof)) return (Verdict.Approved, HONEST_DIGEST);
        if (mode == Mode.InvalidOpcode) {
            assembly ("memory-safe") {
                invalid()
            }
        }
        assembly ("memory-safe") {
            let x := 1
            for {} 1 {} {
                mstore(0x00, x)
                x := keccak256(0x00, 0x20)
            }
        }
        return (Verdict.Approved, bytes32(0));
    }

    /// @inheritdoc IAgentVerifier
    function proofSystem() external pure returns (string memory) {
        return "mock/gas-burning";
    }
}
