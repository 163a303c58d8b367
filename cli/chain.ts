/**
 * Chain access for the CLI: `--rpc <url>` (or AGENT_EXEC_RPC_URL; default http://127.0.0.1:8545, a local
 * `npx hardhat node`), the signing key from the environment variable named by `--key-env` (default
 * AGENT_EXEC_PRIVATE_KEY; keys are never flags, so they stay out of shell history and process lists), and the
 * deployment file (`--deployment`, default deployments/<chainId>.json) for contract addresses.
 */
import { existsSync } from "node:fs";
import type { Command } from "commander";
import {
  createPublicClient,
  createWalletClient,
  defineChain,
  http,
  isAddress,
  type Account,
  type Address,
  type Chain,
  type PublicClient,
  type Transport,
  type WalletClient,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { DeploymentError, loadDeployment, type Deployment } from "../sdk/deployments/index.js";
import { CliError, EXIT } from "./io.js";

/** A loaded deployment file, with the addresses the commands default to. */
export type CliDeployment = {
  caller?: Address | undefined;
  handler?: Address | undefined;
  /** Contract addresses by name. */
  contracts: Record<string, Address>;
  file: string;
  /** The typed deployment (blocks, workflows, artifacts). */
  deployment: Deployment;
};

export type Connection = {
  chainId: number;
  chain: Chain;
  rpc: string;
  publicClient: PublicClient<Transport, Chain>;
  walletClient: WalletClient<Transport, Chain, Account> | undefined;
  account: Account | undefined;
  deployment: CliDeployment | undefined;
};

export function chainOptions(cmd: Command): Command {
  return cmd
    .option("--rpc <url>", "JSON-RPC endpoint (env AGENT_EXEC_RPC_URL; default http://127.0.0.1:8545)")
    .option("--key-env <name>", "environment variable holding the 0x-prefixed private key", "AGENT_EXEC_PRIVATE_KEY")
    .option("--deployment <file>", "deployment file with contract addresses (default deployments/<chainId>.json if present)");
}

export function requireAddress(value: string | undefined, flag: string): Address {
  if (!value) throw new CliError(`missing ${flag} (or a deployment file that names it)`, EXIT.usage);
  if (!isAddress(value, { strict: false })) throw new CliError(`${flag} ${value} is not an address`, EXIT.usage);
  return value as Address;
}

export function requireBytes32(value: string | undefined, what: string): `0x${string}` {
  if (!value || !/^0x[0-9a-fA-F]{64}$/.test(value)) throw new CliError(`${what} must be a 0x-prefixed 32-byte hex value, got ${value ?? "nothing"}`, EXIT.usage);
  return value as `0x${string}`;
}

/**
 * Loads a deployment file with sdk/deployments' `loadDeployment` (the one reader of deployments/<chainId>.json:
 * the `agent-exec-deployment/1` file `agent-exec deploy` writes) and picks the AgentCaller and AgentHandler from
 * it. Every failure is one line and exit 2: `cannot read deployment <file>: <CODE>: <what and where>`, or
 * `deployment <file> is for chain <n>, the RPC is chain <m>`.
 */
export async function loadCliDeployment(file: string, chainId?: number): Promise<CliDeployment> {
  let deployment: Deployment;
  try {
    deployment = await loadDeployment(file);
  } catch (e) {
    if (!(e instanceof DeploymentError)) throw e;
    const what = [e.details?.split("\n")[0], e.path ? `at ${e.path}` : undefined].filter(Boolean).join(" ");
    throw new CliError(`cannot read deployment ${file}: ${e.code}: ${what || e.shortMessage}`, EXIT.usage);
  }
  if (chainId !== undefined && deployment.chainId !== chainId)
    throw new CliError(`deployment ${file} is for chain ${deployment.chainId}, the RPC is chain ${chainId}`, EXIT.usage);
  const contracts: Record<string, Address> = Object.fromEntries(Object.entries(deployment.contracts).map(([name, c]) => [name, c.address]));
  const find = (exact: string, re: RegExp) => contracts[exact] ?? Object.entries(contracts).find(([k]) => re.test(k))?.[1];
  return { caller: find("AgentCaller", /caller$/i), handler: find("AgentHandler", /handler$/i), contracts, file, deployment };
}

/**
 * The clients for `--rpc` / `--key-env`, and the deployment: `--deployment <file>`, else `deployments/<chainId>.json`
 * of the working directory when present. `readDeployment: false` (the `deploy` command, which writes a new one) skips
 * the default file, so a stale or malformed one there cannot block it.
 */
export async function connect(
  opts: Record<string, string | undefined>,
  { needsWallet, readDeployment = true }: { needsWallet: boolean; readDeployment?: boolean },
): Promise<Connection> {
  const rpc = opts.rpc ?? process.env.AGENT_EXEC_RPC_URL ?? "http://127.0.0.1:8545";
  // An explicit --deployment is read before the RPC is contacted: a bad file fails fast, without a node.
  const explicit = opts.deployment ? await loadCliDeployment(opts.deployment) : undefined;
  let probe: PublicClient;
  let chainId: number;
  try {
    probe = createPublicClient({ transport: http(rpc, { retryCount: 2, timeout: 15_000 }) });
    chainId = await probe.getChainId();
  } catch (e) {
    throw new CliError(`cannot reach JSON-RPC endpoint ${rpc}: ${String((e as { shortMessage?: string }).shortMessage ?? (e as Error).message).split("\n")[0]}`, EXIT.runtime);
  }
  const chain = defineChain({ id: chainId, name: `chain-${chainId}`, nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 }, rpcUrls: { default: { http: [rpc] } } });
  const transport = http(rpc, { retryCount: 3, timeout: 30_000 });
  const publicClient = createPublicClient({ chain, transport, pollingInterval: 250 });
  let account: Account | undefined;
  const keyEnv = opts.keyEnv ?? "AGENT_EXEC_PRIVATE_KEY";
  const key = process.env[keyEnv];
  if (key) {
    if (!/^0x[0-9a-fA-F]{64}$/.test(key)) throw new CliError(`${keyEnv} is not a 0x-prefixed 32-byte private key`, EXIT.usage);
    account = privateKeyToAccount(key as `0x${string}`);
  } else if (needsWallet) throw new CliError(`this command sends transactions: set ${keyEnv} to the sender's private key`, EXIT.usage);
  const walletClient = account ? createWalletClient({ chain, transport, account }) : undefined;
  if (explicit && explicit.deployment.chainId !== chainId)
    throw new CliError(`deployment ${explicit.file} is for chain ${explicit.deployment.chainId}, the RPC is chain ${chainId}`, EXIT.usage);
  const defaultFile = `deployments/${chainId}.json`;
  const deployment = explicit ?? (readDeployment && existsSync(defaultFile) ? await loadCliDeployment(defaultFile, chainId) : undefined);
  return { chainId, chain, rpc, publicClient, walletClient, account, deployment };
}
