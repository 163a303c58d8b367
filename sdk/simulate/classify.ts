/**
 * Which rule a contract error or a prove rejection belongs to (contracts/interfaces/IAgentExecHandler.sol,
 * IAgentExecCaller.sol, libraries/BoundedCall.sol). One table, so a reader finds every mapping in one place.
 */
import type { ContractRevertError, RevertArgument } from "../chain/revert.js";
import { PROVE_REJECTION_NAMES } from "../chain/actions/internal.js";
import type { SimulationFailure, SimulationRule } from "./types.js";

/** Contract errors by rule. An error absent here is `revert`. */
export const SIMULATION_RULE_OF_ERROR: Readonly<Record<string, SimulationRule>> = {
  // Input provenance: the WYRIWE sentinel at stage 0, attested / chained inputs after it, the input bytes.
  AgentHandlerWyriweViolation: "sentinel",
  AgentHandlerInputNotAttested: "sentinel",
  AgentHandlerInputNotChained: "sentinel",
  AgentHandlerMissingWitness: "sentinel",
  AgentCallerInputHashMismatch: "sentinel",
  // Deadlines (AgentHandlerTaskNotActive with status Expired too, see below).
  AgentHandlerDeadlinePassed: "deadline",
  AgentHandlerInvalidDeadline: "deadline",
  AgentCallerDeadlineNotInFuture: "deadline",
  AgentCallerDeadlineTooFar: "deadline",
  // The registered policy and the staging rules.
  AgentHandlerUnauthorizedAgent: "policy",
  AgentHandlerCallerNotAgent: "policy",
  AgentHandlerRequesterNotAllowed: "policy",
  AgentHandlerWorkflowNotRegistered: "policy",
  AgentCallerWorkflowNotRegistered: "policy",
  AgentCallerNotTrustedByHandler: "policy",
  AgentHandlerUnauthorizedCaller: "policy",
  AgentHandlerStageOutOfRange: "policy",
  AgentHandlerStageOutOfOrder: "policy",
  AgentHandlerSteppingClosed: "policy",
  AgentHandlerFinalFlagInvalid: "policy",
  AgentHandlerSyncStageUnproven: "policy",
  AgentHandlerGateLocked: "policy",
  AgentHandlerLaterStageProven: "policy",
  AgentHandlerStageAlreadyProven: "policy",
  AgentHandlerStepNotRecorded: "policy",
  AgentHandlerEarlierStagesUnproven: "policy",
  AgentHandlerReplacementUnchanged: "policy",
  AgentHandlerTaskNotActive: "policy",
  // The handler could not forward a verifier's (or registry's) gas allowance.
  BoundedCallInsufficientGas: "gas",
};

/** `IAgentExecHandler.ProveRejection` codes by rule: running out of the policy's gas allowance is `gas`. */
export function ruleOfRejection(reason: number): SimulationRule {
  return PROVE_REJECTION_NAMES[reason] === "VerifierOutOfGas" ? "gas" : "verifier";
}

const TASK_STATUS = ["None", "Active", "Halted", "Finalized", "Expired"] as const;

/** The failure a decoded revert stands for. */
export function failureOfRevert(error: ContractRevertError): SimulationFailure {
  const args = error.args;
  if (error.errorName === "AgentHandlerProveRejected") {
    const reason = Number(args.reason as RevertArgument);
    const name = PROVE_REJECTION_NAMES[reason] ?? "None";
    return {
      rule: ruleOfRejection(reason),
      error: name,
      args,
      message: `stepAndProve reverts: the stage ${String(args.stage)} verifier rejects the prove (${name})`,
    };
  }
  let rule = SIMULATION_RULE_OF_ERROR[error.errorName] ?? "revert";
  if (error.errorName === "AgentHandlerTaskNotActive" && TASK_STATUS[Number(args.status as RevertArgument)] === "Expired") rule = "deadline";
  const rendered = Object.entries(args)
    .map(([k, v]) => `${k}: ${typeof v === "bigint" ? v.toString() : typeof v === "string" ? v : JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? x.toString() : x))}`)
    .join(", ");
  const base = error.errorName === "UNKNOWN" ? `reverts with unknown data ${error.data ?? "(none)"}` : `reverts with ${error.errorName}(${rendered})`;
  const why = explain(error.errorName, args);
  return { rule, error: error.errorName, args, message: why ?? base };
}

/** A plain-words reading of the errors users meet most. */
function explain(name: string, a: Readonly<Record<string, RevertArgument>>): string | undefined {
  const n = (k: string) => (typeof a[k] === "bigint" ? (a[k] as bigint) : undefined);
  switch (name) {
    case "AgentHandlerDeadlinePassed":
    case "AgentCallerDeadlineNotInFuture": {
      const d = n("deadline");
      const t = n("timestamp");
      return d !== undefined && t !== undefined ? `the call lands at ${t}, ${t - d} s after the deadline ${d}` : undefined;
    }
    case "AgentHandlerUnauthorizedAgent":
      return `the workflow's agent policy does not authorise agent ${String(a.agent)}`;
    case "AgentHandlerRequesterNotAllowed":
      return `the workflow restricts requesters and ${String(a.requester)} is not one of them`;
    case "AgentCallerWorkflowNotRegistered":
    case "AgentHandlerWorkflowNotRegistered":
      return "no policy is registered for this workflow hash at the handler";
    case "AgentHandlerWyriweViolation":
      return `stage 0 declares input ${String(a.attested)}, the attested task input is ${String(a.expectedAttested)}`;
    case "AgentHandlerInputNotChained":
      return "the step's input is not the previous stage's recorded output";
    case "AgentHandlerInputNotAttested":
      return "the step's input is not the attested task input";
    case "AgentHandlerSyncStageUnproven":
      return `stage ${String(a.stage)} is sync: prove it before the next step`;
    case "BoundedCallInsufficientGas":
      return `the gas limit leaves ${String(a.available)} gas where a bounded call (verifier, registry lookup or dispatch check) needs ${String(a.required)}`;
    default:
      return undefined;
  }
}
