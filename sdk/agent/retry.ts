/**
 * Transient-failure classification and backoff for the runtime's reconcile loop. The chain actions already repeat
 * requests the SDK classifies as transient ({@link isTransientRpcError}); the runtime adds the answers load-balanced
 * and lagging nodes give ("header not found", "unknown block", missing receipts, receipt timeouts) and dropped
 * connections, and waits with full jitter so concurrent tasks do not retry in lockstep.
 */
import { isTransientRpcError, messageChain } from "../chain/retry.js";

export { backoffDelay, sleep, type BackoffOptions } from "../chain/retry.js";

const TRANSIENT_TEXT =
  /header not found|unknown block|block not found|missing trie node|not found in the chain|could not be found|timed? ?out|timeout|ECONNRESET|ECONNREFUSED|EPIPE|socket hang up|fetch failed|other side closed|network|temporar|try again|rate limit|too many requests|nonce too low|nonce too high|replacement transaction underpriced|already known|transaction underpriced|502|503|504/i;

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

export function errorMessage(error: unknown): string {
  const first = messageChain(error).split("\n").find((l) => l.trim().length > 0);
  return (first ?? String(error)).slice(0, 300);
}
