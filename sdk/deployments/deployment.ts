/**
 * deployments/<chainId>.json: what a deploy leaves for the SDK, the CLI and dApps — addresses, the blocks they were
 * created in (where to start reading logs), the workflow hashes registered, and where each ABI is.
 *
 * Written by scripts/deploy.ts (`npm run deploy`, Ignition) or from `deployAgentExec` (`agent-exec deploy --rpc`, the
 * bytecode shipped in the package); read with {@link loadDeployment} or {@link parseDeployment}.
 * Block numbers are bigints in memory (what viem takes) and JSON numbers in the file.
 */
import { getAddress, isAddress, isHex, type Address, type Hex } from "viem";
import { DeploymentError } from "./errors.js";

/** The `format` tag of the current file layout. Readers refuse other formats. */
export const DEPLOYMENT_FORMAT = "agent-exec-deployment/1";

export type DeployedContract = {
  address: Address;
  /** The block the contract was created in. */
  block: bigint;
  /** The creating transaction, when known. */
  transactionHash?: Hex | undefined;
  /**
   * The Hardhat artifact (ABI + bytecode), relative to the project root, e.g. `artifacts/contracts/AgentCaller.sol/AgentCaller.json`.
   * From `deployAgentExec`: the artifact of the agent-exec repository its shipped bytecode was generated from (a
   * consumer project has no such file; use `abiExport` for the ABI).
   */
  artifact: string;
  /** The `as const` ABI exported by `agent-exec/chain` for this contract (e.g. `agentCallerAbi`), when there is one. */
  abiExport?: string | undefined;
};

export type RegisteredWorkflow = {
  /** The handler the workflow is registered with. */
  handler: Address;
  /** keccak256 of the workflow document (ERC-8301 `agentWorkflowHash`). */
  workflowHash: Hex;
  /** The handler's policy id for it. */
  policyId: number;
  /** keccak256(abi.encode(policy)) as emitted in `WorkflowRegistered`, when the handler emits it. */
  policyDigest?: Hex | undefined;
  block: bigint;
  transactionHash: Hex;
};

export type Deployment = {
  format: typeof DEPLOYMENT_FORMAT;
  chainId: number;
  /** The Hardhat network name it was deployed with (`default`, `localhost`, `sepolia`, …). */
  network: string;
  /** The lowest block of any contract here: the start block for log queries. */
  deploymentBlock: bigint;
  /** The account that sent the deployment transactions. */
  deployer?: Address | undefined;
  /** The Ignition deployment that produced it (journal under ignition/deployments/<deploymentId>/). */
  ignition?: { module: string; deploymentId: string; parameters?: string | undefined } | undefined;
  /** By contract (Ignition result) name: `AgentCaller`, `AgentHandler`, `EcdsaAttestationVerifier`, … */
  contracts: Record<string, DeployedContract>;
  workflows: RegisteredWorkflow[];
  /** ISO-8601 time of the last write. */
  updatedAt?: string | undefined;
};

type Obj = Record<string, unknown>;

