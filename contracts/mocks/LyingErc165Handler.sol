// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Hostile handler: claims every ERC-165 interface (even `0xffffffff`) and implements none
/// @notice Any other call hits the fallback, which answers with the 32-byte word `answer` (so `checkDispatch`
/// decodes it as a `DispatchCheck` and `onAgentTaskDispatched` as a `bytes4` magic). A caller must not record or
/// forge anything for it: with the default answer 0 the magic is wrong and the dispatch is rejected.
contract LyingErc165Handler {
    bytes32 public immutable answer;

    constructor(bytes32 answer_) {
        answer = answer_;
    }

    function supportsInterface(bytes4) external pure returns (bool) {
        return true;
    }

    /// @dev Stateless, so it also answers `staticcall`s (`checkDispatch` is a view).
    fallback(bytes calldata) external returns (bytes memory) {
        return abi.encode(answer);
    }
}
