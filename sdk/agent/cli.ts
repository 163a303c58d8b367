/**
 * `runAgentCli`: the entry `agent-exec agent run` calls with its parsed flags. It builds the viem clients from
 * `--rpc` and the key in the environment variable `--key` names (keys are never flags: they would land in shell
 * history and process lists), loads the workflow documents (`--workflow <file>`, repeatable), the stage
 * executors (an ES module whose default export maps stage names to executors; without one, a development echo
 * executor), a proof producer (the local attester keys in `--attester-key` environment variables) and, for
 * workflows with Capsule stages, the capsule signing key (`--capsule-key`: an environment variable holding the
 * 32-byte P-256 scalar in hex, as `agent-exec capsule keygen` writes it), then runs until SIGINT / SIGTERM (or
 * `signal`) and stops gracefully.
 */
import { readFileSync } from "node:fs";
import { resolve as resolvePath } from "node:path";
import { pathToFileURL } from "node:url";
import { createPublicClient, createWalletClient, http, isAddress, isHex, stringToHex, concat, type Address, type Chain, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { getChainId, readContract } from "viem/actions";
import { agentHandlerAbi } from "../chain/abis.js";
import { createCapsuleSigner, type CapsuleCoseSigner } from "../capsule/es256.js";
import { validateWorkflow } from "../workflow/validateWorkflow.js";
import { AgentRuntimeError } from "./errors.js";
import { createJsonLogger, type AgentLogger } from "./logger.js";
import { localAttesterProofProducer, type ProofProducer } from "./proof.js";
import { createAgentRuntime, type AgentRuntime, type AgentRuntimeStats, type StageExecutors } from "./runtime.js";

export type RunAgentCliOptions = {
  /** `--rpc <url>`. */
  rpc: string;
  /** `--handler <address>`. */
  handler: string;
  /** `--caller <address>` (default: the handler's `agentCaller()`). */
  caller?: string | undefined;
  /** `--workflow <file>`: one or more workflow documents (JSON). */
  workflow: string | readonly string[];
  /** `--key <ENV>`: the environment variable holding the agent's private key (default AGENT_EXEC_PRIVATE_KEY). */
  key?: string | undefined;
  /** `--state-dir <dir>` (default ./.agent-exec). */
  stateDir?: string | undefined;
  /** `--concurrency <n>` (default 8). */
  concurrency?: number | string | undefined;
  /** `--executor <module>`: an ES module whose default export is the stage executors by stage name. */
  executor?: string | undefined;
  /** `--attester-key <ENV>`: environment variable(s) with local attester keys (development proof producer). */
  attesterKey?: string | readonly string[] | undefined;
  /** `--capsule-key <ENV>`: environment variable with the capsule signing key (hex P-256 scalar; Capsule stages). */
  capsuleKey?: string | undefined;
  /** `--from-block <n>`: backfill start when the journal has none. */
  fromBlock?: string | bigint | undefined;
  /** `--deadline-margin <s>`. */
  deadlineMargin?: number | string | undefined;
  /** `--log-level`. */
  logLevel?: "debug" | "info" | "warn" | "error" | undefined;
  /** The environment the key variables are read from (default process.env). */
  env?: Readonly<Record<string, string | undefined>> | undefined;
  /** Stops the run (in addition to SIGINT / SIGTERM). */
  signal?: AbortSignal | undefined;
  /** Overrides (programmatic use and tests). */
  executors?: StageExecutors | undefined;
  proofProducer?: ProofProducer | undefined;
  capsuleSigner?: CapsuleCoseSigner | undefined;
  logger?: AgentLogger | undefined;
  onStarted?: ((runtime: AgentRuntime) => void) | undefined;
};

export type RunAgentCliReturnType = { agent: Address; stats: AgentRuntimeStats };

function bad(details: string): never {
  throw new AgentRuntimeError("AGENT_INVALID_OPTION", { details });
}

function readKey(env: Readonly<Record<string, string | undefined>>, name: string): Hex {
  const v = env[name];
  if (!v) bad(`environment variable ${name} is not set`);
  if (!isHex(v) || v.length !== 66) bad(`environment variable ${name} is not a 0x-prefixed 32-byte private key`);
  return v as Hex;
}

/** The development executor: each node's output is `stage name ‖ input` (so runs are deterministic). */
export const echoExecutors: StageExecutors = {
  "*": async ({ stageName, nodes, input }) => ({ outputs: Object.fromEntries(nodes.map((n) => [n, concat([stringToHex(`${stageName}/${n}:`), input])])) }),
};

export async function runAgentCli(options: RunAgentCliOptions): Promise<RunAgentCliReturnType> {
  const env = options.env ?? process.env;
  if (!options.rpc) bad("--rpc is required");
  if (!isAddress(options.handler ?? "", { strict: false })) bad(`--handler ${String(options.handler)} is not an address`);
  const handler = options.handler as Address;
  const concurrency = options.concurrency === undefined ? 8 : Number(options.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1) bad(`--concurrency ${String(options.concurrency)} is not a positive integer`);
  const account = privateKeyToAccount(readKey(env, options.key ?? "AGENT_EXEC_PRIVATE_KEY"));
  let capsuleSigner = options.capsuleSigner;
  if (!capsuleSigner && options.capsuleKey !== undefined) {
    const v = (env[options.capsuleKey] ?? "").trim().replace(/^0x/i, "");
    if (!v) bad(`environment variable ${options.capsuleKey} is not set`);
    if (!/^[0-9a-fA-F]{64}$/.test(v)) bad(`environment variable ${options.capsuleKey} is not a 32-byte hex P-256 private key`);
    try {
      capsuleSigner = createCapsuleSigner(Buffer.from(v, "hex"), { kid: `agent:${account.address.toLowerCase()}` });
    } catch (cause) {
      bad(`environment variable ${options.capsuleKey}: ${(cause as Error).message.split("\n").at(-1)}`);
    }
  }
  const logger = options.logger ?? createJsonLogger({ level: options.logLevel ?? "info" });

  const transport = http(options.rpc, { timeout: 15_000, retryCount: 3 });
  const probe = createPublicClient({ transport });
  const chainId = await getChainId(probe);
  const chain: Chain = { id: chainId, name: `chain-${chainId}`, nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 }, rpcUrls: { default: { http: [options.rpc] } } };
  const publicClient = createPublicClient({ chain, transport, pollingInterval: 1_000 });
  const walletClient = createWalletClient({ chain, transport, account, pollingInterval: 1_000 });

  const files = typeof options.workflow === "string" ? [options.workflow] : [...(options.workflow ?? [])];
  if (files.length === 0) bad("--workflow <file> is required");
  const workflows = new Map<Hex, unknown>();
  for (const f of files) {
    const v = validateWorkflow(readFileSync(f, "utf8"));
    if (!v.valid) bad(`${f}: ${v.findings.map((x) => `${x.path || "(document)"}: ${x.message}`).join("; ")}`);
    workflows.set(v.workflowHash, v.document);
  }

  let executors = options.executors;
  if (!executors && options.executor) {
    const mod = (await import(pathToFileURL(resolvePath(options.executor)).href)) as { default?: StageExecutors };
    if (!mod.default || typeof mod.default !== "object") bad(`${options.executor} has no default export of stage executors`);
    executors = mod.default;
  }
  if (!executors) {
    logger.log("warn", "no --executor module: using the development echo executor", {});
    executors = echoExecutors;
  }
  let proofProducer = options.proofProducer;
  if (!proofProducer) {
    const names = options.attesterKey === undefined ? [] : typeof options.attesterKey === "string" ? [options.attesterKey] : [...options.attesterKey];
    if (names.length === 0) bad("no proof producer: give --attester-key <ENV> (development) or a proofProducer");
    proofProducer = localAttesterProofProducer({ attesters: names.map((n) => privateKeyToAccount(readKey(env, n))) });
  }
  const caller =
    options.caller !== undefined
      ? isAddress(options.caller, { strict: false })
        ? (options.caller as Address)
        : bad(`--caller ${options.caller} is not an address`)
      : await readContract(publicClient, { address: handler, abi: agentHandlerAbi, functionName: "agentCaller" });

  const runtime = createAgentRuntime({
    publicClient,
    walletClient,
    caller,
    handlers: [handler],
    workflows,
    executors,
    proofProducer,
    capsuleSigner,
    stateDir: options.stateDir ?? ".agent-exec",
    concurrency,
    logger,
    fromBlock: options.fromBlock === undefined ? undefined : BigInt(options.fromBlock),
    deadlineMarginSec: options.deadlineMargin === undefined ? undefined : Number(options.deadlineMargin),
    handleSignals: true,
  });
  await runtime.start();
  options.onStarted?.(runtime);
  await new Promise<void>((resolve) => {
    const done = () => resolve();
    process.once("SIGINT", done);
    process.once("SIGTERM", done);
    if (options.signal?.aborted) done();
    options.signal?.addEventListener("abort", done, { once: true });
  });
  await runtime.stop();
  return { agent: account.address, stats: runtime.stats() };
}
