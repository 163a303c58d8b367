// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Calls into untrusted contracts that can never brick the caller
/// @notice Gas-capped, copies at most two words of return data (a 1 MB return costs the callee, not us), and
/// reports instead of reverting. The pattern of Chainlink's router `_callback` and the ERC-4337 EntryPoint.
/// Fails closed: a call to an account without code (which the EVM would report as a success with no data) is a
/// failure here, flagged `noCode`, so a verifier that lost its code (an EIP-7702 delegation cleared, a wrong
/// address) can never pass for one that answered.
library BoundedCall {
    /// @notice The caller did not leave enough gas to forward `required` (EIP-150 keeps 1/64 back), so a failure
    /// could be forced by starving the callee: the whole call reverts instead.
    error BoundedCallInsufficientGas(uint256 available, uint256 required);

    /// @dev Covers the CALL itself (warm account access, argument pushes) on top of the callee's allowance.
    uint256 internal constant CALL_OVERHEAD = 5_000;
    /// @dev What a CALL to a warm account costs the caller besides the forwarded gas (EIP-2929).
    uint256 private constant WARM_CALL_COST = 100;

    /// @notice The outcome of a bounded call.
    struct Result {
        /// Whether the callee has code and returned without reverting.
        bool success;
        /// Whether the call was not made because `target` has no code (then `success` is false).
        bool noCode;
        /// Whether the callee failed having consumed its whole allowance with no return data (out of gas).
        bool outOfGas;
        uint256 returnSize;
        /// The first two words of return data (zero-padded).
        bytes32 word0;
        bytes32 word1;
    }

    /// @notice Calls `target` with exactly `gasLimit` gas (or reverts if that much cannot be forwarded). An account
    /// without code is not called: the result is a failure with `noCode` set.
    /// @dev The account is warmed first (EXTCODESIZE), so the CALL's own cost is the fixed warm cost and
    /// "consumed its whole allowance" is measured exactly rather than guessed.
    function call(address target, uint256 gasLimit, bytes memory data) internal returns (Result memory r) {
        _requireGas(gasLimit);
        bool success;
        bool noCode;
        uint256 used;
        uint256 size;
        bytes32 w0;
        bytes32 w1;
        assembly ("memory-safe") {
            mstore(0x00, 0)
            mstore(0x20, 0)
            // Using EXTCODESIZE's result keeps the optimiser from dropping it: it warms the account, so the CALL
            // below costs the fixed warm price. An account without code is not called: it fails closed.
            switch extcodesize(target)
            case 0 { noCode := 1 }
            default {
                let before := gas()
                success := call(gasLimit, target, 0, add(data, 0x20), mload(data), 0, 0)
                used := sub(before, gas())
                size := returndatasize()
                let n := size
                if gt(n, 0x40) { n := 0x40 }
                returndatacopy(0x00, 0x00, n)
                w0 := mload(0x00)
                w1 := mload(0x20)
            }
        }
        r.success = success;
        r.noCode = noCode;
        r.outOfGas = !success && size == 0 && used >= gasLimit + WARM_CALL_COST;
        r.returnSize = size;
        r.word0 = w0;
        r.word1 = w1;
    }

    /// @notice A gas-capped `staticcall` returning the first word of return data, or `ok = false`.
    /// @dev Fails closed too: an account without code returns no data, so `ok` is false.
    function staticWord(address target, uint256 gasLimit, bytes memory data) internal view returns (bool ok, bytes32 w) {
        _requireGas(gasLimit);
        assembly ("memory-safe") {
            let success := staticcall(gasLimit, target, add(data, 0x20), mload(data), 0, 0)
            if and(success, iszero(lt(returndatasize(), 0x20))) {
                returndatacopy(0x00, 0x00, 0x20)
                w := mload(0x00)
                ok := 1
            }
        }
    }

    function _requireGas(uint256 gasLimit) private view {
        uint256 available = gasleft();
        uint256 required = gasLimit + CALL_OVERHEAD;
        if (available - available / 64 < required) revert BoundedCallInsufficientGas(available, required);
    }
}
