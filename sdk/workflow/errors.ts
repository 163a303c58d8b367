/**
 * Typed errors of the workflow-document area. Validators (`validateWorkflow`, `checkWorkflow`) never throw for a
 * bad document: they return findings carrying these codes. The throwing variants (`parseWorkflow`,
 * `hashWorkflow`, `deriveWorkflowPolicy`, `registerWorkflow`) throw the class of the first finding, which also
 * carries every finding.
 */
import { AgentExecError, type AgentExecErrorParameters } from "../errors.js";

/** Every stable code a workflow finding or error can carry, with its short message. */
export const WORKFLOW_ERROR_MESSAGES = {
  WORKFLOW_INVALID_JSON: "The workflow document is not JSON.",
  WORKFLOW_NOT_CANONICALIZABLE: "The workflow document has no RFC 8785 canonical form.",
  WORKFLOW_TOO_LARGE: "The workflow document is too large.",
  WORKFLOW_SCHEMA: "The workflow document does not match the schema.",
  WORKFLOW_UNKNOWN_VERIFIER_KIND: "A stage names an unknown verifier kind.",
  WORKFLOW_TOO_MANY_STAGES: "The workflow declares too many stages.",
  WORKFLOW_GRAPH_INVALID: "The workflow's task graph is not a valid ATD descriptor.",
  WORKFLOW_GRAPH_CYCLE: "The workflow's task graph has a cycle.",
  WORKFLOW_DUPLICATE_STAGE_NAME: "Two stages share a name.",
  WORKFLOW_UNKNOWN_NODE: "A stage names a node the graph does not declare.",
  WORKFLOW_NODE_IN_TWO_STAGES: "A graph node is assigned to more than one stage.",
  WORKFLOW_NODE_WITHOUT_STAGE: "A graph node is assigned to no stage.",
  WORKFLOW_EDGE_BACKWARDS: "A graph edge does not run from an earlier stage to a later one.",
  WORKFLOW_FIRST_STAGE_CHAINS: "Stage 0 has no previous output to take as input.",
  WORKFLOW_GATING_REQUIRES_SYNC: "A gating stage must be sync.",
  WORKFLOW_MIN_FINAL_STAGE_OUT_OF_RANGE: "minFinalStage names no stage.",
  WORKFLOW_GATE_AFTER_MIN_FINAL_STAGE: "A gating stage after minFinalStage could be skipped by finishing early.",
  WORKFLOW_ZERO_ADDRESS: "An address in the workflow is the zero address.",
  WORKFLOW_DUPLICATE_ADDRESS: "An address is listed twice.",
  WORKFLOW_PIPELINE_UNHASHABLE: "The declared sanitisation pipeline is not a content address that can be hashed.",
  WORKFLOW_INVALID_ARGUMENT: "Invalid argument.",
  WORKFLOW_NOT_REGISTERED: "No policy is registered for the workflow hash.",
  WORKFLOW_RPC: "Reading the workflow policy from the chain failed.",
} as const;
export type WorkflowErrorCode = keyof typeof WORKFLOW_ERROR_MESSAGES;

/** One problem in a workflow document, naming the JSON path (e.g. `stages[2].verifier.kind`). */
export type WorkflowFinding = { code: WorkflowErrorCode; path: string; message: string };

export type WorkflowErrorParameters = AgentExecErrorParameters & {
  path?: string | undefined;
  findings?: readonly WorkflowFinding[] | undefined;
};

/** Base class of every workflow error. */
export class WorkflowError extends AgentExecError {
  override name = "WorkflowError";
  readonly path: string | undefined;
  readonly findings: readonly WorkflowFinding[];
  constructor(code: WorkflowErrorCode, parameters: WorkflowErrorParameters = {}) {
    const metaMessages = [
      ...(parameters.path ? [`Path: ${parameters.path}`] : []),
      ...(parameters.findings && parameters.findings.length > 1
        ? [`${parameters.findings.length} findings:`, ...parameters.findings.map((f) => `  ${f.path || "(document)"}: ${f.code}: ${f.message}`)]
        : []),
      ...(parameters.metaMessages ?? []),
    ];
    super(code, WORKFLOW_ERROR_MESSAGES[code], { ...parameters, metaMessages });
    this.path = parameters.path;
    this.findings = parameters.findings ?? [];
  }
}

const cls = <C extends WorkflowErrorCode>(code: C, name: string) =>
  class extends WorkflowError {
    override name = name;
    constructor(parameters: WorkflowErrorParameters = {}) {
      super(code, parameters);
    }
  };

