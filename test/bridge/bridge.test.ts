import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import { encodePacked, keccak256, toHex, type Hex } from "viem";
import { createEct, Verdict } from "../../sdk/index.js";
import {
  BridgeError,
  bytes32ToCapsuleId,
  bytes32ToEctHash,
  capsuleIdToBytes32,
  capsuleVerdict,
  decodeStepPayload,
  ectHashToBytes32,
  encodeStepPayload,
  mapEctDagToStages,
  stageOutputHash,
} from "../../sdk/bridge/index.js";
import { AUD, ISS, clock, makeAgent } from "../ect/helpers.js";

const TASK: Hex = `0x${"ab".repeat(32)}`;

describe("hash conversions", () => {
  it("ECT hashes ↔ bytes32, both ways, losslessly", () => {
    for (let i = 0; i < 50; i++) {
      const digest = createHash("sha256").update(`x${i}`).digest();
      const b64 = digest.toString("base64url");
      const word = ectHashToBytes32(b64);
      assert.equal(word, toHex(digest));
      assert.equal(bytes32ToEctHash(word), b64);
    }
  });
  it("refuses malformed ECT hashes and words with BridgeError", () => {
    for (const bad of ["", "abc", "A".repeat(44), "A".repeat(42) + "B", null, 7])
      assert.throws(() => ectHashToBytes32(bad as string), (e: unknown) => e instanceof BridgeError && e.code === "BRIDGE_INVALID_ECT_HASH");
    for (const bad of ["0x12", "0x" + "zz".repeat(32), null])
      assert.throws(() => bytes32ToEctHash(bad as Hex), (e: unknown) => e instanceof BridgeError && e.code === "BRIDGE_INVALID_BYTES32");
  });
  it("capsule ids ↔ bytes32", () => {
    const id = "0f".repeat(32);
    assert.equal(bytes32ToCapsuleId(capsuleIdToBytes32(id)), id);
    assert.throws(() => capsuleIdToBytes32("0F".repeat(32)), (e: unknown) => e instanceof BridgeError && e.code === "BRIDGE_INVALID_CAPSULE_ID");
  });
});

describe("step payloads", () => {
  it("round-trip, and anything else decodes to undefined", () => {
    const p = encodeStepPayload({ ects: ["a.b.c", "d.e.f"], capsules: [{ capsule_id: "11".repeat(32) }, '{"b":1}'] });
    assert.deepEqual(decodeStepPayload(p), { ects: ["a.b.c", "d.e.f"], capsules: [{ capsule_id: "11".repeat(32) }, { b: 1 }] });
    assert.throws(() => encodeStepPayload({ capsules: [7 as never] }), BridgeError);
    for (const junk of [undefined, null, 1, "0x", "0x41455831", p.slice(0, 100), "0x00" + p.slice(4), { p }]) assert.equal(decodeStepPayload(junk), undefined);
    assert.throws(() => encodeStepPayload({ ects: ["not-a-jws"] }), BridgeError);
    assert.throws(() => encodeStepPayload(null as never), BridgeError);
  });
  it("stageOutputHash: one ECT is its out_hash; several are keccak256 of the packed words", () => {
    const h = (s: string) => createHash("sha256").update(s).digest("base64url");
    assert.equal(stageOutputHash([h("a")]), ectHashToBytes32(h("a")));
    const words = [h("a"), h("b")].map(ectHashToBytes32);
    assert.equal(stageOutputHash([h("a"), h("b")]), keccak256(encodePacked(["bytes32", "bytes32"], words as [Hex, Hex])));
    assert.notEqual(stageOutputHash([h("a"), h("b")]), stageOutputHash([h("b"), h("a")]));
    assert.throws(() => stageOutputHash([]), BridgeError);
  });
});

