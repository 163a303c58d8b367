/**
 * One runtime per agent key and handler: a lock file created with `O_CREAT | O_EXCL` (`open(…, "wx")`), holding
 * the owner's pid. Two runtimes for the same key would otherwise race for the same steps (the handler accepts the
 * first and reverts the second, after both paid for simulation and gas) and for the same nonces. A lock whose
 * owner is no longer alive (a crashed runtime) is taken over.
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { AgentRuntimeError } from "./errors.js";

export type AgentLock = { readonly path: string; release(): void };

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Takes the lock at `path`; throws `AGENT_LOCKED` while a live process holds it. */
export function acquireLock(path: string): AgentLock {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, "wx", 0o600);
      try {
        writeSync(fd, JSON.stringify({ pid: process.pid, since: new Date().toISOString() }));
      } finally {
        closeSync(fd);
      }
      let released = false;
      return {
        path,
        release() {
          if (released) return;
          released = true;
          rmSync(path, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") {
        throw new AgentRuntimeError("AGENT_JOURNAL_IO", { details: `creating ${path}: ${(error as Error).message}`, cause: error });
      }
      let pid: number | undefined;
      try {
        pid = (JSON.parse(readFileSync(path, "utf8")) as { pid?: number }).pid;
      } catch {
        pid = undefined; // being written right now, or garbage: retry, then treat as held
      }
      if (pid !== undefined && pid !== process.pid && alive(pid)) {
        throw new AgentRuntimeError("AGENT_LOCKED", { details: `${path} is held by pid ${pid}` });
      }
      if (pid === process.pid) throw new AgentRuntimeError("AGENT_LOCKED", { details: `${path} is already held by this process` });
      if (pid !== undefined) rmSync(path, { force: true }); // stale: its owner is gone
    }
  }
  throw new AgentRuntimeError("AGENT_LOCKED", { details: `${path} could not be taken` });
}
