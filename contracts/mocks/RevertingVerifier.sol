// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IAgentVerifier} from "../interfaces/IAgentVerifier.sol";
import {HostileVerifierBase} from "./HostileVerifierBase.sol";

/// @title Hostile verifier: reverts (on every proof but {HostileVerifierBase-HONEST_PROOF})
/// @notice Modes: a custom error carrying the call's arguments, a bare `revert()`, an `Error(string)` and a
/// `Panic(0x01)`. A handler must turn each into a rejected prove (reason `VerifierReverted`, detail = the first
/// four bytes of the revert data, or zero when there are fewer than four) and leave the task usable.
contract RevertingVerifier is HostileVerifierBase {
    enum Mode {
        CustomError,
        Empty,
        ErrorString,
        Panic
    }

    error VerifierRefused(bytes32 taskId, uint8 stage, bytes32 inputHash, bytes32 outputHash);

    Mode public immutable mode;

    constructor(Mode mode_) {
        mode = mode_;
    }

    /// @inheritdoc IAgentVerifier
    function verifyStage(
        bytes32 taskId,
        uint8 stage,
        address,
        bool,
        bytes32 inputHash,
        bytes32 outputHash,
        bytes calldata proof
    )
        external
        view
        returns (Verdict, bytes32)
    {
        if (_isHonest(proof)) return (Verdict.Approved, HONEST_DIGEST);
        Mode m = mode;
        if (m == Mode.CustomError) revert VerifierRefused(taskId, stage, inputHash, outputHash);
        if (m == Mode.ErrorString) revert("verifier says no");
        if (m == Mode.Panic) assert(false);
        assembly ("memory-safe") {
            revert(0, 0)
        }
    }

    /// @inheritdoc IAgentVerifier
    function proofSystem() external pure returns (string memory) {
        return "mock/reverting";
    }
}
