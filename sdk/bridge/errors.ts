/** Typed errors of the bridge between ECTs / Capsules and on-chain steps and proves. */
import { AgentExecError, type AgentExecErrorParameters } from "../errors.js";

export const BRIDGE_ERROR_MESSAGES = {
  BRIDGE_INVALID_ECT_HASH: "Not an ECT hash (base64url SHA-256, 43 characters).",
  BRIDGE_INVALID_BYTES32: "Not a 32-byte hex value.",
  BRIDGE_INVALID_CAPSULE_ID: "Not a capsule_id (64 lowercase hex characters).",
  BRIDGE_INVALID_ARGUMENT: "Invalid argument.",
  BRIDGE_ECT_UNREADABLE: "An ECT could not be decoded.",
  BRIDGE_ECT_WID_MISMATCH: "An ECT's wid does not name the task.",
  BRIDGE_ECT_DAG_INVALID: "The ECTs do not form a valid DAG.",
  BRIDGE_ECT_MISSING_OUT_HASH: "An ECT carries no out_hash.",
  BRIDGE_STAGE_MISMATCH: "The ECT DAG does not fit the workflow's stages.",
  BRIDGE_PAYLOAD_TOO_LARGE: "The step payload is too large.",
} as const;
export type BridgeErrorCode = keyof typeof BRIDGE_ERROR_MESSAGES;

export class BridgeError extends AgentExecError {
  override name = "BridgeError";
  constructor(code: BridgeErrorCode, parameters: AgentExecErrorParameters = {}) {
    super(code, BRIDGE_ERROR_MESSAGES[code], parameters);
  }
}
