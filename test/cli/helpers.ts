import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../../cli/run.js";

export type CliResult = { code: number; out: string; err: string };

/** Runs the CLI in-process and captures stdout/stderr. */
export async function cli(...argv: string[]): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli({ argv, out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

export const scratch = (): string => mkdtempSync(join(tmpdir(), "agent-exec-cli-"));
