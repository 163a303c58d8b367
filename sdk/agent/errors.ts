/** Typed errors of the agent runtime. Every one is an {@link AgentExecError} with a stable `AGENT_*` code. */
import { AgentExecError, type AgentExecErrorParameters } from "../errors.js";

export type AgentErrorCode =
  | "AGENT_INVALID_OPTION"
  | "AGENT_LOCKED"
  | "AGENT_JOURNAL_CORRUPT"
  | "AGENT_JOURNAL_IO"
  | "AGENT_WORKFLOW_UNAVAILABLE"
  | "AGENT_WORKFLOW_INVALID"
  | "AGENT_WORKFLOW_MISMATCH"
  | "AGENT_NO_EXECUTOR"
  | "AGENT_EXECUTOR_FAILED"
  | "AGENT_DEADLINE_UNMEETABLE"
  | "AGENT_PROOF_FAILED"
  | "AGENT_STEP_CONFLICT"
  | "AGENT_CAPSULE_KEY_MISSING"
  | "AGENT_CAPSULE_INVALID"
  | "AGENT_CAPSULE_UNDECIDED"
  | "AGENT_STOPPED";

const MESSAGES: Record<AgentErrorCode, string> = {
  AGENT_INVALID_OPTION: "An agent runtime option is invalid.",
  AGENT_LOCKED: "Another runtime holds the lock for this agent key and handler.",
  AGENT_JOURNAL_CORRUPT: "The agent journal holds a record it cannot read.",
  AGENT_JOURNAL_IO: "The agent journal could not be written.",
  AGENT_WORKFLOW_UNAVAILABLE: "The workflow document could not be obtained.",
  AGENT_WORKFLOW_INVALID: "The workflow document is invalid.",
  AGENT_WORKFLOW_MISMATCH: "The workflow document does not match the task.",
  AGENT_NO_EXECUTOR: "No executor is configured for a stage.",
  AGENT_EXECUTOR_FAILED: "A stage executor failed.",
  AGENT_DEADLINE_UNMEETABLE: "The task's deadline cannot be met.",
  AGENT_PROOF_FAILED: "The proof producer failed.",
  AGENT_STEP_CONFLICT: "The chain records a step this runtime did not produce.",
  AGENT_CAPSULE_KEY_MISSING: "The workflow asks for Capsules and the runtime has no capsule signing key.",
  AGENT_CAPSULE_INVALID: "The stage's Capsule could not be built or signed.",
  AGENT_CAPSULE_UNDECIDED: "A gating stage's Capsule records no decision to prove.",
  AGENT_STOPPED: "The runtime is stopping.",
};

export class AgentRuntimeError extends AgentExecError {
  override name = "AgentRuntimeError";
  declare readonly code: AgentErrorCode;
  constructor(code: AgentErrorCode, parameters: AgentExecErrorParameters = {}) {
    super(code, MESSAGES[code], parameters);
  }
}
