import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { quickstart } from "../../scripts/examples/sdk-quickstart.js";

describe("README quickstart (scripts/examples/sdk-quickstart.ts)", () => {
  it("runs end to end: ECTs verify, the Capsule verifies, the task id is the requester-bound one", async () => {
    const lines: string[] = [];
    const r = await quickstart((l) => lines.push(l));
    assert.equal(r.dagOk, true);
    assert.equal(r.capsuleOk, true);
    assert.equal(r.taskId, "0x1ffa83effeb698904cfed196a8c6d48c14ef9a539703bcce6c3a18b6459767b8");
    assert.equal(lines.length, 3);
  });
});
