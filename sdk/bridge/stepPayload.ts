/**
 * The application payload a bridged step carries in `onAgentStep`'s `data` (after the handler's witness header):
 *
 *     abi.encode(bytes4 tag = "AEX1", string[] ects, bytes32[] capsuleIds)
 *
 * `ects` are the stage's ECTs in compact JWS form, in the order their `out_hash`es enter `stageOutputHash`;
 * `capsuleIds` the stage's Capsules. The payload lives in calldata only (no event carries it): readers take it
 * from the step transaction (sdk/verify does).
 */
import { decodeAbiParameters, encodeAbiParameters, encodePacked, keccak256, size, type Hex } from "viem";
import { BridgeError } from "./errors.js";
import { capsuleIdToBytes32, ectHashToBytes32 } from "./hashes.js";

/** "AEX1": agent-exec step payload, version 1. */
export const STEP_PAYLOAD_TAG: Hex = "0x41455831";
/** The largest payload `encodeStepPayload` produces (calldata costs gas; the handler bounds its own data). */
export const STEP_PAYLOAD_MAX_BYTES = 96 * 1024;

const PARAMS = [{ type: "bytes4" }, { type: "string[]" }, { type: "bytes32[]" }] as const;

export type StepPayload = { ects: readonly string[]; capsuleIds: readonly Hex[] };

export type EncodeStepPayloadParameters = {
  ects?: readonly string[] | undefined;
  /** capsule_ids (64 hex characters) or their bytes32 forms. */
  capsuleIds?: readonly string[] | undefined;
};

/** Encodes a step payload. Throws `BridgeError` on a malformed ECT string, capsule id, or an oversized payload. */
export function encodeStepPayload(parameters: EncodeStepPayloadParameters): Hex {
  if (!parameters || typeof parameters !== "object") throw new BridgeError("BRIDGE_INVALID_ARGUMENT", { details: "parameters must be an object" });
  const ects = parameters.ects ?? [];
  const ids = parameters.capsuleIds ?? [];
  if (!Array.isArray(ects) || !ects.every((e) => typeof e === "string" && /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(e)))
    throw new BridgeError("BRIDGE_INVALID_ARGUMENT", { details: "ects must be compact JWS strings" });
  if (!Array.isArray(ids)) throw new BridgeError("BRIDGE_INVALID_ARGUMENT", { details: "capsuleIds must be an array" });
  const capsuleIds = ids.map((id) => (typeof id === "string" && id.startsWith("0x") ? capsuleIdToBytes32(id.slice(2).toLowerCase()) : capsuleIdToBytes32(id)));
  const encoded = encodeAbiParameters(PARAMS, [STEP_PAYLOAD_TAG, [...ects], capsuleIds]);
  if (size(encoded) > STEP_PAYLOAD_MAX_BYTES) throw new BridgeError("BRIDGE_PAYLOAD_TOO_LARGE", { details: `${size(encoded)} bytes > ${STEP_PAYLOAD_MAX_BYTES}` });
  return encoded;
}

/** Decodes a step payload; `undefined` for anything that is not one (never throws). */
export function decodeStepPayload(data: unknown): StepPayload | undefined {
  if (typeof data !== "string" || !data.startsWith("0x") || data.length < 2 + 64 * 4) return undefined;
  if (data.slice(2, 10).toLowerCase() !== STEP_PAYLOAD_TAG.slice(2)) return undefined;
  try {
    const [tag, ects, capsuleIds] = decodeAbiParameters(PARAMS, data as Hex);
    if (tag.toLowerCase() !== STEP_PAYLOAD_TAG) return undefined;
    return { ects, capsuleIds };
  } catch {
    return undefined;
  }
}

/**
 * A stage's `outputHash` from the `out_hash`es of its ECTs: one ECT ⇒ its 32 digest bytes (so the ECT and the
 * step name the same hash); several (fan-out within the stage) ⇒ keccak256 of their packed bytes32 forms, in payload
 * order.
 */
export function stageOutputHash(outHashes: readonly string[]): Hex {
  if (!Array.isArray(outHashes) || outHashes.length === 0) throw new BridgeError("BRIDGE_INVALID_ARGUMENT", { details: "a stage needs at least one out_hash" });
  const words = outHashes.map(ectHashToBytes32);
  if (words.length === 1) return words[0]!;
  return keccak256(encodePacked(words.map(() => "bytes32"), words));
}
