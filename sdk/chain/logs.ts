/**
 * Log reads that survive public RPC endpoints.
 *
 * `getLogsPaged` reads `eth_getLogs` over a block range in pages. When the provider refuses a page because of a
 * block-range or result-size cap (the answers of Alchemy, Infura, QuickNode, Ankr, geth, Erigon, … are recognised;
 * see {@link isLogRangeLimitError}), the page is halved and the read resumes where it stopped; after a page
 * succeeds the range grows back (doubling, up to the initial page size). Transient failures (HTTP 429/5xx,
 * timeouts, dropped connections, `-32603`/`-32000` "try again" answers) are retried with backoff by
 * {@link withRpcRetry}, which every chain action of the SDK also uses. Logs come back in chain order.
 */
import {
  BaseError,
  HttpRequestError,
  RpcRequestError,
  TimeoutError,
  numberToHex,
  type Address,
  type Client,
  type Hex,
} from "viem";
import { ChainParameterError } from "./errors.js";
import { ChainRpcError } from "./revert.js";

/** A raw log as `eth_getLogs` answers it (hex quantities). */
export type RpcLog = {
  address: Address;
  topics: readonly Hex[];
  data: Hex;
  blockNumber: Hex | null;
  blockHash: Hex | null;
  transactionHash: Hex | null;
  transactionIndex: Hex | null;
  logIndex: Hex | null;
  removed?: boolean | undefined;
};

export type RetryOptions = {
  /** Attempts after the first (default 4). */
  retries?: number | undefined;
  /** First backoff delay in ms, doubled per attempt (default 50). */
  delayMs?: number | undefined;
};

/** Whether a failed request is worth repeating as is (rate limit, 5xx, timeout, dropped connection, "try again"). */
export function isTransientRpcError(error: unknown): boolean {
  if (isLogRangeLimitError(error)) return false;
  const base = error instanceof BaseError ? error : undefined;
  const http = base?.walk((e) => e instanceof HttpRequestError) as HttpRequestError | undefined;
  if (http instanceof HttpRequestError) {
    if (http.status === undefined) return true; // connection refused / reset / fetch failed
    return http.status === 429 || http.status === 408 || http.status >= 500;
  }
  if (base?.walk((e) => e instanceof TimeoutError)) return true;
  const rpc = base?.walk((e) => e instanceof RpcRequestError) as RpcRequestError | undefined;
  const code = rpc?.code ?? codeOf(error);
  const text = messageChain(error);
  if (code === 429 || code === -32005 || code === -32603 || code === -32000 || code === -32099) {
    return /rate|limit|too many|try again|timeout|timed out|busy|temporar|unavailable|internal|overload|capacity/i.test(text);
  }
  return /ECONNRESET|ECONNREFUSED|socket hang up|fetch failed|network error|timed out|timeout|temporarily unavailable|try again/i.test(text);
}

/** Whether a provider refused an `eth_getLogs` for its block range or result size. */
export function isLogRangeLimitError(error: unknown): boolean {
  const text = messageChain(error);
  return /block range|range (is )?too (large|wide|big)|range limit|exceeds? (the )?max(imum)? (block )?range|max(imum)? block range|too many blocks|more than \d+ (results|logs)|query returned more than|response size (exceeded|is larger|too large)|log response size|result(s)? (set )?(size|limit) exceeded|exceed(s|ed)? (max(imum)? )?(results|logs)|limit exceeded.*logs|logs? limit|query timeout exceeded|too many (results|logs)|range should work|\b10000 results\b/i.test(
    text,
  );
}

function codeOf(error: unknown): number | undefined {
  let e: unknown = error;
  const seen = new Set<unknown>();
  while (e && typeof e === "object" && !seen.has(e)) {
    seen.add(e);
    const c = (e as { code?: unknown }).code;
    if (typeof c === "number") return c;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

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

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Runs `fn`, repeating it on transient RPC failures (see {@link isTransientRpcError}) with exponential backoff.
 * Anything else is rethrown as is; retries exhausted rethrow the last error.
 */
export async function withRpcRetry<T>(fn: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const retries = options.retries ?? 4;
  const delay = options.delayMs ?? 50;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (attempt >= retries || !isTransientRpcError(error)) throw error;
      await sleep(delay * 2 ** attempt);
    }
  }
}

