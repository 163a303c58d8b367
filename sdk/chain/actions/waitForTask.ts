import type { Address, Hex } from "viem";
import { watchContractEvent } from "viem/actions";
import { agentHandlerAbi } from "../abis.js";
import { getLogsPaged, type RetryOptions } from "../logs.js";
import { assertAddress, assertBytes32 } from "../validate.js";
import { decodeEventLog, encodeEventTopics } from "viem";
import { TaskExpiredError, TaskHaltedError, TaskNotFoundError, WaitForTaskTimeoutError } from "./errors.js";
import { read, type AnyClient } from "./internal.js";
import { ChainRpcError } from "../revert.js";
import { isAgentExecError } from "../../errors.js";

export type WaitForTaskParameters = {
  handler: Address;
  taskId: Hex;
  /**
   * `"poll"` (default): read `taskOf` every `pollingInterval`. `"subscribe"`: watch the handler's terminal events
   * (`eth_subscribe` on WebSocket transports, filters otherwise), with one `taskOf` read up front.
   */
  mode?: "poll" | "subscribe" | undefined;
  /** Milliseconds between polls (default: the client's `pollingInterval`). */
  pollingInterval?: number | undefined;
  /** Give up after this many milliseconds (`WaitForTaskTimeoutError`); default: wait until the deadline passes. */
  timeout?: number | undefined;
  /** Where to look for the finalisation event (default: from block 0). */
  fromBlock?: bigint | undefined;
  retry?: RetryOptions | undefined;
};

export type WaitForTaskReturnType = {
  taskId: Hex;
  status: "Finalized";
  finalStage: number;
  /** The final stage's output hash (`AgentTaskFinalized`). */
  outputHash: Hex;
  transactionHash: Hex;
  blockNumber: bigint;
};

type View = { status: number; deadline: number | bigint; pastDeadline: boolean };

/**
 * Resolves when the task is finalised. Rejects with `TaskHaltedError` (a gating stage halted it),
 * `TaskExpiredError` (its deadline passed first, expired or not), `TaskNotFoundError`, `WaitForTaskTimeoutError`,
 * or a typed RPC error.
 */
export function waitForTask(client: AnyClient, parameters: WaitForTaskParameters): Promise<WaitForTaskReturnType> {
  const { handler, taskId } = parameters;
  assertAddress("handler", handler);
  assertBytes32("taskId", taskId);
  const interval = parameters.pollingInterval ?? client.pollingInterval ?? 4_000;
  const retry = parameters.retry;

  return new Promise<WaitForTaskReturnType>((resolve, reject) => {
    let done = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let unwatch: (() => void) | undefined;
    const finish = (fn: () => void) => {
      if (done) return;
      done = true;
      if (timer) clearTimeout(timer);
      if (timeoutTimer) clearTimeout(timeoutTimer);
      unwatch?.();
      fn();
    };
    const timeoutTimer =
      parameters.timeout === undefined
        ? undefined
        : setTimeout(() => finish(() => reject(new WaitForTaskTimeoutError(taskId, parameters.timeout ?? 0))), parameters.timeout);

    const check = async (): Promise<boolean> => {
      const view = await read<View>(client, { address: handler, abi: agentHandlerAbi, functionName: "taskOf", args: [taskId] }, retry);
      if (view.status === 0) throw new TaskNotFoundError(taskId, { handler });
      if (view.status === 3) {
        const r = await finalized(client, handler, taskId, parameters.fromBlock, retry);
        finish(() => resolve(r));
        return true;
      }
      if (view.status === 2) {
        const h = await haltedAt(client, handler, taskId, parameters.fromBlock, retry);
        finish(() => reject(new TaskHaltedError(taskId, h?.stage, h?.digest)));
        return true;
      }
      if (view.status === 4 || view.pastDeadline) {
        finish(() => reject(new TaskExpiredError(taskId, BigInt(view.deadline))));
        return true;
      }
      return false;
    };
    const fail = (error: unknown) => finish(() => reject(isAgentExecError(error) ? error : new ChainRpcError(String(error), { cause: error })));

    const poll = () => {
      if (done) return;
      check().then(
        (over) => {
          if (!over && !done) timer = setTimeout(poll, interval);
        },
        fail,
      );
    };

    if (parameters.mode === "subscribe") {
      unwatch = watchContractEvent(client, {
        address: handler,
        abi: agentHandlerAbi,
        pollingInterval: interval,
        onLogs: (logs) => {
          for (const l of logs) {
            const name = (l as { eventName?: string }).eventName;
            const args = (l as { args?: { taskId?: Hex } }).args;
            if (args?.taskId !== taskId) continue;
            if (name === "AgentTaskFinalized" || name === "AgentTaskHalted" || name === "AgentTaskExpired") {
              check().catch(fail);
              return;
            }
          }
        },
        onError: fail,
      });
      // The task may have ended before the subscription started; and a passing deadline emits nothing.
      check()
        .then((over) => {
          if (over || done) return;
          const tick = () => {
            if (done) return;
            check().then((o) => {
              if (!o && !done) timer = setTimeout(tick, Math.max(interval * 4, 1000));
            }, fail);
          };
          timer = setTimeout(tick, Math.max(interval * 4, 1000));
        })
        .catch(fail);
    } else {
      poll();
    }
  });
}

async function finalized(client: AnyClient, handler: Address, taskId: Hex, fromBlock: bigint | undefined, retry: RetryOptions | undefined): Promise<WaitForTaskReturnType> {
  const found = await lastEvent(client, handler, taskId, "AgentTaskFinalized", fromBlock, retry);
  if (!found) throw new ChainRpcError("the task is finalised but its AgentTaskFinalized event was not found", { method: "eth_getLogs" });
  const args = found.args as { finalStage: number; outputHash: Hex };
  return { taskId, status: "Finalized", finalStage: args.finalStage, outputHash: args.outputHash, transactionHash: found.transactionHash, blockNumber: found.blockNumber };
}

async function haltedAt(client: AnyClient, handler: Address, taskId: Hex, fromBlock: bigint | undefined, retry: RetryOptions | undefined) {
  const found = await lastEvent(client, handler, taskId, "AgentTaskHalted", fromBlock, retry);
  if (!found) return undefined;
  const args = found.args as { stage: number; digest: Hex };
  return { stage: args.stage, digest: args.digest };
}

/** The last `eventName` of `taskId` at `handler` (paged log read). */
export async function lastEvent(
  client: AnyClient,
  handler: Address,
  taskId: Hex,
  eventName: "AgentTaskFinalized" | "AgentTaskHalted" | "AgentStepAccepted",
  fromBlock: bigint | undefined,
  retry: RetryOptions | undefined,
  extraTopics: readonly (Hex | null)[] = [],
) {
  const [topic0] = encodeEventTopics({ abi: agentHandlerAbi, eventName } as never) as Hex[];
  const { logs } = await getLogsPaged(client, { address: handler, topics: [topic0 ?? null, taskId, ...extraTopics], fromBlock, retry });
  const last = logs[logs.length - 1];
  if (!last || !last.transactionHash || !last.blockNumber) return undefined;
  const decoded = decodeEventLog({ abi: agentHandlerAbi, data: last.data, topics: last.topics as [Hex, ...Hex[]], strict: true });
  return { args: decoded.args as Record<string, unknown>, transactionHash: last.transactionHash, blockNumber: BigInt(last.blockNumber) };
}
