/**
 * Transient-failure classification and backoff for the runtime's reconcile loop. The chain actions already repeat
 * requests the SDK classifies as transient ({@link isTransientRpcError}); the runtime adds the answers load-balanced
 * and lagging nodes give ("header not found", "unknown block", missing receipts, receipt timeouts) and dropped
 * connections, and waits with full jitter so concurrent tasks do not retry in lockstep.
 */
import { isTransientRpcError } from "../chain/logs.js";

const TRANSIENT_TEXT =
  /header not found|unknown block|block not found|missing trie node|not found in the chain|could not be found|timed? ?out|timeout|ECONNRESET|ECONNREFUSED|EPIPE|socket hang up|fetch failed|other side closed|network|temporar|try again|rate limit|too many requests|nonce too low|nonce too high|replacement transaction underpriced|already known|transaction underpriced|502|503|504/i;

function messageChain(error: unknown): string {
  const parts: string[] = [];
  let e: unknown = error;
  const seen = new Set<unknown>();
  while (e && typeof e === "object" && !seen.has(e)) {
    seen.add(e);
    const o = e as { message?: unknown; details?: unknown; shortMessage?: unknown; cause?: unknown };
    for (const v of [o.shortMessage, o.details, o.message]) if (typeof v === "string") parts.push(v);
    e = o.cause;
  }
  if (typeof error === "string") parts.push(error);
  return parts.join("\n");
}

/** Whether the runtime should retry after `error` (after re-reading the chain). */
export function isTransientAgentError(error: unknown): boolean {
  if (isTransientRpcError(error)) return true;
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === "string" && code.startsWith("CHAIN_REVERT_")) return false;
  return TRANSIENT_TEXT.test(messageChain(error));
}

/** Whether `error` says the nonce the transaction used is not the account's next. */
export function isNonceError(error: unknown): boolean {
  return /nonce too low|nonce too high|already known|replacement transaction underpriced|nonce has already been used|invalid nonce/i.test(messageChain(error));
}

export type BackoffOptions = {
  /** First delay (default 100 ms). */
  baseMs?: number | undefined;
  /** Ceiling (default 5,000 ms). */
  maxMs?: number | undefined;
  /** Random source in [0, 1) (default `Math.random`). */
  random?: (() => number) | undefined;
};

/** Full-jitter exponential backoff: a uniform delay in [base/2, min(max, base·2^attempt)]. */
export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
  const base = options.baseMs ?? 100;
  const max = options.maxMs ?? 5_000;
  const ceiling = Math.min(max, base * 2 ** Math.min(attempt, 30));
  const r = (options.random ?? Math.random)();
  return Math.round(base / 2 + r * Math.max(0, ceiling - base / 2));
}

/** Sleeps `ms`, resolving early (without throwing) when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

export function errorMessage(error: unknown): string {
  const first = messageChain(error).split("\n").find((l) => l.trim().length > 0);
  return (first ?? String(error)).slice(0, 300);
}
