import type { Address, Hex } from "viem";
import { watchContractEvent } from "viem/actions";
import { agentCallerAbi } from "../abis.js";
import { assertAddress } from "../validate.js";
import { decodeRevert } from "../revert.js";
import type { AgentExecError } from "../../errors.js";
import { eqHex, type AnyClient } from "./internal.js";

/** A dispatched task, as `CallAgent` announces it. */
export type DispatchedTask = {
  taskId: Hex;
  requester: Address;
  agentWorkflowHash: Hex;
  agentWorkflow: Hex;
  inputHash: Hex;
  input: Hex;
  handler: Address;
  deadline: bigint;
  blockNumber: bigint;
  transactionHash: Hex;
};

export type WatchTasksParameters = {
  /** The AgentCaller contract. */
  caller: Address;
  /** Only tasks for this handler (filtered client-side: `handler` is not indexed). */
  handler?: Address | undefined;
  /** Only tasks of this requester (filtered by topic). */
  requester?: Address | undefined;
  /** Only tasks of this workflow. */
  agentWorkflowHash?: Hex | undefined;
  /** Called with each batch of new tasks. */
  onTasks: (tasks: DispatchedTask[]) => void;
  /** Called with typed errors (the watch keeps going where the transport allows). */
  onError?: ((error: AgentExecError) => void) | undefined;
  /** Start from this block (default: new blocks only). */
  fromBlock?: bigint | undefined;
  /** Polling interval in ms (default: the client's); WebSocket transports subscribe. */
  pollingInterval?: number | undefined;
  /** Force polling even on a WebSocket transport. */
  poll?: boolean | undefined;
};

/** Stops watching. */
export type WatchTasksReturnType = () => void;

/** Watches `CallAgent` logs: the tasks agents pick up. Returns the function that stops the watch. */
export function watchTasks(client: AnyClient, parameters: WatchTasksParameters): WatchTasksReturnType {
  assertAddress("caller", parameters.caller);
  if (parameters.handler !== undefined) assertAddress("handler", parameters.handler);
  const onLogs = (logs: readonly { args: Omit<DispatchedTask, "blockNumber" | "transactionHash">; blockNumber: bigint | null; transactionHash: Hex | null }[]) => {
    const tasks: DispatchedTask[] = [];
    for (const l of logs) {
      const a = l.args;
      if (parameters.handler && !eqHex(a.handler, parameters.handler)) continue;
      if (parameters.agentWorkflowHash && !eqHex(a.agentWorkflowHash, parameters.agentWorkflowHash)) continue;
      if (l.blockNumber === null || l.transactionHash === null) continue;
      tasks.push({ ...a, blockNumber: l.blockNumber, transactionHash: l.transactionHash });
    }
    if (tasks.length) parameters.onTasks(tasks);
  };
  return watchContractEvent(client, {
    address: parameters.caller,
    abi: agentCallerAbi,
    eventName: "CallAgent",
    args: parameters.requester ? { requester: parameters.requester } : undefined,
    fromBlock: parameters.fromBlock,
    pollingInterval: parameters.pollingInterval,
    poll: parameters.poll,
    strict: true,
    onLogs,
    onError: (error: unknown) => parameters.onError?.(decodeRevert(error, { method: "eth_getFilterChanges" })),
  } as never);
}
