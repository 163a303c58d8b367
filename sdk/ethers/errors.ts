/**
 * Typed errors of the ethers v6 path. Both extend the SDK's one base class.
 */
import { AgentExecError } from "../errors.js";

/** A parameter handed to an ethers helper is malformed (address, runner, typed data). */
export class EthersParameterError extends AgentExecError {
  override name = "EthersParameterError";
  /** The offending parameter's name. */
  readonly parameter: string;
  constructor(parameter: string, details: string) {
    super("ETHERS_INVALID_PARAMETER", `Invalid parameter "${parameter}".`, { details });
    this.parameter = parameter;
  }
}

export type EthersContractRevertErrorParameters = {
  /** The revert data (selector and ABI-encoded arguments), when the provider returned it. */
  data: `0x${string}` | undefined;
  /** The contract error's name (e.g. `AgentHandlerTaskNotActive`), when its selector is known. */
  errorName: string | undefined;
  /** Its decoded arguments, in ABI order. */
  args: readonly unknown[];
  /** `Error(string)` / `Panic(uint256)` reasons, when the revert is one of those. */
  reason: string | undefined;
  cause: unknown;
};

/**
 * A transaction or call reverted. `errorName` and `args` name the contract's custom error
 * (decoded with the SDK's ABIs, where ethers reports "unknown custom error").
 */
export class EthersContractRevertError extends AgentExecError {
  override name = "EthersContractRevertError";
  readonly data: `0x${string}` | undefined;
  readonly errorName: string | undefined;
  readonly args: readonly unknown[];
  readonly reason: string | undefined;
  constructor(p: EthersContractRevertErrorParameters) {
    const what = p.errorName !== undefined ? `${p.errorName}(${p.args.map(showArg).join(", ")})` : p.reason !== undefined ? p.reason : p.data !== undefined ? `unknown error data ${p.data.slice(0, 10)}` : "no revert data";
    super("ETHERS_CONTRACT_REVERT", "The contract reverted.", { details: what, cause: p.cause });
    this.data = p.data;
    this.errorName = p.errorName;
    this.args = p.args;
    this.reason = p.reason;
  }
}

/** A mined transaction whose receipt says it failed (status 0), or no receipt at all. */
export class EthersTransactionFailedError extends AgentExecError {
  override name = "EthersTransactionFailedError";
  readonly hash: string | undefined;
  constructor(hash: string | undefined, details: string, cause?: unknown) {
    super("ETHERS_TRANSACTION_FAILED", "The transaction failed.", { details, cause });
    this.hash = hash;
  }
}

function showArg(a: unknown): string {
  if (typeof a === "bigint") return `${a}n`;
  if (typeof a === "string") return a;
  try {
    return JSON.stringify(a, (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v)) ?? String(a);
  } catch {
    return String(a);
  }
}