export class WorkflowInvalidJsonError extends cls("WORKFLOW_INVALID_JSON", "WorkflowInvalidJsonError") {}
export class WorkflowNotCanonicalizableError extends cls("WORKFLOW_NOT_CANONICALIZABLE", "WorkflowNotCanonicalizableError") {}
export class WorkflowTooLargeError extends cls("WORKFLOW_TOO_LARGE", "WorkflowTooLargeError") {}
export class WorkflowSchemaError extends cls("WORKFLOW_SCHEMA", "WorkflowSchemaError") {}
export class WorkflowUnknownVerifierKindError extends cls("WORKFLOW_UNKNOWN_VERIFIER_KIND", "WorkflowUnknownVerifierKindError") {}
export class WorkflowTooManyStagesError extends cls("WORKFLOW_TOO_MANY_STAGES", "WorkflowTooManyStagesError") {}
export class WorkflowGraphInvalidError extends cls("WORKFLOW_GRAPH_INVALID", "WorkflowGraphInvalidError") {}
export class WorkflowGraphCycleError extends cls("WORKFLOW_GRAPH_CYCLE", "WorkflowGraphCycleError") {}
export class WorkflowDuplicateStageNameError extends cls("WORKFLOW_DUPLICATE_STAGE_NAME", "WorkflowDuplicateStageNameError") {}
export class WorkflowUnknownNodeError extends cls("WORKFLOW_UNKNOWN_NODE", "WorkflowUnknownNodeError") {}
export class WorkflowNodeInTwoStagesError extends cls("WORKFLOW_NODE_IN_TWO_STAGES", "WorkflowNodeInTwoStagesError") {}
export class WorkflowNodeWithoutStageError extends cls("WORKFLOW_NODE_WITHOUT_STAGE", "WorkflowNodeWithoutStageError") {}
export class WorkflowEdgeBackwardsError extends cls("WORKFLOW_EDGE_BACKWARDS", "WorkflowEdgeBackwardsError") {}
export class WorkflowFirstStageChainsError extends cls("WORKFLOW_FIRST_STAGE_CHAINS", "WorkflowFirstStageChainsError") {}
export class WorkflowGatingRequiresSyncError extends cls("WORKFLOW_GATING_REQUIRES_SYNC", "WorkflowGatingRequiresSyncError") {}
export class WorkflowMinFinalStageOutOfRangeError extends cls("WORKFLOW_MIN_FINAL_STAGE_OUT_OF_RANGE", "WorkflowMinFinalStageOutOfRangeError") {}
export class WorkflowGateAfterMinFinalStageError extends cls("WORKFLOW_GATE_AFTER_MIN_FINAL_STAGE", "WorkflowGateAfterMinFinalStageError") {}
export class WorkflowZeroAddressError extends cls("WORKFLOW_ZERO_ADDRESS", "WorkflowZeroAddressError") {}
export class WorkflowDuplicateAddressError extends cls("WORKFLOW_DUPLICATE_ADDRESS", "WorkflowDuplicateAddressError") {}
export class WorkflowPipelineUnhashableError extends cls("WORKFLOW_PIPELINE_UNHASHABLE", "WorkflowPipelineUnhashableError") {}
export class WorkflowInvalidArgumentError extends cls("WORKFLOW_INVALID_ARGUMENT", "WorkflowInvalidArgumentError") {}
export class WorkflowNotRegisteredError extends cls("WORKFLOW_NOT_REGISTERED", "WorkflowNotRegisteredError") {}
export class WorkflowRpcError extends cls("WORKFLOW_RPC", "WorkflowRpcError") {}

const CLASSES: Record<WorkflowErrorCode, new (p?: WorkflowErrorParameters) => WorkflowError> = {
  WORKFLOW_INVALID_JSON: WorkflowInvalidJsonError,
  WORKFLOW_NOT_CANONICALIZABLE: WorkflowNotCanonicalizableError,
  WORKFLOW_TOO_LARGE: WorkflowTooLargeError,
  WORKFLOW_SCHEMA: WorkflowSchemaError,
  WORKFLOW_UNKNOWN_VERIFIER_KIND: WorkflowUnknownVerifierKindError,
  WORKFLOW_TOO_MANY_STAGES: WorkflowTooManyStagesError,
  WORKFLOW_GRAPH_INVALID: WorkflowGraphInvalidError,
  WORKFLOW_GRAPH_CYCLE: WorkflowGraphCycleError,
  WORKFLOW_DUPLICATE_STAGE_NAME: WorkflowDuplicateStageNameError,
  WORKFLOW_UNKNOWN_NODE: WorkflowUnknownNodeError,
  WORKFLOW_NODE_IN_TWO_STAGES: WorkflowNodeInTwoStagesError,
  WORKFLOW_NODE_WITHOUT_STAGE: WorkflowNodeWithoutStageError,
  WORKFLOW_EDGE_BACKWARDS: WorkflowEdgeBackwardsError,
  WORKFLOW_FIRST_STAGE_CHAINS: WorkflowFirstStageChainsError,
  WORKFLOW_GATING_REQUIRES_SYNC: WorkflowGatingRequiresSyncError,
  WORKFLOW_MIN_FINAL_STAGE_OUT_OF_RANGE: WorkflowMinFinalStageOutOfRangeError,
  WORKFLOW_GATE_AFTER_MIN_FINAL_STAGE: WorkflowGateAfterMinFinalStageError,
  WORKFLOW_ZERO_ADDRESS: WorkflowZeroAddressError,
  WORKFLOW_DUPLICATE_ADDRESS: WorkflowDuplicateAddressError,
  WORKFLOW_PIPELINE_UNHASHABLE: WorkflowPipelineUnhashableError,
  WORKFLOW_INVALID_ARGUMENT: WorkflowInvalidArgumentError,
  WORKFLOW_NOT_REGISTERED: WorkflowNotRegisteredError,
  WORKFLOW_RPC: WorkflowRpcError,
};

/** The error for a list of findings: the class of the first, carrying all of them. */
export function workflowErrorFromFindings(findings: readonly WorkflowFinding[]): WorkflowError {
  const first = findings[0];
  if (!first) return new WorkflowInvalidArgumentError({ details: "no findings" });
  return new CLASSES[first.code]({ path: first.path || undefined, details: first.message, findings });
}
