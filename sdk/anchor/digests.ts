/**
 * The 32-byte digests a task's items are anchored under, so that anyone holding the task's step payloads (sdk/bridge
 * `AEX1`: its ECTs and Capsules) rebuilds the same leaves:
 * - an ECT: `keccak256` of its compact JWS text (UTF-8), the exact token carried in the step data;
 * - a Capsule: its `capsule_id` (64 lowercase hex = `bytes32`, seed 004 §5.1), which already commits to its content.
 */
import { keccak256, stringToHex, type Hex } from "viem";
import { ChainParameterError } from "../chain/errors.js";

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+$/;

export type EctAnchorDigestReturnType = Hex;

/** The anchoring digest of an ECT: `keccak256(utf8(compact JWS))`. Throws `ChainParameterError` for a non-JWS. */
export function ectAnchorDigest(token: string): EctAnchorDigestReturnType {
  if (typeof token !== "string" || !COMPACT_JWS.test(token)) {
    throw new ChainParameterError("token", `expected an ECT in compact JWS form, got ${typeof token === "string" ? JSON.stringify(token.slice(0, 40)) : String(token)}`);
  }
  return keccak256(stringToHex(token));
}

export type CapsuleAnchorDigestReturnType = Hex;

/**
 * The anchoring digest of a Capsule (an object or its JSON text): its `capsule_id` as `bytes32`. The id is taken as
 * the capsule states it; whether it recomputes is a separate check (sdk/capsule `checkCapsuleId`, run by
 * verifyTask). Throws `ChainParameterError` when there is no well-formed `capsule_id`.
 */
export function capsuleAnchorDigest(capsule: unknown): CapsuleAnchorDigestReturnType {
  let c: unknown = capsule;
  if (typeof c === "string") {
    try {
      c = JSON.parse(c) as unknown;
    } catch {
      throw new ChainParameterError("capsule", "expected a Capsule object or its JSON text");
    }
  }
  const id = c !== null && typeof c === "object" ? (c as { capsule_id?: unknown }).capsule_id : undefined;
  if (typeof id !== "string" || !/^[0-9a-f]{64}$/.test(id)) {
    throw new ChainParameterError("capsule", `expected a capsule_id of 64 lowercase hex characters, got ${typeof id === "string" ? JSON.stringify(id.slice(0, 70)) : String(id)}`);
  }
  return `0x${id}`;
}
