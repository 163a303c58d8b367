// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {LyingErc165Handler} from "../../contracts/mocks/LyingErc165Handler.sol";
import {vm} from "./utils/Vm.sol";
import {AgentExecFixture} from "./utils/Fixture.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {IAgentVerifier} from "../../contracts/interfaces/IAgentVerifier.sol";
import {IAttesterSetVerifier} from "../../contracts/interfaces/IAttesterSetVerifier.sol";
import {IAgentExecHandler} from "../../contracts/interfaces/IAgentExecHandler.sol";
import {IAgentExecHandlerEvents} from "../../contracts/interfaces/IAgentExecHandlerEvents.sol";
import {IWorkflowPolicyRegistry} from "../../contracts/interfaces/IWorkflowPolicyRegistry.sol";
import {AgentHandler} from "../../contracts/AgentHandler.sol";
import {EcdsaAttestationVerifier} from "../../contracts/verifiers/EcdsaAttestationVerifier.sol";
import {WyriweAttestationVerifier} from "../../contracts/verifiers/WyriweAttestationVerifier.sol";

/// @notice The reference verifiers: attester-set construction rules, the EIP-712 digests (recomputed here from the
/// spec strings), what a proof must carry and bind, and both verifiers wired into a handler end to end.
contract VerifiersTest is AgentExecFixture {
    bytes32 internal constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    bytes32 internal constant STAGE_TYPEHASH = keccak256(
        "StageAttestation(address handler,bytes32 taskId,uint8 stage,address agent,bool isFinal,bytes32 inputHash,bytes32 outputHash,uint8 verdict)"
    );
    bytes32 internal constant WYRIWE_TYPEHASH = keccak256(
        "WyriweAttestation(address handler,bytes32 taskId,uint8 stage,address agent,bool isFinal,bytes32 declaredInputHash,bytes32 pipelineHash,bytes32 attestedInputHash,bytes32 outputHash,uint8 verdict)"
    );
    /// @dev secp256k1 group order, to build the malleable twin of a signature.
    uint256 internal constant N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;

    uint256[3] internal pks;
    address[] internal signers; // ascending
    EcdsaAttestationVerifier internal ecdsa; // 2 of 3
    WyriweAttestationVerifier internal wyriwe; // 2 of 3

    bytes32 internal constant T = keccak256("task");
    bytes32 internal constant OUT = keccak256("out");

    function setUp() public override {
        super.setUp();
        pks = [uint256(0x1001), 0x1002, 0x1003];
        // sort keys by address so signers[i] belongs to pks[i]
        for (uint256 i; i < 3; ++i) {
            for (uint256 j = i + 1; j < 3; ++j) {
                if (vm.addr(pks[j]) < vm.addr(pks[i])) (pks[i], pks[j]) = (pks[j], pks[i]);
            }
        }
        for (uint256 i; i < 3; ++i) {
            signers.push(vm.addr(pks[i]));
        }
        ecdsa = new EcdsaAttestationVerifier(signers, 2);
        wyriwe = new WyriweAttestationVerifier(signers, 2);
    }

    // ---------------------------------------------------------------- digests from the spec strings

    function _domain(string memory name, address v) internal view returns (bytes32) {
        return keccak256(abi.encode(DOMAIN_TYPEHASH, keccak256(bytes(name)), keccak256("1"), block.chainid, v));
    }

    function _ecdsaDigest(address h, bytes32 t, uint8 stage, bytes32 in_, bytes32 out, uint8 verdict)
        internal
        view
        returns (bytes32)
    {
        return _ecdsaDigest(h, t, stage, agent, false, in_, out, verdict);
    }

    function _ecdsaDigest(
        address h,
        bytes32 t,
        uint8 stage,
        address by,
        bool isFinal,
        bytes32 in_,
        bytes32 out,
        uint8 verdict
    ) internal view returns (bytes32) {
        bytes32 structHash = keccak256(abi.encode(STAGE_TYPEHASH, h, t, stage, by, isFinal, in_, out, verdict));
        return keccak256(abi.encodePacked("\x19\x01", _domain("AgentExecEcdsaVerifier", address(ecdsa)), structHash));
    }

    /// @dev The WYRIWE digest for a non-final step by {agent}.
    function _wyriweDigest(address h, bytes32 t, uint8 stage, bytes32 declared, bytes32 pipe, bytes32 out, uint8 verdict)
        internal
        view
        returns (bytes32)
    {
        return _wyriweDigest(h, t, stage, agent, false, declared, pipe, out, verdict);
    }

    /// @dev The WYRIWE digest for a step by `by` with final flag `isFinal`, computed from the spec string.
    function _wyriweDigest(
        address h,
        bytes32 t,
        uint8 stage,
        address by,
        bool isFinal,
        bytes32 declared,
        bytes32 pipe,
        bytes32 out,
        uint8 verdict
    ) internal view returns (bytes32) {
        bytes32 attested = (pipe == bytes32(0) || pipe == IDENTITY_PIPELINE) ? declared : keccak256(abi.encode(declared, pipe));
        bytes32 structHash =
            keccak256(abi.encode(WYRIWE_TYPEHASH, h, t, stage, by, isFinal, declared, pipe, attested, out, verdict));
        return keccak256(abi.encodePacked("\x19\x01", _domain("AgentExecWyriweVerifier", address(wyriwe)), structHash));
    }

    function _sig(uint256 pk, bytes32 digest) internal pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(pk, digest);
        return abi.encodePacked(r, s, v);
    }

    /// @dev `verdict ‖ sig(pks[a]) ‖ sig(pks[b])`.
    function _ecdsaProof(uint8 verdict, bytes32 digest, uint256 a, uint256 b) internal view returns (bytes memory) {
        return abi.encodePacked(verdict, _sig(pks[a], digest), _sig(pks[b], digest));
    }

    function test_typehashes_matchTheSpecStrings() public view {
        assertEq(ecdsa.STAGE_ATTESTATION_TYPEHASH(), STAGE_TYPEHASH, "StageAttestation");
        assertEq(wyriwe.WYRIWE_ATTESTATION_TYPEHASH(), WYRIWE_TYPEHASH, "WyriweAttestation");
    }

    function test_attestationDigest_isTheEip712Digest() public view {
        assertEq(
            ecdsa.attestationDigest(address(handler), T, 3, agent, false, inputHash, OUT, 1),
            _ecdsaDigest(address(handler), T, 3, inputHash, OUT, 1),
            "ecdsa"
        );
        assertEq(
            wyriwe.attestationDigest(address(handler), T, 0, agent, false, inputHash, PIPELINE, OUT, 2),
            _wyriweDigest(address(handler), T, 0, inputHash, PIPELINE, OUT, 2),
            "wyriwe"
        );
        assertEq(
            wyriwe.attestationDigest(address(handler), T, 2, agent2, true, inputHash, bytes32(0), OUT, 1),
            _wyriweDigest(address(handler), T, 2, agent2, true, inputHash, bytes32(0), OUT, 1),
            "wyriwe binds agent and isFinal"
        );
    }

    function test_views_describeTheAttesterSet() public view {
        assertEq(ecdsa.threshold(), 2, "threshold");
        address[] memory a = ecdsa.attesters();
        assertEq(a.length, 3, "count");
        for (uint256 i; i < 3; ++i) {
            assertEq(a[i], signers[i], "order kept");
            assertTrue(ecdsa.isAttester(signers[i]), "is attester");
        }
        assertFalse(ecdsa.isAttester(stranger), "stranger");
        assertEq(ecdsa.proofSystem(), "attestation/eip712-ecdsa", "ecdsa label");
        assertEq(wyriwe.proofSystem(), "attestation/wyriwe", "wyriwe label");
    }

    function test_supportsInterface_declaresVerifierInterfaces() public view {
        assertTrue(ecdsa.supportsInterface(type(IAgentVerifier).interfaceId), "IAgentVerifier");
        assertTrue(ecdsa.supportsInterface(type(IAttesterSetVerifier).interfaceId), "IAttesterSetVerifier");
        assertTrue(ecdsa.supportsInterface(type(IERC165).interfaceId), "ERC165");
        assertFalse(ecdsa.supportsInterface(0xffffffff), "not 0xffffffff");
        assertTrue(wyriwe.supportsInterface(type(IAgentVerifier).interfaceId), "wyriwe IAgentVerifier");
    }

    // ---------------------------------------------------------------- constructor errors

    function test_constructor_emptySet_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(IAttesterSetVerifier.AttesterSetEmpty.selector));
        new EcdsaAttestationVerifier(new address[](0), 1);
    }

    function test_constructor_zeroThreshold_reverts() public {
        address[] memory s = signers;
        vm.expectRevert(abi.encodeWithSelector(IAttesterSetVerifier.AttesterSetInvalidThreshold.selector, 0, 3));
        new EcdsaAttestationVerifier(s, 0);
    }

    function test_constructor_thresholdAboveSet_reverts() public {
        address[] memory s = signers;
        vm.expectRevert(abi.encodeWithSelector(IAttesterSetVerifier.AttesterSetInvalidThreshold.selector, 4, 3));
        new WyriweAttestationVerifier(s, 4);
    }

    function test_constructor_zeroAttester_reverts() public {
        address[] memory s = signers;
        s[2] = address(0);
        vm.expectRevert(abi.encodeWithSelector(IAttesterSetVerifier.AttesterSetZeroAttester.selector, 2));
        new EcdsaAttestationVerifier(s, 2);
    }

    function test_constructor_duplicateAttester_reverts() public {
        address[] memory s = signers;
        s[2] = s[0];
        vm.expectRevert(abi.encodeWithSelector(IAttesterSetVerifier.AttesterSetDuplicateAttester.selector, s[0]));
        new EcdsaAttestationVerifier(s, 2);
    }

    /// @dev A quorum must be a strict majority, so two disjoint quorums cannot sign conflicting verdicts.
    function test_constructor_nonMajorityThreshold_reverts() public {
        address[] memory four = new address[](4);
        for (uint256 i; i < 4; ++i) {
            four[i] = vm.addr(0x2001 + i);
        }
        vm.expectRevert(abi.encodeWithSelector(IAttesterSetVerifier.AttesterSetInvalidThreshold.selector, 2, 4));
        new EcdsaAttestationVerifier(four, 2);
        address[] memory two = new address[](2);
        two[0] = four[0];
        two[1] = four[1];
        vm.expectRevert(abi.encodeWithSelector(IAttesterSetVerifier.AttesterSetInvalidThreshold.selector, 1, 2));
        new WyriweAttestationVerifier(two, 1);
        assertEq(new EcdsaAttestationVerifier(four, 3).threshold(), 3, "3 of 4 is a majority");
        assertEq(new EcdsaAttestationVerifier(two, 2).threshold(), 2, "2 of 2");
    }

    // ---------------------------------------------------------------- ECDSA verdicts (called as the handler)

    function _ecdsaVerify(bytes memory proof) internal returns (IAgentVerifier.Verdict v, bytes32 d) {
        vm.prank(address(handler));
        (v, d) = ecdsa.verifyStage(T, 1, agent, false, inputHash, OUT, proof);
    }

    function test_ecdsa_approvalByThreshold() public {
        bytes32 d = _ecdsaDigest(address(handler), T, 1, inputHash, OUT, 1);
        (IAgentVerifier.Verdict v, bytes32 digest) = _ecdsaVerify(_ecdsaProof(1, d, 0, 2));
        assertEq(uint256(v), uint256(APPROVED), "approved");
        assertEq(digest, d, "digest");
    }

    function test_ecdsa_denialByThreshold() public {
        bytes32 d = _ecdsaDigest(address(handler), T, 1, inputHash, OUT, 2);
        (IAgentVerifier.Verdict v, bytes32 digest) = _ecdsaVerify(_ecdsaProof(2, d, 1, 2));
        assertEq(uint256(v), uint256(DENIED), "denied");
        assertEq(digest, d, "digest");
    }

    function test_ecdsa_emptyProofIsInvalid() public {
        (IAgentVerifier.Verdict v, bytes32 digest) = _ecdsaVerify("");
        assertEq(uint256(v), uint256(INVALID), "invalid");
        assertEq(digest, bytes32(0), "no digest");
    }

    function test_ecdsa_descendingSignersInvalid() public {
        bytes32 d = _ecdsaDigest(address(handler), T, 1, inputHash, OUT, 1);
        (IAgentVerifier.Verdict v,) = _ecdsaVerify(_ecdsaProof(1, d, 2, 0));
        assertEq(uint256(v), uint256(INVALID), "order enforced");
    }

    function test_ecdsa_sameSignerTwiceInvalid() public {
        bytes32 d = _ecdsaDigest(address(handler), T, 1, inputHash, OUT, 1);
        (IAgentVerifier.Verdict v,) = _ecdsaVerify(_ecdsaProof(1, d, 1, 1));
        assertEq(uint256(v), uint256(INVALID), "one attester counted once");
    }

    function test_ecdsa_nonAttesterInvalid() public {
        bytes32 d = _ecdsaDigest(address(handler), T, 1, inputHash, OUT, 1);
        // find the stranger's place in ascending order
        uint256 strangerPk = 0xBAD;
        address sa = vm.addr(strangerPk);
        bytes memory proof = sa < signers[0]
            ? abi.encodePacked(uint8(1), _sig(strangerPk, d), _sig(pks[0], d))
            : abi.encodePacked(uint8(1), _sig(pks[0], d), _sig(strangerPk, d));
        (IAgentVerifier.Verdict v,) = _ecdsaVerify(proof);
        assertEq(uint256(v), uint256(INVALID), "stranger");
    }

    function test_ecdsa_belowThresholdInvalid() public {
        bytes32 d = _ecdsaDigest(address(handler), T, 1, inputHash, OUT, 1);
        (IAgentVerifier.Verdict v,) = _ecdsaVerify(abi.encodePacked(uint8(1), _sig(pks[0], d)));
        assertEq(uint256(v), uint256(INVALID), "1 of 2");
        (v,) = _ecdsaVerify(abi.encodePacked(_ecdsaProof(1, d, 0, 1), _sig(pks[2], d)));
        assertEq(uint256(v), uint256(INVALID), "extra signature: wrong length");
    }

    function test_ecdsa_claimedVerdictOutOfRangeInvalid() public {
        for (uint8 claimed; claimed < 5; claimed += 1) {
            if (claimed == 1 || claimed == 2) continue;
            bytes32 d = _ecdsaDigest(address(handler), T, 1, inputHash, OUT, claimed);
            (IAgentVerifier.Verdict v, bytes32 digest) = _ecdsaVerify(_ecdsaProof(claimed, d, 0, 1));
            assertEq(uint256(v), uint256(INVALID), "only 1 and 2 are verdicts");
            assertEq(digest, d, "digest still reported");
        }
    }

    function test_ecdsa_flippedVerdictInvalid() public {
        bytes32 approve = _ecdsaDigest(address(handler), T, 1, inputHash, OUT, 1);
        bytes memory proof = _ecdsaProof(1, approve, 0, 1);
        proof[0] = bytes1(uint8(2)); // claim the attesters denied
        (IAgentVerifier.Verdict v,) = _ecdsaVerify(proof);
        assertEq(uint256(v), uint256(INVALID), "verdict is signed");
    }

    function test_ecdsa_bindsHandlerTaskStageInputOutput() public {
        bytes32[5] memory wrong = [
            _ecdsaDigest(stranger, T, 1, inputHash, OUT, 1),
            _ecdsaDigest(address(handler), keccak256("other task"), 1, inputHash, OUT, 1),
            _ecdsaDigest(address(handler), T, 2, inputHash, OUT, 1),
            _ecdsaDigest(address(handler), T, 1, keccak256("other in"), OUT, 1),
            _ecdsaDigest(address(handler), T, 1, inputHash, keccak256("other out"), 1)
        ];
        for (uint256 i; i < 5; ++i) {
            (IAgentVerifier.Verdict v,) = _ecdsaVerify(_ecdsaProof(1, wrong[i], 0, 1));
            assertEq(uint256(v), uint256(INVALID), "signature for another field value");
        }
    }

    function test_ecdsa_bindsTheVerifierAndChain() public {
        EcdsaAttestationVerifier twin = new EcdsaAttestationVerifier(signers, 2);
        bytes32 d = _ecdsaDigest(address(handler), T, 1, inputHash, OUT, 1); // for `ecdsa`
        vm.prank(address(handler));
        (IAgentVerifier.Verdict v,) = twin.verifyStage(T, 1, agent, false, inputHash, OUT, _ecdsaProof(1, d, 0, 1));
        assertEq(uint256(v), uint256(INVALID), "other verifier");
        vm.chainId(block.chainid + 1);
        (v,) = _ecdsaVerify(_ecdsaProof(1, d, 0, 1));
        assertEq(uint256(v), uint256(INVALID), "other chain");
    }

    function test_ecdsa_malleableTwinInvalid() public {
        bytes32 d = _ecdsaDigest(address(handler), T, 1, inputHash, OUT, 1);
        (uint8 v0, bytes32 r0, bytes32 s0) = vm.sign(pks[0], d);
        bytes32 sHigh = bytes32(N - uint256(s0));
        uint8 vFlip = v0 == 27 ? 28 : 27;
        bytes memory proof = abi.encodePacked(uint8(1), r0, sHigh, vFlip, _sig(pks[1], d));
        assertEq(ecrecover(d, vFlip, r0, sHigh), signers[0], "the twin does recover the attester");
        (IAgentVerifier.Verdict v,) = _ecdsaVerify(proof);
        assertEq(uint256(v), uint256(INVALID), "high-s refused");
    }

    function test_ecdsa_garbageSignatureBytesInvalidNeverReverts() public {
        bytes memory junk = new bytes(131);
        junk[0] = 0x01;
        for (uint256 i = 1; i < junk.length; ++i) {
            junk[i] = bytes1(uint8(uint256(keccak256(abi.encode(i)))));
        }
        (IAgentVerifier.Verdict v,) = _ecdsaVerify(junk);
        assertEq(uint256(v), uint256(INVALID), "junk");
    }

    function testFuzz_ecdsa_roundTrip(bytes32 t, uint8 stage, bytes32 in_, bytes32 out, bool deny) public {
        uint8 verdict = deny ? 2 : 1;
        bytes32 d = _ecdsaDigest(address(handler), t, stage, in_, out, verdict);
        vm.prank(address(handler));
        (IAgentVerifier.Verdict v, bytes32 digest) = ecdsa.verifyStage(t, stage, agent, false, in_, out, _ecdsaProof(verdict, d, 0, 1));
        assertEq(uint256(v), verdict, "verdict");
        assertEq(digest, d, "digest");
    }

    // ---------------------------------------------------------------- WYRIWE verdicts

    function _wyriweProof(uint8 verdict, bytes32 declared, bytes32 pipe, bytes32 d)
        internal
        view
        returns (bytes memory)
    {
        return abi.encodePacked(verdict, declared, pipe, _sig(pks[0], d), _sig(pks[1], d));
    }

    /// @dev A real task at {handler} (the WYRIWE verifier asks the calling handler for the task's pipeline).
    function _wyriweTask(bytes32 pipe) internal returns (bytes32) {
        IWorkflowPolicyRegistry.WorkflowPolicy memory p = _policy(_uniform(1, SYNC), 0);
        p.stages[0].verifier = address(wyriwe);
        p.pipelineHash = pipe;
        return _dispatch(_register(p));
    }

    function _wyriweVerify(bytes32 t, bytes32 attested, bytes memory proof)
        internal
        returns (IAgentVerifier.Verdict v, bytes32 d)
    {
        vm.prank(address(handler));
        (v, d) = wyriwe.verifyStage(t, 0, agent, false, attested, OUT, proof);
    }

    function test_wyriwe_sentinelApproval() public {
        bytes32 t = _wyriweTask(bytes32(0));
        bytes32 d = _wyriweDigest(address(handler), t, 0, inputHash, bytes32(0), OUT, 1);
        (IAgentVerifier.Verdict v, bytes32 digest) = _wyriweVerify(t, inputHash, _wyriweProof(1, inputHash, bytes32(0), d));
        assertEq(uint256(v), uint256(APPROVED), "approved");
        assertEq(digest, d, "digest");
    }

    function test_wyriwe_transformDenial() public {
        bytes32 t = _wyriweTask(PIPELINE);
        bytes32 attested = keccak256(abi.encode(inputHash, PIPELINE));
        bytes32 d = _wyriweDigest(address(handler), t, 0, inputHash, PIPELINE, OUT, 2);
        (IAgentVerifier.Verdict v,) = _wyriweVerify(t, attested, _wyriweProof(2, inputHash, PIPELINE, d));
        assertEq(uint256(v), uint256(DENIED), "denied, bound to the attested input");
    }

    function test_wyriwe_identityPipelineIsSentinel() public {
        bytes32 t = _wyriweTask(bytes32(0));
        bytes32 d = _wyriweDigest(address(handler), t, 0, inputHash, IDENTITY_PIPELINE, OUT, 1);
        (IAgentVerifier.Verdict v,) = _wyriweVerify(t, inputHash, _wyriweProof(1, inputHash, IDENTITY_PIPELINE, d));
        assertEq(uint256(v), uint256(APPROVED), "identity == no transform");
    }

    function test_wyriwe_derivationMismatchInvalid() public {
        bytes32 t = _wyriweTask(PIPELINE);
        // Signed for the declared input, but the step attests the un-transformed hash under a real pipeline.
        bytes32 d = _wyriweDigest(address(handler), t, 0, inputHash, PIPELINE, OUT, 1);
        (IAgentVerifier.Verdict v, bytes32 digest) = _wyriweVerify(t, inputHash, _wyriweProof(1, inputHash, PIPELINE, d));
        assertEq(uint256(v), uint256(INVALID), "attested != f(declared, pipeline)");
        assertEq(digest, bytes32(0), "no digest");
    }

    function test_wyriwe_pipelineOtherThanThePolicysInvalid() public {
        bytes32 otherPipe = keccak256("ipfs://other-pipeline");
        bytes32 t = _wyriweTask(PIPELINE);
        bytes32 attested = keccak256(abi.encode(inputHash, otherPipe)); // consistent derivation, wrong pipeline
        bytes32 d = _wyriweDigest(address(handler), t, 0, inputHash, otherPipe, OUT, 1);
        (IAgentVerifier.Verdict v, bytes32 digest) = _wyriweVerify(t, attested, _wyriweProof(1, inputHash, otherPipe, d));
        assertEq(uint256(v), uint256(INVALID), "the policy declares another pipeline");
        assertEq(digest, bytes32(0), "no digest");
    }

    function test_wyriwe_transformClaimedOnASentinelPolicyInvalid() public {
        bytes32 t = _wyriweTask(bytes32(0));
        bytes32 attested = keccak256(abi.encode(inputHash, PIPELINE));
        bytes32 d = _wyriweDigest(address(handler), t, 0, inputHash, PIPELINE, OUT, 1);
        (IAgentVerifier.Verdict v,) = _wyriweVerify(t, attested, _wyriweProof(1, inputHash, PIPELINE, d));
        assertEq(uint256(v), uint256(INVALID), "no transform is declared");
    }

    function test_wyriwe_callerThatCannotAnswerGetsInvalid() public {
        bytes32 d = _wyriweDigest(address(caller), T, 0, inputHash, bytes32(0), OUT, 1);
        vm.prank(address(caller)); // a contract without taskInputContext
        (IAgentVerifier.Verdict v,) = wyriwe.verifyStage(T, 0, agent, false, inputHash, OUT, _wyriweProof(1, inputHash, bytes32(0), d));
        assertEq(uint256(v), uint256(INVALID), "no context, no verdict");
        bytes32 unknown = keccak256("unknown task");
        d = _wyriweDigest(address(handler), unknown, 0, inputHash, bytes32(0), OUT, 1);
        (v,) = _wyriweVerify(unknown, inputHash, _wyriweProof(1, inputHash, bytes32(0), d));
        assertEq(uint256(v), uint256(INVALID), "unknown task at the handler");
    }

    /// @dev A caller answering `taskInputContext` with a single word (too short to decode) gets Invalid, not a revert.
    function test_wyriwe_shortContextReplyGetsInvalid() public {
        LyingErc165Handler oneWord = new LyingErc165Handler(bytes32(0));
        bytes32 d = _wyriweDigest(address(oneWord), T, 0, inputHash, bytes32(0), OUT, 1);
        vm.prank(address(oneWord));
        (IAgentVerifier.Verdict v,) = wyriwe.verifyStage(T, 0, agent, false, inputHash, OUT, _wyriweProof(1, inputHash, bytes32(0), d));
        assertEq(uint256(v), uint256(INVALID), "32-byte context reply");
    }

    function test_wyriwe_shortProofInvalid() public {
        vm.prank(address(handler));
        (IAgentVerifier.Verdict v,) = wyriwe.verifyStage(T, 0, agent, false, inputHash, OUT, new bytes(64));
        assertEq(uint256(v), uint256(INVALID), "header is 65 bytes");
    }

    function test_wyriwe_signatureForOtherPipelineInvalid() public {
        bytes32 otherPipe = keccak256("ipfs://other-pipeline");
        bytes32 t = _wyriweTask(PIPELINE);
        bytes32 attested = keccak256(abi.encode(inputHash, PIPELINE));
        bytes32 d = _wyriweDigest(address(handler), t, 0, inputHash, otherPipe, OUT, 1);
        (IAgentVerifier.Verdict v,) = _wyriweVerify(t, attested, _wyriweProof(1, inputHash, PIPELINE, d));
        assertEq(uint256(v), uint256(INVALID), "signed another pipeline");
    }

    // ---------------------------------------------------------------- end to end through the handler

    function _pinnedPolicy(address v0, address v1, bool gating0)
        internal
        view
        returns (IWorkflowPolicyRegistry.WorkflowPolicy memory p)
    {
        IWorkflowPolicyRegistry.StagePolicy[] memory s = _uniform(2, SYNC);
        s[0].verifier = v0;
        s[0].gating = gating0;
        s[1].verifier = v1;
        s[1].input = CHAINED;
        p = _policy(s, 1);
    }

    function test_endToEnd_wyriweGateThenEcdsaStage() public {
        IWorkflowPolicyRegistry.WorkflowPolicy memory p = _pinnedPolicy(address(wyriwe), address(ecdsa), true);
        p.pipelineHash = PIPELINE;
        bytes32 t = _dispatch(_register(p));
        bytes32 attested = keccak256(abi.encode(inputHash, PIPELINE));
        _step(t, 0, attested, false);
        bytes32 d0 = _wyriweDigest(address(handler), t, 0, inputHash, PIPELINE, _out(0), 1);
        handler.onAgentProve(t, attested, _out(0), _ph(_wyriweProof(1, inputHash, PIPELINE, d0)), address(wyriwe), 0);
        _stepChained(t, 1, attested, true);
        bytes32 d1 = _ecdsaDigest(address(handler), t, 1, agent, true, _out(0), _out(1), 1);
        vm.expectEmit(true, true, true, true, address(handler));
        emit IAgentExecHandlerEvents.AgentTaskFinalized(t, 1, _out(1));
        handler.onAgentProve(t, _out(0), _out(1), _ph(_ecdsaProof(1, d1, 0, 1)), address(ecdsa), 1);
    }

    function test_endToEnd_signedDenialOnGateHalts() public {
        bytes32 t = _dispatch(_register(_pinnedPolicy(address(wyriwe), address(ecdsa), true)));
        _step(t, 0, inputHash, false);
        bytes32 d0 = _wyriweDigest(address(handler), t, 0, inputHash, bytes32(0), _out(0), 2);
        vm.expectEmit(true, true, true, true, address(handler));
        emit IAgentExecHandlerEvents.AgentTaskHalted(t, 0, d0);
        handler.onAgentProve(t, inputHash, _out(0), _ph(_wyriweProof(2, inputHash, bytes32(0), d0)), address(wyriwe), 0);
        _assertStatus(t, IAgentExecHandler.TaskStatus.Halted, "halted");
    }

    function test_endToEnd_attestationForAnotherHandlerIsRejected() public {
        AgentHandler other = new AgentHandler(address(caller), address(this));
        bytes32 t = _dispatch(_register(_pinnedPolicy(address(ecdsa), address(ecdsa), false)));
        _step(t, 0, inputHash, false);
        bytes32 forOther = _ecdsaDigest(address(other), t, 0, inputHash, _out(0), 1);
        vm.expectEmit(true, true, true, true, address(handler));
        emit IAgentExecHandler.AgentProveRejected(
            t, 0, address(ecdsa), IAgentExecHandler.ProveRejection.InvalidProof, _ecdsaDigest(address(handler), t, 0, inputHash, _out(0), 1)
        );
        handler.onAgentProve(t, inputHash, _out(0), _ph(_ecdsaProof(1, forOther, 0, 1)), address(ecdsa), 0);
        assertEq(handler.taskOf(t).provenStages, 0, "not proven");
    }
}
