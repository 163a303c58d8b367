/** Helpers for the install tests: run a command as a user would, outside the npm script that runs the tests. */
import { spawn } from "node:child_process";
import { delimiter, sep } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = fileURLToPath(new URL("../../", import.meta.url));

/**
 * The environment a user's shell would have: npm's per-script variables removed, and the project's
 * `node_modules/.bin` (which puts the bundled Node 22 first) taken off PATH, so `node` and `npm` are the system's
 * (Node 20 on this project's CI).
 */
export function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^npm_/i.test(k) || k === "INIT_CWD" || k === "NODE_OPTIONS") continue;
    env[k] = v;
  }
  env.PATH = (process.env.PATH ?? "")
    .split(delimiter)
    .filter((p) => !p.split(sep).includes("node_modules"))
    .join(delimiter);
  return { ...env, ...extra };
}

export type RunResult = { code: number | null; stdout: string; stderr: string; ms: number };

/** Runs a command to completion (no shell), capturing its output; rejects with both streams on a non-zero exit. */
export function run(
  cmd: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; allowFailure?: boolean },
): Promise<RunResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: options.cwd, env: options.env ?? userEnv(), stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 300_000);
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      const result = { code, stdout, stderr, ms: Date.now() - started };
      if (code !== 0 && !options.allowFailure) {
        reject(new Error(`${cmd} ${args.join(" ")} exited with ${code}\n--- stdout\n${stdout.slice(-4000)}\n--- stderr\n${stderr.slice(-4000)}`));
      } else resolve(result);
    });
  });
}
