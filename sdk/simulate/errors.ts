/**
 * Typed errors of the simulator. A call that would fail is never an error: it is a {@link SimulationFailure} in
 * the report. These are for what stops the simulation itself: bad parameters or plan, no fork available, an RPC
 * that cannot fork or impersonate.
 */
import { AgentExecError, type AgentExecErrorParameters } from "../errors.js";

export const SIMULATE_ERROR_MESSAGES = {
  SIMULATE_INVALID_PARAMETER: "Invalid simulation parameter.",
  SIMULATE_INVALID_PLAN: "The simulation plan is invalid.",
  SIMULATE_FORK_UNAVAILABLE: "An in-process fork needs Hardhat 3 (its EDR network), which is not installed.",
  SIMULATE_FORK_RPC: "The chain to fork could not be reached or forked.",
  SIMULATE_RPC_UNSUPPORTED: "The simulation chain does not support the test methods the simulator needs.",
} as const;
export type SimulateErrorCode = keyof typeof SIMULATE_ERROR_MESSAGES;

export class SimulateError extends AgentExecError {
  override name = "SimulateError";
  constructor(code: SimulateErrorCode, parameters: AgentExecErrorParameters = {}) {
    super(code, SIMULATE_ERROR_MESSAGES[code], parameters);
  }
}
