import { AgentExecError } from "../errors.js";

/** A parameter handed to a chain helper is malformed (bad address, hash length, stage range, …). */
export class ChainParameterError extends AgentExecError {
  override name = "ChainParameterError";
  /** The offending parameter's name. */
  readonly parameter: string;
  constructor(parameter: string, details: string) {
    super("CHAIN_INVALID_PARAMETER", `Invalid parameter "${parameter}".`, { details });
    this.parameter = parameter;
  }
}
