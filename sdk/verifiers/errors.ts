import { AgentExecError } from "../errors.js";

/**
 * A v3 verifier contract (CommitRevealVerifier, OptimisticVerifier) refused the call. `errorName` is its custom
 * error (e.g. `CommitRevealCommitClosed`) and `args` its arguments, when the revert could be decoded.
 */
export class VerifierRevertedError extends AgentExecError {
  override name = "VerifierRevertedError";
  readonly errorName: string | undefined;
  readonly args: readonly unknown[];
  constructor(errorName: string | undefined, args: readonly unknown[], cause: unknown) {
    super("VERIFIER_REVERTED", errorName ? `The verifier reverted with ${errorName}.` : "The verifier reverted.", {
      details: args.length ? `arguments: ${args.map((a) => String(a)).join(", ")}` : undefined,
      cause,
    });
    this.errorName = errorName;
    this.args = args;
  }
}

/** A verifier transaction was mined but reverted. */
export class VerifierTransactionFailedError extends AgentExecError {
  override name = "VerifierTransactionFailedError";
  readonly hash: string;
  constructor(hash: string) {
    super("VERIFIER_TRANSACTION_FAILED", "The verifier transaction reverted on-chain.", { details: `transaction ${hash}` });
    this.hash = hash;
  }
}
