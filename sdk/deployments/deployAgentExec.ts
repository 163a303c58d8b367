/**
 * `deployAgentExec`: deploys what ignition/modules/AgentExec.ts deploys — the AgentCaller, the reference AgentHandler
 * (trusting that caller, owned by `owner`) and the attester-set verifiers (EcdsaAttestationVerifier,
 * WyriweAttestationVerifier) — from the creation bytecode shipped in the package (./bytecode.ts), with a viem wallet
 * client, waiting for each receipt. Returns the `agent-exec-deployment/1` {@link Deployment} (write it with
 * `writeDeployment`). No Hardhat, artifacts or Ignition journal needed: the path for projects that install the package.
 *
 * Not resumable: a failure part-way leaves the contracts deployed so far on chain (the error names the one that
 * failed); run it again for a fresh set. Inside the repository, `npm run deploy` (Ignition) resumes instead.
 */
import { getAddress, isAddress, zeroAddress, type Abi, type Account, type Address, type Chain, type Hex, type PublicClient, type Transport, type WalletClient } from "viem";
import { agentCallerAbi, agentHandlerAbi, ecdsaAttestationVerifierAbi, wyriweAttestationVerifierAbi } from "../chain/abis.js";
import { agentExecBytecode, type AgentExecContractName } from "./bytecode.js";
import { DEPLOYMENT_FORMAT, parseDeployment, serializeDeployment, type DeployedContract, type Deployment } from "./deployment.js";
import { DeploymentError } from "./errors.js";

/** The verifiers `deployAgentExec` deploys (each an attester set with a strict-majority threshold). */
export type AgentExecVerifierName = "EcdsaAttestationVerifier" | "WyriweAttestationVerifier";

/** The attester set of one verifier. */
export type AttesterSetParameters = {
  /** Distinct, nonzero addresses. */
  attesters: readonly Address[];
  /** How many of them must sign: a strict majority (`2 * threshold > attesters.length`, `threshold <= attesters.length`). */
  threshold: number;
};

export type DeployAgentExecParameters = {
  /** The sender; default the wallet client's account. */
  account?: Account | undefined;
  /** The handler's owner (registers workflow policies; Ownable2Step). Default: the sender. */
  owner?: Address | undefined;
  /** The attesters of every verifier. Default: `[sender]` (with threshold 1). */
  attesters?: readonly Address[] | undefined;
  /** The threshold of every verifier. Default: 1 when `attesters` is defaulted, else a bare majority `floor(n / 2) + 1`. */
  threshold?: number | undefined;
  /** Per-verifier attester sets, overriding `attesters` / `threshold` (Ignition's per-module parameter blocks). */
  verifiers?: Partial<Record<AgentExecVerifierName, AttesterSetParameters>> | undefined;
  /** The `network` recorded in the deployment (default `chain-<chainId>`). */
  network?: string | undefined;
  /** Called after each contract's receipt, in deployment order. */
  onDeployed?: ((contract: AgentExecContractName, deployed: DeployedContract) => void) | undefined;
};

/** The deployment, as `parseDeployment` reads it back (checksummed addresses, lower-case hashes). */
export type DeployAgentExecReturnType = Deployment;

const VERIFIER_ABIS: Record<AgentExecVerifierName, Abi> = {
  EcdsaAttestationVerifier: ecdsaAttestationVerifierAbi,
  WyriweAttestationVerifier: wyriweAttestationVerifierAbi,
};

function invalid(details: string, path?: string): never {
  throw new DeploymentError("DEPLOYMENT_INVALID_PARAMETERS", "Invalid deployAgentExec parameters.", { details, path });
}

function checkAddress(value: unknown, path: string): Address {
  if (typeof value !== "string" || !isAddress(value, { strict: false })) invalid(`expected a 20-byte hex address, got ${JSON.stringify(value)}`, path);
  if (value.toLowerCase() === zeroAddress) invalid("the zero address is not allowed", path);
  return getAddress(value);
}

function attesterSet(attesters: unknown, threshold: unknown, prefix: string): { attesters: Address[]; threshold: bigint } {
  const path = (field: string) => (prefix ? `${prefix}.${field}` : field);
  if (!Array.isArray(attesters) || attesters.length === 0) invalid(`expected a non-empty array of addresses, got ${JSON.stringify(attesters)}`, path("attesters"));
  const out = attesters.map((a, i) => checkAddress(a, path(`attesters[${i}]`)));
  const seen = new Set<string>();
  for (const [i, a] of out.entries()) {
    if (seen.has(a)) invalid(`duplicate attester ${a}`, path(`attesters[${i}]`));
    seen.add(a);
  }
  const n = out.length;
  const t = threshold === undefined ? Math.floor(n / 2) + 1 : threshold;
  if (typeof t !== "number" || !Number.isSafeInteger(t) || t * 2 <= n || t > n) {
    invalid(`threshold must be an integer with n/2 < threshold <= n for n = ${n} attesters, got ${JSON.stringify(t)}`, path("threshold"));
  }
  return { attesters: out, threshold: BigInt(t) };
}

