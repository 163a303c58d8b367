/** `agent-exec agent run`: the agent runtime (sdk/agent) against a network, until SIGINT / SIGTERM. */
import type { Command } from "commander";
import { runAgentCli } from "../../sdk/agent/index.js";
import { CliError, EXIT, printJson, progress, type Io } from "../io.js";
import { loadCliDeployment } from "../chain.js";

const collect = (v: string, acc: string[] = []) => [...acc, v];

export function registerAgentCommands(program: Command, io: Io): void {
  const agent = program.command("agent").description("run an agent that answers tasks");
  agent
    .command("run")
    .description("watch CallAgent, run each stage, submit steps and proves; stops gracefully on SIGINT / SIGTERM")
    .requiredOption("--workflow <file>", "a workflow document this agent serves (repeatable)", collect)
    .option("--rpc <url>", "JSON-RPC endpoint (env AGENT_EXEC_RPC_URL; default http://127.0.0.1:8545)")
    .option("--handler <address>", "the AgentHandler (default: from --deployment)")
    .option("--deployment <file>", "deployment file with the handler's address")
    .option("--key-env <name>", "environment variable holding the agent's private key", "AGENT_EXEC_PRIVATE_KEY")
    .option("--attester-key-env <name>", "environment variable with a local attester key (development proofs; repeatable)", collect)
    .option("--capsule-key-env <name>", "environment variable with the capsule signing key (hex, from `capsule keygen`) for workflows with Capsule stages")
    .option("--executor <module>", "ES module whose default export maps stage names to executors (default: echo)")
    .option("--state-dir <dir>", "journal and lock directory", ".agent-exec")
    .option("--concurrency <n>", "tasks in flight", "8")
    .option("--from-block <n>", "backfill start when the journal has none")
    .option("--log-level <level>", "debug | info | warn | error", "info")
    .action(async (opts: Record<string, string | string[] | undefined>) => {
      const s = (k: string) => opts[k] as string | undefined;
      let handler = s("handler");
      if (!handler && s("deployment")) handler = (await loadCliDeployment(s("deployment")!)).handler;
      if (!handler) throw new CliError("give --handler <address> or --deployment <file>", EXIT.usage);
      progress(io, `agent starting (state in ${s("stateDir")})`);
      const r = await runAgentCli({
        rpc: s("rpc") ?? process.env.AGENT_EXEC_RPC_URL ?? "http://127.0.0.1:8545",
        handler,
        workflow: opts.workflow as string[],
        key: s("keyEnv"),
        attesterKey: opts.attesterKeyEnv as string[] | undefined,
        capsuleKey: s("capsuleKeyEnv"),
        executor: s("executor"),
        stateDir: s("stateDir"),
        concurrency: s("concurrency"),
        fromBlock: s("fromBlock"),
        logLevel: s("logLevel") as "info",
      });
      if (io.json) printJson(io, r);
      else io.out(`agent ${r.agent} stopped · ${JSON.stringify(r.stats, (_k, v) => (typeof v === "bigint" ? v.toString() : v))}`);
    });
}
