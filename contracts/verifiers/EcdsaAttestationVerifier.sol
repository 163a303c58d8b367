// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IAgentVerifier} from "../interfaces/IAgentVerifier.sol";
import {AttesterSetVerifier} from "./AttesterSetVerifier.sol";

/// @title Stage verifier: k-of-n EIP-712 ECDSA attestations of a step's result
/// @notice Proof layout: `verdict (1 byte: 1 approve, 2 deny) ‖ signatures (threshold × 65 bytes, ascending
/// signer)`. Attesters sign `StageAttestation(handler, taskId, stage, agent, isFinal, inputHash, outputHash,
/// verdict)` under the domain `("AgentExecEcdsaVerifier", "1", chainId, this)`, so a signature is good for exactly
/// one handler, task, stage, stepping agent, final flag, input and output on one chain: a copy of the step recorded
/// under another agent or with the other `isFinal` never verifies.
contract EcdsaAttestationVerifier is AttesterSetVerifier {
    /// @notice The EIP-712 struct attesters sign.
    bytes32 public constant STAGE_ATTESTATION_TYPEHASH = keccak256(
        "StageAttestation(address handler,bytes32 taskId,uint8 stage,address agent,bool isFinal,bytes32 inputHash,bytes32 outputHash,uint8 verdict)"
    );

    /// @param attesters_ The attester set (distinct, nonzero).
    /// @param threshold_ Signatures a proof needs: a strict majority of the set.
    constructor(address[] memory attesters_, uint256 threshold_)
        AttesterSetVerifier("AgentExecEcdsaVerifier", "1", attesters_, threshold_)
    {}

    /// @inheritdoc IAgentVerifier
    function verifyStage(
        bytes32 taskId,
        uint8 stage,
        address agent,
        bool isFinal,
        bytes32 inputHash,
        bytes32 outputHash,
        bytes calldata proof
    ) external view returns (Verdict verdict, bytes32 digest) {
        if (proof.length == 0) return (Verdict.Invalid, bytes32(0));
        uint8 claimed = uint8(proof[0]);
        return _verdict(
            _structHash(msg.sender, taskId, stage, agent, isFinal, inputHash, outputHash, claimed), claimed, proof[1:]
        );
    }

    /// @inheritdoc IAgentVerifier
    function proofSystem() external pure returns (string memory) {
        return "attestation/eip712-ecdsa";
    }

    /// @notice The EIP-712 digest attesters sign for a stage result at `handler`.
    /// @param handler The handler that will call this verifier.
    /// @param taskId The task.
    /// @param stage The stage.
    /// @param agent The agent the step is recorded under.
    /// @param isFinal The step's final flag.
    /// @param inputHash The step's input hash.
    /// @param outputHash The step's output hash.
    /// @param verdict 1 (approve) or 2 (deny).
    function attestationDigest(
        address handler,
        bytes32 taskId,
        uint8 stage,
        address agent,
        bool isFinal,
        bytes32 inputHash,
        bytes32 outputHash,
        uint8 verdict
    ) external view returns (bytes32) {
        return _hashTypedDataV4(_structHash(handler, taskId, stage, agent, isFinal, inputHash, outputHash, verdict));
    }

    function _structHash(
        address handler,
        bytes32 taskId,
        uint8 stage,
        address agent,
        bool isFinal,
        bytes32 inputHash,
        bytes32 outputHash,
        uint8 verdict
    ) private pure returns (bytes32) {
        return keccak256(
            abi.encode(
                STAGE_ATTESTATION_TYPEHASH, handler, taskId, stage, agent, isFinal, inputHash, outputHash, verdict
            )
        );
    }
}
