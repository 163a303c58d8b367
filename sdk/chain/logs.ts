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
import { numberToHex, type Address, type Client, type Hex } from "viem";
import { ChainParameterError } from "./errors.js";
import { ChainRpcError } from "./revert.js";
import { isLogRangeLimitError, messageChain, withRpcRetry, type RetryOptions } from "./retry.js";

export { isLogRangeLimitError, isTransientRpcError, withRpcRetry, type RetryOptions } from "./retry.js";

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