function fail(path: string, details: string, file?: string): never {
  throw new DeploymentError("DEPLOYMENT_INVALID", "Invalid deployments file.", { details, path, file });
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  const s = JSON.stringify(value);
  return s === undefined ? String(value) : s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

function obj(value: unknown, path: string, file?: string): Obj {
  if (typeof value !== "object" || value === null || Array.isArray(value)) fail(path, `expected an object, got ${describe(value)}`, file);
  return value as Obj;
}

function str(value: unknown, path: string, file?: string): string {
  if (typeof value !== "string" || value.length === 0) fail(path, `expected a non-empty string, got ${describe(value)}`, file);
  return value;
}

function optStr(value: unknown, path: string, file?: string): string | undefined {
  return value === undefined ? undefined : str(value, path, file);
}

function address(value: unknown, path: string, file?: string): Address {
  if (typeof value !== "string" || !isAddress(value, { strict: false })) fail(path, `expected a 20-byte hex address, got ${describe(value)}`, file);
  return getAddress(value);
}

function bytes32(value: unknown, path: string, file?: string): Hex {
  if (typeof value !== "string" || !isHex(value, { strict: true }) || value.length !== 66) {
    fail(path, `expected a 32-byte 0x-prefixed hex string, got ${describe(value)}`, file);
  }
  return value.toLowerCase() as Hex;
}

function uint(value: unknown, path: string, file?: string): bigint {
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  if (typeof value === "string" && /^(0|[1-9][0-9]{0,77})$/.test(value)) return BigInt(value);
  fail(path, `expected a non-negative integer, got ${describe(value)}`, file);
}

function chainIdOf(value: unknown, path: string, file?: string): number {
  const n = uint(value, path, file);
  if (n === 0n || n > BigInt(Number.MAX_SAFE_INTEGER)) fail(path, `expected a chain id in [1, 2^53 - 1], got ${describe(value)}`, file);
  return Number(n);
}

function contract(value: unknown, path: string, file?: string): DeployedContract {
  const o = obj(value, path, file);
  return {
    address: address(o.address, `${path}.address`, file),
    block: uint(o.block, `${path}.block`, file),
    transactionHash: o.transactionHash === undefined ? undefined : bytes32(o.transactionHash, `${path}.transactionHash`, file),
    artifact: str(o.artifact, `${path}.artifact`, file),
    abiExport: optStr(o.abiExport, `${path}.abiExport`, file),
  };
}

function workflow(value: unknown, path: string, file?: string): RegisteredWorkflow {
  const o = obj(value, path, file);
  const policyId = uint(o.policyId, `${path}.policyId`, file);
  if (policyId > 0xffffffffn) fail(`${path}.policyId`, `expected a uint32, got ${describe(o.policyId)}`, file);
  return {
    handler: address(o.handler, `${path}.handler`, file),
    workflowHash: bytes32(o.workflowHash, `${path}.workflowHash`, file),
    policyId: Number(policyId),
    policyDigest: o.policyDigest === undefined ? undefined : bytes32(o.policyDigest, `${path}.policyDigest`, file),
    block: uint(o.block, `${path}.block`, file),
    transactionHash: bytes32(o.transactionHash, `${path}.transactionHash`, file),
  };
}

export type ParseDeploymentOptions = {
  /** Named in errors (the file it came from). */
  file?: string | undefined;
};

/**
 * Validates a deployments document (JSON text or an already-parsed value) and returns it typed: checksummed
 * addresses, lower-case hashes, bigint blocks. Throws {@link DeploymentError} (`DEPLOYMENT_INVALID_JSON`,
 * `DEPLOYMENT_INVALID` with the offending `path`) otherwise. Unknown fields are ignored (newer writers may add some).
 */
export function parseDeployment(input: unknown, options: ParseDeploymentOptions = {}): Deployment {
  const { file } = options;
  let value = input;
  if (typeof input === "string") {
    try {
      value = JSON.parse(input);
    } catch (cause) {
      throw new DeploymentError("DEPLOYMENT_INVALID_JSON", "Deployments file is not JSON.", {
        details: (cause as Error).message,
        file,
        cause,
      });
    }
  }
  const o = obj(value, "$", file);
  if (o.format !== DEPLOYMENT_FORMAT) fail("format", `expected ${JSON.stringify(DEPLOYMENT_FORMAT)}, got ${describe(o.format)}`, file);
  const contractsIn = obj(o.contracts, "contracts", file);
  const contracts: Record<string, DeployedContract> = {};
  for (const [name, c] of Object.entries(contractsIn)) contracts[name] = contract(c, `contracts.${name}`, file);
  if (!Array.isArray(o.workflows)) fail("workflows", `expected an array, got ${describe(o.workflows)}`, file);
  const workflows = o.workflows.map((w, i) => workflow(w, `workflows[${i}]`, file));
  let ignition: Deployment["ignition"];
  if (o.ignition !== undefined) {
    const ig = obj(o.ignition, "ignition", file);
    ignition = {
      module: str(ig.module, "ignition.module", file),
      deploymentId: str(ig.deploymentId, "ignition.deploymentId", file),
      parameters: optStr(ig.parameters, "ignition.parameters", file),
    };
  }
  return {
    format: DEPLOYMENT_FORMAT,
    chainId: chainIdOf(o.chainId, "chainId", file),
    network: str(o.network, "network", file),
    deploymentBlock: uint(o.deploymentBlock, "deploymentBlock", file),
    deployer: o.deployer === undefined ? undefined : address(o.deployer, "deployer", file),
    ignition,
    contracts,
    workflows,
    updatedAt: optStr(o.updatedAt, "updatedAt", file),
  };
}

/** JSON numbers for blocks when they fit (they always do in practice), decimal strings otherwise. */
function jsonUint(n: bigint): number | string {
  return n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n.toString();
}

function dropUndefined<T extends Obj>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/**
 * The file form of a deployment: validated first (so nothing malformed is ever written), keys in a fixed order,
 * contracts sorted by name, two-space indentation and a final newline — stable diffs when it is committed.
 */
export function serializeDeployment(deployment: Deployment): string {
  const d = parseDeployment(JSON.parse(JSON.stringify(deployment, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v))));
  const doc = dropUndefined({
    format: d.format,
    chainId: d.chainId,
    network: d.network,
    deploymentBlock: jsonUint(d.deploymentBlock),
    deployer: d.deployer,
    ignition: d.ignition && dropUndefined({ ...d.ignition }),
    contracts: Object.fromEntries(
      Object.keys(d.contracts)
        .sort()
        .map((name) => {
          const c = d.contracts[name]!;
          return [
            name,
            dropUndefined({
              address: c.address,
              block: jsonUint(c.block),
              transactionHash: c.transactionHash,
              artifact: c.artifact,
              abiExport: c.abiExport,
            }),
          ];
        }),
    ),
    workflows: d.workflows.map((w) =>
      dropUndefined({
        handler: w.handler,
        workflowHash: w.workflowHash,
        policyId: w.policyId,
        policyDigest: w.policyDigest,
        block: jsonUint(w.block),
        transactionHash: w.transactionHash,
      }),
    ),
    updatedAt: d.updatedAt,
  });
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/** The named contract of a deployment; throws `DEPLOYMENT_UNKNOWN_CONTRACT` listing the names it has. */
export function deployedContract(deployment: Deployment, name: string): DeployedContract {
  const c = Object.hasOwn(deployment.contracts, name) ? deployment.contracts[name] : undefined;
  if (!c) {
    throw new DeploymentError("DEPLOYMENT_UNKNOWN_CONTRACT", `No contract "${name}" in the deployment.`, {
      details: `chain ${deployment.chainId} has: ${Object.keys(deployment.contracts).sort().join(", ") || "(none)"}`,
    });
  }
  return c;
}
