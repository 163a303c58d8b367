// Public surface of sdk/chain: ABIs, task ids, WYRIWE arithmetic, attestation proofs, policy types.
export {
  agentCallerAbi,
  agentHandlerAbi,
  agentVerifierAbi,
  ecdsaAttestationVerifierAbi,
  wyriweAttestationVerifierAbi,
} from "./abis.js";
export { ChainParameterError } from "./errors.js";
export { computeTaskId, type ComputeTaskIdParameters, type ComputeTaskIdReturnType } from "./taskId.js";
export {
  IDENTITY_PIPELINE_URI,
  IDENTITY_PIPELINE_HASH,
  pipelineHashOf,
  isSentinelPipeline,
  attestedInputHash,
  type AttestedInputHashParameters,
} from "./wyriwe.js";
export {
  Verdict,
  type SignableVerdict,
  ECDSA_VERIFIER_DOMAIN,
  WYRIWE_VERIFIER_DOMAIN,
  stageAttestationTypedData,
  wyriweAttestationTypedData,
  encodeStageProof,
  encodeWyriweProof,
  type StageAttestationParameters,
  type StageAttestationTypedData,
  type WyriweAttestationParameters,
  type WyriweAttestationTypedData,
  type AttesterSignature,
  type EncodeStageProofParameters,
  type EncodeWyriweProofParameters,
  type WyriweStage0Witness,
} from "./attestation.js";
export {
  Resolution,
  InputSource,
  AgentAuth,
  TaskStatus,
  ProveRejection,
  POLICY_LIMITS,
  normalizePolicy,
  policyDigest,
  type StagePolicy,
  type WorkflowPolicy,
} from "./policy.js";
export {
  stepDigest,
  stepWitness,
  encodeStepData,
  encodeProveProof,
  type StepDigestParameters,
  type StepHistory,
  type StepWitnessParameters,
} from "./step.js";
