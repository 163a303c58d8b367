/**
 * The deploy behind `npm run deploy` (scripts/deploy.ts) and the CLI's `deploy`: runs the Ignition module
 * ignition/modules/AgentExec.ts on a network connection and writes deployments/<chainId>.json.
 *
 * Re-running it is safe and cheap: Ignition resumes from its journal (ignition/deployments/<id>/) and sends nothing
 * for contracts already deployed; the file is rewritten with the workflows registered since (read from the
 * handler's `WorkflowRegistered` logs).
 */
import { existsSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import hre from "hardhat";
import type { NetworkConnection } from "hardhat/types/network";
import { parseEventLogs, type Address, type Hex, type PublicClient } from "viem";
import AgentExecModule from "../../ignition/modules/AgentExec.js";
import { agentHandlerAbi } from "../../sdk/chain/abis.js";
import {
  DEPLOYMENT_FORMAT,
  deploymentPath,
  loadDeployment,
  parseDeployment,
  serializeDeployment,
  writeDeployment,
  type DeployedContract,
  type Deployment,
  type RegisteredWorkflow,
} from "../../sdk/deployments/index.js";
import { ABI_SOURCES } from "../gen-abis.js";

export const repoRoot = resolve(fileURLToPath(new URL("../../", import.meta.url)));
const LOCAL_CHAIN_ID = 31337;
/** Blocks per eth_getLogs request (public RPCs cap the range). */
const LOG_CHUNK = 10_000n;

export type DeployOptions = {
  /** A connection from `network.connect()` (its network is the target). */
  connection: NetworkConnection<"generic"> | NetworkConnection;
  /** Ignition parameter file; default ignition/parameters/<network>.json, else local.json on chain 31337. */
  parametersFile?: string | undefined;
  /** Where deployments/<chainId>.json goes (default deployments/ of the repo). */
  deploymentsDir?: string | undefined;
  /** Ignition deployment id (default chain-<chainId>); its journal is ignition/deployments/<id>/. */
  deploymentId?: string | undefined;
  /** Show Ignition's progress UI. */
  displayUi?: boolean | undefined;
  log?: ((line: string) => void) | undefined;
};

export type DeployResult = { deployment: Deployment; file: string };

/** The parameter file for a network, or a clear error naming the file to create. */
export function resolveParametersFile(networkName: string, chainId: number, given?: string): string {
  if (given) {
    const file = resolve(given);
    if (!existsSync(file)) throw new Error(`parameter file ${file} does not exist`);
    if (file.endsWith(".example.json")) {
      throw new Error(`${relative(repoRoot, file)} is a template: copy it to ignition/parameters/${networkName}.json and fill it in`);
    }
    return file;
  }
  const own = join(repoRoot, "ignition", "parameters", `${networkName}.json`);
  if (existsSync(own)) return own;
  if (chainId === LOCAL_CHAIN_ID) return join(repoRoot, "ignition", "parameters", "local.json");
  throw new Error(
    `no Ignition parameters for network "${networkName}" (chain ${chainId}): copy ignition/parameters/testnet.example.json ` +
      `to ignition/parameters/${networkName}.json and set the owner and attester sets`,
  );
}

type Creation = { block: bigint; transactionHash?: Hex };

/** Creation receipts recorded in an Ignition journal (file-based deployments: every network but the embedded one). */
function creationsFromJournal(journalFile: string): Map<string, Creation> {
  const out = new Map<string, Creation>();
  if (!existsSync(journalFile)) return out;
  for (const line of readFileSync(journalFile, "utf8").split("\n")) {
    if (!line.trim()) continue;
    let msg: { type?: string; receipt?: { contractAddress?: string; blockNumber?: number | string }; hash?: string };
    try {
      msg = JSON.parse(line);
    } catch {
      continue;
    }
    const address = msg.receipt?.contractAddress;
    if (msg.type === "TRANSACTION_CONFIRM" && address && msg.receipt?.blockNumber !== undefined) {
      out.set(address.toLowerCase(), {
        block: BigInt(msg.receipt.blockNumber),
        ...(msg.hash ? { transactionHash: msg.hash as Hex } : {}),
      });
    }
  }
  return out;
}

/** Contract creations in (from, latest]: for the embedded network, where Ignition keeps no journal. */
async function creationsFromBlocks(client: PublicClient, from: bigint): Promise<Map<string, Creation>> {
  const out = new Map<string, Creation>();
  const latest = await client.getBlockNumber();
  for (let n = from + 1n; n <= latest; n++) {
    const block = await client.getBlock({ blockNumber: n, includeTransactions: true });
    for (const tx of block.transactions) {
      if (tx.to !== null) continue;
      const receipt = await client.getTransactionReceipt({ hash: tx.hash });
      if (receipt.contractAddress) out.set(receipt.contractAddress.toLowerCase(), { block: n, transactionHash: tx.hash });
    }
  }
  return out;
}

/** Every `WorkflowRegistered` of a handler since `fromBlock`, in chain order. */
export async function registeredWorkflows(client: PublicClient, handler: Address, fromBlock: bigint): Promise<RegisteredWorkflow[]> {
  const latest = await client.getBlockNumber();
  const out: RegisteredWorkflow[] = [];
  for (let start = fromBlock; start <= latest; start += LOG_CHUNK) {
    const end = start + LOG_CHUNK - 1n < latest ? start + LOG_CHUNK - 1n : latest;
    const logs = await client.getLogs({ address: handler, fromBlock: start, toBlock: end });
    for (const e of parseEventLogs({ abi: agentHandlerAbi, logs, eventName: "WorkflowRegistered" })) {
      const args = e.args as { agentWorkflowHash: Hex; policyId: number; policyDigest?: Hex };
      out.push({
        handler,
        workflowHash: args.agentWorkflowHash,
        policyId: Number(args.policyId),
        policyDigest: args.policyDigest,
        block: e.blockNumber,
        transactionHash: e.transactionHash,
      });
    }
  }
  return out;
}

/** [artifact path relative to the repo, `agent-exec/chain` ABI export] of a contract. */
async function abiLocation(contractName: string) {
  const artifact = await hre.artifacts.readArtifact(contractName);
  const artifactsDir = relative(repoRoot, hre.config.paths.artifacts) || "artifacts";
  const rel = `${artifact.sourceName.replace(/^contracts\//, "")}/${artifact.contractName}.json`;
  return {
    artifact: `${artifactsDir}/${artifact.sourceName}/${artifact.contractName}.json`,
    abiExport: ABI_SOURCES.find(([, path]) => path === rel)?.[0],
  };
}

export async function deployAgentExec(options: DeployOptions): Promise<DeployResult> {
  const { connection } = options;
  const log = options.log ?? (() => {});
  const { viem, ignition, networkName } = connection as NetworkConnection;
  const client = (await viem.getPublicClient()) as PublicClient;
  const chainId = await client.getChainId();
  const [wallet] = await viem.getWalletClients();
  const parametersFile = resolveParametersFile(networkName, chainId, options.parametersFile);
  const dir = options.deploymentsDir ?? join(repoRoot, "deployments");
  const deploymentId = options.deploymentId ?? `chain-${chainId}`;
  const embedded = connection.networkConfig.type === "edr-simulated";
  log(`deploying AgentExec to ${networkName} (chain ${chainId}) with ${relative(repoRoot, parametersFile)}`);

  const before = await client.getBlockNumber();
  const result = (await ignition.deploy(AgentExecModule, {
    parameters: parametersFile,
    ...(embedded ? {} : { deploymentId }),
    displayUi: options.displayUi ?? false,
  })) as unknown as Record<string, { address: Address }>;

  let previous: Deployment | undefined;
  if (existsSync(deploymentPath(chainId, dir))) {
    previous = await loadDeployment(chainId, { dir }).catch(() => undefined);
  }
  const journal = embedded ? new Map<string, Creation>() : creationsFromJournal(join(repoRoot, "ignition", "deployments", deploymentId, "journal.jsonl"));
  let scanned: Map<string, Creation> | undefined;

  const contracts: Record<string, DeployedContract> = {};
  for (const [name, contract] of Object.entries(result)) {
    const key = contract.address.toLowerCase();
    let creation = journal.get(key);
    if (!creation) {
      const old = previous && Object.values(previous.contracts).find((c) => c.address.toLowerCase() === key);
      if (old) creation = { block: old.block, ...(old.transactionHash ? { transactionHash: old.transactionHash } : {}) };
    }
    if (!creation) {
      scanned ??= await creationsFromBlocks(client, before);
      creation = scanned.get(key);
    }
    if (!creation) throw new Error(`cannot find the creation block of ${name} at ${contract.address}`);
    // The Ignition result keys are contract names (see ignition/modules/AgentExec.ts).
    contracts[name] = {
      address: contract.address,
      block: creation.block,
      transactionHash: creation.transactionHash,
      ...(await abiLocation(name)),
    };
  }

  const handler = contracts.AgentHandler!;
  const deploymentBlock = Object.values(contracts).reduce((min, c) => (c.block < min ? c.block : min), handler.block);
  const deployment: Deployment = {
    format: DEPLOYMENT_FORMAT,
    chainId,
    network: networkName,
    deploymentBlock,
    deployer: wallet?.account.address,
    ignition: {
      module: AgentExecModule.id,
      deploymentId: embedded ? "(in memory: embedded network)" : deploymentId,
      parameters: relative(repoRoot, parametersFile),
    },
    contracts,
    workflows: await registeredWorkflows(client, handler.address, handler.block),
    updatedAt: new Date().toISOString(),
  };
  const file = await writeDeployment(deployment, { dir });
  log(`wrote ${relative(process.cwd(), file) || file}`);
  // What a reader of the file gets (checksummed addresses, lower-case hashes).
  return { deployment: parseDeployment(serializeDeployment(deployment)), file };
}
