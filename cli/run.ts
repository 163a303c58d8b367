/** Builds the `agent-exec` program and runs it with injectable output (tests run it in-process). */
import { Command, CommanderError } from "commander";
import { describeFailure, EXIT, type Io } from "./io.js";
import { registerWorkflowCommands } from "./commands/workflow.js";
import { registerGraphCommand } from "./commands/graph.js";
import { registerEctCommands } from "./commands/ect.js";
import { registerCapsuleCommands } from "./commands/capsule.js";
import { registerTaskCommands } from "./commands/task.js";
import { registerVerifyCommand } from "./commands/verify.js";
import { registerAgentCommands } from "./commands/agent.js";
import { registerDeployCommand } from "./commands/deploy.js";
import { registerSimulateCommand } from "./commands/simulate.js";

export type RunCliParameters = { argv: readonly string[]; out?: (s: string) => void; err?: (s: string) => void };

export function buildProgram(io: Io): Command {
  const program = new Command("agent-exec")
    .description("ERC-8301 agent execution: workflows, tasks, proofs, ECTs and Capsules")
    .option("--json", "machine-readable output on stdout")
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) })
    .showHelpAfterError(false);
  program.hook("preAction", (cmd) => {
    io.json = Boolean(cmd.optsWithGlobals().json);
  });
  registerWorkflowCommands(program, io);
  registerGraphCommand(program, io);
  registerEctCommands(program, io);
  registerCapsuleCommands(program, io);
  registerTaskCommands(program, io);
  registerVerifyCommand(program, io);
  registerAgentCommands(program, io);
  registerDeployCommand(program, io);
  registerSimulateCommand(program, io);
  for (const c of program.commands) {
    c.exitOverride();
    for (const s of c.commands) s.exitOverride();
  }
  return program;
}

/** Runs the CLI; resolves to the exit code. Never throws. */
export async function runCli(parameters: RunCliParameters): Promise<number> {
  const io: Io = { out: parameters.out ?? ((s) => process.stdout.write(s + "\n")), err: parameters.err ?? ((s) => process.stderr.write(s + "\n")), json: false };
  const program = buildProgram(io);
  try {
    await program.parseAsync(["node", "agent-exec", ...parameters.argv]);
    return EXIT.ok;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.code === "commander.help") return EXIT.ok;
      // commander already printed its one-line message.
      return EXIT.usage;
    }
    const { line, exitCode } = describeFailure(e);
    io.err(`agent-exec: ${line}`);
    return exitCode;
  }
}
