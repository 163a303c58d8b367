// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {vm, Assertions} from "./utils/Vm.sol";
import {TaskState, TaskStateLib} from "../../contracts/libraries/TaskState.sol";
import {StageConfig, StageConfigLib} from "../../contracts/libraries/StageConfig.sol";
import {Wyriwe} from "../../contracts/libraries/Wyriwe.sol";
import {BoundedCall} from "../../contracts/libraries/BoundedCall.sol";
import {GasBurningVerifier} from "../../contracts/mocks/GasBurningVerifier.sol";
import {GarbageVerifier} from "../../contracts/mocks/GarbageVerifier.sol";
import {HugeReturnVerifier} from "../../contracts/mocks/HugeReturnVerifier.sol";
import {RevertingVerifier} from "../../contracts/mocks/RevertingVerifier.sol";

/// @dev Exposes {BoundedCall} to external calls.
contract BoundedCallHarness {
    function call(address target, uint256 gasLimit, bytes memory data) external returns (BoundedCall.Result memory) {
        return BoundedCall.call(target, gasLimit, data);
    }

    function staticWord(address target, uint256 gasLimit, bytes memory data) external view returns (bool, bytes32) {
        return BoundedCall.staticWord(target, gasLimit, data);
    }
}

/// @dev Burns gas until ~600 is left, then reverts with no data: a failure that is not running out of gas.
contract NearlyAllGasReverter {
    fallback() external {
        assembly ("memory-safe") {
            for {} gt(gas(), 600) {} { mstore(0x00, keccak256(0x00, 0x20)) }
            revert(0, 0)
        }
    }
}

