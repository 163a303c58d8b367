// sdk/verify: stage proofs and whole tasks, rechecked off-chain from the chain's own data.
export {
  verifyStageProof,
  readVerifierInfo,
  checkStageProofOffChain,
  type VerifierInfo,
  type RecoveredSigner,
  type VerifyStageProofParameters,
  type VerifyStageProofReturnType,
} from "./verifyStageProof.js";
export {
  verifyTask,
  type VerifyTaskParameters,
  type TaskReport,
  type StageReport,
  type StageStep,
  type StageProve,
  type RejectedProve,
  type TaskPolicy,
  type WorkflowCheck,
  type WorkflowCheckContext,
} from "./verifyTask.js";
export type { AnchorOptions, AnchorReport, AnchorRoot, AnchoredDigest, AnchorItem } from "./anchorChecks.js";
export { renderTaskReport, type RenderTaskReportOptions } from "./renderTaskReport.js";
export type { VerifyCheck } from "./types.js";
