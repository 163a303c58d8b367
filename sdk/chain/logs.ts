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
  TimeoutError,
  numberToHex,
  type Address,
  type Client,
  type Hex,
} from "viem";
import { ChainParameterError } from "./errors.js";
import { ChainRpcError, findRevertData } from "./revert.js";

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
  /** One contract or several (undefined: any contract — filter by topics). */
  address?: Address | readonly Address[] | undefined;
  /** `eth_getLogs` topics filter (null = any). */
  topics?: readonly (Hex | readonly Hex[] | null)[] | undefined;
  /** First block (default 0). */
  fromBlock?: bigint | undefined;
  /** Last block (default: the latest; the whole range is tried in one request first, then paged if refused). */
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
  /** The range read (`toBlock`: the last block read, or the last log's block for an open-ended single read). */
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
  const filter = (fromBlock: bigint, toBlock: bigint | "latest") => ({
    ...(address === undefined ? {} : { address: Array.isArray(address) ? [...address] : (address as Address) }),
    fromBlock: numberToHex(fromBlock),
    toBlock: typeof toBlock === "bigint" ? numberToHex(toBlock) : toBlock,
    ...(topics ? { topics: topics.map((t) => (t === null ? null : Array.isArray(t) ? [...t] : t)) as never } : {}),
  });
  const request = (fromBlock: bigint, toBlock: bigint | "latest") =>
    withRpcRetry(async () => {
      requests++;
      const chunk = (await client.request({ method: "eth_getLogs", params: [filter(fromBlock, toBlock)] })) as unknown as RpcLog[];
      if (!Array.isArray(chunk)) throw new ChainRpcError("eth_getLogs answered something other than an array", { method: "eth_getLogs" });
      return chunk;
    }, parameters.retry);

  // Optimistic single read to the latest block (one round trip); page only if the provider refuses it.
  if (parameters.toBlock === undefined && parameters.pageSize === undefined) {
    try {
      const chunk = await request(from, "latest");
      const logs = chunk.filter((l) => !l.removed);
      const last = logs.length ? BigInt(logs[logs.length - 1]?.blockNumber ?? 0) : from;
      return { logs, fromBlock: from, toBlock: last, requests };
    } catch (error) {
      if (error instanceof ChainRpcError) throw error;
      if (!isLogRangeLimitError(error)) {
        throw new ChainRpcError(messageChain(error).split("\n")[0] ?? "eth_getLogs failed", { method: "eth_getLogs", cause: error });
      }
    }
  }
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
  let refused: bigint | undefined; // smallest page size refused so far: never grow back to it
  while (cursor <= to) {
    const end = cursor + page - 1n > to ? to : cursor + page - 1n;
    try {
      const chunk = await request(cursor, end);
      for (const l of chunk) if (!l.removed) logs.push(l);
      cursor = end + 1n;
      const cap = refused === undefined ? maxPage : refused - 1n < maxPage ? refused - 1n : maxPage;
      if (page < cap) page = page * 2n > cap ? cap : page * 2n;
    } catch (error) {
      if (error instanceof ChainRpcError) throw error;
      const span = end - cursor + 1n;
      if (isLogRangeLimitError(error) && span > minPage) {
        if (refused === undefined || span < refused) refused = span;
        page = span / 2n < minPage ? minPage : span / 2n;
        continue;
      }
      throw new ChainRpcError(messageChain(error).split("\n")[0] ?? "eth_getLogs failed", { method: "eth_getLogs", cause: error });
    }
  }
  return { logs, fromBlock: from, toBlock: to, requests };
}
