// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title WYRIWE (ERC-8299) input-provenance arithmetic, as ERC-8301 v0.1 adopts it
/// @notice Declared inputHash = the one in `CallAgent`. With no transform the attested inputHash MUST equal the
/// declared one (the sentinel invariant); with a declared sanitisation pipeline, attested =
/// `keccak256(abi.encode(declared, pipelineHash))`. The pipeline is pre-committed in the workflow document.
library Wyriwe {
    /// @notice keccak256 of ERC-8299's identity pipeline CID, `ipfs://QmccvoM6aRVgZ2dtFWvT6Wm3DmTvoAUHHotK7uQufnStVR`.
    /// A workflow that declares it is treated like one that declares no pipeline.
    bytes32 internal constant IDENTITY_PIPELINE_HASH = keccak256("ipfs://QmccvoM6aRVgZ2dtFWvT6Wm3DmTvoAUHHotK7uQufnStVR");

    /// @notice Whether `pipelineHash` means "no transform" (zero or the identity pipeline).
    function isSentinel(bytes32 pipelineHash) internal pure returns (bool) {
        return pipelineHash == bytes32(0) || pipelineHash == IDENTITY_PIPELINE_HASH;
    }

    /// @notice The inputHash the model must be attested to have received.
    function attestedInputHash(bytes32 declaredInputHash, bytes32 pipelineHash) internal pure returns (bytes32 h) {
        if (isSentinel(pipelineHash)) return declaredInputHash;
        assembly ("memory-safe") {
            mstore(0x00, declaredInputHash)
            mstore(0x20, pipelineHash)
            h := keccak256(0x00, 0x40)
        }
    }
}
