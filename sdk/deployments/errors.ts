import { AgentExecError } from "../errors.js";

/** Stable codes of {@link DeploymentError}. */
export type DeploymentErrorCode =
  /** No deployments file where one was looked for. */
  | "DEPLOYMENT_NOT_FOUND"
  /** The file could not be read (permissions, a directory, …). */
  | "DEPLOYMENT_UNREADABLE"
  /** The file is not JSON. */
  | "DEPLOYMENT_INVALID_JSON"
  /** The JSON does not have the deployments shape (the `path` says where). */
  | "DEPLOYMENT_INVALID"
  /** The file is for another chain than the one asked for. */
  | "DEPLOYMENT_CHAIN_MISMATCH"
  /** The deployment has no contract of that name. */
  | "DEPLOYMENT_UNKNOWN_CONTRACT"
  /** `deployAgentExec` was given bad parameters (owner, attesters, threshold, clients); nothing was sent. */
  | "DEPLOYMENT_INVALID_PARAMETERS"
  /** A deployment transaction of `deployAgentExec` failed (the `contract` says which). */
  | "DEPLOYMENT_FAILED";

/**
 * A deployments file (deployments/<chainId>.json) is missing, unreadable or malformed, or `deployAgentExec` got bad
 * parameters or could not deploy a contract.
 */
export class DeploymentError extends AgentExecError {
  override name = "DeploymentError";
  declare readonly code: DeploymentErrorCode;
  /** The file concerned, when there is one. */
  readonly file: string | undefined;
  /** Where in the document the problem is, e.g. `contracts.AgentHandler.address`. */
  readonly path: string | undefined;
  /** The contract being deployed when `DEPLOYMENT_FAILED` was thrown. */
  readonly contract: string | undefined;

  constructor(
    code: DeploymentErrorCode,
    shortMessage: string,
    options: { details?: string; file?: string | undefined; path?: string | undefined; contract?: string | undefined; cause?: unknown } = {},
  ) {
    const metaMessages = [
      ...(options.file ? [`File: ${options.file}`] : []),
      ...(options.path ? [`Path: ${options.path}`] : []),
      ...(options.contract ? [`Contract: ${options.contract}`] : []),
    ];
    super(code, shortMessage, { details: options.details, cause: options.cause, metaMessages });
    this.file = options.file;
    this.path = options.path;
    this.contract = options.contract;
  }
}
