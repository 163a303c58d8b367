/** Typed errors of the chain actions (waiting on and reading tasks). Reverts are {@link ContractRevertError}s. */
import type { Hex } from "viem";
import { AgentExecError } from "../../errors.js";

/** The task is unknown to the handler (`taskOf` answers status `None`). */
export class TaskNotFoundError extends AgentExecError {
  override name = "TaskNotFoundError";
  readonly taskId: Hex;
  constructor(taskId: Hex, parameters: { handler?: string | undefined } = {}) {
    super("CHAIN_TASK_NOT_FOUND", "The task is unknown to the handler.", {
      details: `task ${taskId}${parameters.handler ? ` at handler ${parameters.handler}` : ""}`,
    });
    this.taskId = taskId;
  }
}

/** A gating stage's valid non-approving verdict halted the task for good. */
export class TaskHaltedError extends AgentExecError {
  override name = "TaskHaltedError";
  readonly taskId: Hex;
  /** The gating stage that halted the task (undefined when only the status was seen). */
  readonly stage: number | undefined;
  /** The verifier's digest of the denial. */
  readonly digest: Hex | undefined;
  constructor(taskId: Hex, stage: number | undefined, digest: Hex | undefined) {
    super("CHAIN_TASK_HALTED", "The task was halted by a gating stage.", {
      details: `task ${taskId}${stage === undefined ? "" : `, stage ${stage}`}${digest ? `, digest ${digest}` : ""}`,
    });
    this.taskId = taskId;
    this.stage = stage;
    this.digest = digest;
  }
}

/** The task's deadline passed before it was finalised (whether or not `expireTask` was called). */
export class TaskExpiredError extends AgentExecError {
  override name = "TaskExpiredError";
  readonly taskId: Hex;
  readonly deadline: bigint | undefined;
  constructor(taskId: Hex, deadline: bigint | undefined) {
    super("CHAIN_TASK_EXPIRED", "The task expired before it was finalised.", {
      details: `task ${taskId}${deadline === undefined ? "" : `, deadline ${deadline}`}`,
    });
    this.taskId = taskId;
    this.deadline = deadline;
  }
}

/** `waitForTask` gave up after its `timeout`. */
export class WaitForTaskTimeoutError extends AgentExecError {
  override name = "WaitForTaskTimeoutError";
  readonly taskId: Hex;
  constructor(taskId: Hex, timeoutMs: number) {
    super("CHAIN_WAIT_TIMEOUT", "Timed out waiting for the task.", { details: `task ${taskId} not final after ${timeoutMs} ms` });
    this.taskId = taskId;
  }
}

/** The task is not finalised, so it has no result yet. */
export class TaskNotFinalizedError extends AgentExecError {
  override name = "TaskNotFinalizedError";
  readonly taskId: Hex;
  constructor(taskId: Hex, status: string) {
    super("CHAIN_TASK_NOT_FINALIZED", "The task is not finalised.", { details: `task ${taskId} is ${status}` });
    this.taskId = taskId;
  }
}

/** A transaction was mined but reverted (its revert data is not available from the receipt). */
export class TransactionRevertedError extends AgentExecError {
  override name = "TransactionRevertedError";
  readonly transactionHash: Hex;
  constructor(transactionHash: Hex) {
    super("CHAIN_TX_REVERTED", "The transaction reverted.", { details: `transaction ${transactionHash}` });
    this.transactionHash = transactionHash;
  }
}

/** The chain answered something the SDK cannot interpret (a missing event, a malformed log or transaction). */
export class UnexpectedChainDataError extends AgentExecError {
  override name = "UnexpectedChainDataError";
  constructor(details: string) {
    super("CHAIN_UNEXPECTED_DATA", "The chain answered unexpected data.", { details });
  }
}
