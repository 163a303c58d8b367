import { createRequire } from "node:module";
import { configVariable, defineConfig } from "hardhat/config";
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
  // `npm run test:deep` sets AGENT_EXEC_FUZZ_RUNS=10000: every fuzz test and every invariant at 10,000 runs. The fast
  // profile (CI, `npm test`) runs fuzz tests 256 times and invariants 128 times; an invariant run is a sequence of
  // 100 calls (depth) in both profiles. No test overrides the runs inline, so the variable reaches all of them.
  test: {
    solidity: {
      fuzz: { runs: Number(process.env.AGENT_EXEC_FUZZ_RUNS ?? 256) },
      invariant: { runs: Number(process.env.AGENT_EXEC_FUZZ_RUNS ?? 128), depth: 100 },
    },
  },
  // Deploy targets (README "Deploy"). The embedded network (`default`) needs nothing. `localhost` is a
  // `npx hardhat node` you start yourself (AGENT_EXEC_LOCALHOST_URL points it elsewhere, e.g. for tests). Testnets
  // read their RPC URL and deployer key from configuration variables: `npx hardhat keystore set SEPOLIA_RPC_URL`
  // (encrypted keystore) or the environment variable of the same name — never from the repo.
  networks: {
    hardhatMainnet: { type: "edr-simulated", chainType: "l1" },
    localhost: {
      type: "http",
      chainType: "l1",
      url: process.env.AGENT_EXEC_LOCALHOST_URL ?? "http://127.0.0.1:8545",
    },
    sepolia: {
      type: "http",
      chainType: "l1",
      url: configVariable("SEPOLIA_RPC_URL"),
      accounts: [configVariable("SEPOLIA_PRIVATE_KEY")],
    },
    // Any other EVM testnet: set TESTNET_RPC_URL and TESTNET_PRIVATE_KEY.
    testnet: {
      type: "http",
      chainType: "generic",
      url: configVariable("TESTNET_RPC_URL"),
      accounts: [configVariable("TESTNET_PRIVATE_KEY")],
    },
  },
});
