import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Address, Hex } from "viem";
import { CAPSULE_STEP_EXTENSION, checkCapsuleBinding } from "../../sdk/bridge/index.js";

const HANDLER: Address = "0x00000000000000000000000000000000000000Aa";
const TASK: Hex = `0x${"AB".repeat(32)}`;
const OUT: Hex = `0x${"cd".repeat(32)}`;
const step = { chainId: 31337, handler: HANDLER, taskId: TASK, stage: 2, outputHash: OUT };
const member = { chain_id: 31337, handler: HANDLER.toLowerCase(), task_id: TASK.toLowerCase(), stage: 2, output_hash: OUT, ects: ["j"] };

describe("checkCapsuleBinding", () => {
  it("a Capsule naming this step is bound (hex compared case-insensitively)", () => {
    assert.deepEqual(checkCapsuleBinding({ capsule: { capsule_id: "x", [CAPSULE_STEP_EXTENSION]: member }, ...step }), { status: "bound" });
  });

  it("a Capsule without the member is unbound, not a failure", () => {
    assert.deepEqual(checkCapsuleBinding({ capsule: { capsule_id: "x" }, ...step }), { status: "unbound" });
  });

  it("names every field that differs when the Capsule was made for another step", () => {
    const moved = { ...member, stage: 1, output_hash: `0x${"ee".repeat(32)}`, chain_id: 1 };
    assert.deepEqual(checkCapsuleBinding({ capsule: { [CAPSULE_STEP_EXTENSION]: moved }, ...step }), {
      status: "mismatch",
      fields: ["chain_id", "stage", "output_hash"],
    });
    const otherTask = { ...member, task_id: `0x${"01".repeat(32)}`, handler: "0x00000000000000000000000000000000000000bb" };
    assert.deepEqual(checkCapsuleBinding({ capsule: { [CAPSULE_STEP_EXTENSION]: otherTask }, ...step }), { status: "mismatch", fields: ["handler", "task_id"] });
  });

  it("never throws on hostile input: a malformed member is a mismatch, a non-object Capsule unbound", () => {
    for (const bad of [null, 7, "member", [member]]) {
      assert.deepEqual(checkCapsuleBinding({ capsule: { [CAPSULE_STEP_EXTENSION]: bad }, ...step }), { status: "mismatch", fields: [CAPSULE_STEP_EXTENSION] });
    }
    for (const capsule of [undefined, null, 1, "x", [], Object.create(null)]) {
      assert.deepEqual(checkCapsuleBinding({ capsule, ...step }), { status: "unbound" });
    }
    assert.deepEqual(checkCapsuleBinding(undefined as never), { status: "unbound" });
  });
});
