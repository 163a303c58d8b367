/**
 * Writes sdk/ethers/typechain/: the typechain (ethers v6) bindings of the deployable contracts,
 * copied from what `hardhat build` generates into types/ethers-contracts (git-ignored). Only the
 * type files are shipped (no factories: they embed bytecode, and the SDK connects by ABI).
 * Run after `hardhat build` (like scripts/gen-abis.ts); test/ethers/bindings.test.ts fails when
 * the committed copy drifts from the generated one.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** Files under types/ethers-contracts that sdk/ethers ships. */
export const BINDING_FILES: readonly string[] = [
  "common.ts",
  "AgentCaller.ts",
  "AgentHandler.ts",
  "interfaces/IAgentVerifier.ts",
  "verifiers/EcdsaAttestationVerifier.ts",
  "verifiers/WyriweAttestationVerifier.ts",
];

export const BINDINGS_HEADER = "/* Copied from types/ethers-contracts by scripts/gen-ethers-bindings.ts (typechain, ethers-v6). Regenerate after `hardhat build`. */\n";

export function renderBinding(file: string): string {
  return BINDINGS_HEADER + readFileSync(join(root, "types", "ethers-contracts", file), "utf8");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const f of BINDING_FILES) {
    const out = join(root, "sdk", "ethers", "typechain", f);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, renderBinding(f));
  }
  console.log(`wrote ${BINDING_FILES.length} files to sdk/ethers/typechain`);
}
