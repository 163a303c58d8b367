// Public surface of sdk/bridge: ECT DAGs and Agent Action Capsules onto ERC-8301 steps and proves.
export { BridgeError, BRIDGE_ERROR_MESSAGES, type BridgeErrorCode } from "./errors.js";
export { ectHashToBytes32, bytes32ToEctHash, capsuleIdToBytes32, bytes32ToCapsuleId } from "./hashes.js";
export {
  STEP_PAYLOAD_TAG,
  STEP_PAYLOAD_MAX_BYTES,
  encodeStepPayload,
  decodeStepPayload,
  stageOutputHash,
  type StepPayload,
  type EncodeStepPayloadParameters,
} from "./stepPayload.js";
export { mapEctDagToStages, readEctClaims, type MappedStage, type MapEctDagToStagesParameters } from "./mapEctDagToStages.js";
export { capsuleVerdict, type CapsuleVerdictReturnType } from "./capsuleVerdict.js";
export {
  CAPSULE_STEP_EXTENSION,
  checkCapsuleBinding,
  type CheckCapsuleBindingParameters,
  type CheckCapsuleBindingReturnType,
} from "./capsuleBinding.js";
