// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IAgentVerifier} from "../interfaces/IAgentVerifier.sol";

/// @title Shared escape hatch of the hostile verifiers
/// @notice A hostile verifier misbehaves on every proof except the literal bytes {HONEST_PROOF}, which it approves
/// with a well-formed answer. That models a verifier an attacker can drive into its worst case with a crafted proof
/// (revert, gas exhaustion, oversized or malformed return), and lets a test show that after the attack the task is
/// still usable: the honest proof is then accepted. Its ERC-165 answers are honest (it declares {IAgentVerifier}), so
/// a policy can name it: the hostility is in `verifyStage` only.
abstract contract HostileVerifierBase is IAgentVerifier {
    /// @notice The one proof every hostile verifier approves.
    bytes public constant HONEST_PROOF = "honest";
    /// @notice The digest returned with that approval.
    bytes32 public constant HONEST_DIGEST = keccak256("honest");

    /// @notice ERC-165: declares {IAgentVerifier}.
    function supportsInterface(bytes4 interfaceId) external pure returns (bool) {
        return interfaceId == type(IAgentVerifier).interfaceId || interfaceId == 0x01ffc9a7;
    }

    function _isHonest(bytes calldata proof) internal pure returns (bool) {
        return keccak256(proof) == keccak256(HONEST_PROOF);
    }
}