/** One line for a viem / RPC error: its short message, plus the node's own words (viem's `details`) when they add something. */
function firstLine(e: unknown): string {
  const err = e as { shortMessage?: unknown; details?: unknown; message?: unknown };
  const short = String(err?.shortMessage ?? err?.message ?? e).split("\n")[0]!;
  const details = typeof err?.details === "string" ? err.details.split("\n")[0]! : "";
  return details && !short.includes(details) ? `${short} (${details})` : short;
}

/**
 * Deploys the AgentCaller, the AgentHandler and the attester-set verifiers, in that order, one transaction each.
 * Throws {@link DeploymentError}: `DEPLOYMENT_INVALID_PARAMETERS` (before anything is sent) or `DEPLOYMENT_FAILED`
 * (with `contract` set to the one whose transaction could not be sent, reverted or created no code).
 */
export async function deployAgentExec(
  publicClient: PublicClient<Transport, Chain | undefined>,
  walletClient: WalletClient<Transport, Chain | undefined, Account | undefined>,
  parameters: DeployAgentExecParameters = {},
): Promise<DeployAgentExecReturnType> {
  if (!parameters || typeof parameters !== "object") invalid("parameters must be an object");
  const account = parameters.account ?? walletClient.account;
  if (!account) invalid("no account: pass `account` or use a wallet client with one", "account");
  const owner = parameters.owner === undefined ? account.address : checkAddress(parameters.owner, "owner");
  const defaulted = parameters.attesters === undefined;
  const common = attesterSet(defaulted ? [account.address] : parameters.attesters, defaulted && parameters.threshold === undefined ? 1 : parameters.threshold, "");
  for (const key of Object.keys(parameters.verifiers ?? {})) if (!(key in VERIFIER_ABIS)) invalid(`unknown verifier ${key}; known: ${Object.keys(VERIFIER_ABIS).join(", ")}`, `verifiers.${key}`);
  const sets = {} as Record<AgentExecVerifierName, { attesters: Address[]; threshold: bigint }>;
  for (const name of Object.keys(VERIFIER_ABIS) as AgentExecVerifierName[]) {
    const own = parameters.verifiers?.[name];
    sets[name] = own === undefined ? common : attesterSet(own.attesters, own.threshold, `verifiers.${name}`);
  }

  let chainId: number;
  try {
    chainId = await publicClient.getChainId();
  } catch (cause) {
    throw new DeploymentError("DEPLOYMENT_FAILED", "Cannot reach the chain.", { details: firstLine(cause), cause });
  }
  const contracts: Record<string, DeployedContract> = {};

  const deploy = async (name: AgentExecContractName, abi: Abi, args: readonly unknown[]): Promise<Address> => {
    const { bytecode, artifact } = agentExecBytecode[name];
    const abiExport = (agentExecBytecode[name] as { abiExport?: string }).abiExport;
    const fail = (details: string, cause?: unknown): never => {
      throw new DeploymentError("DEPLOYMENT_FAILED", `Deploying ${name} failed.`, { details, contract: name, cause });
    };
    let hash: Hex;
    try {
      hash = await walletClient.deployContract({ abi, bytecode, args, account, chain: walletClient.chain ?? null } as never);
    } catch (cause) {
      return fail(`sending the creation transaction: ${firstLine(cause)}`, cause);
    }
    let receipt;
    try {
      receipt = await publicClient.waitForTransactionReceipt({ hash });
    } catch (cause) {
      return fail(`waiting for the receipt of ${hash}: ${firstLine(cause)}`, cause);
    }
    if (receipt.status !== "success") fail(`creation transaction ${hash} reverted (block ${receipt.blockNumber})`);
    if (!receipt.contractAddress) fail(`the receipt of ${hash} has no contract address`);
    const address = getAddress(receipt.contractAddress!);
    const deployed: DeployedContract = { address, block: receipt.blockNumber, transactionHash: hash, artifact, abiExport };
    contracts[name] = deployed;
    parameters.onDeployed?.(name, deployed);
    return address;
  };

  const caller = await deploy("AgentCaller", agentCallerAbi, []);
  await deploy("AgentHandler", agentHandlerAbi, [caller, owner]);
  for (const [name, abi] of Object.entries(VERIFIER_ABIS) as [AgentExecVerifierName, Abi][]) {
    await deploy(name, abi, [sets[name].attesters, sets[name].threshold]);
  }

  const deployment: Deployment = {
    format: DEPLOYMENT_FORMAT,
    chainId,
    network: parameters.network ?? `chain-${chainId}`,
    deploymentBlock: Object.values(contracts).reduce((min, c) => (c.block < min ? c.block : min), contracts.AgentCaller!.block),
    deployer: account.address,
    contracts,
    workflows: [],
    updatedAt: new Date().toISOString(),
  };
  return parseDeployment(serializeDeployment(deployment));
}
