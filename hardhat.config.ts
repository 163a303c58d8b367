import { createRequire } from "node:module";
import { defineConfig } from "hardhat/config";
import hardhatToolboxViem from "@nomicfoundation/hardhat-toolbox-viem";
import hardhatEthers from "@nomicfoundation/hardhat-ethers";
import hardhatTypechain from "@nomicfoundation/hardhat-typechain";

const require = createRequire(import.meta.url);

/** The one solc version of the project; the npm `solc` package is pinned to it (no download needed). */
export const SOLC_VERSION = "0.8.30";

const solc = {
  version: SOLC_VERSION,
  path: require.resolve("solc/soljson.js"),
  settings: {
    optimizer: { enabled: true, runs: 200 },
    evmVersion: "cancun",
    viaIR: true,
  },
};

export default defineConfig({
  plugins: [hardhatToolboxViem, hardhatEthers, hardhatTypechain],
  solidity: {
    splitTestsCompilation: true,
    profiles: {
      default: solc,
      // Identical to default (Hardhat's production default would be isolated builds): a deploy reuses the cache.
      production: { ...solc, isolated: false, toolVersionsInBuildInfo: false },
    },
  },
  paths: {
    sources: "./contracts",
    tests: {
      solidity: "./test/solidity",
      nodejs: "./test",
    },
  },
  typechain: {
    outDir: "types/ethers-contracts",
  },
  test: {
    solidity: {
      fuzz: { runs: 256 },
    },
  },
  networks: {
    hardhatMainnet: { type: "edr-simulated", chainType: "l1" },
  },
});
