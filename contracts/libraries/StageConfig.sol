// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice One stage of a registered workflow policy, packed so a step or prove reads one word.
/// @dev Layout: [0,160) verifier · [160,192) verifier gas limit · 192 sync · 193 gating · 194 input = previous
/// output · 195 may be final · 196 last stage · [200,208) AgentAuth. A zero word means "no such stage".
type StageConfig is uint256;

using StageConfigLib for StageConfig global;

/// @notice Pure packing and accessors of {StageConfig}.
library StageConfigLib {
    uint256 private constant SYNC_BIT = 1 << 192;
    uint256 private constant GATING_BIT = 1 << 193;
    uint256 private constant CHAINED_BIT = 1 << 194;
    uint256 private constant FINAL_ALLOWED_BIT = 1 << 195;
    uint256 private constant LAST_BIT = 1 << 196;
    uint256 private constant AUTH_SHIFT = 200;

    /// @notice Packs one stage of a policy.
    function pack(
        address verifier_,
        uint32 gasLimit_,
        bool sync_,
        bool gating_,
        bool chained_,
        bool finalAllowed_,
        bool last_,
        uint8 agentAuth_
    ) internal pure returns (StageConfig) {
        uint256 w = uint256(uint160(verifier_)) | (uint256(gasLimit_) << 160) | (uint256(agentAuth_) << AUTH_SHIFT);
        if (sync_) w |= SYNC_BIT;
        if (gating_) w |= GATING_BIT;
        if (chained_) w |= CHAINED_BIT;
        if (finalAllowed_) w |= FINAL_ALLOWED_BIT;
        if (last_) w |= LAST_BIT;
        return StageConfig.wrap(w);
    }

    /// @notice Whether the stage exists (the word is set).
    function exists(StageConfig c) internal pure returns (bool) {
        return StageConfig.unwrap(c) != 0;
    }

    /// @notice The stage's verifier.
    function verifier(StageConfig c) internal pure returns (address) {
        return address(uint160(StageConfig.unwrap(c)));
    }

    /// @notice Gas forwarded to the verifier.
    function gasLimit(StageConfig c) internal pure returns (uint32) {
        return uint32(StageConfig.unwrap(c) >> 160);
    }

    /// @notice Whether the stage resolves `Sync`.
    function isSync(StageConfig c) internal pure returns (bool) {
        return StageConfig.unwrap(c) & SYNC_BIT != 0;
    }

    /// @notice Whether a valid non-approving verdict halts the task.
    function isGating(StageConfig c) internal pure returns (bool) {
        return StageConfig.unwrap(c) & GATING_BIT != 0;
    }

    /// @notice Whether the stage's input is the previous stage's output.
    function isChained(StageConfig c) internal pure returns (bool) {
        return StageConfig.unwrap(c) & CHAINED_BIT != 0;
    }

    /// @notice Whether a step of this stage may carry `isFinal`.
    function finalAllowed(StageConfig c) internal pure returns (bool) {
        return StageConfig.unwrap(c) & FINAL_ALLOWED_BIT != 0;
    }

    /// @notice Whether this is the workflow's last stage (its step must carry `isFinal`).
    function isLast(StageConfig c) internal pure returns (bool) {
        return StageConfig.unwrap(c) & LAST_BIT != 0;
    }

    /// @notice The workflow's `AgentAuth` (copied into every stage so a step reads one word).
    function agentAuth(StageConfig c) internal pure returns (uint8) {
        return uint8(StageConfig.unwrap(c) >> AUTH_SHIFT);
    }
}
