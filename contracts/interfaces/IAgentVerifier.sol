// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Stage verifier (ERC-8274 style)
/// @notice What an {IAgentHandler} consults in `onAgentProve`. Differs from ERC-8274's `IAgentVerifier` in two
/// ways that ERC-8301's staging needs: the call carries the `stage` (the handler is `msg.sender`), and the answer
/// is a three-valued {Verdict}, so that a *valid* non-approving judgement (which halts a gating stage) is told
/// apart from a proof that simply does not verify (which is rejected and may be retried).
/// @dev Handlers call verifiers with a gas cap and read at most 64 bytes of return data; a verifier that
/// reverts, runs out of gas or returns anything but `(uint8 verdict, bytes32 digest)` with verdict 1 or 2
/// yields a rejected prove, never a stuck task.
interface IAgentVerifier {
    /// @notice The outcome of a verification.
    /// @dev `Invalid` (0): the proof does not verify. `Approved` (1): it verifies and approves the result.
    /// `Denied` (2): it verifies and carries a non-approving verdict.
    enum Verdict {
        Invalid,
        Approved,
        Denied
    }

    /// @notice Verifies `proof` for the step `(agent, isFinal, inputHash, outputHash)` of `stage` of `taskId` at the
    /// calling handler.
    /// @dev `agent` is the account the handler recorded the step under and `isFinal` the step's final flag, so a
    /// verifier that binds both (the reference attestation verifiers do) never approves a copy of the step recorded
    /// by another agent or with the other flag. The handler's step digest binds the same four values:
    /// `keccak256(abi.encode(inputHash, outputHash, agent, isFinal))`.
    /// @param taskId The task.
    /// @param stage The stage being proven.
    /// @param agent The agent the step is recorded under.
    /// @param isFinal Whether the recorded step ends the task.
    /// @param inputHash The step's input hash.
    /// @param outputHash The step's output hash.
    /// @param proof The verifier-specific proof.
    /// @return verdict The verdict.
    /// @return digest A digest of what was verified (e.g. the EIP-712 digest signed by attesters), for audit.
    function verifyStage(
        bytes32 taskId,
        uint8 stage,
        address agent,
        bool isFinal,
        bytes32 inputHash,
        bytes32 outputHash,
        bytes calldata proof
    ) external returns (Verdict verdict, bytes32 digest);

    /// @notice The proof-system label (ERC-8274 `proofSystem()`), e.g. `attestation/eip712-ecdsa`.
    function proofSystem() external view returns (string memory);
}
