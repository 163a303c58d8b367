/**
 * `agent-exec deploy`: deploys the caller, the reference handler and the attester-set verifiers and writes
 * <deployments-dir>/<chainId>.json. Two paths:
 *
 *  - project (Ignition): when --project (default ".") has hardhat.config.ts and scripts/deploy.ts — this repository
 *    or a project laid out like it — and no --rpc is given, it runs the project's own deploy
 *    (`npx hardhat run scripts/deploy.ts`, Ignition module ignition/modules/AgentExec.ts: journal, resumable); network
 *    names and keys come from hardhat.config.ts, parameters from ignition/parameters/<network>.json.
 *  - consumer (installed package): otherwise, or with an explicit --rpc, it deploys with the SDK's `deployAgentExec`
 *    (bytecode shipped in the package) over --rpc with the key named by --key-env, and writes the file with
 *    sdk/deployments' serializer. --owner / --attester / --threshold set the parameters.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join, relative } from "node:path";
import type { Command } from "commander";
import { isAddress, type Address } from "viem";
import { DEFAULT_DEPLOYMENTS_DIR, DeploymentError, deployAgentExec, writeDeployment } from "../../sdk/deployments/index.js";
import { connect } from "../chain.js";
import { CliError, EXIT, printJson, progress, type Io } from "../io.js";

const collect = (v: string, acc: string[] = []) => [...acc, v];

type DeployOpts = {
  network?: string;
  parameters?: string;
  deploymentsDir?: string;
  project: string;
  rpc?: string;
  keyEnv: string;
  owner?: string;
  attester?: string[];
  threshold?: string;
};

function isProject(dir: string): boolean {
  return existsSync(join(dir, "hardhat.config.ts")) && existsSync(join(dir, "scripts", "deploy.ts"));
}

async function deployWithIgnition(io: Io, opts: DeployOpts): Promise<void> {
  const dir = opts.project;
  if (opts.parameters && !existsSync(opts.parameters)) throw new CliError(`parameter file ${opts.parameters} not found`, EXIT.usage);
  const args = ["hardhat", "run", "scripts/deploy.ts", ...(opts.network ? ["--network", opts.network] : [])];
  progress(io, `npx ${args.join(" ")}`);
  const env = {
    ...process.env,
    ...(opts.parameters ? { AGENT_EXEC_PARAMETERS: opts.parameters } : {}),
    ...(opts.deploymentsDir ? { AGENT_EXEC_DEPLOYMENTS_DIR: opts.deploymentsDir } : {}),
  };
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn("npx", args, { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.on("data", (b: Buffer) => io.out(b.toString().trimEnd()));
    child.stderr.on("data", (b: Buffer) => io.err(b.toString().trimEnd()));
    child.on("error", reject);
    child.on("exit", (c) => resolve(c ?? 1));
  });
  if (code !== 0) throw new CliError(`deploy failed (hardhat exited with ${code})`, EXIT.runtime);
}

async function deployWithSdk(io: Io, opts: DeployOpts): Promise<void> {
  for (const [flag, value] of [["--network", opts.network], ["--parameters", opts.parameters]] as const)
    if (value !== undefined)
      throw new CliError(`${flag} is for the project (Ignition) deploy, which needs hardhat.config.ts and scripts/deploy.ts in --project ${opts.project}; with --rpc use --owner, --attester, --threshold`, EXIT.usage);
  const address = (value: string, flag: string): Address => {
    if (!isAddress(value, { strict: false })) throw new CliError(`${flag} ${value} is not an address`, EXIT.usage);
    return value as Address;
  };
  const owner = opts.owner === undefined ? undefined : address(opts.owner, "--owner");
  const attesters = opts.attester?.map((a) => address(a, "--attester"));
  let threshold: number | undefined;
  if (opts.threshold !== undefined) {
    if (!/^[1-9][0-9]{0,5}$/.test(opts.threshold)) throw new CliError(`--threshold must be a positive integer, got ${opts.threshold}`, EXIT.usage);
    threshold = Number(opts.threshold);
  }
  // The key is checked before the RPC is contacted: a missing one fails fast, without a node.
  if (!process.env[opts.keyEnv]) {
    const why = opts.rpc === undefined ? ` (no hardhat.config.ts and scripts/deploy.ts in ${opts.project}, so not the Ignition deploy: use --project <dir> for that)` : "";
    throw new CliError(`deploy without Hardhat sends transactions: set ${opts.keyEnv} to the deployer's private key${why}`, EXIT.usage);
  }
  const c = await connect({ rpc: opts.rpc, keyEnv: opts.keyEnv }, { needsWallet: true, readDeployment: false });
  progress(io, `deploying AgentCaller, AgentHandler, EcdsaAttestationVerifier, WyriweAttestationVerifier to chain ${c.chainId} (${c.rpc}) from ${c.account!.address}`);
  const t0 = performance.now();
  let deployment;
  try {
    deployment = await deployAgentExec(c.publicClient, c.walletClient!, {
      owner,
      attesters,
      threshold,
      network: `chain-${c.chainId}`,
      onDeployed: (name, d) => progress(io, `${name} ${d.address} (block ${d.block})`),
    });
  } catch (e) {
    if (e instanceof DeploymentError && e.code === "DEPLOYMENT_INVALID_PARAMETERS") {
      const flag = e.path === "owner" ? "--owner" : e.path?.startsWith("attesters") ? "--attester" : e.path === "threshold" ? "--threshold" : e.path;
      throw new CliError(`${flag ? `${flag}: ` : ""}${e.details ?? e.shortMessage}`, EXIT.usage);
    }
    if (e instanceof DeploymentError && e.code === "DEPLOYMENT_FAILED") throw new CliError(`deploy failed: ${e.shortMessage} ${e.details ?? ""}`.trimEnd(), EXIT.runtime);
    throw e;
  }
  const seconds = ((performance.now() - t0) / 1000).toFixed(1);
  let file: string;
  try {
    file = await writeDeployment(deployment, { dir: opts.deploymentsDir ?? DEFAULT_DEPLOYMENTS_DIR });
  } catch (e) {
    throw new CliError(`cannot write the deployment: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, EXIT.runtime);
  }
  if (io.json) {
    printJson(io, { file, deployment });
    return;
  }
  for (const [name, d] of Object.entries(deployment.contracts)) io.out(`${name.padEnd(28)} ${d.address}  (block ${d.block})`);
  io.out(`wrote ${relative(process.cwd(), file) || file} (${seconds} s)`);
}

export function registerDeployCommand(program: Command, io: Io): void {
  program
    .command("deploy")
    .description(
      "deploy AgentCaller, AgentHandler and the attester-set verifiers and write <deployments-dir>/<chainId>.json: with the project's " +
        "Hardhat Ignition deploy when --project has hardhat.config.ts and scripts/deploy.ts (and no --rpc), else (or with --rpc) " +
        "from the bytecode shipped in the package over --rpc with the key in --key-env",
    )
    .option("--rpc <url>", "JSON-RPC endpoint: deploy without Hardhat (env AGENT_EXEC_RPC_URL; default http://127.0.0.1:8545)")
    .option("--key-env <name>", "environment variable holding the deployer's 0x-prefixed private key (SDK path)", "AGENT_EXEC_PRIVATE_KEY")
    .option("--owner <address>", "the handler's owner, who registers workflows (SDK path; default: the deployer)")
    .option("--attester <address>", "an attester of both verifiers (SDK path; repeatable; default: the deployer as sole attester)", collect)
    .option("--threshold <n>", "attester signatures required, a strict majority (SDK path; default 1 for the sole deployer, else floor(n/2)+1)")
    .option("--network <name>", "Ignition: a network of hardhat.config.ts (embedded default, localhost, sepolia, testnet)")
    .option("--parameters <file>", "Ignition: parameter file (default ignition/parameters/<network>.json)")
    .option("--deployments-dir <dir>", "where <chainId>.json is written (default deployments/)")
    .option("--project <dir>", "the project directory (Ignition path when it has hardhat.config.ts and scripts/deploy.ts)", ".")
    .action(async (opts: DeployOpts) => {
      if (opts.rpc === undefined && isProject(opts.project)) return deployWithIgnition(io, opts);
      if (opts.rpc === undefined && opts.network !== undefined)
        throw new CliError(`--network needs the project's Hardhat Ignition deploy: ${join(opts.project, "hardhat.config.ts")} or ${join(opts.project, "scripts", "deploy.ts")} not found (use --project <dir>, or --rpc <url> to deploy without Hardhat)`, EXIT.usage);
      return deployWithSdk(io, opts);
    });
}
