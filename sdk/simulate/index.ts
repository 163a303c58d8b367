// Public surface of sdk/simulate: run a workflow's calls on a fork (or any development chain) before sending them,
// and name the rule that would fail.
export {
  simulateWorkflow,
  DEFAULT_MAX_TRANSACTION_BYTES,
  TRANSACTION_GAS_CAP,
  type SimulateWorkflowParameters,
  type SimulateWorkflowReturnType,
} from "./simulateWorkflow.js";
export { createFork, type CreateForkParameters, type Fork } from "./fork.js";
export { parseSimulationPlan, type ParseSimulationPlanOptions } from "./plan.js";
export { renderSimulationReport } from "./render.js";
export { SIMULATION_RULE_OF_ERROR, failureOfRevert, ruleOfRejection } from "./classify.js";
export type {
  SimulationRule,
  SimulationFailure,
  SimulatedCall,
  SimulatedCallName,
  SimulationProve,
  SimulationStep,
  SimulationReport,
} from "./types.js";
export { SimulateError, SIMULATE_ERROR_MESSAGES, type SimulateErrorCode } from "./errors.js";
