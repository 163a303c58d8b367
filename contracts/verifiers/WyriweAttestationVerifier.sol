// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IAgentVerifier} from "../interfaces/IAgentVerifier.sol";
import {IAgentExecHandler} from "../interfaces/IAgentExecHandler.sol";
import {Wyriwe} from "../libraries/Wyriwe.sol";
import {AttesterSetVerifier} from "./AttesterSetVerifier.sol";

/// @title Stage verifier for input provenance: WYRIWE (ERC-8299) attestations
/// @notice For the input-provenance stage (scenario 1): attesters (e.g. the gateway or TEE that assembled the
/// model's input) sign that the model received `attestedInputHash`, derived from the declared input by the declared
/// pipeline, and give their pre-action verdict on it. The verifier recomputes the derivation (sentinel: attested ==
/// declared; transform: attested == keccak256(abi.encode(declared, pipelineHash))), so a verdict always binds the
/// input it judged. It also asks the calling handler ({IAgentExecHandler-taskInputContext}) which pipeline the task's
/// policy declares and requires the proof to claim that one, so the declared hash in the proof is the task's own
/// (with a pipeline, by keccak256 preimage resistance; without, because attested == declared). Handlers that do not
/// implement `taskInputContext` get `Invalid`.
/// Proof layout: `verdict (1 byte) ‖ declaredInputHash (32) ‖ pipelineHash (32) ‖ signatures (threshold × 65)`.
/// Gas: about 15,000 + 9,000 per signature including the context lookup; give its stages at least 40,000.
contract WyriweAttestationVerifier is AttesterSetVerifier {
    /// @notice The EIP-712 struct attesters sign.
    bytes32 public constant WYRIWE_ATTESTATION_TYPEHASH = keccak256(
        "WyriweAttestation(address handler,bytes32 taskId,uint8 stage,bytes32 declaredInputHash,bytes32 pipelineHash,bytes32 attestedInputHash,bytes32 outputHash,uint8 verdict)"
    );

    uint256 private constant HEADER_LENGTH = 65;
    /// @dev Gas for the handler's `taskInputContext` view.
    uint256 private constant CONTEXT_LOOKUP_GAS = 30_000;

    constructor(address[] memory attesters_, uint256 threshold_)
        AttesterSetVerifier("AgentExecWyriweVerifier", "1", attesters_, threshold_)
    {}

    /// @inheritdoc IAgentVerifier
    /// @dev `inputHash` is the attested input hash the step declared. `agent` and `isFinal` are not part of this
    /// verifier's attestation.
    function verifyStage(
        bytes32 taskId,
        uint8 stage,
        address,
        bool,
        bytes32 inputHash,
        bytes32 outputHash,
        bytes calldata proof
    ) external view returns (Verdict verdict, bytes32 digest) {
        if (proof.length < HEADER_LENGTH) return (Verdict.Invalid, bytes32(0));
        uint8 claimed = uint8(proof[0]);
        bytes32 declared = bytes32(proof[1:33]);
        bytes32 pipelineHash = bytes32(proof[33:65]);
        if (Wyriwe.attestedInputHash(declared, pipelineHash) != inputHash) return (Verdict.Invalid, bytes32(0));
        if (!_pipelineMatchesPolicy(taskId, pipelineHash)) return (Verdict.Invalid, bytes32(0));
        bytes32 structHash = keccak256(
            abi.encode(
                WYRIWE_ATTESTATION_TYPEHASH, msg.sender, taskId, stage, declared, pipelineHash, inputHash, outputHash, claimed
            )
        );
        return _verdict(structHash, claimed, proof[HEADER_LENGTH:]);
    }

    /// @dev Whether `pipelineHash` is the pipeline the calling handler's policy declares for `taskId` (both "no
    /// transform", or equal). A handler that cannot answer gets `false`.
    function _pipelineMatchesPolicy(bytes32 taskId, bytes32 pipelineHash) private view returns (bool) {
        bytes memory query = abi.encodeCall(IAgentExecHandler.taskInputContext, (taskId));
        bool ok;
        bytes32 declaredPipeline;
        assembly ("memory-safe") {
            ok := staticcall(CONTEXT_LOOKUP_GAS, caller(), add(query, 0x20), mload(query), 0, 0)
            if lt(returndatasize(), 0x40) { ok := 0 }
            if ok {
                returndatacopy(0x00, 0x20, 0x20)
                declaredPipeline := mload(0x00)
            }
        }
        if (!ok) return false;
        if (Wyriwe.isSentinel(declaredPipeline)) return Wyriwe.isSentinel(pipelineHash);
        return pipelineHash == declaredPipeline;
    }

    /// @inheritdoc IAgentVerifier
    function proofSystem() external pure returns (string memory) {
        return "attestation/wyriwe";
    }

    /// @notice The EIP-712 digest attesters sign.
    function attestationDigest(
        address handler,
        bytes32 taskId,
        uint8 stage,
        bytes32 declaredInputHash,
        bytes32 pipelineHash,
        bytes32 outputHash,
        uint8 verdict
    ) external view returns (bytes32) {
        bytes32 attested = Wyriwe.attestedInputHash(declaredInputHash, pipelineHash);
        return _hashTypedDataV4(
            keccak256(
                abi.encode(
                    WYRIWE_ATTESTATION_TYPEHASH,
                    handler,
                    taskId,
                    stage,
                    declaredInputHash,
                    pipelineHash,
                    attested,
                    outputHash,
                    verdict
                )
            )
        );
    }
}
