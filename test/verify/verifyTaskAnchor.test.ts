import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { keccak256, stringToHex, type Hex } from "viem";
import { anchorBatchDigests, anchorTaskDigests, capsuleAnchorDigest, ectAnchorDigest } from "../../sdk/anchor/index.js";
import { ChainParameterError } from "../../sdk/chain/index.js";
import { verifyTask, renderTaskReport, type TaskReport } from "../../sdk/verify/index.js";
import { deployAgentExec } from "../contracts/helpers/fixture.js";
import { buildTask, ectKit } from "./helpers.js";

/** The ECT tokens a task's steps carry, in stage order (read back through verifyTask's own report is not possible: tokens are not in it). */
async function ectDigestsOf(report: TaskReport, f: Awaited<ReturnType<typeof deployAgentExec>>): Promise<Hex[][]> {
  const { decodeStepPayload } = await import("../../sdk/bridge/index.js");
  const { findStepCall } = await import("../../sdk/chain/actions/getTaskResult.js");
  const out: Hex[][] = [];
  for (const st of report.stages) {
    if (!st.step) continue;
    const tx = await f.publicClient.getTransaction({ hash: st.step.transactionHash });
    const call = findStepCall(tx.input, report.taskId, st.stage, st.step.outputHash);
    assert.ok(call, "step call");
    const app = st.stage === 0 ? call.data : (`0x${call.data.slice(2 + 104)}` as Hex);
    const payload = decodeStepPayload(app);
    assert.ok(payload, `payload of stage ${st.stage}`);
    out.push(payload.ects.map(ectAnchorDigest));
  }
  return out;
}

