// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IAgentVerifier} from "../interfaces/IAgentVerifier.sol";

/// @title Hostile verifier: re-enters its caller while verifying
/// @notice Armed with any calldata (e.g. `onAgentStep`, `onAgentProve` or `expireTask` of the handler), it sends
/// that call back to `msg.sender` from inside `verifyStage`. With `bubble` it then reverts with whatever the
/// re-entrant call reverted with; otherwise it records the outcome ({lastReentrySucceeded}, {lastRevertData}) and
/// approves. Either way a guarded handler must refuse the re-entrant call (`ReentrancyGuardReentrantCall()`).
contract ReentrantVerifier is IAgentVerifier {
    bytes public attack;
    bool public bubble;
    uint256 public attempts;
    bool public lastReentrySucceeded;
    bytes public lastRevertData;

    /// @notice Sets the call to make back into the handler (empty: none) and what to do with its failure.
    function arm(bytes calldata attack_, bool bubble_) external {
        attack = attack_;
        bubble = bubble_;
    }

    /// @inheritdoc IAgentVerifier
    function verifyStage(bytes32, uint8, address, bool, bytes32, bytes32, bytes calldata) external returns (Verdict, bytes32) {
        bytes memory payload = attack;
        if (payload.length != 0) {
            ++attempts;
            (bool ok, bytes memory ret) = msg.sender.call(payload);
            if (!ok && bubble) {
                assembly ("memory-safe") {
                    revert(add(ret, 0x20), mload(ret))
                }
            }
            lastReentrySucceeded = ok;
            lastRevertData = ok ? bytes("") : ret;
        }
        return (Verdict.Approved, keccak256("reentrant"));
    }

    /// @notice ERC-165: declares {IAgentVerifier}.
    function supportsInterface(bytes4 interfaceId) external pure returns (bool) {
        return interfaceId == type(IAgentVerifier).interfaceId || interfaceId == 0x01ffc9a7;
    }

    /// @inheritdoc IAgentVerifier
    function proofSystem() external pure returns (string memory) {
        return "mock/reentrant";
    }
}
