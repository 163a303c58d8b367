/** `agent-exec verify <taskId>`: the verifyTask report, human-readable or `--json`; exit 1 when a check fails. */
import type { Command } from "commander";
import { renderTaskReport, verifyTask } from "../../sdk/verify/index.js";
import { workflowTaskCheck } from "../../sdk/workflow/index.js";
import { CliError, EXIT, printJson, progress, readText, type Io } from "../io.js";
import { chainOptions, connect, requireAddress, requireBytes32 } from "../chain.js";

export function registerVerifyCommand(program: Command, io: Io): void {
  chainOptions(
    program
      .command("verify <taskId>")
      .description("rebuild a task from its events and recheck every stage proof, the ECT DAG, capsules and the workflow")
      .option("--handler <address>", "the AgentHandler (default: from the deployment file)")
      .option("--workflow <file>", "the workflow document, when the task published only its hash")
      .option("--from-block <n>", "first block to read logs from (default 0)")
      .option("--on-chain", "also ask each stage's verifier on-chain (simulated from the handler)")
      .option("--verbose", "list passing checks too"),
  ).action(async (taskId: string, opts: Record<string, string | boolean | undefined>) => {
    const id = requireBytes32(taskId, "taskId");
    const document = typeof opts.workflow === "string" ? readText(opts.workflow, "workflow document") : undefined;
    const c = await connect(opts as Record<string, string | undefined>, { needsWallet: false });
    const handler = requireAddress((opts.handler as string | undefined) ?? c.deployment?.handler, "--handler");
    progress(io, `verifying task ${id} on ${handler}`);
    const report = await verifyTask(c.publicClient, {
      handler,
      taskId: id,
      fromBlock: typeof opts.fromBlock === "string" ? BigInt(opts.fromBlock) : undefined,
      onChain: Boolean(opts.onChain),
      workflowCheck: workflowTaskCheck({ document }),
    });
    if (io.json) printJson(io, report);
    else io.out(renderTaskReport(report, { verbose: Boolean(opts.verbose) }).trimEnd());
    if (!report.ok) throw new CliError(`task ${id}: verification failed`, EXIT.checkFailed);
  });
}
