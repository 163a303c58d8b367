/**
 * `agent-exec deploy`: deploys the caller, the reference handler, the verifiers and the digest anchor with Hardhat
 * Ignition (ignition/modules/AgentExec.ts) and writes deployments/<chainId>.json. It runs the project's own deploy
 * (`npx hardhat run scripts/deploy.ts`), so it works in this repository or a project laid out like it; network names
 * and keys come from hardhat.config.ts (configuration variables / keystore), never from flags.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { CliError, EXIT, progress, type Io } from "../io.js";

export function registerDeployCommand(program: Command, io: Io): void {
  program
    .command("deploy")
    .description("deploy with Hardhat Ignition and write deployments/<chainId>.json (run in the project directory)")
    .option("--network <name>", "a network of hardhat.config.ts (embedded default, localhost, sepolia, testnet)")
    .option("--parameters <file>", "Ignition parameter file (default ignition/parameters/<network>.json)")
    .option("--deployments-dir <dir>", "where <chainId>.json is written (default deployments/)")
    .option("--project <dir>", "the project directory", ".")
    .action(async (opts: { network?: string; parameters?: string; deploymentsDir?: string; project: string }) => {
      const dir = opts.project;
      for (const f of ["hardhat.config.ts", join("scripts", "deploy.ts")])
        if (!existsSync(join(dir, f))) throw new CliError(`deploy runs the project's Hardhat Ignition deploy: ${join(dir, f)} not found (use --project <dir>)`, EXIT.usage);
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
    });
}
