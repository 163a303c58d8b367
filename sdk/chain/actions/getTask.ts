import type { Address, Hex } from "viem";
import { agentHandlerAbi } from "../abis.js";
import type { RetryOptions } from "../retry.js";
import { assertAddress, assertBytes32 } from "../validate.js";
import { TaskNotFoundError } from "./errors.js";
import { read, taskStatusName, type AnyClient } from "./internal.js";
import type { TaskStatusName } from "./types.js";

export type GetTaskParameters = {
  handler: Address;
  taskId: Hex;
  retry?: RetryOptions | undefined;
};

/** A stage of a task, by name. */
export type TaskStage = {
  stage: number;
  /** `proven`: its prove was approved; `stepped`: a step is recorded, not (yet) proven; `pending`: no step yet. */
  status: "proven" | "stepped" | "pending";
  /** The stage's verifier (from the registered policy). */
  verifier: Address;
  resolution: "async" | "sync";
  gating: boolean;
  input: "attestedTaskInput" | "previousOutput";
};

export type GetTaskReturnType = {
  taskId: Hex;
  handler: Address;
  status: Exclude<TaskStatusName, "None">;
  /** `IAgentExecHandler.TaskStatus` code. */
  statusCode: number;
  agentWorkflowHash: Hex;
  /** The requester, when the handler records it (v3 handlers). */
  requester: Address | undefined;
  deadline: bigint;
  /** The deadline has passed (whether or not `expireTask` was called): nothing more can be accepted. */
  pastDeadline: boolean;
  steppedStages: number;
  finalStepped: boolean;
  stageCount: number;
  minFinalStage: number;
  pipelineHash: Hex;
  stages: TaskStage[];
};

type RawTaskView = {
  status: number;
  agentWorkflowHash: Hex;
  deadline: number | bigint;
  steppedStages: number;
  provenStages: bigint;
  finalStepped: boolean;
  pastDeadline: boolean;
  requester?: Address;
};

type RawPolicy = {
  stages: readonly { resolution: number; gating: boolean; input: number; verifier: Address }[];
  minFinalStage: number;
  pipelineHash: Hex;
};

/**
 * Reads a task: its status and each stage by name (two view calls: `taskOf` and the workflow's policy).
 * Throws `TaskNotFoundError` (`CHAIN_TASK_NOT_FOUND`) for a task the handler does not know.
 */
export async function getTask(client: AnyClient, parameters: GetTaskParameters): Promise<GetTaskReturnType> {
  const { handler, taskId, retry } = parameters;
  assertAddress("handler", handler);
  assertBytes32("taskId", taskId);
  const view = await read<RawTaskView>(client, { address: handler, abi: agentHandlerAbi, functionName: "taskOf", args: [taskId] }, retry);
  if (view.status === 0) throw new TaskNotFoundError(taskId, { handler });
  const policy = await read<RawPolicy>(
    client,
    { address: handler, abi: agentHandlerAbi, functionName: "workflowPolicy", args: [view.agentWorkflowHash] },
    retry,
  );
  const stages: TaskStage[] = policy.stages.map((s, i) => ({
    stage: i,
    status: (view.provenStages >> BigInt(i)) & 1n ? "proven" : i < view.steppedStages ? "stepped" : "pending",
    verifier: s.verifier,
    resolution: s.resolution === 1 ? "sync" : "async",
    gating: s.gating,
    input: s.input === 1 ? "previousOutput" : "attestedTaskInput",
  }));
  return {
    taskId,
    handler,
    status: taskStatusName(view.status) as GetTaskReturnType["status"],
    statusCode: view.status,
    agentWorkflowHash: view.agentWorkflowHash,
    requester: view.requester,
    deadline: BigInt(view.deadline),
    pastDeadline: view.pastDeadline,
    steppedStages: view.steppedStages,
    finalStepped: view.finalStepped,
    stageCount: policy.stages.length,
    minFinalStage: policy.minFinalStage,
    pipelineHash: policy.pipelineHash,
    stages,
  };
}
