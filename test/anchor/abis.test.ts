import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { ABI_OUTPUTS, renderAbiFile } from "../../scripts/gen-abis-v3.js";

describe("generated v3 ABIs", () => {
  for (const out of Object.keys(ABI_OUTPUTS)) {
    it(`${out} matches the artifacts (npx hardhat build && npx tsx scripts/gen-abis-v3.ts)`, () => {
      assert.equal(readFileSync(out, "utf8"), renderAbiFile(out));
    });
  }
});
