/** `agent-exec call | task | result`: dispatch a task, read its state, read its final output. */
import { randomBytes } from "node:crypto";
import type { Command } from "commander";
import { keccak256, publicActions, stringToHex, toHex, type Hex } from "viem";
import { callAgent, getTask, getTaskResult, waitForTask } from "../../sdk/chain/actions/index.js";
import { parseWorkflow } from "../../sdk/workflow/index.js";
import { CliError, EXIT, printJson, progress, readBytes, readText, type Io } from "../io.js";
import { chainOptions, connect, requireAddress, requireBytes32 } from "../chain.js";

export function registerTaskCommands(program: Command, io: Io): void {
  chainOptions(
    program
      .command("call")
      .description("dispatch a task with callAgent (simulate → send → receipt); --wait follows it to finalisation")
      .requiredOption("--workflow <file>", "the workflow document (its policy must be registered at the handler)")
      .option("--input <file>", "the task input (bytes of the file)")
      .option("--input-text <text>", "the task input as UTF-8 text")
      .option("--input-hash <hash>", "only the input commitment (the input stays off-chain)")
      .option("--handler <address>", "the AgentHandler (default: from the deployment file)")
      .option("--caller <address>", "the AgentCaller (default: from the deployment file)")
      .option("--deadline-in <seconds>", "deadline, seconds from now", "3600")
      .option("--salt <bytes32>", "the requester's salt (default: random)")
      .option("--wait", "wait until the task is finalised (exit 1 if it halts or expires)")
      .option("--timeout <seconds>", "with --wait: give up after this long (exit 3)"),
  ).action(async (opts: Record<string, string | boolean | undefined>) => {
    const s = (k: string) => opts[k] as string | undefined;
    const { agentWorkflow, workflowHash } = parseWorkflow(readText(s("workflow")!, "workflow document"));
    const given = [s("input"), s("inputText"), s("inputHash")].filter((x) => x !== undefined).length;
    if (given !== 1) throw new CliError("give exactly one of --input <file>, --input-text <text>, --input-hash <hash>", EXIT.usage);
    const input: Hex | undefined = s("input") ? toHex(readBytes(s("input")!, "input")) : s("inputText") !== undefined ? stringToHex(s("inputText")!) : undefined;
    const inputHash = s("inputHash") ? requireBytes32(s("inputHash"), "--input-hash") : keccak256(input!);
    const deadlineIn = Number(s("deadlineIn"));
    if (!Number.isSafeInteger(deadlineIn) || deadlineIn <= 0) throw new CliError(`--deadline-in must be a positive number of seconds, got ${s("deadlineIn")}`, EXIT.usage);
    const salt = s("salt") ? requireBytes32(s("salt"), "--salt") : (toHex(randomBytes(32)) as Hex);
    const c = await connect(opts as Record<string, string | undefined>, { needsWallet: true });
    const handler = requireAddress(s("handler") ?? c.deployment?.handler, "--handler");
    const caller = requireAddress(s("caller") ?? c.deployment?.caller, "--caller");
    const client = c.walletClient!.extend(publicActions);
    const now = (await c.publicClient.getBlock()).timestamp;
    progress(io, `dispatching on ${handler} via ${caller} (chain ${c.chainId})`);
    const r = await callAgent(client, { caller, handler, agentWorkflowHash: workflowHash, agentWorkflow, salt, deadline: now + BigInt(deadlineIn), input, inputHash });
    const sent = { taskId: r.taskId, requester: r.requester, inputHash: r.inputHash, deadline: r.deadline, transactionHash: r.transactionHash };
    if (!opts.wait) {
      if (io.json) printJson(io, sent);
      else io.out(`task ${r.taskId} dispatched in ${r.transactionHash}`);
      return;
    }
    progress(io, `waiting for task ${r.taskId}`);
    const timeout = s("timeout") ? Number(s("timeout")) * 1000 : undefined;
    try {
      const done = await waitForTask(c.publicClient, { handler, taskId: r.taskId, timeout });
      if (io.json) printJson(io, { ...sent, status: done.status, finalStage: done.finalStage, outputHash: done.outputHash });
      else io.out(`task ${r.taskId} finalised at stage ${done.finalStage} · outputHash ${done.outputHash}`);
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === "CHAIN_TASK_HALTED" || code === "CHAIN_TASK_EXPIRED") {
        if (io.json) printJson(io, { ...sent, status: code === "CHAIN_TASK_HALTED" ? "Halted" : "Expired" });
        throw new CliError(`task ${r.taskId} ${code === "CHAIN_TASK_HALTED" ? "halted" : "expired"}`, EXIT.checkFailed);
      }
      throw e;
    }
  });

  chainOptions(
    program.command("task <taskId>").description("a task's status and stages").option("--handler <address>", "the AgentHandler (default: from the deployment file)"),
  ).action(async (taskId: string, opts: Record<string, string | undefined>) => {
    const id = requireBytes32(taskId, "taskId");
    const c = await connect(opts, { needsWallet: false });
    const handler = requireAddress(opts.handler ?? c.deployment?.handler, "--handler");
    const t = await getTask(c.publicClient, { handler, taskId: id });
    if (io.json) return printJson(io, t);
    io.out(`task ${t.taskId} · ${t.status} · workflow ${t.agentWorkflowHash}`);
    io.out(`requester ${t.requester ?? "(not recorded)"} · deadline ${new Date(Number(t.deadline) * 1000).toISOString()}${t.pastDeadline ? " (passed)" : ""}`);
    for (const st of t.stages) io.out(`  stage ${st.stage}: ${st.status.padEnd(7)} ${st.resolution}${st.gating ? " gating" : ""} verifier ${st.verifier}`);
  });

  chainOptions(
    program.command("result <taskId>").description("a finalised task's output (decoded from the final step's calldata) and its hash check").option("--handler <address>", "the AgentHandler"),
  ).action(async (taskId: string, opts: Record<string, string | undefined>) => {
    const id = requireBytes32(taskId, "taskId");
    const c = await connect(opts, { needsWallet: false });
    const handler = requireAddress(opts.handler ?? c.deployment?.handler, "--handler");
    const r = await getTaskResult(c.publicClient, { handler, taskId: id });
    if (io.json) return printJson(io, r);
    io.out(`final stage ${r.finalStage} · outputHash ${r.outputHash} · ${r.outputVerified ? "output matches its hash" : "output not available or does not match"}`);
    if (r.output !== undefined) {
      const text = Buffer.from(r.output.slice(2), "hex").toString("utf8");
      io.out(/^[\x20-\x7e\s]*$/.test(text) ? text : r.output);
    }
    if (!r.outputVerified) throw new CliError("the final output could not be verified against its hash", EXIT.checkFailed);
  });
}