export type GetLogsPagedParameters = {
  /** One contract or several. */
  address: Address | readonly Address[];
  /** `eth_getLogs` topics filter (null = any). */
  topics?: readonly (Hex | readonly Hex[] | null)[] | undefined;
  /** First block (default 0). */
  fromBlock?: bigint | undefined;
  /** Last block (default: the latest block, read once). */
  toBlock?: bigint | undefined;
  /** Blocks per page to start with (default: the whole range). */
  pageSize?: bigint | undefined;
  /** Never split a page below this many blocks (default 1). */
  minPageSize?: bigint | undefined;
  /** Transient-failure retries per request. */
  retry?: RetryOptions | undefined;
};

export type GetLogsPagedReturnType = {
  logs: RpcLog[];
  /** The range actually read. */
  fromBlock: bigint;
  toBlock: bigint;
  /** `eth_getLogs` requests made (pages, halvings and retries included). */
  requests: number;
};

/**
 * Reads every log matching the filter over `[fromBlock, toBlock]`, paging and halving on provider caps.
 * Throws {@link ChainRpcError} when a page of `minPageSize` blocks is still refused, or a non-transient error.
 */
export async function getLogsPaged(client: Client, parameters: GetLogsPagedParameters): Promise<GetLogsPagedReturnType> {
  const { address, topics } = parameters;
  const from = parameters.fromBlock ?? 0n;
  let requests = 0;
  const to =
    parameters.toBlock ??
    (await withRpcRetry(async () => {
      requests++;
      return BigInt(await client.request({ method: "eth_blockNumber" }));
    }, parameters.retry).catch((cause: unknown) => {
      throw new ChainRpcError(messageChain(cause).split("\n")[0] ?? "eth_blockNumber failed", { method: "eth_blockNumber", cause });
    }));
  if (from < 0n || to < from) throw new ChainParameterError("fromBlock", `expected 0 <= fromBlock <= toBlock, got ${from}..${to}`);
  const maxPage = parameters.pageSize ?? to - from + 1n;
  const minPage = parameters.minPageSize ?? 1n;
  if (maxPage < 1n || minPage < 1n) throw new ChainParameterError("pageSize", "page sizes must be at least one block");

  const logs: RpcLog[] = [];
  let cursor = from;
  let page = maxPage;
  while (cursor <= to) {
    const end = cursor + page - 1n > to ? to : cursor + page - 1n;
    try {
      const chunk = await withRpcRetry(async () => {
        requests++;
        return (await client.request({
          method: "eth_getLogs",
          params: [
            {
              address: Array.isArray(address) ? [...address] : (address as Address),
              fromBlock: numberToHex(cursor),
              toBlock: numberToHex(end),
              ...(topics ? { topics: topics.map((t) => (t === null ? null : Array.isArray(t) ? [...t] : t)) as never } : {}),
            },
          ],
        })) as unknown as RpcLog[];
      }, parameters.retry);
      if (!Array.isArray(chunk)) throw new ChainRpcError("eth_getLogs answered something other than an array", { method: "eth_getLogs" });
      for (const l of chunk) if (!l.removed) logs.push(l);
      cursor = end + 1n;
      if (page < maxPage) page = page * 2n > maxPage ? maxPage : page * 2n;
    } catch (error) {
      if (error instanceof ChainRpcError) throw error;
      const span = end - cursor + 1n;
      if (isLogRangeLimitError(error) && span > minPage) {
        page = span / 2n < minPage ? minPage : span / 2n;
        continue;
      }
      throw new ChainRpcError(messageChain(error).split("\n")[0] ?? "eth_getLogs failed", { method: "eth_getLogs", cause: error });
    }
  }
  return { logs, fromBlock: from, toBlock: to, requests };
}
