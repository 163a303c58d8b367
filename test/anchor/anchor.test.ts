import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { network } from "hardhat";
import { keccak256, stringToHex, toHex, type Hex } from "viem";
import {
  AnchorDigestNotInTreeError,
  AnchorRevertedError,
  AnchorTreeSizeError,
  anchorBatchDigests,
  anchorTaskDigests,
  batchAnchorScope,
  buildDigestTree,
  digestLeafHash,
  getBatchAnchor,
  getDigestProof,
  getDigestProofs,
  getTaskAnchor,
  loadDigestTree,
  taskAnchorScope,
  verifyDigestProof,
  verifyInclusionOnChain,
} from "../../sdk/anchor/index.js";
import { ChainParameterError } from "../../sdk/chain/index.js";

const digest = (label: string): Hex => keccak256(stringToHex(label));

describe("sdk/anchor against DigestAnchor on the Hardhat network", async () => {
  const { viem } = await network.create();
  const publicClient = await viem.getPublicClient();
  const [deployer, requester, agent, stranger] = await viem.getWalletClients();
  assert.ok(deployer && requester && agent && stranger);
  const anchor = await viem.deployContract("DigestAnchor");
  const handler = await viem.deployContract("MockAnchorAuthority");
  const chainId = await publicClient.getChainId();
  const taskId = digest("task-1");
  await publicClient.waitForTransactionReceipt({ hash: await handler.write.setAllowed([taskId, requester.account.address, true]) });
  const digests = Array.from({ length: 7 }, (_, i) => digest(`capsule-${i}`));

  it("computes the contract's scopes and leaves", async () => {
    const scope = taskAnchorScope({ chainId, anchor: anchor.address, handler: handler.address, taskId });
    assert.equal(scope, await anchor.read.taskScope([handler.address, taskId]));
    const bScope = batchAnchorScope({ chainId, anchor: anchor.address, anchorer: stranger.account.address, batchId: taskId });
    assert.equal(bScope, await anchor.read.batchScope([stranger.account.address, taskId]));
    assert.equal(digestLeafHash({ scope, digest: digests[0]! }), await anchor.read.leafHash([scope, digests[0]!]));
  });

  it("anchors a task's digests; every proof verifies off-chain and on-chain", async () => {
    const { tree, receipt } = await anchorTaskDigests(requester, { anchor: anchor.address, handler: handler.address, taskId, digests });
    assert.equal(receipt.status, "success");
    assert.equal(tree.leafCount, 7);
    const record = await getTaskAnchor(publicClient, { anchor: anchor.address, handler: handler.address, taskId, root: tree.root });
    assert.ok(record);
    assert.equal(record.anchorer.toLowerCase(), requester.account.address.toLowerCase());
    assert.equal(record.leafCount, 7);
    for (const d of digests) {
      const proof = getDigestProof({ tree, digest: d });
      assert.ok(verifyDigestProof({ root: tree.root, scope: tree.scope, digest: d, proof }), "off-chain");
      assert.ok(
        await verifyInclusionOnChain(publicClient, { kind: "task", anchor: anchor.address, handler: handler.address, taskId, root: tree.root, digest: d, proof }),
        "on-chain",
      );
    }
    const proofs = getDigestProofs({ tree });
    assert.equal(proofs.size, 7);
    // A digest outside the tree, or a proof of another digest, fails both ways.
    const proof0 = getDigestProof({ tree, digest: digests[0]! });
    assert.equal(verifyDigestProof({ root: tree.root, scope: tree.scope, digest: digest("other"), proof: proof0 }), false);
    assert.equal(
      await verifyInclusionOnChain(publicClient, { kind: "task", anchor: anchor.address, handler: handler.address, taskId, root: tree.root, digest: digest("other"), proof: proof0 }),
      false,
    );
    // The same root read under another task proves nothing.
    assert.equal(
      await verifyInclusionOnChain(publicClient, { kind: "task", anchor: anchor.address, handler: handler.address, taskId: digest("task-2"), root: tree.root, digest: digests[0]!, proof: proof0 }),
      false,
    );
    assert.throws(() => getDigestProof({ tree, digest: digest("other") }), AnchorDigestNotInTreeError);
  });

  it("a stranger's anchoring is refused with the contract's named error", async () => {
    await assert.rejects(
      anchorTaskDigests(stranger, { anchor: anchor.address, handler: handler.address, taskId, digests }),
      (err: unknown) => {
        assert.ok(err instanceof AnchorRevertedError);
        assert.equal(err.code, "ANCHOR_REVERTED");
        assert.equal(err.errorName, "DigestAnchorUnauthorized");
        assert.equal(String(err.args[2]).toLowerCase(), stranger.account.address.toLowerCase());
        return true;
      },
    );
  });

  it("re-anchoring the same root for the task is refused", async () => {
    await assert.rejects(
      anchorTaskDigests(requester, { anchor: anchor.address, handler: handler.address, taskId, digests }),
      (err: unknown) => err instanceof AnchorRevertedError && err.errorName === "DigestAnchorRootAlreadyAnchored",
    );
  });

  it("anchors 1,000 digests under one root; a tree survives dump/load", async () => {
    const many = Array.from({ length: 1000 }, (_, i) => keccak256(toHex(i, { size: 32 })));
    const batchId = digest("batch-1000");
    const { tree } = await anchorBatchDigests(stranger, { anchor: anchor.address, batchId, digests: many });
    const record = await getBatchAnchor(publicClient, { anchor: anchor.address, anchorer: stranger.account.address, batchId });
    assert.equal(record?.root, tree.root);
    assert.equal(record?.leafCount, 1000);
    const loaded = loadDigestTree({ dump: JSON.parse(JSON.stringify(tree.tree.dump())) });
    assert.equal(loaded.root, tree.root);
    for (const i of [0, 499, 999]) {
      const proof = getDigestProof({ tree: loaded, digest: many[i]! });
      assert.ok(
        await verifyInclusionOnChain(publicClient, { kind: "batch", anchor: anchor.address, anchorer: stranger.account.address, batchId, digest: many[i]!, proof }),
      );
    }
    // The same batch id of another sender is another (empty) batch.
    assert.equal(await getBatchAnchor(publicClient, { anchor: anchor.address, anchorer: requester.account.address, batchId }), null);
    await assert.rejects(
      anchorBatchDigests(stranger, { anchor: anchor.address, batchId, digests: many.slice(0, 3) }),
      (err: unknown) => err instanceof AnchorRevertedError && err.errorName === "DigestAnchorBatchAlreadyAnchored",
    );
  });

  it("typed errors for bad input; verifyDigestProof never throws", () => {
    assert.throws(() => buildDigestTree({ scope: digest("s"), digests: [] }), AnchorTreeSizeError);
    assert.throws(() => buildDigestTree({ scope: digest("s"), digests: ["0x12"] }), ChainParameterError);
    assert.throws(() => taskAnchorScope({ chainId, anchor: "0x1", handler: handler.address, taskId }), ChainParameterError);
    assert.equal(verifyDigestProof({ root: "0x" as Hex, scope: digest("s"), digest: digest("d"), proof: [] }), false);
    assert.equal(
      verifyDigestProof({ root: digest("r"), scope: digest("s"), digest: digest("d"), proof: null as unknown as Hex[] }),
      false,
    );
  });
});