/// @notice The packed task word and stage config round-trip every field independently, the WYRIWE arithmetic is
/// the seed's, and the bounded call reports (never reverts on) whatever its callee does.
contract LibrariesTest is Assertions {
    // ---------------------------------------------------------------- TaskState

    function testFuzz_TaskState_openRoundTrips(uint32 policyId, uint40 deadline, uint8 status) public pure {
        vm.assume(policyId != 0);
        TaskState s = TaskStateLib.open(policyId, deadline, status);
        assertFalse(s.isEmpty(), "non-empty");
        assertEq(s.policyId(), policyId, "policyId");
        assertEq(s.deadline(), deadline, "deadline");
        assertEq(s.status(), status, "status");
        assertEq(s.stepped(), 0, "stepped");
        assertEq(s.proven(), 0, "proven");
        assertFalse(s.finalStepped(), "finalStepped");
        assertFalse(s.pendingSync(), "pendingSync");
    }

    /// @dev A reference model of the word's fields, driven through random transitions.
    function testFuzz_TaskState_transitionsTouchOnlyTheirFields(uint32 policyId, uint40 deadline, uint256 seed)
        public
        pure
    {
        TaskState s = TaskStateLib.open(policyId, deadline, 1);
        uint64 proven;
        uint8 stepped;
        bool fin;
        bool sync;
        bool gate;
        uint8 status = 1;
        for (uint256 i; i < 48; ++i) {
            uint256 r = uint256(keccak256(abi.encode(seed, i)));
            uint256 op = r % 3;
            if (op == 0) {
                uint8 stage = uint8((r >> 8) % 64); // any stage: an append or a replacement
                bool isSync = (r >> 16) & 1 == 1;
                bool isFinal = (r >> 17) & 1 == 1;
                bool isGating = (r >> 18) & 1 == 1;
                s = s.recordStep(stage, isFinal, isSync, isGating);
                stepped = stage + 1;
                fin = isFinal;
                sync = isSync;
                gate = isGating;
            } else if (op == 1) {
                uint8 stage = uint8((r >> 8) % 64);
                s = s.markProven(stage);
                proven |= uint64(1) << stage;
                assertTrue(s.isProven(stage), "isProven");
            } else {
                status = uint8(r >> 8);
                s = s.withStatus(status);
            }
            assertEq(s.policyId(), policyId, "policyId kept");
            assertEq(s.deadline(), deadline, "deadline kept");
            assertEq(s.status(), status, "status");
            assertEq(s.stepped(), stepped, "stepped");
            assertEq(s.proven(), proven, "proven");
            assertEq(s.finalStepped(), fin, "finalStepped follows the last recorded step");
            assertEq(s.pendingSync(), sync, "pendingSync follows the last recorded step");
            assertEq(s.pendingGate(), gate, "pendingGate follows the last recorded step");
            uint8 probe = uint8((r >> 24) % 64);
            assertEq(s.anyProvenFrom(probe), proven >> probe != 0, "anyProvenFrom");
        }
    }

    function testFuzz_TaskState_unprovenBefore(uint64 proven, uint8 stage) public pure {
        stage = uint8(bound(stage, 0, 63));
        TaskState s = TaskStateLib.open(1, 1, 1);
        for (uint8 i; i < 64; ++i) {
            if ((proven >> i) & 1 == 1) s = s.markProven(i);
        }
        uint64 expected;
        for (uint8 i; i < stage; ++i) {
            if ((proven >> i) & 1 == 0) expected |= uint64(1) << i;
        }
        assertEq(s.unprovenBefore(stage), expected, "missing bitmap");
    }

    // ---------------------------------------------------------------- StageConfig

    function testFuzz_StageConfig_packRoundTrips(
        address verifier,
        uint32 gasLimit,
        bool sync,
        bool gating,
        bool chained,
        bool finalAllowed,
        bool last,
        uint8 auth
    ) public pure {
        auth = uint8(bound(auth, 0, 2));
        StageConfig c = StageConfigLib.pack(verifier, gasLimit, sync, gating, chained, finalAllowed, last, auth);
        assertEq(c.verifier(), verifier, "verifier");
        assertEq(c.gasLimit(), gasLimit, "gasLimit");
        assertEq(c.isSync(), sync, "sync");
        assertEq(c.isGating(), gating, "gating");
        assertEq(c.isChained(), chained, "chained");
        assertEq(c.finalAllowed(), finalAllowed, "finalAllowed");
        assertEq(c.isLast(), last, "last");
        assertEq(c.agentAuth(), auth, "auth");
    }

    function test_StageConfig_registeredStageIsNeverEmpty() public pure {
        // a registered stage always has a verifier with code, hence a nonzero word
        assertTrue(StageConfigLib.pack(address(1), 0, false, false, false, false, false, 0).exists(), "exists");
        assertFalse(StageConfig.wrap(0).exists(), "zero word: no stage");
    }

    // ---------------------------------------------------------------- Wyriwe

    function test_Wyriwe_identityPipelineHashIsTheErc8299Cid() public pure {
        assertEq(
            Wyriwe.IDENTITY_PIPELINE_HASH,
            keccak256(bytes("ipfs://QmccvoM6aRVgZ2dtFWvT6Wm3DmTvoAUHHotK7uQufnStVR")),
            "identity CID"
        );
        assertTrue(Wyriwe.isSentinel(bytes32(0)), "zero");
        assertTrue(Wyriwe.isSentinel(Wyriwe.IDENTITY_PIPELINE_HASH), "identity");
    }

    function testFuzz_Wyriwe_attestedInputHash(bytes32 declared, bytes32 pipeline) public pure {
        bytes32 attested = Wyriwe.attestedInputHash(declared, pipeline);
        if (pipeline == bytes32(0) || pipeline == Wyriwe.IDENTITY_PIPELINE_HASH) {
            assertEq(attested, declared, "sentinel: attested == declared");
        } else {
            assertFalse(Wyriwe.isSentinel(pipeline), "not sentinel");
            assertEq(attested, keccak256(abi.encode(declared, pipeline)), "transform");
        }
    }

    // ---------------------------------------------------------------- BoundedCall

    function test_BoundedCall_reportsEachFailureMode() public {
        BoundedCallHarness h = new BoundedCallHarness();
        bytes memory data = abi.encodeWithSelector(GarbageVerifier.verifyStage.selector, bytes32(0), uint8(0), address(0), false, bytes32(0), bytes32(0), bytes(""));

        BoundedCall.Result memory r = h.call(address(new GasBurningVerifier(GasBurningVerifier.Mode.Loop)), 50_000, data);
        assertFalse(r.success, "burn: failed");
        assertTrue(r.outOfGas, "burn: out of gas");

        r = h.call(address(new RevertingVerifier(RevertingVerifier.Mode.CustomError)), 50_000, data);
        assertFalse(r.success, "revert: failed");
        assertFalse(r.outOfGas, "revert: not out of gas");
        assertEq(r.returnSize, 4 + 4 * 32, "revert: full size reported");
        assertEq(bytes4(r.word0), RevertingVerifier.VerifierRefused.selector, "revert: selector in word0");

        r = h.call(address(new RevertingVerifier(RevertingVerifier.Mode.Empty)), 50_000, data);
        assertFalse(r.outOfGas, "empty revert is not out of gas");
        assertEq(r.returnSize, 0, "empty");

        r = h.call(address(new HugeReturnVerifier(1 << 20, false)), 5_000_000, data);
        assertTrue(r.success, "huge: succeeded");
        assertEq(r.returnSize, 1 << 20, "huge: size reported");
        assertEq(uint256(r.word0), 1, "huge: first word");
        assertEq(uint256(r.word1), 0xd16e57, "huge: second word");

        GarbageVerifier odd = new GarbageVerifier(GarbageVerifier.Mode.OddLength);
        r = h.call(address(odd), 50_000, data);
        assertEq(r.returnSize, 63, "odd length");
        assertEq(r.word1, odd.DIGEST() & ~bytes32(uint256(0xff)), "word1 zero-padded, not read past the end");
    }

    function test_BoundedCall_callToEmptyAccountSucceedsWithNothing() public {
        BoundedCallHarness h = new BoundedCallHarness();
        BoundedCall.Result memory r = h.call(address(0xdead), 50_000, "");
        assertTrue(r.success, "EVM: a call to an empty account succeeds");
        assertEq(r.returnSize, 0, "nothing returned");
    }

    function test_BoundedCall_emptyRevertBeforeTheCapIsNotOutOfGas() public {
        BoundedCallHarness h = new BoundedCallHarness();
        NearlyAllGasReverter v = new NearlyAllGasReverter();
        BoundedCall.Result memory r = h.call(address(v), 100_000, "");
        assertFalse(r.success, "failed");
        assertEq(r.returnSize, 0, "no data");
        assertFalse(r.outOfGas, "it stopped itself with gas to spare");
    }

    function test_BoundedCall_staticWordRequiresItsAllowance() public {
        BoundedCallHarness h = new BoundedCallHarness();
        (bool ok, bytes memory ret) =
            address(h).call{gas: 40_000}(abi.encodeCall(h.staticWord, (address(0xdead), 50_000, bytes(""))));
        assertFalse(ok, "reverted");
        assertEq(bytes4(ret), BoundedCall.BoundedCallInsufficientGas.selector, "gas guard");
    }

    function test_BoundedCall_staticWordNeedsAFullWord() public {
        BoundedCallHarness h = new BoundedCallHarness();
        (bool ok,) = h.staticWord(address(0xdead), 50_000, "");
        assertFalse(ok, "no code, no word");
        (ok,) = h.staticWord(address(new GasBurningVerifier(GasBurningVerifier.Mode.Loop)), 50_000, "");
        assertFalse(ok, "out of gas");
    }
}
