/**
 * The application payload a bridged step carries in `onAgentStep`'s `data` (after the handler's witness header):
 *
 *     abi.encode(bytes4 tag = "AEX1", string[] ects, string[] capsules)
 *
 * `ects` are the stage's ECTs in compact JWS form, in the order their `out_hash`es enter `stageOutputHash`;
 * `capsules` the stage's Agent Action Capsules as JSON text (whole, so a verifier recomputes each `capsule_id` and
 * reruns Class 1 from the chain alone; anchored ids come from them). The payload lives in calldata only (no event
 * carries it): readers take it from the step transaction (sdk/verify does).
 */
import { decodeAbiParameters, encodeAbiParameters, encodePacked, keccak256, size, type Hex } from "viem";
import { BridgeError } from "./errors.js";
import { ectHashToBytes32 } from "./hashes.js";

/** "AEX1": agent-exec step payload, version 1. */
export const STEP_PAYLOAD_TAG: Hex = "0x41455831";
/** The largest payload `encodeStepPayload` produces (calldata costs gas; the handler bounds its own data). */
export const STEP_PAYLOAD_MAX_BYTES = 96 * 1024;

const PARAMS = [{ type: "bytes4" }, { type: "string[]" }, { type: "string[]" }] as const;

/** A decoded payload; capsules are parsed JSON (or the text as is when it is not JSON). */
export type StepPayload = { ects: readonly string[]; capsules: readonly unknown[] };

export type EncodeStepPayloadParameters = {
  ects?: readonly string[] | undefined;
  /** Capsules, as objects or JSON text. */
  capsules?: readonly (string | object)[] | undefined;
};

/** Encodes a step payload. Throws `BridgeError` on a malformed ECT string, capsule id, or an oversized payload. */
export function encodeStepPayload(parameters: EncodeStepPayloadParameters): Hex {
  if (!parameters || typeof parameters !== "object") throw new BridgeError("BRIDGE_INVALID_ARGUMENT", { details: "parameters must be an object" });
  const ects = parameters.ects ?? [];
  const caps = parameters.capsules ?? [];
  if (!Array.isArray(ects) || !ects.every((e) => typeof e === "string" && /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(e)))
    throw new BridgeError("BRIDGE_INVALID_ARGUMENT", { details: "ects must be compact JWS strings" });
  if (!Array.isArray(caps)) throw new BridgeError("BRIDGE_INVALID_ARGUMENT", { details: "capsules must be an array" });
  const capsules = caps.map((c, i) => {
    if (typeof c === "string") return c;
    if (c && typeof c === "object") return JSON.stringify(c);
    throw new BridgeError("BRIDGE_INVALID_ARGUMENT", { details: `capsules[${i}] must be an object or JSON text` });
  });
  const encoded = encodeAbiParameters(PARAMS, [STEP_PAYLOAD_TAG, [...ects], capsules]);
  if (size(encoded) > STEP_PAYLOAD_MAX_BYTES) throw new BridgeError("BRIDGE_PAYLOAD_TOO_LARGE", { details: `${size(encoded)} bytes > ${STEP_PAYLOAD_MAX_BYTES}` });
  return encoded;
}

/** Decodes a step payload; `undefined` for anything that is not one (never throws). */
export function decodeStepPayload(data: unknown): StepPayload | undefined {
  if (typeof data !== "string" || !data.startsWith("0x") || data.length < 2 + 64 * 4) return undefined;
  if (data.slice(2, 10).toLowerCase() !== STEP_PAYLOAD_TAG.slice(2)) return undefined;
  try {
    const [tag, ects, capsules] = decodeAbiParameters(PARAMS, data as Hex);
    if (tag.toLowerCase() !== STEP_PAYLOAD_TAG) return undefined;
    return { ects, capsules: capsules.map(parseJson) };
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

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