describe("mapEctDagToStages", async () => {
  const agent = await makeAgent("agent-a", ISS);
  const ect = (jti: string, par: string[], out: string, wid: string = TASK) =>
    createEct({ signer: agent.signer, iss: ISS, aud: AUD, exec_act: `act-${jti}`, jti, par, wid, output: out, clock }).then((r) => r.token);

  it("maps a 3-node DAG with fan-out: root in stage 0, both branches in stage 1, in jti order", async () => {
    const root = await ect("n0", [], "root-out");
    const b2 = await ect("n2", ["n0"], "b2-out");
    const b1 = await ect("n1", ["n0"], "b1-out");
    const stages = mapEctDagToStages({ ects: [b2, root, b1], taskId: TASK, stageCount: 2 });
    assert.equal(stages.length, 2);
    assert.deepEqual(stages.map((s) => s.jtis), [["n0"], ["n1", "n2"]]);
    const out = (s: string) => createHash("sha256").update(s).digest("base64url");
    assert.equal(stages[0]!.outputHash, ectHashToBytes32(out("root-out")));
    assert.equal(stages[1]!.outputHash, stageOutputHash([out("b1-out"), out("b2-out")]));
    assert.deepEqual(decodeStepPayload(stages[1]!.payload)?.ects, [b1, b2]);
  });

  it("a fan-in node lands after every parent", async () => {
    const a = await ect("a", [], "a");
    const b = await ect("b", ["a"], "b");
    const c = await ect("c", ["a", "b"], "c");
    assert.deepEqual(mapEctDagToStages({ ects: [c, b, a], taskId: TASK }).map((s) => s.jtis), [["a"], ["b"], ["c"]]);
  });

  it("refuses ECTs of another task, a broken DAG, a stage-count mismatch and garbage", async () => {
    const a = await ect("a", [], "a");
    const other = await ect("x", [], "x", `0x${"cd".repeat(32)}`);
    assert.throws(() => mapEctDagToStages({ ects: [a, other], taskId: TASK }), (e: unknown) => e instanceof BridgeError && e.code === "BRIDGE_ECT_WID_MISMATCH");
    const orphan = await ect("o", ["missing"], "o");
    assert.throws(() => mapEctDagToStages({ ects: [a, orphan], taskId: TASK }), (e: unknown) => e instanceof BridgeError && e.code === "BRIDGE_ECT_DAG_INVALID");
    assert.throws(() => mapEctDagToStages({ ects: [a], taskId: TASK, stageCount: 2 }), (e: unknown) => e instanceof BridgeError && e.code === "BRIDGE_STAGE_MISMATCH");
    assert.throws(() => mapEctDagToStages({ ects: ["x.y.z"], taskId: TASK }), (e: unknown) => e instanceof BridgeError && e.code === "BRIDGE_ECT_UNREADABLE");
    assert.throws(() => mapEctDagToStages({ ects: [], taskId: TASK }), BridgeError);
    assert.throws(() => mapEctDagToStages({ ects: [a], taskId: "0x1" as Hex }), BridgeError);
  });
});

describe("capsuleVerdict", () => {
  const cap = (disposition?: Record<string, unknown>) => ({ disposition });
  it("maps dispositions as the table in capsuleVerdict.ts says", () => {
    assert.equal(capsuleVerdict(cap({ decision: "reject" })).verdict, Verdict.Denied);
    assert.equal(capsuleVerdict(cap({ decision: "accept", verdict_class: "denied" })).verdict, Verdict.Denied);
    assert.equal(capsuleVerdict(cap({ decision: "accept", verdict_class: "blocked" })).verdict, Verdict.Denied);
    assert.equal(capsuleVerdict(cap({ decision: "accept" })).verdict, Verdict.Approved);
    assert.equal(capsuleVerdict(cap({ decision: "accept", verdict_class: "executed" })).verdict, Verdict.Approved);
    for (const d of [{ decision: "needs_input" }, { decision: "deferred" }, { decision: "accept", verdict_class: "timeout" }])
      assert.equal(capsuleVerdict(cap(d)).verdict, undefined);
    for (const junk of [null, 1, "x", {}, cap()]) assert.equal(capsuleVerdict(junk).verdict, undefined);
  });
});
