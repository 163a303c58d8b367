// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IAgentVerifier} from "../interfaces/IAgentVerifier.sol";

/// @title Test fixture: a well-behaved verifier whose verdict the test chooses
/// @notice The verdict is the stored {verdict} unless the proof's first byte is 0, 1 or 2, in which case that byte
/// is the verdict (so one deployment serves proves with different outcomes). The digest is
/// {digestOf}`(handler, taskId, stage, agent, isFinal, inputHash, outputHash, proof)`, so tests can check from the handler's events
/// exactly which arguments the verifier was called with. `view`: cheap enough for the smallest gas allowance.
contract ConfigurableVerifier is IAgentVerifier {
    Verdict public verdict;

    constructor(Verdict initialVerdict) {
        verdict = initialVerdict;
    }

    /// @notice Sets the verdict given to proofs that do not carry their own.
    function setVerdict(Verdict newVerdict) external {
        verdict = newVerdict;
    }

    /// @inheritdoc IAgentVerifier
    function verifyStage(
        bytes32 taskId,
        uint8 stage,
        address agent,
        bool isFinal,
        bytes32 inputHash,
        bytes32 outputHash,
        bytes calldata proof
    ) external view returns (Verdict, bytes32) {
        Verdict v = verdict;
        if (proof.length != 0 && uint8(proof[0]) <= uint8(type(Verdict).max)) v = Verdict(uint8(proof[0]));
        return (v, digestOf(msg.sender, taskId, stage, agent, isFinal, inputHash, outputHash, proof));
    }

    /// @notice The digest {verifyStage} returns for these arguments.
    function digestOf(
        address handler,
        bytes32 taskId,
        uint8 stage,
        address agent,
        bool isFinal,
        bytes32 inputHash,
        bytes32 outputHash,
        bytes calldata proof
    ) public pure returns (bytes32) {
        return keccak256(abi.encode(handler, taskId, stage, agent, isFinal, inputHash, outputHash, keccak256(proof)));
    }

    /// @notice ERC-165: declares {IAgentVerifier}.
    function supportsInterface(bytes4 interfaceId) external pure returns (bool) {
        return interfaceId == type(IAgentVerifier).interfaceId || interfaceId == 0x01ffc9a7;
    }

    /// @inheritdoc IAgentVerifier
    function proofSystem() external pure returns (string memory) {
        return "mock/configurable";
    }
}