describe("verifyTask: Merkle anchoring of the steps' digests (DigestAnchor)", async () => {
  const f = await deployAgentExec();
  const kit = await ectKit();
  const handler = f.handler.address;
  const anchorContract = await f.connection.viem.deployContract("DigestAnchor");
  const anchor = anchorContract.address;
  const { agent, stranger } = f.accounts;

  async function task(stages = 3, ects = 2) {
    const t = await buildTask(f, kit, { stages, ectsPerStage: ects });
    const plain = await verifyTask(f.publicClient, { handler, taskId: t.taskId });
    return { taskId: t.taskId, digests: await ectDigestsOf(plain, f) };
  }

  it("an anchored task passes: every digest under the task root, proofs checked off-chain and on-chain", async () => {
    const t = await task();
    const all = t.digests.flat();
    await anchorTaskDigests(agent, { anchor, handler, taskId: t.taskId, digests: all });
    const r = await verifyTask(f.publicClient, { handler, taskId: t.taskId, anchor: { address: anchor, onChain: true }, requireAnchor: true });
    assert.equal(r.ok, true, renderTaskReport(r, { verbose: true }));
    assert.ok(r.anchor);
    assert.equal(r.anchor.roots.length, 1);
    assert.equal(r.anchor.roots[0]?.scope, "task");
    assert.equal(r.anchor.roots[0]?.covers, "the task's digests");
    assert.equal(r.anchor.digests.length, 6);
    for (const d of r.anchor.digests) {
      assert.equal(d.status, "anchored", d.reason);
      assert.equal(d.onChain, true);
      assert.ok(d.proof && d.proof.length > 0);
    }
    assert.equal(r.anchor.checks.find((c) => c.id === "anchor.inclusion")?.status, "pass");
    assert.equal(r.anchor.checks.find((c) => c.id === "anchor.onChain")?.status, "pass");
    assert.match(renderTaskReport(r), /Anchor 0x[0-9a-fA-F]{40}: 1 root\(s\); 6 digest\(s\): 6 anchored/);
  });

  it("a digest missing from the anchored root is reported as missing, with the root it was left out of", async () => {
    const t = await task();
    const all = t.digests.flat();
    const left = all[3] as Hex; // stage 1's second ECT
    const { tree } = await anchorTaskDigests(agent, { anchor, handler, taskId: t.taskId, digests: all.filter((d) => d !== left) });
    const r = await verifyTask(f.publicClient, { handler, taskId: t.taskId, anchor });
    assert.equal(r.ok, false);
    const missing = r.anchor?.digests.filter((d) => d.status !== "anchored") ?? [];
    assert.equal(missing.length, 1, renderTaskReport(r, { verbose: true }));
    assert.equal(missing[0]?.status, "missing");
    assert.equal(missing[0]?.digest, left);
    assert.equal(missing[0]?.stage, 1);
    assert.equal(missing[0]?.index, 1);
    assert.equal(missing[0]?.root, tree.root);
    assert.match(missing[0]?.reason ?? "", /missing from task root .* commits to the task's digests \(6\) except this ect/);
    const inc = r.anchor?.checks.find((c) => c.id === "anchor.inclusion");
    assert.equal(inc?.status, "fail");
    assert.match(inc?.reason ?? "", /stage 1 ECT 1 .*missing from task root/);
    assert.equal(r.anchor?.roots[0]?.covers, "the task's digests but one");
    assert.equal(r.anchor?.digests.filter((d) => d.status === "anchored").length, 5);
  });

  it("a root committing to other digests than the steps carry is a mismatch, not 'not anchored'", async () => {
    const t = await task(2, 2);
    const all = t.digests.flat();
    const swapped = [...all.slice(0, -1), keccak256(stringToHex("a digest no step carries"))];
    await anchorTaskDigests(agent, { anchor, handler, taskId: t.taskId, digests: swapped });
    const r = await verifyTask(f.publicClient, { handler, taskId: t.taskId, anchor });
    assert.equal(r.ok, false);
    assert.deepEqual(r.anchor?.digests.map((d) => d.status), ["mismatch", "mismatch", "mismatch", "mismatch"]);
    assert.match(r.anchor?.digests[0]?.reason ?? "", /rebuild\(s\) from none of the task's digest sets/);
    assert.equal(r.anchor?.roots[0]?.covers, undefined);
  });

  it("no anchoring: 'not anchored', not a failure unless requireAnchor", async () => {
    const t = await task(2, 1);
    const r = await verifyTask(f.publicClient, { handler, taskId: t.taskId, anchor });
    assert.equal(r.ok, true, renderTaskReport(r));
    assert.deepEqual(r.anchor?.digests.map((d) => d.status), ["not-anchored", "not-anchored"]);
    assert.equal(r.anchor?.checks.find((c) => c.id === "anchor.roots")?.status, "skip");
    assert.equal(r.anchor?.checks.find((c) => c.id === "anchor.coverage")?.status, "skip");
    const required = await verifyTask(f.publicClient, { handler, taskId: t.taskId, anchor, requireAnchor: true });
    assert.equal(required.ok, false);
    assert.equal(required.anchor?.checks.find((c) => c.id === "anchor.roots")?.status, "fail");
    assert.match(required.anchor?.checks.find((c) => c.id === "anchor.coverage")?.reason ?? "", /2 of 2 digest\(s\) not anchored.*anchoring is required/);
    const noAddress = await verifyTask(f.publicClient, { handler, taskId: t.taskId, requireAnchor: true });
    assert.equal(noAddress.anchor, undefined);
    assert.equal(noAddress.checks.find((c) => c.id === "anchor.required")?.status, "fail");
    const without = await verifyTask(f.publicClient, { handler, taskId: t.taskId });
    assert.equal(without.anchor, undefined);
    assert.equal(without.ok, true);
  });

  it("per-stage roots and batches of trusted anchorers count; a stranger's batch does not, unless trusted", async () => {
    const t = await task(2, 2);
    await anchorTaskDigests(agent, { anchor, handler, taskId: t.taskId, digests: t.digests[0] as Hex[] });
    await anchorBatchDigests(agent, { anchor, batchId: t.taskId, digests: t.digests[1] as Hex[] });
    const r = await verifyTask(f.publicClient, { handler, taskId: t.taskId, anchor: { address: anchor, onChain: true }, requireAnchor: true });
    assert.equal(r.ok, true, renderTaskReport(r, { verbose: true }));
    assert.deepEqual(r.anchor?.roots.map((x) => [x.scope, x.covers]).sort(), [["batch", "stage 1's digests"], ["task", "stage 0's digests"]]);
    assert.ok(r.anchor?.digests.every((d) => d.onChain === true));

    const u = await task(1, 2);
    await anchorBatchDigests(stranger, { anchor, batchId: u.taskId, digests: u.digests.flat() });
    const untrusted = await verifyTask(f.publicClient, { handler, taskId: u.taskId, anchor });
    assert.equal(untrusted.anchor?.roots.length, 0);
    assert.match(untrusted.anchor?.checks.find((c) => c.id === "anchor.roots")?.reason ?? "", /1 batch root\(s\) named after the task by untrusted accounts ignored/);
    const trusted = await verifyTask(f.publicClient, { handler, taskId: u.taskId, anchor: { address: anchor, batchAnchorers: [stranger.account.address] } });
    assert.deepEqual(trusted.anchor?.digests.map((d) => d.status), ["anchored", "anchored"]);
    const explicit = await verifyTask(f.publicClient, { handler, taskId: u.taskId, anchor: { address: anchor, batches: [{ anchorer: stranger.account.address, batchId: u.taskId }] } });
    assert.deepEqual(explicit.anchor?.digests.map((d) => d.status), ["anchored", "anchored"]);
  });

  it("a hostile anchorer's junk roots neither hide the real root nor make the check slow", async () => {
    const t = await task(2, 3);
    const all = t.digests.flat();
    const { requester } = f.accounts;
    for (let i = 0; i < 40; i++) {
      // Junk trees, some declaring one leaf less than the task's digests (each forces a leave-one-out attempt).
      const junk = Array.from({ length: i % 2 ? all.length - 1 : 3 }, (_, j) => keccak256(stringToHex(`junk ${i}.${j}`)));
      await anchorTaskDigests(requester, { anchor, handler, taskId: t.taskId, digests: junk });
    }
    await anchorTaskDigests(agent, { anchor, handler, taskId: t.taskId, digests: all });
    const t0 = performance.now();
    const r = await verifyTask(f.publicClient, { handler, taskId: t.taskId, anchor, requireAnchor: true });
    const ms = performance.now() - t0;
    assert.equal(r.ok, true, renderTaskReport(r));
    assert.equal(r.anchor?.roots.length, 41);
    assert.ok(r.anchor?.digests.every((d) => d.status === "anchored"));
    assert.match(r.anchor?.checks.find((c) => c.id === "anchor.unmatchedRoots")?.reason ?? "", /rebuild\(s\) from none of the task's digest sets/);
    assert.ok(ms < 5_000, `${ms} ms`);
  });

  it("takes the anchor from a deployment; refuses a deployment of another chain", async () => {
    const t = await task(1, 1);
    await anchorTaskDigests(agent, { anchor, handler, taskId: t.taskId, digests: t.digests.flat() });
    const contracts = { DigestAnchor: { address: anchor, block: 0n, artifact: "artifacts/contracts/anchor/DigestAnchor.sol/DigestAnchor.json" } };
    const r = await verifyTask(f.publicClient, { handler, taskId: t.taskId, deployment: { chainId: f.chainId, contracts } });
    assert.equal(r.anchor?.digests[0]?.status, "anchored");
    const other = await verifyTask(f.publicClient, { handler, taskId: t.taskId, deployment: { chainId: f.chainId + 1, contracts } });
    assert.equal(other.checks.find((c) => c.id === "anchor.deployment")?.status, "fail");
    const none = await verifyTask(f.publicClient, { handler, taskId: t.taskId, deployment: { chainId: f.chainId, contracts: {} } });
    assert.equal(none.anchor, undefined);
  });

  it("never throws on a hostile anchor address; malformed anchor parameters are typed errors", async () => {
    const t = await task(1, 1);
    for (const address of [stranger.account.address, handler, f.ecdsa.address]) {
      const r = await verifyTask(f.publicClient, { handler, taskId: t.taskId, anchor: { address, onChain: true } });
      assert.equal(r.anchor?.digests[0]?.status, "not-anchored");
    }
    for (const bad of ["0x1234", { address: "nope" }, { address: anchor, batches: [{ anchorer: anchor, batchId: "0x12" }] }, { address: anchor, onChain: "yes" }]) {
      await assert.rejects(verifyTask(f.publicClient, { handler, taskId: t.taskId, anchor: bad as never }), ChainParameterError);
    }
  });

  it("anchoring digests: ECT = keccak256 of its compact JWS; Capsule = its capsule_id", () => {
    assert.equal(ectAnchorDigest("a.b.c"), keccak256(stringToHex("a.b.c")));
    assert.throws(() => ectAnchorDigest("not a jws"), ChainParameterError);
    const id = "ab".repeat(32);
    assert.equal(capsuleAnchorDigest({ capsule_id: id }), `0x${id}`);
    assert.equal(capsuleAnchorDigest(JSON.stringify({ capsule_id: id })), `0x${id}`);
    for (const bad of [null, {}, { capsule_id: "AB".repeat(32) }, "{", 42]) assert.throws(() => capsuleAnchorDigest(bad), ChainParameterError);
  });
});
