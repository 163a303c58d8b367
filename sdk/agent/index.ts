// Public surface of sdk/agent: the agent runtime (watch CallAgent, run stages, step and prove, durably).
export {
  createAgentRuntime,
  type AgentRuntime,
  type AgentRuntimeEvent,
  type AgentRuntimeStats,
  type CreateAgentRuntimeParameters,
  type StageExecutors,
  type TaskProgress,
  type WorkflowSource,
} from "./runtime.js";
export {
  buildStage,
  chainedInput,
  ectJti,
  type AgentEctIdentity,
  type BuildStageParameters,
  type StageExecutor,
  type StageExecutorContext,
  type StageExecutorResult,
  type StageOutput,
  type StageOutputValue,
  type StageCapsuleContext,
} from "./stage.js";
export { buildStageCapsule, CAPSULE_STEP_EXTENSION, type BuildStageCapsuleParameters, type BuildStageCapsuleReturnType, type StageCapsuleSpec } from "./capsule.js";
export { localAttesterProofProducer, type LocalAttesterProofProducerParameters, type ProofProducer, type ProofRequest } from "./proof.js";
export {
  openJournal,
  type Journal,
  type JournalCapsule,
  type JournalRecord,
  type JournalStage,
  type JournalTask,
  type JournalTx,
  type OpenJournalParameters,
  type TaskJournalState,
  type TaskOutcome,
  type TxKind,
  type TxPhase,
} from "./journal.js";
export { acquireLock, type AgentLock } from "./lock.js";
export { createNonceManager, type CreateNonceManagerParameters, type NonceManager } from "./nonce.js";
export { backoffDelay, isTransientAgentError, type BackoffOptions } from "./retry.js";
export { createJsonLogger, silentLogger, type AgentLogger, type AgentLogFields, type AgentLogLevel, type CreateJsonLoggerParameters } from "./logger.js";
export { AgentRuntimeError, type AgentErrorCode } from "./errors.js";
export { runAgentCli, type RunAgentCliOptions, type RunAgentCliReturnType } from "./cli.js";
