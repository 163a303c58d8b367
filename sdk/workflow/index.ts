// Public surface of sdk/workflow: the ERC-8301 workflow document (schema, validation, hash, policy derivation,
// register and check against a handler).
export {
  WORKFLOW_DOCUMENT_KIND,
  WORKFLOW_MEDIA_TYPE,
  WORKFLOW_SCHEMA_ID,
  WORKFLOW_VERIFIER_KINDS,
  type WorkflowDocument,
  type WorkflowStage,
  type WorkflowVerifier,
  type WorkflowVerifierKind,
  type WorkflowAgents,
  type WorkflowAgentDescriptor,
  type WorkflowSanitisation,
} from "./types.js";
export { workflowDocumentSchema } from "./schema.js";
export {
  WORKFLOW_DEFAULT_MAX_BYTES,
  validateWorkflow,
  declaresNoTransform,
  type ValidateWorkflowOptions,
  type ValidateWorkflowReturnType,
} from "./validateWorkflow.js";
export { parseWorkflow, hashWorkflow, encodeWorkflow, type ParseWorkflowReturnType } from "./parseWorkflow.js";
export { deriveWorkflowPolicy, type DerivedWorkflowPolicy, type DeriveWorkflowPolicyReturnType } from "./deriveWorkflowPolicy.js";
export { registerWorkflow, type RegisterWorkflowParameters, type RegisterWorkflowReturnType } from "./registerWorkflow.js";
export {
  checkWorkflow,
  diffWorkflowPolicy,
  VERIFIER_KIND_PROOF_SYSTEMS,
  type CheckWorkflowParameters,
  type CheckWorkflowReturnType,
  type WorkflowMismatch,
} from "./checkWorkflow.js";
export { workflowTaskCheck, type WorkflowTaskCheckParameters } from "./workflowTaskCheck.js";
export * from "./errors.js";
