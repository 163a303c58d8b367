/**
 * CLI plumbing: exit codes, one-line errors, JSON output, file reading. Every failure reaches the user as one line
 * naming the cause (plus the SDK error's details) and a non-zero exit code:
 *   0 ok · 1 a check failed (verification, mismatch) · 2 bad usage or input · 3 runtime / chain failure.
 */
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { isAgentExecError } from "../sdk/errors.js";

export const EXIT = { ok: 0, checkFailed: 1, usage: 2, runtime: 3 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error the CLI reports as one line with an exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = EXIT.usage,
  ) {
    super(message);
  }
}

export type Io = {
  out(text: string): void;
  err(text: string): void;
  json: boolean;
};

export function printJson(io: Io, value: unknown): void {
  io.out(JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v instanceof Uint8Array ? Buffer.from(v).toString("hex") : v), 2));
}

export function readText(path: string, what = "file"): string {
  if (path === "-") return readFileSync(0, "utf8");
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    throw new CliError(`cannot read ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, EXIT.usage);
  }
}

export function readBytes(path: string, what = "file"): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path === "-" ? 0 : path));
  } catch (e) {
    throw new CliError(`cannot read ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, EXIT.usage);
  }
}

export function readJson(path: string, what = "JSON file"): unknown {
  const text = readText(path, what);
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new CliError(`${what} ${path} is not JSON: ${(e as Error).message}`, EXIT.usage);
  }
}

export function writeOut(path: string, data: string | Uint8Array): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, data);
  } catch (e) {
    throw new CliError(`cannot write ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, EXIT.runtime);
  }
}

/** Codes of SDK errors that mean "your input is wrong" rather than "the chain or RPC failed". */
// A deployment that failed on the chain is a runtime failure; a deployment file or parameter that is wrong
// (DEPLOYMENT_INVALID*, DEPLOYMENT_NOT_FOUND, DEPLOYMENT_CHAIN_MISMATCH, …) is the user's input.
const RUNTIME_CODE = /RPC|CHAIN_REVERT|TIMEOUT|TRANSPORT|NETWORK|RECEIPT|DEPLOYMENT_FAILED/;

/** One line for any error, and the exit code it maps to. */
export function describeFailure(e: unknown): { line: string; exitCode: ExitCode } {
  if (e instanceof CliError) return { line: e.message, exitCode: e.exitCode };
  if (isAgentExecError(e)) {
    const details = e.details ? `: ${e.details.split("\n")[0]}` : "";
    return { line: `${e.code}: ${e.shortMessage}${details}`, exitCode: RUNTIME_CODE.test(e.code) ? EXIT.runtime : EXIT.usage };
  }
  const err = e as { shortMessage?: unknown; message?: unknown; name?: unknown };
  // viem errors carry a one-line shortMessage.
  if (typeof err?.shortMessage === "string") return { line: `${String(err.name ?? "Error")}: ${err.shortMessage.split("\n")[0]}`, exitCode: EXIT.runtime };
  return { line: String(err?.message ?? e).split("\n")[0] ?? "unknown error", exitCode: EXIT.runtime };
}

/** Progress on stderr for long operations (silent with --json, so stdout stays machine-readable). */
export function progress(io: Io, text: string): void {
  if (!io.json) io.err(`… ${text}`);
}
