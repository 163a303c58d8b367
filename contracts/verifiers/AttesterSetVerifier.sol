// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ERC165} from "@openzeppelin/contracts/utils/introspection/ERC165.sol";
import {IAgentVerifier} from "../interfaces/IAgentVerifier.sol";
import {IAttesterSetVerifier} from "../interfaces/IAttesterSetVerifier.sol";

/// @title Base of the attestation verifiers: a fixed k-of-n EIP-712 signer set
/// @dev The EIP-712 domain binds the chain id and this verifier's address; derived verifiers bind the calling
/// handler (`msg.sender`), the task, the stage and the hashes in their struct. The threshold is a strict majority,
/// so two disjoint quorums can never sign conflicting verdicts (which would let whoever lands first decide a
/// gate). Malformed proofs yield `Verdict.Invalid`; this contract never reverts on proof contents.
abstract contract AttesterSetVerifier is IAttesterSetVerifier, EIP712, ERC165 {
    uint256 private constant SIGNATURE_LENGTH = 65;

    uint256 private immutable _THRESHOLD;
    mapping(address account => bool) private _isAttester;
    address[] private _attesters;

    /// @param name EIP-712 domain name.
    /// @param version EIP-712 domain version.
    /// @param attesters_ The attester set (distinct, nonzero).
    /// @param threshold_ Signatures a proof needs: a strict majority of the set.
    constructor(string memory name, string memory version, address[] memory attesters_, uint256 threshold_)
        EIP712(name, version)
    {
        uint256 n = attesters_.length;
        if (n == 0) revert AttesterSetEmpty();
        if (threshold_ * 2 <= n || threshold_ > n) revert AttesterSetInvalidThreshold(threshold_, n);
        for (uint256 i; i < n; ++i) {
            address a = attesters_[i];
            if (a == address(0)) revert AttesterSetZeroAttester(i);
            if (_isAttester[a]) revert AttesterSetDuplicateAttester(a);
            _isAttester[a] = true;
        }
        _attesters = attesters_;
        _THRESHOLD = threshold_;
    }

    /// @inheritdoc IAttesterSetVerifier
    function threshold() external view returns (uint256) {
        return _THRESHOLD;
    }

    /// @inheritdoc IAttesterSetVerifier
    function attesters() external view returns (address[] memory) {
        return _attesters;
    }

    /// @inheritdoc IAttesterSetVerifier
    function isAttester(address account) external view returns (bool) {
        return _isAttester[account];
    }

    /// @inheritdoc ERC165
    function supportsInterface(bytes4 interfaceId) public view virtual override returns (bool) {
        return interfaceId == type(IAgentVerifier).interfaceId
            || interfaceId == type(IAttesterSetVerifier).interfaceId || super.supportsInterface(interfaceId);
    }

    /// @dev The verdict for a signed `structHash`: `claimed` (1 or 2) when `signatures` holds `threshold` valid
    /// signatures by distinct attesters in ascending order over its EIP-712 digest, otherwise `Invalid`.
    function _verdict(bytes32 structHash, uint8 claimed, bytes calldata signatures)
        internal
        view
        returns (Verdict verdict, bytes32 digest)
    {
        digest = _hashTypedDataV4(structHash);
        if (claimed != uint8(Verdict.Approved) && claimed != uint8(Verdict.Denied)) return (Verdict.Invalid, digest);
        uint256 k = _THRESHOLD;
        if (signatures.length != k * SIGNATURE_LENGTH) return (Verdict.Invalid, digest);
        address previous;
        for (uint256 i; i < k; ++i) {
            bytes32 r;
            bytes32 s;
            uint8 v;
            assembly ("memory-safe") {
                let p := add(signatures.offset, mul(i, 65))
                r := calldataload(p)
                s := calldataload(add(p, 0x20))
                v := byte(0, calldataload(add(p, 0x40)))
            }
            (address signer, ECDSA.RecoverError err,) = ECDSA.tryRecover(digest, v, r, s);
            if (err != ECDSA.RecoverError.NoError || signer <= previous || !_isAttester[signer]) {
                return (Verdict.Invalid, digest);
            }
            previous = signer;
        }
        return (Verdict(claimed), digest);
    }
}
