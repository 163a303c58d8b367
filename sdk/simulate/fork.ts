/**
 * An in-process fork of a chain, on Hardhat 3's EDR network (`network.create({ override: { type: "edr-simulated",
 * forking: { url, blockNumber } } })`). Hardhat is an optional peer here: it is loaded only when a fork is made,
 * and its EDR addon loads on Node 20 as a library (only Hardhat's CLI asks for Node 22), so no child process is
 * needed. Nothing is sent to the forked chain: EDR only reads state from it (eth_getStorageAt, eth_getCode, …).
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createPublicClient, custom, defineChain, http, numberToHex, type Chain, type EIP1193Provider, type Hex, type PublicClient, type Transport } from "viem";
import { SimulateError } from "./errors.js";

export type CreateForkParameters = {
  /** JSON-RPC URL of the chain to fork. */
  url: string;
  /** Block to fork at (default: the chain's latest). */
  blockNumber?: bigint | undefined;
  /** Hardhat chain type (default `generic`; `op` for OP-stack chains). */
  chainType?: "generic" | "l1" | "op" | undefined;
  /** Hardfork for the new blocks (default: Hardhat's, or the one it knows for the chain). */
  hardfork?: string | undefined;
  /** Extra HTTP headers for the forked RPC (e.g. an API key). */
  httpHeaders?: Record<string, string> | undefined;
};

export type Fork = {
  /** A viem client on the fork (pass it to `simulateWorkflow`). */
  client: PublicClient<Transport, Chain>;
  /** The fork's EIP-1193 provider. */
  provider: EIP1193Provider;
  /** The forked chain's id (the fork keeps it, so EIP-712 domains and task ids match). */
  chainId: number;
  /** The block forked at. */
  blockNumber: bigint;
  /** Milliseconds it took to start the fork. */
  startMs: number;
  /** Stops the fork. */
  close(): Promise<void>;
};

type HardhatHre = {
  network: {
    create(params: { override: Record<string, unknown> }): Promise<{ provider: EIP1193Provider; close(): Promise<void> }>;
  };
};

/** Starts an in-process fork of `url` at its latest (or the given) block. */
export async function createFork(parameters: CreateForkParameters): Promise<Fork> {
  const started = Date.now();
  const { url } = parameters;
  if (typeof url !== "string" || !/^https?:\/\//.test(url)) {
    throw new SimulateError("SIMULATE_INVALID_PARAMETER", { details: `the fork URL must be an http(s) JSON-RPC URL, got ${String(url)}` });
  }
  let chainId: number;
  let latest: bigint;
  try {
    const probe = createPublicClient({ transport: http(url, { retryCount: 1, timeout: 15_000, fetchOptions: parameters.httpHeaders ? { headers: parameters.httpHeaders } : undefined }) });
    [chainId, latest] = await Promise.all([probe.getChainId(), probe.getBlockNumber()]);
  } catch (error) {
    throw new SimulateError("SIMULATE_FORK_RPC", { details: `cannot reach JSON-RPC endpoint ${url}: ${oneLine(error)}`, cause: error });
  }
  const blockNumber = parameters.blockNumber ?? latest;
  if (blockNumber > latest) throw new SimulateError("SIMULATE_INVALID_PARAMETER", { details: `block ${blockNumber} is beyond the chain's latest block ${latest}` });

  let hre: HardhatHre;
  try {
    const specifier = "hardhat/hre";
    const mod = (await import(specifier)) as { createHardhatRuntimeEnvironment(config: object, options?: object, projectRoot?: string): Promise<HardhatHre> };
    hre = await mod.createHardhatRuntimeEnvironment({}, {}, packageRoot());
  } catch (error) {
    throw new SimulateError("SIMULATE_FORK_UNAVAILABLE", { details: `cannot load hardhat/hre (install hardhat@3 next to agent-exec): ${oneLine(error)}`, cause: error });
  }
  let connection: { provider: EIP1193Provider; close(): Promise<void> };
  try {
    connection = await hre.network.create({
      override: {
        type: "edr-simulated",
        chainId,
        ...(parameters.chainType ? { chainType: parameters.chainType } : {}),
        ...(parameters.hardfork ? { hardfork: parameters.hardfork } : {}),
        accounts: [],
        loggingEnabled: false,
        mining: { auto: true, interval: 0 },
        forking: { url, blockNumber, ...(parameters.httpHeaders ? { httpHeaders: parameters.httpHeaders } : {}) },
      },
    });
  } catch (error) {
    throw new SimulateError("SIMULATE_FORK_RPC", { details: `forking ${url} at block ${blockNumber} failed: ${oneLine(error)}`, cause: error });
  }
  // Mine one local block on top of the fork block, so that calls run against local state: EDR cannot execute on
  // the fork block itself for a chain whose hardfork history it does not know (a development chain, a new testnet).
  // Its timestamp is the fork block's + 1, so the simulation's clock starts at the chain's.
  try {
    const forked = (await connection.provider.request({ method: "eth_getBlockByNumber", params: [numberToHex(blockNumber), false] })) as { timestamp: Hex };
    await connection.provider.request({ method: "evm_mine", params: [numberToHex(BigInt(forked.timestamp) + 1n)] } as never);
  } catch (error) {
    await connection.close();
    throw new SimulateError("SIMULATE_FORK_RPC", { details: `the fork of ${url} at block ${blockNumber} cannot mine: ${oneLine(error)}`, cause: error });
  }
  const chain = defineChain({ id: chainId, name: `fork-of-${chainId}`, nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 }, rpcUrls: { default: { http: [url] } } });
  const client = createPublicClient({ chain, transport: custom(connection.provider, { retryCount: 0 }) });
  return { client, provider: connection.provider, chainId, blockNumber, startMs: Date.now() - started, close: () => connection.close() };
}

/** The agent-exec package root (Hardhat wants a project root with a package.json; the fork writes nothing there). */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, "package.json"))) return dir;
    const up = dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
}

function oneLine(error: unknown): string {
  const e = error as { shortMessage?: unknown; message?: unknown };
  return String(e?.shortMessage ?? e?.message ?? error).split("\n")[0] ?? "";
}
