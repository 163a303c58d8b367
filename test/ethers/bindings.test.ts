/**
 * The committed typechain bindings (sdk/ethers/typechain) match what `hardhat build` generates
 * (types/ethers-contracts). Regenerate with `npx tsx scripts/gen-ethers-bindings.ts`.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { BINDING_FILES, renderBinding } from "../../scripts/gen-ethers-bindings.js";

const root = join(import.meta.dirname, "..", "..");

describe("sdk/ethers/typechain is the generated typechain output", () => {
  for (const f of BINDING_FILES) {
    it(f, (t) => {
      if (!existsSync(join(root, "types", "ethers-contracts", f))) return t.skip("types/ethers-contracts not generated (run hardhat build)");
      assert.equal(readFileSync(join(root, "sdk", "ethers", "typechain", f), "utf8"), renderBinding(f), `${f} drifted: run npx tsx scripts/gen-ethers-bindings.ts`);
    });
  }
});
