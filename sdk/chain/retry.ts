/**
 * Retry and backoff for the whole SDK: which RPC failures are worth repeating ({@link isTransientRpcError}), which
 * are a provider's log-range cap ({@link isLogRangeLimitError}, handled by paging in `getLogsPaged`), full-jitter
 * exponential backoff ({@link backoffDelay}), an abortable {@link sleep}, and {@link withRpcRetry}, which every chain
 * action and read of the SDK uses. The agent runtime (sdk/agent/retry.ts) builds its wider classification on these.
 */
import { BaseError, HttpRequestError, TimeoutError } from "viem";
import { findRevertData } from "./revert.js";

export type RetryOptions = {
  /** Attempts after the first (default 4). */
  retries?: number | undefined;
  /** First backoff delay in ms; the ceiling doubles per attempt, the delay is drawn with jitter (default 50). */
  delayMs?: number | undefined;
  /** Ceiling of one delay in ms (default 5,000). */
  maxDelayMs?: number | undefined;
};

/** Whether a failed request is worth repeating as is (rate limit, 5xx, timeout, dropped connection, "try again"). */
export function isTransientRpcError(error: unknown): boolean {
  if (isLogRangeLimitError(error)) return false;
  if (findRevertData(error) !== undefined) return false;
  const base = error instanceof BaseError ? error : undefined;
  const http = base?.walk((e) => e instanceof HttpRequestError) as HttpRequestError | undefined;
  if (http instanceof HttpRequestError) {
    if (http.status === undefined) return true; // connection refused / reset / fetch failed
    return http.status === 429 || http.status === 408 || http.status >= 500;
  }
  if (base?.walk((e) => e instanceof TimeoutError)) return true;
  // The node's own answer: the innermost errors carrying a JSON-RPC code (viem's wrappers add their own words).
  for (const { code, text } of coded(error)) {
    if (/revert/i.test(text)) return false;
    if (code === 429 || code === -32005 || code === -32603 || code === -32000 || code === -32099) {
      if (/rate|limit|too many|try again|timeout|timed out|busy|temporar|unavailable|overload|capacity/i.test(text)) return true;
    }
  }
  return /ECONNRESET|ECONNREFUSED|socket hang up|fetch failed|network error|temporarily unavailable|try again/i.test(messageChain(error));
}

function coded(error: unknown): { code: number; text: string }[] {
  const out: { code: number; text: string }[] = [];
  let e: unknown = error;
  const seen = new Set<unknown>();
  while (e && typeof e === "object" && !seen.has(e)) {
    seen.add(e);
    const o = e as { code?: unknown; details?: unknown; message?: unknown; cause?: unknown };
    if (typeof o.code === "number") out.push({ code: o.code, text: `${typeof o.details === "string" ? o.details : ""} ${o.cause ? "" : typeof o.message === "string" ? o.message : ""}` });
    e = o.cause;
  }
  return out;
}

/** Whether a provider refused an `eth_getLogs` for its block range or result size. */
export function isLogRangeLimitError(error: unknown): boolean {
  const text = messageChain(error);
  return /block range|range (is )?too (large|wide|big)|range limit|exceeds? (the )?max(imum)? (block )?range|max(imum)? block range|too many blocks|more than \d+ (results|logs)|query returned more than|response size (exceeded|is larger|too large)|log response size|result(s)? (set )?(size|limit) exceeded|exceed(s|ed)? (max(imum)? )?(results|logs)|limit exceeded.*logs|logs? limit|query timeout exceeded|too many (results|logs)|range should work|\b10000 results\b/i.test(
    text,
  );
}

/** The messages of `error` and its causes, one a line (viem's short message, details and message at each level). */
export function messageChain(error: unknown): string {
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

/**
 * Runs `fn`, repeating it on transient RPC failures (see {@link isTransientRpcError}) with full-jitter exponential
 * backoff ({@link backoffDelay}, so concurrent readers do not retry in lockstep). Anything else is rethrown as is;
 * retries exhausted rethrow the last error.
 */
export async function withRpcRetry<T>(fn: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const retries = options.retries ?? 4;
  const delay = options.delayMs ?? 50;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (attempt >= retries || !isTransientRpcError(error)) throw error;
      await sleep(backoffDelay(attempt, { baseMs: delay, maxMs: options.maxDelayMs }));
    }
  }
}

