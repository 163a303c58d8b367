/**
 * Plain-data messages between `EctVerifierPool` and its worker threads (workflow-worker.ts).
 * Internal module.
 */
import type { AgentKeyRecord } from "./agent-key.js";
import type { EctClaims, EctHeader } from "./claims.js";
import type { EctVerificationErrorData } from "./errors.js";

/** Verification options that can cross a thread boundary (no functions: the clock is a fixed `now`). */
export type WorkerOptions = {
  audience: string | readonly string[] | null;
  algorithms: readonly string[] | undefined;
  /** Milliseconds since the epoch, sampled once by the caller. */
  now: number;
  maxFutureSkewSec: number | undefined;
  maxAgeSec: number | undefined;
  expLeewaySec: number | undefined;
};

export type WorkerJob =
  | { type: "verify"; id: number; tokens: string[]; options: WorkerOptions }
  | { type: "keys"; records: AgentKeyRecord[] };

export type WorkerResult =
  | { ok: true; claims: EctClaims; header: EctHeader; payload: Record<string, unknown> }
  | { ok: false; error: EctVerificationErrorData };

export type WorkerMessage = { type: "result"; id: number; results: WorkerResult[] } | { type: "fatal"; message: string };
