// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {vm, Assertions} from "./utils/Vm.sol";
import {Hashes} from "@openzeppelin/contracts/utils/cryptography/Hashes.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {DigestAnchor} from "../../contracts/anchor/DigestAnchor.sol";
import {IDigestAnchor} from "../../contracts/interfaces/IDigestAnchor.sol";
import {IAgentTaskAnchorAuthority} from "../../contracts/interfaces/IAgentTaskAnchorAuthority.sol";
import {BoundedCall} from "../../contracts/libraries/BoundedCall.sol";
import {MockAnchorAuthority} from "../../contracts/anchor/mocks/MockAnchorAuthority.sol";
import {HostileAnchorAuthority} from "../../contracts/anchor/mocks/HostileAnchorAuthority.sol";

/// @notice {DigestAnchor}: who may anchor for a task (the handler's authority, asked robustly), per-sender batches,
/// inclusion checks, and the attacks: strangers, hostile handlers, replayed roots (other task, other batch, other
/// chain, same scope twice).
contract DigestAnchorTest is Assertions {
    DigestAnchor internal anchor;
    MockAnchorAuthority internal handler;

    address internal requester = vm.addr(0x4E9);
    address internal agentA = vm.addr(0xA6E27);
    address internal stranger = vm.addr(0xBAD);

    bytes32 internal constant TASK = keccak256("task A");
    bytes32 internal constant TASK_B = keccak256("task B");
    bytes32 internal constant BATCH = keccak256("batch 1");

    function setUp() public {
        vm.warp(1_750_000_000);
        anchor = new DigestAnchor();
        handler = new MockAnchorAuthority();
        handler.setAllowed(TASK, requester, true);
        handler.setAllowed(TASK, agentA, true);
        handler.setAllowed(TASK_B, stranger, true); // the stranger is authorised for another task only
    }

    // ---------------------------------------------------------------- tree helpers (sorted pairs, 4 leaves)

    function _digests() internal pure returns (bytes32[4] memory d) {
        for (uint256 i; i < 4; ++i) {
            d[i] = keccak256(abi.encode("capsule", i));
        }
    }

    function _tree(bytes32 scope, bytes32[4] memory d) internal view returns (bytes32 root, bytes32[][4] memory proofs) {
        bytes32[4] memory l;
        for (uint256 i; i < 4; ++i) {
            l[i] = anchor.leafHash(scope, d[i]);
        }
        bytes32 n01 = Hashes.commutativeKeccak256(l[0], l[1]);
        bytes32 n23 = Hashes.commutativeKeccak256(l[2], l[3]);
        root = Hashes.commutativeKeccak256(n01, n23);
        for (uint256 i; i < 4; ++i) {
            proofs[i] = new bytes32[](2);
            proofs[i][0] = l[i ^ 1];
            proofs[i][1] = i < 2 ? n23 : n01;
        }
    }

    function _taskTree(address h, bytes32 taskId) internal view returns (bytes32 root, bytes32[][4] memory proofs) {
        return _tree(anchor.taskScope(h, taskId), _digests());
    }

    // ---------------------------------------------------------------- task anchoring

    function test_anchorTask_byAuthorisedAccount() public {
        (bytes32 root, bytes32[][4] memory proofs) = _taskTree(address(handler), TASK);
        vm.expectEmit(address(anchor));
        emit IDigestAnchor.TaskDigestsAnchored(address(handler), TASK, root, requester, 4);
        vm.prank(requester);
        anchor.anchorTask(address(handler), TASK, root, 4);

        IDigestAnchor.Anchor memory a = anchor.taskAnchor(address(handler), TASK, root);
        assertEq(a.root, root, "root");
        assertEq(a.anchorer, requester, "anchorer");
        assertEq(a.anchoredAt, block.timestamp, "time");
        assertEq(a.leafCount, 4, "leaf count");
        assertEq(anchor.taskAnchorCount(address(handler), TASK), 1, "count");

        bytes32[4] memory d = _digests();
        for (uint256 i; i < 4; ++i) {
            assertTrue(anchor.verifyTaskInclusion(address(handler), TASK, root, d[i], proofs[i]), "included");
        }
        assertFalse(anchor.verifyTaskInclusion(address(handler), TASK, root, keccak256("other"), proofs[0]), "not a leaf");
        assertFalse(anchor.verifyTaskInclusion(address(handler), TASK, root, d[0], proofs[1]), "wrong proof");
    }

    function test_anchorTask_severalAnchorersSeveralRoots() public {
        (bytes32 root,) = _taskTree(address(handler), TASK);
        vm.prank(requester);
        anchor.anchorTask(address(handler), TASK, root, 4);
        vm.prank(agentA);
        anchor.anchorTask(address(handler), TASK, keccak256("another root"), 9);
        assertEq(anchor.taskAnchorCount(address(handler), TASK), 2, "two roots");
        assertEq(anchor.taskAnchor(address(handler), TASK, keccak256("another root")).anchorer, agentA, "second anchorer");
        assertEq(anchor.taskAnchor(address(handler), TASK, root).anchorer, requester, "first one unchanged");
    }

    function test_anchorTask_byHandlerItself() public {
        bytes32 root = keccak256("root");
        handler.anchorAsHandler(anchor, keccak256("unknown task"), root, 1);
        assertEq(anchor.taskAnchor(address(handler), keccak256("unknown task"), root).anchorer, address(handler), "handler");
    }

    function test_anchorTask_revertsForStranger() public {
        vm.expectRevert(
            abi.encodeWithSelector(IDigestAnchor.DigestAnchorUnauthorized.selector, address(handler), TASK, stranger)
        );
        vm.prank(stranger);
        anchor.anchorTask(address(handler), TASK, keccak256("root"), 1);
    }

    function test_anchorTask_revertsForRevokedAccount() public {
        handler.setAllowed(TASK, agentA, false);
        vm.expectRevert(
            abi.encodeWithSelector(IDigestAnchor.DigestAnchorUnauthorized.selector, address(handler), TASK, agentA)
        );
        vm.prank(agentA);
        anchor.anchorTask(address(handler), TASK, keccak256("root"), 1);
    }

    function test_anchorTask_revertsOnZeroRoot() public {
        vm.expectRevert(IDigestAnchor.DigestAnchorZeroRoot.selector);
        vm.prank(requester);
        anchor.anchorTask(address(handler), TASK, bytes32(0), 1);
    }

    function test_anchorTask_revertsOnZeroLeafCount() public {
        vm.expectRevert(IDigestAnchor.DigestAnchorZeroLeafCount.selector);
        vm.prank(requester);
        anchor.anchorTask(address(handler), TASK, keccak256("root"), 0);
    }

    function test_anchorTask_revertsOnReplayedRootInTheSameTask() public {
        bytes32 root = keccak256("root");
        vm.prank(requester);
        anchor.anchorTask(address(handler), TASK, root, 1);
        vm.warp(block.timestamp + 1 days);
        // A second anchorer cannot take over the first anchoring (nor move its time).
        vm.expectRevert(
            abi.encodeWithSelector(IDigestAnchor.DigestAnchorRootAlreadyAnchored.selector, address(handler), TASK, root)
        );
        vm.prank(agentA);
        anchor.anchorTask(address(handler), TASK, root, 1);
        assertEq(anchor.taskAnchor(address(handler), TASK, root).anchorer, requester, "first anchoring stands");
    }

    /// @notice The stranger is authorised for task B and anchors task A's root there: it proves nothing for B,
    /// because leaves are bound to their scope.
    function test_verifyTaskInclusion_rootReplayedUnderAnotherTaskProvesNothing() public {
        (bytes32 root, bytes32[][4] memory proofs) = _taskTree(address(handler), TASK);
        vm.prank(requester);
        anchor.anchorTask(address(handler), TASK, root, 4);
        vm.prank(stranger);
        anchor.anchorTask(address(handler), TASK_B, root, 4);

        bytes32 d0 = _digests()[0];
        assertTrue(anchor.verifyTaskInclusion(address(handler), TASK, root, d0, proofs[0]), "A: included");
        assertFalse(anchor.verifyTaskInclusion(address(handler), TASK_B, root, d0, proofs[0]), "B: proves nothing");
    }

    function test_verifyTaskInclusion_falseForRootNotAnchored() public view {
        (bytes32 root, bytes32[][4] memory proofs) = _taskTree(address(handler), TASK);
        assertFalse(anchor.verifyTaskInclusion(address(handler), TASK, root, _digests()[0], proofs[0]), "not anchored");
    }

    /// @notice The same contract state on another chain id (a fork): scopes differ, so old proofs prove nothing.
    function test_verifyTaskInclusion_otherChainProvesNothing() public {
        (bytes32 root, bytes32[][4] memory proofs) = _taskTree(address(handler), TASK);
        vm.prank(requester);
        anchor.anchorTask(address(handler), TASK, root, 4);
        vm.chainId(block.chainid + 1);
        assertFalse(anchor.verifyTaskInclusion(address(handler), TASK, root, _digests()[0], proofs[0]), "fork");
    }

    /// @notice A root built for one anchor contract proves nothing at another one.
    function test_verifyTaskInclusion_otherAnchorContractProvesNothing() public {
        DigestAnchor other = new DigestAnchor();
        (bytes32 root, bytes32[][4] memory proofs) = _taskTree(address(handler), TASK);
        vm.prank(requester);
        other.anchorTask(address(handler), TASK, root, 4);
        assertFalse(other.verifyTaskInclusion(address(handler), TASK, root, _digests()[0], proofs[0]), "other anchor");
    }

    // ---------------------------------------------------------------- hostile and non-authority handlers

    function test_anchorTask_revertsWhenHandlerHasNoCode() public {
        address eoa = vm.addr(0xE0A);
        vm.expectRevert(abi.encodeWithSelector(IDigestAnchor.DigestAnchorNotAnchorAuthority.selector, eoa));
        vm.prank(requester);
        anchor.anchorTask(eoa, TASK, keccak256("root"), 1);
    }

    function test_anchorTask_revertsWhenHandlerDoesNotDeclareTheInterface() public {
        _expectNotAuthority(new HostileAnchorAuthority(HostileAnchorAuthority.Mode.Undeclared));
        _expectNotAuthority(new HostileAnchorAuthority(HostileAnchorAuthority.Mode.LiesErc165));
        // A contract without supportsInterface at all.
        address plain = address(new DigestAnchorTestPlainContract());
        vm.expectRevert(abi.encodeWithSelector(IDigestAnchor.DigestAnchorNotAnchorAuthority.selector, plain));
        vm.prank(requester);
        anchor.anchorTask(plain, TASK, keccak256("root"), 1);
    }

    function _expectNotAuthority(HostileAnchorAuthority h) internal {
        vm.expectRevert(abi.encodeWithSelector(IDigestAnchor.DigestAnchorNotAnchorAuthority.selector, address(h)));
        vm.prank(requester);
        anchor.anchorTask(address(h), TASK, keccak256("root"), 1);
    }

    function test_anchorTask_hostileAnswersAreRefusals() public {
        HostileAnchorAuthority.Mode[5] memory modes = [
            HostileAnchorAuthority.Mode.Reverts,
            HostileAnchorAuthority.Mode.BurnsGas,
            HostileAnchorAuthority.Mode.ReturnBomb,
            HostileAnchorAuthority.Mode.ReturnsTwo,
            HostileAnchorAuthority.Mode.ShortAnswer
        ];
        for (uint256 i; i < modes.length; ++i) {
            HostileAnchorAuthority h = new HostileAnchorAuthority(modes[i]);
            bytes memory call_ = abi.encodeCall(anchor.anchorTask, (address(h), TASK, keccak256("root"), 1));
            uint256 before = gasleft();
            vm.prank(requester);
            (bool ok, bytes memory ret) = address(anchor).call{gas: 1_000_000}(call_);
            uint256 used = before - gasleft();
            assertFalse(ok, "refused");
            assertEq(
                ret,
                abi.encodeWithSelector(IDigestAnchor.DigestAnchorUnauthorized.selector, address(h), TASK, requester),
                "named refusal"
            );
            // ERC-165 probes (3 x 30,000) + canAnchor's cap + overhead: a hostile handler cannot make it dearer.
            assertLt(used, 3 * 30_000 + anchor.CAN_ANCHOR_GAS() + 60_000, "bounded cost");
        }
    }

    /// @notice A handler that allows everyone rules only its own scopes: the honest handler's tasks are untouched
    /// and roots anchored in the hostile scope prove nothing in the honest one.
    function test_anchorTask_permissiveHandlerCannotReachOtherScopes() public {
        HostileAnchorAuthority h = new HostileAnchorAuthority(HostileAnchorAuthority.Mode.AllowsAll);
        (bytes32 root, bytes32[][4] memory proofs) = _taskTree(address(handler), TASK);
        vm.prank(stranger);
        anchor.anchorTask(address(h), TASK, root, 4);
        assertEq(anchor.taskAnchorCount(address(handler), TASK), 0, "honest scope untouched");
        assertFalse(anchor.verifyTaskInclusion(address(handler), TASK, root, _digests()[0], proofs[0]), "honest: nothing");
        assertFalse(anchor.verifyTaskInclusion(address(h), TASK, root, _digests()[0], proofs[0]), "hostile: other leaves");
    }

    function test_anchorTask_revertsWhenStarvedOfGas() public {
        bytes memory call_ = abi.encodeCall(anchor.anchorTask, (address(handler), TASK, keccak256("root"), 1));
        vm.prank(requester);
        (bool ok, bytes memory ret) = address(anchor).call{gas: 100_000}(call_);
        assertFalse(ok, "reverted");
        assertEq(bytes4(ret), BoundedCall.BoundedCallInsufficientGas.selector, "not a refusal: the gas guard");
    }

    // ---------------------------------------------------------------- batches

    function test_anchorBatch_recordsAndVerifies() public {
        (bytes32 root, bytes32[][4] memory proofs) = _tree(anchor.batchScope(stranger, BATCH), _digests());
        vm.expectEmit(address(anchor));
        emit IDigestAnchor.BatchDigestsAnchored(stranger, BATCH, root, 4);
        vm.prank(stranger);
        anchor.anchorBatch(BATCH, root, 4);
        IDigestAnchor.Anchor memory a = anchor.batchAnchor(stranger, BATCH);
        assertEq(a.root, root, "root");
        assertEq(a.anchorer, stranger, "anchorer");
        assertEq(a.anchoredAt, block.timestamp, "time");
        assertEq(a.leafCount, 4, "count");
        bytes32[4] memory d = _digests();
        for (uint256 i; i < 4; ++i) {
            assertTrue(anchor.verifyBatchInclusion(stranger, BATCH, d[i], proofs[i]), "included");
        }
        assertFalse(anchor.verifyBatchInclusion(stranger, BATCH, keccak256("x"), proofs[0]), "not a leaf");
    }

    function test_anchorBatch_revertsWhenBatchAlreadyAnchored() public {
        vm.startPrank(stranger);
        anchor.anchorBatch(BATCH, keccak256("r1"), 1);
        vm.expectRevert(
            abi.encodeWithSelector(IDigestAnchor.DigestAnchorBatchAlreadyAnchored.selector, stranger, BATCH, keccak256("r1"))
        );
        anchor.anchorBatch(BATCH, keccak256("r2"), 1);
        vm.stopPrank();
    }

    function test_anchorBatch_revertsOnZeroRootOrCount() public {
        vm.expectRevert(IDigestAnchor.DigestAnchorZeroRoot.selector);
        anchor.anchorBatch(BATCH, bytes32(0), 1);
        vm.expectRevert(IDigestAnchor.DigestAnchorZeroLeafCount.selector);
        anchor.anchorBatch(BATCH, keccak256("r"), 0);
    }

    /// @notice Batches are per-sender namespaces: the same batch id of another sender is another batch, and a
    /// copied root proves nothing there.
    function test_anchorBatch_namespacesPerSender() public {
        (bytes32 root, bytes32[][4] memory proofs) = _tree(anchor.batchScope(requester, BATCH), _digests());
        vm.prank(stranger); // front-runs the same batch id with the same root
        anchor.anchorBatch(BATCH, root, 4);
        vm.prank(requester);
        anchor.anchorBatch(BATCH, root, 4);
        assertTrue(anchor.verifyBatchInclusion(requester, BATCH, _digests()[0], proofs[0]), "requester's batch");
        assertFalse(anchor.verifyBatchInclusion(stranger, BATCH, _digests()[0], proofs[0]), "copy proves nothing");
    }

    function test_verifyBatchInclusion_falseForUnknownBatch() public view {
        bytes32[] memory proof = new bytes32[](0);
        assertFalse(anchor.verifyBatchInclusion(stranger, BATCH, bytes32(0), proof), "unknown");
    }

    /// @notice Task and batch scopes are tagged apart: a task tree does not verify as a batch of the same values.
    function test_scopes_taskAndBatchAreDistinct() public view {
        assertTrue(anchor.taskScope(address(handler), TASK) != anchor.batchScope(address(handler), TASK), "tagged");
    }

    // ---------------------------------------------------------------- misc

    function test_supportsInterface() public view {
        assertTrue(anchor.supportsInterface(type(IDigestAnchor).interfaceId), "IDigestAnchor");
        assertTrue(anchor.supportsInterface(type(IERC165).interfaceId), "IERC165");
        assertFalse(anchor.supportsInterface(0xffffffff), "not 0xffffffff");
        assertEq(
            bytes32(type(IAgentTaskAnchorAuthority).interfaceId),
            bytes32(IAgentTaskAnchorAuthority.canAnchor.selector),
            "authority id = canAnchor selector"
        );
    }

    function testFuzz_leafHash_isTheStandardMerkleTreeLeaf(bytes32 scope, bytes32 digest) public view {
        assertEq(anchor.leafHash(scope, digest), keccak256(bytes.concat(keccak256(abi.encode(scope, digest)))), "leaf");
    }

    function testFuzz_verifyTaskInclusion_roundTrips(bytes32 taskId, bytes32[4] memory d, uint8 which) public {
        handler.setAllowed(taskId, requester, true);
        (bytes32 root, bytes32[][4] memory proofs) = _tree(anchor.taskScope(address(handler), taskId), d);
        vm.prank(requester);
        anchor.anchorTask(address(handler), taskId, root, 4);
        uint256 i = which % 4;
        assertTrue(anchor.verifyTaskInclusion(address(handler), taskId, root, d[i], proofs[i]), "included");
        vm.assume(d[i] != d[i ^ 1] && d[i] != d[(i + 2) % 4] && d[i] != d[(i + 3) % 4]);
        bytes32 notLeaf = keccak256(abi.encode(d[i]));
        vm.assume(notLeaf != d[0] && notLeaf != d[1] && notLeaf != d[2] && notLeaf != d[3]);
        assertFalse(anchor.verifyTaskInclusion(address(handler), taskId, root, notLeaf, proofs[i]), "other digest");
    }
}

/// @notice A contract without `supportsInterface`.
contract DigestAnchorTestPlainContract {
    function canAnchor(bytes32, address) external pure returns (bool) {
        return true;
    }
}
