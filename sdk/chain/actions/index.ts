// viem actions for agent-exec: one per file, `action(client, parameters)`.
export { callAgent, type CallAgentParameters, type CallAgentReturnType } from "./callAgent.js";
export { submitStep, type SubmitStepParameters, type SubmitStepReturnType, type StepArguments } from "./submitStep.js";
export { submitProve, type SubmitProveParameters, type SubmitProveReturnType } from "./submitProve.js";
export { stepAndProve, type StepAndProveParameters, type StepAndProveReturnType } from "./stepAndProve.js";
export { waitForTask, type WaitForTaskParameters, type WaitForTaskReturnType } from "./waitForTask.js";
export { getTask, type GetTaskParameters, type GetTaskReturnType, type TaskStage } from "./getTask.js";
export {
  getTaskResult,
  findStepCall,
  type GetTaskResultParameters,
  type GetTaskResultReturnType,
  type DecodedStepCall,
} from "./getTaskResult.js";
export { watchTasks, type WatchTasksParameters, type WatchTasksReturnType, type DispatchedTask } from "./watchTasks.js";
export type { SendControl } from "./internal.js";
export type { ProveOutcome, ProveRejectionName, TaskStatusName, AcceptedStep, SentTransaction } from "./types.js";
export {
  TaskNotFoundError,
  TaskHaltedError,
  TaskExpiredError,
  TaskNotFinalizedError,
  WaitForTaskTimeoutError,
  TransactionRevertedError,
  UnexpectedChainDataError,
} from "./errors.js";
