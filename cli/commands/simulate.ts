/**
 * `agent-exec simulate`: runs a workflow's calls — the `callAgent` dispatch and, with `--plan`, the agents' steps and
 * proves — on an in-process fork of the target chain (Hardhat 3's EDR, loaded as a library: no child process, no
 * Node 22 needed) BEFORE anything is sent, and names the rule the first failing call breaks: gas, output-size,
 * policy, sentinel, deadline, verifier (or revert). The requester (`--from`) and the plan's agents are
 * impersonated on the fork, so no keys are needed (only attester keys, by environment variable name, when the plan
 * asks the fork to sign attestations). The target only serves reads; nothing is sent to it.
 * Exit 0: every call would succeed · 1: a rule would fail (named) · 2: bad usage · 3: RPC / fork failure.
 */
import { existsSync } from "node:fs";
import type { Command } from "commander";
import { isAddress, keccak256, stringToHex, toHex, type Address, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { parseWorkflow, type ParseWorkflowReturnType } from "../../sdk/workflow/index.js";
import { createFork, parseSimulationPlan, renderSimulationReport, simulateWorkflow, type Fork, type SimulationStep } from "../../sdk/simulate/index.js";
import { CliError, EXIT, printJson, progress, readBytes, readText, type Io } from "../io.js";
import { loadCliDeployment, requireAddress, requireBytes32 } from "../chain.js";

type Opts = Record<string, string | boolean | undefined>;

export function registerSimulateCommand(program: Command, io: Io): void {
  program
    .command("simulate")
    .description("run a workflow's calls on an in-process fork before sending anything; name the rule that would fail (exit 1)")
    .option("--workflow <file>", "the workflow document (or give --workflow-hash)")
    .option("--workflow-hash <hash>", "only the agentWorkflowHash (the dispatch then carries no document; attested proves need the document)")
    .option("--input <file>", "the task input (bytes of the file)")
    .option("--input-text <text>", "the task input as UTF-8 text")
    .option("--input-hash <hash>", "only the input commitment")
    .option("--from <address>", "the requester, impersonated on the fork (default: the address of --key-env's key)")
    .option("--plan <file>", "the agents' planned steps and proves (JSON; without it only callAgent is simulated)")
    .option("--handler <address>", "the AgentHandler (default: from the deployment file)")
    .option("--caller <address>", "the AgentCaller (default: from the deployment file)")
    .option("--deadline-in <seconds>", "deadline, seconds after the fork block", "3600")
    .option("--deadline <unix>", "absolute deadline (Unix seconds; overrides --deadline-in)")
    .option("--salt <bytes32>", "the salt you will send (default: random; give it when the plan carries proofs bound to the task id)")
    .option("--rpc <url>", "the chain to fork (env AGENT_EXEC_RPC_URL; default http://127.0.0.1:8545)")
    .option("--block <n>", "fork at this block (default: latest)")
    .option("--gas-limit <gas>", "the gas limit the calls will be sent with (default: block gas limit, at most 2^24)")
    .option("--max-tx-bytes <n>", "the network's transaction size limit (default 131072, geth's txpool)")
    .option("--block-time <seconds>", "seconds per block between calls (default: measured on the last 100 blocks)")
    .option("--deployment <file>", "deployment file with contract addresses (default deployments/<chainId>.json if present)")
    .option("--key-env <name>", "environment variable whose key's address is the default --from", "AGENT_EXEC_PRIVATE_KEY")
    .action(async (opts: Opts) => {
      const s = (k: string) => opts[k] as string | undefined;
      // Everything the user typed is checked before the fork starts.
      if ((s("workflow") === undefined) === (s("workflowHash") === undefined)) throw new CliError("give exactly one of --workflow <file>, --workflow-hash <hash>", EXIT.usage);
      const parsed: ParseWorkflowReturnType | undefined = s("workflow") ? parseWorkflow(readText(s("workflow")!, "workflow document")) : undefined;
      const workflowHash = parsed?.workflowHash ?? requireBytes32(s("workflowHash"), "--workflow-hash");
      const given = [s("input"), s("inputText"), s("inputHash")].filter((x) => x !== undefined).length;
      if (given !== 1) throw new CliError("give exactly one of --input <file>, --input-text <text>, --input-hash <hash>", EXIT.usage);
      const input: Hex | undefined = s("input") ? toHex(readBytes(s("input")!, "input")) : s("inputText") !== undefined ? stringToHex(s("inputText")!) : undefined;
      const inputHash = s("inputHash") ? requireBytes32(s("inputHash"), "--input-hash") : keccak256(input!);
      const from = requester(s("from"), s("keyEnv") ?? "AGENT_EXEC_PRIVATE_KEY");
      const steps: SimulationStep[] = s("plan") ? parseSimulationPlan(readText(s("plan")!, "plan")) : [];
      if (steps.some((st) => st.prove?.producer) && !parsed) throw new CliError("an attested prove in the plan needs --workflow <file> (the verifier kinds are in the document)", EXIT.usage);
      const deadline = s("deadline") !== undefined ? BigInt(positive(s("deadline"), "--deadline")) : undefined;
      const deadlineIn = deadline === undefined ? positive(s("deadlineIn"), "--deadline-in") : undefined;
      const salt = s("salt") ? requireBytes32(s("salt"), "--salt") : undefined;
      const block = s("block") !== undefined ? BigInt(nonNegative(s("block"), "--block")) : undefined;
      const gasLimit = s("gasLimit") !== undefined ? BigInt(positive(s("gasLimit"), "--gas-limit")) : undefined;
      if (gasLimit !== undefined && gasLimit < 21_000n) throw new CliError(`--gas-limit must be at least 21000, got ${gasLimit}`, EXIT.usage);
      const maxTransactionBytes = s("maxTxBytes") !== undefined ? positive(s("maxTxBytes"), "--max-tx-bytes") : undefined;
      const blockTime = s("blockTime") !== undefined ? positive(s("blockTime"), "--block-time") : undefined;
      if (s("handler") !== undefined) requireAddress(s("handler"), "--handler");
      if (s("caller") !== undefined) requireAddress(s("caller"), "--caller");
      if (s("deployment") && !existsSync(s("deployment")!)) throw new CliError(`deployment file ${s("deployment")} not found`, EXIT.usage);
      const url = s("rpc") ?? process.env.AGENT_EXEC_RPC_URL ?? "http://127.0.0.1:8545";

      progress(io, `forking ${url} at ${block === undefined ? "its latest block" : `block ${block}`} in-process (Hardhat EDR)`);
      let fork: Fork;
      try {
        fork = await createFork({ url, blockNumber: block });
      } catch (e) {
        const code = (e as { code?: string }).code;
        if (code === "SIMULATE_FORK_UNAVAILABLE") throw new CliError(`simulate forks with Hardhat 3's EDR, which is not installed: npm install --save-dev hardhat@3`, EXIT.runtime);
        if (code === "SIMULATE_FORK_RPC") throw new CliError((e as { details?: string }).details ?? "the fork failed", EXIT.runtime);
        throw e;
      }
      try {
        progress(io, `forked chain ${fork.chainId} at block ${fork.blockNumber} in ${fork.startMs} ms`);
        const file = s("deployment") ?? `deployments/${fork.chainId}.json`;
        const deployment = s("deployment") || existsSync(file) ? await loadCliDeployment(file, fork.chainId) : undefined;
        const handler = requireAddress(s("handler") ?? deployment?.handler, "--handler");
        const caller = requireAddress(s("caller") ?? deployment?.caller, "--caller");
        const started = Date.now();
        const report = await simulateWorkflow(fork.client, {
          caller,
          handler,
          workflow: parsed?.canonical,
          agentWorkflowHash: workflowHash,
          requester: from,
          salt,
          input,
          inputHash,
          deadline,
          deadlineIn,
          steps,
          gasLimit,
          maxTransactionBytes,
          blockTime,
          onCall: (c, i) => progress(io, `${i + 1}. ${c.call}${c.stage === undefined ? "" : ` stage ${c.stage}`}: ${c.status}`),
        });
        const simulateMs = Date.now() - started;
        if (io.json) printJson(io, { ...report, timing: { forkMs: fork.startMs, simulateMs } });
        else {
          io.out(renderSimulationReport(report).trimEnd());
          progress(io, `simulated ${report.calls.filter((c) => c.status !== "skipped").length} call(s) in ${simulateMs} ms; nothing was sent to ${url}`);
        }
        if (!report.ok && report.failure) {
          const f = report.failure;
          throw new CliError(`simulate: rule ${f.rule} would fail at ${f.call}${f.stage === undefined ? "" : ` stage ${f.stage}`} (${f.error})`, EXIT.checkFailed);
        }
      } finally {
        await fork.close();
      }
    });
}

function requester(from: string | undefined, keyEnv: string): Address {
  if (from !== undefined) {
    if (!isAddress(from, { strict: false })) throw new CliError(`--from ${from} is not an address`, EXIT.usage);
    return from as Address;
  }
  const key = process.env[keyEnv];
  if (!key) throw new CliError(`give --from <address> (the requester to impersonate) or set ${keyEnv}`, EXIT.usage);
  if (!/^0x[0-9a-fA-F]{64}$/.test(key)) throw new CliError(`${keyEnv} is not a 0x-prefixed 32-byte private key`, EXIT.usage);
  return privateKeyToAccount(key as Hex).address;
}

function positive(v: string | undefined, flag: string): number {
  const n = Number(v);
  if (v === undefined || !/^\d+$/.test(v) || !Number.isSafeInteger(n) || n <= 0) throw new CliError(`${flag} must be a positive integer, got ${v ?? "nothing"}`, EXIT.usage);
  return n;
}

function nonNegative(v: string | undefined, flag: string): number {
  const n = Number(v);
  if (v === undefined || !/^\d+$/.test(v) || !Number.isSafeInteger(n)) throw new CliError(`${flag} must be a non-negative integer, got ${v ?? "nothing"}`, EXIT.usage);
  return n;
}
