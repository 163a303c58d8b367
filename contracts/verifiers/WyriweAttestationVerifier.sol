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
/// policy declares and requires the proof to claim that one.
/// What it establishes: the step's `inputHash` is the task's attested input, and `declaredInputHash` in the proof is
/// the task's declared input (with a pipeline, by keccak256 preimage resistance; without, because attested ==
/// declared). At stage 0 the handler guarantees the first half (the WYRIWE sentinel check). At a later stage it is
/// enforced here, whatever the stage's input source: the proof carries stage 0's `outputHash` and `agent` (the same
/// 52-byte witness as the handler's step data) and the verifier requires
/// `keccak256(abi.encode(inputHash, outputHash0, agent0, false)) == stepDigest(taskId, 0)` at the calling handler,
/// i.e. the step's input is stage 0's input, which is the task's attested input. So on a stage chained on the
/// previous output, a "declared" hash that is merely the previous stage's output does not verify (unless that
/// output is the task input itself). Handlers that do not implement `taskInputContext` / `stepDigest` get `Invalid`.
/// Proof layout: `verdict (1 byte) ‖ declaredInputHash (32) ‖ pipelineHash (32) ‖ [stage > 0: outputHash0 (32) ‖
/// agent0 (20)] ‖ signatures (threshold × 65)`. Attesters sign `WyriweAttestation(handler, taskId, stage, agent,
/// isFinal, declaredInputHash, pipelineHash, attestedInputHash, outputHash, verdict)` under the domain
/// `("AgentExecWyriweVerifier", "1", chainId, this)`: like {EcdsaAttestationVerifier}, the attestation binds the
/// stepping agent and the final flag, so a copy of the step recorded under another agent or with the other
/// `isFinal` never verifies.
/// Gas: about 15,000 + 9,000 per signature including the context lookup (+ about 5,000 after stage 0); give its
/// stages at least 50,000.
contract WyriweAttestationVerifier is AttesterSetVerifier {
    /// @notice The EIP-712 struct attesters sign.
    bytes32 public constant WYRIWE_ATTESTATION_TYPEHASH = keccak256(
        "WyriweAttestation(address handler,bytes32 taskId,uint8 stage,address agent,bool isFinal,bytes32 declaredInputHash,bytes32 pipelineHash,bytes32 attestedInputHash,bytes32 outputHash,uint8 verdict)"
    );

    uint256 private constant HEADER_LENGTH = 65;
    /// @dev Stage 0's `outputHash ‖ agent`, carried by proofs of later stages.
    uint256 private constant WITNESS_LENGTH = 52;
    /// @dev Gas for the handler's `taskInputContext` view.
    uint256 private constant CONTEXT_LOOKUP_GAS = 30_000;
    /// @dev Gas for the handler's `stepDigest` view.
    uint256 private constant RECORD_LOOKUP_GAS = 15_000;

    constructor(address[] memory attesters_, uint256 threshold_)
        AttesterSetVerifier("AgentExecWyriweVerifier", "1", attesters_, threshold_)
    {}

    /// @inheritdoc IAgentVerifier
    /// @dev `inputHash` is the attested input hash the step declared; `agent` and `isFinal` are signed with it.
    function verifyStage(
        bytes32 taskId,
        uint8 stage,
        address agent,
        bool isFinal,
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
        uint256 signaturesAt = HEADER_LENGTH;
        if (stage != 0) {
            if (proof.length < HEADER_LENGTH + WITNESS_LENGTH) return (Verdict.Invalid, bytes32(0));
            bytes32 output0 = bytes32(proof[HEADER_LENGTH:HEADER_LENGTH + 32]);
            address agent0 = address(bytes20(proof[HEADER_LENGTH + 32:HEADER_LENGTH + WITNESS_LENGTH]));
            if (!_isTaskInput(taskId, keccak256(abi.encode(inputHash, output0, agent0, false)))) {
                return (Verdict.Invalid, bytes32(0));
            }
            signaturesAt = HEADER_LENGTH + WITNESS_LENGTH;
        }
        bytes32 structHash = _structHash(
            msg.sender, taskId, stage, agent, isFinal, declared, pipelineHash, inputHash, outputHash, claimed
        );
        return _verdict(structHash, claimed, proof[signaturesAt:]);
    }

    /// @dev Whether `record0` is the step record of stage 0 of `taskId` at the calling handler (so the step's input
    /// hash, from which it was computed, is stage 0's: the task's attested input). A handler that cannot answer
    /// gets `false`.
    function _isTaskInput(bytes32 taskId, bytes32 record0) private view returns (bool) {
        bytes memory query = abi.encodeCall(IAgentExecHandler.stepDigest, (taskId, uint8(0)));
        bool ok;
        bytes32 stored;
        assembly ("memory-safe") {
            ok := staticcall(RECORD_LOOKUP_GAS, caller(), add(query, 0x20), mload(query), 0, 0)
            if lt(returndatasize(), 0x20) { ok := 0 }
            if ok {
                returndatacopy(0x00, 0x00, 0x20)
                stored := mload(0x00)
            }
        }
        return ok && stored == record0;
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

    /// @notice The EIP-712 digest attesters sign for a stage result at `handler`.
    /// @param handler The handler that will call this verifier.
    /// @param taskId The task.
    /// @param stage The stage.
    /// @param agent The agent the step is recorded under.
    /// @param isFinal The step's final flag.
    /// @param declaredInputHash The task's declared input hash.
    /// @param pipelineHash The sanitisation pipeline the policy declares (zero or the identity pipeline: none).
    /// @param outputHash The step's output hash.
    /// @param verdict 1 (approve) or 2 (deny).
    function attestationDigest(
        address handler,
        bytes32 taskId,
        uint8 stage,
        address agent,
        bool isFinal,
        bytes32 declaredInputHash,
        bytes32 pipelineHash,
        bytes32 outputHash,
        uint8 verdict
    ) external view returns (bytes32) {
        bytes32 attested = Wyriwe.attestedInputHash(declaredInputHash, pipelineHash);
        return _hashTypedDataV4(
            _structHash(
                handler, taskId, stage, agent, isFinal, declaredInputHash, pipelineHash, attested, outputHash, verdict
            )
        );
    }

    function _structHash(
        address handler,
        bytes32 taskId,
        uint8 stage,
        address agent,
        bool isFinal,
        bytes32 declaredInputHash,
        bytes32 pipelineHash,
        bytes32 attestedInputHash,
        bytes32 outputHash,
        uint8 verdict
    ) private pure returns (bytes32) {
        return keccak256(
            abi.encode(
                WYRIWE_ATTESTATION_TYPEHASH,
                handler,
                taskId,
                stage,
                agent,
                isFinal,
                declaredInputHash,
                pipelineHash,
                attestedInputHash,
                outputHash,
                verdict
            )
        );
    }
}
